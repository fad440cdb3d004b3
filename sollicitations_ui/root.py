""""/" answers a redirect to the app: a Panel plugin (`panel serve --plugins sollicitations_ui.root`).

Without it, Bokeh's own index lists the served pages ("Panel Applications"): not a page for users.
Panel adds a plugin's ROUTES before Bokeh's root handler, so this one answers "/" first.
"""
from tornado.web import RedirectHandler

ROUTES = [(r"/?", RedirectHandler, {"url": "/app", "permanent": False})]
