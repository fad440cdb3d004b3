"""The detail of one request, as the detail screen shows it: its fields with their labels, the
exchange, the history and the attachments under the guide's headers, and the actions open now."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from . import lifecycle
from .catalogue import Catalogue
from .lists import status_labels
from .rights import readable
from .status import Status
from .store import Store

if TYPE_CHECKING:
    from .desk import UserDesk


def get(me: UserDesk, numero) -> dict:
    """Everything the detail screen shows, history and attachments included."""
    row = readable(me, numero)
    return detail(me.store, me.desk.catalogue, row, lifecycle.actions(me, numero, row))


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
        "Ancien statut": status_labels(history["ancien_statut"]),
        "Nouveau statut": status_labels(history["nouveau_statut"]),
        "Commentaire": history["commentaire"],
        "Action": history["action"],
    })  # fmt: skip


def attachments_frame(rows: list[dict]) -> pd.DataFrame:
    columns = {"id": "id", "type": "Type", "designation": "Désignation", "extension": "Extension",
               "nom_fichier": "Nom du fichier", "taille": "Taille", "ajoutee_le": "Ajoutée le",
               "ajoutee_par": "Ajoutée par", "cote": "Côté"}  # fmt: skip
    frame = pd.DataFrame(rows, columns=list(columns))
    return frame.rename(columns=columns)


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
