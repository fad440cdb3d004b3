""" "/" answers a redirect to the app, "/accessibilite" the accessibility statement: a Panel plugin
(`panel serve --plugins sollicitations_ui.root`).

Without it, Bokeh's own index lists the served pages ("Panel Applications"): not a page for users.
Panel adds a plugin's ROUTES before Bokeh's root handler, so this one answers "/" first. The statement
is public (RGAA: reachable without an account), a static page like the login page.
"""

from pathlib import Path

from tornado.web import RedirectHandler, RequestHandler

STATEMENT = (Path(__file__).parent / "templates" / "accessibilite.html").read_text(encoding="utf-8")


class StatementHandler(RequestHandler):
    """ "Déclaration d'accessibilité": the same page for everyone, signed in or not."""

    def get(self) -> None:
        self.set_header("Content-Type", "text/html; charset=UTF-8")
        self.write(STATEMENT)


ROUTES = [
    (r"/?", RedirectHandler, {"url": "/app", "permanent": False}),
    (r"/accessibilite/?", StatementHandler),
]
