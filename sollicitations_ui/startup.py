"""Run by `panel serve --setup` in the server process before it serves anyone (DuckDB only).

It fills the cache entries app.py reads ("desk", "publisher"), so the server holds the DuckDB file and
publishes its snapshot from the start, not from the first visit: no notebook can take the file first,
and readers find a snapshot. (`--warm` would run app.py and contact.py in a session without a request,
which contact.py does not expect.)
"""
import panel as pn

import sollicitations as sol
from sollicitations import config, snapshot

desk = pn.state.as_cached("desk", lambda: sol.open_desk(config.database_path()))
pn.state.as_cached("publisher", lambda: snapshot.Publisher(
    desk.store, snapshot.snapshot_path(config.database_path())).start())
