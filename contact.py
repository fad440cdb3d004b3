"""The public "Nous contacter" page, served beside app.py without login."""

import panel as pn

import sollicitations as sol
from sollicitations import config
from sollicitations_ui.contact.view import build_contact_page
from sollicitations_ui.courier import ensure_courier

pn.extension(sizing_mode="stretch_width")

desk = pn.state.as_cached("desk", lambda: sol.open_desk(config.database_path()))
# The confirmation mail must leave even when nobody has logged in since the server started.
ensure_courier(desk)
request = pn.state.curdoc.session_context.request if pn.state.curdoc and pn.state.curdoc.session_context else None
client = (request.remote_ip if request is not None else None) or "inconnu"
build_contact_page(desk, client).servable(title="Nous contacter")
