"""Input that used to give a wrong answer without a word: a date typed in the future, text that a
spreadsheet runs as a formula, texts longer than a cell holds."""
import csv
import datetime as dt
import io

import openpyxl

from conftest import HEADER, write_orders
from office import convert


def _month_start(today: dt.date, back: int) -> dt.date:
    year, month = divmod(today.year * 12 + today.month - 1 - back, 12)
    return dt.date(year, month + 1, 10)


def test_a_date_in_the_future_is_a_skipped_row_and_does_not_move_the_as_of_month(churnkit, tmp_path):
    today = dt.date.today()
    soon = today + dt.timedelta(days=3)                       # booked for the next few days: a real line
    past_cutoff = max(dt.date(today.year + (today.month == 12), today.month % 12 + 1, 1), today + dt.timedelta(days=8))
    rows = [[dt.datetime.combine(_month_start(today, back), dt.time()), "C1", "Acme", 100.0, f"SO-{back}"]
            for back in (3, 2, 1)]
    rows += [[dt.datetime.combine(soon, dt.time()), "C1", "Acme", 100.0, "SO-soon"],
             [dt.datetime(2261, 12, 31), "C2", "Typo Ltd", 500.0, "SO-typo"],
             [dt.datetime.combine(past_cutoff, dt.time()), "C2", "Typo Ltd", 500.0, "SO-next"]]
    path = write_orders(tmp_path / "orders.xlsx", rows)
    result = churnkit("scan", path, "--all", "--format", "json").json()
    last_complete = _month_start(today, 1)
    assert result["as_of"] == f"{last_complete.year}-{last_complete.month:02d}"
    assert [(s["row"], s["reason"]) for s in result["skipped"]] == [
        (6, "date '2261-12-31 00:00:00' is in the future"),
        (7, f"date '{past_cutoff:%Y-%m-%d} 00:00:00' is in the future")]
    assert [c["customer"] for c in result["customers"]] == ["C1"]
    assert result["customers"][0]["months_without_orders"] == 0


def test_csv_for_spreadsheets_keeps_formula_like_text_as_text_and_keys_exact(churnkit, tmp_path):
    keys = ["=1+1", "\t=1+1", "-1+1", "@SUM(A1)", "+5", "\r=2", "plain"]
    rows = [[dt.datetime(2024, 1, 10), key, f"=HYPERLINK(\"x{i}\")", 100.0 + i, f"SO-{i}"] for i, key in enumerate(keys)]
    rows.append([dt.datetime(2024, 2, 10), "plain", "Plain Ltd", -150.0, "CN-1"])    # a return: negative value
    path = write_orders(tmp_path / "orders.xlsx", rows)
    run = churnkit("scan", path, "--all", "--format", "csv", "--as-of", "2024-06")
    records = list(csv.DictReader(io.StringIO(run.out.removeprefix("\ufeff"), newline="")))
    by_key = {r["customer"]: r for r in records}
    assert sorted(by_key) == sorted(["'" + k if k[0] in "=+-@\t\r" else k for k in keys])
    assert all(r["name"].startswith("'=HYPERLINK") for r in records if r["customer"] != "plain")
    assert by_key["plain"]["value_last_12m"] == "-44.0" and float(by_key["plain"]["value_last_12m"]) == -44.0
    exact = {c["customer"] for c in churnkit("scan", path, "--all", "--format", "json", "--as-of", "2024-06").json()[
        "customers"]}
    assert exact == set(keys)                                  # JSON keeps the keys exactly as written


def test_texts_longer_than_a_cell_holds_are_cut_and_the_heading_says_so(churnkit, tmp_path):
    products = [chr(65 + i) * 20_000 for i in range(3)]
    rows = [[dt.datetime(2023, 1, 10 + i), "C1", "Acme", 1000.0 - i, f"SO-{i}", products[i]] for i in range(3)]
    rows.append([dt.datetime(2024, 6, 10), "C2", "Beta", 10.0, "SO-9", "Tea"])
    path = write_orders(tmp_path / "orders.xlsx", rows, header=HEADER + ["Product"])
    run = churnkit("refresh", path, "--as-of", "2024-06")
    assert run.code == 0, run.err
    ws = openpyxl.load_workbook(path)["Win-Back"]
    cells = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    main_products = next(v for v in cells if v.startswith("A" * 100))
    assert len(main_products) == 32_767 and main_products.endswith("…")
    assert max(len(v) for v in cells) == 32_767
    heading = {row[0].value: row[1].value for row in ws.iter_rows(max_row=12) if row[0].value}
    assert heading["Cut texts"] == "1 text longer than a cell holds (32,767 characters): cut, ending in …"
    convert(path, tmp_path)


def test_amounts_beyond_what_churnkit_counts_exactly_are_one_sentence(churnkit, tmp_path):
    """Each amount is below the largest an order line may have, but together they pass 460 trillion: no verdict
    would be exact, so none is given (exit 2, one sentence), whatever the command."""
    rows = [[dt.datetime(2024, m, 10), f"C{m}", "Acme", 9.0e14, f"SO-{m}"] for m in range(1, 7)]
    path = write_orders(tmp_path / "orders.xlsx", rows)
    for command in (("scan",), ("refresh",), ("backtest",)):
        run = churnkit(*command, path, "--as-of", "2024-06")
        assert run.code == 2, (command, run.err)
        assert run.err.startswith("churnkit: orders.xlsx cannot be scored: the amounts add up to more than churnkit "
                                  "counts exactly (460 trillion)") and run.err.count("\n") == 1, run.err
