""" "Synthèse": the list of requests to process: state.py (param, no Panel) and view.py (Panel)."""
