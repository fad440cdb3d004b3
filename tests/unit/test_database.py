"""The connection layer under the store (sollicitations/store/connection.py), on DuckDB and on PostgreSQL.

Every test taking `db` runs on both backends: a DuckDB file in tmp_path, and a fresh PostgreSQL database
per test when SOLLICITATIONS_TEST_PG is set (see tests/pg.py: without it the PostgreSQL cases are
deselected, or fail when SOLLICITATIONS_REQUIRE_PG=1).
"""

from __future__ import annotations

import threading
import time
from datetime import datetime

import pandas as pd
import pytest

from sollicitations.store.connection import (
    DatabaseError,
    IntegrityError,
    ReadOnlyError,
    UndefinedObject,
    WriteConflict,
    open_database,
    translate,
)
from tests.pg import drop_database, ensure_plugin, fresh_database, require_pg_url, unique_name


def postgresql_only(test):
    """The test runs on PostgreSQL only (still marked `postgresql`)."""
    test.postgresql_only = True
    return test


def pytest_generate_tests(metafunc):
    """Every test using `target` (or `db`) runs on both backends; the PostgreSQL case is marked
    `postgresql`. The marks are made here, not at import, so that the tests.pg plugin (the marker and its
    deselection) is registered first, even when tests/conftest.py does not load it."""
    if "target" not in metafunc.fixturenames:
        return
    ensure_plugin(metafunc.config)
    postgresql = pytest.param("postgresql", marks=pytest.mark.postgresql, id="postgresql")
    only = getattr(metafunc.function, "postgresql_only", False)
    metafunc.parametrize("target", [postgresql] if only else ["duckdb", postgresql], indirect=True)


@pytest.fixture
def target(request, tmp_path):
    """Where a test's database lives: a DuckDB file path, or the URL of a new PostgreSQL database."""
    if request.param == "duckdb":
        yield tmp_path / "test.duckdb"
        return
    url = require_pg_url()
    name = unique_name("test_database")
    yield fresh_database(url, name)
    drop_database(url, name)


@pytest.fixture
def db(target):
    database = open_database(target)
    database.cursor().execute(
        "CREATE TABLE t (id BIGINT PRIMARY KEY, statut VARCHAR NOT NULL, n INTEGER NOT NULL DEFAULT 0)"
    )
    database.cursor().execute("INSERT INTO t VALUES (1, 'a', 0), (2, 'b', 0)")
    yield database
    database.close()


def run_in_thread(work):
    """Run work() in a new thread; return its result, or raise what it raised."""
    box = {}

    def main():
        try:
            box["result"] = work()
        except BaseException as error:  # noqa: BLE001  (re-raised in the caller's thread)
            box["error"] = error

    thread = threading.Thread(target=main)
    thread.start()
    thread.join(30)
    assert not thread.is_alive(), "the thread did not finish"
    if "error" in box:
        raise box["error"]
    return box["result"]


# -- placeholders (no database) -----------------------------------------------------------------


@pytest.mark.parametrize(
    "sql, expected",
    [
        ("SELECT * FROM t WHERE a = ? AND b = ?", "SELECT * FROM t WHERE a = %s AND b = %s"),
        ("SELECT '?', ? FROM t", "SELECT '?', %s FROM t"),
        ("SELECT 'it''s ?', ?", "SELECT 'it''s ?', %s"),
        ("SELECT E'it\\'s ?', ?", "SELECT E'it\\'s ?', %s"),
        ('SELECT "odd?name", ?', 'SELECT "odd?name", %s'),
        ("SELECT ? -- a question?\n, ?", "SELECT %s -- a question?\n, %s"),
        ("SELECT /* why? 50% */ ?", "SELECT /* why? 50%% */ %s"),
        ("SELECT $$ ? $$, $x$ ? $x$, ?", "SELECT $$ ? $$, $x$ ? $x$, %s"),
        ("WHERE s LIKE 'a%' AND n % 2 = ?", "WHERE s LIKE 'a%%' AND n %% 2 = %s"),
        ("SELECT 1", "SELECT 1"),
    ],
)
def test_translate_question_marks_outside_literals_and_doubles_every_percent(sql, expected):
    assert translate(sql) == expected


def test_translate_is_cached_per_text():
    sql = "SELECT ? AS cached_probe"
    translate(sql)
    hits = translate.cache_info().hits
    translate(sql)
    assert translate.cache_info().hits == hits + 1


def test_open_database_chooses_the_backend_from_the_target(tmp_path):
    with open_database(":memory:") as memory:
        assert memory.dialect == "duckdb" and not memory.read_only
    with open_database(tmp_path / "sub" / "x.duckdb") as file:
        assert file.dialect == "duckdb"
    assert (tmp_path / "sub" / "x.duckdb").exists()


# -- statements -----------------------------------------------------------------------------------


def test_placeholders_inside_string_literals_are_left_alone(db):
    cur = db.cursor()
    row = cur.execute("SELECT '?' AS q, ? AS p, 'a%b' AS pct, 'x?y' || ? AS s -- really?", [5, "!"]).fetchone()
    assert row == ("?", 5, "a%b", "x?y!")
    assert [d[0] for d in cur.description] == ["q", "p", "pct", "s"]


def test_percent_in_like_patterns_and_modulo(db):
    cur = db.cursor()
    cur.executemany("INSERT INTO t (id, statut) VALUES (?, ?)", [(3, "abc"), (4, "xbc"), (5, "a%c"), (6, "abd")])
    assert cur.execute("SELECT count(*) FROM t WHERE statut LIKE 'a%' AND id > ?", [2]).fetchone()[0] == 3
    assert cur.execute("SELECT count(*) FROM t WHERE statut LIKE ?", ["%bc"]).fetchone()[0] == 2
    escaped = "SELECT id FROM t WHERE statut LIKE 'a\\%%' ESCAPE '\\' AND id % 5 = ?"
    assert cur.execute(escaped, [0]).fetchall() == [(5,)]
    # Without parameters the text is sent as it is, `%` included.
    assert cur.execute("SELECT 'a%b', 7 % 3").fetchone() == ("a%b", 1)


def test_list_parameters_and_typed_nulls(db):
    cur = db.cursor()
    found = cur.execute("SELECT id FROM t WHERE statut = ANY(?) ORDER BY id", [["a", "b", "z"]]).fetchall()
    assert found == [(1,), (2,)]
    assert cur.execute("SELECT count(*) FROM t WHERE id = ANY(?)", [[]]).fetchone()[0] == 0
    both = "SELECT count(*) FROM t WHERE CAST(? AS VARCHAR) IS NULL OR statut = ?"
    assert cur.execute(both, [None, None]).fetchone()[0] == 2
    assert cur.execute(both, ["b", "b"]).fetchone()[0] == 1


def test_sequences_and_returning(db):
    cur = db.cursor()
    cur.execute("CREATE SEQUENCE t_id START 10")
    new = cur.execute("INSERT INTO t (id, statut) VALUES (nextval('t_id'), ?) RETURNING id", ["c"]).fetchone()[0]
    assert new == 10
    update = "UPDATE t SET n = n + 1 WHERE id = ? AND statut = ? RETURNING id"
    assert cur.execute(update, [new, "c"]).fetchall() == [(10,)]
    assert cur.execute(update, [new, "z"]).fetchall() == []


def test_errors_are_the_layers_own_with_the_driver_error_chained(db):
    cur = db.cursor()
    with pytest.raises(IntegrityError) as duplicate:
        cur.execute("INSERT INTO t (id, statut) VALUES (?, ?)", [1, "again"])
    assert isinstance(duplicate.value, DatabaseError) and duplicate.value.__cause__ is not None
    assert type(duplicate.value.__cause__).__module__.split(".")[0] in ("duckdb", "_duckdb", "psycopg")
    with pytest.raises(UndefinedObject):
        cur.execute("SELECT * FROM no_such_table WHERE id = ?", [1])
    with pytest.raises(DatabaseError):
        cur.execute("SELEKT 1")
    assert cur.execute("SELECT count(*) FROM t").fetchone()[0] == 2  # the cursor still works


# -- transactions and threads ---------------------------------------------------------------------


def test_rollback_leaves_nothing_and_commit_keeps(db):
    cur = db.cursor()
    cur.execute("BEGIN TRANSACTION")
    cur.execute("INSERT INTO t (id, statut) VALUES (?, ?)", [10, "x"])
    cur.execute("UPDATE t SET statut = ? WHERE id = ?", ["changed", 1])
    cur.execute("ROLLBACK")
    assert cur.execute("SELECT count(*) FROM t WHERE id = ? OR statut = ?", [10, "changed"]).fetchone()[0] == 0

    cur.execute("BEGIN TRANSACTION")
    cur.execute("INSERT INTO t (id, statut) VALUES (?, ?)", [11, "y"])
    # Not visible to another thread (another cursor, or connection) before COMMIT...
    other = "SELECT count(*) FROM t WHERE id = 11"
    assert run_in_thread(lambda: db.cursor().execute(other).fetchone()[0]) == 0
    cur.execute("COMMIT")
    # ...and visible after.
    assert run_in_thread(lambda: db.cursor().execute(other).fetchone()[0]) == 1


def test_an_error_inside_a_transaction_then_rollback_undoes_it_all(db):
    cur = db.cursor()
    cur.execute("BEGIN TRANSACTION")
    cur.execute("UPDATE t SET n = 5 WHERE id = ?", [1])
    with pytest.raises(IntegrityError):
        cur.execute("INSERT INTO t (id, statut) VALUES (?, ?)", [2, "dup"])
    cur.execute("ROLLBACK")
    assert cur.execute("SELECT n FROM t WHERE id = ?", [1]).fetchone()[0] == 0


def test_each_thread_has_its_own_cursor(db):
    main = db.cursor()
    assert db.cursor() is main
    others = [run_in_thread(db.cursor) for _ in range(2)]
    assert all(other is not main for other in others) and others[0] is not others[1]

    def insert_many(first):
        cur = db.cursor()
        for i in range(first, first + 25):
            cur.execute("INSERT INTO t (id, statut) VALUES (?, ?)", [i, "thread"])

    threads = [threading.Thread(target=insert_many, args=(100 + 100 * k,)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert main.execute("SELECT count(*) FROM t WHERE statut = ?", ["thread"]).fetchone()[0] == 100


def _race(db, statement, params):
    """Two threads, each: BEGIN, the same UPDATE, COMMIT, started together. Returns their outcomes."""
    barrier = threading.Barrier(2)
    outcomes = []

    def contender():
        cur = db.cursor()
        cur.execute("BEGIN TRANSACTION")
        try:
            barrier.wait()
            rows = cur.execute(statement, params).fetchall()
            time.sleep(0.2)  # hold the write so that the other one meets it
            cur.execute("COMMIT")
            outcomes.append(("won", len(rows)))
        except WriteConflict:
            cur.execute("ROLLBACK")
            outcomes.append(("conflict", 0))

    threads = [threading.Thread(target=contender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return sorted(outcomes)


def test_two_threads_writing_the_same_row(db):
    """DuckDB: the second writer gets WriteConflict. PostgreSQL (READ COMMITTED): the second waits for
    the first, re-checks the WHERE on the new row and updates nothing. One winner either way."""
    outcomes = _race(db, "UPDATE t SET statut = ? WHERE id = ? AND statut = ? RETURNING id", ["b2", 1, "a"])
    if db.dialect == "duckdb":
        assert outcomes == [("conflict", 0), ("won", 1)]
    else:
        assert outcomes == [("won", 0), ("won", 1)]
    assert db.cursor().execute("SELECT statut FROM t WHERE id = 1").fetchone()[0] == "b2"


def test_a_retry_loop_on_write_conflict_loses_no_update(db):
    """What Store.run does: BEGIN, work, COMMIT, again from the start on WriteConflict."""

    def increment_many():
        cur = db.cursor()
        for _ in range(20):
            for _attempt in range(200):
                try:
                    cur.execute("BEGIN TRANSACTION")  # as Store.transaction: ROLLBACK on error, else COMMIT
                    try:
                        n = cur.execute("SELECT n FROM t WHERE id = ?", [1]).fetchone()[0]
                        changed = "UPDATE t SET n = ? WHERE id = ? AND n = ? RETURNING id"
                        if not cur.execute(changed, [n + 1, 1, n]).fetchall():
                            raise WriteConflict("lost the race")  # PostgreSQL: WHERE n = ? matched nothing
                    except BaseException:
                        cur.execute("ROLLBACK")
                        raise
                    cur.execute("COMMIT")
                    break
                except WriteConflict:
                    time.sleep(0.001)
            else:
                raise AssertionError("too many conflicts")

    threads = [threading.Thread(target=increment_many) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert db.cursor().execute("SELECT n FROM t WHERE id = 1").fetchone()[0] == 60


@postgresql_only
def test_postgresql_conflicts_are_write_conflicts(db):
    """Serialization failures, lock timeouts and deadlocks all become WriteConflict."""
    # Serialization failure: a REPEATABLE READ transaction updates a row changed since its snapshot.
    cur = db.cursor()
    cur.execute("BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ")
    cur.execute("SELECT n FROM t WHERE id = ?", [1]).fetchone()
    run_in_thread(lambda: db.cursor().execute("UPDATE t SET n = n + 1 WHERE id = ?", [1]))
    with pytest.raises(WriteConflict) as serialization:
        cur.execute("UPDATE t SET n = n + 10 WHERE id = ?", [1])
    assert "serialize" in str(serialization.value)
    cur.execute("ROLLBACK")

    # Lock not available: NOWAIT on a row another transaction holds.
    cur.execute("BEGIN TRANSACTION")
    cur.execute("UPDATE t SET n = n + 1 WHERE id = ?", [2])
    with pytest.raises(WriteConflict):
        run_in_thread(lambda: db.cursor().execute("SELECT * FROM t WHERE id = ? FOR UPDATE NOWAIT", [2]))
    cur.execute("ROLLBACK")

    # Deadlock: two transactions lock 1 then 2, and 2 then 1 (PostgreSQL detects it after 1 s).
    barrier = threading.Barrier(2)
    outcomes = []

    def locker(first, second):
        c = db.cursor()
        c.execute("BEGIN TRANSACTION")
        try:
            c.execute("UPDATE t SET n = n + 1 WHERE id = ?", [first])
            barrier.wait()
            c.execute("UPDATE t SET n = n + 1 WHERE id = ?", [second])
            c.execute("COMMIT")
            outcomes.append("committed")
        except WriteConflict:
            c.execute("ROLLBACK")
            outcomes.append("conflict")

    threads = [threading.Thread(target=locker, args=pair) for pair in ((1, 2), (2, 1))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["committed", "conflict"]


@postgresql_only
def test_postgresql_sessions_are_utc_autocommit_one_connection_per_thread(db):
    cur = db.cursor()
    assert cur.execute("SHOW TimeZone").fetchone()[0] == "UTC"
    assert cur.execute("SHOW transaction_isolation").fetchone()[0] == "read committed"
    mine = cur.execute("SELECT pg_backend_pid()").fetchone()[0]
    theirs = run_in_thread(lambda: db.cursor().execute("SELECT pg_backend_pid()").fetchone()[0])
    assert mine != theirs
    # Autocommit: a statement outside BEGIN is committed at once, visible to another connection.
    cur.execute("INSERT INTO t (id, statut) VALUES (?, ?)", [7, "auto"])
    assert run_in_thread(lambda: db.cursor().execute("SELECT count(*) FROM t WHERE id = 7").fetchone()[0]) == 1


# -- DataFrames -----------------------------------------------------------------------------------


def test_df_types_are_the_same_on_both_backends(db):
    cur = db.cursor()
    # DOUBLE PRECISION: plain DOUBLE is DuckDB's only ("type double does not exist" on PostgreSQL).
    cur.execute("CREATE TABLE typed (i INTEGER, b BIGINT, f DOUBLE PRECISION, flag BOOLEAN, s VARCHAR, ts TIMESTAMP)")
    when = datetime(2024, 3, 31, 2, 30, 15, 123456)  # inside the spring-forward gap of Europe/Paris
    cur.executemany(
        "INSERT INTO typed VALUES (?, ?, ?, ?, ?, ?)",
        [
            (1, 10, 1.5, True, "un", when),
            (2, 20, 2.5, False, "deux", datetime(2024, 1, 1)),
            (None, None, None, None, None, None),
        ],
    )
    full = cur.execute("SELECT * FROM typed WHERE i IS NOT NULL ORDER BY i").df()
    assert list(full.columns) == ["i", "b", "f", "flag", "s", "ts"]
    assert dict(full.dtypes.astype(str)) == {
        "i": "int32",
        "b": "int64",
        "f": "float64",
        "flag": "bool",
        "s": "str",
        "ts": "datetime64[us]",
    }
    assert full["ts"].iloc[0] == pd.Timestamp(when)
    with_nulls = cur.execute("SELECT * FROM typed ORDER BY i NULLS LAST").df()
    assert dict(with_nulls.dtypes.astype(str)) == {
        "i": "Int32",
        "b": "Int64",
        "f": "float64",
        "flag": "boolean",
        "s": "str",
        "ts": "datetime64[us]",
    }
    assert with_nulls["i"].isna().tolist() == [False, False, True]
    assert pd.isna(with_nulls["ts"].iloc[2]) and pd.isna(with_nulls["s"].iloc[2])
    figures = cur.execute("SELECT count(*) AS n, sum(b) AS total, avg(i) AS mean, sum(f) AS fsum FROM typed").df()
    assert dict(figures.dtypes.astype(str)) == {"n": "int64", "total": "float64", "mean": "float64", "fsum": "float64"}
    assert figures.iloc[0].tolist() == [3, 30.0, 1.5, 4.0]
    empty = cur.execute("SELECT i, b, ts FROM typed WHERE false").df()
    assert list(empty.columns) == ["i", "b", "ts"] and len(empty) == 0
    assert str(empty["ts"].dtype) == "datetime64[us]"


def test_timestamps_come_back_naive_and_unshifted(db):
    cur = db.cursor()
    when = datetime(2024, 10, 27, 2, 30)  # the autumn hour that Europe/Paris lives twice
    value = cur.execute("SELECT CAST(? AS TIMESTAMP)", [when]).fetchone()[0]
    assert value == when and value.tzinfo is None
    cur.execute("CREATE TABLE stamps (le TIMESTAMP)")
    cur.execute("INSERT INTO stamps VALUES (?)", [when])
    assert cur.execute("SELECT le FROM stamps WHERE le = ?", [when]).fetchone()[0] == when
    assert cur.execute("SELECT date_trunc('month', le) FROM stamps").fetchone()[0] == datetime(2024, 10, 1)


def test_bytea_round_trip(db):
    cur = db.cursor()
    cur.execute("CREATE TABLE blobs (id BIGINT PRIMARY KEY, contenu BYTEA NOT NULL)")
    content = bytes(range(256)) * 40 + b"\x00'?%"
    cur.execute("INSERT INTO blobs VALUES (?, ?)", [1, content])
    assert bytes(cur.execute("SELECT contenu FROM blobs WHERE id = ?", [1]).fetchone()[0]) == content
    assert cur.execute("SELECT octet_length(contenu) FROM blobs").fetchone()[0] == len(content)
    frame = cur.execute("SELECT contenu FROM blobs").df()
    assert bytes(frame["contenu"].iloc[0]) == content


# -- streaming --------------------------------------------------------------------------------------


FILL = (
    "INSERT INTO t (id, statut, n) SELECT i + 100, CASE WHEN i % 2 = 0 THEN 'pair' ELSE 'impair' END, i"
    " FROM generate_series(1, ?) AS g(i)"
)


def test_batches_stream_a_big_result_in_frames_typed_like_df(db):
    db.cursor().execute(FILL, [25_000])
    sql = (
        "SELECT id, statut, n, n % 7 = 0 AS septieme, CASE WHEN n % 10 = 0 THEN NULL ELSE n END AS parfois,"
        " CASE WHEN n % 10 = 0 THEN NULL ELSE n % 3 = 0 END AS tiers, CAST(n AS DECIMAL(12, 2)) / 4 AS quart"
        " FROM t WHERE id > ? ORDER BY id"
    )
    cur = db.new_cursor()
    try:
        frames = list(cur.batches(sql, [100], batch_size=10_000))
    finally:
        cur.close()
    assert [len(f) for f in frames] == [10_000, 10_000, 5_000]
    whole = pd.concat(frames, ignore_index=True)
    assert whole["id"].tolist() == list(range(101, 25_101))
    assert whole["n"].sum() == sum(range(1, 25_001))
    assert str(whole["parfois"].dtype) in ("Int32", "Int64") and str(whole["tiers"].dtype) == "boolean"
    assert str(whole["quart"].dtype) == "float64" and whole["quart"].iloc[1] == 0.5
    reference = db.cursor().execute(sql, [100]).df()
    assert dict(whole.dtypes.astype(str)) == dict(reference.dtypes.astype(str))
    pd.testing.assert_frame_equal(whole, reference)


def test_batches_inside_a_transaction_see_its_snapshot(db):
    """As Store.iter_list: BEGIN, count, stream, COMMIT, on a cursor of its own."""
    db.cursor().execute(FILL, [3_000])
    cur = db.new_cursor()
    try:
        cur.execute("BEGIN TRANSACTION")
        total = cur.execute("SELECT count(*) FROM t").fetchone()[0]
        seen = 0
        for number, frame in enumerate(cur.batches("SELECT id FROM t ORDER BY id", (), 1_000)):
            if number == 0:
                if db.dialect == "postgresql":  # a server-side cursor, not the whole result in memory
                    names = cur.raw.execute("SELECT name FROM pg_cursors").fetchall()
                    assert [n for (n,) in names if n.startswith("batches_")]
                # A write committed meanwhile by another thread is not in this snapshot.
                db.cursor().execute("INSERT INTO t (id, statut) VALUES (?, ?)", [99_999, "late"])
            seen += len(frame)
        cur.execute("COMMIT")
    finally:
        cur.close()
    # PostgreSQL (READ COMMITTED): the cursor's snapshot is taken when it is declared, before the insert.
    assert seen == total == 3_002


def test_abandoned_batches_leave_the_connection_usable(db):
    db.cursor().execute(FILL, [5_000])
    cur = db.new_cursor()
    try:
        batches = cur.batches("SELECT id FROM t ORDER BY id", (), 1_000)
        assert len(next(batches)) == 1_000
        batches.close()  # the reader stops early: the transaction the generator opened is ended
        assert cur.execute("SELECT count(*) FROM t").fetchone()[0] == 5_002
        cur.execute("BEGIN TRANSACTION")  # no transaction left open, so a new one can begin
        cur.execute("ROLLBACK")
    finally:
        cur.close()


# -- read-only and closing ----------------------------------------------------------------------------


def test_read_only_refuses_writes(target):
    writer = open_database(target)
    writer.cursor().execute("CREATE TABLE r (id BIGINT PRIMARY KEY)")
    writer.cursor().execute("INSERT INTO r VALUES (1)")
    writer.close()  # a DuckDB file has one writer process, or readers
    reader = open_database(target, read_only=True)
    try:
        assert reader.read_only
        cur = reader.cursor()
        assert cur.execute("SELECT count(*) FROM r WHERE id = ?", [1]).fetchone()[0] == 1
        for statement, params in [
            ("INSERT INTO r VALUES (?)", [2]),
            ("UPDATE r SET id = ? WHERE id = 1", [3]),
            ("CREATE TABLE r2 (id BIGINT)", None),
        ]:
            with pytest.raises(ReadOnlyError):
                cur.execute(statement, params)
            if reader.dialect == "postgresql":
                assert cur.execute("SHOW default_transaction_read_only").fetchone()[0] == "on"
        # Also from another thread, whose session is opened read-only too.
        with pytest.raises(ReadOnlyError):
            run_in_thread(lambda: reader.cursor().execute("DELETE FROM r WHERE id = ?", [1]))
        assert cur.execute("SELECT count(*) FROM r").fetchone()[0] == 1
    finally:
        reader.close()


def test_close_closes_everything_and_twice_is_harmless(target):
    database = open_database(target)
    cur = database.cursor()
    thread_cursor = run_in_thread(database.cursor)
    private = database.new_cursor()
    private.close()
    database.close()
    database.close()
    with pytest.raises(DatabaseError):
        database.cursor()
    with pytest.raises(DatabaseError):
        cur.execute("SELECT 1")
    with pytest.raises(DatabaseError):
        thread_cursor.execute("SELECT 1")
    if database.dialect == "postgresql":
        assert cur.raw.closed and thread_cursor.raw.closed


def test_cursors_of_finished_threads_are_closed(db):
    finished = run_in_thread(db.cursor)
    db.cursor().execute("SELECT 1")  # known thread: nothing is pruned
    run_in_thread(db.cursor)  # a new thread's first cursor closes the ones of ended threads
    with pytest.raises(DatabaseError):
        finished.execute("SELECT 1")
    if db.dialect == "postgresql":
        assert finished.raw.closed
    assert db.cursor().execute("SELECT count(*) FROM t").fetchone()[0] == 2


# -- DuckDB -> PostgreSQL transfer --------------------------------------------------------------------


TRANSFER_SCHEMA = [
    "CREATE SEQUENCE docs_id START 1",
    "CREATE TABLE docs (id BIGINT PRIMARY KEY, titre VARCHAR NOT NULL, note VARCHAR, lu BOOLEAN,"
    " taille INTEGER, cree_le TIMESTAMP NOT NULL, contenu BYTEA)",
    "CREATE SEQUENCE empty_id START 1",
    "CREATE TABLE empty (id BIGINT PRIMARY KEY)",
]


@postgresql_only
def test_copy_database_moves_every_row_and_sets_the_sequences(target, tmp_path):
    from sollicitations.store.transfer import copy_database

    source = open_database(tmp_path / "source.duckdb")
    postgres = open_database(target)
    try:
        for statement in TRANSFER_SCHEMA:
            source.cursor().execute(statement)
            postgres.cursor().execute(statement)
        rows = [
            (
                i,
                f"titre {i} l'été ? 100%",
                None if i % 3 else "note",
                None if i % 5 == 0 else i % 2 == 0,
                None if i % 7 == 0 else i * 10,
                datetime(2024, 3, 31, 2, 30) if i == 1 else datetime(2023, 1, 1, 8, i % 60),
                None if i % 4 == 0 else bytes([i % 256]) * (i % 50) + b"\x00\\x",
            )
            for i in range(1, 3_001)
        ]
        source.cursor().executemany("INSERT INTO docs VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
        sequences = {"docs_id": ("docs", "id"), "empty_id": ("empty", "id")}
        assert copy_database(source, postgres, ["docs", "empty"], sequences) == {"docs": 3_000, "empty": 0}

        cur = postgres.cursor()
        copied = [
            tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
            for row in cur.execute("SELECT * FROM docs ORDER BY id").fetchall()
        ]
        assert copied == rows
        assert cur.execute("SELECT nextval('docs_id'), nextval('empty_id')").fetchone() == (3_001, 1)

        # All or nothing: a duplicate key in the second table rolls the first one back too.
        source.cursor().execute("INSERT INTO empty VALUES (1)")
        postgres.cursor().execute("INSERT INTO empty VALUES (1)")
        source.cursor().execute(
            "INSERT INTO docs (id, titre, cree_le) VALUES (?, ?, ?)", [5_000, "new", datetime(2024, 1, 1)]
        )
        cur.execute("DELETE FROM docs")
        with pytest.raises(IntegrityError):
            copy_database(source, postgres, ["docs", "empty"], sequences, clear=False)
        assert cur.execute("SELECT count(*) FROM docs").fetchone()[0] == 0
        # clear=True empties the target tables first, in the same transaction.
        assert copy_database(source, postgres, ["docs", "empty"], sequences, clear=True) == {"docs": 3_001, "empty": 1}
        assert cur.execute("SELECT nextval('docs_id'), nextval('empty_id')").fetchone() == (5_001, 2)
    finally:
        source.close()
        postgres.close()


def test_copy_database_only_copies_duckdb_into_postgresql(tmp_path):
    from sollicitations.store.transfer import copy_database

    with (
        open_database(tmp_path / "a.duckdb") as a,
        open_database(tmp_path / "b.duckdb") as b,
        pytest.raises(ValueError, match="DuckDB into PostgreSQL"),
    ):
        copy_database(a, b, ["t"])
