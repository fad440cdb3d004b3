"""The Panel app: `python -m sollicitations serve` (or `panel serve app.py` with the same flags)."""
import panel as pn

import sollicitations as sol
from sollicitations import config, mail, snapshot
from sollicitations_ui.shell import build_page

pn.extension("tabulator", sizing_mode="stretch_width", notifications=True)

desk = pn.state.as_cached("desk", lambda: sol.open_desk(config.database_path()))
if not config.is_postgresql_url(config.database_path()):
    # Notebooks cannot open the DuckDB file the app holds: they read the snapshot it publishes.
    # PostgreSQL is read live by as many processes as need it.
    pn.state.as_cached("publisher", lambda: snapshot.Publisher(
        desk.store, snapshot.snapshot_path(config.database_path())).start())
settings = mail.SmtpSettings.from_env()
if settings is not None:  # without SMTP (the demo) mails stay in the outbox, readable by support
    pn.state.as_cached("courier", lambda: mail.Courier(desk.store, settings).start())
build_page(desk, pn.state.user, pn.state.location).servable(title="Sollicitations")
