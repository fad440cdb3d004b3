"""The dashboards' and managers' figures: counts per structure or service and status, weekly flow and
backlog, delays, processing times, reopen rates, the oldest open requests, monthly entries.

Every figure is computed in SQL by the store, for the user's space and the optional criteria of a
search (criteria.figure_filters); this module shapes the answer under the guide's headers, the same
for the app and the notebooks.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import pandas as pd

from .access import Space
from .criteria import NON_RENSEIGNE, check_structure_in_space, figure_filters
from .errors import ValidationError
from .lists import MAX_PAGE_SIZE, present, status_labels
from .rights import space_of
from .scopes import Filters
from .status import DASHBOARD_ORDER, Status
from .store import Store

if TYPE_CHECKING:
    from .desk import UserDesk

DELAY_LABELS = {"destinataire": "Destinataire", "categorie": "Catégorie"}
BACKLOG_STATUSES = (Status.ENVOYEE, Status.EN_COURS, Status.INFORMATIONS_REQUISES, Status.REPONDUE)
MAX_BACKLOG_POINTS = 156


def _scoped(me: UserDesk, space, criteria: dict) -> tuple[Space, Filters]:
    """The space `me` may consult, and the figure's optional criteria checked for it."""
    space = space_of(me, space)
    return space, figure_filters(me.store, me.desk.catalogue, me.user, space, criteria)


def dashboard(me: UserDesk, structure: str | None, space, criteria: dict) -> pd.DataFrame:
    """The "Tableau de bord": one row per structure (or per service of `structure`), one column per status.

    The index holds what to pass back as `structure=` or `service_emetteur=` to drill down."""
    space, filters = _scoped(me, space, criteria)
    store, user = me.store, me.user
    side = "emetteur" if space == Space.EMISES else "destinataire"
    if structure is None:
        counts = store.status_counts(user.scope(space), filters, side, by_service=False)
        counts.index = _dashboard_keys(counts)
        if space == Space.TOUTES:
            keys = counts["cle"].dropna().tolist()
            if counts["cle"].isna().any():  # drafts have no recipient yet: a row of their own
                keys.append(NON_RENSEIGNE)
            labels = pd.Series(counts["libelle"].to_numpy(object), index=counts.index)
        else:
            keys = list(user.emitter_structures if space == Space.EMISES else user.receiver_structures)
            labels = pd.Series({k: f"{k} - {name}" for k, name in store.designations(keys).items()}, dtype=object)
        header = "Emetteur" if side == "emetteur" else "Destinataire"
    else:
        check_structure_in_space(user, space, structure)
        if side == "emetteur":
            filters.structure = structure
        else:
            filters.destinataire = structure
        counts = store.status_counts(user.scope(space), filters, side, by_service=True)
        counts.index = _dashboard_keys(counts)
        services = store.services(structure)
        keys = [NON_RENSEIGNE] + [s["id"] for s in services]
        labels = pd.Series({s["id"]: s["libelle"] for s in services}, dtype=object)
        header = "Service émetteur" if side == "emetteur" else "Service destinataire"
    labels[NON_RENSEIGNE] = NON_RENSEIGNE
    table = counts[[s.value for s in DASHBOARD_ORDER]].reindex(index=keys, fill_value=0).fillna(0).astype(int)
    table.index.name = "cle"
    table.columns = [s.short_label for s in DASHBOARD_ORDER]
    shown = labels.reindex(table.index)
    table.insert(0, header, shown.where(shown.notna(), table.index.astype(str)).to_numpy(object))
    return table


def _dashboard_keys(counts: pd.DataFrame) -> pd.Index:
    """The structures or services counted, with "Non renseigné" where there is none."""
    return pd.Index(counts["cle"].astype(object).where(counts["cle"].notna(), NON_RENSEIGNE).to_numpy(object))


def weekly_flow(me: UserDesk, space, criteria: dict) -> pd.DataFrame:
    """Requests received ("Entrées") and closed ("Fermetures") per week (week starting on Monday)."""
    space, filters = _scoped(me, space, criteria)
    flow = me.store.weekly_flow(me.user.scope(space), filters)
    return pd.DataFrame(
        {"Entrées": flow["entrees"].astype(int).to_numpy(), "Fermetures": flow["fermetures"].astype(int).to_numpy()},
        index=pd.Index(flow["semaine"], name="Semaine"),
    )


def backlog(me: UserDesk, space, criteria: dict) -> pd.DataFrame:
    """Open requests per status at the end of each week, from the first entry to now."""
    space, filters = _scoped(me, space, criteria)
    until = me.desk.clock()
    store, scope = me.store, me.user.scope(space)
    start, _ = store.entry_range(scope, filters)
    columns = [s.short_label for s in BACKLOG_STATUSES]
    if start is None:
        return pd.DataFrame(columns=columns, index=pd.Index([], name="Semaine"))
    first = (start - timedelta(days=start.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
    moments = list(pd.date_range(first + timedelta(days=7), until + timedelta(days=7), freq="7D").to_pydatetime())
    moments = moments[-MAX_BACKLOG_POINTS:]
    counts = store.backlog(scope, filters, moments)
    counts = counts[counts["statut"].isin([s.value for s in BACKLOG_STATUSES])]
    counts["statut"] = status_labels(counts["statut"])
    table = counts.pivot_table(index="moment", columns="statut", values="n", aggfunc="sum", fill_value=0)
    table = table.reindex(index=pd.Index(moments), columns=columns, fill_value=0).fillna(0).astype(int)
    table.index.name = "Semaine"
    table.columns.name = "Statut"
    return table


def delays(me: UserDesk, by: str, space, criteria: dict) -> pd.DataFrame:
    """Days from sending to first response and to closing (median, 90th percentile) per recipient or category."""
    space, filters = _scoped(me, space, criteria)
    _check_by(by)
    rows = me.store.delays(me.user.scope(space), filters, by)
    return _grouped(me.store, rows, by, {
        "Envoyées": rows["envoyees"].astype(int),
        "Répondues": rows["repondues"].astype(int),
        "Fermées": rows["fermees"].astype(int),
        "Première réponse, médiane (jours)": (rows["reponse_mediane"] / 24).round(1),
        "Première réponse, 90e centile (jours)": (rows["reponse_p90"] / 24).round(1),
        "Clôture, médiane (jours)": (rows["fermeture_mediane"] / 24).round(1),
        "Clôture, 90e centile (jours)": (rows["fermeture_p90"] / 24).round(1),
    })  # fmt: skip


def processing_times(me: UserDesk, space, criteria: dict) -> pd.DataFrame:
    """One row per sent request: days to first response and to closing (NaN while not reached), the
    distributions behind `delays`."""
    space, filters = _scoped(me, space, criteria)
    rows = me.store.processing_times(me.user.scope(space), filters)
    return pd.DataFrame({
        "Référence": rows["numero"], "Statut sollicitation": status_labels(rows["statut"]),
        "Catégorie": rows["categorie"], "Destinataire": rows["destinataire_id"],
        "Envoyée le": rows["envoi"], "Première réponse, jours": rows["h_reponse"] / 24,
        "Clôture, jours": rows["h_fermeture"] / 24,
    })  # fmt: skip


def reopen_rates(me: UserDesk, by: str, space, criteria: dict) -> pd.DataFrame:
    space, filters = _scoped(me, space, criteria)
    _check_by(by)
    rows = me.store.reopen_rates(me.user.scope(space), filters, by)
    return _grouped(me.store, rows, by, {
        "Répondues": rows["repondues"].astype(int),
        "Rouvertes": rows["rouvertes"].astype(int),
        "Taux de réouverture (%)": (100 * rows["rouvertes"] / rows["repondues"]).round(1),
    })  # fmt: skip


def _grouped(store: Store, rows: pd.DataFrame, by: str, columns: dict) -> pd.DataFrame:
    """A figure per recipient or category: its label first, the key as index (for drill-downs)."""
    frame = pd.DataFrame({DELAY_LABELS[by]: _keys_as_labels(store, rows["cle"], by), **columns})
    frame.index = pd.Index(rows["cle"].tolist(), name="cle")
    return frame


def oldest_open(me: UserDesk, limit: int, space, criteria: dict) -> pd.DataFrame:
    space, filters = _scoped(me, space, criteria)
    now: datetime = me.desk.clock()
    if not isinstance(limit, int) or not 1 <= limit <= MAX_PAGE_SIZE:
        raise ValidationError(f"Le nombre de lignes doit être compris entre 1 et {MAX_PAGE_SIZE}")
    rows = me.store.oldest_open(me.user.scope(space), filters, limit)
    frame = present(rows, {"numero": "Référence", "saisie_le": "Saisie le", "structure": "Destinataire",
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


def monthly(me: UserDesk, by: str, structure: str | None, space, criteria: dict) -> pd.DataFrame:
    """Requests entered per month (rows) and per status or category (columns), for `structure` (the
    emitter's in "emises", the recipient's elsewhere) and the optional criteria of the other figures,
    all applied in SQL."""
    space, filters = _scoped(me, space, criteria)
    if by not in ("statut", "categorie"):
        raise ValidationError(f"Répartition inconnue : {by}")
    if structure:
        check_structure_in_space(me.user, space, structure)
        column = "structure" if space == Space.EMISES else "destinataire"
        if getattr(filters, column) not in (None, structure) or getattr(filters, f"sans_{column}"):
            # Both would have to hold: no request can, and a silent choice of one would mislead.
            raise ValidationError(f"La structure {structure} contredit le critère « {column} » des filtres")
        setattr(filters, column, structure)
    counts = me.store.monthly_counts(me.user.scope(space), filters, by)
    if by == "statut":
        counts["cle"] = status_labels(counts["cle"])
    table = counts.pivot_table(index="mois", columns="cle", values="n", aggfunc="sum", fill_value=0)
    if by == "statut":
        table = table.reindex(columns=[s.short_label for s in DASHBOARD_ORDER if s.short_label in table.columns])
    table.index.name = "Mois"
    table.columns.name = "Statut" if by == "statut" else "Catégorie"
    return table.astype(int)
