"""The backtest and each customer's chance of no order, as the command line, the lists and the worksheet
functions give them (the figures themselves are checked against loop oracles in test_backtest.py and
test_no_order.py)."""
import csv
import datetime as dt
import io
import math
import shutil
from pathlib import Path

import openpyxl
import pytest

from addin import udfs
from conftest import write_orders

SAMPLE = Path(__file__).parents[1] / "workbook_templates" / "sample_orders.xlsx"


@pytest.fixture(scope="module")
def sample_scan():
    from addin.cli import main
    import contextlib
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["scan", str(SAMPLE), "--all", "--format", "json"]) == 0
    import json
    return json.loads(out.getvalue())


def test_scan_gives_each_customer_a_chance_of_no_order_and_an_expected_loss(sample_scan):
    probability = sample_scan["probability"]
    assert probability["horizon_months"] == 3 and probability["calibration"] == "calibrated"
    assert probability["how"].startswith("calibrated on what the customers did in the 3 months after")
    customers = sample_scan["customers"]
    assert all(0 <= c["p_no_order"] <= 1 and c["p_no_order_reason"] == "" for c in customers)
    for c in customers:
        assert c["expected_loss"] == pytest.approx(c["p_no_order"] * c["value_at_stake"], abs=0.01 + c["value_at_stake"] * 1e-4)
    lost = [c["p_no_order"] for c in customers if c["risk"] == "LOST"]
    low = [c["p_no_order"] for c in customers if c["risk"] == "LOW"]
    assert sum(lost) / len(lost) > 0.8 > 0.2 > sum(low) / len(low)   # a lapsed customer is likelier to stay away


def test_the_lists_and_the_worksheet_function_show_the_same_chance(churnkit, sample_scan, tmp_path):
    book = shutil.copy(SAMPLE, tmp_path / "orders.xlsx")
    assert churnkit("refresh", book).code == 0
    by_key = {c["customer"]: c for c in sample_scan["customers"]}
    for sheet in ("At-Risk", "Win-Back"):
        rows = list(openpyxl.load_workbook(book)[sheet].iter_rows(values_only=True))
        header = next(i for i, row in enumerate(rows) if row[0] == "Customer")
        columns = rows[header]
        chance, loss = columns.index("Chance of no order"), columns.index("Expected loss")
        listed = [row for row in rows[header + 1:] if row[0]]
        assert listed and all(round(row[chance], 4) == by_key[row[0]]["p_no_order"] for row in listed)
        assert all(round(row[loss], 2) == by_key[row[0]]["expected_loss"] for row in listed)
    orders = [list(row) for row in openpyxl.load_workbook(SAMPLE, read_only=True)["Orders"].iter_rows(values_only=True)]
    handle = udfs.CHURN_MODEL(orders)
    for key in list(by_key)[:5]:
        assert round(udfs.CHURN_PROBABILITY(key, [[handle]]), 4) == by_key[key]["p_no_order"]


def test_too_little_history_leaves_the_chance_empty_and_says_why(churnkit, tmp_path):
    rows = [[dt.datetime(2024, m, 10), f"C{i}", f"Name {i}", 100.0 * (i + 1), f"SO-{i}-{m}"]
            for i in range(3) for m in (1, 2, 3, 4)]
    path = write_orders(tmp_path / "orders.xlsx", rows)
    result = churnkit("scan", path, "--all", "--format", "json", "--as-of", "2024-06").json()
    assert all(c["p_no_order"] is None and c["expected_loss"] is None for c in result["customers"])
    assert all(c["p_no_order_reason"].startswith("too few customers to fit the model") for c in result["customers"])
    assert result["probability"]["calibration"] == "none"
    table = churnkit("scan", path, "--all", "--as-of", "2024-06").out
    assert "Probability of no order in the 3 months after 2024-06: no probability: too few customers" in table
    values = [list(r) for r in openpyxl.load_workbook(path, read_only=True)["Orders"].iter_rows(values_only=True)]
    cell = udfs.CHURN_PROBABILITY("C1", values, [["as_of", "2024-06"]])
    assert cell.startswith("#CHURN: too few customers to fit the model")


def test_credit_notes_only_leave_the_chance_empty_and_say_why(churnkit, tmp_path):
    rows = [[dt.datetime(2024, m, 10), f"C{i}", f"Name {i}", -50.0 * (i + 1), f"CN-{i}-{m}"]
            for i in range(3) for m in (1, 2)]
    path = write_orders(tmp_path / "orders.xlsx", rows)
    run = churnkit("scan", path, "--all", "--format", "json", "--as-of", "2024-03")
    assert run.code == 0, run.err
    customers = run.json()["customers"]
    assert len(customers) == 3 and all(c["p_no_order"] is None for c in customers)
    assert {c["p_no_order_reason"] for c in customers} == {"no order line with a positive amount up to the as-of month"}


def test_backtest_on_a_history_worked_out_by_hand(churnkit, tmp_path):
    """Six months, horizon 1: Ann orders every month; Bob orders in Jan only; Cy in Jan, Feb and May.
    As of Jan … May (each with a month after it), Z ≥ 2 flags Bob in Mar, Apr, May and Cy in Apr; churned at m
    (no order in m+1): Bob every month, Cy in Feb, Mar and May."""
    rows = [[dt.datetime(2024, m, 5), "Ann", "Ann", 100.0, f"A{m}"] for m in range(1, 7)]
    rows += [[dt.datetime(2024, 1, 5), "Bob", "Bob", 100.0, "B1"]]
    rows += [[dt.datetime(2024, m, 5), "Cy", "Cy", 100.0, f"C{m}"] for m in (1, 2, 5)]
    path = write_orders(tmp_path / "orders.xlsx", rows)
    run = churnkit("backtest", path, "--as-of", "2024-06", "--horizon-months", "1", "--format", "json")
    assert run.code == 0, run.err
    result = run.json()
    assert result["horizon_months"] == 1
    lost2 = next(r for r in result["rules"] if r["rule"] == "lost" and r["threshold"] == 2)
    months = result["months"]
    assert months == ["2024-01", "2024-02", "2024-03", "2024-04", "2024-05"]
    # flagged (Z >= 2 as of m): Bob Mar, Apr, May; Cy Apr -> 4; churned among them: Bob Mar, Apr, May -> 3
    assert (lost2["flagged"], lost2["churned_flagged"]) == (4, 3)
    assert math.isclose(lost2["precision"], 3 / 4)
    # churned at m, all scored customers: Bob Jan..May (5), Cy Feb, Mar, May (3) -> 8 of 15 customer-months
    assert (result["churned"], result["scored"]) == (8, 15) and math.isclose(lost2["recall"], 3 / 8)
    table = churnkit("backtest", path, "--as-of", "2024-06", "--horizon-months", "1").out
    assert "5 as-of months 2024-01 … 2024-05 · horizon 1 months" in table
    assert "no orders ≥ 2 months" in table
    rows_csv = list(csv.DictReader(io.StringIO(churnkit("backtest", path, "--as-of", "2024-06", "--horizon-months",
                                                        "1", "--format", "csv").out.removeprefix("\ufeff"),
                                               newline="")))
    assert {"rule", "threshold", "precision", "recall", "balanced_accuracy"} <= set(rows_csv[0])
    assert len(rows_csv) == len(result["rules"])
