"""The Panel app: `python -m sollicitations serve` (or `panel serve app.py` with the same flags)."""

import panel as pn

import sollicitations as sol
from sollicitations import config, snapshot
from sollicitations_ui.courier import ensure_courier
from sollicitations_ui.session_guard import end_with_session
from sollicitations_ui.shell import build_page

pn.extension("tabulator", sizing_mode="stretch_width", notifications=True)

desk = pn.state.as_cached("desk", lambda: sol.open_desk(config.database_path()))
if not config.is_postgresql_url(config.database_path()):
    # Notebooks cannot open the DuckDB file the app holds: they read the snapshot it publishes.
    # PostgreSQL is read live by as many processes as need it.
    pn.state.as_cached(
        "publisher", lambda: snapshot.Publisher(desk.store, snapshot.snapshot_path(config.database_path())).start()
    )
ensure_courier(desk)  # shared with contact.py: one courier per process, whichever page opens first
build_page(desk, pn.state.user, pn.state.location).servable(title="Sollicitations")
end_with_session(desk, pn.state.location)
