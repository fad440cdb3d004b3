""" "Activités du gestionnaire": filters, the status table and the figures: state.py (param, no Panel) and view.py (Panel)."""
