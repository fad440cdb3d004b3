"""Full-text words: what a word is (lower case, accents and ligatures undone, stop words out), the SQL
that cuts texts into words, and the index of words (table `mots`) kept in step with requests and comments.

The same folding serves the structure search (structure_search_words, `_plain_sql`).
"""

from __future__ import annotations

import re
import unicodedata

# Words a full-text search ignores: too common in French to tell requests apart.
STOP_WORDS = (
    "au", "aux", "avec", "ce", "ces", "cette", "dans", "de", "des", "du", "elle", "en", "est", "et", "il",
    "ils", "je", "la", "le", "les", "leur", "leurs", "mais", "me", "mes", "ne", "nos", "notre", "nous",
    "on", "ou", "par", "pas", "pour", "qu", "que", "qui", "sa", "se", "ses", "son", "sont", "sur", "ta",
    "te", "tes", "ton", "un", "une", "vos", "votre", "vous", "etre", "avoir", "ete", "ai", "as", "avons",
    "avez", "ont", "y", "bonjour", "merci", "cordialement", "madame", "monsieur",
)  # fmt: skip
MAX_WORD_LENGTH = 40


def _accent_table() -> tuple[str, str, list[tuple[str, str]]]:
    """Lower-case Latin letters with diacritics (Latin-1 and Extended-A): those that lose their accent to
    one letter, the letters they become, and the others with what they become ("ĳ" -> "ij")."""
    accented, plain, longer = [], [], [("œ", "oe"), ("æ", "ae")]
    for code in range(0xC0, 0x180):
        letter = chr(code).lower()
        base = "".join(c for c in unicodedata.normalize("NFKD", letter) if not unicodedata.combining(c))
        if len(letter) != 1 or letter in accented or letter in dict(longer) or base == letter:
            continue
        if len(base) == 1 and "a" <= base <= "z":
            accented.append(letter)
            plain.append(base)
        else:
            longer.append((letter, base))
    return "".join(accented), "".join(plain), longer


# For translate() and replace(), which run on DuckDB and PostgreSQL alike (neither strip_accents nor
# unaccent does).
_ACCENTED, _UNACCENTED, _LONGER = _accent_table()


def _plain_sql(text: str) -> str:
    for letter, base in _LONGER:
        text = f"replace({text}, '{letter}', '{base}')"
    return f"translate({text}, '{_ACCENTED}', '{_UNACCENTED}')"


_PLAIN_TABLE = str.maketrans(_ACCENTED, _UNACCENTED)
# What separates the words of a structure search: blanks and the punctuation of names ("Saint-Aubin",
# "d'appel"). LIKE's own "%" and "_" are not among them: they are searched as they are.
_STRUCTURE_WORD_SEPARATORS = re.compile(r"[\s\-'’,.;:/()]+")
MAX_STRUCTURE_WORDS = 12


def structure_search_words(text: str) -> list[str]:
    """The words of a structure search, folded as `_plain_sql("lower(...)")` folds the stored text:
    lower case, then the same ligatures and accents undone. Distinct, in order, at most 12."""
    plain = text.lower()
    for letter, base in _LONGER:
        plain = plain.replace(letter, base)
    plain = plain.translate(_PLAIN_TABLE)
    words = [w for w in _STRUCTURE_WORD_SEPARATORS.split(plain) if w]
    return list(dict.fromkeys(words))[:MAX_STRUCTURE_WORDS]


def words_sql(source: str) -> str:
    """SQL of the distinct (mot, numero) pairs of `source`, a query of (numero, texte) rows.

    The one definition of a word, for the index and for a search's terms alike: lower case, accents
    and ligatures undone, split on anything but letters and digits, 2 to 40 characters, stop words
    out. Its one bound value is the stop-word list.
    """
    return f"""
        SELECT DISTINCT w AS mot, numero FROM (
            SELECT numero, unnest(regexp_split_to_array(
                       {_plain_sql("lower(texte)")},
                       '[^a-z0-9]+')) AS w
            FROM ({source}) src
        ) words
        WHERE length(w) BETWEEN 2 AND {MAX_WORD_LENGTH} AND NOT (w = ANY(?))
    """


class WordsMixin:
    """Store's full-text index (mixed into Store, core.py)."""

    def words_of(self, text: str) -> list[str]:
        """The words of `text` as the index keeps them (what a search looks for), in order of length."""
        rows = (
            self.cursor()
            .execute(
                f"SELECT mot FROM ({words_sql('SELECT 0 AS numero, ? AS texte')}) words ORDER BY length(mot) DESC, mot",
                [text, list(STOP_WORDS)],
            )
            .fetchall()
        )
        return [r[0] for r in rows]

    def _index_words(self, cur, numero: int, text: str) -> None:
        # A word already indexed for this request may be added again: searches read numbers as a set.
        cur.execute(
            f"INSERT INTO mots {words_sql('SELECT ? AS numero, ? AS texte')}",
            [numero, text, list(STOP_WORDS)],
        )

    def _reindex_words(self, cur, numero: int) -> None:
        cur.execute("DELETE FROM mots WHERE numero = ?", [numero])
        source = (
            "SELECT numero, description AS texte FROM sollicitations WHERE numero = ?"
            " UNION ALL SELECT numero, texte FROM commentaires WHERE numero = ?"
        )
        cur.execute(f"INSERT INTO mots {words_sql(source)}", [numero, numero, list(STOP_WORDS)])

    def rebuild_words(self, cur) -> None:
        """Index every request again, the rows sorted by word: after a bulk load, or to compact the
        index once many writes have appended words out of order."""
        cur.execute("DELETE FROM mots")
        source = (
            "SELECT numero, description AS texte FROM sollicitations UNION ALL SELECT numero, texte FROM commentaires"
        )
        cur.execute(
            f"INSERT INTO mots SELECT * FROM ({words_sql(source)}) words ORDER BY mot, numero", [list(STOP_WORDS)]
        )
