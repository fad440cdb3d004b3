""" "Consulter": one request and the actions its status allows the user: state.py (param, no Panel) and view.py (Panel)."""
