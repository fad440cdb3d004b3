"""The store: the only code of the project that speaks SQL, one module per aggregate.

    core.py         Store (a database and its transactions), composed of the mixins below
    connection.py   one small API over DuckDB and PostgreSQL connections, and their errors
    dialects.py     what each backend does differently (locks, snapshots, lookups)
    schema.py       the named migrations and applying them
    directory.py    structures, services, objects, categories
    accounts.py     users, habilitations, passwords, sessions, the contact form's defences
    requests.py     requests, their history and comments
    words.py        full-text words and their index
    attachments.py  attachments and their bytes
    filters.py      scopes and filters as SQL, sorts, list pages
    figures.py      dashboards' and managers' figures, and their cache
    outbox.py       mails waiting for delivery
    bulk.py         whole-store copies (snapshots, DuckDB into PostgreSQL)
    transfer.py     the rows of a DuckDB store moved into PostgreSQL (binary COPY)
    generated.py    the demo and benchmark worlds' generated requests (demo.py)

What the rest of the project imports from the store is re-exported here; Scope and Filters, what a list
asks for, are sollicitations/scopes.py's.
"""

from .core import READ_ONLY_MESSAGE, ReadOnly, StaleRead, Store
from .filters import SORTS
from .requests import FIRST_STEPS, STRUCTURE_KEYS
from .words import _ACCENTED, _LONGER, MAX_STRUCTURE_WORDS, STOP_WORDS, structure_search_words, words_sql

__all__ = [
    "FIRST_STEPS", "MAX_STRUCTURE_WORDS", "READ_ONLY_MESSAGE", "SORTS", "STOP_WORDS", "STRUCTURE_KEYS",
    "_ACCENTED", "_LONGER", "ReadOnly", "StaleRead", "Store", "structure_search_words", "words_sql",
]  # fmt: skip
