"""Excel worksheet functions (xlwings UDFs): the verdicts, lists and KPIs of SPEC "Verdicts",
"Core customers (ABC)" and "Where the rules come from" in cells.

``orders`` is a range with its header row (e.g. ``Orders[#All]``; title rows above the
header are fine), the handle text of =CHURN_MODEL(...), or omitted: then the calling
workbook's order sheet(s), chosen as the command line chooses them, with that workbook's
settings sheet and churnkit.toml under the ``settings`` range. ``settings`` is a
two-column range (setting, value) read like the settings sheet (English or Chinese
names, a header row allowed), plus ``lang`` (en or zh) for the reasons; omitted means
the defaults. With a handle, the settings are those given to CHURN_MODEL and
``settings`` may only set ``lang``.

Orders are read by the file reader's own code (``addin.reader``: every cell as text,
the header row found by itself, the engine's normalise), so the numbers equal the
command line's. Models are cached by content (``addin.model_cache``): for many cells,
build one with CHURN_MODEL and pass its handle. An omitted ``orders`` reads the whole
workbook at every call (the model itself is built once), and Excel does not know that
such a cell depends on the orders: after changing them, recalculate fully (Ctrl+Alt+F9).
Nothing raises into Excel: a problem is a cell value starting with ``#CHURN:``.

xlwings reads type hints as converters, so the functions have none. Lists are plain
2-D lists with a header row of the engine's field names; they spill as native dynamic
arrays (xlwings advises against ``expand`` where Excel has them). Imports are absolute:
the add-in build loads this file on its own to generate the VBA wrappers.
"""
from __future__ import annotations

import datetime as dt
import functools
import math
from typing import Any

import numpy as np
import pandas as pd
import xlwings as xw

from addin import model_cache
from addin.errors import UserError
from addin.workbooks.excel_book import ExcelWorkbook
from addin.reader import ValueTables, cell_text, read_order_values
from addin.settings_sources import gather, settings_from_rows
from churn_logic import (ChurnModel, NoOrdersError, OrderBook, Settings, SettingsError, analyse, churn_kpis,
                         customer_history, resolve, winback_list)

ERROR = "#CHURN: "
LANG_SETTINGS = {"lang", "language", "语言"}
RANGE = "orders"                 # the sheet name the rows of an orders range are read under
AT_RISK_FIELDS = ["customer", "name", "risk", "reasons", "core_class", "value_at_stake", "value_last_12m",
                  "decline_streak", "low_streak", "months_without_orders", "last_order_date", "first_month"]
CUSTOMER_DOC = "The customer key, exactly as in the orders (00042 is not 42)."
ORDERS_DOC = ("The orders with their header row (e.g. Orders[#All]), or a CHURN_MODEL handle; "
              "omitted: this workbook's orders.")
SETTINGS_DOC = "Optional two columns: setting, value (e.g. decline_months 4; lang zh)."
# Insert Function's help in Chinese (the add-in built with --lang zh): each argument's, by name, beside the
# English of its xw.arg doc; each function's description is the second paragraph of its docstring.
ARGUMENT_HELP_ZH = {
    "customer": "客户编号，与订单中的写法完全一致（00042 不等于 42）。",
    "orders": "含表头行的订单区域（如 Orders[#All]），或 CHURN_MODEL 显示的句柄；省略则用本工作簿的订单。",
    "settings": "可选，两列：设置项、取值（如 decline_months 4；lang zh）。",
}
NOT_ORDERS = "orders must be a range with its header row, or a CHURN_MODEL handle"
NOT_SETTINGS = "settings must be a range of two columns: setting, value"


class CellError(Exception):
    """A problem worded for a cell."""


def _cell_safe(function):
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
        raise CellError(_sentence(str(exc).split(" Known settings:")[0])) from None


# --- orders ------------------------------------------------------------------------

def _model(orders: Any, settings: Any, caller: Any) -> tuple[model_cache.Cached, str]:
    """The model for these arguments (cached by content), and the language of its words."""
    values, lang = _settings(settings)
    if _one_cell(orders) and isinstance(orders[0][0], str):
        orders = orders[0][0]          # a handle (or CHURN_MODEL's error) in one cell arrives as [[text]]
    if isinstance(orders, str):
        return _from_handle(orders, values, lang)
    lang = lang or "en"
    month = dt.date.today().strftime("%Y-%m")   # the default as-of month moves with the calendar
    if orders is None:
        book, rules = _calling_workbook_orders(caller, values)
        # keyed by the order lines read, so that other cells (these functions' results) do not count
        lines = pd.util.hash_pandas_object(book.lines, index=False).to_numpy().tobytes()
        key = model_cache.content_key(lines, len(book.skipped), repr(rules), lang, month)
        return model_cache.get_or_build(key, lang, lambda: _score(book, rules)), lang
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


def _calling_workbook_orders(caller: Any, values: dict[str, Any]) -> tuple[OrderBook, Settings]:
    """The orders of the calling cell's workbook (an xlwings ``Book``), its sheets and settings found as
    the ribbon finds them (its settings sheet and churnkit.toml, then the ``settings`` range)."""
    if caller is None:
        raise CellError("no orders given: pass the orders range, e.g. Orders[#All]")
    workbook = ExcelWorkbook(caller.sheet.book)
    tables = workbook.value_tables()
    try:
        rules = gather(workbook.path.parent if workbook.path.is_absolute() else None, values, tables)
    except UserError as exc:
        raise CellError(_sentence(str(exc).split(" Known settings:")[0])) from None
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

def _customer(customer: Any, orders: Any, settings: Any, caller: Any) -> tuple[model_cache.Cached, str, int]:
    """The model, language and row of one customer."""
    key = _customer_key(customer)
    cached, lang = _model(orders, settings, caller)
    row = cached.model.position(key)
    if row is None:
        raise CellError(f"unknown customer {key}")
    return cached, lang, row


def _field(customer: Any, orders: Any, settings: Any, caller: Any, field: str) -> Any:
    cached, _, row = _customer(customer, orders, settings, caller)
    return cached.column(field)[row]


def _spill(frame: pd.DataFrame) -> list[list]:
    """A header row and the rows, as plain values (dates as datetimes, missing as None: an empty cell)."""
    return [list(frame.columns)] + [[_plain(v) for v in row] for row in frame.itertuples(index=False)]


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    return value.to_pydatetime() if isinstance(value, pd.Timestamp) else value


# --- the worksheet functions -------------------------------------------------------

@xw.func
@xw.arg("orders", ndim=2, doc=ORDERS_DOC)
@xw.arg("settings", ndim=2, doc=SETTINGS_DOC)
@_cell_safe
def CHURN_MODEL(orders, settings=None):
    """Builds the churn model of these orders once; pass the text it shows to the other functions as orders.

    一次性建立这些订单的流失模型；把它显示的文本作为 orders 传给其他函数。
    """
    return _model(orders, settings, None)[0].handle


@xw.func
@xw.arg("customer", doc=CUSTOMER_DOC)
@xw.arg("orders", ndim=2, doc=ORDERS_DOC)
@xw.arg("settings", ndim=2, doc=SETTINGS_DOC)
@_cell_safe
def CHURN_RISK(customer, orders=None, settings=None, caller=None):
    """The customer's risk: LOST, HIGH, MEDIUM or LOW.

    客户的风险等级：LOST、HIGH、MEDIUM 或 LOW。
    """
    return _field(customer, orders, settings, caller, "risk")


@xw.func
@xw.arg("customer", doc=CUSTOMER_DOC)
@xw.arg("orders", ndim=2, doc=ORDERS_DOC)
@xw.arg("settings", ndim=2, doc=SETTINGS_DOC)
@_cell_safe
def CHURN_REASONS(customer, orders=None, settings=None, caller=None):
    """Why the customer is at risk, in words (empty when no rule fired).

    客户有风险的原因（文字说明；没有规则触发时为空）。
    """
    cached, lang, row = _customer(customer, orders, settings, caller)
    return cached.reasons(lang)[row]


@xw.func
@xw.arg("customer", doc=CUSTOMER_DOC)
@xw.arg("orders", ndim=2, doc=ORDERS_DOC)
@xw.arg("settings", ndim=2, doc=SETTINGS_DOC)
@_cell_safe
def DECLINE_STREAK(customer, orders=None, settings=None, caller=None):
    """Months in a row, ending at the as-of month, in which the customer's sales fell.

    截至评估月份，客户销售额连续下降的月数。
    """
    return _field(customer, orders, settings, caller, "decline_streak")


@xw.func
@xw.arg("customer", doc=CUSTOMER_DOC)
@xw.arg("orders", ndim=2, doc=ORDERS_DOC)
@xw.arg("settings", ndim=2, doc=SETTINGS_DOC)
@_cell_safe
def LOW_STREAK(customer, orders=None, settings=None, caller=None):
    """Months in a row, ending at the as-of month, with sales at or below the low threshold.

    截至评估月份，客户销售额连续不高于低额阈值的月数。
    """
    return _field(customer, orders, settings, caller, "low_streak")


@xw.func
@xw.arg("customer", doc=CUSTOMER_DOC)
@xw.arg("orders", ndim=2, doc=ORDERS_DOC)
@xw.arg("settings", ndim=2, doc=SETTINGS_DOC)
@_cell_safe
def MONTHS_WITHOUT_ORDERS(customer, orders=None, settings=None, caller=None):
    """Months in a row, ending at the as-of month, without positive sales.

    截至评估月份，客户连续没有正销售额的月数。
    """
    return _field(customer, orders, settings, caller, "months_without_orders")


@xw.func
@xw.arg("customer", doc=CUSTOMER_DOC)
@xw.arg("orders", ndim=2, doc=ORDERS_DOC)
@xw.arg("settings", ndim=2, doc=SETTINGS_DOC)
@_cell_safe
def CORE_CLASS(customer, orders=None, settings=None, caller=None):
    """The customer's core class: A (the customers bringing 80 % of the last 12 months' sales), B or C.

    客户的核心类别：A（贡献近 12 个月 80% 销售额的客户）、B 或 C。
    """
    return _field(customer, orders, settings, caller, "core_class")


@xw.func
@xw.arg("customer", doc=CUSTOMER_DOC)
@xw.arg("orders", ndim=2, doc=ORDERS_DOC)
@xw.arg("settings", ndim=2, doc=SETTINGS_DOC)
@_cell_safe
def VALUE_AT_STAKE(customer, orders=None, settings=None, caller=None):
    """What the customer bought in the 12 months before the streak behind their verdict began.

    判定所依据的连续月份开始之前 12 个月内，客户的购买额。
    """
    return _field(customer, orders, settings, caller, "value_at_stake")


@xw.func
@xw.arg("customer", doc=CUSTOMER_DOC)
@xw.arg("orders", ndim=2, doc=ORDERS_DOC)
@xw.arg("settings", ndim=2, doc=SETTINGS_DOC)
@_cell_safe
def CUSTOMER_HISTORY(customer, orders=None, settings=None, caller=None):
    """The customer's months from their first order to the as-of month: value, amount, orders (spills).

    客户从首次下单到评估月份的各月：计量值、金额、订单数（溢出显示）。
    """
    cached, lang, row = _customer(customer, orders, settings, caller)
    return _spill(customer_history(cached.model, cached.column("customer")[row], lang).monthly)


@xw.func
@xw.arg("orders", ndim=2, doc=ORDERS_DOC)
@xw.arg("settings", ndim=2, doc=SETTINGS_DOC)
@_cell_safe
def AT_RISK_LIST(orders=None, settings=None, caller=None):
    """The LOST, HIGH and MEDIUM customers, most urgent first, as churnkit scan lists them (spills).

    LOST、HIGH 和 MEDIUM 客户，最紧急的在前，与 churnkit scan 的列表相同（溢出显示）。
    """
    cached, lang = _model(orders, settings, caller)
    ranked = cached.model.ranked(at_risk_only=True)
    reasons = cached.reasons(lang)
    return _spill(ranked.assign(reasons=[reasons[row] for row in ranked.index])[AT_RISK_FIELDS])


@xw.func
@xw.arg("orders", ndim=2, doc=ORDERS_DOC)
@xw.arg("settings", ndim=2, doc=SETTINGS_DOC)
@_cell_safe
def WINBACK_LIST(orders=None, settings=None, caller=None):
    """The lapsed (LOST) customers, most valuable first, with what they used to buy (spills).

    已流失（LOST）的客户，价值最高的在前，附其过去购买的商品（溢出显示）。
    """
    return _spill(winback_list(_model(orders, settings, caller)[0].model))


@xw.func
@xw.arg("orders", ndim=2, doc=ORDERS_DOC)
@xw.arg("settings", ndim=2, doc=SETTINGS_DOC)
@_cell_safe
def CHURN_KPIS(orders=None, settings=None, caller=None):
    """Month by month: active, new, churned and reactivated customers, churn rate, revenue, revenue lost (spills).

    逐月：活跃、新增、流失和回流客户数，流失率，销售额，流失金额（溢出显示）。
    """
    return _spill(churn_kpis(_model(orders, settings, caller)[0].model))
