"""The public "Nous contacter" page: no login, a captcha, a number to note. The thin Panel view."""

from __future__ import annotations

import base64

import panel as pn
from panel.viewable import Viewer

import sollicitations as sol

from .. import format as fmt
from ..aria import PageRepairs, footer
from ..widgets import Confirmation, Feedback, button, card, html
from .proof import ProofOfWork
from .state import ContactForm


class ContactView(Viewer):
    def __init__(self, form: ContactForm, **params):
        super().__init__(**params)
        self.form = form

    def __panel__(self):
        f, w = self.form, pn.widgets
        image = pn.bind(
            lambda png: (
                f'<img alt="Captcha visuel de validation : recopiez les caractères" '
                f'src="data:image/png;base64,{base64.b64encode(png).decode()}">'
                if png
                else ""
            ),
            f.param.image,
        )
        # The accessible alternative: nothing to read or type, the browser proves a moment's work.
        proof = ProofOfWork(challenge=f.param.proof, visible=f.param.proof.rx.is_not(None), margin=(0, 10))
        proof.param.watch(lambda event: setattr(f, "reponse_captcha", event.new), "payload")
        form = pn.Column(
            html("<p>Ce formulaire est réservé aux utilisateurs qui ne parviennent pas à se connecter. "
                 "Les sollicitations déposées ici ne peuvent pas être suivies dans l'application : la réponse "
                 "vous parviendra par courriel.</p>"),
            w.Select.from_param(f.param.categorie, name="Catégorie *"),
            w.Select.from_param(f.param.sous_categorie, name="Sous-catégorie *"),
            w.TextInput.from_param(f.param.email, name="Adresse électronique de contact *", max_length=254),
            w.TextAreaInput.from_param(f.param.description, name="Description *", height=160, max_length=10_000),
            card("Captcha visuel de validation",
                 html(image), proof,
                 w.TextInput.from_param(f.param.reponse_captcha, name="Recopiez les caractères de l'image *",
                                        max_length=20, visible=f.param.proof.rx.is_(None)),
                 pn.Row(button("Nouveau code", f.new_image),
                        button("Je ne peux pas lire l'image : vérification automatique", f.new_proof))),
            button("Valider", f.submit, kind="primary"),
            # Every refusal at once, next to the button, scrolled into view.
            Feedback(errors=f.param.errors, sizing_mode="stretch_width"),
            visible=f.param.numero.rx.is_(None),
        )  # fmt: skip
        # The guide's "fenêtre de confirmation d'envoi"; once it is closed, the number stays on the page.
        window = Confirmation(text=f.param.confirmation, title="Confirmation d'envoi", height=0, margin=0)
        sent = html(pn.bind(lambda text: fmt.message_html(text) if text else "", f.param.confirmation))
        return pn.Column(
            html("<h2>Nous contacter</h2>"),
            sent,
            form,
            window,
            html('<p><a href="./app">Se connecter</a></p>'),
            sizing_mode="stretch_width",
            max_width=900,
        )


def build_contact_page(desk: sol.Desk, client: str) -> pn.template.BaseTemplate:
    template = pn.template.BootstrapTemplate(title="Sollicitations — Nous contacter", header_background="#000091")
    template.header.append(PageRepairs(height=0, width=0, margin=0))
    template.main.append(ContactView(ContactForm(desk, client)))
    template.main.append(footer())
    return template
