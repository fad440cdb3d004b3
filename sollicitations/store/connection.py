"""The connection layer under the store: one small API over DuckDB (a file) and PostgreSQL (a URL).

It copies the part of DuckDB's Python API that the store uses, so that the store keeps ONE set of SQL
texts, written with `?` placeholders:

    db = open_database("data/sollicitations.duckdb")        # or "postgresql://user:pw@host:5432/db"
    cur = db.cursor()                                        # this thread's cursor
    cur.execute("SELECT * FROM t WHERE id = ?", [1]).fetchone()
    cur.execute("SELECT ...", params).df()                   # a pandas DataFrame, same dtypes on both
    for frame in db.new_cursor().batches(sql, params, 10_000): ...   # streaming, then close the cursor

On PostgreSQL (psycopg 3), `?` becomes `%s` and `%` becomes `%%` (psycopg reads `%` everywhere, string
literals included) in one place, `translate`, cached per SQL text. Each thread gets its own connection in
autocommit mode: the store's own `BEGIN TRANSACTION` / `COMMIT` / `ROLLBACK` statements drive the
transactions, at PostgreSQL's default isolation, READ COMMITTED.

Errors from either driver come out as the classes below (the driver's exception chained as
`__cause__`), so that callers never import duckdb or psycopg to catch them.
"""

from __future__ import annotations

import contextlib
import functools
import re
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

DUCKDB = "duckdb"
POSTGRESQL = "postgresql"


# -- errors ---------------------------------------------------------------------------------------


class DatabaseError(Exception):
    """Any error of the database (the driver's own exception is chained as __cause__)."""


class WriteConflict(DatabaseError):
    """A concurrent write conflicts with this transaction: roll back and run it again from the start.
    DuckDB: TransactionException. PostgreSQL: serialization failure, deadlock, lock not available."""


class IntegrityError(DatabaseError):
    """A constraint refused the write (primary key, unique, not null, foreign key, check)."""


class ReadOnlyError(DatabaseError):
    """A write on a database opened read-only."""


class UndefinedObject(DatabaseError):
    """A table, column, function or sequence that does not exist."""


class DatabaseLocked(DatabaseError):
    """A DuckDB file held by another process."""


def _pg_errors():
    from psycopg import errors

    return errors


def _wrap(error: Exception) -> DatabaseError:
    """The DatabaseError subclass for a driver's exception (the caller raises it `from error`)."""
    message = str(error).strip()
    if isinstance(error, duckdb.Error):
        if isinstance(error, duckdb.TransactionException):
            return WriteConflict(message)
        if isinstance(error, duckdb.ConstraintException):
            return IntegrityError(message)
        if isinstance(error, duckdb.CatalogException):
            return UndefinedObject(message)
        if isinstance(error, duckdb.InvalidInputException) and "read-only" in message:
            return ReadOnlyError(message)
        if isinstance(error, duckdb.IOException) and "lock" in message.lower():
            return DatabaseLocked(message)
        return DatabaseError(message)
    errors = _pg_errors()
    if isinstance(error, (errors.SerializationFailure, errors.DeadlockDetected, errors.LockNotAvailable)):
        return WriteConflict(message)
    if isinstance(error, errors.IntegrityError):
        return IntegrityError(message)
    if isinstance(error, errors.ReadOnlySqlTransaction):
        return ReadOnlyError(message)
    if isinstance(
        error, (errors.UndefinedTable, errors.UndefinedColumn, errors.UndefinedFunction, errors.UndefinedObject)
    ):
        return UndefinedObject(message)
    return DatabaseError(message)


# -- placeholders ---------------------------------------------------------------------------------

# What `?` and `%` must not be changed in: string literals ('...' with '' inside, E'...' with backslash
# escapes, $tag$...$tag$), quoted identifiers and comments. Everything else is matched one character at a
# time, so a `?` or `%` found by the last two alternatives is outside of them.
_SQL_TOKENS = re.compile(
    r"""
      (?P<skip>
          (?<![\w$])[eE]'(?:[^'\\]|\\.|'')*'   # E'...' (backslash escapes)
        | '(?:[^']|'')*'                         # '...'
        | "(?:[^"]|"")*"                         # "identifier"
        | --[^\n]*                               # -- comment
        | /\*.*?\*/                              # /* comment */ (not nested)
        | (?<![\w$])\$(?P<tag>(?:[A-Za-z_]\w*)?)\$.*?\$(?P=tag)\$   # $tag$ ... $tag$
      )
    | (?P<question>\?)
    | (?P<percent>%)
    """,
    re.VERBOSE | re.DOTALL,
)


def _replace(match: re.Match) -> str:
    if match.group("question"):
        return "%s"
    # psycopg scans the whole text for `%`, inside literals and comments too: double every one.
    return match.group(0).replace("%", "%%")


@functools.lru_cache(maxsize=4096)
def translate(sql: str) -> str:
    """The store's SQL (DuckDB's `?` placeholders) as psycopg wants it: `%s`, and `%` written `%%`.
    A `?` inside a string literal, a quoted identifier or a comment is left alone."""
    return _SQL_TOKENS.sub(_replace, sql)


# -- DataFrames from PostgreSQL rows, typed as DuckDB's .df() types them ---------------------------

# PostgreSQL type OIDs (pg_type.oid; fixed for the built-in types).
_INTEGERS = {21: ("int16", "Int16"), 23: ("int32", "Int32"), 20: ("int64", "Int64")}
_FLOATS = {700, 701, 1700}  # real, double precision, numeric (Decimal -> float, as DuckDB's df() does)
_BOOL = 16
_TIMESTAMP, _TIMESTAMPTZ, _DATE, _INTERVAL = 1114, 1184, 1082, 1186


def _column(values: list, oid: int) -> Any:
    has_null = any(v is None for v in values)
    if oid in _INTEGERS:
        plain, nullable = _INTEGERS[oid]
        return pd.array(values, dtype=nullable) if has_null else np.array(values, dtype=plain)
    if oid in _FLOATS:
        return np.array([np.nan if v is None else float(v) for v in values], dtype="float64")
    if oid == _BOOL:
        return pd.array(values, dtype="boolean") if has_null else np.array(values, dtype=bool)
    if oid in (_TIMESTAMP, _DATE):
        return pd.to_datetime(pd.Series(values, dtype=object)).astype("datetime64[us]")
    if oid == _TIMESTAMPTZ:
        return pd.to_datetime(pd.Series(values, dtype=object), utc=True).astype("datetime64[us, UTC]")
    if oid == _INTERVAL:
        return pd.to_timedelta(pd.Series(values, dtype=object)).astype("timedelta64[us]")
    return values  # text, bytea (bytes), arrays (lists), ...: pandas infers (str for text)


def _frame(description, rows: list[tuple]) -> pd.DataFrame:
    names = [column.name for column in description]
    columns = list(zip(*rows)) if rows else [[] for _ in names]
    data = {}
    for index, (column, values) in enumerate(zip(description, columns)):
        data[index] = _column(list(values), column.type_code)
    frame = pd.DataFrame(data, index=pd.RangeIndex(len(rows)))
    frame.columns = names  # set afterwards: two result columns may share a name
    return frame


_NULLABLE_INTEGERS = {
    name: pd.api.types.pandas_dtype(name.capitalize().replace("Uint", "UInt"))
    for name in ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64")
}


def _arrow_frame(batch) -> pd.DataFrame:
    """A DuckDB Arrow batch as a DataFrame typed like DuckDB's df(): to_pandas() alone would give float64
    for integers with NULLs, object for booleans with NULLs, dates and decimals."""
    import pyarrow as pa

    frame = batch.to_pandas()
    for index, field in enumerate(batch.schema):
        kind = field.type
        column = batch.column(index)
        if (pa.types.is_integer(kind) or pa.types.is_boolean(kind)) and column.null_count:
            if pa.types.is_boolean(kind):
                nullable = pd.BooleanDtype()
            else:
                nullable = _NULLABLE_INTEGERS[np.dtype(kind.to_pandas_dtype()).name]
            frame.isetitem(index, column.to_pandas(types_mapper={kind: nullable}.get))
        elif pa.types.is_date(kind):
            frame.isetitem(index, frame.iloc[:, index].astype("datetime64[us]"))
        elif pa.types.is_decimal(kind):
            frame.isetitem(index, frame.iloc[:, index].astype("float64"))
    return frame


# -- cursors --------------------------------------------------------------------------------------


class Cursor:
    """DuckDB's cursor API, as the store uses it, over either driver. `execute` returns the cursor."""

    dialect: str

    def execute(self, sql: str, params: Sequence[Any] | dict | None = None) -> Cursor:
        raise NotImplementedError

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> Cursor:
        raise NotImplementedError

    _cur: Any  # the driver's cursor
    _errors: type[Exception] | tuple[type[Exception], ...]  # the driver's errors, turned into ours

    def _fetch(self, method, *args):
        try:
            return method(*args)
        except self._errors as error:
            raise _wrap(error) from error

    def fetchone(self) -> tuple | None:
        return self._fetch(self._cur.fetchone)

    def fetchall(self) -> list[tuple]:
        return self._fetch(self._cur.fetchall)

    def fetchmany(self, size: int) -> list[tuple]:
        return self._fetch(self._cur.fetchmany, size)

    def df(self) -> pd.DataFrame:
        """The rest of the result as a DataFrame: nullable Int32/Int64/boolean when a column holds NULLs,
        float64 for sums, averages and PostgreSQL numeric, datetime64[us] for timestamps and dates."""
        raise NotImplementedError

    @property
    def description(self):
        """One entry per result column; entry[0] is its name."""
        return self._cur.description

    def batches(self, sql: str, params: Sequence[Any] = (), batch_size: int = 10_000) -> Iterator[pd.DataFrame]:
        """Run a query and yield its rows `batch_size` at a time, as DataFrames typed like df(), without
        holding the whole result in memory. Use a cursor of its own (Database.new_cursor()). Outside a
        transaction the query runs in one of its own (one snapshot)."""
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class DuckDBCursor(Cursor):
    dialect = DUCKDB
    _errors = duckdb.Error

    def __init__(self, cursor: duckdb.DuckDBPyConnection):
        self._cur = cursor

    def execute(self, sql, params=None):
        try:
            self._cur.execute(sql, params)
        except duckdb.Error as error:
            raise _wrap(error) from error
        return self

    def executemany(self, sql, rows):
        try:
            self._cur.executemany(sql, rows)
        except duckdb.Error as error:
            raise _wrap(error) from error
        return self

    def df(self):
        return self._fetch(self._cur.df)

    @property
    def raw(self) -> duckdb.DuckDBPyConnection:
        """DuckDB's own cursor, for DuckDB-only code (errors from it are DuckDB's)."""
        return self._cur

    def batches(self, sql, params=(), batch_size=10_000):
        # Arrow batches, typed afterwards as df() types its columns (3 times faster than fetch_df_chunk).
        reader = self._fetch(lambda: self._cur.execute(sql, list(params)).to_arrow_reader(batch_size))
        while True:
            try:
                batch = reader.read_next_batch()
            except StopIteration:
                return
            except duckdb.Error as error:
                raise _wrap(error) from error
            yield _arrow_frame(batch)

    def close(self):
        with contextlib.suppress(duckdb.Error):
            self._cur.close()


class PostgresCursor(Cursor):
    dialect = POSTGRESQL

    def __init__(self, connection, owns_connection: bool = False):
        self._connection = connection
        self._cur = connection.cursor()
        self._owns = owns_connection
        import psycopg

        self._errors = psycopg.Error

    def execute(self, sql, params=None):
        if isinstance(params, dict):
            raise DatabaseError("named parameters ($name) are DuckDB-only; use ? placeholders")
        try:
            if params is None or len(params) == 0:
                # No parameter: the text goes as it is (psycopg reads no placeholder and no `%%` then),
                # with the simple protocol, which also takes several statements.
                self._cur.execute(sql)
            else:
                self._cur.execute(translate(sql), list(params))
        except self._errors as error:
            raise _wrap(error) from error
        return self

    def executemany(self, sql, rows):
        try:
            self._cur.executemany(translate(sql), [list(row) for row in rows])
        except self._errors as error:
            raise _wrap(error) from error
        return self

    def df(self):
        if self._cur.description is None:
            raise DatabaseError("df(): the last statement returned no rows")
        return _frame(self._cur.description, self._fetch(self._cur.fetchall))

    @property
    def raw(self):
        """psycopg's own connection, for PostgreSQL-only code such as COPY (errors from it are psycopg's)."""
        return self._connection

    def batches(self, sql, params=(), batch_size=10_000):
        from psycopg import pq

        own_transaction = self._connection.info.transaction_status == pq.TransactionStatus.IDLE
        # A server-side cursor (DECLARE ... CURSOR) lives in a transaction: open one when none is open.
        if own_transaction:
            self.execute("BEGIN TRANSACTION")
        server = self._connection.cursor(name=f"batches_{id(self):x}")
        try:
            try:
                if params:
                    server.execute(translate(sql), list(params))
                else:
                    server.execute(sql)
                while rows := server.fetchmany(batch_size):
                    yield _frame(server.description, rows)
            except self._errors as error:
                raise _wrap(error) from error
            finally:
                with contextlib.suppress(self._errors):
                    server.close()
        except BaseException:
            if own_transaction and not self._connection.closed:
                self._cur.execute("ROLLBACK")
            raise
        if own_transaction:
            self.execute("COMMIT")

    def close(self):
        try:
            self._cur.close()
            if self._owns:
                self._connection.close()
        except self._errors:
            pass


# -- databases ------------------------------------------------------------------------------------


def is_postgresql_url(target: str | Path) -> bool:
    return isinstance(target, str) and target.startswith(("postgresql://", "postgres://"))


def open_database(target: str | Path, read_only: bool = False) -> Database:
    """A `postgresql://` or `postgres://` URL opens PostgreSQL; anything else is a DuckDB file path
    (its folder is created) or ":memory:"."""
    if is_postgresql_url(target):
        return PostgresDatabase(str(target), read_only)
    return DuckDBDatabase(target, read_only)


class Database:
    """One database for the threads of a process: `cursor()` is this thread's cursor."""

    dialect: str
    read_only: bool

    def __init__(self):
        self._lock = threading.Lock()
        self._cursors: dict[threading.Thread, Cursor] = {}
        self._closed = False

    def cursor(self) -> Cursor:
        """This thread's cursor, made on first use (a thread's cursor must not be used by another)."""
        thread = threading.current_thread()
        cur = self._cursors.get(thread)
        if cur is None:
            with self._lock:
                if self._closed:
                    raise DatabaseError("the database is closed")
                # The cursors of threads that ended are closed here (a PostgreSQL connection each).
                for dead in [t for t in self._cursors if not t.is_alive()]:
                    self._cursors.pop(dead).close()
                cur = self._cursors[thread] = self._new()
        return cur

    def new_cursor(self) -> Cursor:
        """A cursor of its own (on PostgreSQL, a connection of its own) that the caller closes."""
        if self._closed:
            raise DatabaseError("the database is closed")
        return self._new()

    def close(self) -> None:
        """Close every cursor and the connections; closing twice is harmless."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            cursors, self._cursors = list(self._cursors.values()), {}
        for cur in cursors:
            cur.close()
        self._close()

    def _new(self) -> Cursor:
        raise NotImplementedError

    def _close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class DuckDBDatabase(Database):
    """One DuckDB connection per process (a file allows one writer process), a cursor per thread."""

    dialect = DUCKDB

    def __init__(self, path: str | Path = ":memory:", read_only: bool = False):
        super().__init__()
        self.path = str(path)
        self.read_only = read_only
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self._connection = duckdb.connect(self.path, read_only=read_only)
        except duckdb.Error as error:
            raise _wrap(error) from error

    def _new(self) -> Cursor:
        return DuckDBCursor(self._connection.cursor())

    def _close(self) -> None:
        with contextlib.suppress(duckdb.Error):
            self._connection.close()

    def __repr__(self):
        return f"DuckDBDatabase({self.path!r}, read_only={self.read_only})"


class PostgresDatabase(Database):
    """A psycopg connection per thread, autocommit (the SQL's own BEGIN/COMMIT make the transactions),
    session TimeZone UTC, and `default_transaction_read_only` when read-only."""

    dialect = POSTGRESQL

    def __init__(self, url: str, read_only: bool = False):
        super().__init__()
        import psycopg  # noqa: F401  (fails here, clearly, when the driver is missing)

        self.url = url
        self.read_only = read_only
        self._connect().close()  # fail now, not at the first query, when the server is unreachable

    def _connect(self):
        import psycopg

        try:
            connection = psycopg.connect(self.url, autocommit=True)
            # TIMESTAMP columns hold naive local (French) times: the session time zone must not shift
            # anything, whatever the server's default. UTC makes now() and timestamptz casts predictable.
            settings = "SET TimeZone = 'UTC'"
            # A query psycopg has prepared is planned once for any values after 5 runs (a generic plan):
            # a word's range or a structure's key then gets the planner's default selectivity, and a
            # full-text search for a rare word took 3 s instead of 15 ms at 1M requests. Plan each run
            # for its values (planning costs well under a millisecond here).
            settings += "; SET plan_cache_mode = force_custom_plan"
            if self.read_only:
                settings += "; SET default_transaction_read_only = on"
            connection.execute(settings)
        except psycopg.Error as error:
            raise _wrap(error) from error
        return connection

    def _new(self) -> Cursor:
        return PostgresCursor(self._connect(), owns_connection=True)

    def __repr__(self):
        safe = re.sub(r"://([^:@/]*):[^@/]*@", r"://\1:***@", self.url)
        return f"PostgresDatabase({safe!r}, read_only={self.read_only})"
