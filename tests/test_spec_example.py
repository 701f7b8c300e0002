"""SPEC.md "Worked example (A = 2024-06, defaults)" as a test, plus the reasons it gives in words."""
import pandas as pd
import pytest

from churn_logic import analyse, churn_kpis, customer_history, resolve, winback_list

MONTHS = ["2024-01", "2024-02", "2024-03", "2024-04", "2024-05", "2024-06"]
TABLE = {  # customer: (monthly values Jan..Jun, D, L, Z, risk)
    "K1": ([900, 800, 700, 600, 500, 400], 5, 0, 0, "MEDIUM"),
    "K2": ([500, 0, 0, 0, 0, 0], 0, 5, 5, "HIGH"),
    "K3": ([500, 600, 0, 0, 0, 0], 0, 4, 4, "HIGH"),
    "K4": ([0, 0, 0, 0, 0, 0], 0, 7, 7, "LOST"),
    "K5": ([300, 300, 200, 250, 240, 230], 2, 0, 0, "LOW"),
    "K6": ([100, 200, 150, 100, 50, 0], 4, 1, 1, "MEDIUM"),
    "K7": ([0, 0, 0, 0, 800, 700], 1, 0, 0, "LOW"),
}


@pytest.fixture(scope="module")
def model():
    rows = [{"customer": c, "date": pd.Timestamp(f"{m}-10"), "amount": float(v)}
            for c, (values, *_ ) in TABLE.items() for m, v in zip(MONTHS, values) if v]
    rows.append({"customer": "K4", "date": pd.Timestamp("2023-11-20"), "amount": 500.0})
    return analyse(pd.DataFrame(rows), resolve([("test", {"as_of": "2024-06"})]))


@pytest.mark.parametrize("customer", sorted(TABLE))
def test_worked_example(model, customer):
    _, d, l, z, risk = TABLE[customer]
    row = model.customers.set_index("customer").loc[customer]
    assert (row["decline_streak"], row["low_streak"], row["months_without_orders"], row["risk"]) == (d, l, z, risk)


def test_reasons_in_english_and_chinese(model):
    reasons = dict(zip(model.customers["customer"], model.reasons("en")))
    assert reasons["K1"] == "sales down 5 months in a row: 900 → 400"
    assert reasons["K4"] == "no orders for 7 months (since 2023-12)"
    assert reasons["K2"] == "no orders for 5 months in a row"
    assert reasons["K5"] == ""
    chinese = dict(zip(model.customers["customer"], model.reasons("zh")))
    assert chinese["K6"] == "销售额连续4个月下降：200 → 0"
    assert chinese["K4"] == "连续7个月无订单（自2023-12起）"


def test_low_threshold_reason_names_the_threshold():
    lines = pd.DataFrame({"customer": ["T"] * 4, "amount": [900.0, 40.0, 30.0, 20.0],
                          "date": pd.to_datetime(["2024-03-01", "2024-04-01", "2024-05-01", "2024-06-01"])})
    m = analyse(lines, resolve([("test", {"as_of": "2024-06", "low_threshold": "50"})]))
    assert m.customers["risk"].iat[0] == "HIGH"
    assert m.reason(0, "en") == "sales at or below 50 for 3 months in a row; sales down 3 months in a row: 900 → 20"


def test_history_of_k4_runs_from_its_first_order(model):
    history = customer_history(model, "K4")
    assert history.monthly["month"].tolist() == ["2023-11", "2023-12", *MONTHS]
    assert history.monthly["amount"].tolist() == [500, 0, 0, 0, 0, 0, 0, 0]
    assert history.summary["reasons"] == "no orders for 7 months (since 2023-12)"
    assert len(history.lines) == 1


def test_winback_and_kpis(model):
    winback = winback_list(model)
    assert winback["customer"].tolist() == ["K4"]
    assert winback["value_before_lapse"].tolist() == [500]
    assert winback["lapsed_since"].tolist() == ["2023-12"]
    kpis = churn_kpis(model).set_index("month")
    assert kpis.loc["2024-05", "churned_customers"] == 1        # K4's sixth month without orders
    assert kpis.loc["2024-05", "revenue_lost"] == 500
    assert kpis.loc["2024-01", "new_customers"] == 5            # K1, K2, K3, K5, K6
    assert kpis.loc["2024-06", "active_customers"] == 6         # all but K4


def test_core_classes_put_the_customer_that_crosses_the_line_in_a():
    from churn_logic.core_classes import core_classes
    import numpy as np

    keys = np.array(["w", "x", "y", "z"], dtype=object)
    assert core_classes(np.array([50.0, 30.0, 15.0, 5.0]), keys).tolist() == ["A", "A", "B", "C"]
    assert core_classes(np.array([80.0, 20.0, 0.0, -5.0]), keys).tolist() == ["A", "B", "C", "C"]
    # ties go by key ascending: with equal values "w" comes first and alone reaches 50 %
    assert core_classes(np.array([10.0, 10.0, 0.0, 0.0]), keys, a_pct=50).tolist() == ["A", "B", "C", "C"]
