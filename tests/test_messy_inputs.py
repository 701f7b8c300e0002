"""A messy book gives the same verdicts as a clean book of the same orders, and the rows
churnkit cannot read are exactly the ones broken on purpose (see messy_books.py).

Runs the command line (`addin.cli.main`) as a user would: `churnkit scan PATH ...`.
"""
import json
import re

import pytest

from addin.cli import main
from messy_books import (orders_in_year, random_orders, write_clean_xlsx, write_csv,
                         write_messy_xlsx, write_month_sheets, write_xlsm,
                         write_year_sheets)

SEEDS = [0, 1, 2]
AS_OF = "2024-12"
FORMS = {  # form: (file name, writer(orders, path, seed) -> expected skipped rows)
    "clean": ("clean.xlsx", lambda df, path, seed: write_clean_xlsx(df, path)),
    "messy": ("messy.xlsx", write_messy_xlsx),
    "csv": ("orders.csv", write_csv),
    "xlsm": ("orders.xlsm", write_xlsm),
    "years": ("years.xlsx", write_year_sheets),
    "months": ("months.xlsx",
               lambda df, path, seed: write_month_sheets(orders_in_year(df), path, seed)),
    "year_clean": ("year_clean.xlsx",
                   lambda df, path, seed: write_clean_xlsx(orders_in_year(df), path)),
}
SHEET_OPTIONS = {"years": ["--all-sheets"], "months": ["--all-sheets"]}
SAME_ORDERS_AS_CLEAN = ["messy", "csv", "xlsm", "years"]
BROKEN = ["messy", "csv", "xlsm", "years", "months"]
NOT_ORDERS = {"Notes", "Products", "Summary"}
FIELD_WORDS = {"date": ("date", "日期"),
               "customer": ("customer", "客户"),
               "amount": ("amount", "value", "sales", "revenue", "金额")}


@pytest.fixture(scope="module", params=SEEDS)
def books(request, tmp_path_factory):
    """One seed's orders in every form: {form: (path, expected skipped rows)}."""
    seed = request.param
    directory = tmp_path_factory.mktemp(f"seed{seed}")
    orders = random_orders(seed)
    return {form: (directory / name, writer(orders, directory / name, seed))
            for form, (name, writer) in FORMS.items()} | {"orders": orders}


def scan(capsys, *argv) -> tuple[int, str, str]:
    """Run `churnkit scan ARGV...`: (exit code, stdout, stderr)."""
    code = main(["scan", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


def scan_json(capsys, path, *options, as_of=AS_OF) -> dict:
    code, out, err = scan(capsys, path, "--all", "--format", "json", "--as-of", as_of, *options)
    assert code == 0, err
    return json.loads(out)


def verdicts(result: dict) -> list[dict]:
    """The customers sorted by key, floats rounded (summing order may differ)."""
    return sorted((_rounded(c) for c in result["customers"]), key=lambda c: c["customer"])


def _rounded(value):
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return value


def assert_skipped(skipped: list[dict], expected: list[dict]) -> None:
    """Exactly the expected (sheet, row)s, each reason naming the unreadable field."""
    assert sorted((s["sheet"], s["row"]) for s in skipped) == \
        sorted((e["sheet"], e["row"]) for e in expected)
    reasons = {(s["sheet"], s["row"]): s["reason"].lower() for s in skipped}
    for e in expected:
        reason = reasons[e["sheet"], e["row"]]
        assert any(word in reason for word in FIELD_WORDS[e["field"]]), (e, reason)


def test_clean_book_scores_every_customer_and_skips_nothing(books, capsys):
    result = scan_json(capsys, books["clean"][0])
    assert result["as_of"] == AS_OF
    assert result["skipped"] == []
    assert {c["customer"] for c in result["customers"]} == set(books["orders"]["customer"])
    assert {c["risk"] for c in result["customers"]} == {"LOST", "HIGH", "MEDIUM", "LOW"}


@pytest.mark.parametrize("form", SAME_ORDERS_AS_CLEAN)
def test_messy_book_gives_the_clean_verdicts(books, form, capsys):
    clean = scan_json(capsys, books["clean"][0])
    messy = scan_json(capsys, books[form][0], *SHEET_OPTIONS.get(form, []))
    assert messy["as_of"] == clean["as_of"]
    assert verdicts(messy) == verdicts(clean)


@pytest.mark.parametrize("form", BROKEN)
def test_skipped_rows_are_exactly_the_broken_ones(books, form, capsys):
    path, expected = books[form]
    assert_skipped(scan_json(capsys, path, *SHEET_OPTIONS.get(form, []))["skipped"], expected)


@pytest.mark.parametrize("form", BROKEN)
def test_strict_stops_with_one_sentence_naming_sheet_and_row(books, form, capsys):
    path, expected = books[form]
    code, _, err = scan(capsys, path, "--format", "json", "--as-of", AS_OF, "--strict",
                        *SHEET_OPTIONS.get(form, []))
    assert code != 0
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err
    assert any(e["sheet"] in err and re.search(rf"\b{e['row']}\b", err) for e in expected), err


def test_strict_accepts_a_clean_book(books, capsys):
    code, _, err = scan(capsys, books["clean"][0], "--as-of", AS_OF, "--strict")
    assert code == 0, err


def test_all_month_sheets_read_like_a_clean_book_of_that_year(books, capsys):
    clean = scan_json(capsys, books["year_clean"][0])
    months = scan_json(capsys, books["months"][0], "--all-sheets")
    assert verdicts(months) == verdicts(clean)


def test_chosen_month_sheets_read_like_a_clean_book_of_those_months(books, capsys, tmp_path):
    path, expected = books["months"]
    months = sorted({1, 2, 3, int(expected[0]["sheet"].removesuffix("月"))})
    year = orders_in_year(books["orders"])
    write_clean_xlsx(year[year["date"].dt.month.isin(months)], tmp_path / "chosen.xlsx")
    as_of = f"{year['date'].dt.year[0]}-{months[-1]:02d}"
    chosen = scan_json(capsys, path, "--sheet", *[f"{m}月" for m in months], as_of=as_of)
    assert verdicts(chosen) == verdicts(scan_json(capsys, tmp_path / "chosen.xlsx", as_of=as_of))
    assert_skipped(chosen["skipped"], expected)


@pytest.mark.parametrize("form", ["months", "years"])
def test_sheets_that_are_not_orders_are_never_read(books, form, capsys):
    result = scan_json(capsys, books[form][0], "--all-sheets")
    assert not {s["sheet"] for s in result["skipped"]} & NOT_ORDERS
    assert {c["customer"] for c in result["customers"]} <= set(books["orders"]["customer"])


def test_table_in_english_and_chinese_shows_the_at_risk_customers(books, capsys):
    path = books["clean"][0]
    at_risk = {c["customer"] for c in scan_json(capsys, path)["customers"] if c["risk"] != "LOW"}
    tables = {}
    for lang in ("en", "zh"):
        code, out, err = scan(capsys, path, "--as-of", AS_OF, "--format", "table", "--lang", lang)
        assert code == 0, err
        assert not {k for k in at_risk if k not in out}, out
        tables[lang] = out
    assert tables["en"] != tables["zh"]
