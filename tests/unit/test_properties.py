"""Bad input, property-based (hypothesis): every field of every form and API call gets empty, huge,
control-character, emoji/RTL, HTML/script, SQL, wrong-typed, malformed-date, unknown-category values
and numbers of other structures' objects and requests.

The property, for every call: it succeeds, or it raises `ValidationError` / `PermissionDenied` /
`TransitionError` whose messages are French sentences (never another exception: no TypeError, no raw
duckdb error); a refused call leaves every table (and the request it aimed at) as it was; a
successful one stores exactly what was given, after the documented strip + NFC normalisation; and
the store invariants (tests/unit/conftest.py) hold afterwards.

`SOLLICITATIONS_FUZZ_SCALE` (default 1) multiplies every test's number of examples; the inputs are the same
on every run unless `SOLLICITATIONS_FUZZ_RANDOM=1`; `SOLLICITATIONS_FUZZ_SHRINK=1` shrinks a failing example
to its simplest form (slower).
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections import Counter
from datetime import date, datetime

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, note, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context

import sollicitations as sol
from sollicitations import captcha, demo
from sollicitations.attachments import EXECUTABLE, MAX_FILES, MAX_SIZE, SIGNATURES, TYPES
from sollicitations.catalogue import load_catalogue
from sollicitations.criteria import CRITERIA, NON_RENSEIGNE
from sollicitations.desk import FORM_FIELDS
from sollicitations.status import Status

from ..support import captcha as proof
from .conftest import World, assert_invariants, fingerprint, report

SCALE = float(os.environ.get("SOLLICITATIONS_FUZZ_SCALE", "1"))
ALLOWED = (sol.ValidationError, sol.PermissionDenied, sol.TransitionError)
TRIED: Counter = Counter()  # inputs tried, per test
OUTCOMES: Counter = Counter()  # succès / ValidationError / PermissionDenied / TransitionError


def fuzz(examples: int):
    return settings(
        max_examples=max(1, int(examples * SCALE)), deadline=None, database=None, print_blob=False,
        derandomize=not os.environ.get("SOLLICITATIONS_FUZZ_RANDOM"),  # the same inputs on every run, unless asked
        # No "explain" phase (slow); shrinking only when asked: a failing run stays well under a minute.
        phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target]
        + ([Phase.shrink] if os.environ.get("SOLLICITATIONS_FUZZ_SHRINK") else []),
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                               HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )  # fmt: skip


CATALOGUE = load_catalogue()
CATEGORIES = CATALOGUE.categories()
SOUS_CATEGORIES = sorted({p.sous_categorie for p in CATALOGUE.pairs})
CONTACT_PAIRS = [(p.categorie, p.sous_categorie) for p in CATALOGUE.pairs if p.formulaire_contact]
OWN = (demo.REC201FOURNISSEUR, demo.REC100FOURNISSEUR, demo.LOGES_DU_GREL)  # fournisseur's structures
LOGINS = [u[0] for u in demo.USERS]

# -- values ----------------------------------------------------------------------------------------

SQL = [
    "'; DROP TABLE sollicitations; --",
    "1' OR '1'='1",
    '"; DELETE FROM historique; --',
    "%",
    "_",
    "\\",
    "%_%",
    "' UNION SELECT login, nom FROM users --",
    "$1",
    "?",
    "); COMMIT; DROP TABLE users; --",
]
HTML = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg/onload=alert(1)>',
    "javascript:alert(1)",
    "{{7*7}}",
    "${jndi:ldap://x/a}",
    "</textarea><b>gras</b>",
]
FORMULAS = ['=HYPERLINK("http://x")', "+1+1", "-2", "@SUM(A1)", "=cmd|' /C calc'!A0"]
CONTROL = ["\x00", "a\x00b", "\x07cloche", "\x1b[31mrouge\x1b[0m", "\x7f", "a\x85b", "\x0b", "\x0c", "fin\x1f"]
INVISIBLE = ["\u200b", "\ufeff", "\u202eevil\u202c", "\u2028", "\u00a0x\u00a0", "\u3000"]
SCRIPTS = ["مرحبا بالعالم", "שלום עולם", "\u200fRTL\u200e", "😀🎉👩‍👩‍👧", "Z̷̧a̵l̶g̷o̸", "中文字符", "Ελληνικά"]
FORMS = ["e\u0301te\u0301", "Factures e\u0301mises", "ﬁ", "Ⅻ", "²", "١٢", "𝟙𝟚"]
EMPTY = ["", " ", "\t\n ", "\r\n", "\u00a0"]
HUGE = ["a" * 10_001, "é" * 4_001, "x" * 255, "🙂" * 5_000, "ab " * 40_000]
SURROGATES = ["\ud800", "a\udfffb"]  # lone surrogates: what os.fsdecode gives for a badly encoded file name
WORDS = ["None", "null", "NULL", "NaN", "undefined", "0", "-1", "99999999999999999999", "true", "Oui"]
CURATED = SQL + HTML + FORMULAS + CONTROL + INVISIBLE + SCRIPTS + FORMS + EMPTY + HUGE + SURROGATES + WORDS

nasty_text = st.one_of(
    st.sampled_from(CURATED),
    st.text(max_size=40),
    st.builds(lambda a, b: a + b, st.sampled_from(CURATED), st.text(max_size=10)),
)
wrong_type = st.one_of(
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.binary(max_size=16),
    st.lists(st.one_of(st.text(max_size=4), st.integers()), max_size=3),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
    st.sampled_from(
        [
            b"bytes",
            bytearray(b"x"),
            (1, 2),
            frozenset({1}),
            date(2026, 1, 1),
            datetime(2026, 1, 1, 12),
            np.int64(5),
            float("nan"),
        ]
    ),
)
anything = st.one_of(st.none(), nasty_text, wrong_type)


def variants(values) -> st.SearchStrategy:
    """Valid values, and the same padded with blanks or in decomposed (NFD) form."""
    base = st.sampled_from(list(values))
    return st.one_of(
        base,
        base.map(lambda v: f"  {v}\n"),
        base.map(lambda v: unicodedata.normalize("NFD", v) if isinstance(v, str) else v),
    )


VALID = {
    "categorie": CATEGORIES + ["Catégorie inventée"],
    "sous_categorie": SOUS_CATEGORIES + ["Sous-catégorie inventée"],
    "structure": list(OWN) + [demo.MENUISERIE_DUPONT, demo.REC201DESTINATAIRE, "0" * 14],
    "service": ["service_fournisseur", "maintenance", "Service maintenance", "comptabilite", "factures_publiques"],
    "email": ["contact@exemple.fr", "=cmd@exemple.fr", "+1@exemple.fr", "a" * 250 + "@exemple.fr", "pas une adresse"],
    "telephone": ["01 23 45 67 89", "+33 1 23 45 67 89", "(0)1.23.45.67.89", "12345", "06-12"],
    "description": ["Pourquoi ce rejet ?", "Ligne 1\nLigne 2\tcolonne", "Le montant payé est de 120,00 €."],
    "type_objet": ["Facture", "facture", "Demande de remboursement TIC", "Mémoire de frais de justice", "Avoir"],
    # fournisseur's own invoices, another emitter's (FA-2018-0457), another structure's of fournisseur,
    # a draft invoice without recipient, a TIC request, and one that does not exist
    "numero_objet": [
        "QUAL_00000000007215",
        "FA-2018-0457",
        "2017/640",
        "BROUILLON-2018-0002",
        "TIC-2017-000042",
        "MFJ-2018-000017",
        "INCONNUE-0001",
    ],
    "destinataire": [
        demo.REC201DESTINATAIRE,
        demo.STRUCTURE_PUBLIQUE_TEST,
        demo.SUPPORT,
        demo.REC201FOURNISSEUR,
        demo.MENUISERIE_DUPONT,
        "99999999999999",
    ],
    "service_destinataire": ["comptabilite", "factures_publiques", "Service comptabilité", "maintenance"],
    "destinataire_etat": [True, False, "Oui", "non", "NON", "peut-être"],
}
assert set(VALID) == set(FORM_FIELDS)


def field_value(field: str) -> st.SearchStrategy:
    return st.one_of(variants(VALID[field]), anything)


BASES = {
    "choisi": dict(categorie="Factures émises", sous_categorie="Question pour une entité publique",
                   structure=demo.REC201FOURNISSEUR, destinataire=demo.REC201DESTINATAIRE,
                   description="Quelles pièces joindre ?"),
    "objet": dict(categorie="Factures émises", sous_categorie="Rejet d'une facture", structure=demo.REC201FOURNISSEUR,
                  type_objet="Facture", numero_objet="QUAL_00000000007215", description="Pourquoi ce rejet ?"),
    "support": dict(categorie="Factures émises", sous_categorie="Mandat de facturation", structure=demo.REC201FOURNISSEUR,
                    description="Comment déclarer un mandat ?"),
    "tic": dict(categorie="Remboursement TIC", sous_categorie="Question sur une demande rejetée",
                structure=demo.REC201FOURNISSEUR, type_objet="Demande de remboursement TIC",
                numero_objet="TIC-2017-000042", description="Pourquoi ce rejet ?"),
    "bureau": dict(categorie="Mémoires de frais de justice", sous_categorie="Question générale sur la réglementation",
                   structure=demo.LOGES_DU_GREL, description="Quel barème pour les experts ?"),
}  # fmt: skip


@st.composite
def form_changes(draw, allow_unknown: bool = True) -> dict:
    """Some fields of the form, each valid-looking or nasty; now and then a field the form does not have."""
    fields = {}
    for name in FORM_FIELDS:
        if draw(st.integers(0, 3)) == 0:
            fields[name] = draw(field_value(name))
    if allow_unknown and draw(st.integers(0, 9)) == 0:
        fields[draw(st.sampled_from(["statut", "emetteur_id", "cree_par", "assigne_a", "Description", "renvoyee"]))] = (
            "x"
        )
    return fields


# -- the oracle ------------------------------------------------------------------------------------


def clean(value):
    """The documented normalisation of free text: NFC, stripped, None when nothing is left."""
    if not isinstance(value, str):
        return value
    value = unicodedata.normalize("NFC", value).strip()
    return value or None


def has_forbidden_characters(value) -> bool:
    """Control characters other than tab/CR/LF, or lone surrogates (not encodable as UTF-8)."""
    return isinstance(value, str) and any(
        (unicodedata.category(c) == "Cc" and c not in "\t\r\n") or unicodedata.category(c) == "Cs" for c in value
    )


def must_refuse_text(value, limit: int = 10_000) -> str | None:
    """Why a free-text or identifier value must be refused wherever it goes; None if it may pass."""
    if value is None:
        return None
    if not isinstance(value, str):
        return "un type autre que texte" if value else None  # a falsy value may count as empty
    value = clean(value)  # what is left after strip (which removes \x0b, \x0c, \x1c-\x1f, \x85 at the ends)
    if value is None:
        return None
    if has_forbidden_characters(value):
        return "des caractères de contrôle ou non encodables"
    if len(value) > limit:
        return f"plus de {limit} caractères"
    return None


# Python and database words a message must not show (the input it echoes is removed first).
LEAKS = (
    "Traceback",
    "NoneType",
    "<class",
    "object at 0x",
    "Error:",
    "Error(",
    "Exception",
    "duckdb",
    "psycopg",
    "unhashable",
    "pybind",
    "C++",
    "Python",
    'File "',
    "INT32",
    "INT64",
    "VARCHAR",
    "builtins",
)
FRENCH = re.compile(
    r"\b(le|la|les|l'|de|du|des|d'|est|sont|n'|ne|pas|un|une|au|aux|vous|votre|inconnue?s?|doit|"
    r"indiqué|aucune?|trop|seules?|indiquez|veuillez|texte|être|sur|pour|à)\b",
    re.IGNORECASE,
)
ENGLISH = re.compile(r"\b(the|is|not|invalid|must|error|cannot|failed|unable|unknown|should)\b", re.IGNORECASE)


def _echoes(inputs) -> list[str]:
    """The forms in which a message may quote a user's input."""
    out, values = [], []
    for value in inputs:
        values.append(value)
        if isinstance(value, (list, tuple, set, frozenset)):
            values.extend(value)
        elif isinstance(value, dict):
            values.extend(value)
            values.extend(value.values())
    for value in values:
        for form in (value, clean(value), str(value), repr(value)):
            if isinstance(form, str) and form:
                out += [form, form[:80]]
                if isinstance(value, str) and isinstance(clean(value), str):
                    out.append(clean(value)[:80])
    return sorted(set(out), key=len, reverse=True)


def check_messages(error: Exception, inputs=()) -> list[str]:
    messages = error.messages if isinstance(error, sol.ValidationError) else [str(error)]
    assert messages, f"{type(error).__name__} without any message"
    echoes = _echoes(inputs)
    for message in messages:
        assert isinstance(message, str) and message.strip(), f"empty message in {messages!r}"
        # The message's own words: the quoted input removed (short echoes only for the English check,
        # lest removing "n" or "de" take the French words apart).
        scrubbed = everything_out = message
        for echo in echoes:
            everything_out = everything_out.replace(echo, "«»")
            if len(echo) >= 3:
                scrubbed = scrubbed.replace(echo, "«»")
        assert message[:1].isupper(), f"message not starting with a capital letter: {message!r}"
        leaks = [w for w in LEAKS if w in scrubbed]
        assert not leaks, f"message shows {leaks}: {message!r}"
        assert FRENCH.search(scrubbed), f"message not in French: {message!r}"
        assert not ENGLISH.search(everything_out), f"message in English: {message!r}"
    return messages


_COUNTED = (
    "sollicitations",
    "historique",
    "commentaires",
    "pieces_jointes",
    "pieces_jointes_contenu",
    "outbox",
    "contact_attempts",
    "users",
)
_COUNTS = "SELECT " + ", ".join(f"(SELECT count(*) FROM {t})" for t in _COUNTED)


def state(desk, numeros=()) -> tuple:
    """Every table's row count and every stored row of the named requests."""
    counts = desk.store.cursor().execute(_COUNTS).fetchone()
    rows = [fingerprint(desk, n, counts=False) for n in numeros if isinstance(n, int)]
    notifications = desk.store.cursor().execute("SELECT login, notifications FROM users ORDER BY login").fetchall()
    return counts, rows, notifications


def attempt(
    desk,
    call,
    inputs=(),
    numeros=(),
    refuse: str | None = None,
    invariants: bool = True,
    test: str = "",
    read_only: bool = False,
):
    """Run `call` as the property says; (result, None) or (None, error). `refuse` says why the call must be
    refused (None: it may pass); a `read_only` call must change nothing even when it succeeds."""
    TRIED[test] += 1
    before = state(desk, numeros)
    try:
        result = call()
    except ALLOWED as error:
        if currently_in_test_context():
            note(f"refused: {type(error).__name__}: {error}")
        OUTCOMES[type(error).__name__] += 1
        check_messages(error, inputs)
        # Nothing written: every count and the aimed request's rows are as before (so the invariants,
        # checked after every accepted write and when the module ends, still hold).
        assert state(desk, numeros) == before, f"refused ({error}) but the store changed"
        return None, error
    except Exception as error:
        raise AssertionError(
            f"{type(error).__module__}.{type(error).__name__} escaped instead of a French refusal: {error!r}"[:600]
        ) from error
    OUTCOMES["succès"] += 1
    if read_only:
        assert state(desk, numeros) == before, "a read changed the store"
    if invariants:
        assert_invariants(desk)
    assert refuse is None, f"accepted although it must be refused ({refuse})"
    return result, None


# -- fixtures ------------------------------------------------------------------------------------


@pytest.fixture(scope="module", autouse=True)
def _figures(request):
    yield
    report(request, f"test_properties: {sum(TRIED.values())} inputs tried; outcomes {dict(OUTCOMES)}; "
                    f"per test {dict(TRIED)}")  # fmt: skip


@pytest.fixture(scope="module")
def w(mdesk):
    return World(mdesk)


@pytest.fixture(scope="module")
def foreign(w):
    """Requests a user may not see: per login, numbers of requests outside its reach."""
    dupont_draft = w.new(Status.BROUILLON, route="dupont")
    dupont_sent = w.new(Status.EN_COURS, route="dupont")
    own_draft = w.new(Status.BROUILLON, route="own")
    tic = w.new(Status.EN_COURS, route="tic")
    contact = w.new(Status.ENVOYEE, route="contact")
    support = w.new(Status.EN_COURS, route="support")
    return {
        "fournisseur": [dupont_draft, dupont_sent, contact],
        "dupont": [own_draft, tic, support, contact],
        "destinataire": [own_draft, dupont_draft, tic, support, contact],
        "lecteur": [tic, support, contact, own_draft],
        "support": [own_draft, dupont_sent, tic],
    }


def readable(w, login, numero) -> bool:
    row = w.desk.store.sollicitation(int(numero))
    return row is not None and w.user(login).user.can_read(row)


# -- the entry form: save_draft, send, update_draft, submit ----------------------------------------


def expected_refusal(fields: dict) -> str | None:
    for name, value in fields.items():
        if name not in FORM_FIELDS:
            return f"champ inconnu {name}"
        if name == "destinataire_etat":  # a yes/no, only read for a chosen recipient
            continue
        reason = must_refuse_text(value)
        if reason:
            return f"{name} : {reason}"
    return None


def check_round_trip(me, numero, fields: dict, before: dict | None = None) -> None:
    """What was given is what `get` returns (after strip + NFC); the fields not given kept their values."""
    got = me.get(numero)
    for name in ("categorie", "sous_categorie", "description", "email", "telephone", "numero_objet"):
        if name in fields:
            expected = clean(fields[name])
            if name == "description":
                expected = expected or ""
            if not isinstance(expected, str) and not expected:
                expected = "" if name == "description" else None
            assert got[name] == expected, f"{name}: stored {got[name]!r}, given {fields[name]!r}"
        elif before is not None:
            assert got[name] == before[name], f"{name} changed although not given"
    if "structure" in fields:
        assert got["structure"]["id"] == clean(fields["structure"])


@pytest.mark.parametrize("field", FORM_FIELDS)
@fuzz(25)
@given(base=st.sampled_from(sorted(BASES)), data=st.data())
def test_save_draft_field(w, field, base, data):
    value = data.draw(field_value(field), label=field)
    fields = {**BASES[base], field: value}
    me = w.user("fournisseur")
    numero, _ = attempt(w.desk, lambda: me.save_draft(**fields), inputs=[value], refuse=expected_refusal({field: value}),
                        test="save_draft")  # fmt: skip
    if numero is not None:
        assert w.status(numero) == Status.BROUILLON
        assert [h["action"] for h in w.desk.store.history(numero)] == ["save_draft"]
        check_round_trip(me, numero, fields)


@fuzz(80)
@given(base=st.sampled_from(sorted(BASES)), changes=form_changes())
def test_send(w, base, changes):
    fields = {**BASES[base], **changes}
    me = w.user("fournisseur")
    numero, _ = attempt(w.desk, lambda: me.send(**fields), inputs=list(changes.values()),
                        refuse=expected_refusal(changes), test="send")  # fmt: skip
    if numero is not None:
        row = w.desk.store.sollicitation(numero)
        assert row["statut"] == Status.ENVOYEE and row["destinataire_id"] is not None
        assert [h["action"] for h in w.desk.store.history(numero)] == ["submit"]
        check_round_trip(me, numero, fields)


@fuzz(60)
@given(base=st.sampled_from(sorted(BASES)), changes=form_changes())
def test_update_draft(w, base, changes):
    me = w.user("fournisseur")
    numero = me.save_draft(**BASES[base])
    before = me.get(numero)
    _, error = attempt(w.desk, lambda: me.update_draft(numero, **changes), inputs=list(changes.values()),
                       numeros=[numero], refuse=expected_refusal(changes), test="update_draft")  # fmt: skip
    if error is None:
        assert w.status(numero) == Status.BROUILLON
        assert [h["action"] for h in w.desk.store.history(numero)] == ["save_draft", "update_draft"]
        check_round_trip(me, numero, changes, before)


@fuzz(60)
@given(base=st.sampled_from(sorted(BASES)), changes=form_changes())
def test_submit_draft(w, base, changes):
    me = w.user("fournisseur")
    numero = me.save_draft(**BASES[base])
    before = me.get(numero)
    _, error = attempt(w.desk, lambda: me.submit(numero, **changes), inputs=list(changes.values()),
                       numeros=[numero], refuse=expected_refusal(changes), test="submit")  # fmt: skip
    if error is None:
        assert w.status(numero) == Status.ENVOYEE
        assert w.desk.store.sollicitation(numero)["destinataire_id"] is not None
        check_round_trip(me, numero, changes, before)


def test_another_emitters_invoice_looks_like_no_invoice(w):
    """Numbers of other structures' objects: fournisseur names Dupont's invoice; the message is the one of an
    invoice that does not exist, and nothing is stored."""
    me = w.user("fournisseur")
    messages = []
    for numero_objet in ("FA-2018-0457", "FA-2018-0458"):
        fields = {**BASES["objet"], "numero_objet": numero_objet}
        for call in (me.save_draft, me.send):
            _, error = attempt(w.desk, lambda c=call, f=fields: c(**f), inputs=[numero_objet], test="objets")
            assert isinstance(error, sol.ValidationError)
            messages.append(error.messages)
    assert all(m == messages[0] for m in messages), messages


# -- "Nous contacter" ------------------------------------------------------------------------------


@fuzz(60)
@given(pair=st.sampled_from(CONTACT_PAIRS + [("Factures émises", "Rejet d'une facture")]), data=st.data())
def test_contact(w, pair, data):
    fields = dict(
        categorie=pair[0], sous_categorie=pair[1], email="visiteur@exemple.fr", description="Mon compte est bloqué."
    )
    for name in fields:
        if data.draw(st.integers(0, 2), label=f"change {name}") == 0:
            fields[name] = data.draw(field_value(name if name != "sous_categorie" else "sous_categorie"), label=name)
    numero, _ = attempt(w.desk, lambda: w.desk.contact(**fields), inputs=list(fields.values()),
                        refuse=expected_refusal(fields), test="contact")  # fmt: skip
    if numero is not None:
        row = w.desk.store.sollicitation(numero)
        assert row["contact"] and row["statut"] == Status.ENVOYEE and row["emetteur_id"] is None
        for name in fields:
            assert row[name] == clean(fields[name]), (name, row[name], fields[name])


def _proof(desk):
    """A fresh accessible challenge (ALTCHA's proof of work) and the browser's solution to it."""
    challenge = captcha.new_proof(desk.store, desk.clock())
    return challenge.token, proof.solve(challenge.proof)


CONTACT_FORM = dict(
    categorie="Connexion",
    sous_categorie="Compte bloqué",
    email="visiteur@exemple.fr",
    description="Mon compte est bloqué.",
)


@fuzz(30)
@given(data=st.data())
def test_contact_form_captcha_and_client(w, data):
    token, answer = _proof(w.desk)
    token = data.draw(st.one_of(st.just(token), anything), label="token")
    answer = data.draw(st.one_of(st.just(answer), st.just(f" {answer} "), anything), label="answer")
    client = data.draw(st.one_of(st.uuids().map(str), anything), label="client")
    numero, _ = attempt(w.desk, lambda: w.desk.contact_form(**CONTACT_FORM, captcha_token=token, captcha_answer=answer,
                                                            client=client),
                        inputs=[token, answer, client], test="contact_form")  # fmt: skip
    if numero is not None:
        assert w.desk.store.sollicitation(numero)["contact"]


def test_a_wrong_captcha_answer_spends_the_challenge(w):
    """If a wrong answer left the challenge usable, a robot would try answers on one token until one
    passed (captcha.spend: "the challenge is spent either way")."""
    challenge = captcha.new_proof(w.desk.store, w.desk.clock())
    token, answer, wrong = challenge.token, proof.solve(challenge.proof), proof.forged(challenge.proof, number=-1)
    _, error = attempt(w.desk, lambda: w.desk.contact_form(**CONTACT_FORM, captcha_token=token, captcha_answer=wrong,
                                                           client="198.51.100.1"), test="contact_form")  # fmt: skip
    assert isinstance(error, sol.ValidationError)
    _, error = attempt(w.desk, lambda: w.desk.contact_form(**CONTACT_FORM, captcha_token=token, captcha_answer=answer,
                                                           client="198.51.100.1"), test="contact_form")  # fmt: skip
    assert isinstance(error, sol.ValidationError), "the same challenge answered again after a wrong answer was accepted"


# -- search and dashboard filters ------------------------------------------------------------------

VALID_DATES = st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31))
date_value = st.one_of(
    VALID_DATES,
    st.datetimes(),
    VALID_DATES.map(lambda d: f"{d.day:02d}/{d.month:02d}/{d.year:04d}"),
    VALID_DATES.map(lambda d: d.isoformat()),
    st.sampled_from(
        [
            "31/02/2026",
            "2026-13-01",
            "1/1/26",
            "00/00/0000",
            "01/01/0001",
            "31/12/9999",
            "9999-12-31",
            "demain",
            "2026/01/01",
            "01-01-2026",
            "2026-01-01T10:00",
            "32/01/2026",
            date.max,
            date.min,
            datetime.max,
        ]
    ),
    anything,
)
numero_value = st.one_of(
    st.integers(-(2**70), 2**70),
    st.sampled_from(
        [
            0,
            -1,
            2**62,
            2**63,
            2**70,
            "",
            " ",
            "abc",
            "7abc",
            "²",
            "Ⅻ",
            "𝟙",
            "٣",
            "1e3",
            "0x10",
            "+5",
            "-5",
            " 7 ",
            "007",
            3.0,
            3.5,
            float("nan"),
            float("inf"),
            True,
            False,
            None,
            [1],
            {"n": 1},
            b"1",
            (1,),
            np.int64(3),
            np.uint8(3),
        ]
    ),
    anything,
)
STATUS_WORDS = [s.value for s in Status] + [s.label for s in Status] + [s.short_label for s in Status]
CRITERIA_VALUES = {
    "numero": numero_value,
    "categorie": variants(CATEGORIES + ["Catégorie inventée"]),
    "sous_categorie": variants(SOUS_CATEGORIES + ["Sous-catégorie inventée"]),
    "numero_objet": variants(VALID["numero_objet"]),
    "du": date_value,
    "au": date_value,
    "structure": variants(list(OWN) + [demo.MENUISERIE_DUPONT, demo.REC201DESTINATAIRE, NON_RENSEIGNE]),
    "service_emetteur": st.one_of(variants(["maintenance", "Service maintenance", NON_RENSEIGNE]), st.integers(-5, 10)),
    "destinataire": variants([demo.REC201DESTINATAIRE, demo.STRUCTURE_PUBLIQUE_TEST, demo.SUPPORT, NON_RENSEIGNE]),
    "service_destinataire": st.one_of(
        variants(["comptabilite", "factures_publiques", NON_RENSEIGNE]), st.integers(-5, 10)
    ),
    "cree_par": variants(["MARCHAND", "élise", "marchand élise", "DUPONT", "%", "_"]),
    "statut": st.one_of(
        variants(STATUS_WORDS), st.lists(st.sampled_from(STATUS_WORDS + ["Inventé", None, 3]), max_size=4)
    ),
    "assigne_a": variants(LOGINS),
    "mots": st.one_of(
        variants(["facture", "FACT paiement", "de la", "Rejetée", "cœur", "%_", "a b"]), st.text(max_size=60)
    ),
}
assert set(CRITERIA_VALUES) == set(CRITERIA)


@st.composite
def criteria(draw, allow_unknown: bool = True) -> dict:
    out = {}
    for name in CRITERIA:
        if draw(st.integers(0, 4)) == 0:
            out[name] = draw(st.one_of(CRITERIA_VALUES[name], anything), label=name)
    if allow_unknown and draw(st.integers(0, 14)) == 0:
        out[draw(st.sampled_from(["statut_code", "emetteur_id", "1=1", "order"]))] = "x"
    return out


READERS = ["fournisseur", "dupont", "destinataire", "lecteur", "support", "gestionnaire"]


def check_scope(w, login, frame, column="Référence"):
    """A list never shows a request the user may not read."""
    if frame is None or column not in getattr(frame, "columns", ()):
        return
    for numero in frame[column].tolist():
        assert readable(w, login, numero), f"{login} sees request {numero} outside its reach"


@fuzz(100)
@given(login=st.sampled_from(READERS), crit=criteria(), data=st.data())
def test_search(w, login, crit, data):
    me = w.user(login)
    extra = {}
    if data.draw(st.integers(0, 3), label="paging") == 0:
        extra = dict(page=data.draw(st.one_of(st.integers(-2, 5), anything), label="page"),
                     page_size=data.draw(st.one_of(st.integers(-1, 1001), anything), label="page_size"),
                     sort=data.draw(st.one_of(st.sampled_from(["numero", "recent", "saisie"]), anything), label="sort"),
                     space=data.draw(st.one_of(st.none(), st.sampled_from(["emises", "recues", "toutes"]), anything),
                                     label="space"))  # fmt: skip
    frame, _ = attempt(w.desk, lambda: me.search(**extra, **crit), inputs=[*crit.values(), *extra.values()],
                           invariants=False, read_only=True, test="search")  # fmt: skip
    check_scope(w, login, frame)


@fuzz(40)
@given(
    login=st.sampled_from(["fournisseur", "destinataire", "gestionnaire"]),
    d1=VALID_DATES.filter(lambda d: d.year > 1),
    gap=st.integers(1, 3000),
    fmt=st.sampled_from(["fr", "iso", "date"]),
)
def test_dates_in_the_wrong_order_are_refused(w, login, d1, gap, fmt):
    early = d1.toordinal() - gap
    if early < 1:
        return
    d0 = date.fromordinal(early)
    show = {"fr": lambda d: d.strftime("%d/%m/") + f"{d.year:04d}", "iso": lambda d: f"{d.year:04d}-{d:%m-%d}",
            "date": lambda d: d}[fmt]  # fmt: skip
    _, error = attempt(w.desk, lambda: w.user(login).search(du=show(d1), au=show(d0)), inputs=[show(d1), show(d0)],
                       invariants=False, read_only=True, test="dates")  # fmt: skip
    assert isinstance(error, sol.ValidationError)
    assert "La date de début de la période de saisie doit précéder la date de fin" in error.messages


FIGURES = {
    "dashboard": lambda me, s, d, f: me.dashboard(structure=s, **f),
    "weekly_flow": lambda me, s, d, f: me.weekly_flow(**f),
    "backlog": lambda me, s, d, f: me.backlog(**f),
    "delays": lambda me, s, d, f: me.delays(by=d, **f),
    "processing_times": lambda me, s, d, f: me.processing_times(**f),
    "reopen_rates": lambda me, s, d, f: me.reopen_rates(by=d, **f),
    "oldest_open": lambda me, s, d, f: me.oldest_open(limit=d, **f),
    "monthly": lambda me, s, d, f: me.monthly(by=d, structure=s),
    "to_process": lambda me, s, d, f: me.to_process(structure=s, page=d if isinstance(d, int) else 1),
}


@pytest.mark.parametrize("figure", sorted(FIGURES))
@fuzz(12)
@given(login=st.sampled_from(READERS), crit=criteria(), data=st.data())
def test_dashboard_filters(w, figure, login, crit, data):
    me = w.user(login)
    structure = data.draw(st.one_of(st.none(), CRITERIA_VALUES["structure"], anything), label="structure")
    by = data.draw(st.one_of(st.sampled_from(["destinataire", "categorie", "statut", 20, 1]), anything), label="by")
    call = FIGURES[figure]
    if figure == "dashboard":
        crit.pop("structure", None)  # the drill-down key is the `structure` argument itself
    frame, _ = attempt(w.desk, lambda: call(me, structure, by, crit), inputs=[structure, by, *crit.values()],
                       invariants=False, read_only=True, test="dashboard")  # fmt: skip
    if figure == "oldest_open":
        check_scope(w, login, frame)


@fuzz(40)
@given(
    login=st.sampled_from(READERS),
    crit=criteria(),
    list_name=st.one_of(st.sampled_from(["search", "to_process"]), anything),
)
def test_export_csv(w, login, crit, list_name):
    me = w.user(login)
    data, _ = attempt(w.desk, lambda: me.export_csv(list_name, **crit), inputs=[list_name, *crit.values()],
                      invariants=False, read_only=True, test="export_csv")  # fmt: skip
    if data is not None:
        assert isinstance(data, bytes) and data.startswith("\ufeff".encode())
        lines = data.decode("utf-8-sig").splitlines()
        if lines and lines[0].split(";")[0] == "Référence":
            for line in lines[1:]:
                assert readable(w, login, int(line.split(";")[0])), f"{login} exports a request outside its reach"


# -- attachments -----------------------------------------------------------------------------------

PDF, PNG = b"%PDF-1.4\n%%EOF\n", b"\x89PNG\r\n\x1a\n" + bytes(range(64))
OVERSIZED = b"a" * (MAX_SIZE + 1)
NAMES = [
    "piece.txt",
    "Bon de commande n° 42.pdf",
    "../../etc/passwd.txt",
    "a/b.txt",
    "a\\b.txt",
    "..",
    ".",
    "...",
    "facture.exe.pdf",
    "facture.js.txt",
    "a.pdf.exe",
    "sans_extension",
    ".txt",
    "a..txt",
    "CON.txt",
    "a.txt\x00.exe",
    "a\n.txt",
    "x" * 300 + ".txt",
    "e\u0301te\u0301.txt",
    "  espace.txt  ",
    "😀.png",
    "<script>alert(1)</script>.txt",
    "'; DROP TABLE pieces_jointes;--.txt",
    "a.TXT",
    "rapport.PdF",
    "image.svg",
    "page.html",
    "\u202etxt.exe",
    "a\ud800.txt",
    "=HYPERLINK(1).csv",
    "données.csv",
]
CONTENTS = [
    b"Bonjour\n",
    "Bonjour".encode("cp1252"),
    b"caf\xe9",
    b"\x81\x8d\x8f\x90\x9d",
    b"\x00\x01binaire",
    b"",
    PDF,
    PNG,
    b"PK\x03\x04" + b"\x00" * 30,
    b"<?xml version='1.0'?><a/>",
    b"{\\rtf1}",
    OVERSIZED,
    b"\xff\xfe" + "texte".encode("utf-16-le"),
    b"\xef\xbb\xbfavec BOM",
]


def _matches(name: str, content: bytes) -> bool:
    ext = name.lower().rsplit(".", 1)[-1]
    signatures = SIGNATURES.get(ext)
    return signatures is None or content.startswith(signatures)


def attachment_refusal(name, content, designation, type_) -> str | None:
    if not isinstance(name, str) or clean(name) is None:
        return "nom absent"
    if not isinstance(content, (bytes, bytearray, memoryview)):
        return "contenu illisible"
    n = unicodedata.normalize("NFC", name.strip())
    parts = n.lower().split(".")
    if "/" in n or "\\" in n or ".." in n or has_forbidden_characters(n) or len(n) > 200:
        return "nom non valide"
    if any(unicodedata.category(c) in ("Cf", "Co", "Zl", "Zp") for c in n):
        return "caractères invisibles ou inversant le texte"
    if re.fullmatch(r"con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$|clock\$", n.split(".")[0].rstrip(" "),
                    re.IGNORECASE):  # fmt: skip
        return "nom réservé par Windows"
    if len(parts) < 2 or parts[-1] not in SIGNATURES:
        return "extension non autorisée"
    if any(p in EXECUTABLE for p in parts[1:-1]):
        return "double extension"
    if len(content) == 0 or len(content) > MAX_SIZE:
        return "taille"
    if not _matches(n, bytes(content)):
        return "contenu ne correspondant pas à l'extension"
    if type_ not in TYPES:
        return "type inconnu"
    return must_refuse_text(designation, 200)


@pytest.fixture(scope="module")
def attach_draft(w):
    """The draft the files go to: a new one once it holds MAX_FILES, the most a request may hold."""
    drafts = [w.new(Status.BROUILLON, attach=False)]

    def current() -> int:
        if len(w.desk.store.attachments(drafts[-1])) >= MAX_FILES:
            drafts.append(w.new(Status.BROUILLON, attach=False))
        return drafts[-1]

    return current


@fuzz(100)
@given(
    name=st.one_of(variants(NAMES), st.text(max_size=30).map(lambda t: t + ".txt"), anything),
    content=st.one_of(
        st.sampled_from(CONTENTS),
        st.binary(max_size=64),
        st.text(max_size=5),
        st.none(),
        st.just(bytearray(b"tableau")),
        st.just(memoryview(b"vue memoire")),
    ),
    designation=st.one_of(st.none(), variants(["Bon de commande", "Capture"]), anything),
    type_=st.one_of(st.sampled_from(TYPES), anything),
)
def test_add_attachment(w, attach_draft, name, content, designation, type_):
    me = w.user("fournisseur")
    draft = attach_draft()
    refuse = attachment_refusal(name, content, designation, type_)
    attachment, _ = attempt(w.desk, lambda: me.add_attachment(draft, name, content, designation=designation,
                                                              type=type_),
                            inputs=[name, designation, type_], numeros=[draft], refuse=refuse,
                            test="add_attachment")  # fmt: skip
    if attachment is not None:
        stored_name = unicodedata.normalize("NFC", name.strip())
        assert me.attachment(draft, attachment) == (stored_name, bytes(content))
        meta = w.desk.store.attachment(attachment)
        assert meta["designation"] == (clean(designation) or stored_name.rsplit(".", 1)[0])
        assert meta["taille"] == len(bytes(content)) and meta["type"] == type_


# -- comments of the exchange actions ---------------------------------------------------------------

COMMENT_ACTIONS = {
    # action: (status it starts from, who acts, the call, history action)
    "respond": (Status.EN_COURS, "destinataire", lambda u, n, c: u.respond(n, c), "respond"),
    "request_information": (Status.EN_COURS, "destinataire", lambda u, n, c: u.request_information(n, c),
                            "request_information"),
    "transfer_to_support": (Status.EN_COURS, "destinataire", lambda u, n, c: u.transfer_to_support(n, c),
                            "transfer_to_support"),
    "add_complement": (Status.INFORMATIONS_REQUISES, "fournisseur", lambda u, n, c: u.add_complement(n, c),
                       "add_complement"),
    "close_early": (Status.EN_COURS, "fournisseur", lambda u, n, c: u.close(n, comment=c), "close_early"),
    "close_resolved": (Status.REPONDUE, "fournisseur", lambda u, n, c: u.close(n, resolved=True, comment=c),
                       "close_resolved"),
    "reopen": (Status.REPONDUE, "fournisseur", lambda u, n, c: u.close(n, resolved=False, reopen=True, comment=c),
               "reopen"),
}  # fmt: skip
comment_value = st.one_of(variants(["Merci.", "Le paiement part demain.", "Ligne 1\nLigne 2"]), anything)


@pytest.mark.parametrize("action", sorted(COMMENT_ACTIONS))
@fuzz(20)
@given(comment=comment_value)
def test_comments(w, action, comment):
    status, login, call, recorded = COMMENT_ACTIONS[action]
    numero = w.new(status, attach=False)
    refuse = (
        "commentaire obligatoire"
        if clean(comment) is None
        else must_refuse_text(comment, 4_000) or ("commentaire non textuel" if not isinstance(comment, str) else None)
    )
    _, error = attempt(w.desk, lambda: call(w.user(login), numero, comment), inputs=[comment], numeros=[numero],
                       refuse=refuse, test="comments")  # fmt: skip
    if error is None:
        last = w.desk.store.history(numero)[-1]
        assert last["action"] == recorded and last["commentaire"] == clean(comment)
        assert w.desk.store.comments(numero)[-1]["texte"] == clean(comment)
    elif clean(comment) is None:
        assert "Le commentaire est obligatoire" in check_messages(error, [comment])


def _flag(value, default):
    """What a yes/no flag means, or INVALID: bools, 0/1, "oui"/"non"; None is the default."""
    if value is None:
        return default
    if isinstance(value, (bool, int, np.integer)) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in ("oui", "non"):
        return value.strip().lower() == "oui"
    return "INVALID"


flag_value = st.one_of(st.none(), st.booleans(), st.sampled_from(["oui", "non", "Non", "", "false", "0", 0, 1, 2, [],
                                                                   [False], "peut-être"]))  # fmt: skip


@fuzz(40)
@given(resolved=flag_value, reopen=flag_value)
def test_close_flags(w, resolved, reopen):
    """The guide's two questions (resolved? reopen?): a wrong-typed answer must not be read as its truth value."""
    numero = w.new(Status.REPONDUE, attach=False)
    me = w.user("fournisseur")
    r, o = _flag(resolved, None), _flag(reopen, False)
    if "INVALID" in (r, o):
        refuse = "réponse oui/non illisible"
    elif r is None and not o:
        refuse = "la question « résolu ? » sans réponse"
    else:
        refuse = None
    _, error = attempt(w.desk, lambda: me.close(numero, resolved=resolved, reopen=reopen, comment="Merci."),
                       inputs=[resolved, reopen], numeros=[numero], refuse=refuse, test="close_flags")  # fmt: skip
    if error is None:
        row = w.desk.store.sollicitation(numero)
        if o and r is not True:
            assert row["statut"] == Status.ENVOYEE, f"resolved={resolved!r} reopen={reopen!r}: not reopened"
        else:
            assert row["statut"] == Status.FERMEE and row["resolue"] is r, (
                f"resolved={resolved!r} reopen={reopen!r}: stored resolue={row['resolue']!r}"
            )


# -- assign --------------------------------------------------------------------------------------


@fuzz(40)
@given(login=st.one_of(variants(LOGINS + ["COLLEGUE", "collègue", "inconnu"]), anything))
def test_assign(w, login):
    numero = w.new(Status.EN_COURS, attach=False)
    refuse = None if clean(login) in ("collegue", "destinataire") else "pas un agent de la structure destinataire"
    _, error = attempt(w.desk, lambda: w.user("destinataire").assign(numero, login), inputs=[login], numeros=[numero],
                       refuse=refuse, test="assign")  # fmt: skip
    if error is None:
        assert w.desk.store.sollicitation(numero)["assigne_a"] == clean(login)


# -- request numbers -------------------------------------------------------------------------------

NUMBER_CALLS = {
    "get": lambda u, n: u.get(n),
    "actions": lambda u, n: u.actions(n),
    "attachments": lambda u, n: u.attachments(n),
    "agents": lambda u, n: u.agents(n),
    "detail_pdf": lambda u, n: u.detail_pdf(n),
    "update_draft": lambda u, n: u.update_draft(n, description="Mise à jour"),
    "submit": lambda u, n: u.submit(n),
    "delete_draft": lambda u, n: u.delete_draft(n),
    "add_complement": lambda u, n: u.add_complement(n, "Complément"),
    "close": lambda u, n: u.close(n, resolved=True, comment="Merci."),
    "take_in_charge": lambda u, n: u.take_in_charge(n),
    "assign": lambda u, n: u.assign(n, "collegue"),
    "request_information": lambda u, n: u.request_information(n, "Précisez."),
    "respond": lambda u, n: u.respond(n, "Réponse."),
    "transfer_to_support": lambda u, n: u.transfer_to_support(n, "Hors périmètre."),
    "add_attachment": lambda u, n: u.add_attachment(n, "piece.txt", b"Bonjour\n"),
    "delete_attachment": lambda u, n: u.delete_attachment(n, 1),
    "attachment": lambda u, n: u.attachment(n, 1),
}


def resolves_to(value) -> int | None:
    """The request a value names, as a user would read it (ASCII or Unicode decimal digits, an integer)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip().isdecimal() and len(value.strip()) < 19:
        return int(value.strip())
    if isinstance(value, (int, np.integer)) and 0 < value < 2**62:
        return int(value)
    return None


def encodings(n: int) -> st.SearchStrategy:
    return st.sampled_from([n, str(n), f" {n} ", f"{n:07d}", np.int64(n), f"{n}\n"])


@pytest.mark.parametrize("method", sorted(NUMBER_CALLS))
@fuzz(10)
@given(
    login=st.sampled_from(["fournisseur", "dupont", "destinataire", "lecteur", "support", "gestionnaire"]),
    kind=st.sampled_from(["foreign", "junk", "own"]),
    data=st.data(),
)
def test_request_numbers(w, foreign, method, login, kind, data):
    me = w.user(login)
    if kind == "foreign" and login in foreign:
        target = data.draw(st.sampled_from(foreign[login]), label="foreign request")
        value = data.draw(encodings(target), label="numero")
    elif kind == "own":
        route = {"fournisseur": "own", "dupont": "dupont", "destinataire": "own", "lecteur": "own",
                 "support": "support", "gestionnaire": "own"}[login]  # fmt: skip
        status = data.draw(st.sampled_from(list(Status)), label="status")
        if route == "own" and login in ("destinataire", "lecteur") and status == Status.BROUILLON:
            status = Status.ENVOYEE
        target = w.new(status, route=route, attach=False)
        value = data.draw(encodings(target), label="numero")
    else:
        value = data.draw(numero_value, label="numero")
    target = resolves_to(value)
    visible = target is not None and readable(w, login, target)
    _, error = attempt(w.desk, lambda: NUMBER_CALLS[method](me, value), inputs=[value],
                       numeros=[target] if target is not None else [],
                       refuse=None if visible else "requête hors de portée", test="numeros")  # fmt: skip
    if not visible:
        assert isinstance(error, sol.PermissionDenied), f"{type(error).__name__}: {error}"
        assert "n'existe pas ou vous n'êtes pas habilité" in str(error), str(error)


# -- the rest of the API ---------------------------------------------------------------------------


@fuzz(30)
@given(login=st.one_of(variants(LOGINS + ["root", "admin"]), anything))
def test_as_user(w, login):
    attempt(w.desk, lambda: w.desk.as_user(login), inputs=[login], invariants=False, read_only=True, test="divers",
                      refuse=None if clean(login) in LOGINS else "utilisateur inconnu")  # fmt: skip


@fuzz(40)
@given(
    text=st.one_of(nasty_text, st.sampled_from(["REC201", "Support", "0000"]), anything),
    etat=st.one_of(st.none(), st.booleans(), anything),
    limit=st.one_of(st.integers(-5, 100), anything),
)
def test_search_structures(w, text, etat, limit):
    frame, _ = attempt(w.desk, lambda: w.desk.search_structures(text, etat=etat, limit=limit),
                       inputs=[text, etat, limit], invariants=False, read_only=True, test="divers")  # fmt: skip
    if frame is not None:
        assert frame["Publique"].all() if len(frame) else True


@fuzz(30)
@given(structure=st.one_of(variants([demo.REC201DESTINATAIRE, demo.STRUCTURE_PUBLIQUE_TEST]), anything))
def test_services(w, structure):
    attempt(
        w.desk, lambda: w.desk.services(structure), inputs=[structure], invariants=False, read_only=True, test="divers"
    )


@fuzz(25)
@given(enabled=st.one_of(st.booleans(), anything))
def test_set_notifications(w, enabled):
    me = w.user("dupont")
    _, error = attempt(w.desk, lambda: me.set_notifications(enabled), inputs=[enabled], invariants=False,
                       refuse=None if isinstance(enabled, bool) else "pas un oui/non", test="divers")  # fmt: skip
    if error is None:
        assert me.notifications() is enabled
        me.set_notifications(True)


@fuzz(30)
@given(
    page=st.one_of(st.integers(-2, 3), anything),
    page_size=st.one_of(st.integers(-2, 1001), anything),
    numero=st.one_of(st.none(), numero_value),
)
def test_outbox(w, page, page_size, numero):
    frame, _ = attempt(w.desk, lambda: w.user("support").outbox(page=page, page_size=page_size, numero=numero),
                       inputs=[page, page_size, numero], invariants=False, read_only=True, test="divers")  # fmt: skip
    if frame is not None and numero is not None:
        wanted = resolves_to(numero)
        assert set(frame["Sollicitation"].dropna().astype(int)) <= ({wanted} if wanted else set()), (
            f"outbox(numero={numero!r}) shows mails of other requests"
        )


@fuzz(30)
@given(data=st.data())
def test_attachment_ids(w, foreign, data):
    """An attachment id of another request (or junk) never returns or deletes anything."""
    me = w.user("fournisseur")
    numero = w.new(Status.BROUILLON, attach=True)
    mine = w.attachment_id(numero)
    theirs = w.desk.store.attachments(foreign["fournisseur"][0])[0]["id"]  # Dupont's draft
    value = data.draw(st.one_of(encodings(theirs), encodings(mine), numero_value), label="attachment id")
    method = data.draw(st.sampled_from(["attachment", "delete_attachment"]), label="method")
    ours = resolves_to(value) == mine
    result, _ = attempt(w.desk, lambda: getattr(me, method)(numero, value), inputs=[value],
                          numeros=[numero, foreign["fournisseur"][0]],
                          refuse=None if ours else "pièce jointe d'une autre sollicitation", test="divers")  # fmt: skip
    if result is not None:
        assert result[1] == b"Bon de commande n\xc2\xb0 42 : 3 pi\xc3\xa8ces.\n"


@fuzz(15)
@given(fmt=st.one_of(st.sampled_from(["xlsx", "csv", "parquet", ".CSV", "pdf", "../x"]), anything))
def test_export_format(w, tmp_path_factory, fmt):
    path = tmp_path_factory.mktemp("export") / "liste"
    attempt(
        w.desk,
        lambda: w.user("fournisseur").export(path, format=fmt, categorie="Factures émises"),
        inputs=[fmt],
        invariants=False,
        read_only=True,
        test="divers",
    )


def test_float_and_nan_are_never_request_numbers(w):
    """3.0 is not request 3 (a float is not a number typed by a user), NaN and infinity are refused."""
    me = w.user("gestionnaire")
    for value in (3.0, float("nan"), float("inf")):
        _, error = attempt(
            w.desk, lambda v=value: me.get(v), inputs=[value], invariants=False, read_only=True, test="numeros"
        )
        assert isinstance(error, sol.PermissionDenied)


# -- every input that once broke a call, kept as a fixed example (the random search may not meet it again) --

# case -> (lambda w: the call to try, its setup already done: defaults are evaluated when the call is built)
FOUND = {
    "save_draft service=0": lambda w: lambda: w.user("fournisseur").save_draft(**BASES["choisi"], service=0),
    "save_draft service=frozenset": lambda w: (
        lambda: w.user("fournisseur").save_draft(**BASES["bureau"], service=frozenset({1}))
    ),
    "save_draft service_destinataire=bytes": lambda w: (
        lambda: w.user("fournisseur").save_draft(
            **BASES["choisi"], service_destinataire="Service comptabilité".encode("latin-1")
        )
    ),
    "save_draft destinataire=True": lambda w: (
        lambda: w.user("fournisseur").save_draft(**{**BASES["choisi"], "destinataire": True})
    ),
    "save_draft description=surrogate": lambda w: (
        lambda: w.user("fournisseur").save_draft(**{**BASES["support"], "description": "a\ud800b"})
    ),
    "update_draft service={}": lambda w: (
        lambda n=w.user("fournisseur").save_draft(**BASES["choisi"]): w.user("fournisseur").update_draft(
            n, service={"a": 1}
        )
    ),
    "respond comment=surrogate": lambda w: (
        lambda n=w.new(Status.EN_COURS, attach=False): w.user("destinataire").respond(n, "\udc00")
    ),
    "add_attachment name=surrogate (os.fsdecode)": lambda w: (
        lambda n=w.new(Status.BROUILLON, attach=False): w.user("fournisseur").add_attachment(
            n, "facture\udce9.txt", b"x"
        )
    ),
    "add_attachment designation=surrogate": lambda w: (
        lambda n=w.new(Status.BROUILLON, attach=False): w.user("fournisseur").add_attachment(
            n, "facture.txt", b"x", designation="\udce9"
        )
    ),
    "contact description=surrogate": lambda w: (
        lambda: w.desk.contact("Connexion", "Compte bloqué", "a@exemple.fr", "x\ud800")
    ),
    "contact_form client=None": lambda w: (
        lambda q=_proof(w.desk): w.desk.contact_form(
            **CONTACT_FORM, captcha_token=q[0], captcha_answer=q[1], client=None
        )
    ),
    "contact_form client=[1]": lambda w: (
        lambda q=_proof(w.desk): w.desk.contact_form(
            **CONTACT_FORM, captcha_token=q[0], captcha_answer=q[1], client=[1]
        )
    ),
    "assign login=[]": lambda w: lambda n=w.new(Status.EN_COURS, attach=False): w.user("destinataire").assign(n, []),
    "assign login={}": lambda w: lambda n=w.new(Status.EN_COURS, attach=False): w.user("destinataire").assign(n, {}),
    "get '²'": lambda w: lambda: w.user("fournisseur").get("²"),
    "attachment id '²'": lambda w: lambda n=w.new(Status.BROUILLON): w.user("fournisseur").attachment(n, "²"),
    "search sous_categorie=['']": lambda w: lambda: w.user("fournisseur").search(sous_categorie=[""]),
    "search structure=[1] (recues)": lambda w: lambda: w.user("destinataire").search(structure=[1]),
    "search destinataire=0": lambda w: lambda: w.user("fournisseur").search(destinataire=0),
    "search au=31/12/9999": lambda w: lambda: w.user("fournisseur").search(au="31/12/9999"),
    "reopen_rates au=date.max": lambda w: lambda: w.user("gestionnaire").reopen_rates(au=date.max),
    "to_process page=2**60": lambda w: lambda: w.user("fournisseur").to_process(page=2**60),
    "search page=2**60": lambda w: lambda: w.user("fournisseur").search(page=2**60, categorie="Factures émises"),
    "search sort=[1]": lambda w: lambda: w.user("fournisseur").search(sort=[1], categorie="Factures émises"),
    "delays by={}": lambda w: lambda: w.user("gestionnaire").delays(by={}),
    "reopen_rates by=[]": lambda w: lambda: w.user("gestionnaire").reopen_rates(by=[]),
    "monthly by=[]": lambda w: lambda: w.user("gestionnaire").monthly(by=[]),
    "dashboard structure=[1] (gestionnaire)": lambda w: lambda: w.user("gestionnaire").dashboard(structure=[1]),
    "as_user surrogate": lambda w: lambda: w.desk.as_user("a\udfffb"),
    "search_structures text=1": lambda w: lambda: w.desk.search_structures(1),
    "search_structures text=bytes": lambda w: lambda: w.desk.search_structures(b"REC"),
    "search_structures limit=-1": lambda w: lambda: w.desk.search_structures("REC", limit=-1),
    "search_structures limit='x'": lambda w: lambda: w.desk.search_structures("REC", limit="x"),
    "services structure=0": lambda w: lambda: w.desk.services(0),
    "services structure=[1]": lambda w: lambda: w.desk.services([1]),
    "outbox numero='x'": lambda w: lambda: w.user("support").outbox(numero="x"),
    "outbox numero=0": lambda w: lambda: w.user("support").outbox(numero=0),
}
MUST_BE_REFUSED = set(FOUND) - {
    "search au=31/12/9999",
    "reopen_rates au=date.max",  # a far date is a date
    "contact_form client=[1]",
}  # the client is the app's, not typed: no crash is enough


@pytest.mark.parametrize("case", sorted(FOUND))
def test_inputs_that_once_broke_a_call(w, case):
    attempt(w.desk, FOUND[case](w), inputs=[], test="exemples fixes",
            refuse="entrée invalide" if case in MUST_BE_REFUSED else None)  # fmt: skip


@pytest.mark.parametrize(
    "resolved, reopen",
    [("non", False), ("oui", "non"), (None, "non"), (None, "false"), ("", False), (1, 0), ([], False), (True, "oui")],
)
def test_close_flags_found(w, resolved, reopen):
    """`close(resolved="non")` once closed the request as resolved, `reopen="non"` reopened it."""
    numero = w.new(Status.REPONDUE, attach=False)
    r, o = _flag(resolved, None), _flag(reopen, False)
    refuse = "oui/non illisible" if "INVALID" in (r, o) else ("question sans réponse" if r is None and not o else None)
    _, error = attempt(w.desk, lambda: w.user("fournisseur").close(numero, resolved=resolved, reopen=reopen,
                                                                    comment="Merci."),
                       inputs=[resolved, reopen], numeros=[numero], refuse=refuse, test="exemples fixes")  # fmt: skip
    if error is None:
        row = w.desk.store.sollicitation(numero)
        expected = Status.ENVOYEE if o and r is not True else Status.FERMEE
        assert row["statut"] == expected and (expected == Status.ENVOYEE or row["resolue"] is r)
