"""Search criteria: checked together (every problem reported at once) and resolved to the store's
Filters (services by id, code or label; words as the full-text index cuts them; statuses by code
or label); the same criteria, all optional, filter the dashboards and figures."""

from __future__ import annotations

import numbers
from datetime import date, datetime

import pandas as pd

from . import rules
from .access import Space, User
from .catalogue import Catalogue
from .errors import PermissionDenied, ValidationError
from .scopes import Filters
from .status import Status
from .store import Store

NON_RENSEIGNE = "Non renseigné"
CRITERIA = (
    "numero", "categorie", "sous_categorie", "numero_objet", "du", "au", "structure",
    "service_emetteur", "destinataire", "service_destinataire", "cree_par", "statut", "assigne_a",
    "mots",
)  # fmt: skip
AU_MOINS_UN_CRITERE = "Veuillez saisir ou sélectionner au moins un critère de recherche"


def build_filters(store: Store, catalogue: Catalogue, user: User, space: Space, criteria: dict) -> Filters:
    """Check the search criteria together; every problem is reported at once."""
    unknown = sorted(set(criteria) - set(CRITERIA))
    if unknown:
        raise ValidationError([f"Critère de recherche inconnu : {name}" for name in unknown])
    c = {k: _blank_to_none(v) for k, v in criteria.items()}
    if all(v is None for v in c.values()):
        raise ValidationError(AU_MOINS_UN_CRITERE)
    wrong = [p for k in ("categorie", "sous_categorie", "numero_objet", "structure", "destinataire", "cree_par",
                         "assigne_a", "mots") for p in rules.not_text(k, c.get(k))]  # fmt: skip
    if wrong:
        raise ValidationError(wrong)
    f, problems = Filters(), []

    if c.get("numero") is not None:
        f.numero = rules.parse_numero(c["numero"])
        if f.numero is None:
            problems.append("Le numéro de la sollicitation doit être un nombre entier")
    if c.get("categorie") is not None:
        if c["categorie"] not in catalogue.categories():
            problems.append(rules.CATEGORIE_INCONNUE)
        f.categorie = c["categorie"]
    if c.get("sous_categorie") is not None:
        if c.get("categorie") is not None:
            known = set(catalogue.sous_categories(c["categorie"]))
        else:
            known = {p.sous_categorie for p in catalogue.pairs}
        if c["sous_categorie"] not in known:
            problems.append(rules.SOUS_CATEGORIE_INCONNUE)
        f.sous_categorie = c["sous_categorie"]
    if c.get("numero_objet") is not None:
        problems += rules.text_problems("numero_objet", c["numero_objet"])
        f.numero_objet = c["numero_objet"]
    f.du, problem_du = _parse_date(c.get("du"), "du")
    f.au, problem_au = _parse_date(c.get("au"), "au")
    problems += [p for p in (problem_du, problem_au) if p]
    if f.du and f.au and f.du > f.au:
        problems.append("La date de début de la période de saisie doit précéder la date de fin")
    if c.get("structure") == NON_RENSEIGNE:  # "Nous contacter" requests have no emitter
        f.sans_structure = True
    elif c.get("structure") is not None:
        if space == Space.EMISES:
            check_structure_in_space(user, space, c["structure"])
        f.structure = c["structure"]
    if c.get("destinataire") == NON_RENSEIGNE:  # drafts not routed yet
        f.sans_destinataire = True
    elif c.get("destinataire") is not None:
        if space == Space.RECUES:
            check_structure_in_space(user, space, c["destinataire"])
        f.destinataire = c["destinataire"]
    for key, owner_key in (("service_emetteur", "structure"), ("service_destinataire", "destinataire")):
        value = c.get(key)
        if value is None:
            continue
        if value == NON_RENSEIGNE:
            setattr(f, f"sans_{key}", True)
            continue
        owner = c.get(owner_key)
        service = _service_of(store, owner, value) if owner else None
        if service is None:
            problems.append(
                f"Le service indiqué n'appartient pas à la structure {'émettrice' if owner_key == 'structure' else 'destinataire'} sélectionnée"
            )
        else:
            setattr(f, key, service["id"])
    if c.get("assigne_a") is not None:
        f.assigne_a = str(c["assigne_a"])
    if c.get("cree_par") is not None:
        problems += rules.text_problems("cree_par", c["cree_par"])
        f.cree_par = c["cree_par"]
    if c.get("mots") is not None:
        text_problems = rules.text_problems("mots", c["mots"])
        problems += text_problems
        if not text_problems:
            f.mots = store.words_of(c["mots"])
            if not f.mots:
                problems.append(rules.MOTS_VIDES)
            elif len(f.mots) > rules.MOTS_MAX:
                problems.append(rules.MOTS_TROP_NOMBREUX)
    if c.get("statut") is not None:
        values = c["statut"] if isinstance(c["statut"], (list, tuple, set)) else [c["statut"]]
        for value in values:
            try:
                f.statuts.append(Status.parse(value).value)
            except ValueError:
                problems.append(f"Statut inconnu : {value}")
    if problems:
        raise ValidationError(problems)
    return f


def figure_filters(store: Store, catalogue: Catalogue, user: User, space: Space, criteria: dict) -> Filters:
    """Optional filters of dashboards and figures (period, category, recipient...): none is fine."""
    if all(_blank_to_none(v) is None for v in criteria.values()):
        unknown = sorted(set(criteria) - set(CRITERIA))
        if unknown:
            raise ValidationError([f"Critère de recherche inconnu : {name}" for name in unknown])
        return Filters()
    return build_filters(store, catalogue, user, space, criteria)


def check_structure_in_space(user: User, space: Space, structure: str) -> None:
    """`structure` one of the user's in `space` (any structure for managers' "toutes")."""
    if rules.not_text("structure", structure):
        raise ValidationError(rules.not_text("structure", structure))
    if space == Space.TOUTES:
        return
    allowed = user.emitter_structures if space == Space.EMISES else user.receiver_structures
    if structure not in allowed:
        raise PermissionDenied(f"Vous n'êtes pas habilité sur la structure {structure}")


def _service_of(store: Store, structure_id: str, value) -> dict | None:
    """A service of `structure_id` given by id (the dashboard's keys), code or label."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        service = store.service(int(value))
        return service if service and service["structure_id"] == structure_id else None
    return store.find_service(structure_id, str(value))


def _blank_to_none(value):
    """A criterion left empty: blank text, an empty choice, or pandas' missing values (NaT, NA, NaN)."""
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, (list, tuple, set)):
        value = type(value)(v for v in value if not _missing(v))
        return value or None
    return None if _missing(value) else value


def _missing(value) -> bool:
    return value is None or (pd.api.types.is_scalar(value) and bool(pd.isna(value)))


def _parse_date(value, which: str) -> tuple[date | None, str | None]:
    label = "de début" if which == "du" else "de fin"
    if value is None:
        return None, None
    parsed = None
    if isinstance(value, datetime):
        parsed = value.date()
    elif isinstance(value, date):
        parsed = value
    elif isinstance(value, str):
        for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
            try:
                parsed = datetime.strptime(value, fmt).date()
                break
            except ValueError:
                continue
    if parsed is not None and parsed < date.max:  # the end of a period is the next day's midnight
        return parsed, None
    return None, f"La date {label} de la période de saisie n'est pas une date valide (jj/mm/aaaa)"
