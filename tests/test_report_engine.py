"""The engine's report numbers: cohort retention, breakdowns by rep and region, headline figures, one rep's customers."""
import math

import numpy as np
import pandas as pd
import pytest

from churn_logic import analyse, churn_kpis, resolve
from churn_logic.breakdowns import risk_breakdown
from churn_logic.cohorts import cohort_retention
from churn_logic.headlines import headline_figures
from churn_logic.subset import rep_customers

from addin.tasks import analyse_workbook
from report_checks import SAMPLE

MONTHS = ["2024-01", "2024-02", "2024-03", "2024-04", "2024-05", "2024-06"]
BOOK = {  # customer: (rep, amounts Jan..Jun); lost after 2 months without orders, low at or below 50
    "A": ("R1", [300, 300, 0, 0, 0, 0]),        # LOST since March (churned in April)
    "B": ("R1", [600, 500, 400, 300, 200, 100]),  # MEDIUM: down 5 months from 600
    "C": (None, [0, 0, 100, 0, 0, 100]),        # first order March, LOST in May, back in June: LOW
    "D": ("R2", [0, 0, 100, 40, 30, 20]),       # HIGH: 3 low months since April
}


@pytest.fixture(scope="module")
def model():
    rows = [{"customer": c, "date": pd.Timestamp(f"{m}-10"), "amount": float(v), "rep": rep}
            for c, (rep, values) in BOOK.items() for m, v in zip(MONTHS, values) if v]
    settings = resolve([("test", {"as_of": "2024-06", "lost_months": "2", "low_threshold": "50"})])
    return analyse(pd.DataFrame(rows), settings)


def test_the_example_has_the_verdicts_it_was_made_for(model):
    assert dict(zip(model.customers["customer"], model.customers["risk"])) == {
        "A": "LOST", "B": "MEDIUM", "C": "LOW", "D": "HIGH"}


def test_cohort_retention_by_hand(model):
    table = cohort_retention(model, months_since=6)
    assert table["cohort"].tolist() == ["2024-01", "2024-03"]
    assert table["customers"].tolist() == [2, 2]
    jan = table.iloc[0, 2:].tolist()
    assert jan[:6] == [1.0, 1.0, 1.0, 0.5, 0.5, 0.5] and math.isnan(jan[6])   # A lost as of April
    mar = table.iloc[1, 2:].tolist()
    assert mar[:4] == [1.0, 1.0, 0.5, 1.0] and all(math.isnan(v) for v in mar[4:])   # C lost in May, back in June


def test_cohorts_add_up_to_the_active_customers_of_every_month():
    model = analyse_workbook(SAMPLE).model
    width = model.series.values.shape[1]
    table = cohort_retention(model, months_since=width)
    kpis = churn_kpis(model)
    first = model.series.first_month
    for column, month in enumerate(kpis["month"]):
        active = 0.0
        for row in table.itertuples(index=False):
            start = int(row.cohort[:4]) * 12 + int(row.cohort[5:]) - 1 - first
            if start <= column:
                active += row.customers * table.loc[table["cohort"] == row.cohort, column - start].iat[0]
        assert round(active) == kpis["active_customers"].iat[column], month


def test_breakdown_by_rep(model):
    frame = risk_breakdown(model, "rep")
    assert frame.to_dict("records") == [
        {"group": "R1", "customers": 2, "high": 0, "medium": 1, "lost": 1, "at_risk": 1, "value_at_stake": 600.0,
         "lost_value": 600.0},
        {"group": "R2", "customers": 1, "high": 1, "medium": 0, "lost": 0, "at_risk": 1, "value_at_stake": 100.0,
         "lost_value": 0.0},
        {"group": None, "customers": 1, "high": 0, "medium": 0, "lost": 0, "at_risk": 0, "value_at_stake": 0.0,
         "lost_value": 0.0},
    ]


def test_breakdowns_of_the_sample_add_up_to_the_verdicts():
    model = analyse_workbook(SAMPLE).model
    c = model.customers
    for field in ("rep", "region"):
        frame = risk_breakdown(model, field)
        assert frame["customers"].sum() == len(c)
        assert frame["high"].sum() == (c["risk"] == "HIGH").sum()
        at_risk = c[c["risk"].isin(["HIGH", "MEDIUM"])]
        assert frame["value_at_stake"].sum() == pytest.approx(at_risk["value_at_stake"].sum())
        assert list(frame["value_at_stake"]) == sorted(frame["value_at_stake"], reverse=True)


def test_headline_figures_by_hand(model):
    figures = headline_figures(model)
    assert {k: figures[k] for k in ("customers", "high", "medium", "lost", "low", "at_risk", "core_at_risk",
                                    "value_at_stake", "lost_value", "core_lost", "active", "churned")} == {
        "customers": 4, "high": 1, "medium": 1, "lost": 1, "low": 1, "at_risk": 2, "core_at_risk": 1,
        "value_at_stake": 700.0, "lost_value": 600.0, "core_lost": 1, "active": 3, "churned": 0}
    assert figures["churn_rate"] == 0.0 and figures["churn_rate_previous"] == pytest.approx(1 / 3)
    assert (figures["new_12m"], figures["churned_12m"], figures["reactivated_12m"]) == (4, 2, 1)
    assert figures["revenue_lost_12m"] == 700.0     # A: Jan + Feb; C: March


def test_one_reps_customers_keep_their_verdicts(model):
    r1 = rep_customers(model, "R1")
    assert r1.customers["customer"].tolist() == ["A", "B"]
    assert r1.customers["risk"].tolist() == ["LOST", "MEDIUM"]
    assert set(r1.lines["customer"]) == {"A", "B"}
    kpis = churn_kpis(r1)
    assert kpis["active_customers"].tolist() == [2, 2, 2, 1, 1, 1]
    assert r1.reasons("en").tolist() == [model.reason(0), model.reason(1)]
    assert np.array_equal(r1.series.values, model.series.values[:2])
