"""Move a store's rows from DuckDB to PostgreSQL: demo and benchmark worlds are generated with DuckDB-only
SQL, then copied this way into a PostgreSQL store whose tables the migrations have already created.

    copy_database(duckdb_db, postgres_db, ["structures", "users", ...],
                  sequences={"sollicitations_numero": ("sollicitations", "numero"), ...})

The rows go through PostgreSQL's binary COPY (psycopg's `cursor.copy(...).write_row`), read from DuckDB in
batches, all tables in ONE PostgreSQL transaction: either every row arrives, or none.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence

from .connection import DUCKDB, POSTGRESQL, Database, DatabaseError, _wrap


def copy_database(
    source: Database,
    target: Database,
    tables: Sequence[str],
    sequences: Mapping[str, tuple[str, str]] | None = None,
    *,
    clear: bool = False,
    analyze: bool = True,
    batch_size: int = 20_000,
    progress: Callable[[str, int, float], None] | None = None,
) -> dict[str, int]:
    """Copy every row of `tables` from a DuckDB store into the same tables of a PostgreSQL store.

    Columns are matched by name (the source's columns must exist in the target; a target column the
    source lacks takes its default). `clear` empties the target tables first (TRUNCATE, in the same
    transaction); otherwise the rows are added to what is there, and a duplicate key rolls everything
    back (IntegrityError). Then each sequence of `sequences` ({sequence: (table, column)}) is set so
    that its next value is max(column) + 1 (1 for an empty table). `analyze` runs ANALYZE on the copied
    tables afterwards, so that the planner knows their sizes. Returns the number of rows per table;
    `progress(table, rows, seconds)` is called after each table.
    """
    if source.dialect != DUCKDB or target.dialect != POSTGRESQL:
        raise ValueError(f"copy_database copies DuckDB into PostgreSQL, not {source.dialect} into {target.dialect}")
    if target.read_only:
        raise ValueError("the target database is read-only")
    import psycopg
    from psycopg import sql

    reader = source.new_cursor()
    writer = target.new_cursor()
    connection = writer.raw
    counts: dict[str, int] = {}
    try:
        try:
            connection.execute("BEGIN TRANSACTION")
            rebuilt = []
            if clear and tables:
                connection.execute(sql.SQL("TRUNCATE {}").format(sql.SQL(", ").join(map(sql.Identifier, tables))))
                rebuilt = _drop_secondary_indexes(connection, tables)
            for table in tables:
                started = time.perf_counter()
                counts[table] = _copy_table(reader, connection, table, batch_size)
                if progress:
                    progress(table, counts[table], time.perf_counter() - started)
            for definition in rebuilt:
                connection.execute(definition)
            for sequence, (table, column) in (sequences or {}).items():
                # setval(s, n, false): the next nextval(s) returns n.
                connection.execute(
                    sql.SQL("SELECT setval({}::regclass, coalesce((SELECT max({}) FROM {}), 0) + 1, false)").format(
                        sql.Literal(sequence), sql.Identifier(column), sql.Identifier(table)
                    )
                )
            connection.execute("COMMIT")
        except BaseException:
            if not connection.closed:
                connection.execute("ROLLBACK")
            raise
        if analyze:
            for table in tables:
                connection.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(table)))
    except psycopg.Error as error:
        raise _wrap(error) from error
    finally:
        writer.close()
        reader.close()
    return counts


def _drop_secondary_indexes(connection, tables) -> list[str]:
    """Drop the indexes of `tables` that no constraint owns; their definitions, to build again after a
    bulk COPY: once, sorted, instead of row by row (copying a million requests' 27M words into an
    indexed table took minutes)."""
    from psycopg import sql

    found = connection.execute(
        "SELECT i.indexname, i.indexdef FROM pg_indexes i"
        " WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s)"
        " AND NOT EXISTS (SELECT 1 FROM pg_constraint c"
        "                 WHERE c.conindid = (quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))::regclass)",
        [list(tables)],
    ).fetchall()
    for name, _ in found:
        connection.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))
    return [definition for _, definition in found]


def _copy_table(reader, connection, table: str, batch_size: int) -> int:
    from psycopg import sql

    source_columns = [d[0] for d in reader.execute(f'SELECT * FROM "{table}" LIMIT 0').description]
    target_types = dict(
        connection.execute(
            "SELECT attname, atttypid FROM pg_attribute"
            " WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
            [sql.Identifier(table).as_string(connection)],
        ).fetchall()
    )
    missing = [c for c in source_columns if c not in target_types]
    if missing:
        raise DatabaseError(f"{table}: columns missing in PostgreSQL: {', '.join(missing)}")
    expected = reader.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
    column_list = sql.SQL(", ").join(map(sql.Identifier, source_columns))
    reader.execute(f'SELECT {", ".join(chr(34) + c + chr(34) for c in source_columns)} FROM "{table}"')
    written = 0
    with connection.cursor().copy(
        sql.SQL("COPY {} ({}) FROM STDIN (FORMAT BINARY)").format(sql.Identifier(table), column_list)
    ) as copy:
        copy.set_types([target_types[c] for c in source_columns])
        while rows := reader.fetchmany(batch_size):
            for row in rows:
                copy.write_row(row)
            written += len(rows)
    if written != expected:
        raise DatabaseError(f"{table}: {written} rows read from DuckDB, {expected} expected")
    return written
