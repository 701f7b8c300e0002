"""What the worksheet functions of ``addin.udfs`` compute: their arguments read the way xlwings hands them
over, the model of the orders (cached by content, ``model_cache``), and the values they give.

Nothing raises into Excel: a problem is a cell value starting with ``#CHURN:`` (``cell_safe``).
"""
from __future__ import annotations

import datetime as dt
import functools
from typing import Any

import pandas as pd
from churn_logic import (ChurnModel, NoOrdersError, OrderBook, Settings, SettingsError, analyse, churn_kpis,
                         customer_history, resolve, winback_list)

from ..content.words import WORDS
from ..errors import UserError
from ..ooxml.worksheet import cell_value
from ..sources.order_book import read_order_values
from ..sources.settings import gather, settings_from_rows
from ..sources.tables import ValueTables, cell_text
from ..workbooks.excel_book import ExcelWorkbook
from . import model_cache
from .recalculation import RECALCULATIONS

ERROR = "#CHURN: "
LANG_SETTINGS = {"lang", "language", "语言"}
RANGE = "orders"                 # the sheet name the rows of an orders range are read under
AT_RISK_FIELDS = ["customer", "name", "risk", "reasons", "core_class", "value_at_stake", "value_last_12m",
                  "decline_streak", "low_streak", "months_without_orders", "last_order_date", "first_month"]
ARGUMENTS = WORDS["en"]["function_arguments"]         # xw.arg's help; the Chinese add-in's is WORDS["zh"]'s
CUSTOMER_DOC, ORDERS_DOC, SETTINGS_DOC = ARGUMENTS["customer"], ARGUMENTS["orders"], ARGUMENTS["settings"]
ARGUMENT_HELP_ZH = WORDS["zh"]["function_arguments"]
NOT_ORDERS = "orders must be a range with its header row, or a CHURN_MODEL handle"
NOT_SETTINGS = "settings must be a range of two columns: setting, value"


class CellError(Exception):
    """A problem worded for a cell."""


def cell_safe(function):
    """Problems become ``#CHURN: …`` cell values instead of exceptions raised into Excel."""
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except CellError as exc:
            return ERROR + str(exc)
        except Exception as exc:  # the last guard: a cell shows one line, never a traceback
            return f"{ERROR}unexpected error ({type(exc).__name__}: {exc})"
    return wrapper


def _sentence(text: str) -> str:
    """An engine message as a cell message: lower-case start, no full stop."""
    return text[:1].lower() + text[1:].rstrip(".")


# --- arguments ---------------------------------------------------------------------

def _customer_key(customer: Any) -> str:
    if isinstance(customer, list):
        raise CellError("customer must be one cell")
    key = cell_text(customer) or ""
    if not key.strip():
        raise CellError("no customer given")
    return key          # exactly as written, as the order lines' keys are


def _table(value: Any, problem: str) -> list[list]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(row, list) for row in value):
        raise CellError(problem)
    return value


def _settings(settings: Any) -> tuple[dict[str, Any], str | None]:
    """The settings of a (setting, value) range, and its ``lang`` (None when it has none)."""
    if settings is None:
        return {}, None
    rows = _table(settings, NOT_SETTINGS)
    if any(len(row) < 2 for row in rows):
        raise CellError(NOT_SETTINGS)
    values = settings_from_rows(rows)
    lang = None
    for name in [name for name in values if name.lower() in LANG_SETTINGS]:
        lang = (cell_text(values.pop(name)) or "").strip().lower() or None
        if lang not in (None, "en", "zh"):
            raise CellError(f"setting '{name}' must be en or zh")
    # Excel turns a typed 2024-06 into a date: the month is meant
    return {k: v.strftime("%Y-%m") if isinstance(v, dt.date) else v for k, v in values.items()}, lang


def _resolve(values: dict[str, Any]) -> Settings:
    try:
        return resolve([("the settings range", values)])
    except SettingsError as exc:
        raise CellError(_sentence(exc.problem)) from None


# --- orders ------------------------------------------------------------------------

def model_of(orders: Any, settings: Any, caller: Any) -> tuple[model_cache.Cached, str]:
    """The model for these arguments (cached by content), and the language of its words."""
    values, lang = _settings(settings)
    if _one_cell(orders) and isinstance(orders[0][0], str):
        orders = orders[0][0]          # a handle (or CHURN_MODEL's error) in one cell arrives as [[text]]
    if isinstance(orders, str):
        return _from_handle(orders, values, lang)
    lang = lang or "en"
    month = dt.date.today().strftime("%Y-%m")   # the default as-of month moves with the calendar
    if orders is None:
        return _calling_workbook_model(caller, values, lang, month), lang
    rules = _resolve(values)
    rows = _table(orders, NOT_ORDERS)
    if all(cell is None for row in rows for cell in row):
        raise CellError("the orders range is empty")
    key = model_cache.content_key(rows, values, lang, month)
    tables = ValueTables(RANGE, {RANGE: (1, rows)})           # rows numbered from the range's first row
    return model_cache.get_or_build(key, lang, lambda: _score(_read(tables, [RANGE], "in orders", rules), rules)), lang


def _one_cell(value: Any) -> bool:
    return isinstance(value, list) and len(value) == 1 and isinstance(value[0], list) and len(value[0]) == 1


def _from_handle(text: str, values: dict[str, Any], lang: str | None) -> tuple[model_cache.Cached, str]:
    if text.startswith(ERROR):
        raise CellError(text[len(ERROR):])      # the model cell's own problem
    if not model_cache.is_handle(text):
        raise CellError(NOT_ORDERS)
    if values:
        raise CellError("with a model handle, give the settings to CHURN_MODEL")
    cached = model_cache.lookup(text)
    if cached is None:
        raise CellError("model no longer loaded: recalculate CHURN_MODEL")
    return cached, lang or cached.lang


def _calling_workbook_model(caller: Any, values: dict[str, Any], lang: str, month: str) -> model_cache.Cached:
    """The model of the calling cell's workbook (an xlwings ``Book``), read and built once per recalculation
    (``recalculation``)."""
    if caller is None:
        raise CellError("no orders given: pass the orders range, e.g. Orders[#All]")
    workbook = ExcelWorkbook(caller.sheet.book)
    name = workbook.path.as_posix()

    def build() -> model_cache.Cached:
        tables = RECALCULATIONS.shared(name, "tables", workbook.tables)
        book, rules = _calling_workbook_orders(workbook, tables, values)
        # keyed by the order lines read, so that other cells (these functions' results) do not count
        lines = pd.util.hash_pandas_object(book.lines, index=False).to_numpy().tobytes()
        key = model_cache.content_key(lines, len(book.skipped), repr(rules), lang, month)
        return model_cache.get_or_build(key, lang, lambda: _score(book, rules))
    return RECALCULATIONS.shared(name, ("model", repr(sorted(values.items())), lang, month), build)


def _calling_workbook_orders(workbook: ExcelWorkbook, tables: ValueTables,
                             values: dict[str, Any]) -> tuple[OrderBook, Settings]:
    """The orders of the calling workbook, its sheets and settings found as the ribbon finds them (its settings
    sheet and churnkit.toml, then the ``settings`` range)."""
    try:
        rules = gather(workbook.path.parent if workbook.path.is_absolute() else None, values, tables)
    except UserError as exc:
        raise CellError(_sentence(exc.short)) from None
    return _read(tables, None, "on any sheet of this workbook", rules), rules


def _read(tables: ValueTables, sheets: list[str] | None, where: str, settings: Settings) -> OrderBook:
    """The order lines of the sheets the file reader picks (or of ``sheets``)."""
    try:
        return read_order_values(tables, settings, sheets).book
    except UserError:    # the one thing that can go wrong here: no header row to be found
        named = ", ".join(f"{field}_column '{header}'" for field, header in settings.columns.items())
        raise CellError(f"no Date/Customer/Amount header {where}" + (f" (looked for {named})" if named else "")) \
            from None


def _score(book: OrderBook, settings: Settings) -> tuple[ChurnModel, int]:
    try:
        model = analyse(book.lines, settings)
    except NoOrdersError as exc:
        n = len(book.skipped)
        unread = f" ({n:,} {'row' if n == 1 else 'rows'} could not be read)" if n else ""
        raise CellError(_sentence(str(exc)) + unread) from None
    return model, len(book.skipped)


# --- results -----------------------------------------------------------------------

def customer_row(customer: Any, orders: Any, settings: Any, caller: Any) -> tuple[model_cache.Cached, str, int]:
    """The model, language and row of one customer."""
    key = _customer_key(customer)
    cached, lang = model_of(orders, settings, caller)
    row = cached.model.position(key)
    if row is None:
        raise CellError(f"unknown customer {key}")
    return cached, lang, row


def field(customer: Any, orders: Any, settings: Any, caller: Any, field: str) -> Any:
    cached, _, row = customer_row(customer, orders, settings, caller)
    return cached.column(field)[row]


def spill(frame: pd.DataFrame) -> list[list]:
    """A header row and the rows, as plain values (dates as datetimes, missing as None: an empty cell)."""
    return [list(frame.columns)] + [[cell_value(v) for v in row] for row in frame.itertuples(index=False)]




# --- what each worksheet function gives --------------------------------------------------------------

def handle(orders: Any, settings: Any) -> str:
    return model_of(orders, settings, None)[0].handle


def probability(customer: Any, orders: Any, settings: Any, caller: Any) -> float:
    """The customer's chance of no order in the horizon; a cell message saying why when there is none."""
    cached, lang, row = customer_row(customer, orders, settings, caller)
    p = float(cached.forecast.p_no_order[row])
    if p != p:              # NaN: too little history, or no order with a positive amount
        raise CellError(cached.forecast.reasons(lang)[row])
    return p


def reasons(customer: Any, orders: Any, settings: Any, caller: Any) -> str:
    cached, lang, row = customer_row(customer, orders, settings, caller)
    return cached.reasons(lang)[row]


def history(customer: Any, orders: Any, settings: Any, caller: Any) -> list[list]:
    cached, lang, row = customer_row(customer, orders, settings, caller)
    return spill(customer_history(cached.model, cached.column("customer")[row], lang).monthly)


def at_risk(orders: Any, settings: Any, caller: Any) -> list[list]:
    cached, lang = model_of(orders, settings, caller)
    ranked = cached.model.ranked(flagged_only=True)
    words = cached.reasons(lang)
    return spill(ranked.assign(reasons=[words[row] for row in ranked.index])[AT_RISK_FIELDS])


def win_back(orders: Any, settings: Any, caller: Any) -> list[list]:
    return spill(winback_list(model_of(orders, settings, caller)[0].model))


def kpis(orders: Any, settings: Any, caller: Any) -> list[list]:
    return spill(churn_kpis(model_of(orders, settings, caller)[0].model))
