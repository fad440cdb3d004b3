"""Full-text search ("Mots-clés"): the words of a request's description and exchanges, found by prefix,
against a Python reading of the same texts; the index kept in step by every write, in its transaction."""

from __future__ import annotations

import random
import re
import unicodedata

import pandas as pd
import pytest

import sollicitations as sol
from sollicitations import rules
from sollicitations.status import Status
from sollicitations.store import STOP_WORDS

from .conftest import ROUTES


def words(text: str) -> set[str]:
    """The words of `text` as a reader would cut them: an oracle written apart from the SQL."""
    text = text.lower().replace("œ", "oe").replace("æ", "ae")
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return {w for w in re.split(r"[^a-z0-9]+", text) if 2 <= len(w) <= 40 and w not in STOP_WORDS}


def matching(texts: pd.DataFrame, terms: list[str]) -> set[int]:
    """Numbers of the requests where every term starts one of the words (descriptions and comments)."""
    by_request: dict[int, set[str]] = {}
    for numero, text in texts.itertuples(index=False):
        by_request.setdefault(numero, set()).update(words(text))
    return {n for n, ws in by_request.items() if all(any(w.startswith(t) for w in ws) for t in terms)}


def found(me: sol.UserDesk, space: str, **criteria) -> set[int]:
    numbers, page = set(), 1
    while True:
        rows = me.search(page=page, page_size=200, space=space, **criteria)
        numbers |= set(rows["Référence"].astype(int))
        if page >= rows.attrs["pages"]:
            return numbers
        page += 1


def refused(call, message: str) -> None:
    with pytest.raises(sol.ValidationError) as caught:
        call()
    assert message in caught.value.messages


@pytest.fixture(scope="module")
def texts(big_desk) -> pd.DataFrame:
    return big_desk.store.query_df(
        "SELECT numero, description AS texte FROM sollicitations UNION ALL SELECT numero, texte FROM commentaires"
    )


def test_the_index_cuts_words_as_a_reader_does(big_desk):
    text = "L'état de la FACTURE n° FAC-2026-0042 : rejetée, cœur du problème. Æther été à Noël!"
    assert set(big_desk.store.words_of(text)) == words(text)
    assert words(text) >= {"etat", "facture", "fac", "2026", "0042", "rejetee", "coeur", "probleme", "aether", "noel"}
    assert not {"de", "la", "du", "ete", "l", "n"} & set(big_desk.store.words_of(text))


def test_every_accented_latin_letter_loses_its_accent(big_desk):
    letters = [chr(c) for c in range(0xC0, 0x180) if chr(c).isalpha()]
    text = " ".join(f"x{letter}y" for letter in letters)  # one word per letter, accents inside
    assert set(big_desk.store.words_of(text)) == words(text)


@pytest.mark.parametrize(
    "login, space",
    [("gestionnaire", "toutes"), ("fournisseur", "emises"), ("destinataire", "recues"), ("support", "recues")],
)
def test_words_find_what_a_reader_finds(big_desk, texts, login, space):
    me = big_desk.as_user(login)
    allowed = set(found(me, space, du="2000-01-01"))
    vocabulary = sorted({w for t in texts["texte"] for w in words(t)})
    rng = random.Random(f"{login}-full-text")
    queries = [[w] for w in rng.sample(vocabulary, 6)]
    queries += [[w[:3]] for w in rng.sample(vocabulary, 4) if len(w) > 3]  # prefixes
    queries += [rng.sample(vocabulary, 2) for _ in range(4)]  # two words, both required
    queries += [[w.upper()] for w in rng.sample(vocabulary, 2)]  # case does not matter
    hits = 0
    for terms in queries:
        expected = matching(texts, [t.lower() for t in terms]) & allowed
        assert found(me, space, mots=" ".join(terms)) == expected, terms
        hits += bool(expected)
    assert hits >= 6  # the sample is not all misses


def test_words_combine_with_the_other_criteria(big_desk, texts):
    me = big_desk.as_user("gestionnaire")
    word = words(texts["texte"].iloc[0]).pop()
    with_word = matching(texts, [word])
    en_cours = set(big_desk.store.query_df("SELECT numero FROM sollicitations WHERE statut = 'en_cours'")["numero"])
    assert found(me, "toutes", mots=word, statut="En cours") == with_word & en_cours


def test_the_index_follows_every_write(world):
    desk = world.desk
    me = world.emitter()
    agent = world.receiver()
    fields = dict(ROUTES["own"]["fields"], description="Palettes de granulés livrées deux fois")
    n = me.save_draft(**fields)
    assert found(me, "emises", mots="granul palette") == {n}
    me.update_draft(n, description="Bordereau de livraison égaré")
    assert found(me, "emises", mots="granul") == set()
    assert found(me, "emises", mots="egare bordereau") == {n}
    me.submit(n)
    agent.take_in_charge(n)
    agent.request_information(n, "Merci de préciser la référence du transporteur.")
    assert n in found(me, "emises", mots="transporteur")
    assert n in found(agent, "recues", mots="transporteur bordereau")
    me.add_complement(n, "Le transporteur est la société Rapidéchange.")
    assert found(agent, "recues", mots="rapidechange") == {n}

    draft = me.save_draft(**dict(fields, description="Brouillon zyxquartz"))
    assert found(me, "emises", mots="zyxquartz") == {draft}
    assert found(agent, "recues", mots="zyxquartz") == set()  # receivers never see drafts
    me.delete_draft(draft)
    assert desk.store.query_df("SELECT * FROM mots WHERE numero = ?", [draft]).empty


def test_a_failed_write_leaves_no_word_behind(world):
    store = world.desk.store

    def write_then_fail(cur):
        n = store.next_numero(cur)
        store.append_comment(cur, 1, pd.Timestamp("2026-11-02 10:00"), "fournisseur", "emetteur", "motintrouvable")
        raise RuntimeError(f"interrupted after {n}")

    with pytest.raises(RuntimeError):
        store.run(write_then_fail)
    assert store.query_df("SELECT * FROM mots WHERE mot = 'motintrouvable'").empty


def test_other_suppliers_words_stay_theirs(world):
    theirs = world.emitter("dupont").save_draft(**dict(ROUTES["dupont"]["fields"], description="Chevrons mélèze"))
    world.emitter("dupont").submit(theirs)
    assert found(world.emitter(), "emises", mots="meleze") == set()
    assert found(world.user("destinataire"), "recues", mots="meleze") == {theirs}


def test_an_older_database_is_indexed_when_it_upgrades(world, tmp_path):
    desk = world.desk
    me = world.emitter()
    n = me.save_draft(**dict(ROUTES["own"]["fields"], description="Ancienne base sans index"))
    cur = desk.store.cursor()
    cur.execute("DROP TABLE mots")
    cur.execute("DELETE FROM schema_migrations WHERE name = '0005_full_text'")
    assert desk.store.migrate() == ["0005_full_text"]
    assert found(me, "emises", mots="ancienne index") == {n}


@pytest.mark.parametrize("text, message", [
    ("de la", rules.MOTS_VIDES),
    ("!! ??", rules.MOTS_VIDES),
    ("a b c", rules.MOTS_VIDES),
    (" ".join(f"mot{i}" for i in range(rules.MOTS_MAX + 1)), rules.MOTS_TROP_NOMBREUX),
    ("facture-" * 30, "Le critère « Mots-clés » ne doit pas dépasser 200 caractères (240 saisis)"),
    (42, "Le critère « Mots-clés » doit être un texte"),
    ("facture\x00", "Le critère « Mots-clés » contient des caractères de contrôle non autorisés"),
])  # fmt: skip
def test_unusable_words_are_refused_in_french(mworld, text, message):
    refused(lambda: mworld.emitter().search(mots=text), message)


def test_words_alone_are_a_criterion(mworld):
    rows = mworld.emitter().search(mots="facture")
    assert rows.attrs["total"] == len(found(mworld.emitter(), "emises", mots="facture")) > 0
    statuses = set(rows["Statut sollicitation"])
    assert statuses and statuses <= {s.label for s in Status} | {s.short_label for s in Status}
