"""The emitter's entry form checked: every rule at once, the values as they will be stored.

`check_form` reads the directory (services, objects, recipients) in the caller's transaction and
returns a frozen `CheckedForm`, or raises every problem in one ValidationError; it never changes the
fields it is given. The category and description checks are shared with "Nous contacter".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from . import rules
from .access import User
from .catalogue import ROUTE_CHOSEN, ROUTE_OBJECT, Catalogue, Pair
from .errors import PermissionDenied, ValidationError
from .status import Actor
from .store import Store

# The fields of the entry form, as the API names them.
FORM_FIELDS = (
    "categorie", "sous_categorie", "structure", "service", "email", "telephone", "description",
    "type_objet", "numero_objet", "destinataire", "service_destinataire", "destinataire_etat",
)  # fmt: skip


@dataclass(frozen=True)
class CheckedForm:
    """The form's fields cleaned, and what they name in the directory."""

    categorie: str
    sous_categorie: str
    structure: str
    service: str | None
    email: str | None
    telephone: str | None
    description: str | None
    type_objet: str | None  # the object type's code once known, else as typed
    numero_objet: str | None
    destinataire: str | None
    service_destinataire: str | None
    destinataire_etat: object  # as given: a bool, "Oui"/"Non" or None
    pair: Pair
    service_id: int | None
    objet_id: int | None
    objet: dict | None
    destinataire_id: str | None
    service_destinataire_id: int | None

    def stored_fields(self, routed: bool) -> dict:
        """The request's columns; the recipient only once routed, or when the emitter chose it."""
        keep_recipient = routed or (self.pair is not None and self.pair.routage == ROUTE_CHOSEN)
        return {
            "categorie": self.categorie, "sous_categorie": self.sous_categorie,
            "type_objet": self.type_objet if self.numero_objet or self.type_objet else None,
            "numero_objet": self.numero_objet, "objet_id": self.objet_id,
            "emetteur_id": self.structure, "service_emetteur_id": self.service_id,
            "email": self.email, "telephone": self.telephone, "description": self.description or "",
            "destinataire_id": self.destinataire_id if keep_recipient else None,
            "service_destinataire_id": self.service_destinataire_id if keep_recipient else None,
        }  # fmt: skip


class _Object(NamedTuple):
    type_objet: str | None
    objet_id: int | None = None
    objet: dict | None = None


class _Recipient(NamedTuple):
    destinataire_id: str | None = None
    service_destinataire_id: int | None = None


_NO_RECIPIENT = _Recipient()


def check_form(store: Store, catalogue: Catalogue, user: User, cur, fields: dict, submit: bool) -> CheckedForm:
    """Every rule of the entry form at once (those of sending too, with `submit`); the checked form."""
    v = {k: rules.clean_text(fields.get(k)) if k != "destinataire_etat" else fields.get(k)
         for k in FORM_FIELDS}  # fmt: skip
    type_problems = [p for k in FORM_FIELDS if k != "destinataire_etat" for p in rules.not_text(k, v[k])]
    if type_problems:
        raise ValidationError(type_problems)
    problems = pair_problems(catalogue, v["categorie"], v["sous_categorie"])
    pair = catalogue.pair(v["categorie"], v["sous_categorie"]) if not problems else None

    if v["structure"] is None:
        problems.append(rules.STRUCTURE_OBLIGATOIRE)
    elif Actor.EMETTEUR not in user.acts_as(None, v["structure"]):
        raise PermissionDenied(f"Vous n'êtes pas habilité sur la structure {v['structure']}")
    service_id = None
    if v["service"] is not None and v["structure"] is not None:
        service = store.find_service(v["structure"], v["service"], cur)
        if service is None:
            problems.append(rules.SERVICE_INCONNU)
        else:
            service_id = service["id"]
    problems += rules.email_problems(v["email"]) + rules.phone_problems(v["telephone"])
    problems += description_problems(v["description"], required=submit)
    if pair is None:  # an unknown pair is among the problems already
        raise ValidationError(problems)
    object_problems, found = _check_object(store, catalogue, cur, pair, v, submit)
    recipient_problems, recipient = _check_recipient(store, cur, pair, v, found.objet, submit)
    problems += object_problems + recipient_problems
    if problems:
        raise ValidationError(problems)
    return CheckedForm(**{**v, **found._asdict()}, **recipient._asdict(), pair=pair, service_id=service_id)


def _check_object(store: Store, catalogue: Catalogue, cur, pair: Pair, v: dict,
                  submit: bool) -> tuple[list[str], _Object]:  # fmt: skip
    """The object (invoice, order...) the pair expects: its problems, and the object found."""
    type_code = catalogue.object_type_code(v["type_objet"])
    none = _Object(type_code if type_code is not None else v["type_objet"])
    if not pair.needs_object:
        return ([rules.OBJET_NON_ATTENDU] if none.type_objet or v["numero_objet"] else []), none
    problems = []
    if v["type_objet"] is None:
        problems += [rules.TYPE_OBJET_OBLIGATOIRE] if submit else []
    elif type_code != pair.type_objet:
        problems.append(rules.TYPE_OBJET_INCORRECT)
    if v["numero_objet"] is None:
        problems += [rules.NUMERO_OBLIGATOIRE] if submit else []
    else:
        problems += rules.text_problems("numero_objet", v["numero_objet"])
    if problems or v["numero_objet"] is None or type_code is None:
        return problems, none
    objet = store.objet(type_code, v["numero_objet"], cur)
    # Another supplier's invoice must look exactly like one that does not exist.
    if objet is None or objet["emetteur_id"] != v["structure"]:
        return [rules.NUMERO_INCONNU], none
    found = _Object(type_code, objet["id"], objet)
    if submit and objet["destinataire_id"] is None:
        return [rules.BROUILLON_SANS_DESTINATAIRE], found
    return [], found


def _check_recipient(store: Store, cur, pair: Pair, v: dict, objet: dict | None,
                     submit: bool) -> tuple[list[str], _Recipient]:  # fmt: skip
    """The recipient the emitter chose (for pairs that ask for one), or where the catalogue routes."""
    if not pair.needs_recipient:
        if v["destinataire"] or v["service_destinataire"]:
            return [rules.DESTINATAIRE_NON_ATTENDU], _NO_RECIPIENT
        return _routed(store, cur, pair, objet, submit)
    if v["destinataire"] is None:
        return ([rules.DESTINATAIRE_OBLIGATOIRE] if submit else []), _NO_RECIPIENT
    structure = store.structure(v["destinataire"], cur)
    if structure is None or not structure["publique"]:
        return [rules.DESTINATAIRE_INCONNU], _NO_RECIPIENT
    etat, problems = rules.parse_oui_non(v["destinataire_etat"], "La réponse « service de l'Etat »")
    if problems:
        return problems, _NO_RECIPIENT
    if etat is not None and etat != structure["service_etat"]:
        return [rules.DESTINATAIRE_ETAT], _NO_RECIPIENT
    if v["service_destinataire"] is None:
        return [], _Recipient(structure["id"])
    service = store.find_service(structure["id"], v["service_destinataire"], cur)
    if service is None:
        return [rules.SERVICE_DESTINATAIRE_INCONNU], _Recipient(structure["id"])
    return [], _Recipient(structure["id"], service["id"])


def _routed(store: Store, cur, pair: Pair, objet: dict | None, submit: bool) -> tuple[list[str], _Recipient]:
    """Where the catalogue sends the request, for pairs whose recipient is not chosen (on sending only)."""
    if not submit:
        return [], _NO_RECIPIENT
    if pair.routage == ROUTE_OBJECT:
        if objet is None:
            return [], _NO_RECIPIENT
        return [], _Recipient(objet["destinataire_id"], objet["service_destinataire_id"])
    bureau = store.bureau_structure(pair.routage, cur)
    if bureau is None:
        return [rules.ROUTAGE_IMPOSSIBLE], _NO_RECIPIENT
    return [], _Recipient(bureau["id"])


def known_fields(fields: dict) -> dict:
    """`fields` if all are fields of the form."""
    unknown = sorted(set(fields) - set(FORM_FIELDS))
    if unknown:
        raise ValidationError([f"Champ inconnu : {name}" for name in unknown])
    return fields


def pair_problems(catalogue: Catalogue, categorie, sous_categorie, contact_form: bool = False) -> list[str]:
    """The category and sub-category: given, and a pair of the catalogue (of the public form's pairs)."""
    if categorie is None:
        return [rules.CATEGORIE_OBLIGATOIRE] + ([] if sous_categorie else [rules.SOUS_CATEGORIE_OBLIGATOIRE])
    if categorie not in catalogue.categories(contact_form):
        return [rules.CATEGORIE_INCONNUE]
    if sous_categorie is None:
        return [rules.SOUS_CATEGORIE_OBLIGATOIRE]
    if sous_categorie not in catalogue.sous_categories(categorie, contact_form):
        return [rules.SOUS_CATEGORIE_INCONNUE]
    return []


def description_problems(description, required: bool) -> list[str]:
    if description is None:
        return [rules.DESCRIPTION_OBLIGATOIRE] if required else []
    return rules.text_problems("description", description)
