"""The Panel app's state (param, no Panel) and views (Panel). `sollicitations` never imports this."""
