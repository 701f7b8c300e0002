"""Scoring from customer × month rows gives exactly what scoring the order lines gives: every customer's row,
the win-back list, the monthly KPIs, the probability of no order and the backtest."""
import dataclasses

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from churn_logic import (NoOrdersError, Settings, analyse, backtest, churn_kpis, forecast_no_order,
                         purchase_days_of_bits, resolve, winback_list)
from churn_logic.forecast_quality import probabilities_by_month
from churn_logic.purchase_days import PurchaseDays, days_of, month_end_day

from addin.sources.order_book import read_order_book
from month_aggregates import aggregate
from report_checks import SAMPLE

KEYS = ["00042", "42", "A", "客户甲"]
AMOUNTS = [0.0, 10.0, 49.99, 100.0, 90.0, -20.0, 27.94, 15.96, -43.9, 0.1]


@st.composite
def order_lines(draw):
    rows = []
    for _ in range(draw(st.integers(1, 40))):
        month = draw(st.integers(0, 23))
        rows.append({
            "customer": draw(st.sampled_from(KEYS)),
            "date": pd.Timestamp(2023 + month // 12, month % 12 + 1, draw(st.sampled_from([1, 15, 28]))),
            "amount": draw(st.sampled_from(AMOUNTS)),
            "quantity": draw(st.sampled_from([-2.0, 0.0, 0.1, 1.0, 2.5])),
            "order": draw(st.sampled_from([f"SO-{i}" for i in range(4)] + [None])),
            "name": draw(st.sampled_from(["Acme", "阿克米", None])),
            "rep": draw(st.sampled_from(["Li", "Ann", None])),      # equal days, other reps: the later line wins
            "product": draw(st.sampled_from(["P1", "P2", "P3", "P4", None])),
            "category": draw(st.sampled_from(["X", "Y", None])),
        })
    left_out = draw(st.sets(st.sampled_from(["quantity", "order", "name", "rep", "product", "category"])))
    values = {"measure": draw(st.sampled_from(["amount", "quantity", "orders"])),
              "lost_months": draw(st.integers(1, 6)), "low_months": draw(st.integers(1, 3)),
              "as_of": f"2024-{draw(st.integers(1, 12)):02d}"}
    if "quantity" in left_out and values["measure"] == "quantity":
        left_out.remove("quantity")
    return pd.DataFrame(rows).drop(columns=sorted(left_out)), values


def _same_model(lines: pd.DataFrame, settings: Settings):
    by_lines = analyse(lines, settings)
    by_months = aggregate(lines).analyse(settings)
    pd.testing.assert_frame_equal(_plain(by_months.customers), _plain(by_lines.customers))
    pd.testing.assert_frame_equal(_plain(winback_list(by_months)), _plain(winback_list(by_lines)))
    pd.testing.assert_frame_equal(churn_kpis(by_months), churn_kpis(by_lines))
    for departed in ("reps", "customers"):              # rep turnover: who left, whom they served, who took over
        pd.testing.assert_frame_equal(getattr(by_months.turnover, departed), getattr(by_lines.turnover, departed))
    assert by_months.lines_after_as_of == by_lines.lines_after_as_of
    for matrix in ("values", "amount", "orders", "start"):
        np.testing.assert_array_equal(getattr(by_months.series, matrix), getattr(by_lines.series, matrix))
    return by_lines, by_months


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns as plain objects, missing as None: how a column is stored is not what it says."""
    return pd.DataFrame({c: frame[c].astype(object).where(frame[c].notna(), None).to_numpy() for c in frame})


@hsettings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(order_lines())
def test_months_score_as_lines_do(case):
    lines, values = case
    settings = resolve([("test", values)])
    if (lines["date"].dt.year * 12 + lines["date"].dt.month - 1 > settings.as_of).all():
        for scored in (lambda: analyse(lines, settings), lambda: aggregate(lines).analyse(settings)):
            with pytest.raises(NoOrdersError):      # nothing to score, from the lines and the months alike
                scored()
        return
    _same_model(lines, settings)


@pytest.fixture(scope="module")
def sample_lines():
    return read_order_book(SAMPLE, Settings()).book.lines


def test_sample_book_probabilities_and_backtest_are_the_same(sample_lines):
    settings = dataclasses.replace(Settings(), as_of=pd.Period("2026-10").year * 12 + 9)
    by_lines, by_months = _same_model(sample_lines, settings)
    assert (by_lines.customers["risk"] == "LOST").sum() > 10       # the win-back list has main products to compare
    want, got = forecast_no_order(by_lines, 3), forecast_no_order(by_months, 3)
    assert np.isfinite(want.p_no_order).sum() > 100 and want.calibration == "calibrated"
    np.testing.assert_array_equal(got.p_no_order, want.p_no_order)
    assert got.calibrated_at == want.calibrated_at
    months = np.arange(by_lines.as_of - 5, by_lines.as_of - 2)
    np.testing.assert_array_equal(probabilities_by_month(by_months, months, 3),
                                  probabilities_by_month(by_lines, months, 3))
    assert backtest(by_months).to_dict() == backtest(by_lines).to_dict()


@given(st.sets(st.integers(1, 31), max_size=31))
def test_purchase_days_of_bits_are_the_days_themselves(days):
    count, first, last = purchase_days_of_bits(np.array([sum(1 << d for d in days)]))
    assert (count[0], first[0], last[0]) == (len(days), min(days, default=0), max(days, default=0))


@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(order_lines())
def test_purchase_days_by_month_are_the_days_themselves(case):
    """At every month end, from before the first order to after the last, the purchase days as customer × month
    matrices say what the days do: x, t_x and T of each customer, and who bought in the months between."""
    lines = case[0]
    keys = np.array(sorted(set(lines["customer"])) + ["no lines"], dtype=object)
    by_months = aggregate(lines).purchase_days(keys)
    by_days = PurchaseDays(pd.Index(keys).get_indexer(lines["customer"]), days_of(lines["date"]),
                           lines["amount"].to_numpy(float), len(keys))
    for month in range(2022 * 12 + 10, 2025 * 12 + 3):
        end = month_end_day(month)
        for field in ("bought", "x", "t_x", "T"):
            np.testing.assert_array_equal(getattr(by_months.summary(end), field), getattr(by_days.summary(end), field))
        for months in (1, 3):
            after = month_end_day(month - months)
            np.testing.assert_array_equal(by_months.bought_between(after, end), by_days.bought_between(after, end))
