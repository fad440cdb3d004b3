""" "Saisir sollicitation": a new request or a draft being completed: state.py (param, no Panel) and view.py (Panel)."""
