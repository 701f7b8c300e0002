"""Reading an order book and scoring it, with every settings source: what every other task starts from."""
from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from pathlib import Path
from typing import Any, Mapping, Sequence

from churn_logic import (AmountTooLargeError, ChurnModel, NoOrderForecast, NoOrdersError, Settings, analyse,
                         forecast_no_order, may_be_incomplete, month_label)

from ..content.words import plural
from ..errors import UserError
from ..sources.files import check_file, open_workbook
from ..sources.databases import engine_errors, is_database_source, open_source
from ..sources.line_cache import LineCache
from ..sources.order_book import ReadResult, Steps, read_order_book
from ..sources.pushdown import read_relation
from ..sources.reps_sheet import gone_reps
from ..sources.settings import gather
from ..sources.tables import ExcelFileTables, SheetTables
from ..workbooks.base import Workbook

STRICT_EXAMPLES = 3


@dataclasses.dataclass
class Analysis:
    """A workbook read and scored."""
    path: Path
    read: ReadResult
    model: ChurnModel
    tables: SheetTables | None = None     # the workbook's sheets as read (None for a CSV file)

    @functools.cached_property
    def forecast(self) -> NoOrderForecast:
        """Each customer's probability of no order in the ``horizon_months`` after the as-of month, and the
        expected loss (SPEC "Probability of no order"), made when first asked for."""
        return forecast_no_order(self.model, self.model.settings.horizon_months)


def analyse_workbook(source: Path | str | Workbook, flags: Mapping[str, Any] | None = None,
                     sheets: Sequence[str] | None = None, all_sheets: bool = False, strict: bool = False,
                     progress: Steps | None = None, today: dt.date | None = None, cache: bool = False,
                     table: str | None = None, query: str | None = None) -> Analysis:
    """Read the orders of ``source`` — a workbook or CSV file, or a workbook already open (a file churnkit
    writes into, or one open in Excel), or order lines read where they lie (Parquet files, a folder or glob of
    files, a database's ``table`` or ``query``: ``sources.databases``) — with every settings source, and score
    every customer; with ``cache``, the lines of sheets read before and unchanged since come from the user's
    cache (``sources.line_cache``)."""
    tables: SheetTables | None = None
    if not isinstance(source, Workbook) and is_database_source(source):
        relation = open_source(source, table, query)
        settings = gather(relation.path.parent if relation.path.parent.is_dir() else Path.cwd(), flags or {}, None)
        try:
            read = read_relation(relation, settings, progress, today)
        except engine_errors() as exc:
            raise relation.failed(exc) from None
        return _score(relation.path, read, settings, strict, today, None, relation.label)
    if isinstance(source, Workbook):
        path, tables = source.path, source.tables()
    elif Path(source).suffix.lower() == ".csv":
        path = Path(source)
        check_file(path)
    else:
        path = Path(source)
        tables = ExcelFileTables(open_workbook(path), path.name)
    unsaved = isinstance(source, Workbook) and not path.is_absolute()      # a workbook Excel has not saved yet
    folder = None if unsaved else path.parent
    settings = gather(folder, flags or {}, tables)
    read = read_order_book(path, settings, sheets, all_sheets, progress, tables,
                           LineCache.default() if cache else None)
    return _score(path, read, settings, strict, today, tables)


def _score(path: Path, read: ReadResult, settings: Settings, strict: bool, today: dt.date | None,
           tables: SheetTables | None, label: str | None = None) -> Analysis:
    skipped = read.book.skipped
    if strict and len(skipped):
        examples = "; ".join(f"sheet '{r.sheet}' row {r.row}: {r.reason}"
                             for r in skipped.head(STRICT_EXAMPLES).itertuples())
        more = f" (and {len(skipped) - STRICT_EXAMPLES} more)" if len(skipped) > STRICT_EXAMPLES else ""
        raise UserError(f"{len(skipped)} rows of {label or path.name} cannot be read — {examples}{more}; "
                        "fix them, or run without --strict to skip such rows.")
    try:
        model = analyse(read.book.lines, settings, today, gone_reps(tables)) if read.months is None else \
            read.months.analyse(settings, today, gone_reps(tables))
    except NoOrdersError as exc:
        raise UserError(f"{label or path.name}: {exc}") from exc
    except AmountTooLargeError as exc:
        raise UserError(f"{label or path.name} cannot be scored: {exc}; check that the amount column holds "
                        "amounts (not order numbers or phone numbers), or name it with --amount-column.") from exc
    # the latest line, after the as-of month too: then that month is over
    latest = (read.book.lines["date"].max() if read.months is None else read.months.latest_date).date()
    if may_be_incomplete(model.as_of, latest):
        read.notes.append(f"The as-of month {model.as_of_label} may be incomplete: the latest order line is from "
                          f"{latest:%Y-%m-%d}. Give --as-of {month_label(model.as_of - 1)} to judge the last month "
                          "the orders cover in full.")
    ignored = read.book.ignored_rows
    if ignored:
        read.notes.append(f"Not read as order lines: {ignored:,} {plural(ignored, 'row')} holding a total, "
                          "a subtotal or a single note.")
    return Analysis(path, read, model, tables)
