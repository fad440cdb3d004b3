"""Attachments: add, list, download, delete; the portal's limits (10 Mo, office/PDF/image/text/XML/ZIP),
checked on the name and on the content; who may attach when, and delete what."""

from __future__ import annotations

import hashlib

import pytest

import sollicitations as sol
from sollicitations.attachments import MAX_SIZE, TYPES
from sollicitations.status import Actor, Status

from ..support import samples
from .conftest import nothing_changes

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
# Real files: their type is read from their content (tests/unit/test_upload_content.py has the rest).
PNG = samples.PNG
DOCX = samples.docx()
JPG = samples.JPEG
ZIP = samples.zip_of({"capture.png": PNG, "dossier/facture.pdf": PDF})


def refused(desk, numero, call, *fragments, count=None):
    with nothing_changes(desk, numero), pytest.raises(sol.ValidationError) as info:
        call()
    for fragment in fragments:
        assert any(fragment in m for m in info.value.messages), (fragment, info.value.messages)
    if count is not None:
        assert len(info.value.messages) == count, info.value.messages
    return info.value.messages


@pytest.fixture
def draft(mworld):
    return mworld.new(Status.BROUILLON, attach=False)


@pytest.fixture
def me(mworld):
    return mworld.emitter()


# -- the round trip ------------------------------------------------------------------------------


def test_add_list_download_delete(mworld, me, draft):
    content = "Bon de commande n° 42\n".encode()
    attachment = me.add_attachment(draft, "bon-de-commande.txt", content)
    listed = me.attachments(draft)
    assert list(listed.columns) == [
        "id",
        "Type",
        "Désignation",
        "Extension",
        "Nom du fichier",
        "Taille",
        "Ajoutée le",
        "Ajoutée par",
        "Côté",
    ]
    line = listed.iloc[0].to_dict()
    assert (
        line["id"],
        line["Type"],
        line["Désignation"],
        line["Extension"],
        line["Nom du fichier"],
        line["Taille"],
        line["Ajoutée par"],
        line["Côté"],
    ) == (
        attachment,
        "Sollicitation",
        "bon-de-commande",
        "txt",
        "bon-de-commande.txt",
        len(content),
        "fournisseur",
        "emetteur",
    )
    stored = mworld.desk.store.attachment(attachment)
    assert stored["sha256"] == hashlib.sha256(content).hexdigest()
    assert me.attachment(draft, attachment) == ("bon-de-commande.txt", content)
    assert me.get(draft)["pieces_jointes"]["Nom du fichier"].tolist() == ["bon-de-commande.txt"]

    me.delete_attachment(draft, attachment)
    assert me.attachments(draft).empty
    assert mworld.desk.store.attachment(attachment) is None
    assert mworld.desk.store.attachment_content(attachment) is None
    history = mworld.desk.store.history(draft)
    assert [h["action"] for h in history] == ["save_draft", "add_attachment", "delete_attachment"]
    assert all("bon-de-commande.txt" in h["commentaire"] for h in history[1:])


@pytest.mark.parametrize(
    "name, content",
    [
        ("image.png", PNG),
        ("donnees.zip", ZIP),
        ("doc.pdf", bytearray(PDF)),
        ("doc.pdf", memoryview(PDF)),
    ],
    ids=["png", "every-byte", "bytearray", "memoryview"],
)
def test_binary_content_comes_back_byte_for_byte(mworld, me, draft, name, content):
    attachment = me.add_attachment(draft, name, content)
    assert me.attachment(draft, attachment) == (name, bytes(content))
    assert mworld.desk.store.attachment(attachment)["taille"] == len(content)


def test_designation_and_type(mworld, me, draft):
    attachment = me.add_attachment(
        draft, "Scan Facture.PDF", PDF, designation="  Facture signée  ", type="Justificatif"
    )
    stored = mworld.desk.store.attachment(attachment)
    assert (stored["designation"], stored["type"], stored["extension"], stored["nom_fichier"]) == (
        "Facture signée",
        "Justificatif",
        "pdf",
        "Scan Facture.PDF",
    )
    refused(
        mworld.desk,
        draft,
        lambda: me.add_attachment(draft, "a.pdf", PDF, type="Devis"),
        "Le type de pièce jointe n'est pas valide",
        *TYPES,
        count=1,
    )


def test_the_attachment_id_from_the_list_can_be_used(mworld, me, draft):
    """The id column of attachments() (numpy integers, as pandas gives them) works for download and delete,
    as the request numbers of lists do."""
    me.add_attachment(draft, "piece.txt", b"texte")
    listed = me.attachments(draft)
    attachment = listed["id"].iloc[0]
    assert me.attachment(draft, attachment) == ("piece.txt", b"texte")
    me.delete_attachment(draft, attachment)
    assert me.attachments(draft).empty


def test_unknown_or_foreign_attachment(mworld, me, draft):
    other = mworld.new(Status.BROUILLON)
    foreign = mworld.attachment_id(other)
    message = "La pièce jointe indiquée n'existe pas sur cette sollicitation"
    for attachment in (foreign, 10**9, "1", None):
        with pytest.raises(sol.ValidationError) as info:
            me.attachment(draft, attachment)
        assert info.value.messages == [message]
        refused(mworld.desk, draft, lambda a=attachment: me.delete_attachment(draft, a), message, count=1)
    assert mworld.attachment_id(other) == foreign


# -- limits --------------------------------------------------------------------------------------


def test_ten_megabytes_at_most(mworld, me, draft):
    assert MAX_SIZE == 10 * 1024 * 1024
    attachment = me.add_attachment(draft, "limite.txt", b"a" * MAX_SIZE)
    assert mworld.desk.store.attachment(attachment)["taille"] == MAX_SIZE
    refused(
        mworld.desk,
        draft,
        lambda: me.add_attachment(draft, "trop.txt", b"a" * (MAX_SIZE + 1)),
        "dépasse la taille maximale autorisée de 10 Mo",
        count=1,
    )


def test_empty_file(mworld, me, draft):
    refused(mworld.desk, draft, lambda: me.add_attachment(draft, "vide.pdf", b""), "est vide", count=1)


@pytest.mark.parametrize(
    "filename",
    [
        "virus.exe",
        "script.js",
        "page.html",
        "dessin.svg",
        "macro.docm",
        "install.sh",
        "sans_extension",
        "archive.rar",
        "point.",
    ],
)
def test_forbidden_types(mworld, me, draft, filename):
    refused(
        mworld.desk,
        draft,
        lambda: me.add_attachment(draft, filename, b"MZ\x90\x00 contenu"),
        "n'est pas autorisé. Types acceptés",
        count=1,
    )


@pytest.mark.parametrize(
    "filename, content",
    [("facture.exe.pdf", PDF), ("photo.js.png", PNG), ("lisez-moi.php.txt", b"texte"), ("rapport.HTML.docx", DOCX)],
)
def test_double_extensions(mworld, me, draft, filename, content):
    refused(
        mworld.desk,
        draft,
        lambda: me.add_attachment(draft, filename, content),
        "double extension non autorisée",
        count=1,
    )


@pytest.mark.parametrize(
    "filename, content",
    [("facture.2024.v2.pdf", PDF), ("sauvegarde.tar.zip", ZIP), ("rapport final.docx", DOCX), ("photo.JPEG", JPG)],
)
def test_dotted_names_that_are_fine(mworld, me, draft, filename, content):
    attachment = me.add_attachment(draft, filename, content)
    assert mworld.desk.store.attachment(attachment)["nom_fichier"] == filename


@pytest.mark.parametrize(
    "filename",
    [
        "../facture.pdf",
        "dossier/facture.pdf",
        "dossier\\facture.pdf",
        "..",
        ".",
        "facture..pdf",
        "/etc/passwd.txt",
        "C:\\temp\\a.txt",
        "nul\x00.pdf",
        "retour\r.pdf",
        "x" * 200 + ".pdf",
        "",
        "   ",
    ],
)
def test_names_that_are_not_file_names(mworld, me, draft, filename):
    messages = refused(mworld.desk, draft, lambda: me.add_attachment(draft, filename, PDF), count=1)
    assert "n'est pas valide" in messages[0] or "nom du fichier est obligatoire" in messages[0]


@pytest.mark.parametrize(
    "filename, content",
    [
        ("facture.pdf", b"ceci n'est pas un PDF"),
        ("image.png", PDF),
        ("photo.jpg", PNG),
        ("document.docx", b"texte brut"),
        ("archive.zip", PDF),
        ("tableur.xls", DOCX),
        ("notes.txt", b"texte\x00binaire"),
        ("notes.txt", b"\x81\x8d\x8f\x90\x9d"),  # neither UTF-8 nor cp1252
        ("flux.xml", b"pas du XML"),
        ("lettre.rtf", b"{\\pdf"),
    ],
)
def test_content_must_match_the_extension(mworld, me, draft, filename, content):
    refused(
        mworld.desk,
        draft,
        lambda: me.add_attachment(draft, filename, content),
        f"ne correspond pas à son extension « .{filename.rsplit('.', 1)[1]} »",
        count=1,
    )


@pytest.mark.parametrize(
    "filename, content",
    [
        ("notes.txt", "Réponse accentuée : élève, ça".encode()),
        ("notes.txt", "Réponse accentuée : élève, ça".encode("cp1252")),
        ("flux.xml", b"\xef\xbb\xbf  <?xml version='1.0'?><facture/>"),
        ("export.csv", "numéro;montant\n1;12,50\n".encode("cp1252")),
        ("lettre.rtf", b"{\\rtf1\\ansi Bonjour}"),
        ("scan.tiff", b"II*\x00" + b"\x00" * 10),
        ("ancien.doc", samples.DOC),
        ("long.txt", ("é" * 3000).encode("utf-8")),  # a character cut at the 4096th byte
    ],
)
def test_content_that_matches(mworld, me, draft, filename, content):
    attachment = me.add_attachment(draft, filename, content)
    assert me.attachment(draft, attachment)[1] == content


def test_every_problem_of_a_file_at_once(mworld, me, draft):
    refused(
        mworld.desk,
        draft,
        lambda: me.add_attachment(draft, "virus.exe", b"", designation="d\x07"),
        "n'est pas autorisé",
        "est vide",
        "La désignation contient des caractères de contrôle",
        count=3,
    )


def test_content_that_is_not_bytes(mworld, me, draft):
    refused(
        mworld.desk, draft, lambda: me.add_attachment(draft, "texte.txt", "une chaîne"), "n'est pas lisible", count=1
    )


# -- who, when -----------------------------------------------------------------------------------

# The guide: attach after "Enregistrer" (Brouillon), and when answering a request for information;
# the receiver attaches while the request is with it.
EMITTER_ATTACHES = {Status.BROUILLON, Status.INFORMATIONS_REQUISES}
RECEIVER_ATTACHES = {Status.ENVOYEE, Status.EN_COURS}


@pytest.mark.parametrize("status", list(Status), ids=[s.value for s in Status])
@pytest.mark.parametrize("side", list(Actor), ids=[a.value for a in Actor])
def test_when_each_side_may_attach(mworld, status, side):
    numero = mworld.new(status, attach=False)
    user = mworld.emitter() if side == Actor.EMETTEUR else mworld.receiver()
    allowed = EMITTER_ATTACHES if side == Actor.EMETTEUR else RECEIVER_ATTACHES
    if status in allowed:
        attachment = user.add_attachment(numero, "note.txt", b"note")
        assert mworld.desk.store.attachment(attachment)["cote"] == side.value
        assert mworld.status(numero) == status
        return
    expected = (
        sol.PermissionDenied if (side == Actor.DESTINATAIRE and status == Status.BROUILLON) else sol.TransitionError
    )
    with nothing_changes(mworld.desk, numero), pytest.raises(expected):
        user.add_attachment(numero, "note.txt", b"note")


def test_receiver_attachments_are_shared_and_deleted_by_their_side_only(mworld):
    numero = mworld.new(Status.EN_COURS, attach=False)
    me, agent = mworld.emitter(), mworld.receiver()
    theirs = agent.add_attachment(numero, "reponse.pdf", PDF, type="Réponse")
    listed = me.attachments(numero)
    assert listed.loc[listed["id"] == theirs, "Côté"].tolist() == ["destinataire"]
    assert me.attachment(numero, theirs) == ("reponse.pdf", PDF)
    assert mworld.user("lecteur").attachment(numero, theirs) == ("reponse.pdf", PDF)
    assert mworld.user("gestionnaire").attachment(numero, theirs) == ("reponse.pdf", PDF)

    agent.request_information(numero, "Merci de joindre le devis.")  # the emitter may now delete its own
    mine = me.add_attachment(numero, "devis.pdf", PDF)
    with nothing_changes(mworld.desk, numero), pytest.raises(sol.PermissionDenied) as info:
        me.delete_attachment(numero, theirs)
    assert "votre structure" in str(info.value)
    me.add_complement(numero, "Voici le devis.")
    agent.take_in_charge(numero)
    with nothing_changes(mworld.desk, numero), pytest.raises(sol.PermissionDenied):
        agent.delete_attachment(numero, mine)
    agent.delete_attachment(numero, theirs)
    assert me.attachments(numero)["id"].tolist() == [mine]


def test_strangers_learn_nothing(mworld, draft):
    me = mworld.emitter()
    attachment = me.add_attachment(draft, "secret.txt", b"secret")
    dupont = mworld.user("dupont")
    for call in (
        lambda: dupont.attachments(draft),
        lambda: dupont.attachment(draft, attachment),
        lambda: dupont.add_attachment(draft, "a.txt", b"x"),
        lambda: dupont.add_attachment(draft, "virus.exe", b""),  # invalid too: still not found
        lambda: dupont.delete_attachment(draft, attachment),
        lambda: me.add_attachment(10**12, "a.txt", b"x"),
    ):
        with nothing_changes(mworld.desk, draft), pytest.raises(sol.PermissionDenied):
            call()


def test_deleting_a_draft_deletes_its_files(mworld, me, draft):
    attachment = me.add_attachment(draft, "piece.pdf", PDF)
    me.delete_draft(draft)
    assert mworld.desk.store.attachment(attachment) is None
    assert mworld.desk.store.attachment_content(attachment) is None
