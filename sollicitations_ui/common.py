"""State shared by the screens: navigation, pagers, choices of selectors. No Panel here."""

from __future__ import annotations

import io
import os
import tempfile
import zipfile

import pandas as pd
import param

import sollicitations as sol
from sollicitations.access import Space
from sollicitations.attachments import write_zip_entry

from . import format as fmt

PAGE_SIZES = [5, 10, 20, 50, 100]
OUI_NON = {"Oui": True, "Non": False}
NONE = ""  # the empty choice of a selector


def messages_of(error: Exception) -> list[str]:
    if isinstance(error, sol.ValidationError):
        return error.messages
    return [str(error)]


class Navigation(param.Parameterized):
    """Which tab is shown, and which request the "Consulter" tab holds."""

    tab = param.Selector(objects=["synthese", "saisir", "rechercher", "consulter", "tableau"], default="synthese")
    numero = param.Integer(default=None, allow_None=True)
    revision = param.Integer(default=0, doc="bumped after every write, so that lists reload")

    def changed(self) -> None:
        self.revision += 1


class Pager(param.Parameterized):
    """Page number and size of one list; the total comes from the package's count."""

    page = param.Integer(default=1, bounds=(1, None))
    page_size = param.Selector(objects=PAGE_SIZES, default=10)
    total = param.Integer(default=0)
    pages = param.Integer(default=1)
    order = param.String(default="", doc="the list's order, said above the table (the list is sorted in SQL)")

    @param.depends("page_size", watch=True)
    def _back_to_first(self):
        self.page = 1

    def update(self, frame: pd.DataFrame) -> None:
        self.param.update(total=frame.attrs.get("total", len(frame)), pages=frame.attrs.get("pages", 1))

    def previous(self):
        self.page = max(1, self.page - 1)

    def next(self):
        self.page = min(self.pages, self.page + 1)

    @property
    def summary(self) -> str:
        """ "Page 2 / 110 (1 099 lignes)": numbers in French (see format.number)."""
        n = fmt.number
        return f"Page {n(self.page)} / {n(self.pages)} ({n(self.total)} ligne{'s' if self.total > 1 else ''})"


def list_file(me: sol.UserDesk, list_name: str, space: Space, format: str, **criteria) -> io.BufferedIOBase:
    """A whole list as an XLSX or CSV file, for the download buttons of lists: written to a temporary
    file and handed to FileDownload open (its name already gone), never held whole by the session."""
    handle, path = tempfile.mkstemp(suffix=f".{format}")
    os.close(handle)
    try:
        me.export(path, format=format, list_name=list_name, space=space, **criteria)
        return open(path, "rb")  # FileDownload reads it, then it is gone: its name is unlinked below
    finally:
        os.unlink(path)


def choices(prompt: str, values: list[str]) -> dict[str, str]:
    """Selector options with a first, empty choice that says what to do."""
    return {prompt: NONE, **{v: v for v in values}}


def structure_choices(me: sol.UserDesk, space: Space) -> dict[str, str]:
    if space == Space.TOUTES:
        return {}
    frame = me.my_structures(space)
    return {f"{i} - {d}": i for i, d in zip(frame["Identifiant"], frame["Désignation"])}


def recipient_choices(me: sol.UserDesk, text: str, etat: bool | None) -> dict[str, str]:
    frame = me.desk.search_structures(text or "", etat=etat, limit=50)
    return {
        "Sélectionner une structure": NONE,
        **{f"{i} - {d}": i for i, d in zip(frame["Identifiant"], frame["Désignation"])},
    }


def attachments_download(me: sol.UserDesk, numero: int, ids: list[int] | None) -> tuple[str, io.BufferedIOBase]:
    """One file as it is, several as a ZIP: the "Télécharger pièces jointes" button.

    The ZIP is written to a temporary file (gone when closed), the attachments read one at a time, so
    that a session never holds every file of a request at once; FileDownload reads it from there.
    """
    frame = me.attachments(numero)
    chosen = [int(i) for i in (ids or frame["id"].tolist())]
    if len(chosen) == 1:
        name, content = me.attachment(numero, chosen[0])
        return name, io.BytesIO(content)
    out = tempfile.TemporaryFile()  # noqa: SIM115 - FileDownload reads it; gone once closed or collected
    try:
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            used: set[str] = set()
            for attachment_id in chosen:
                name, content = me.attachment(numero, attachment_id)
                unique = name if name not in used else f"{attachment_id}-{name}"
                used.add(unique)
                write_zip_entry(archive, unique, content)
                del content
    except BaseException:
        out.close()
        raise
    out.seek(0)
    return f"pieces-jointes-{numero}.zip", out


def code_of_service(me: sol.UserDesk, structure: str, libelle: str | None) -> str | None:
    if not structure or not libelle:
        return None
    services = me.desk.services(structure)
    match = services[services["Service"] == libelle]
    return None if match.empty else match["Code"].iloc[0]
