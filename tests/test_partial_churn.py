"""Dropped categories and departed reps on hand-made histories (docs/spec.md "Partial churn", "Rep turnover")."""
import csv
import datetime as dt
import io

import openpyxl
import pandas as pd

from addin.content import list_sheets
from churn_logic import analyse, backtest, resolve
from conftest import write_orders
from office import convert
from package_edits import type_into
from test_refresh import SAMPLE as SAMPLE_BOOK, rows_of

SAMPLE_COLUMNS = {"Order Date": "date", "Customer ID": "customer", "Amount": "amount", "Category": "category",
                  "Sales Rep": "rep"}


def _lines(plan):
    """Order lines from {(customer, category, rep): [months of 2025 with an order of 100]} (month 13 = 2026-01)."""
    rows = []
    for (customer, category, rep), months in plan.items():
        for month in months:
            rows.append({"customer": customer, "date": pd.Timestamp(2025 + (month - 1) // 12, (month - 1) % 12 + 1, 10),
                         "amount": 100.0, "category": category, "rep": rep})
    return pd.DataFrame(rows)


def _model(plan, **settings):
    return analyse(_lines(plan), resolve([("test", {"as_of": "2025-12", **settings})]))


def _row(model, customer):
    return model.customers.set_index("customer").loc[customer]


def test_a_regular_category_dropped_while_the_customer_buys_on():
    model = _model({("K", "Paper", None): range(1, 13), ("K", "Cleaning supplies", None): range(1, 9)})
    row = _row(model, "K")
    assert row["risk"] == "LOW" and row["dropped_categories"] == ["Cleaning supplies"]
    assert row["value_at_stake"] == 800.0          # what it bought of the category in the 12 months before
    assert model.reason(model.position("K")) == \
        "stopped buying Cleaning supplies 4 months ago (bought it 8 of the 12 months before)"
    assert "K" in set(model.ranked()["customer"])  # listed, although its risk is LOW
    zh = model.reason(model.position("K"), "zh")
    assert "Cleaning supplies" in zh and "4" in zh and "8" in zh


def test_a_category_bought_only_twice_is_not_regular():
    model = _model({("K", "Paper", None): range(1, 13), ("K", "Samples", None): [3, 7]})
    assert _row(model, "K")["dropped_categories"] == []
    assert model.reason(model.position("K")) == ""
    loose = _model({("K", "Paper", None): range(1, 13), ("K", "Samples", None): [3, 7]}, category_min_months=2)
    assert _row(loose, "K")["dropped_categories"] == ["Samples"]


def test_a_customer_who_stopped_buying_everything_has_no_dropped_category():
    model = _model({("K", "Paper", None): range(1, 9), ("K", "Ink", None): range(1, 9)})
    row = _row(model, "K")
    assert row["risk"] == "HIGH" and row["dropped_categories"] == []


def test_the_category_streak_follows_the_settings():
    plan = {("K", "Paper", None): range(1, 13), ("K", "Ink", None): range(1, 11)}     # Ink: 2 months without
    assert _row(_model(plan), "K")["dropped_categories"] == []                      # N_c = low_months = 3
    assert _row(_model(plan, low_months=2), "K")["dropped_categories"] == ["Ink"]
    assert _row(_model(plan, category_low_months=2), "K")["dropped_categories"] == ["Ink"]


def test_without_a_category_column_the_products_are_used():
    lines = _lines({("K", "Paper", None): range(1, 13), ("K", "Ink", None): range(1, 9)}).rename(
        columns={"category": "product"})
    model = analyse(lines, resolve([("test", {"as_of": "2025-12"})]))
    assert _row(model, "K")["dropped_categories"] == ["Ink"]


def test_a_rep_leaving_with_two_of_five_customers_following():
    plan = {(c, "Paper", "Ann"): range(1, 9) for c in ("C1", "C2", "C3", "C4", "C5")}
    plan.update({(c, "Paper", "Ben"): range(9, 13) for c in ("C3", "C4", "C5")})       # Ben took three over
    plan[("C6", "Paper", "Ben")] = range(1, 13)
    model = _model(plan)
    turnover = model.turnover
    assert turnover.reps[["rep", "last_month", "customers", "taken_over"]].values.tolist() == \
        [["Ann", "2025-08", 5, 3]]
    handed = turnover.customers.set_index("customer")
    assert sorted(handed.index) == ["C1", "C2", "C3", "C4", "C5"]
    assert handed.loc["C1", "value_before"] == 800.0 and handed.loc["C1", "value_since"] == 0.0
    assert handed.loc["C3", "value_since"] == 400.0 and handed.loc["C3", "taken_over_by"] == "Ben"
    assert pd.isna(handed.loc["C1", "taken_over_by"])
    departed = model.customers.set_index("customer")["rep_departed"]
    assert departed.to_dict() == {"C1": True, "C2": True, "C3": False, "C4": False, "C5": False, "C6": False}
    assert model.reason(model.position("C1")).endswith("rep Ann left (last order line in 2025-08)")
    assert model.reason(model.position("C3")) == "rep Ann left (last order line in 2025-08); now with Ben"
    assert model.reason(model.position("C6")) == ""


def test_a_handover_that_worked_and_a_rep_marked_gone():
    plan = {("C1", "Paper", "Ann"): range(1, 7), ("C1", "Paper", "Ben"): range(7, 13),
            ("C2", "Paper", "Cho"): range(1, 13)}
    model = _model(plan)
    row = model.turnover.customers.set_index("customer").loc["C1"]
    assert (row["departed_rep"], row["taken_over_by"], row["value_before"], row["value_since"]) == \
        ("Ann", "Ben", 600.0, 600.0)
    assert not _row(model, "C1")["rep_departed"] and _row(model, "C1")["risk"] == "LOW"
    assert model.turnover.reps["rep"].tolist() == ["Ann"]
    marked = analyse(_lines(plan), resolve([("test", {"as_of": "2025-12"})]), gone_reps=[" cho "])
    assert marked.turnover.reps[["rep", "last_month", "marked"]].values.tolist() == \
        [["Ann", "2025-06", False], ["Cho", "2025-12", True]]
    assert _row(marked, "C2")["rep_departed"]


def test_the_backtest_counts_how_often_each_was_followed_by_churn():
    plan = {("K", "Paper", "Ann"): range(1, 13), ("K", "Ink", "Ann"): range(1, 7),
            ("L", "Paper", "Ben"): range(1, 8), ("M", "Paper", "Ann"): range(1, 13)}
    result = backtest(_model(plan, category_window=4, category_min_months=3), horizon=2)
    partial = result.rule("partial")
    # K dropped Ink as of 2025-09 (3 months without it) and kept buying: flagged, did not churn
    flagged = [month for month, n in zip(result.months, partial.flagged_per_month) if n]
    assert flagged == ["2025-09", "2025-10"] and partial.churned_flagged == 0
    rep = result.rule("rep_departed")
    # Ben's last line is 2025-07: departed as of 2025-10 (3 months without a line); L churned then
    assert rep.flagged == 1 and rep.churned_flagged == 1


PARTIAL_HEADER = ["Order Date", "Customer ID", "Customer Name", "Amount", "Category", "Sales Rep"]


def _partial_book(path, reps_sheet=(("Rep", "Status"), ("Cho", "left"), ("Ann", "active"))):
    """K drops Cleaning supplies; L (Dan's) stops buying; J's rep Cho is marked as gone on the Reps sheet."""
    rows = []
    for month in range(1, 13):
        rows.append([dt.datetime(2025, month, 10), "K", "Kay", 100, "Paper", "Ann"])
        if month < 9:
            rows.append([dt.datetime(2025, month, 11), "K", "Kay", 50, "Cleaning supplies", "Ann"])
        rows.append([dt.datetime(2025, month, 10), "J", "Jay", 100, "Paper", "Cho"])
        if month < 8:
            rows.append([dt.datetime(2025, month, 10), "L", "Elle", 100, "Paper", "Dan"])
    return write_orders(path, rows, header=PARTIAL_HEADER, extra_sheets={"Reps": [list(r) for r in reps_sheet]})


def test_scan_gives_the_dropped_categories_and_the_departed_reps(churnkit, tmp_path):
    book = _partial_book(tmp_path / "orders.xlsx")
    doc = churnkit("scan", book, "--as-of", "2025-12", "--format", "json").json()
    by_key = {c["customer"]: c for c in doc["customers"]}
    assert set(by_key) == {"K", "J", "L"}                        # K and J are LOW, listed for these reasons
    assert (by_key["K"]["dropped_categories"], by_key["K"]["rep_departed"]) == (["Cleaning supplies"], False)
    assert by_key["K"]["value_at_stake"] == 400
    assert (by_key["J"]["dropped_categories"], by_key["J"]["rep_departed"]) == ([], True)   # marked on the sheet
    assert by_key["J"]["reasons"] == "rep Cho left (last order line in 2025-12)"
    assert by_key["L"]["rep_departed"] and by_key["L"]["risk"] == "HIGH"
    csv_rows = list(csv.DictReader(io.StringIO(churnkit("scan", book, "--as-of", "2025-12", "--format", "csv")
                                               .out.lstrip("\ufeff"))))
    assert {r["customer"]: (r["dropped_categories"], r["rep_departed"]) for r in csv_rows} == \
        {"K": ("Cleaning supplies", "False"), "J": ("", "True"), "L": ("", "True")}
    unmarked = _partial_book(tmp_path / "other.xlsx", reps_sheet=(("Sales Rep", "Email"), ("Cho", "cho@example.com")))
    run = churnkit("scan", unmarked, "--as-of", "2025-12", "--format", "json")
    assert "J" not in {c["customer"] for c in run.json()["customers"]}


def test_refresh_adds_the_new_columns_to_an_older_list_and_keeps_the_notes(churnkit, tmp_path, monkeypatch):
    book = _partial_book(tmp_path / "orders.xlsx")
    with monkeypatch.context() as older:      # the At-Risk list as churnkit wrote it before these columns
        older.setitem(list_sheets.LIST_FIELDS, "at_risk", list_sheets.LIST_FIELDS["at_risk"][:-2])
        assert churnkit("refresh", book, "--as-of", "2025-12").code == 0
    assert "Dropped categories" not in rows_of(book, "At-Risk")["K"]
    type_into(book, "At-Risk", "K", "Notes", "buys cleaning supplies elsewhere now?")
    type_into(book, "At-Risk", "J", "Owner", "Li Wei")
    run = churnkit("refresh", book, "--as-of", "2025-12")
    assert run.code == 0, run.err
    at_risk = rows_of(book, "At-Risk")
    assert at_risk["K"]["Notes"] == "buys cleaning supplies elsewhere now?" and at_risk["J"]["Owner"] == "Li Wei"
    assert (at_risk["K"]["Dropped categories"], at_risk["K"]["Rep left"]) == ("Cleaning supplies", None)
    assert (at_risk["J"]["Rep left"], at_risk["L"]["Rep left"]) == ("yes", "yes")
    departed = rows_of(book, "Departed Reps")
    assert {c: (r["Departed rep"], r["Rep's last month"], r["12 months before"], r["Since then"])
            for c, r in departed.items()} == {"J": ("Cho", "2025-12", 1200, 0), "L": ("Dan", "2025-07", 700, 0)}
    assert "Closed" not in openpyxl.load_workbook(book, read_only=True).sheetnames
    zh = churnkit("refresh", book, "--as-of", "2025-12", "--lang", "zh")
    assert zh.code == 0, zh.err
    assert rows_of(book, "离职业务员客户")["L"]["离职业务员"] == "Dan"
    convert(book, tmp_path)   # LibreOffice opens the result


def test_the_backtest_finds_the_same_drops_month_by_month_as_in_one_pass(monkeypatch):
    from churn_logic import categories, streaks
    model = analyse(pd.read_excel(SAMPLE_BOOK, header=2, engine="calamine").rename(columns=SAMPLE_COLUMNS)[list(SAMPLE_COLUMNS.values())],
                    resolve([("test", {"as_of": "2026-10"})]))
    dormant = streaks.dormant_streak_by_month(model.series)
    width = model.series.values.shape[1]
    at_once = categories.flagged_by_month(model.category_cells, model.series, width, dormant, model.settings)
    monkeypatch.setattr(categories, "DENSE_PAIR_MONTHS", 0)
    by_month = categories.flagged_by_month(model.category_cells, model.series, width, dormant, model.settings)
    assert at_once.any() and (at_once == by_month).all()
    assert (at_once[-1] == model.customers["dropped_categories"].map(bool).to_numpy()).all()


def test_the_specs_worked_example_of_dropped_categories():
    """docs/spec.md "Partial churn", worked example (A = 2024-12, defaults)."""
    rows = []
    for month in range(1, 13):
        rows.append(("P1", "Paper", month, 100.0))
        rows.append(("P2", "Paper", month, 100.0))
        if month <= 8:
            rows += [("P1", "Cleaning", month, 50.0), ("P3", "Paper", month, 100.0), ("P3", "Ink", month, 100.0)]
        if month in (3, 7):
            rows.append(("P2", "Samples", month, 50.0))
    lines = pd.DataFrame([{"customer": c, "category": g, "date": pd.Timestamp(2024, m, 15), "amount": a}
                          for c, g, m, a in rows])
    model = analyse(lines, resolve([("test", {"as_of": "2024-12"})]))
    got = model.customers.set_index("customer")
    assert got["dropped_categories"].to_dict() == {"P1": ["Cleaning"], "P2": [], "P3": []}
    assert (got.loc["P1", "risk"], got.loc["P1", "value_at_stake"]) == ("LOW", 400.0)
    assert got.loc["P3", "risk"] == "HIGH"
    assert model.reason(model.position("P1")) == \
        "stopped buying Cleaning 4 months ago (bought it 8 of the 12 months before)"
