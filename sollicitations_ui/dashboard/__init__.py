""" "Tableau de bord": counts per structure and status, drill-down, monthly chart: state.py (param, no Panel) and view.py (Panel)."""
