""" "Nous contacter": the public form and its captcha: state.py (param, no Panel) and view.py (Panel)."""
