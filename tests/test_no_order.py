"""p_no_order (SPEC "Probability of no order"): calibrated on the business's own history, never reading past the
as-of month, empty with a reason when the history is too short; and its figures on history (AUROC, Brier)."""
from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from bgnbd_orders import order_lines
from churn_logic import Settings, analyse
from churn_logic.forecast_quality import auroc, brier, calibration_table, evaluate
from churn_logic.no_order import MIN_BUYERS, forecast
from churn_logic.periods import parse_month


@pytest.fixture(scope="module")
def lines():
    return order_lines(seed=1, customers=400)          # 2022-01 … 2023-12


def _forecast(lines, as_of, horizon=3, **settings):
    return forecast(analyse(lines, Settings(as_of=parse_month(as_of), **settings)), horizon)


def test_probabilities_rank_and_match_what_happened(lines):
    result = evaluate(lines, Settings(), parse_month("2023-06"), 6)
    assert result.forecast.calibration == "calibrated"
    assert result.forecast.calibrated_at == parse_month("2022-12")
    assert result.customers == 400 and result.unscored == 0
    assert result.auroc > 0.8
    base_rate = result.no_order / result.customers
    assert result.brier < 0.8 * base_rate * (1 - base_rate)       # clearly better than the base rate alone
    for row in result.calibration:
        if row["customers"] >= 40:
            assert abs(row["predicted"] - row["observed"]) < 0.2, row


def test_nothing_after_the_as_of_month_is_read(lines):
    as_of = parse_month("2023-06")
    cut = lines[lines["date"] < "2023-07-01"]
    later = lines[lines["date"] >= "2023-07-01"]
    flood = pd.DataFrame({"customer": np.repeat(lines["customer"].unique(), 3), "date": pd.Timestamp("2023-09-15"),
                          "amount": 1e6})
    reference = _forecast(cut, "2023-06", 6)
    for book in (lines, pd.concat([cut, flood]), pd.concat([cut, later.assign(amount=-later["amount"])])):
        other = forecast(analyse(book, Settings(as_of=as_of)), 6)
        assert np.array_equal(other.p_no_order, reference.p_no_order)


def test_expected_loss_is_the_probability_times_the_value_at_stake(lines):
    model = analyse(lines, Settings(as_of=parse_month("2023-06")))
    result = forecast(model, 3)
    assert np.allclose(result.expected_loss, result.p_no_order * model.customers["value_at_stake"].to_numpy())
    assert (result.p_no_order > 0).all() and (result.p_no_order < 1).all()


def test_each_row_gets_its_own_customers_probability_whatever_its_index(lines):
    model = analyse(lines, Settings(as_of=parse_month("2023-06")))
    result = forecast(model, 3)
    own = dict(zip(model.customers["customer"], result.p_no_order))
    customers = model.customers
    shuffled = customers.sample(frac=1, random_state=3)                              # the model's rows, reordered
    misleading = shuffled.set_axis(range(len(shuffled)))                            # positions naming others
    strangers = pd.concat([customers.head(3), customers.head(2).assign(customer=["nobody", "none"])])
    for frame in (customers, shuffled, misleading, shuffled.iloc[:10], strangers, customers.iloc[:0]):
        got = result.of(frame)["p_no_order"].tolist()
        assert got == pytest.approx([own.get(key, np.nan) for key in frame["customer"]], nan_ok=True)


def test_a_short_history_is_calibrated_over_fewer_months_or_not_at_all(lines):
    # The orders start in 2022-01: the model needs 3 months (up to 2022-03) before it can be fitted.
    nine = _forecast(lines, "2022-09", 9)
    assert (nine.calibration, nine.calibrated_at, nine.calibration_months) == ("calibrated", parse_month("2022-03"), 6)
    assert "6 months after 2022-03" in nine.calibration_words()
    too_long = _forecast(lines, "2022-09", 14)          # a calibration over 6 of 14 months is not trusted
    assert too_long.calibration == "history_short" and too_long.calibrated_at is None
    assert np.isfinite(too_long.p_no_order).all()       # the model's own probability
    assert "not calibrated" in too_long.calibration_words() and "未校准" in too_long.calibration_words("zh")


def test_no_calibration_when_everyone_kept_ordering():
    days = pd.date_range("2023-01-02", "2023-12-31", freq="7D")
    steady = pd.DataFrame([(f"C{k:03d}", day, 100.0) for k, day in itertools.product(range(120), days)],
                          columns=["customer", "date", "amount"])
    result = _forecast(steady, "2023-12", 3)
    assert result.calibration == "outcomes_few"
    assert np.isfinite(result.p_no_order).all()


@pytest.mark.parametrize("customers, last_month, code", [
    (MIN_BUYERS - 1, "2023-12", "too_few_customers"),     # too few customers
    (200, "2022-02", "too_short_history"),                # two months of orders
])
def test_too_little_history_leaves_the_probability_empty_with_a_reason(lines, customers, last_month, code):
    keys = lines["customer"].unique()[:customers]
    result = _forecast(lines[lines["customer"].isin(keys)], last_month, 3)
    assert np.isnan(result.p_no_order).all() and np.isnan(result.expected_loss).all()
    assert set(result.reason) == {code} and result.calibration == "none" and result.fit is None
    english, chinese = result.reasons()[0], result.reasons("zh")[0]
    assert "model" in english and "模型" in chinese
    assert result.calibration_words().startswith("no probability: ")


def test_one_time_buyers_only_are_too_few_to_fit():
    once = pd.DataFrame({"customer": [f"C{k:03d}" for k in range(100)],
                         "date": pd.date_range("2023-01-01", periods=100, freq="3D"), "amount": 50.0})
    assert set(_forecast(once, "2023-12").reason) == {"too_few_customers"}


def test_a_customer_with_only_credit_notes_has_no_probability(lines):
    credit = pd.DataFrame({"customer": ["ZZ-credit"], "date": [pd.Timestamp("2023-02-03")], "amount": [-80.0]})
    model = analyse(pd.concat([lines, credit]), Settings(as_of=parse_month("2023-06")))
    result = forecast(model, 3)
    row = list(model.series.keys).index("ZZ-credit")
    assert np.isnan(result.p_no_order[row]) and result.reason[row] == "no_positive_order"
    assert result.reasons("zh")[row] == "截至评估月份没有金额为正的订单行"
    assert np.isfinite(np.delete(result.p_no_order, row)).all() and set(np.delete(result.reason, row)) == {""}


def test_the_horizon_is_at_least_one_month(lines):
    with pytest.raises(ValueError):
        _forecast(lines, "2023-06", 0)


def test_the_evaluation_needs_the_whole_horizon_in_the_data(lines):
    with pytest.raises(ValueError):
        evaluate(lines, Settings(), parse_month("2023-10"), 3)


def test_the_outcome_is_no_line_with_a_positive_amount_in_the_horizon(lines):
    as_of, horizon = parse_month("2023-03"), 4
    result = evaluate(lines, Settings(), as_of, horizon)
    window = lines[(lines["date"] >= "2023-04-01") & (lines["date"] < "2023-08-01") & (lines["amount"] > 0)]
    scored = lines[lines["date"] < "2023-04-01"]["customer"].unique()
    assert result.no_order == len(set(scored) - set(window["customer"]))


def test_auroc_brier_and_calibration_table_by_their_definitions():
    rng = np.random.default_rng(0)
    score = rng.integers(0, 6, 300) / 5          # many ties
    positive = rng.random(300) < score
    pairs = [(s1 > s0) + 0.5 * (s1 == s0) for s1 in score[positive] for s0 in score[~positive]]
    assert auroc(score, positive) == pytest.approx(np.mean(pairs), abs=1e-12)
    assert auroc(np.array([0.1, 0.4, 0.35, 0.8]), np.array([False, False, True, True])) == 0.75
    assert np.isnan(auroc(score, np.ones(300, bool)))
    assert brier(np.array([0.2, 0.9]), np.array([False, True])) == pytest.approx((0.04 + 0.01) / 2)
    table = calibration_table(np.array([0.05, 0.05, 0.15, 0.95, 1.0]), np.array([True, False, False, True, True]))
    assert table == [{"low": 0.0, "high": 0.1, "predicted": 0.05, "observed": 0.5, "customers": 2},
                     {"low": 0.1, "high": 0.2, "predicted": 0.15, "observed": 0.0, "customers": 1},
                     {"low": 0.9, "high": 1.0, "predicted": pytest.approx(0.975), "observed": 1.0, "customers": 2}]


def test_the_streak_settings_reach_the_calibration(lines):
    plain = _forecast(lines, "2023-06", 6)
    low = _forecast(lines, "2023-06", 6, low_threshold=300.0)
    assert low.fit == plain.fit                   # the same model, calibrated with other streaks L
    assert not np.array_equal(plain.p_no_order, low.p_no_order)
