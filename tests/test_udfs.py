"""The worksheet functions, called as Excel calls them through xlwings, agree with the command line.

Every input is what xlwings passes for a range (see excel_values): numbers as floats,
dates as datetimes, empty cells as None, title rows above the header. The same orders
are written to a workbook and scanned with `churnkit scan … --all --format json`; each
function's answer is compared with the command line's, or with the engine output the
command line uses.
"""
import collections
import datetime as dt
import shutil
import inspect
import re
from pathlib import Path
from types import SimpleNamespace

import fastexcel
import openpyxl
import pandas as pd
import pytest

from addin import udfs
from addin.excel import model_cache
from addin.excel import functions, recalculation
from addin.sources import order_book
from addin.sources import tables as reader
from addin.tasks import analyse_workbook
from churn_logic import ChurnModel, churn_kpis, winback_list
from conftest import monthly_rows, write_orders
from fake_xlwings import Book
from messy_books import (ENGLISH, FIELDS, orders_in_year, random_orders, write_clean_xlsx,
                         write_messy_xlsx, write_month_sheets)

SAMPLE = Path(__file__).parent.parent / "workbook_templates" / "sample_orders.xlsx"
SAMPLE_AS_OF = "2026-10"
AS_OF = "2024-12"
PER_CUSTOMER = {"risk": udfs.CHURN_RISK, "reasons": udfs.CHURN_REASONS, "decline_streak": udfs.DECLINE_STREAK,
                "low_streak": udfs.LOW_STREAK, "months_without_orders": udfs.MONTHS_WITHOUT_ORDERS,
                "core_class": udfs.CORE_CLASS, "value_at_stake": udfs.VALUE_AT_STAKE}
SIGNATURES = {
    "CHURN_MODEL": "(orders, settings=None)",
    **{name: "(customer, orders=None, settings=None, caller=None)"
       for name in ("CHURN_RISK", "CHURN_PROBABILITY", "CHURN_REASONS", "DECLINE_STREAK", "LOW_STREAK",
                    "MONTHS_WITHOUT_ORDERS", "CORE_CLASS", "VALUE_AT_STAKE", "CUSTOMER_HISTORY")},
    **{name: "(orders=None, settings=None, caller=None)" for name in ("AT_RISK_LIST", "WINBACK_LIST", "CHURN_KPIS")},
}
STALE = "churn model · 3 customers · as of 2024-06 · #00000000"


@pytest.fixture(autouse=True)
def empty_cache(monkeypatch):
    monkeypatch.setattr(model_cache, "_models", collections.OrderedDict())
    monkeypatch.setattr(recalculation, "RECALCULATIONS", recalculation.Recalculations())
    monkeypatch.setattr(functions, "RECALCULATIONS", recalculation.RECALCULATIONS)


# --- what Excel passes ---------------------------------------------------------------

def xlwings_value(value):
    """A cell value as xlwings passes it: every number a float, a date a datetime."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day)
    return value


def used_range(ws) -> list[list]:
    """A sheet's used range (e.g. Orders[#All] on a sheet holding only the table) as xlwings passes it."""
    rows = ws.iter_rows(min_row=ws.min_row, max_row=ws.max_row, min_col=ws.min_column, max_col=ws.max_column,
                        values_only=True)
    return [[xlwings_value(v) for v in row] for row in rows]


def excel_values(path: Path, sheet: str) -> list[list]:
    return used_range(openpyxl.load_workbook(path, data_only=True)[sheet])


class UsedRange:
    """The part of an xlwings ``Sheet.used_range`` the functions read."""

    def __init__(self, ws):
        self.row, self.column = ws.min_row, ws.min_column
        self._values = used_range(ws)

    def options(self, ndim):
        assert ndim == 2
        return SimpleNamespace(value=self._values)


def calling_cell(path: Path):
    """A stand-in for the ``caller`` xlwings passes: a cell of the workbook at ``path``."""
    wb = openpyxl.load_workbook(path, data_only=True)
    sheets = [SimpleNamespace(name=ws.title, used_range=UsedRange(ws)) for ws in wb.worksheets]
    return SimpleNamespace(sheet=SimpleNamespace(book=SimpleNamespace(name=path.name, fullname=str(path), sheets=sheets)))


# --- what the command line says --------------------------------------------------------

def scan(churnkit, path, *flags, every=True) -> dict:
    run = churnkit("scan", path, "--format", "json", *(["--all"] if every else []), *flags)
    assert run.code == 0, run.err
    return run.json()


def answers(customer: str, orders, settings=None, caller=None) -> dict:
    """Every per-customer function's answer, rounded as the command line's JSON rounds money."""
    got = {field: function(customer, orders, settings, caller) for field, function in PER_CUSTOMER.items()}
    if isinstance(got["value_at_stake"], float):
        got["value_at_stake"] = round(got["value_at_stake"], 2)
    return got


def assert_every_customer(doc: dict, orders, settings=None, caller=None, step: int = 1) -> None:
    """Each (``step``-th) customer of the command line's JSON gets the same answers from the functions."""
    assert doc["customers"]
    for record in doc["customers"][::step]:
        assert answers(record["customer"], orders, settings, caller) == {f: record[f] for f in PER_CUSTOMER}


def as_json(value):
    """A spilled value as the command line's JSON writes it."""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d")
    return round(value, 2) + 0.0 if isinstance(value, float) else value


def assert_at_risk_list(spill, doc: dict) -> None:
    header, *rows = spill
    assert header == functions.AT_RISK_FIELDS
    assert [{f: as_json(v) for f, v in zip(header, row)} for row in rows] == \
        [{f: record[f] for f in header} for record in doc["customers"]]


def engine_rows(frame: pd.DataFrame) -> list[list]:
    """An engine table as a header row and rows of plain values (missing as None)."""
    cells = frame.astype(object).where(frame.notna(), None)
    return [list(frame.columns)] + [[v.to_pydatetime() if isinstance(v, pd.Timestamp) else v for v in row]
                                    for row in cells.itertuples(index=False)]


def handle_parts(handle: str) -> dict:
    match = re.fullmatch(r"churn model · ([\d,]+) customers · as of (\d{4}-\d\d)"
                         r"(?: · ([\d,]+) rows? skipped)? · #([0-9a-f]{8})", handle)
    assert match, handle
    customers, as_of, skipped, key = match.groups()
    return {"customers": int(customers.replace(",", "")), "as_of": as_of,
            "skipped": int((skipped or "0").replace(",", "")), "key": key}


# --- the contract with Excel ----------------------------------------------------------

def test_signatures_are_the_excel_contract():
    functions = {name for name, f in vars(udfs).items() if callable(f) and name.isupper()}
    assert functions == set(SIGNATURES)
    assert {name: str(inspect.signature(getattr(udfs, name))) for name in SIGNATURES} == SIGNATURES


def fastexcel_text(tmp_path, values) -> list:
    """The values written to a workbook and read back as text by fastexcel, as the command line reads them."""
    wb = openpyxl.Workbook()
    for value in values:
        wb.active.append([value])
    wb.save(tmp_path / "cells.xlsx")
    read = fastexcel.read_excel(tmp_path / "cells.xlsx").load_sheet(0, header_row=None, dtypes="string")
    return read.to_arrow().column(0).to_pylist()


def test_cells_become_the_text_the_file_reader_reads(tmp_path):
    values = [42, 42.0, 42.5, 1200.5, 252.8, -3.0, 1e20, 45000, 45000.75, 123456789012.0,
              dt.datetime(2024, 3, 5), dt.datetime(2024, 3, 5, 13, 45, 7), dt.date(2024, 3, 5),
              True, False, "00042", " C7 ", "¥1,200.50", "2024年3月5日"]
    assert [reader.cell_text(xlwings_value(v)) for v in values] == fastexcel_text(tmp_path, values)


def test_long_fractions_become_the_text_the_file_reader_reads(tmp_path):
    values = [1 / 3, 0.1 + 0.2, 1234.5678901234, 1e-10]
    assert [reader.cell_text(v) for v in values] == fastexcel_text(tmp_path, values)


# --- the same numbers as the command line -------------------------------------------------

@pytest.fixture(scope="module")
def sample_rows():
    rows = excel_values(SAMPLE, "Orders")
    assert rows[2][:3] == ["Order No", "Order Date", "Customer ID"]     # header row 3, under a title
    return rows


def test_sample_workbook_gives_the_command_lines_numbers(churnkit, sample_rows):
    settings = [["as_of", SAMPLE_AS_OF]]
    handle = udfs.CHURN_MODEL(sample_rows, settings)
    doc = scan(churnkit, SAMPLE, "--as-of", SAMPLE_AS_OF)
    parts = handle_parts(handle)
    assert (parts["customers"], parts["as_of"], parts["skipped"]) == (len(doc["customers"]), SAMPLE_AS_OF, 0)
    assert_every_customer(doc, handle)
    assert_every_customer(doc, [[handle]])             # the handle's cell, as xlwings passes it
    reasons = {c["customer"]: udfs.CHURN_REASONS(c["customer"], handle) for c in doc["customers"]}
    assert reasons["C00099"] == "stopped buying Packaging 4 months ago (bought it 7 of the 12 months before)"
    assert reasons["C00072"] == "rep Mark Evans left (last order line in 2026-06); now with Li Wei"   # planted
    assert_at_risk_list(udfs.AT_RISK_LIST(handle), scan(churnkit, SAMPLE, "--as-of", SAMPLE_AS_OF, every=False))

    model = analyse_workbook(SAMPLE, {"as_of": SAMPLE_AS_OF}).model
    assert udfs.WINBACK_LIST(handle) == engine_rows(winback_list(model))
    assert udfs.CHURN_KPIS(handle) == engine_rows(churn_kpis(model))
    for record in doc["customers"][::30]:
        run = churnkit("history", SAMPLE, record["customer"], "--format", "json", "--as-of", SAMPLE_AS_OF)
        header, *rows = udfs.CUSTOMER_HISTORY(record["customer"], handle)
        assert [dict(zip(header, [as_json(v) for v in row])) for row in rows] == run.json()["monthly"]


@pytest.mark.parametrize("seed", [0, 1])
def test_a_messy_sheet_gives_the_command_lines_numbers(churnkit, tmp_path, seed):
    """Title rows, data from column B, Excel serial numbers, text dates and amounts, a 合计 row, broken rows."""
    path = tmp_path / "messy.xlsx"
    write_messy_xlsx(random_orders(seed), path, seed)
    rows = excel_values(path, "销售明细")
    cells = [v for row in rows for v in row]
    assert any(isinstance(v, float) and 40000 < v < 50000 for v in cells)         # dates as serial numbers
    assert any(isinstance(v, str) and v.startswith("¥") for v in cells)
    doc = scan(churnkit, path, "--as-of", AS_OF)
    handle = udfs.CHURN_MODEL(rows, [["as_of", AS_OF]])
    assert handle_parts(handle)["skipped"] == len(doc["skipped"]) > 0
    assert_every_customer(doc, handle)
    assert_at_risk_list(udfs.AT_RISK_LIST(rows, [["as_of", AS_OF]]),
                        scan(churnkit, path, "--as-of", AS_OF, every=False))


def test_customer_ids_typed_as_numbers_are_found_as_the_command_line_keys_them(churnkit, tmp_path):
    rows = (monthly_rows(42, "Forty-Two Ltd", [900, 800, 700, 600, 500, 400])
            + monthly_rows("00042", "Leading Zeros Co", [500, 0, 0, 0, 0, 0])
            + monthly_rows(7.5, "Odd Key", [300, 310, 320, 330, 340, 350]))
    path = write_orders(tmp_path / "ids.xlsx", rows)
    doc = scan(churnkit, path, "--as-of", "2024-06")
    assert {c["customer"]: c["risk"] for c in doc["customers"]} == {"42": "MEDIUM", "00042": "HIGH", "7.5": "LOW"}
    orders = excel_values(path, "Orders")
    assert_every_customer(doc, orders, [["as_of", "2024-06"]])
    handle = udfs.CHURN_MODEL(orders, [["as_of", "2024-06"]])
    assert udfs.CHURN_RISK(42.0, handle) == udfs.CHURN_RISK("42", handle) == "MEDIUM"    # a number cell
    assert udfs.CHURN_RISK(7.5, handle) == "LOW"
    assert udfs.CHURN_RISK("00042", handle) == "HIGH"
    assert udfs.CHURN_RISK("0042", handle) == "#CHURN: unknown customer 0042"


def test_a_settings_range_reads_like_the_settings_sheet(churnkit, tmp_path):
    """Chinese setting names and numbers as typed, a month Excel turned into a date, and lang."""
    path = tmp_path / "orders.xlsx"
    write_clean_xlsx(random_orders(3), path)
    wb = openpyxl.load_workbook(path)
    sheet = wb.create_sheet("流失设置")
    for row in (["连续下降月数", 2], ["低额阈值", 150], ["流失月数", 4]):
        sheet.append(row)
    wb.save(path)
    settings = excel_values(path, "流失设置") + [["评估月份", dt.datetime(2024, 12, 1)], ["lang", "zh"]]
    assert settings[0] == ["连续下降月数", 2.0]
    orders = excel_values(path, "Orders")
    doc = scan(churnkit, path, "--as-of", AS_OF, "--lang", "zh")
    assert doc["settings"]["decline_months"] == 2 and doc["settings"]["low_threshold"] == 150
    assert_every_customer(doc, orders, settings)
    handle = udfs.CHURN_MODEL(orders, settings)
    assert_every_customer(doc, handle)                                      # lang zh goes with the model
    assert udfs.CHURN_MODEL(orders, [["Setting", "Value"]] + settings) == handle     # a header row, as on the sheet
    defaults = udfs.CHURN_MODEL(orders, [["as_of", AS_OF]])
    assert [udfs.CHURN_RISK(c["customer"], defaults) for c in doc["customers"]] != \
        [c["risk"] for c in doc["customers"]]                                 # the settings made a difference
    some = next(c for c in doc["customers"] if c["reasons"])
    assert udfs.CHURN_REASONS(some["customer"], handle, [["lang", "en"]]) == \
        next(c["reasons"] for c in scan(churnkit, path, "--as-of", AS_OF)["customers"]
             if c["customer"] == some["customer"])


# --- one model, many cells ------------------------------------------------------------------

@pytest.fixture(scope="module")
def orders_book(tmp_path_factory):
    path = tmp_path_factory.mktemp("orders") / "orders.xlsx"
    write_clean_xlsx(random_orders(0), path)
    return path


def counting(calls: collections.Counter, name: str, function):
    def counted(*args, **kwargs):
        calls[name] += 1
        return function(*args, **kwargs)
    return counted


def test_a_handle_is_built_once_and_each_cell_is_a_lookup(churnkit, orders_book, monkeypatch):
    expected = {c["customer"]: c["risk"] for c in scan(churnkit, orders_book, "--as-of", AS_OF)["customers"]}
    calls = collections.Counter()
    for module, name in ((functions, "analyse"), (order_book, "normalise"), (functions, "resolve"),
                         (model_cache, "content_key")):
        monkeypatch.setattr(module, name, counting(calls, name, getattr(module, name)))
    monkeypatch.setattr(ChurnModel, "position", counting(calls, "position", ChurnModel.position))
    rows = excel_values(orders_book, "Orders")
    handle = udfs.CHURN_MODEL(rows, [["as_of", AS_OF]])
    built = {"analyse": 1, "normalise": 1, "resolve": 1, "content_key": 1}
    assert calls == built

    keys = list(expected) * (10_000 // len(expected) + 1)
    risks = [udfs.CHURN_RISK(key, handle) for key in keys[:10_000]]
    assert risks == [expected[key] for key in keys[:10_000]]
    assert calls == built | {"position": 10_000}                 # no reading, hashing or scoring: lookups

    assert udfs.CHURN_MODEL([list(row) for row in rows], [["as_of", AS_OF]]) == handle
    assert udfs.CHURN_RISK(keys[0], rows, [["as_of", AS_OF]]) == risks[0]     # the range itself: hashed, not rebuilt
    assert calls["analyse"] == 1 and calls["content_key"] == 3


def test_the_cache_keeps_the_last_models_used(orders_book):
    rows = excel_values(orders_book, "Orders")
    months = [f"2024-{m:02d}" for m in range(6, 6 + model_cache.MAX_MODELS + 2)]
    handles = [udfs.CHURN_MODEL(rows, [["as_of", m]]) for m in months[:-1]]
    assert len(set(handles)) == len(handles) and len(model_cache._models) == model_cache.MAX_MODELS
    assert udfs.CHURN_RISK("00042", handles[0]) == "#CHURN: model no longer loaded: recalculate CHURN_MODEL"
    assert udfs.CHURN_RISK("00042", handles[1]) in ("LOST", "HIGH", "MEDIUM", "LOW")   # used: kept
    udfs.CHURN_MODEL(rows, [["as_of", months[-1]]])
    assert udfs.CHURN_RISK("00042", handles[1]) in ("LOST", "HIGH", "MEDIUM", "LOW")
    assert udfs.CHURN_RISK("00042", handles[2]).startswith("#CHURN: model no longer loaded")
    assert len(model_cache._models) == model_cache.MAX_MODELS
    assert udfs.CHURN_MODEL(rows, [["as_of", months[0]]]) == handles[0]      # recalculating brings it back


def test_changing_one_order_changes_the_handle(orders_book):
    rows = excel_values(orders_book, "Orders")
    header = rows[0]
    changed = [list(row) for row in rows]
    line = changed[1]
    customer, date = line[header.index("Customer ID")], line[header.index("Order Date")]
    line[header.index("Amount")] += 1000.0
    before, after = udfs.CHURN_MODEL(rows, [["as_of", AS_OF]]), udfs.CHURN_MODEL(changed, [["as_of", AS_OF]])
    assert before != after
    month = date.strftime("%Y-%m")
    amounts = [{row[0]: row[2] for row in udfs.CUSTOMER_HISTORY(customer, h)[1:]}[month] for h in (before, after)]
    assert amounts[1] == pytest.approx(amounts[0] + 1000)


# --- problems are cell values ---------------------------------------------------------------

ALL_FUNCTIONS = [(f, ("00042",)) for f in [*PER_CUSTOMER.values(), udfs.CUSTOMER_HISTORY]] + \
                [(f, ()) for f in (udfs.AT_RISK_LIST, udfs.WINBACK_LIST, udfs.CHURN_KPIS)]
BAD_ORDERS = {
    "#CHURN: no orders given: pass the orders range, e.g. Orders[#All]": None,
    "#CHURN: the orders range is empty": [[None, None], [None, None]],
    "#CHURN: no Date/Customer/Amount header in orders": [["Product", "Qty"], ["Drill", 2.0]],
    "#CHURN: orders must be a range with its header row, or a CHURN_MODEL handle": "Orders",
    "#CHURN: model no longer loaded: recalculate CHURN_MODEL": STALE,
    "#CHURN: there are no order lines to score (1 row could not be read)":
        [["Date", "Customer", "Amount"], ["soon", "00042", "TBD"]],
}
BAD_SETTINGS = {
    "#CHURN: unknown setting 'decline_month'": [["decline_month", 4.0]],
    "#CHURN: setting 'decline_months' in the settings range: '0.5' is not a whole number of at least 1":
        [["decline_months", 0.5]],
    "#CHURN: setting 'as_of' in the settings range: 'June' is not a month written YYYY-MM": [["as_of", "June"]],
    "#CHURN: settings must be a range of two columns: setting, value": [["decline_months"]],
    "#CHURN: setting 'lang' must be en or zh": [["lang", "fr"]],
}


@pytest.mark.parametrize("function, customer", ALL_FUNCTIONS)
def test_bad_input_gives_a_cell_message(orders_book, function, customer):
    rows = excel_values(orders_book, "Orders")
    for message, orders in BAD_ORDERS.items():
        assert function(*customer, orders) == message
    for message, settings in BAD_SETTINGS.items():
        assert function(*customer, rows, settings) == message
    handle = udfs.CHURN_MODEL(rows)
    assert function(*customer, handle, [["decline_months", 4.0]]) == \
        "#CHURN: with a model handle, give the settings to CHURN_MODEL"
    assert function(*customer, [[udfs.CHURN_MODEL([[None]])]]) == "#CHURN: the orders range is empty"


@pytest.mark.parametrize("function", [f for f, _ in ALL_FUNCTIONS[:-3]])
def test_a_customer_must_be_one_known_key(orders_book, function):
    handle = udfs.CHURN_MODEL(excel_values(orders_book, "Orders"))
    assert function("00043", handle) == "#CHURN: unknown customer 00043"
    assert function(42.0, handle) == "#CHURN: unknown customer 42"
    assert function(None, handle) == "#CHURN: no customer given"
    assert function([["00042"], ["C0100"]], handle) == "#CHURN: customer must be one cell"


def test_an_unexpected_failure_is_a_cell_message_too(orders_book, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")
    monkeypatch.setattr(functions, "analyse", broken)
    assert udfs.CHURN_MODEL(excel_values(orders_book, "Orders")) == "#CHURN: unexpected error (RuntimeError: boom)"


# --- omitted orders: the calling workbook ----------------------------------------------------

def order_table(seed: int) -> list[list]:
    """Clean orders with English headers, as rows for openpyxl."""
    df = random_orders(seed)
    return [[ENGLISH[f] for f in FIELDS]] + [[v.to_pydatetime() if isinstance(v, pd.Timestamp) else v for v in row]
                                             for row in df[FIELDS].itertuples(index=False)]


def test_omitted_orders_are_the_calling_workbooks_orders_sheet(churnkit, tmp_path, monkeypatch):
    """Of two sheets that look like orders, the one named like orders, as the command line picks it."""
    wb = openpyxl.Workbook()
    wb.active.title = "Notes"
    wb.active.append(["Orders go on the Orders sheet; Archive keeps what we sold before."])
    archive = wb.create_sheet("Archive")
    for row in order_table(1):
        archive.append(row)
    orders = wb.create_sheet("Orders")
    orders["B3"] = "Order book"                         # the used range starts at row 3
    for i, row in enumerate(order_table(2)):
        for column, value in enumerate(row, start=1):
            orders.cell(row=5 + i, column=column, value=value)
    path = tmp_path / "book.xlsx"
    wb.save(path)
    doc = scan(churnkit, path, "--as-of", AS_OF)
    assert doc["sheets"] == ["Orders"]

    calls = collections.Counter()
    monkeypatch.setattr(functions, "analyse", counting(calls, "analyse", functions.analyse))
    caller = calling_cell(path)
    assert caller.sheet.book.sheets[2].used_range.row == 3
    settings = [["as_of", AS_OF]]
    assert_every_customer(doc, None, settings, caller, step=5)     # each call reads the workbook: a sample
    assert_at_risk_list(udfs.AT_RISK_LIST(None, settings, caller), scan(churnkit, path, "--as-of", AS_OF, every=False))
    assert calls["analyse"] == 1                         # the workbook is read at each call, scored once


def test_omitted_orders_read_month_sheets_together(churnkit, tmp_path):
    path = tmp_path / "months.xlsx"
    write_month_sheets(orders_in_year(random_orders(4)), path)
    doc = scan(churnkit, path, "--as-of", AS_OF)
    assert len(doc["sheets"]) == 12 and doc["skipped"]
    caller = calling_cell(path)
    assert_every_customer(doc, None, [["as_of", AS_OF]], caller, step=10)
    assert_at_risk_list(udfs.AT_RISK_LIST(None, [["as_of", AS_OF]], caller),
                        scan(churnkit, path, "--as-of", AS_OF, every=False))
    (cached,) = model_cache._models.values()
    assert handle_parts(cached.handle)["skipped"] == len(doc["skipped"])


@pytest.mark.parametrize("header_row, found", [(30, True), (31, False)])
def test_the_header_is_looked_for_in_the_sheets_first_30_rows(churnkit, tmp_path, header_row, found):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Orders"
    ws.cell(row=5, column=1, value="Orders")            # the used range starts at row 5
    for i, row in enumerate([["Date", "Customer", "Amount"]]
                            + [[dt.datetime(2024, m, 10), "C1", 100.0 * m] for m in range(1, 7)]):
        for column, value in enumerate(row, start=1):
            ws.cell(row=header_row + i, column=column, value=value)
    wb.save(tmp_path / "deep.xlsx")
    run = churnkit("scan", tmp_path / "deep.xlsx", "--as-of", "2024-06", "--format", "json", "--all")
    risk = udfs.CHURN_RISK("C1", None, [["as_of", "2024-06"]], calling_cell(tmp_path / "deep.xlsx"))
    if found:
        assert run.code == 0 and risk == run.json()["customers"][0]["risk"] == "LOW"
    else:
        assert run.code == 2 and "header row" in run.err
        assert risk == "#CHURN: no Date/Customer/Amount header on any sheet of this workbook"


def test_omitted_orders_use_the_workbooks_settings_sheet_like_the_ribbon(churnkit, tmp_path):
    from package_edits import type_into

    path = tmp_path / "orders.xlsx"
    shutil.copy(SAMPLE, path)
    assert churnkit("settings", path).code == 0
    type_into(path, "Churn Settings", "lost_months", "Value", "12")
    doc = scan(churnkit, path, "--as-of", SAMPLE_AS_OF)
    assert doc["settings"]["sources"]["lost_months"] == "the 'Churn Settings' sheet"
    risks = {c["customer"]: c["risk"] for c in doc["customers"]}
    assert "LOST" in risks.values()                   # still some: lapsed for 12 months or more
    caller = calling_cell(path)
    some = [k for verdict in ("LOST", "HIGH", "MEDIUM", "LOW") for k in [k for k, r in risks.items() if r == verdict][:4]]
    for customer in some:        # each call reads the whole workbook: a few of each verdict
        assert udfs.CHURN_RISK(customer, None, [["as_of", SAMPLE_AS_OF]], caller) == risks[customer]


# --- omitted orders: one read per recalculation ------------------------------------------------

class Clock:
    """A clock the test moves: the time between the calls of one recalculation, and a pause between two."""

    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def open_in_excel(path: Path) -> Book:
    """The workbook at ``path`` as the xlwings stand-in holds it open, its values as xlwings passes them."""
    wb = openpyxl.load_workbook(path, data_only=True)
    return Book(str(path), {ws.title: [[xlwings_value(v) for v in row] for row in ws.iter_rows(values_only=True)]
                            for ws in wb.worksheets})


def recalculate(book: Book, keys: list[str], settings) -> list:
    """Excel's recalculation of a column of =CHURN_RISK(Ax) cells (orders left out), the cells in column L."""
    sheet = book.sheets["Orders"]
    return [udfs.CHURN_RISK(key, None, settings, sheet.range((row, 12))) for row, key in enumerate(keys, start=2)]


def test_a_thousand_cells_without_orders_read_the_workbook_once_per_recalculation(orders_book, tmp_path, monkeypatch):
    clock = Clock()
    monkeypatch.setattr(recalculation.RECALCULATIONS, "clock", clock)
    path = tmp_path / "open.xlsx"
    wb = openpyxl.load_workbook(orders_book)
    wb.create_sheet("Notes").append(["Orders go on the Orders sheet."])
    wb.save(path)
    book = open_in_excel(path)
    settings = [["as_of", AS_OF]]
    handle = udfs.CHURN_MODEL(excel_values(path, "Orders"), settings)
    customers = model_cache.lookup(handle).column("customer")
    keys = (customers * (1000 // len(customers) + 1))[:1000]

    risks = recalculate(book, keys, settings)
    assert risks == [udfs.CHURN_RISK(key, handle) for key in keys]             # exactly the handle form's values
    assert book.value_reads == {"Orders": 1, "Notes": 1}                        # each sheet read once, not 1,000 times

    orders = book.sheets["Orders"]
    header = [orders.cells.get((1, c)) for c in range(1, 11)]
    amount, customer = header.index("Amount") + 1, header.index("Customer ID") + 1
    date = header.index("Order Date") + 1
    row = next(r for r in range(2, 200) if orders.cells[(r, customer)] == keys[0]
               and orders.cells[(r, date)] < dt.datetime(2025, 1, 1))            # up to the as-of month
    orders.put((row, amount), orders.cells[(row, amount)] + 1e6)                 # an edit to one order line
    clock.now += recalculation.GAP_SECONDS + 0.5                                # the user pauses, then Ctrl+Alt+F9
    changed = udfs.CHURN_MODEL(orders.used_range.options(ndim=2).value, settings)
    assert changed != handle
    after = recalculate(book, keys, settings)
    assert after == [udfs.CHURN_RISK(key, changed) for key in keys]
    assert book.value_reads == {"Orders": 3, "Notes": 2}                       # one more read (and the range above)
    assert udfs.CUSTOMER_HISTORY(keys[0], None, settings, orders.range((2, 12))) == \
        udfs.CUSTOMER_HISTORY(keys[0], changed) != udfs.CUSTOMER_HISTORY(keys[0], handle)


def test_a_workbook_without_orders_is_read_once_per_recalculation_too(tmp_path, monkeypatch):
    monkeypatch.setattr(recalculation.RECALCULATIONS, "clock", Clock())
    book = Book(str(tmp_path / "empty.xlsx"), {"Orders": [["Product", "Qty"], ["Drill", 2.0]]})
    cell = book.sheets["Orders"].range("D2")
    answers = {udfs.CHURN_RISK(f"C{i}", None, None, cell) for i in range(100)}
    assert answers == {"#CHURN: no Date/Customer/Amount header on any sheet of this workbook"}
    assert book.value_reads == {"Orders": 1}
