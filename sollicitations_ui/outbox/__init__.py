""" "Courriels": the mails the office wrote: state.py (param, no Panel) and view.py (Panel)."""
