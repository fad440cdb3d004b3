""" "Rechercher": the guide's criteria, one page of results, exports: state.py (param, no Panel) and view.py (Panel)."""
