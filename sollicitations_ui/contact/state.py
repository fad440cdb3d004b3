""" "Nous contacter": the public form and its captcha: the state, in plain param (no Panel: tested without a browser)."""

from __future__ import annotations

import param

import sollicitations as sol
from sollicitations import captcha

from ..common import NONE, choices, messages_of


class ContactForm(param.Parameterized):
    """ "Nous contacter": the public form, its captcha, and the confirmation with the number."""

    categorie = param.Selector(default=NONE, objects=[NONE])
    sous_categorie = param.Selector(default=NONE, objects=[NONE])
    email = param.String(default="")
    description = param.String(default="")
    reponse_captcha = param.String(default="")
    image = param.Bytes(default=None, allow_None=True)
    proof = param.Dict(default=None, allow_None=True, doc="the accessible check: the challenge the browser solves")
    errors = param.List(default=[], doc="every refusal of the last 'Valider', at once")
    numero = param.Integer(default=None, allow_None=True)
    confirmation = param.String(default="", doc="the guide's confirmation window, with the number")

    def __init__(self, desk: sol.Desk, client: str, **params):
        super().__init__(**params)
        self.desk, self.client, self.token = desk, client, None
        self.param.categorie.objects = choices(
            "Sélectionner une catégorie", desk.catalogue.categories(contact_form=True)
        )
        self.new_image()

    @param.depends("categorie", watch=True)
    def _sub_categories(self):
        subs = self.desk.catalogue.sous_categories(self.categorie, contact_form=True) if self.categorie else []
        self.param.sous_categorie.objects = choices("Sélectionner une sous-catégorie", subs)
        self.sous_categorie = NONE

    def new_image(self) -> None:
        """ "Nouveau code"."""
        challenge = captcha.new_visual(self.desk.store, self.desk.clock())
        self.token = challenge.token
        self.param.update(image=challenge.image_png, proof=None, reponse_captcha="")

    def new_proof(self) -> None:
        """The accessible alternative: a check the browser does itself (ALTCHA's proof of work); its
        solver sets `reponse_captcha` to the solution."""
        challenge = captcha.new_proof(self.desk.store, self.desk.clock())
        self.token = challenge.token
        self.param.update(image=None, proof=challenge.proof, reponse_captcha="")

    def submit(self) -> None:
        """ "Valider": the request and its number, or every refusal in one list (fields and captcha).

        A wrong captcha answer spends its challenge: a new one is drawn, of the same kind."""
        try:
            numero = self.desk.contact_form(
                self.categorie or None, self.sous_categorie or None, self.email, self.description,
                captcha_token=self.token, captcha_answer=self.reponse_captcha, client=self.client,
            )  # fmt: skip
        except sol.SollicitationError as e:
            self.errors = messages_of(e)
            if captcha.WRONG in self.errors:
                self.new_proof() if self.proof else self.new_image()
            return
        self.param.update(
            errors=[],
            numero=numero,
            confirmation=(
                f"Votre sollicitation a bien été envoyée sous le numéro {numero}. Notez ce numéro : il facilitera "
                "le suivi de votre demande. Un courriel de confirmation vous est adressé."
            ),
        )
