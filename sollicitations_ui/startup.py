"""Run by `panel serve --setup` in the server process before it serves anyone (DuckDB only).

It fills the cache entries app.py and contact.py read ("desk", "publisher", "courier"), so that from
the start, not from the first visit, the server holds the DuckDB file (no notebook can take it
first), publishes its snapshot (readers find one), and delivers the mails that waited across a
restart. (`--warm` would run app.py and contact.py in a session without a request, which
contact.py does not expect.)
"""

import panel as pn

import sollicitations as sol
from sollicitations import config, snapshot
from sollicitations_ui.courier import ensure_courier

desk = pn.state.as_cached("desk", lambda: sol.open_desk(config.database_path()))
pn.state.as_cached(
    "publisher", lambda: snapshot.Publisher(desk.store, snapshot.snapshot_path(config.database_path())).start()
)
ensure_courier(desk)
