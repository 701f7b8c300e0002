"""Two first-hour surprises on real files: text dates written day first (15/03/2024), and amounts that
are formulas a program wrote without calculating them."""
import datetime as dt

import openpyxl
import pandas as pd
import pytest

from churn_logic.parsing import DAY_FIRST, MONTH_FIRST, numeric_date_order, read_dates
from office import convert
from conftest import write_orders

HEADER = ["Date", "Customer", "Amount"]


def _csv(path, rows):
    path.write_text("\n".join(",".join(map(str, row)) for row in [HEADER, *rows]) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("texts, order", [
    (["15/03/2024", "03/04/2024"], DAY_FIRST),
    (["03/15/2024", "04/03/2024"], MONTH_FIRST),
    (["1.2.24", "13.1.24"], DAY_FIRST),
    (["03/04/2024", "04/05/2024"], None),                    # nothing shows which
    (["15/03/2024", "03/15/2024"], None),                    # both forms: not guessed
    (["13/13/2024", "03/15/2024"], MONTH_FIRST),             # a date in neither order proves nothing
    (["2024-03-15", "15 March"], None),                      # not dates of numbers only, year last
])
def test_the_order_of_numeric_dates_is_what_the_dates_prove(texts, order):
    assert numeric_date_order(pd.Series(texts)) == order


def test_numeric_dates_are_read_in_the_order_given_two_digit_years_as_strptime_reads_them():
    dates = read_dates(pd.Series(["15/03/2024", "1.2.24", "5-6-99 10:30", "31/02/2024"]), None, DAY_FIRST)
    assert list(dates) == [pd.Timestamp(2024, 3, 15), pd.Timestamp(2024, 2, 1), pd.Timestamp(1999, 6, 5), pd.NaT]


def test_day_first_text_dates_in_a_csv_are_read_and_the_output_says_so(churnkit, tmp_path):
    path = _csv(tmp_path / "orders.csv", [["15/03/2024", "A", 100], ["03/04/2024", "A", 50],
                                          ["02/05/2024", "B", 80]])
    run = churnkit("scan", path, "--all", "--as-of", "2024-06", "--format", "json")
    assert run.code == 0, run.err
    last = {c["customer"]: c["last_order_date"] for c in run.json()["customers"]}
    assert last == {"A": "2024-04-03", "B": "2024-05-02"}
    table = churnkit("scan", path, "--as-of", "2024-06")
    assert "Read the text dates of sheet 'orders.csv' as day/month/year" in table.out


def test_text_dates_in_a_workbook_are_read_month_first_when_they_prove_it(churnkit, tmp_path):
    path = write_orders(tmp_path / "orders.xlsx", [["04/15/2024", "A", 100], ["05/03/2024", "A", 50]], header=HEADER)
    run = churnkit("history", path, "A", "--format", "json", "--as-of", "2024-06")
    assert run.code == 0, run.err
    assert run.json()["customer"]["last_order_date"] == "2024-05-03"


def test_dates_that_could_be_either_order_are_not_guessed_and_the_message_names_the_date_format(churnkit, tmp_path):
    path = _csv(tmp_path / "orders.csv", [["03/04/2024", "A", 100], ["04/05/2024", "B", 50]])
    run = churnkit("scan", path)
    assert run.code == 2 and run.out == ""
    assert "'03/04/2024' (sheet 'orders.csv' row 2), may be day/month or month/day" in run.err
    assert "--date-format DD/MM/YYYY" in run.err and "Traceback" not in run.err
    assert len(run.err.strip().splitlines()) == 1
    given = churnkit("scan", path, "--all", "--date-format", "DD/MM/YYYY", "--as-of", "2024-06", "--format", "json")
    assert {c["customer"]: c["last_order_date"] for c in given.json()["customers"]} == \
        {"A": "2024-04-03", "B": "2024-05-04"}


def test_a_row_with_an_undecided_date_among_readable_ones_is_skipped_with_that_reason(churnkit, tmp_path):
    path = _csv(tmp_path / "orders.csv", [["03/04/2024", "A", 100], ["2024-05-01", "A", 50]])
    run = churnkit("scan", path, "--all", "--as-of", "2024-06", "--format", "json")
    assert run.json()["skipped"] == [{"sheet": "orders.csv", "row": 2, "reason":
                                      "date '03/04/2024' may be day/month or month/day: set the date format "
                                      "(e.g. DD/MM/YYYY)"}]
    table = churnkit("scan", path, "--as-of", "2024-06").out
    assert "· 1 customer scored" in table and "Skipped 1 row that could not be read:" in table


@pytest.fixture
def uncalculated(tmp_path):
    """Amounts as formulas, as openpyxl (like any program that does not calculate) writes them: no results."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Orders"
    sheet.append(["Date", "Customer", "Quantity", "Price", "Amount"])
    for row, month in enumerate(range(1, 7), start=2):
        sheet.append([dt.datetime(2024, month, 5), f"C{month % 2}", 2, 10.5, f"=C{row}*D{row}"])
    path = tmp_path / "uncalculated.xlsx"
    book.save(path)
    return path


def test_amounts_as_formulas_without_results_say_what_to_do(churnkit, uncalculated, tmp_path):
    run = churnkit("scan", uncalculated)
    assert run.code == 2 and len(run.err.strip().splitlines()) == 1
    assert "the amount cells of sheet 'Orders' (such as row 2) hold formulas without saved results" in run.err
    assert "open the workbook in Excel or LibreOffice, save it" in run.err
    saved = convert(uncalculated, tmp_path / "saved", to="xlsx")        # what the sentence asks, done for real
    after = churnkit("scan", saved, "--all", "--as-of", "2024-06", "--format", "json")
    assert after.code == 0, after.err
    assert {c["customer"]: c["value_last_12m"] for c in after.json()["customers"]} == {"C0": 63.0, "C1": 63.0}


def test_an_empty_amount_column_without_formulas_keeps_the_header_hint(churnkit, tmp_path):
    path = write_orders(tmp_path / "orders.xlsx", [[dt.datetime(2024, 3, 5), "A", None]], header=HEADER)
    run = churnkit("scan", path)
    assert run.code == 2 and "check that the header 'Amount' stands right above the amount values" in run.err
