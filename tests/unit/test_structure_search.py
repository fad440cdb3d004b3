"""The recipient's "Rechercher": structures found by name or identifier, case and accents aside, words in any order."""

from __future__ import annotations

import pytest

import sollicitations as sol
from sollicitations import demo
from sollicitations.store import _ACCENTED, _LONGER, MAX_STRUCTURE_WORDS, structure_search_words

# Invented public structures, written as directories write them: capitals with or without accents.
COLLEGES = {
    "21000000000011": ("COLLÈGE JEAN-MOULIN", False),
    "21000000000029": ("Collège Jean Jaurès", False),
    "21000000000037": ("College Pierre et Marie Curie", False),
    "21000000000045": ("Lycée Sœur Émilie", False),
    "21000000000052": ("Préfecture de la région Île-de-France", True),
}


@pytest.fixture
def structures(desk):
    def add(cur):
        for ident, (name, etat) in COLLEGES.items():
            desk.store.add_structure(cur, ident, name, True, etat)
        desk.store.add_structure(cur, "21000000000060", "Collège privé Saint-Exupéry", False, False)

    desk.store.run(add)
    return desk


def found(desk, text, **kwargs) -> list[str]:
    return desk.search_structures(text, **kwargs)["Identifiant"].tolist()


COLLEGES_PUBLICS = ["21000000000011", "21000000000029", "21000000000037"]


@pytest.mark.parametrize("text", ["college", "COLLEGE", "Collège", "COLLÈGE", "cOlLéGe", "  collège  "])
def test_case_and_accents_aside(structures, text):
    assert sorted(found(structures, text)) == COLLEGES_PUBLICS


@pytest.mark.parametrize("text, expected", [
    ("COLLEGE jean", ["21000000000011", "21000000000029"]),
    ("jean college", ["21000000000011", "21000000000029"]),
    ("moulin jean collège", ["21000000000011"]),
    ("Jean-Moulin", ["21000000000011"]),  # the hyphen separates words, as a blank does
    ("jaures", ["21000000000029"]),
    ("curie marie", ["21000000000037"]),
    ("soeur emilie", ["21000000000045"]),  # the ligature œ reads "oe"
    ("SŒUR", ["21000000000045"]),
    ("ile de france", ["21000000000052"]),
    ("college inconnu", []),  # every word must be found
])  # fmt: skip
def test_every_word_in_any_order(structures, text, expected):
    assert sorted(found(structures, text)) == expected


def test_by_identifier_whole_part_or_with_a_word(structures):
    assert found(structures, "21000000000029") == ["21000000000029"]
    assert sorted(found(structures, "2100000000001")) == ["21000000000011"]
    assert found(structures, "college 21000000000037") == ["21000000000037"]
    assert found(structures, demo.STRUCTURE_PUBLIQUE_TEST) == [demo.STRUCTURE_PUBLIQUE_TEST]


def test_public_structures_only_and_the_etat_answer(structures):
    assert "21000000000060" not in found(structures, "college")  # private: never a recipient
    assert found(structures, "ile-de-france", etat=True) == ["21000000000052"]
    assert found(structures, "ile-de-france", etat=False) == []
    assert sorted(found(structures, "college", etat=False)) == COLLEGES_PUBLICS
    assert found(structures, "college", etat=True) == []


def test_like_wildcards_are_plain_text(structures):
    assert found(structures, "%") == []
    assert found(structures, "_") == []
    assert found(structures, "coll%ge") == []
    assert found(structures, "\\") == []


def test_no_word_means_every_public_structure(structures):
    publics = structures.store.query_df("SELECT id FROM structures WHERE publique")["id"].tolist()
    for text in ("", "   ", " - ' "):
        assert sorted(found(structures, text, limit=500)) == sorted(publics)
    assert len(found(structures, "", limit=2)) == 2


def test_the_demo_world_too(desk):
    """The fixed demo's own names: lower-case accents in the store, none in the search."""
    assert found(desk, "DEPARTEMENTAL finances") == ["13000000000022"]
    assert found(desk, "reglementation") == ["13000000000014"]
    assert found(desk, "publique test") == [demo.STRUCTURE_PUBLIQUE_TEST]


def test_python_folding_matches_the_stored_folding(desk):
    """Every letter the SQL folds, written in the store in both cases, is found by its plain letters and
    by itself: the words are folded in Python exactly as the names are folded in SQL."""
    letters = list(_ACCENTED) + [letter for letter, _ in _LONGER]
    idents = {}

    def add(cur):
        for i, letter in enumerate(letters):
            ident = f"3{i:013d}"
            idents[letter] = ident
            desk.store.add_structure(cur, ident, f"Zq{letter.upper()}x Wq{letter}y", True, False)

    desk.store.run(add)
    plain = {letter: structure_search_words(letter)[0] for letter in letters}
    for letter in letters:
        # Several letters fold alike ("à", "á", "â" -> "a"): each is found with all its kin.
        kin = sorted(idents[other] for other in letters if plain[other] == plain[letter])
        for text in (f"zq{plain[letter]}x", f"wq{plain[letter]}y", f"ZQ{letter.upper()}X", f"wq{letter}y"):
            assert sorted(found(desk, text, limit=500)) == kin, (letter, text)


def test_words_are_distinct_and_bounded():
    assert structure_search_words("Collège COLLEGE college jean") == ["college", "jean"]
    many = " ".join(f"mot{i}" for i in range(40))
    assert len(structure_search_words(many)) == MAX_STRUCTURE_WORDS


def test_a_search_that_is_not_text_is_refused(desk):
    with pytest.raises(sol.ValidationError):
        desk.search_structures(b"college")
