"""The attachments of a request: add, delete (through the lifecycle engine, which the table allows
at some statuses only), list and download them; and the detail's PDF and ZIP downloads.

The files' own checks (type from the content, sizes, archives) are attachments.py's.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

import pandas as pd

from . import lifecycle, rules
from .attachments import MAX_FILES, MAX_TOTAL, TOO_LARGE_TOTAL, TOO_MANY_FILES, TYPES, CheckedFile, check_file
from .detail import attachments_frame
from .errors import PermissionDenied, ValidationError
from .rights import readable
from .status import Action, Actor

if TYPE_CHECKING:
    from .desk import UserDesk

NOT_ON_THIS_REQUEST = "La pièce jointe indiquée n'existe pas sur cette sollicitation"


def add(me: UserDesk, numero, filename: str, content: bytes, designation: str | None, kind: str) -> int:
    """Attach a file to a saved request; the attachment's id."""
    checked, problems = check_file(filename, content)
    designation = rules.clean_text(designation)
    problems += rules.text_problems("designation", designation)
    if kind not in TYPES:
        problems.append("Le type de pièce jointe n'est pas valide. Types possibles : " + ", ".join(TYPES))
    if problems:
        readable(me, numero)  # a stranger learns nothing about the request from our messages
        raise ValidationError(problems)
    created: list[int] = []
    lifecycle.act(me, numero, Action.ADD_ATTACHMENT, partial(_attach, me, checked, content, designation, kind, created))
    return created[-1]  # a write conflict runs the transaction again: the last attempt is the one committed


def _attach(me: UserDesk, checked: CheckedFile, content: bytes, designation: str | None, kind: str,
            created: list[int], cur, row: dict, actor: Actor) -> tuple[dict, str]:  # fmt: skip
    count, total = me.store.attachment_usage(cur, row["numero"])
    if count >= MAX_FILES:
        raise ValidationError(TOO_MANY_FILES.format(n=MAX_FILES, f=checked.nom_fichier[:80]))
    if total + checked.taille > MAX_TOTAL:
        raise ValidationError(TOO_LARGE_TOTAL.format(n=MAX_TOTAL // (1024 * 1024), f=checked.nom_fichier[:80]))
    meta = {
        "type": kind, "extension": checked.extension, "nom_fichier": checked.nom_fichier,
        "designation": designation or checked.nom_fichier.rsplit(".", 1)[0],
        "taille": checked.taille, "sha256": checked.sha256, "cote": actor.value,
        "ajoutee_par": me.user.login, "ajoutee_le": me.desk.clock(),
    }  # fmt: skip
    created.append(me.store.insert_attachment(cur, row["numero"], meta, bytes(content)))
    return {}, f"Pièce jointe ajoutée : {checked.nom_fichier}"


def delete(me: UserDesk, numero, attachment_id) -> None:
    """Delete one of the attachments the user's side added."""
    lifecycle.act(me, numero, Action.DELETE_ATTACHMENT, partial(_detach, me, attachment_id))


def _detach(me: UserDesk, attachment_id, cur, row: dict, actor: Actor) -> tuple[dict, str]:
    meta = me.store.attachment(rules.parse_numero(attachment_id), cur) if rules.parse_numero(attachment_id) else None
    if meta is None or meta["numero"] != row["numero"]:
        raise ValidationError(NOT_ON_THIS_REQUEST)
    if meta["cote"] != actor.value:
        raise PermissionDenied("Seules les pièces jointes que votre structure a ajoutées peuvent être supprimées")
    me.store.delete_attachment(cur, meta["id"])
    return {}, f"Pièce jointe supprimée : {meta['nom_fichier']}"


def listed(me: UserDesk, numero) -> pd.DataFrame:
    """The request's attachments, under the detail screen's headers."""
    row = readable(me, numero)
    return attachments_frame(me.store.attachments(row["numero"]))


def download(me: UserDesk, numero, attachment_id) -> tuple[str, bytes]:
    """ "Télécharger": the file name and content of one attachment."""
    row = readable(me, numero)
    meta = me.store.attachment(rules.parse_numero(attachment_id)) if rules.parse_numero(attachment_id) else None
    if meta is None or meta["numero"] != row["numero"]:
        raise ValidationError(NOT_ON_THIS_REQUEST)
    return meta["nom_fichier"], me.store.attachment_content(meta["id"])


def detail_pdf(me: UserDesk, numero, attachments: bool) -> bytes:
    """ "Télécharger détail": the PDF; with `attachments`, the files embedded in it."""
    from . import pdf  # fpdf2 is loaded on the first download of a PDF only

    return pdf.detail_pdf(me, numero, attachments)


def detail_zip(me: UserDesk, numero, path):
    """The detail PDF and the attachments, in one ZIP: its bytes, or written to `path` (see pdf.detail_zip)."""
    from . import pdf

    return pdf.detail_zip(me, numero, path)
