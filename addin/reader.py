"""Reading order sheets from .xlsx, .xlsm and .csv files into the engine's raw sheets.

Workbooks are read with fastexcel (Rust, calamine), every cell as text so that nothing
is lost before the engine parses it (``00042`` stays ``00042``). The header row is found
by itself within the first rows of a sheet; several sheets with the same columns (one
per month or per year) can be read together as one order book.
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
import pandas as pd
import pyarrow as pa

from churn_logic import OrderBook, RawSheet, Settings, find_header_row, normalise
from churn_logic.columns import REQUIRED

from .errors import UserError
from .content.lists import SHEET_NAMES
from .progress import Progress

HEADER_SEARCH_ROWS = 30
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
SETTINGS_SHEETS = ("Churn Settings", "流失设置")
OUR_SHEETS = {name for names in SHEET_NAMES.values() for name in names.values()} | {*SETTINGS_SHEETS}
_PERIOD_NAME = re.compile(r"^\s*(\d{4}([-./年]\d{1,2}月?)?|\d{1,2}月|(19|20)\d{2}年|"
                          r"jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)", re.IGNORECASE)
_ORDERS_NAME = re.compile(r"order|sales|invoice|shipment|订单|销售|发货|出库|开票", re.IGNORECASE)
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


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


class ExcelFileTables:
    """The sheets of a workbook file, read by fastexcel."""

    def __init__(self, reader: fastexcel.ExcelReader, label: str):
        self.reader, self.label, self.sheet_names = reader, label, list(reader.sheet_names)

    def load(self, sheet: str) -> tuple[int, pa.Table]:
        return 1, self.reader.load_sheet(sheet, header_row=None, skip_rows=0, dtypes="string").to_arrow()


class ValueTables:
    """Sheets given as values, the way xlwings hands over a used range: {sheet: (first row, 2-D list)}."""

    def __init__(self, label: str, sheets: Mapping[str, tuple[int, Sequence[Sequence[Any]]]]):
        self.label, self.sheets, self.sheet_names = label, dict(sheets), list(sheets)

    def load(self, sheet: str) -> tuple[int, pa.Table]:
        first_row, values = self.sheets[sheet]
        width = max((len(row) for row in values), default=0)
        columns = [[cell_text(row[i]) if i < len(row) else None for row in values] for i in range(width)]
        return first_row, pa.table({f"c{i}": pa.array(col, pa.string()) for i, col in enumerate(columns)})


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


def open_workbook(path: Path) -> fastexcel.ExcelReader:
    """Open an Excel workbook with fastexcel, or raise a :class:`UserError` that says why not."""
    check_file(path)
    try:
        return fastexcel.read_excel(path)
    except Exception as exc:  # fastexcel raises its own error types for every kind of bad file
        raise UserError(f"{path.name} could not be read as an Excel workbook ({_first_line(exc)}).") from exc


def check_file(path: Path) -> None:
    """Refuse what is not there, not a workbook, or password-protected, with a clear sentence."""
    if not path.exists():
        raise UserError(f"File not found: {path}")
    if path.is_dir():
        raise UserError(f"{path} is a folder, not a workbook.")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return
    with path.open("rb") as handle:
        magic = handle.read(8)
    if magic == _OLE_MAGIC:
        if suffix in EXCEL_SUFFIXES:
            raise UserError(f"{path.name} is password-protected (encrypted); save a copy without a password "
                            "and run churnkit on that copy.")
        raise UserError(f"{path.name} is an old-style .xls workbook; open it in Excel and save it as .xlsx.")
    if suffix not in EXCEL_SUFFIXES or not magic.startswith(b"PK"):
        raise UserError(f"{path.name} is not an Excel workbook (.xlsx, .xlsm) or a .csv file.")


def read_order_book(path: Path, settings: Settings, sheets: Sequence[str] | None = None,
                    all_sheets: bool = False, progress: Progress | None = None,
                    tables: ExcelFileTables | None = None) -> ReadResult:
    """Read the order lines of a workbook (``tables``, when it is already open) or CSV file."""
    progress = progress or Progress(quiet=True)
    path = Path(path)
    if path.suffix.lower() == ".csv":
        check_file(path)
        with progress.step(f"Reading {path.name}"):
            raw = _read_csv(path, settings)
        return ReadResult(normalise([raw], settings), [raw.sheet], [])
    tables = tables or ExcelFileTables(open_workbook(path), path.name)
    with progress.step(f"Reading {path.name}"):
        candidates, notes = _choose_sheets(tables, settings, sheets, all_sheets)
    with progress.step("Checking order lines"):
        book = normalise([_read_sheet(c) for c in candidates], settings)
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
    found = [c for name in tables.sheet_names if name not in OUR_SHEETS
             for c in [_look_at(tables, name, settings)] if c is not None]
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


def _no_header_sentence(subject: str, settings: Settings, plural: bool = False) -> str:
    named = ", ".join(f"{field} = '{header}'" for field, header in settings.columns.items())
    verb = "has" if plural else "has no"
    wanted = "a header row with date, customer and amount columns"
    hint = (f" (looked for the headers you named: {named})" if named else
            f" within its first {HEADER_SEARCH_ROWS} rows; name the columns with --date-column, "
            "--customer-column and --amount-column")
    return f"{subject} {verb} {wanted}{hint}."


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


def _read_csv(path: Path, settings: Settings) -> RawSheet:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            with path.open(newline="", encoding=encoding) as handle:
                rows = list(csv.reader(handle))
            break
        except UnicodeDecodeError:
            continue
    else:
        raise UserError(f"{path.name} is not a text file in UTF-8 or GB18030.")
    found = find_header_row(rows[:HEADER_SEARCH_ROWS], settings.columns)
    if found is None:
        raise UserError(_no_header_sentence(path.name, settings))
    header_index, columns = found
    body = rows[header_index + 1:]
    cells = {field: pd.Series([row[pos] if pos < len(row) else None for row in body], dtype=object)
             for field, pos in columns.items()}
    return RawSheet(path.name, pd.RangeIndex(header_index + 2, len(rows) + 1).to_numpy(), cells)


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
