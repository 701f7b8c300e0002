"""The command line on small real workbooks: contract fields, settings sources, errors as one sentence."""
import datetime as dt

import openpyxl
import pytest

from addin.cli import output
from conftest import HEADER, monthly_rows, write_orders


@pytest.fixture
def orders(tmp_path):
    rows = (monthly_rows("00042", "Acme Ltd", [900, 800, 700, 600, 500, 400])
            + monthly_rows("C7", "华强贸易", [500, 0, 0, 0, 0, 0])
            + monthly_rows("C8", "Steady Co", [300, 310, 320, 330, 340, 350]))
    return write_orders(tmp_path / "orders.xlsx", rows)


def test_scan_lists_at_risk_customers_with_contract_fields(churnkit, orders):
    run = churnkit("scan", orders, "--as-of", "2024-06", "--format", "json")
    assert run.code == 0, run.err
    doc = run.json()
    assert doc["as_of"] == "2024-06"
    by_key = {c["customer"]: c for c in doc["customers"]}
    assert set(by_key) == {"00042", "C7"}                 # C8 is LOW: only listed with --all
    acme = by_key["00042"]
    assert acme["name"] == "Acme Ltd" and acme["risk"] == "MEDIUM" and acme["decline_streak"] == 5
    assert acme["reasons"] == "sales down 5 months in a row: 900 → 400"
    assert acme["last_order_date"] == "2024-06-10" and acme["value_last_12m"] == 3900
    assert by_key["C7"]["risk"] == "HIGH" and by_key["C7"]["low_streak"] == 5
    assert doc["skipped"] == []
    every = churnkit("scan", orders, "--as-of", "2024-06", "--format", "json", "--all").json()
    assert {c["customer"] for c in every["customers"]} == {"00042", "C7", "C8"}


def test_csv_output_keeps_codes_and_fields(churnkit, orders):
    run = churnkit("scan", orders, "--as-of", "2024-06", "--format", "csv", "--lang", "zh")
    assert run.out.startswith("\ufeff")            # the byte-order mark Excel needs to read UTF-8
    header, *lines = run.out[1:].splitlines()
    assert header.split(",")[:10] == ["customer", "name", "risk", "reasons", "decline_streak", "low_streak",
                                      "months_without_orders", "last_order_date", "core_class", "value_last_12m"]
    assert [line.split(",")[0] for line in lines] == ["C7", "00042"]      # HIGH before MEDIUM
    assert lines[1].startswith("00042,Acme Ltd,MEDIUM,销售额连续5个月下降")


def test_table_output_reads_well(churnkit, orders):
    run = churnkit("scan", orders, "--as-of", "2024-06")
    assert "as of 2024-06" in run.out and "MEDIUM" in run.out and "Acme Ltd" in run.out
    assert "1 LOST" not in run.out and "0 LOST, 1 HIGH, 1 MEDIUM" in run.out
    assert "中风险" in churnkit("scan", orders, "--as-of", "2024-06", "--lang", "zh").out


def test_the_table_shows_the_most_urgent_and_says_how_many_more(churnkit, orders, monkeypatch):
    monkeypatch.setattr(output, "TABLE_ROWS", 1)
    every = churnkit("scan", orders, "--as-of", "2024-06", "--all", "--format", "json").json()["customers"]
    table = churnkit("scan", orders, "--as-of", "2024-06", "--all").out
    assert every[0]["customer"] in table and not any(c["customer"] in table for c in every[1:])
    assert "… and 2 more customers, less urgent (--format csv or --format json lists them all" in table
    assert "另有 2 位客户" in churnkit("scan", orders, "--as-of", "2024-06", "--all", "--lang", "zh").out
    monkeypatch.setattr(output, "TABLE_ROWS", 3)
    assert "more customers" not in churnkit("scan", orders, "--as-of", "2024-06", "--all").out


def test_history_shows_trend_and_lines(churnkit, orders):
    run = churnkit("history", orders, "00042", "--as-of", "2024-06", "--format", "json")
    doc = run.json()
    assert [m["amount"] for m in doc["monthly"]] == [900, 800, 700, 600, 500, 400]
    assert [line["row"] for line in doc["lines"]] == [2, 3, 4, 5, 6, 7]
    assert doc["customer"]["risk"] == "MEDIUM"
    table = churnkit("history", orders, "00042", "--as-of", "2024-06").out
    assert "2024-01" in table and "█" in table and "SO-00042-0" in table


def test_far_dates_and_endless_amounts_are_skipped_rows(churnkit, tmp_path, orders):
    """A 9999-12-31 placeholder (real date, serial or text) is not an order date; inf and 1e308 are not amounts."""
    rows = [[dt.datetime(9999, 12, 31), "00042", "Acme Ltd", 100, "SO-far"],
            [2958465, "00042", "Acme Ltd", 100, "SO-serial"],
            ["2300-01-01", "00042", "Acme Ltd", 100, "SO-text"],
            [dt.datetime(2024, 6, 12), "00042", "Acme Ltd", "inf", "SO-inf"],
            [dt.datetime(2024, 6, 12), "00042", "Acme Ltd", "1.5e400", "SO-huge"],
            [dt.datetime(2024, 6, 12), "00042", "Acme Ltd", 1e308, "SO-1e308"]]
    book = openpyxl.load_workbook(orders)
    for row in rows:
        book["Orders"].append(row)
    book.save(orders)
    first = book["Orders"].max_row - len(rows) + 1
    doc = churnkit("scan", orders, "--as-of", "2024-06", "--format", "json").json()
    assert [(s["row"], s["reason"]) for s in doc["skipped"]] == [
        (first, "date '9999-12-31 00:00:00' is outside the years 1678–2261"),
        (first + 1, "date '2958465' is outside the years 1678–2261"),
        (first + 2, "date '2300-01-01' is outside the years 1678–2261"),
        (first + 3, "amount 'inf' is not a number"),
        (first + 4, "amount '1.5e400' is not a number"),
        (first + 5, "amount '10000000000000000109790636294…' is too large (over 1,000,000,000,000,000)")]
    acme = next(c for c in doc["customers"] if c["customer"] == "00042")
    assert acme["value_last_12m"] == 3900 and acme["last_order_date"] == "2024-06-10"
    history = churnkit("history", orders, "00042", "--as-of", "2024-06")
    assert history.code == 0 and "SO-inf" not in history.out and "█" in history.out


def test_huge_quantity_is_skipped_only_when_the_rules_count_quantities(churnkit, tmp_path):
    rows = [[dt.datetime(2024, m, 10), "C1", "Acme", 100, f"SO-{m}", 1e308 if m == 3 else 2] for m in range(1, 7)]
    path = write_orders(tmp_path / "orders.xlsx", rows, header=[*HEADER, "Quantity"])
    by_amount = churnkit("history", path, "C1", "--as-of", "2024-06", "--format", "json").json()
    assert [line["quantity"] for line in by_amount["lines"]] == [2, 2, None, 2, 2, 2]
    by_quantity = churnkit("scan", path, "--as-of", "2024-06", "--measure", "quantity", "--format", "json").json()
    assert [(s["row"], s["reason"].split("'")[0]) for s in by_quantity["skipped"]] == [(4, "quantity ")]
    assert "is too large" in by_quantity["skipped"][0]["reason"]


def test_history_of_unknown_customer_is_one_sentence(churnkit, orders):
    run = churnkit("history", orders, "42", "--as-of", "2024-06")   # the key is 00042, exactly
    assert run.code == 2 and "No customer '42'" in run.err and "Traceback" not in run.err


def test_settings_precedence_file_sheet_flags(churnkit, tmp_path, orders):
    (tmp_path / "churnkit.toml").write_text('decline_months = 6\nlost_months = 4\nlow_months = 2\n', encoding="utf-8")
    doc = churnkit("scan", orders, "--as-of", "2024-06", "--format", "json").json()
    assert doc["settings"]["decline_months"] == 6 and doc["settings"]["sources"]["decline_months"] == "churnkit.toml"
    assert {c["customer"]: c["risk"] for c in doc["customers"]} == {"C7": "LOST"}   # 5 months without orders ≥ 4

    book = openpyxl.load_workbook(orders)
    sheet = book.create_sheet("Churn Settings")
    sheet.append(["Setting", "Value"])
    sheet.append(["decline_months", 5])
    sheet.append(["低额月数", 6])           # the Chinese name of low_months
    book.save(orders)
    doc = churnkit("scan", orders, "--as-of", "2024-06", "--format", "json", "--lost-months", "6").json()
    settings = doc["settings"]
    assert (settings["decline_months"], settings["low_months"], settings["lost_months"]) == (5, 6, 6)
    assert settings["sources"] == {"decline_months": "the 'Churn Settings' sheet", "low_months": "the 'Churn Settings' sheet",
                                   "lost_months": "the command line", "as_of": "the command line"}
    assert {c["customer"]: c["risk"] for c in doc["customers"]} == {"00042": "MEDIUM"}
    table = churnkit("scan", orders, "--as-of", "2024-06").out
    assert "decline_months 5 (from the 'Churn Settings' sheet)" in table


def test_explicit_column_mapping(churnkit, tmp_path):
    path = write_orders(tmp_path / "odd.xlsx", monthly_rows("K", "K Ltd", [5, 4, 3, 2]),
                        header=["When", "Who", "Name", "How much", "Ref"])
    run = churnkit("scan", path, "--as-of", "2024-04")
    assert run.code == 2 and "header row with date, customer and amount" in run.err
    run = churnkit("scan", path, "--as-of", "2024-04", "--date-column", "When", "--customer-column", "Who",
                   "--amount-column", "how much", "--format", "json")
    assert run.code == 0, run.err
    assert run.json()["customers"][0]["decline_streak"] == 3


@pytest.mark.parametrize("content, words", [
    (None, "File not found"),
    (b"just some text", "is not an Excel workbook"),
    (b"PK\x03\x04 broken zip", "could not be read as an Excel workbook"),
])
def test_bad_files_are_one_sentence(churnkit, tmp_path, content, words):
    path = tmp_path / "orders.xlsx"
    if content is not None:
        path.write_bytes(content)
    run = churnkit("scan", path)
    assert run.code == 2 and words in run.err
    assert len(run.err.strip().splitlines()) == 1 and "Traceback" not in run.err


def test_password_protected_workbook(churnkit, tmp_path, orders):
    from msoffcrypto.format.ooxml import OOXMLFile

    locked = tmp_path / "locked.xlsx"
    with orders.open("rb") as plain, locked.open("wb") as out:
        OOXMLFile(plain).encrypt("secret", out)
    run = churnkit("scan", locked)
    assert run.code == 2 and "password-protected" in run.err


def test_no_orders_sheet_and_unknown_setting(churnkit, tmp_path, orders):
    path = write_orders(tmp_path / "notes.xlsx", [["hello", "world"]], header=["Note", "Text"])
    run = churnkit("scan", path)
    assert run.code == 2 and "No sheet of notes.xlsx has a header row" in run.err
    (tmp_path / "churnkit.toml").write_text("decline_monthz = 3\n", encoding="utf-8")
    run = churnkit("scan", orders)
    assert run.code == 2 and "Unknown setting 'decline_monthz'" in run.err
    (tmp_path / "churnkit.toml").write_text("lost_months = 'soon'\n", encoding="utf-8")
    run = churnkit("scan", orders)
    assert run.code == 2 and "lost_months" in run.err and "churnkit.toml" in run.err
    (tmp_path / "churnkit.toml").unlink()
    assert churnkit("scan", orders, "--sheet", "Nope").err.startswith("churnkit: orders.xlsx has no sheet named 'Nope'")


def test_default_as_of_is_the_last_complete_month(churnkit, tmp_path):
    today = dt.date.today()
    this_month = dt.datetime(today.year, today.month, 1)
    rows = [[this_month, "X", "X", 100, "1"], [dt.datetime(2020, 1, 5), "X", "X", 100, "0"]]
    doc = churnkit("scan", write_orders(tmp_path / "o.xlsx", rows, header=HEADER), "--format", "json").json()
    previous = today.replace(day=1) - dt.timedelta(days=1)
    assert doc["as_of"] == f"{previous.year:04d}-{previous.month:02d}"
    assert doc["lines_after_as_of"] == 1
