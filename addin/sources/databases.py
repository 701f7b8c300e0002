"""Order lines that stay where they are, as one Ibis table: Parquet or CSV files (one, a folder, a glob) read by an
embedded DuckDB, a table or query of a DuckDB database, of a PostgreSQL database.

Every row gets three columns besides the source's own: ``_sheet`` and ``_row``, which name it in a message (the
file and its row, or the table and the row's place in it), and ``_pos``, its place among all rows (of equal
dates, the latest line is the one that comes last, as in a sheet). A password is never in a message: it comes
from ``CHURNKIT_DB_PASSWORD`` or the keyring (service ``churnkit``, user ``user@host``), or from the URL, and is
cut out of every error the database gives.
"""
from __future__ import annotations

import dataclasses
import glob
import os
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from ..errors import UserError
from .files import first_line

PASSWORD_VARIABLE = "CHURNKIT_DB_PASSWORD"
KEYRING_SERVICE = "churnkit"
_SCHEMES = {"duckdb": "duckdb", "postgresql": "postgres", "postgres": "postgres"}
_FILE_KINDS = (".parquet", ".csv")
DUCKDB_MEMORY = "2GB"        # the embedded DuckDB's own memory (docs/sources.md "Memory"); beyond it, it spills
MISSING_EXTRA = ('Reading Parquet files, folders or globs of files and databases needs the database extra: '
                 'pip install "churnkit[db]".')


def is_database_source(source: str | Path) -> bool:
    """Whether ``source`` is read by a database engine: a URL, a glob, a folder or a Parquet file."""
    text = str(source)
    return "://" in text or any(c in text for c in "*?[") or Path(text).suffix.lower() == ".parquet" \
        or Path(text).is_dir()


@dataclasses.dataclass
class Relation:
    table: Any                    # an ibis Table: the source's columns, and _sheet, _row, _pos
    label: str                    # what it is, in a message: "orders.parquet", "table 'sales' of postgresql://…"
    path: Path                    # a path that stands for it: its name, and the folder of churnkit.toml
    sheets: list[str]             # what was read: the files, or the table
    password: str | None = dataclasses.field(default=None, repr=False)   # cut out of the engine's errors

    def failed(self, exc: BaseException) -> UserError:
        """The sentence for an error the engine gave while it read the rows (files whose columns do not agree, a
        value the engine cannot convert …)."""
        return UserError(f"Reading the order lines of {self.label} failed: {_scrub(first_line(exc), self.password)}.")


def engine_errors() -> tuple[type[BaseException], ...]:
    """The error types of the engines that read order lines where they lie (DuckDB, PostgreSQL's driver)."""
    import duckdb
    try:
        import psycopg
    except ImportError:
        return (duckdb.Error,)
    return duckdb.Error, psycopg.Error


def open_source(source: str | Path, table: str | None = None, query: str | None = None) -> Relation:
    """The order lines of ``source`` as an Ibis table, or a :class:`UserError` that says why not."""
    ibis = _ibis()
    text = str(source)
    if "://" not in text:
        if table or query:
            raise UserError("--table and --query go with a database (duckdb:///file.duckdb, postgresql://…), "
                            f"not with {text}.")
        return _files(ibis, text)
    scheme = text.split("://", 1)[0].lower()
    if scheme not in _SCHEMES:
        raise UserError(f"churnkit does not read {scheme}:// sources; it reads duckdb:///file.duckdb and "
                        "postgresql://user@host/database (others: see docs/sources.md).")
    if bool(table) == bool(query):
        raise UserError(f"Name the order lines of {_safe(text)} with --table NAME or --query \"SELECT …\" "
                        "(one of them).")
    connection, password = _connect(ibis, text, _SCHEMES[scheme])
    label = f"table '{table}' of {_safe(text)}" if table else f"the query on {_safe(text)}"
    try:
        rows = _table(ibis, connection, _SCHEMES[scheme], table) if table else connection.sql(query)
    except UserError:
        raise
    except Exception as exc:  # the database's own error types
        raise UserError(f"The query on {_safe(text)} failed: {_scrub(first_line(exc), password)}.") from None
    if _SCHEMES[scheme] != "duckdb" or not table:
        rows = rows.mutate(_pos=ibis.row_number())
    name = table or "query"
    rows = rows.mutate(_sheet=ibis.literal(name), _row=rows["_pos"] + 1)
    return Relation(rows, label, Path.cwd() / name, [name], password)


def _ibis():
    try:
        import ibis
    except ImportError:
        raise UserError(MISSING_EXTRA) from None
    return ibis


def _files(ibis, text: str) -> Relation:
    path = Path(text)
    if any(c in text for c in "*?["):
        files = sorted(Path(f) for f in glob.glob(text, recursive=True) if Path(f).is_file())
        if not files:
            raise UserError(f"No file matches {text}.")
    elif path.is_dir():
        files = next((found for kind in _FILE_KINDS if (found := sorted(path.glob(f"*{kind}")))), [])
        if not files:
            raise UserError(f"The folder {path} holds no .parquet or .csv files.")
    elif not path.exists():
        raise UserError(f"File not found: {path}.")
    else:
        files = [path]
    kinds = {f.suffix.lower() for f in files}
    if len(kinds) > 1 or not kinds <= set(_FILE_KINDS):
        raise UserError(f"{text} holds files of other kinds ({', '.join(sorted(kinds))}); churnkit reads Parquet "
                        "files or CSV files, one kind at a time.")
    try:
        import duckdb  # noqa: F401  (the backend's engine: its absence is the extra's absence)
        connection = _duckdb(ibis)
    except ImportError:
        raise UserError(MISSING_EXTRA) from None
    listed = "[" + ", ".join(_literal(str(f.resolve())) for f in files) + "]"
    try:
        if kinds == {".parquet"}:
            rows = _parquet_rows(connection, files, listed)
        else:
            # the quotes Excel writes, given: DuckDB would take those it sees in the first file for every file
            rows = connection.sql(
                f"SELECT *, row_number() OVER () - 1 AS _pos FROM read_csv({listed}, header = true, "
                "all_varchar = true, quote = '\"', escape = '\"', filename = '_file')")
            rows = rows.mutate(_row=rows["_pos"] - rows["_pos"].min().over(group_by=rows["_file"]) + 2)
    except Exception as exc:  # DuckDB's own error types: a damaged file, a file that is not Parquet or CSV
        raise UserError(f"{text} could not be read ({first_line(exc)}).") from None
    rows = rows.mutate(_sheet=rows["_file"].split("/")[-1] if len(files) > 1 else ibis.literal(files[0].name))
    label = files[0].name if len(files) == 1 else f"{text} ({len(files)} files)"
    stands_for = files[0] if len(files) == 1 else path / f"*{files[0].suffix}" if path.is_dir() else path
    return Relation(rows.drop("_file"), label, stands_for, [f.name for f in files])


def _parquet_rows(connection, files: list[Path], listed: str):
    """Parquet rows, each with its file's row number, and its place among all files' rows."""
    counts = connection.raw_sql(f"SELECT file_name, sum(num_rows) FROM parquet_file_metadata({listed}) "
                                "GROUP BY file_name").fetchall()
    sizes = {Path(name).resolve(): int(rows) for name, rows in counts}
    offsets, start = [], 0
    for f in files:
        offsets.append(f"({_literal(str(f.resolve()))}, {start})")
        start += sizes.get(f.resolve(), 0)
    scan = f"read_parquet({listed}, filename = '_file', file_row_number = true) AS p"
    if len(files) == 1:
        return connection.sql(f"SELECT p.* EXCLUDE (file_row_number), file_row_number + 1 AS _row, "
                              f"file_row_number AS _pos FROM {scan}")
    return connection.sql(f"SELECT p.* EXCLUDE (file_row_number), file_row_number + 1 AS _row, "
                          f"file_row_number + o.start AS _pos FROM {scan} "
                          f"JOIN (VALUES {', '.join(offsets)}) AS o(file, start) ON p._file = o.file")


def _table(ibis, connection, backend: str, name: str):
    schema, _, table = name.rpartition(".")
    tables = connection.list_tables(database=schema) if schema else connection.list_tables()
    if table not in tables:
        shown = ", ".join(sorted(tables)[:20]) or "none"
        raise UserError(f"There is no table '{name}' in the database; its tables are: {shown}.")
    if backend == "duckdb":      # rowid: the row's place in the table
        quoted = ".".join('"' + part.replace('"', '""') + '"' for part in name.split("."))
        return connection.sql(f"SELECT *, rowid AS _pos FROM {quoted}")
    return connection.table(table, database=schema or None)


def _connect(ibis, url: str, backend: str) -> tuple[Any, str | None]:
    """An Ibis connection, and the password it used (to cut out of messages)."""
    parts = urlsplit(url)
    if backend == "duckdb":
        # duckdb:///data/shop.duckdb (or ////data/…) is /data/shop.duckdb; duckdb://shop.duckdb is relative
        file = unquote(parts.netloc + parts.path) if parts.netloc else "/" + unquote(parts.path).lstrip("/")
        if not Path(file).is_file():
            raise UserError(f"DuckDB database not found: {file} (give duckdb:///path/to/file.duckdb).")
    user = unquote(parts.username or "") or None
    password = unquote(parts.password) if parts.password else os.environ.get(PASSWORD_VARIABLE)
    if backend != "duckdb" and password is None and user:
        password = _keyring_password(f"{user}@{parts.hostname}")
    try:
        if backend == "duckdb":
            return _duckdb(ibis, file, read_only=True), None
        return ibis.postgres.connect(host=parts.hostname or "localhost", port=parts.port or 5432, user=user,
                                     password=password, database=unquote(parts.path.lstrip("/")) or None), password
    except ImportError:
        raise UserError(MISSING_EXTRA) from None
    except Exception as exc:  # the driver's own error types
        raise UserError(f"Could not connect to {_safe(url)}: {_scrub(first_line(exc), password)}.") from None


def _duckdb(ibis, file: str = ":memory:", **options):
    """An embedded DuckDB that keeps within ``DUCKDB_MEMORY``, its aggregation spilling to
    <tempdir>/churnkit-duckdb beyond it (a million customers' months are several gigabytes of hash table)."""
    return ibis.duckdb.connect(file, memory_limit=DUCKDB_MEMORY,
                               temp_directory=str(Path(tempfile.gettempdir()) / "churnkit-duckdb"), **options)


def free_memory(table) -> None:
    """Let an embedded DuckDB hand back the memory its allocator keeps after a big query (lowering its limit
    and setting it again does it); another engine's memory is not churnkit's."""
    backend = _ibis().get_backend(table)
    if backend.name == "duckdb":
        backend.raw_sql("SET memory_limit = '64MB'")
        backend.raw_sql(f"SET memory_limit = '{DUCKDB_MEMORY}'")


def _keyring_password(account: str) -> str | None:
    try:
        import keyring      # here: its import (35 ms) is a tenth of churnkit's start, and only a database needs it

        return keyring.get_password(KEYRING_SERVICE, account)
    except Exception:  # no keyring back-end on this machine: no password from it
        return None


def _safe(url: str) -> str:
    """The URL without its password."""
    parts = urlsplit(url)
    if not parts.password:
        return url
    return url.replace(f":{parts.password}@", "@", 1)


def _scrub(message: str, password: str | None) -> str:
    message = message.rstrip(".")
    return message.replace(password, "***") if password else message


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
