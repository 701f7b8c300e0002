"""Reading the order lines of a workbook, a CSV file or an open workbook's values into the engine's order book.

Workbooks are read with fastexcel (Rust, calamine), every cell as text so that nothing
is lost before the engine parses it (``00042`` stays ``00042``). The header row is found
by itself within the first rows of a sheet; several sheets with the same columns (one
per month or per year) can be read together as one order book. Before fastexcel opens a
workbook or loads one of its sheets, ``guard`` makes sure it can do so safely.
"""
from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import re
from pathlib import Path
from typing import Callable, ContextManager, Protocol, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa

from churn_logic import (DAY_FIRST, MONTH_FIRST, CustomerMonths, OrderBook, RawSheet, Settings, combine,
                         combine_tables, find_header_row, future_cutoff, normalise, warm_up)

from ..content.sheet_kinds import OUR_SHEET_NAMES
from ..errors import UserError
from .csv_file import read_csv
from .files import check_file, open_workbook
from .guard import UnreadableSheet
from .headers import HEADER_SEARCH_ROWS, Header, no_header_sentence
from .line_cache import KeptBook, LineCache, SharedParts, SheetEntry
from .tables import ExcelFileTables, SheetTables, ValueTables
from .unsaved_formulas import rows_with_unsaved_formulas

_PERIOD_NAME = re.compile(r"^\s*(\d{4}([-./年]\d{1,2}月?)?|\d{1,2}月|(19|20)\d{2}年|"
                          r"jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)", re.IGNORECASE)
_ORDERS_NAME = re.compile(r"order|sales|invoice|shipment|订单|销售|发货|出库|开票", re.IGNORECASE)


class Steps(Protocol):
    """What reports progress on long steps (the command line's ``Progress``)."""

    def step(self, message: str) -> ContextManager[None]: ...


@dataclasses.dataclass
class ReadResult:
    book: OrderBook
    sheets: list[str]             # the sheets read, in order
    notes: list[str]              # what a user should know about how the file was read
    months: CustomerMonths | None = None    # the lines added up where they lie (``pushdown``): book has no lines


@dataclasses.dataclass
class _Candidate:
    name: str
    header_index: int
    columns: dict[str, int]       # field -> column position in the sheet's used range
    table: pa.Table               # the whole sheet as text
    first_row: int                # Excel row number of the table's first row


def read_order_book(path: Path, settings: Settings, sheets: Sequence[str] | None = None,
                    all_sheets: bool = False, progress: Steps | None = None,
                    tables: ExcelFileTables | None = None, cache: LineCache | None = None) -> ReadResult:
    """Read the order lines of a workbook (``tables``, when it is already open) or CSV file; with ``cache``, the
    lines of a sheet read before and unchanged since come from there (``line_cache``)."""
    progress = progress or _Quiet()
    path = Path(path)
    today = dt.date.today()
    cutoff = future_cutoff(today)
    if path.suffix.lower() == ".csv":
        check_file(path)
        key = cache.csv_key(path, settings, cutoff) if cache else None
        entry = cache.load(key) if key else None
        if entry is None:
            with progress.step(f"Reading {path.name}"):
                raw, header, notes = read_csv(path, settings)
            entry = SheetEntry(header, normalise([raw], settings, today), notes)
            if key:
                cache.store(key, entry)
        book = entry.order_book()
        _check_lines_read(book, path.name, [entry.header])
        return ReadResult(book, [entry.header.sheet], entry.notes + _date_notes(book))
    tables = tables or ExcelFileTables(open_workbook(path), path.name)
    reader = _SheetReader(tables, settings, today, cache)
    with progress.step(f"Reading {path.name}"):
        chosen, notes = _choose_sheets(tables, settings, sheets, all_sheets, reader.look)
    with progress.step("Checking order lines"):
        book = reader.combined(chosen)
    reader.keep()
    _check_lines_read(book, tables.label, [reader.header(name) for name in chosen], path)
    return ReadResult(book, chosen, notes + _date_notes(book))


def read_order_values(tables: ValueTables, settings: Settings, sheets: Sequence[str] | None = None,
                      all_sheets: bool = False) -> ReadResult:
    """Read the order lines from sheet values (an open workbook), choosing sheets as for a file."""
    reader = _SheetReader(tables, settings, dt.date.today())
    chosen, notes = _choose_sheets(tables, settings, sheets, all_sheets, reader.look)
    book = combine([reader.lines(name) for name in chosen])
    return ReadResult(book, chosen, notes + _date_notes(book))


class _SheetReader:
    """Each sheet looked at (does it have a header row?) and read as order lines once, from the cache when it is
    there; ``keep`` puts what was read into the cache."""

    def __init__(self, tables: SheetTables, settings: Settings, today: dt.date, cache: LineCache | None = None):
        self.tables, self.settings, self.today = tables, settings, today
        guard = tables.workbook.guard if isinstance(tables, ExcelFileTables) else None
        self.cache = cache if guard is not None else None
        self.guard = guard
        self.shared = SharedParts(guard) if self.cache else None
        self.entries: dict[str, SheetEntry] = {}
        self.loaded: dict[str, _Candidate | None] = {}
        self.keys: dict[str, str | None] = {}
        self.read: set[str] = set()            # the sheets not from the cache

    def look(self, name: str) -> bool:
        """Whether the sheet has a header row with order columns."""
        if name not in self.entries:
            key = self.keys[name] = self.cache.sheet_key(self.guard, name, self.settings,
                                                         future_cutoff(self.today)) if self.cache else None
            if key and self.cache.holds(key):
                warm_up()       # Arrow reads the kept lines without Python's lock: scipy is imported meanwhile
            entry = self.cache.load(key, self.shared) if key else None
            if entry is None:
                found = self._load(name)
                entry = SheetEntry(_header_of(found, self.tables) if found else None)
                self.read.add(name)
            self.entries[name] = entry
        return self.entries[name].header is not None

    def header(self, name: str) -> Header:
        return self.entries[name].header

    def lines(self, name: str) -> OrderBook:
        entry = self.entries[name]
        if entry.order_book() is None:
            found = self.loaded[name] if name in self.loaded else self._load(name)
            entry.book = normalise([_read_sheet(found)], self.settings, self.today)
            self.read.add(name)
        return entry.book

    def combined(self, names: Sequence[str]) -> OrderBook:
        """The order lines of the sheets ``names``, one after the other (``combine``); those of several sheets from
        the cache are joined as Arrow tables first, so that they become one frame at once (``combine_tables``), and
        so are their skipped rows."""
        entries = [self.entries[name] for name in names]
        if len(names) > 1 and any(entry.book is None and entry.kept is not None for entry in entries):
            kept = [self._kept(name) for name in names]
            lines = combine_tables([book.lines for book in kept])
            if lines is not None:
                return combine(kept, lines, combine_tables([book.skipped_rows for book in kept]))
        return combine([self.lines(name) for name in names])

    def _kept(self, name: str) -> KeptBook:
        """A sheet's order lines as Arrow tables: as the cache kept them, or read (``lines``) and made so once, which
        ``keep`` then stores."""
        entry = self.entries[name]
        if entry.kept is None:
            self.lines(name)
        return entry.kept_book()

    def keep(self) -> None:
        for name in self.read:
            if self.keys.get(name):
                self.cache.store(self.keys[name], self.entries[name], self.shared)

    def _load(self, name: str) -> _Candidate | None:
        self.loaded[name] = _look_at(self.tables, name, self.settings)
        return self.loaded[name]


def _choose_sheets(tables: SheetTables, settings: Settings, names: Sequence[str] | None, all_sheets: bool,
                   look: Callable[[str], bool]) -> tuple[list[str], list[str]]:
    if names:
        missing = [name for name in names if name not in tables.sheet_names]
        if missing:
            raise UserError(f"{tables.label} has no sheet named '{missing[0]}'; its sheets are: "
                            f"{', '.join(tables.sheet_names)}.")
        for name in names:
            if not look(name):
                raise UserError(no_header_sentence(f"Sheet '{name}' of {tables.label}", settings))
        return list(names), []
    found = []
    for name in (n for n in tables.sheet_names if n not in OUR_SHEET_NAMES):
        try:
            if look(name):
                found.append(name)
        except UnreadableSheet as exc:       # it may hold orders: leaving it out could change every verdict
            if len(tables.sheet_names) == 1:
                raise
            raise UnreadableSheet(f"{str(exc).removesuffix('.')}; or name the sheets to read with --sheet.") from exc
    if not found:
        raise UserError(no_header_sentence(f"No sheet of {tables.label}", settings, plural=True))
    if all_sheets or len(found) == 1:
        return found, []
    if all(_PERIOD_NAME.match(name) for name in found):
        return found, [f"Read {len(found)} period sheets together as one order book: {', '.join(found)}."]
    best = next((name for name in found if _ORDERS_NAME.search(name)), found[0])
    others = ", ".join(name for name in found if name != best)
    return [best], [f"Read sheet '{best}'; other sheets also look like orders ({others}): "
                    "use --sheet to choose or --all-sheets to read them all."]


def _date_notes(book: OrderBook) -> list[str]:
    """Say how text dates of numbers only were read, where a sheet's own dates proved the order."""
    words = {DAY_FIRST: "day/month/year, as its dates with a first number above 12 show",
             MONTH_FIRST: "month/day/year, as its dates with a second number above 12 show"}
    return [f"Read the text dates of sheet '{sheet}' as {words[order]}; set the date format "
            f"(--date-format) if that is not so." for sheet, order in book.date_orders.items()]


def _header_of(candidate: _Candidate, tables: SheetTables) -> Header:
    texts = {field: str(candidate.table.column(pos)[candidate.header_index].as_py() or "").strip()
             for field, pos in candidate.columns.items()}
    return Header(candidate.name, candidate.first_row + candidate.header_index, texts, tables.merged(candidate.name))


def _check_lines_read(book: OrderBook, label: str, headers: list[Header], workbook: Path | None = None) -> None:
    """When rows were there but not one could be read, say why, and what to change."""
    if len(book.lines) or not len(book.skipped):
        return
    skipped = book.skipped
    fields = skipped["reason"].str.split(" ", n=1).str[0]
    field = fields.value_counts().index[0]
    first = skipped[fields == field].iloc[0]
    problem = "is empty" if skipped["reason"][fields == field].str.endswith(" is empty").all() else "cannot be read"
    if problem == "is empty" and workbook is not None \
            and first["row"] in rows_with_unsaved_formulas(workbook, first["sheet"]):
        raise UserError(f"No order line of {label} could be read: the {field} cells of sheet '{first['sheet']}' "
                        f"(such as row {first['row']}) hold formulas without saved results, as a program that does "
                        "not calculate writes them: open the workbook in Excel or LibreOffice, save it, and run "
                        "churnkit again.")
    header = next((h for h in headers if h.sheet == first["sheet"]), None)
    if skipped["reason"][fields == field].str.contains(" may be day/month or month/day", regex=False).all():
        raise UserError(f"No order line of {label} could be read: its dates, such as "
                        f"'{first['reason'].split(chr(39))[1]}' (sheet '{first['sheet']}' row {first['row']}), may be "
                        "day/month or month/day and none has a number above 12 to show which: give the date "
                        "format with --date-format DD/MM/YYYY or --date-format MM/DD/YYYY.")
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




class _Quiet:
    def step(self, message: str) -> ContextManager[None]:
        return contextlib.nullcontext()
