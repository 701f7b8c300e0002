"""The seeded sample order book and the sample workbook (addin.sample_data)."""

import datetime as dt

import numpy as np
import openpyxl
import pandas as pd
import pytest

from churn_logic import analyse, resolve
from workbook_templates.sample_data import (COLUMNS, DEPARTED_REP, PLANTED, TAKEN_OVER_BY, generate_orders, main,
                                            planted, turnover_customers, write_sample_workbook)

AS_OF = pd.Period("2026-10", "M")


def monthly_totals(orders: pd.DataFrame) -> dict[str, np.ndarray]:
    """Net amount per month for each customer, from their first month to AS_OF."""
    month = orders["Order Date"].dt.to_period("M")
    sums = orders.groupby(["Customer ID", month])["Amount"].sum()
    totals = {}
    for cid, s in sums.groupby(level=0):
        s = s.droplevel(0)
        months = pd.period_range(s.index.min(), AS_OF, freq="M")
        totals[cid] = s.reindex(months, fill_value=0.0).to_numpy()
    return totals


def run_back(v: np.ndarray, holds) -> int:
    """Number of consecutive months ending at AS_OF for which `holds(amount)`."""
    k = 0
    while k < len(v) and holds(v[-1 - k]):
        k += 1
    return k


def decline(v: np.ndarray) -> int:
    k = 0
    while k + 1 < len(v) and v[-1 - k] < v[-2 - k]:
        k += 1
    return k


def verdict(v: np.ndarray, low: float = 0) -> str:
    """SPEC verdict with the default settings and low threshold `low`."""
    if run_back(v, lambda x: x <= 0) >= 6:
        return "LOST"
    if run_back(v, lambda x: x <= low) >= 3:
        return "HIGH"
    return "MEDIUM" if decline(v) >= 3 else "LOW"


@pytest.fixture(scope="module")
def orders():
    return generate_orders()


@pytest.fixture(scope="module")
def totals(orders):
    return monthly_totals(orders)


@pytest.fixture(scope="module")
def groups():
    return planted()


def test_same_seed_same_orders_other_seed_other_orders():
    a = generate_orders(seed=7, n_customers=100)
    pd.testing.assert_frame_equal(a, generate_orders(seed=7, n_customers=100))
    assert not a.equals(generate_orders(seed=8, n_customers=100))
    assert planted(seed=7, n_customers=100) == planted(seed=7, n_customers=100)


def test_order_book_shape(orders):
    assert list(orders.columns) == COLUMNS
    months = orders["Order Date"].dt.to_period("M")
    assert months.min() == pd.Period("2023-11", "M") and months.max() == AS_OF
    assert 250 <= orders["Customer ID"].nunique() <= 300
    ids = orders["Customer ID"]
    assert ids.str.fullmatch(r"C?\d{5}").all() and ids.str.startswith("0").any()
    assert 6 <= orders["Sales Rep"].nunique() <= 7 and 5 <= orders["Region"].nunique() <= 6
    assert 4 <= orders["Category"].nunique() <= 6
    assert orders["Contact Email"].str.fullmatch(r"[a-z0-9.]+@example\.(com|cn)").all()
    names = orders["Customer Name"]
    assert names.str.contains("有限公司").any() and names.str.contains("Ltd").any()
    assert (orders["Amount"] == (orders["Quantity"] * orders["Unit Price"]).round(2)).all()
    credit = orders["Amount"] < 0
    assert 0 < credit.sum() < 100 and orders.loc[credit, "Order No"].str.startswith("CN").all()
    assert (orders.groupby("Order No").size() > 1).mean() > 0.3  # several lines per order


def test_planted_groups(groups):
    assert set(groups) == set(PLANTED)
    assert {k: len(v) for k, v in groups.items()} == PLANTED
    everyone = [c for ids in groups.values() for c in ids]
    assert len(everyone) == len(set(everyone))
    assert len(groups["decline"]) >= 8 and len(groups["token"]) >= 8
    assert len(groups["lapsed"]) >= 15 and len(groups["returned"]) >= 5


def test_planted_patterns(totals, groups):
    for cid in groups["decline"]:
        v = totals[cid]
        assert decline(v) >= 3 and v[-1] > 200, cid
    for cid in groups["token"]:
        assert 3 <= run_back(totals[cid], lambda x: x <= 0) <= 5, cid
    for cid in groups["token_tiny"]:
        v = totals[cid]
        tiny = run_back(v, lambda x: 0 < x <= 200)
        assert 3 <= tiny <= 5 and v[-1 - tiny] > 200 and decline(v) < 3, cid
    for cid in groups["lapsed"]:
        assert run_back(totals[cid], lambda x: x <= 0) >= 6, cid
    for cid in groups["returned"]:
        v = totals[cid]
        gaps = "".join("0" if x <= 0 else "1" for x in v).split("1")
        assert v[-1] > 0 and max(map(len, gaps[1:-1])) >= 6, cid


def test_verdicts(totals, groups):
    expected = {"decline": "MEDIUM", "token": "HIGH", "token_tiny": "LOW",
                "lapsed": "LOST", "returned": "LOW"}
    for group, risk in expected.items():
        assert {verdict(totals[cid]) for cid in groups[group]} == {risk}, group
    assert {verdict(totals[cid], low=200) for cid in groups["token_tiny"]} == {"HIGH"}
    counts = pd.Series([verdict(v) for v in totals.values()]).value_counts()
    assert counts["LOST"] >= 15 and counts["HIGH"] >= 8 and 8 <= counts["MEDIUM"] <= 30
    assert counts["LOW"] > 0.75 * len(totals)


def test_big_customers_among_the_planted(orders, groups):
    last_year = orders[orders["Order Date"] >= "2025-11-01"].groupby("Customer ID")["Amount"].sum()
    top_now = set(last_year.nlargest(len(last_year) // 5).index)
    assert len(top_now & set(groups["decline"])) >= 2
    ever = orders.groupby("Customer ID")["Amount"].sum()
    assert len(set(ever.nlargest(len(ever) // 10).index) & set(groups["lapsed"])) >= 2


def test_workbook(tmp_path, orders):
    path = write_sample_workbook(tmp_path / "orders.xlsx", orders)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Orders", "Reps", "Read me"]
    ws = wb["Orders"]
    assert ws["A1"].value.startswith("Order book") and ws["A2"].value is None
    assert [c.value for c in ws[3]] == COLUMNS
    (name, ref), = ws.tables.items()
    assert ref == f"A3:L{3 + len(orders)}"
    assert ws.freeze_panes == "A4"
    ids = [c.value for c in ws["C"][3:]]
    assert ids == orders["Customer ID"].tolist()
    assert isinstance(ws["B4"].value, dt.datetime)
    assert [c.value for c in wb["Reps"][1]] == ["Sales Rep", "Email", "Status"] and wb["Reps"].tables
    status = {row[0]: row[2] for row in wb["Reps"].iter_rows(min_row=2, values_only=True)}
    assert status[DEPARTED_REP[0]] == "left" and set(status.values()) == {"left", "active"}


def test_cli_writes_reproducible_workbook(tmp_path):
    main(["--out", str(tmp_path / "a.xlsx"), "--seed", "11"])
    main(["--out", str(tmp_path / "b.xlsx"), "--seed", "11"])
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()


def test_planted_partial_churn_and_a_rep_who_left(orders):
    lines = orders.rename(columns={"Order Date": "date", "Customer ID": "customer", "Amount": "amount",
                                   "Category": "category", "Sales Rep": "rep"})
    model = analyse(lines[["date", "customer", "amount", "category", "rep"]], resolve([("test", {"as_of": "2026-10"})]))
    customers = model.customers.set_index("customer")
    planted_ids = turnover_customers()
    for customer in planted_ids["partial"]:          # still buying, but no longer one of their regular categories
        assert customers.loc[customer, "risk"] == "LOW" and len(customers.loc[customer, "dropped_categories"]) == 1
    handed = model.turnover.customers.set_index("customer")
    assert sorted(handed.index[handed["departed_rep"] == DEPARTED_REP[0]]) == planted_ids["rep_left"]
    for customer in planted_ids["rep_left"]:
        followed = customer in planted_ids["followed"]
        assert customers.loc[customer, "rep_departed"] == followed
        assert (customers.loc[customer, "risk"] == "HIGH") == followed
        assert pd.isna(handed.loc[customer, "taken_over_by"]) if followed else \
            handed.loc[customer, "taken_over_by"] == TAKEN_OVER_BY
