"""Lists, search and dashboards: criteria checked and resolved, results with the guide's headers.

The SQL is in store.py; this module decides what to ask and how the answer is shown.
"""
from __future__ import annotations

import math
import numbers
from datetime import date, datetime, timedelta

import pandas as pd

from . import rules
from .access import Space, User
from .catalogue import Catalogue
from .errors import PermissionDenied, ValidationError
from .status import (
    DASHBOARD_ORDER,
    EMITTER_TO_PROCESS,
    RECEIVER_TO_PROCESS,
    Status,
)
from .store import SORTS, Filters, Store

NON_RENSEIGNE = "Non renseigné"
MAX_PAGE_SIZE = 1000
CRITERIA = (
    "numero", "categorie", "sous_categorie", "numero_objet", "du", "au", "structure",
    "service_emetteur", "destinataire", "service_destinataire", "cree_par", "statut", "assigne_a",
    "mots",
)  # fmt: skip
AU_MOINS_UN_CRITERE = "Veuillez saisir ou sélectionner au moins un critère de recherche"

TO_PROCESS_COLUMNS = {
    "saisie_le": "Saisie le",
    "structure": "Structure",
    "service_destinataire": "Service",
    "categorie": "Catégorie",
    "sous_categorie": "Sous-catégorie",
    "numero": "Numéro de la sollicitation",
    "statut": "Statut sollicitation",
}
RECEIVED_COLUMNS = {
    "saisie_le": "Saisie le",
    "emetteur": "Emetteur",
    "service_destinataire": "Service",
    "categorie": "Catégorie",
    "sous_categorie": "Sous-catégorie",
    "numero": "Numéro de la sollicitation",
    "statut": "Statut sollicitation",
    "renvoyee": "Renvoyée",
    "assigne_a": "Assigné à",
}
SEARCH_COLUMNS = {
    "numero": "Référence",
    "categorie": "Catégorie",
    "sous_categorie": "Sous-catégorie",
    "numero_objet": "Numéro d'objet",
    "cree_par": "Créé par",
    "saisie_le": "Saisie le",
    "statut": "Statut sollicitation",
}


MAX_PAGE = 1_000_000


def check_page(page, page_size) -> tuple[int, int]:
    problems = []
    if not isinstance(page, int) or isinstance(page, bool) or not 1 <= page <= MAX_PAGE:
        problems.append("Le numéro de page doit être un entier positif")
    if not isinstance(page_size, int) or isinstance(page_size, bool) or not 1 <= page_size <= MAX_PAGE_SIZE:
        problems.append(f"Le nombre de lignes par page doit être compris entre 1 et {MAX_PAGE_SIZE}")
    if problems:
        raise ValidationError(problems)
    return page, page_size


MAX_BATCH_SIZE = 1_000_000


def check_batch_size(batch_size) -> None:
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or not 1 <= batch_size <= MAX_BATCH_SIZE:
        raise ValidationError(f"La taille des lots doit être un nombre entier de 1 à {MAX_BATCH_SIZE:,}".replace(",", "\u202f"))


def list_batches(store: Store, catalogue: Catalogue, user: User, space: Space, list_name: str, criteria: dict,
                 batch_size: int = 10_000):  # fmt: skip
    """The whole of a list ("search" or "to_process"), as frames of `batch_size` rows, streamed
    (`batch_size` checked by the caller, `UserDesk.list_batches`, before the first frame is asked for)."""
    if list_name == "to_process":
        structure = criteria.pop("structure", None)
        if criteria:
            raise ValidationError([f"Critère inconnu : {k}" for k in criteria])
        filters, sort = _to_process_filters(user, space, structure), _to_process_sort(space)
        columns = TO_PROCESS_COLUMNS if space == Space.EMISES else RECEIVED_COLUMNS
    elif list_name == "search":
        # Newest first, as the "Rechercher" screen shows its pages (SEARCH_SORT).
        filters, sort, columns = build_filters(store, catalogue, user, space, criteria), SEARCH_SORT, SEARCH_COLUMNS
    else:
        raise ValidationError(f"Liste inconnue : {list_name}")
    empty = True
    for number, (rows, total) in enumerate(store.iter_list(user.scope(space), filters, sort, batch_size), start=1):
        empty = False
        yield _present(rows, columns, total, number, batch_size)
    if empty:  # an empty list still has its header
        rows, total = store.list_page(user.scope(space), filters, 1, 1, sort)
        yield _present(rows, columns, total, 1, batch_size)


def _to_process_filters(user: User, space: Space, structure) -> Filters:
    filters = Filters()
    if structure:
        _check_structure_in_space(user, space, structure)
        if space == Space.EMISES:
            filters.structure = structure
        else:
            filters.destinataire = structure
    statuses = EMITTER_TO_PROCESS if space == Space.EMISES else RECEIVER_TO_PROCESS
    filters.statuts = [s.value for s in statuses]
    return filters


# Every list of the app reads newest first (by entry date, then number); the receivers' list puts
# re-sent requests on top of that. One order everywhere, said above each table.
SEARCH_SORT = "saisie"


def _to_process_sort(space: Space) -> str:
    """Newest first (entry date); on the receivers' side, re-sent requests on top."""
    return "saisie" if space == Space.EMISES else "a_traiter"


def to_process(store: Store, user: User, space: Space, structure, page, page_size) -> pd.DataFrame:
    page, page_size = check_page(page, page_size)
    filters = _to_process_filters(user, space, structure)
    rows, total = store.list_page(user.scope(space), filters, page, page_size, sort=_to_process_sort(space))
    columns = TO_PROCESS_COLUMNS if space == Space.EMISES else RECEIVED_COLUMNS
    return _present(rows, columns, total, page, page_size)


def search(store: Store, catalogue: Catalogue, user: User, space: Space, criteria: dict,
           page, page_size, sort: str) -> pd.DataFrame:  # fmt: skip
    page, page_size = check_page(page, page_size)
    if not isinstance(sort, str) or sort not in SORTS:
        raise ValidationError(f"Tri inconnu : {sort}")
    filters = build_filters(store, catalogue, user, space, criteria)
    rows, total = store.list_page(user.scope(space), filters, page, page_size, sort=sort)
    return _present(rows, SEARCH_COLUMNS, total, page, page_size)


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
            _check_structure_in_space(user, space, c["structure"])
        f.structure = c["structure"]
    if c.get("destinataire") == NON_RENSEIGNE:  # drafts not routed yet
        f.sans_destinataire = True
    elif c.get("destinataire") is not None:
        if space == Space.RECUES:
            _check_structure_in_space(user, space, c["destinataire"])
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
            problems.append(f"Le service indiqué n'appartient pas à la structure {'émettrice' if owner_key == 'structure' else 'destinataire'} sélectionnée")
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


def dashboard(store: Store, user: User, space: Space, structure: str | None,
              filters: Filters | None = None) -> pd.DataFrame:  # fmt: skip
    """The "Tableau de bord": one row per structure (or per service of `structure`), one column per status."""
    side = "emetteur" if space == Space.EMISES else "destinataire"
    filters = filters or Filters()
    if structure is None:
        counts = store.status_counts(user.scope(space), filters, side, by_service=False)
        if space == Space.TOUTES:
            keys = counts["cle"].dropna().tolist()
            if counts["cle"].isna().any():  # drafts have no recipient yet: a row of their own
                keys.append(NON_RENSEIGNE)
            labels = pd.Series(counts["libelle"].to_numpy(object), index=_dashboard_keys(counts))
        else:
            keys = list(user.emitter_structures if space == Space.EMISES else user.receiver_structures)
            labels = pd.Series({k: f"{k} - {name}" for k, name in store.designations(keys).items()}, dtype=object)
        header = "Emetteur" if side == "emetteur" else "Destinataire"
    else:
        _check_structure_in_space(user, space, structure)
        if side == "emetteur":
            filters.structure = structure
        else:
            filters.destinataire = structure
        counts = store.status_counts(user.scope(space), filters, side, by_service=True)
        services = store.services(structure)
        keys = [NON_RENSEIGNE] + [s["id"] for s in services]
        labels = pd.Series({s["id"]: s["libelle"] for s in services}, dtype=object)
        header = "Service émetteur" if side == "emetteur" else "Service destinataire"
    labels[NON_RENSEIGNE] = NON_RENSEIGNE
    counts.index = _dashboard_keys(counts)
    table = counts[[s.value for s in DASHBOARD_ORDER]].reindex(index=keys, fill_value=0).fillna(0).astype(int)
    table.index.name = "cle"
    table.columns = [s.short_label for s in DASHBOARD_ORDER]
    shown = labels.reindex(table.index)
    table.insert(0, header, shown.where(shown.notna(), table.index.astype(str)).to_numpy(object))
    return table


def _dashboard_keys(counts: pd.DataFrame) -> pd.Index:
    """The structures or services counted, with "Non renseigné" where there is none."""
    return pd.Index(counts["cle"].astype(object).where(counts["cle"].notna(), NON_RENSEIGNE).to_numpy(object))


DELAY_LABELS = {"destinataire": "Destinataire", "categorie": "Catégorie"}
BACKLOG_STATUSES = (Status.ENVOYEE, Status.EN_COURS, Status.INFORMATIONS_REQUISES, Status.REPONDUE)
MAX_BACKLOG_POINTS = 156


def weekly_flow(store: Store, user: User, space: Space, filters: Filters) -> pd.DataFrame:
    """Requests received and closed per week (week starting on Monday)."""
    flow = store.weekly_flow(user.scope(space), filters)
    return pd.DataFrame(
        {"Entrées": flow["entrees"].astype(int).to_numpy(), "Fermetures": flow["fermetures"].astype(int).to_numpy()},
        index=pd.Index(flow["semaine"], name="Semaine"),
    )


def backlog(store: Store, user: User, space: Space, filters: Filters, until: datetime) -> pd.DataFrame:
    """Open requests per status at the end of each week, from the first entry to `until`."""
    start, _ = store.entry_range(user.scope(space), filters)
    columns = [s.short_label for s in BACKLOG_STATUSES]
    if start is None:
        return pd.DataFrame(columns=columns, index=pd.Index([], name="Semaine"))
    first = (start - timedelta(days=start.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
    moments = list(pd.date_range(first + timedelta(days=7), until + timedelta(days=7), freq="7D").to_pydatetime())
    moments = moments[-MAX_BACKLOG_POINTS:]
    counts = store.backlog(user.scope(space), filters, moments)
    counts = counts[counts["statut"].isin([s.value for s in BACKLOG_STATUSES])]
    counts["statut"] = _status_labels(counts["statut"])
    table = counts.pivot_table(index="moment", columns="statut", values="n", aggfunc="sum", fill_value=0)
    table = table.reindex(index=pd.Index(moments), columns=columns, fill_value=0).fillna(0).astype(int)
    table.index.name = "Semaine"
    table.columns.name = "Statut"
    return table


def delays(store: Store, user: User, space: Space, filters: Filters, by: str) -> pd.DataFrame:
    """Days from sending to first response and to closing, median and 90th percentile."""
    _check_by(by)
    rows = store.delays(user.scope(space), filters, by)
    return _grouped(store, rows, by, {
        "Envoyées": rows["envoyees"].astype(int),
        "Répondues": rows["repondues"].astype(int),
        "Fermées": rows["fermees"].astype(int),
        "Première réponse, médiane (jours)": (rows["reponse_mediane"] / 24).round(1),
        "Première réponse, 90e centile (jours)": (rows["reponse_p90"] / 24).round(1),
        "Clôture, médiane (jours)": (rows["fermeture_mediane"] / 24).round(1),
        "Clôture, 90e centile (jours)": (rows["fermeture_p90"] / 24).round(1),
    })  # fmt: skip


def processing_times(store: Store, user: User, space: Space, filters: Filters) -> pd.DataFrame:
    """One row per sent request: days to first response and to closing (NaN while not reached)."""
    rows = store.processing_times(user.scope(space), filters)
    return pd.DataFrame({
        "Référence": rows["numero"], "Statut sollicitation": _status_labels(rows["statut"]),
        "Catégorie": rows["categorie"], "Destinataire": rows["destinataire_id"],
        "Envoyée le": rows["envoi"], "Première réponse, jours": rows["h_reponse"] / 24,
        "Clôture, jours": rows["h_fermeture"] / 24,
    })  # fmt: skip


def reopen_rates(store: Store, user: User, space: Space, filters: Filters, by: str) -> pd.DataFrame:
    _check_by(by)
    rows = store.reopen_rates(user.scope(space), filters, by)
    return _grouped(store, rows, by, {
        "Répondues": rows["repondues"].astype(int),
        "Rouvertes": rows["rouvertes"].astype(int),
        "Taux de réouverture (%)": (100 * rows["rouvertes"] / rows["repondues"]).round(1),
    })  # fmt: skip


def _grouped(store: Store, rows: pd.DataFrame, by: str, columns: dict) -> pd.DataFrame:
    """A figure per recipient or category: its label first, the key as index (for drill-downs)."""
    frame = pd.DataFrame({DELAY_LABELS[by]: _keys_as_labels(store, rows["cle"], by), **columns})
    frame.index = pd.Index(rows["cle"].tolist(), name="cle")
    return frame


def oldest_open(store: Store, user: User, space: Space, filters: Filters, limit: int, now: datetime) -> pd.DataFrame:
    if not isinstance(limit, int) or not 1 <= limit <= MAX_PAGE_SIZE:
        raise ValidationError(f"Le nombre de lignes doit être compris entre 1 et {MAX_PAGE_SIZE}")
    rows = store.oldest_open(user.scope(space), filters, limit)
    frame = _present(rows, {"numero": "Référence", "saisie_le": "Saisie le", "structure": "Destinataire",
                            "categorie": "Catégorie", "statut": "Statut sollicitation"},
                     len(rows), 1, limit)  # fmt: skip
    frame["Ancienneté (jours)"] = [(now - d).days for d in rows["saisie_le"]]
    return frame


def _check_by(by: str) -> None:
    if not isinstance(by, str) or by not in DELAY_LABELS:
        raise ValidationError(f"Regroupement inconnu : {by} (destinataire ou categorie)")


def _keys_as_labels(store: Store, keys: pd.Series, by: str) -> list[str]:
    if by != "destinataire":
        return keys.fillna("").tolist()
    keys = keys.tolist()  # iterating an Arrow-backed Series value by value cost 35 ms for 10k keys
    names = store.designations([k for k in keys if isinstance(k, str)])
    return [f"{k} - {names.get(k, '')}" if isinstance(k, str) else "" for k in keys]


def monthly(store: Store, user: User, space: Space, by: str, structure: str | None,
            filters: Filters | None = None) -> pd.DataFrame:  # fmt: skip
    """Requests entered per month and per status or category, for `structure` (the emitter's in "emises",
    the recipient's elsewhere) and the optional `filters` of the other figures, all applied in SQL."""
    if by not in ("statut", "categorie"):
        raise ValidationError(f"Répartition inconnue : {by}")
    filters = filters or Filters()
    if structure:
        _check_structure_in_space(user, space, structure)
        column = "structure" if space == Space.EMISES else "destinataire"
        if getattr(filters, column) not in (None, structure) or getattr(filters, f"sans_{column}"):
            # Both would have to hold: no request can, and a silent choice of one would mislead.
            raise ValidationError(f"La structure {structure} contredit le critère « {column} » des filtres")
        setattr(filters, column, structure)
    counts = store.monthly_counts(user.scope(space), filters, by)
    if by == "statut":
        counts["cle"] = _status_labels(counts["cle"])
    table = counts.pivot_table(index="mois", columns="cle", values="n", aggfunc="sum", fill_value=0)
    if by == "statut":
        table = table.reindex(columns=[s.short_label for s in DASHBOARD_ORDER if s.short_label in table.columns])
    table.index.name = "Mois"
    table.columns.name = "Statut" if by == "statut" else "Catégorie"
    return table.astype(int)


def detail(store: Store, catalogue: Catalogue, row: dict, actions) -> dict:
    """The detail screen's blocks, as plain values."""
    emetteur = store.structure(row["emetteur_id"]) if row["emetteur_id"] else None
    destinataire = store.structure(row["destinataire_id"]) if row["destinataire_id"] else None
    service_emetteur = store.service(row["service_emetteur_id"])
    service_destinataire = store.service(row["service_destinataire_id"])
    names = _user_names(store, [row["cree_par"], row["assigne_a"]])
    status = Status(row["statut"])
    history = pd.DataFrame(store.history(row["numero"]))
    return {
        "numero": row["numero"],
        "statut": status,
        "statut_libelle": status.label,
        "saisie_le": row["saisie_le"],
        "envoyee_le": row["envoyee_le"],
        "cloturee_le": row["cloturee_le"],
        "categorie": row["categorie"],
        "sous_categorie": row["sous_categorie"],
        "type_objet": catalogue.object_types.get(row["type_objet"]) if row["type_objet"] else None,
        "numero_objet": row["numero_objet"],
        "structure": emetteur,
        "structure_libelle": f"{emetteur['id']} - {emetteur['designation']}" if emetteur else None,
        "service": service_emetteur["libelle"] if service_emetteur else None,
        "email": row["email"],
        "telephone": row["telephone"],
        "cree_par": names.get(row["cree_par"]),
        "destinataire": destinataire,
        "service_destinataire": service_destinataire["libelle"] if service_destinataire else None,
        "assigne_a": names.get(row["assigne_a"]),
        "description": row["description"],
        "contact": row["contact"],
        "renvoyee": row["renvoyee"],
        "resolue": row["resolue"],
        "commentaires": [
            {"date": c["date"], "auteur": _name(c), "cote": c["cote"], "texte": c["texte"]}
            for c in store.comments(row["numero"])
        ],
        "historique": history_frame(history),
        "pieces_jointes": attachments_frame(store.attachments(row["numero"])),
        "actions": list(actions),
    }


def history_frame(history: pd.DataFrame) -> pd.DataFrame:
    columns = ["Date", "Utilisateur", "Ancien statut", "Nouveau statut", "Commentaire", "Action"]
    if history.empty:
        return pd.DataFrame(columns=columns)
    return pd.DataFrame({
        "Date": history["date"],
        "Utilisateur": [_name(r) for r in history.to_dict("records")],
        "Ancien statut": _status_labels(history["ancien_statut"]),
        "Nouveau statut": _status_labels(history["nouveau_statut"]),
        "Commentaire": history["commentaire"],
        "Action": history["action"],
    })  # fmt: skip


def attachments_frame(rows: list[dict]) -> pd.DataFrame:
    columns = {"id": "id", "type": "Type", "designation": "Désignation", "extension": "Extension",
               "nom_fichier": "Nom du fichier", "taille": "Taille", "ajoutee_le": "Ajoutée le",
               "ajoutee_par": "Ajoutée par", "cote": "Côté"}  # fmt: skip
    frame = pd.DataFrame(rows, columns=list(columns))
    return frame.rename(columns=columns)


def structures_frame(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["id", "designation", "publique", "service_etat"])
    return frame.rename(columns={"id": "Identifiant", "designation": "Désignation",
                                 "publique": "Publique", "service_etat": "Service de l'Etat"})  # fmt: skip


def services_frame(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["id", "code", "libelle"])
    return frame.rename(columns={"code": "Code", "libelle": "Service"})


def _present(rows: pd.DataFrame, columns: dict, total: int, page: int, page_size: int) -> pd.DataFrame:
    """The list's columns under their French headers; only the columns asked for are derived (a frame
    built once: pandas' per-operation cost, not the rows, is what a page of 50 pays)."""
    frame = pd.DataFrame({header: _DERIVED[column](rows) if column in _DERIVED else rows[column]
                          for column, header in columns.items()}, index=rows.index)  # fmt: skip
    frame.attrs.update(total=int(total), page=page, page_size=page_size,
                       pages=max(1, math.ceil(total / page_size)))  # fmt: skip
    return frame


def _or_blank(values: pd.Series) -> pd.Series:
    return values.astype(object).where(values.notna(), "")


_DERIVED = {
    "statut": lambda r: _status_labels(r["statut"]),
    "structure": lambda r: _join_label(r["destinataire_id"], r["destinataire_designation"]),
    "emetteur": lambda r: _join_label(r["emetteur_id"], r["emetteur_designation"]),
    "cree_par": lambda r: [
        f"{n} {p}" if isinstance(n, str) else ("Nous contacter" if contact else "")
        for n, p, contact in zip(r["cree_par_nom"], r["cree_par_prenom"], r["contact"])
    ],
    "assigne_a": lambda r: [f"{n} {p}" if isinstance(n, str) else "" for n, p in zip(r["assigne_nom"], r["assigne_prenom"])],
    "service_destinataire": lambda r: _or_blank(r["service_destinataire"]),
    "service_emetteur": lambda r: _or_blank(r["service_emetteur"]),
    "numero_objet": lambda r: _or_blank(r["numero_objet"]),
}


def _join_label(ids: pd.Series, names: pd.Series) -> list[str]:
    return [f"{i} - {n}" if isinstance(i, str) else "" for i, n in zip(ids, names)]


_STATUS_LABELS = {s.value: s.short_label for s in Status}


def _status_labels(codes: pd.Series) -> pd.Series:
    """Stored status codes -> the guide's short labels ("" where none), one dictionary lookup each."""
    return codes.map(_STATUS_LABELS).fillna("")


def _name(row: dict) -> str:
    if isinstance(row.get("nom"), str):
        return f"{row['nom']} {row['prenom']}"
    login = row.get("login")
    return login if isinstance(login, str) else "Nous contacter"


def _user_names(store: Store, logins) -> dict:
    names = {}
    for login in logins:
        if login and login not in names:
            user = store.user(login)
            names[login] = f"{user['nom']} {user['prenom']}" if user else login
    return names


def _service_of(store: Store, structure_id: str, value) -> dict | None:
    """A service of `structure_id` given by id (the dashboard's keys), code or label."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        service = store.service(int(value))
        return service if service and service["structure_id"] == structure_id else None
    return store.find_service(structure_id, str(value))


def _check_structure_in_space(user: User, space: Space, structure: str) -> None:
    if rules.not_text("structure", structure):
        raise ValidationError(rules.not_text("structure", structure))
    if space == Space.TOUTES:
        return
    allowed = user.emitter_structures if space == Space.EMISES else user.receiver_structures
    if structure not in allowed:
        raise PermissionDenied(f"Vous n'êtes pas habilité sur la structure {structure}")


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


OUTBOX_STATUS = {"pending": "En attente", "sending": "En cours d'envoi", "sent": "Envoyé", "failed": "Échec"}


def outbox_frame(rows: pd.DataFrame, total: int, page: int, page_size: int) -> pd.DataFrame:
    frame = pd.DataFrame({
        "Date": rows["created_at"], "Sollicitation": rows["numero"], "Destinataire": rows["to_addr"],
        "Objet": rows["subject"], "Statut": rows["status"].map(OUTBOX_STATUS), "Tentatives": rows["attempts"],
        "Envoyé le": rows["sent_at"], "Dernière erreur": rows["last_error"], "Texte": rows["text_body"],
    })  # fmt: skip
    frame.attrs.update(total=int(total), page=page, page_size=page_size, pages=max(1, math.ceil(total / page_size)))
    return frame
