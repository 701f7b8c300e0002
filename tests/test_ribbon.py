"""The ribbon's actions on an open workbook, through the live-Excel adapter and a stand-in of xlwings."""
import datetime as dt
import shutil
from pathlib import Path

import openpyxl
import pytest

from addin.ribbon import ACTIONS, dispatch
from fake_xlwings import Book
from test_refresh import rows_of

SAMPLE = Path(__file__).parents[1] / "workbook_templates" / "sample_orders.xlsx"


def book_from(path: Path) -> Book:
    """What Excel would show of a workbook file: every sheet's values."""
    loaded = openpyxl.load_workbook(path, data_only=True)
    return Book(str(path), {ws.title: [list(row) for row in ws.iter_rows(values_only=True)] for ws in loaded})


def table_rows(sheet, name: str) -> dict[str, dict]:
    header, *rows = sheet.table_values(name)
    return {row[0]: dict(zip(header, row)) for row in rows if row[0] is not None}


@pytest.fixture
def book(tmp_path):
    path = tmp_path / "orders.xlsx"
    shutil.copy(SAMPLE, path)
    return book_from(path)


def test_refresh_writes_the_same_lists_as_the_command_line(churnkit, book, tmp_path):
    dispatch("refresh", "en", book)
    assert book.app.alerts[-1] == ("churnkit", "Refreshed: At-Risk (46), Win-Back (18), Departed Reps (5).")
    assert book.app.calculations == 1
    at_risk = table_rows(book.sheets["At-Risk"], "ChurnAtRisk")

    assert churnkit("refresh", Path(book.fullname)).code == 0
    expected = rows_of(Path(book.fullname), "At-Risk")
    assert list(at_risk) == list(expected)
    for key, row in expected.items():
        assert at_risk[key]["Risk"] == row["Risk"] and at_risk[key]["Reasons"] == row["Reasons"]
        assert at_risk[key]["Value at stake"] == pytest.approx(row["Value at stake"])
        assert at_risk[key]["Last order"] == row["Last order"]
    sheet = book.sheets["At-Risk"]
    header = sheet.tables["ChurnAtRisk"].range.row
    assert sheet.frozen == f"1:{header}"
    assert sheet.colors[(header + 1, 3)] in ("#FFC7CE", "#FFEB9C", "#C6EFCE")     # LOW: a dropped category
    assert any("Active: competitive" in choices for _, choices in sheet.validations)


def test_refresh_keeps_what_the_user_typed(book):
    dispatch("refresh", "en", book)
    sheet = book.sheets["At-Risk"]
    header_row = sheet.tables["ChurnAtRisk"].range.row
    headers = sheet.range((header_row, 1), (header_row, 30)).value
    customer = sheet.range((header_row + 1, 1)).value
    sheet.range((header_row + 1, headers.index("Notes") + 1)).value = "visit next week"
    dispatch("refresh", "en", book)
    assert table_rows(book.sheets["At-Risk"], "ChurnAtRisk")[customer]["Notes"] == "visit next week"


def test_formula_like_text_keeps_its_apostrophe(tmp_path):
    rows = [["Order Date", "Customer ID", "Customer Name", "Amount"]] + [
        [dt.datetime(2024, m, 10), "=HYPERLINK(1)", "+123", 1000.0 - 100 * m] for m in range(1, 7)]
    book = Book(str(tmp_path / "o.xlsx"), {"Orders": rows})
    dispatch("refresh", "en", book)
    sheet = book.sheets["At-Risk"]
    values = sheet.table_values("ChurnAtRisk")
    assert values[1][:2] == ["=HYPERLINK(1)", "+123"]       # stored as text: Excel took none of them for a formula
    assert not sheet.formulas


def test_customer_history_for_the_selected_cell(book):
    dispatch("refresh", "en", book)
    sheet = book.sheets["At-Risk"]
    first = sheet.tables["ChurnAtRisk"].range.row + 1
    customer = sheet.range((first, 1)).value
    book.select("At-Risk", f"A{first}")
    dispatch("history", "en", book)
    assert book.app.alerts[-1][1] == "Wrote the sheet 'Customer History'."
    history = book.sheets["Customer History"]
    assert history.range("A1").value == f"Customer history: {customer}"
    months = history.table_values("ChurnHistoryMonths")
    assert months[0] == ["Month", "Value", "Amount", "Orders"] and months[-1][0] == "2026-10"
    (chart,) = history.charts
    assert chart.kwargs["chart_type"] == "line"
    top = history.tables["ChurnHistoryMonths"].range.row
    assert chart.kwargs["source"].areas == [((top, 3), (top + len(months) - 1, 3))]
    assert chart.x_values.bounds == ((top + 1, 1), (top + len(months) - 1, 1))
    dispatch("history", "en", book)                      # again: the sheet is renewed, not duplicated
    assert len(book.sheets["Customer History"].charts) == 1


def test_settings_sheet_then_refresh_uses_it(book):
    dispatch("settings", "en", book)
    sheet = book.sheets["Churn Settings"]
    rows = table_rows(sheet, "ChurnSettings")
    assert rows["lost_months"]["Default"] == 6
    top = sheet.tables["ChurnSettings"].range.row
    line = list(rows).index("lost_months") + top + 1
    sheet.range((line, 2)).value = 12.0                   # a number, as Excel hands it over
    dispatch("refresh", "en", book)
    heading = {book.sheets["At-Risk"].range((r, 1)).value: book.sheets["At-Risk"].range((r, 2)).value
               for r in range(2, 10)}
    assert "lost_months 12 (from the 'Churn Settings' sheet)" in heading["Settings"]


def test_chinese_ribbon_and_errors_are_messages(tmp_path):
    empty = Book(str(tmp_path / "empty.xlsx"), {"Sheet1": [["hello"]]})
    dispatch("refresh", "zh", empty)
    assert "header row with date, customer and amount" in empty.app.alerts[-1][1]
    dispatch("nope", "zh", empty)
    assert empty.app.alerts[-1][1] == "此按钮（nope）在此版本的 churnkit 中没有对应操作。"
    empty.select("Sheet1", "B5")
    dispatch("history", "en", empty)
    assert empty.app.alerts[-1][1].startswith("Select a cell that holds a customer key")


def test_every_action_is_reachable():
    assert set(ACTIONS) == {"refresh", "history", "report", "email", "backtest", "settings", "help"}
