"""The Panel app: `panel serve app.py` (or `python -m sollicitations serve`)."""
import panel as pn

import sollicitations as sol
from sollicitations import config

pn.extension(sizing_mode="stretch_width")

desk = pn.state.as_cached("desk", lambda: sol.open_desk(config.database_path()))
count = desk.store.count_sollicitations()

pn.template.BootstrapTemplate(
    title="Sollicitations",
    main=[pn.pane.Markdown(f"## Sollicitations émises\n\n{count} sollicitations dans la base.")],
).servable()
