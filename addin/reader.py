"""Reading order sheets from .xlsx, .xlsm and .csv files into the engine's raw sheets.

Workbooks are read with fastexcel (Rust, calamine), every cell as text so that nothing
is lost before the engine parses it (``00042`` stays ``00042``). The header row is found
by itself within the first rows of a sheet; several sheets with the same columns (one
per month or per year) can be read together as one order book. Before fastexcel opens a
workbook or loads one of its sheets, ``package_guard`` makes sure it can do so safely.
"""
from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import re
from pathlib import Path
from typing import Any, Mapping, Protocol, Sequence

import fastexcel
import numpy as np
import olefile
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from churn_logic import OrderBook, RawSheet, Settings, find_header_row, normalise
from churn_logic.columns import REQUIRED

from .errors import UserError
from .content.lists import SHEET_NAMES
from .package_guard import LIMIT_VARIABLE, PackageGuard, UnreadableSheet, limit_bytes
from .progress import Progress

HEADER_SEARCH_ROWS = 30
EXCEL_CELL_CHARS = 32_767           # the most characters a cell of Excel holds
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
SETTINGS_SHEETS = ("Churn Settings", "流失设置")
OUR_SHEETS = {name for names in SHEET_NAMES.values() for name in names.values()} | {*SETTINGS_SHEETS}
_PERIOD_NAME = re.compile(r"^\s*(\d{4}([-./年]\d{1,2}月?)?|\d{1,2}月|(19|20)\d{2}年|"
                          r"jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)", re.IGNORECASE)
_ORDERS_NAME = re.compile(r"order|sales|invoice|shipment|订单|销售|发货|出库|开票", re.IGNORECASE)
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_DELIMITERS = {",": "commas", ";": "semicolons", "\t": "tabs", "|": "vertical bars"}
_CSV_SAMPLE = 1 << 16


@dataclasses.dataclass
class ReadResult:
    book: OrderBook
    sheets: list[str]             # the sheets read, in order
    notes: list[str]              # what a user should know about how the file was read


@dataclasses.dataclass
class _Candidate:
    name: str
    header_index: int
    columns: dict[str, int]       # field -> column position in the sheet's used range
    table: pa.Table               # the whole sheet as text
    first_row: int                # Excel row number of the table's first row


class SheetTables(Protocol):
    """Where sheets come from: a workbook file, or the values of an open workbook."""
    label: str                    # how messages name the workbook
    sheet_names: list[str]

    def load(self, sheet: str) -> tuple[int, pa.Table]:
        """The Excel row number of its first row, and the sheet with every cell as text."""

    def merged(self, sheet: str) -> tuple[str, ...]:
        """The merged ranges of a loaded sheet (``D1:E1`` …), where they are known."""


@dataclasses.dataclass
class OpenWorkbook:
    """A workbook file opened by fastexcel, with the guard that checks each sheet before it is loaded."""
    reader: fastexcel.ExcelReader
    guard: PackageGuard


class ExcelFileTables:
    """The sheets of a workbook file, read by fastexcel once the package guard let them through."""

    def __init__(self, workbook: OpenWorkbook, label: str):
        self.workbook, self.label, self.sheet_names = workbook, label, list(workbook.reader.sheet_names)
        self._merged: dict[str, tuple[str, ...]] = {}

    def load(self, sheet: str) -> tuple[int, pa.Table]:
        self._merged[sheet] = self.workbook.guard.check_sheet(sheet)
        try:
            table = self.workbook.reader.load_sheet(sheet, header_row=None, skip_rows=0, dtypes="string").to_arrow()
        except (fastexcel.FastExcelError, pa.ArrowException) as exc:
            detail = _first_line(exc).removeprefix("calamine error: ")
            raise UnreadableSheet(f"Sheet '{sheet}' of {self.label} cannot be read ({detail}); open the workbook "
                                  "in Excel, save it, and run again.") from exc
        _check_cell_lengths(table, sheet, self.label)
        return 1, table

    def merged(self, sheet: str) -> tuple[str, ...]:
        return self._merged.get(sheet, ())


def _check_cell_lengths(table: pa.Table, sheet: str, label: str) -> None:
    """Refuse a sheet with a text longer than a cell of Excel holds: no Excel wrote it, and reading on would copy
    that text again and again (a cell of 1 GB took 7 GB)."""
    for position, column in enumerate(table.columns):
        lengths = pc.binary_length(column)
        if (pc.max(lengths).as_py() or 0) <= EXCEL_CELL_CHARS:
            continue
        characters = pc.utf8_length(column)
        too_long = pc.indices_nonzero(pc.fill_null(pc.greater(characters, EXCEL_CELL_CHARS), False))
        if len(too_long):
            row = too_long[0].as_py()
            raise UnreadableSheet(f"Sheet '{sheet}' of {label} has a text of {characters[row].as_py():,} characters "
                                  f"in row {row + 1} (column {position + 1} of its data), more than the "
                                  f"{EXCEL_CELL_CHARS:,} a cell of Excel holds, so no Excel saved it; open it in the "
                                  "program that made it, shorten that text, and save it again.")


class ValueTables:
    """Sheets given as values, the way xlwings hands over a used range: {sheet: (first row, 2-D list)}."""

    def __init__(self, label: str, sheets: Mapping[str, tuple[int, Sequence[Sequence[Any]]]]):
        self.label, self.sheets, self.sheet_names = label, dict(sheets), list(sheets)

    def load(self, sheet: str) -> tuple[int, pa.Table]:
        first_row, values = self.sheets[sheet]
        width = max((len(row) for row in values), default=0)
        columns = [[cell_text(row[i]) if i < len(row) else None for row in values] for i in range(width)]
        return first_row, pa.table({f"c{i}": pa.array(col, pa.string()) for i, col in enumerate(columns)})

    def merged(self, sheet: str) -> tuple[str, ...]:
        return ()


def cell_text(value: Any) -> str | None:
    """A cell value as fastexcel renders it as text, so both paths read the same (42.0 -> "42")."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d 00:00:00")
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.9f}".rstrip("0").rstrip(".")
    return str(value)


def open_workbook(path: Path) -> OpenWorkbook:
    """Open an Excel workbook with fastexcel, or raise a :class:`UserError` that says why not."""
    guard = check_file(path)
    try:
        return OpenWorkbook(fastexcel.read_excel(path), guard)
    except Exception as exc:  # fastexcel raises its own error types for every kind of bad file
        raise UserError(f"{path.name} could not be read as an Excel workbook ({_first_line(exc)}).") from exc


def check_file(path: Path) -> PackageGuard | None:
    """Refuse what is not there, not a workbook, password-protected, damaged or too large to read, with a
    clear sentence; for a workbook, the guard of its package (see ``package_guard``)."""
    if not path.exists():
        raise UserError(f"File not found: {path}")
    if path.is_dir():
        raise UserError(f"{path} is a folder, not a workbook.")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return None
    with path.open("rb") as handle:
        magic = handle.read(8)
    if magic == _OLE_MAGIC:
        raise UserError(_ole_sentence(path))
    if suffix not in EXCEL_SUFFIXES or not magic.startswith(b"PK"):
        raise UserError(f"{path.name} is not an Excel workbook (.xlsx, .xlsm) or a .csv file.")
    return PackageGuard(path)


def _ole_sentence(path: Path) -> str:
    """What an OLE compound file is: an encrypted workbook (a package with a password) or an old .xls."""
    try:
        with olefile.OleFileIO(str(path)) as ole:
            encrypted = ole.exists("EncryptionInfo") and ole.exists("EncryptedPackage")
            old_style = ole.exists("Workbook") or ole.exists("Book")
    except OSError:
        encrypted = old_style = False
    if encrypted:
        return (f"{path.name} is password-protected (encrypted); save a copy without a password "
                "and run churnkit on that copy.")
    if old_style:
        named = f", although its name ends in {path.suffix}" if path.suffix.lower() in EXCEL_SUFFIXES else ""
        return (f"{path.name} is an old-style Excel 97-2003 workbook (.xls){named}; open it in Excel and save it "
                "as .xlsx.")
    return f"{path.name} is not an Excel workbook (.xlsx, .xlsm) or a .csv file."


def read_order_book(path: Path, settings: Settings, sheets: Sequence[str] | None = None,
                    all_sheets: bool = False, progress: Progress | None = None,
                    tables: ExcelFileTables | None = None) -> ReadResult:
    """Read the order lines of a workbook (``tables``, when it is already open) or CSV file."""
    progress = progress or Progress(quiet=True)
    path = Path(path)
    if path.suffix.lower() == ".csv":
        check_file(path)
        with progress.step(f"Reading {path.name}"):
            raw, header, notes = _read_csv(path, settings)
        book = normalise([raw], settings)
        _check_lines_read(book, path.name, [header])
        return ReadResult(book, [raw.sheet], notes)
    tables = tables or ExcelFileTables(open_workbook(path), path.name)
    with progress.step(f"Reading {path.name}"):
        candidates, notes = _choose_sheets(tables, settings, sheets, all_sheets)
    with progress.step("Checking order lines"):
        book = normalise([_read_sheet(c) for c in candidates], settings)
    _check_lines_read(book, tables.label, [_header_of(c, tables) for c in candidates])
    return ReadResult(book, [c.name for c in candidates], notes)


def read_order_values(tables: ValueTables, settings: Settings, sheets: Sequence[str] | None = None,
                      all_sheets: bool = False) -> ReadResult:
    """Read the order lines from sheet values (an open workbook), choosing sheets as for a file."""
    candidates, notes = _choose_sheets(tables, settings, sheets, all_sheets)
    return ReadResult(normalise([_read_sheet(c) for c in candidates], settings), [c.name for c in candidates], notes)


def _choose_sheets(tables: SheetTables, settings: Settings, names: Sequence[str] | None,
                   all_sheets: bool) -> tuple[list[_Candidate], list[str]]:
    if names:
        missing = [name for name in names if name not in tables.sheet_names]
        if missing:
            raise UserError(f"{tables.label} has no sheet named '{missing[0]}'; its sheets are: "
                            f"{', '.join(tables.sheet_names)}.")
        chosen = []
        for name in names:
            candidate = _look_at(tables, name, settings)
            if candidate is None:
                raise UserError(_no_header_sentence(f"Sheet '{name}' of {tables.label}", settings))
            chosen.append(candidate)
        return chosen, []
    found = []
    for name in (n for n in tables.sheet_names if n not in OUR_SHEETS):
        try:
            candidate = _look_at(tables, name, settings)
        except UnreadableSheet as exc:       # it may hold orders: leaving it out could change every verdict
            if len(tables.sheet_names) == 1:
                raise
            raise UnreadableSheet(f"{str(exc).removesuffix('.')}; or name the sheets to read with --sheet.") from exc
        if candidate is not None:
            found.append(candidate)
    if not found:
        raise UserError(_no_header_sentence(f"No sheet of {tables.label}", settings, plural=True))
    if all_sheets or len(found) == 1:
        return found, []
    if all(_PERIOD_NAME.match(c.name) for c in found):
        return found, [f"Read {len(found)} period sheets together as one order book: "
                       f"{', '.join(c.name for c in found)}."]
    best = next((c for c in found if _ORDERS_NAME.search(c.name)), found[0])
    others = ", ".join(c.name for c in found if c is not best)
    return [best], [f"Read sheet '{best.name}'; other sheets also look like orders ({others}): "
                    "use --sheet to choose or --all-sheets to read them all."]


@dataclasses.dataclass
class _Header:
    sheet: str
    row: int                      # its Excel row number
    texts: dict[str, str]         # field -> the header written above it
    merged: tuple[str, ...]       # merged ranges of the sheet


def _header_of(candidate: _Candidate, tables: SheetTables) -> _Header:
    texts = {field: str(candidate.table.column(pos)[candidate.header_index].as_py() or "").strip()
             for field, pos in candidate.columns.items()}
    return _Header(candidate.name, candidate.first_row + candidate.header_index, texts, tables.merged(candidate.name))


def _check_lines_read(book: OrderBook, label: str, headers: list[_Header]) -> None:
    """When rows were there but not one could be read, say why, and what to change."""
    if len(book.lines) or not len(book.skipped):
        return
    skipped = book.skipped
    fields = skipped["reason"].str.split(" ", n=1).str[0]
    field = fields.value_counts().index[0]
    first = skipped[fields == field].iloc[0]
    problem = "is empty" if skipped["reason"][fields == field].str.endswith(" is empty").all() else "cannot be read"
    header = next((h for h in headers if h.sheet == first["sheet"]), None)
    merged = [ref for ref in (header.merged if header else ()) if _spans_columns_on(ref, header.row)]
    where = f"the header row of sheet '{header.sheet}' has merged cells ({', '.join(merged)}), so a header may " \
            "stand over a neighbouring column: unmerge them so that each header is right above its values" \
        if merged else \
        f"check that the header '{header.texts.get(field, field)}' stands right above the {field} values" \
        if header else "check the column"
    raise UserError(f"No order line of {label} could be read: all {len(skipped):,} rows were skipped, "
                    f"{int((fields == field).sum()):,} of them because the {field} {problem} (the first: sheet "
                    f"'{first['sheet']}' row {first['row']}); {where}, or name the column with "
                    f"--{field}-column.")


def _spans_columns_on(ref: str, row: int) -> bool:
    """Whether a merged range such as ``D1:E1`` covers the Excel row ``row`` and more than one column."""
    found = re.fullmatch(r"([A-Z]+)(\d+):([A-Z]+)(\d+)", ref.upper())
    return bool(found) and found.group(1) != found.group(3) and int(found.group(2)) <= row <= int(found.group(4))


def _no_header_sentence(subject: str, settings: Settings, plural: bool = False, read_as: str = "") -> str:
    named = ", ".join(f"{field} = '{header}'" for field, header in settings.columns.items())
    wanted = ("has a header row" if plural else "has no header row") + " with date, customer and amount columns"
    hint = (f" (looked for the headers you named: {named})" if named else
            f" within its first {HEADER_SEARCH_ROWS} rows{read_as}; name the columns with --date-column, "
            "--customer-column and --amount-column")
    return f"{subject} {wanted}{hint}."


def _look_at(tables: SheetTables, name: str, settings: Settings) -> _Candidate | None:
    """Load a sheet (every cell as text) and find its header row."""
    first_row, table = tables.load(name)
    top = table.slice(0, max(0, HEADER_SEARCH_ROWS + 1 - first_row)).to_pylist()   # the sheet's rows 1 to 30
    found = find_header_row([list(row.values()) for row in top], settings.columns)
    if found is None:
        return None
    return _Candidate(name, found[0], found[1], table, first_row)


def _read_sheet(candidate: _Candidate) -> RawSheet:
    start = candidate.header_index + 1
    table = candidate.table
    cells = {field: table.column(pos).slice(start).to_pandas(types_mapper=pd.ArrowDtype)
             for field, pos in candidate.columns.items()}
    rows = np.arange(start, table.num_rows) + candidate.first_row
    return RawSheet(candidate.name, rows, cells)


def _read_csv(path: Path, settings: Settings) -> tuple[RawSheet, _Header, list[str]]:
    """The rows of a CSV file, its fields separated by what the file itself uses (commas, semicolons, tabs)."""
    size = path.stat().st_size
    if size > limit_bytes():
        raise UserError(f"{path.name} is too large to read: it is {size / 2**20:,.0f} MB, more than the "
                        f"{limit_bytes() / 2**20:,.0f} MB churnkit reads (set {LIMIT_VARIABLE} to change it).")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            with path.open(newline="", encoding=encoding) as handle:
                delimiter = _delimiter(handle.read(_CSV_SAMPLE))
                handle.seek(0)
                rows = _csv_rows(path, handle, delimiter)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise UserError(f"{path.name} is not a text file in UTF-8 or GB18030.")
    if not any(any(cell.strip() for cell in row) for row in rows):
        raise UserError(f"{path.name} is empty: it has no rows to read.")
    separated = _DELIMITERS[delimiter]
    found = find_header_row(rows[:HEADER_SEARCH_ROWS], settings.columns)
    if found is None:
        raise UserError(_no_header_sentence(
            path.name, settings, read_as=f" (its fields read as separated by {separated}; to give another "
                                         "separator, save it from Excel as CSV UTF-8, comma delimited)"))
    header_index, columns = found
    body = rows[header_index + 1:]
    cells = {field: pd.Series([row[pos] if pos < len(row) else None for row in body], dtype=object)
             for field, pos in columns.items()}
    raw = RawSheet(path.name, pd.RangeIndex(header_index + 2, len(rows) + 1).to_numpy(), cells)
    texts = {field: rows[header_index][pos].strip() for field, pos in columns.items()}
    header = _Header(path.name, header_index + 1, texts, ())
    return raw, header, [] if delimiter == "," else [f"Read {path.name} with its fields separated by {separated}."]


def _delimiter(sample: str) -> str:
    """The field separator of a CSV file, as ``csv.Sniffer`` sees it in its first lines (a comma when unclear)."""
    try:
        return csv.Sniffer().sniff(sample, delimiters="".join(_DELIMITERS)).delimiter
    except csv.Error:
        return ","


def _csv_rows(path: Path, handle, delimiter: str) -> list[list[str]]:
    reader = csv.reader(handle, delimiter=delimiter)
    rows: list[list[str]] = []
    ended = 0
    try:
        for row in reader:
            rows.append(row)
            ended = reader.line_num
    except csv.Error as exc:
        why = f"a field of more than {csv.field_size_limit():,} characters, most likely a quote mark (\") that is " \
              "never closed" if "field larger than field limit" in str(exc) else str(exc)
        raise UserError(f"{path.name} cannot be read from line {ended + 1} on: {why}; fix that line and run again.") \
            from exc
    return rows


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
