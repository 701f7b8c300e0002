"""The backtest (SPEC "Backtest"): figures worked out by hand on a small history, and the engine against the
loop implementation in backtest_oracle.py on random histories."""
import datetime as dt
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from churn_logic import Backtest, RuleResult, analyse, backtest, resolve
from churn_logic.recommend import recommend

import backtest_oracle
import oracle

# Monthly amounts, January … June 2024 (None: before the first order line). As of June with a horizon of
# K = 2 months, the months that have 2 later months are January … April.
HISTORY = {
    "A": [100, 0, 0, 0, 0, 0],          # stops after January: churned at every month
    "B": [100, 100, 100, 100, 100, 100],  # steady: never churned
    "C": [300, 200, 50, 0, 50, 0],      # falls, then a token order in May: never churned (Feb, Mar, May > 0)
    "D": [None, None, 80, 0, 0, 90],    # starts in March: churned at March (nothing in Apr, May), not at April
}
RULES = {"lost_months": 3, "low_threshold": 60, "low_months": 2, "decline_months": 2, "horizon_months": 2,
         "as_of": "2024-06"}


def lines_of(history, copies=1):
    """One order line per month with an amount (a zero month has a line of 0), the customers ``copies`` times."""
    rows = []
    for copy in range(copies):
        for key, amounts in history.items():
            for month, amount in enumerate(amounts):
                if amount is not None:
                    rows.append({"customer": f"{key}{copy}" if copies > 1 else key,
                                 "date": pd.Timestamp(2024, month + 1, 10), "amount": float(amount)})
    return pd.DataFrame(rows)


def run(history, copies=1, **changes):
    return backtest(lines_of(history, copies), resolve([("test", {**RULES, **changes})]))


def test_figures_worked_out_by_hand():
    result = run(HISTORY)
    assert result.months == ["2024-01", "2024-02", "2024-03", "2024-04"]
    # scored: A, B, C from January, D from March; churned: A every month, D in March
    assert result.scored_per_month.tolist() == [3, 3, 4, 4]
    assert result.churned_per_month.tolist() == [1, 1, 2, 1]
    assert result.base_rate == 5 / 14
    figures = result.to_dict()
    assert figures["horizon_months"] == 2 and figures["base_rate"] == 5 / 14 and figures["model"] is None

    # Z by month (Jan … Apr): A 0 1 2 3, B 0 0 0 0, C 0 0 0 1, D - - 0 1.
    # Z ≥ 2 flags A in March and April, both churned: precision 1, recall 2/5, lift 1 ÷ 5/14 = 14/5;
    # none of the 9 stayers is flagged: specificity 1, balanced accuracy (2/5 + 1) / 2 = 7/10.
    # Newly flagged (Z = 2): A in March, churned.
    lost = result.rule("lost", 2)
    assert lost.flagged_per_month.tolist() == [0, 0, 1, 1]
    assert (lost.flagged, lost.churned_flagged, lost.churned, lost.scored) == (2, 2, 5, 14)
    assert (lost.precision, lost.recall, lost.lift, lost.balanced_accuracy) == (1.0, 2 / 5, 14 / 5, 7 / 10)
    assert (lost.new_flagged, lost.new_precision, lost.precision_range) == (1, 1.0, [1.0, 1.0])
    # Z ≥ 3: A in April only, recall 1/5, balanced accuracy 3/5; Z ≥ 4 flags nobody: 1/2, no precision
    assert result.rule("lost", 3).balanced_accuracy == 3 / 5
    nobody = result.rule("lost", 4)
    assert (nobody.flagged, nobody.precision, nobody.lift, nobody.balanced_accuracy) == (0, None, None, 0.5)
    assert nobody.precision_range == [None, None]

    # L at X = 60 by month: A 0 1 2 3, B 0, C 0 0 1 2 (50, then 0), D - - 0 1.
    # L ≥ 2: A in March (churned), A and C in April (A churned, C not): precision 2/3, recall 2/5,
    # lift 2/3 ÷ 5/14 = 28/15, specificity 8/9, balanced accuracy (2/5 + 8/9) / 2 = 29/45.
    # Newly (L = 2): A in March (churned), C in April (not): 1/2. Per month: March 1, April 1/2.
    low = result.rule("low", 2, low_threshold=60.0)
    assert low.low_threshold_basis == "setting"
    assert (low.flagged, low.churned_flagged) == (3, 2)
    assert (low.precision, low.recall, low.lift) == (2 / 3, 2 / 5, 28 / 15)
    assert low.balanced_accuracy == float(Fraction(29, 45))
    assert (low.new_precision, low.precision_range) == (1 / 2, [0.5, 1.0])

    # The thresholds from the amounts: the 13 positive months sorted are 50 50 80 90 100 … 100 200 300;
    # places ⌊12 · P / 100⌋ for P = 10, 25, 50 are 1, 3 and 6: 50, 90 and 100 (two figures).
    by_basis = {rule.low_threshold_basis: rule.settings["low_threshold"] for rule in result.rules if rule.rule == "low"}
    assert by_basis == {"setting": 60.0, "percentile_10": 50.0, "percentile_25": 90.0, "percentile_50": 100.0}
    # At X = 100 the steady B (100 a month) is low too: L ≥ 2 flags A, B in February and March, and A, B, C,
    # D in April; A's 3 churned: recall 3/5, 5 stayers flagged: specificity 4/9, balanced accuracy 47/90.
    at_100 = result.rule("low", 2, low_threshold=100.0)
    assert at_100.flagged_per_month.tolist() == [0, 2, 2, 4]
    assert at_100.balanced_accuracy == float(Fraction(47, 90))

    # D by month: A 0 1 0 0 (0 after 0 is no fall), B 0, C 0 1 2 3, D - - 0 1.
    # D ≥ 2 flags C in March and April, who never churned: precision 0, lift 0, specificity 7/9,
    # balanced accuracy 7/18 (worse than chance).
    decline = result.rule("decline", 2)
    assert (decline.flagged, decline.churned_flagged, decline.precision, decline.lift) == (2, 0, 0.0, 0.0)
    assert decline.balanced_accuracy == 7 / 18
    assert decline.settings == {"decline_months": 2, "min_drop_pct": 0.0}

    # Verdicts (lost 3, low 2 at 60, decline 2): March A HIGH (L 2), C MEDIUM (D 2); April A LOST (Z 3),
    # C HIGH (L 2); everyone else LOW. Flagged: 4, of which A's 2 churned: precision 1/2, recall 2/5,
    # lift 7/5, specificity 7/9, balanced accuracy 53/90; newly flagged: A and C in March, A churned: 1/2.
    flagged = result.rule("verdict", level="flagged")
    assert (flagged.flagged, flagged.churned_flagged, flagged.lift) == (4, 2, 7 / 5)
    assert flagged.balanced_accuracy == float(Fraction(53, 90))
    assert (flagged.new_flagged, flagged.new_precision, flagged.precision_range) == (2, 1 / 2, [0.5, 0.5])
    # LOST: A in April, newly (HIGH in March). HIGH: A in March (new), C in April (new: MEDIUM in March).
    lost_level, high = result.rule("verdict", level="LOST"), result.rule("verdict", level="HIGH")
    assert (lost_level.flagged, lost_level.churned_flagged, lost_level.new_flagged) == (1, 1, 1)
    assert (high.flagged_per_month.tolist(), high.churned_flagged, high.new_flagged, high.new_precision) == \
        ([0, 0, 1, 1], 1, 2, 1 / 2)
    assert result.rule("verdict", level="MEDIUM").flagged_per_month.tolist() == [0, 0, 1, 0]

    # 5 churned and 9 stayed customer-months are too few to choose thresholds by
    recommended = figures["recommended"]
    assert recommended["enough_history"] is False
    assert recommended["lost"]["threshold"] is None
    assert "5 customer-months churned and 9 did not; at least 30 of each" in recommended["reason"]["en"]
    assert "5 个客户月流失、9 个未流失" in recommended["reason"]["zh"]


def test_recommends_by_balanced_accuracy_with_the_counts():
    """The same history ten times over (50 churned, 90 stayed): every figure as above, now enough to choose."""
    result = run(HISTORY, copies=10)
    recommended = result.recommended
    assert recommended["enough_history"] is True and recommended["by"] == "balanced_accuracy"
    assert "F1" in recommended["why"]["en"] and "F1" in recommended["why"]["zh"]
    # lost: Z ≥ 2 (7/10) beats the user's Z ≥ 3 (3/5)
    lost = recommended["lost"]
    assert (lost["threshold"], lost["settings"], lost["flagged"], lost["churned_flagged"]) == \
        (2, {"lost_months": 2}, 20, 20)
    assert (lost["balanced_accuracy"], lost["yours"]["threshold"], lost["yours"]["balanced_accuracy"]) == \
        (7 / 10, 3, 3 / 5)
    assert lost["reason"]["en"].startswith("“no orders for 2 months in a row” (lost_months = 2) tells churners")
    assert "flagged 20 customer-months, of which 20 ordered nothing in the next 2 months" in lost["reason"]["en"]
    assert "caught 20 of the 50 that did (recall 40%)" in lost["reason"]["en"]
    assert "Your setting, “no orders for 3 months in a row” (lost_months = 3), scores 0.60." in lost["reason"]["en"]
    assert "（流失月数 = 2）" in lost["reason"]["zh"]
    # low: L ≥ 2 at the user's 60 (29/45) is best (tied with 50, which comes later); it is their setting
    low = recommended["low"]
    assert (low["threshold"], low["settings"]) == (2, {"low_threshold": 60.0, "low_months": 2})
    assert low["reason"]["en"].endswith("It is your setting.")
    # decline: every threshold is at best chance (D ≥ 2: 7/18, D ≥ 3: 4/9, D ≥ 4 flags nobody: 1/2)
    decline = recommended["decline"]
    assert decline["threshold"] is None and decline["best"]["balanced_accuracy"] == 0.5
    assert "No decline threshold tells churners from customers who stayed clearly better than chance (the best, " \
        "“sales down 4 months in a row”, has balanced accuracy 0.50; chance is 0.50 and at least 0.55 is needed)" in \
        decline["reason"]["en"]


def test_a_tie_goes_to_the_threshold_that_flags_fewer():
    """100 churned and 100 stayed customer-months. Z ≥ 2 flags 45 (30 churned): balanced accuracy
    (30/100 + 85/100) / 2 = 0.575; Z ≥ 3 flags 75 (45 churned): (45/100 + 70/100) / 2 = 0.575 too.
    Z ≥ 2 wins the tie with fewer flagged (and so the higher precision, 2/3 against 3/5)."""
    def rule(family, n, flagged, hits, **extra):
        months = np.array([flagged // 3, flagged // 3, flagged - 2 * (flagged // 3)])
        hit = np.array([hits // 3, hits // 3, hits - 2 * (hits // 3)])
        return RuleResult(family, n, {}, months, hit, 0, 0, 100, 200, **extra)

    rules = [rule("lost", 2, 45, 30), rule("lost", 3, 75, 45), rule("lost", 6, 10, 8),
             rule("low", 3, 0, 0, low_threshold_basis="setting"), rule("decline", 3, 0, 0)]
    result = Backtest(3, ["2024-01", "2024-02", "2024-03"], np.array([67, 67, 66]), np.array([33, 33, 34]),
                      rules, None, {})
    assert rules[0].balanced_accuracy == rules[1].balanced_accuracy == 0.575
    chosen = recommend(result, resolve([]))["lost"]
    assert (chosen["threshold"], chosen["flagged"], chosen["precision"]) == (2, 45, 2 / 3)


def test_too_few_months_to_check():
    """Four months of data and a horizon of 2: January and February can be checked, 3 months are needed."""
    history = {key: amounts[:4] for key, amounts in HISTORY.items()}
    result = run(history, copies=20, as_of="2024-04")
    assert result.months == ["2024-01", "2024-02"]
    assert result.recommended["enough_history"] is False
    assert "have the 2 later months needed to check them: 2; at least 3 are needed (5 months of history)" in \
        result.recommended["reason"]["en"]
    empty = run(history, as_of="2024-04", horizon_months=4)     # no month has 4 later months: nothing to check
    assert empty.months == [] and empty.base_rate is None and empty.rule("lost", 2).flagged == 0


def test_probability_scored_by_auroc_brier_and_calibration():
    """Each customer's prediction as of every month: A 0.9, B 0.1, C 0.3, D 0.5 (14 scored customer-months)."""
    calls = []

    def probability(model, months, horizon):
        calls.append((months.tolist(), horizon))
        return np.broadcast_to([0.9, 0.1, 0.3, 0.5], (len(months), len(model.series.keys))).copy()

    result = run(HISTORY, horizon_months=3)     # K = 3: January … March
    assert result.months == ["2024-01", "2024-02", "2024-03"]
    result = backtest(lines_of(HISTORY), resolve([("test", RULES)]), probability=probability)
    assert calls == [([24288, 24289, 24290, 24291], 2)]         # 2024-01 … 2024-04 as month integers
    model = result.to_dict()["model"]
    # churned: A × 4 (0.9) and D in March (0.5); stayed: B × 4 (0.1), C × 4 (0.3), D in April (0.5).
    # Of the 5 × 9 pairs, A wins all 36, D-March wins 8 and ties 1: AUROC 44.5 / 45.
    assert model["auroc"] == pytest.approx(44.5 / 45, abs=1e-12)
    # Brier: (4 · 0.01 + 4 · 0.01 + 4 · 0.09 + 0.25 + 0.25) / 14 = 0.94 / 14
    assert model["brier"] == pytest.approx(0.94 / 14, abs=1e-12)
    assert [(round(b["predicted"], 9), b["observed"], b["customers"]) for b in model["calibration"]] == \
        [(0.1, 0.0, 4), (0.3, 0.0, 4), (0.5, 0.5, 2), (0.9, 1.0, 4)]
    assert (model["customers"], model["churned"], model["without_prediction"]) == (14, 5, 0)


def test_low_thresholds_from_the_amounts():
    """Eleven months with orders, sorted: 125 125 250 300 400 1,049.99 2,000 × 5. The places ⌊10 · P / 100⌋
    for P = 10, 25, 50 are 1, 2 and 5: 125 (two figures, half up: 130), 250 (the user's own: left out) and
    1,049.99 (1,000). Months of 0 and below are not orders."""
    amounts = [125, 125, 250, 300, 400, 1049.99, 2000, 2000, 2000, 2000, 2000, 0, -50]
    result = run({f"K{i}": [amount] for i, amount in enumerate(amounts)}, low_threshold=250, as_of="2024-01",
                 horizon_months=1)
    assert [(r.settings["low_threshold"], r.low_threshold_basis) for r in result.rules
            if r.rule == "low" and r.threshold == 2] == [(250.0, "setting"), (130.0, "percentile_10"),
                                                         (1000.0, "percentile_50")]


def test_horizon_setting():
    assert resolve([]).horizon_months == 3
    assert resolve([("flags", {"--horizon-months": "6"})]).horizon_months == 6
    assert resolve([("sheet", {"流失观察月数": 4})]).horizon_months == 4
    assert run(HISTORY, horizon_months=1).months[-1] == "2024-05"


KEYS = ["00042", "42", "A", "B", "客户甲"]
AMOUNTS = [0.0, 10.0, 49.99, 50.0, 100.0, 90.0, 250.5, 1000.0, -20.0, -300.0, 27.94, 15.96, 43.9, -43.9, 0.1, 0.2,
           -0.3]


@st.composite
def histories(draw):
    lines = []
    for _ in range(draw(st.integers(1, 40))):
        month = draw(st.integers(0, 17))
        lines.append({
            "customer": draw(st.sampled_from(KEYS)),
            "date": pd.Timestamp(2023 + month // 12, month % 12 + 1, draw(st.integers(1, 28))),
            "amount": draw(st.sampled_from(AMOUNTS)),
            "quantity": draw(st.sampled_from([-2.0, 0.0, 0.5, 1.0, 9.0])),
            "order": f"SO-{draw(st.integers(1, 6))}",
            "category": draw(st.sampled_from([None, "Paper", "Ink"])),
            "rep": draw(st.sampled_from([None, "Ann", "Ben"])),
        })
    rules = {
        "decline_months": draw(st.integers(1, 7)),
        "min_drop_pct": draw(st.sampled_from([0.0, 10.0, 50.0])),
        "low_threshold": draw(st.sampled_from([0.0, 43.9, 50.0, 100.0, 0.3])),
        "low_months": draw(st.integers(1, 7)),
        "lost_months": draw(st.integers(1, 13)),
        "category_window": draw(st.integers(2, 6)),
        "category_min_months": draw(st.integers(1, 2)),
        "rep_gone_months": draw(st.integers(1, 4)),
        "measure": draw(st.sampled_from(["amount", "quantity", "orders"])),
        "abc_a_pct": 80.0, "abc_b_pct": 95.0,
    }
    first = min(oracle.month_of(line["date"]) for line in lines)
    as_of = draw(st.integers(first, oracle.month_of(dt.date(2024, 9, 1))))
    return lines, rules, as_of, draw(st.integers(1, 4)), draw(st.integers(1, 12))


def _same(got, want):
    """The engine's figure is the float nearest to the oracle's exact fraction."""
    return got is None if want is None else got == float(want)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories())
def test_engine_matches_loop_implementation(case):
    lines, rules, as_of, horizon, copies = case
    lines = [{**line, "customer": f"{line['customer']}-{copy}"} for copy in range(copies) for line in lines]
    label = f"{as_of // 12:04d}-{as_of % 12 + 1:02d}"
    result = backtest(analyse(pd.DataFrame(lines), resolve([("test", {**rules, "as_of": label})])),
                      horizon=horizon)
    expected = backtest_oracle.backtest(lines, as_of, rules, horizon)
    assert result.months == [f"{m // 12:04d}-{m % 12 + 1:02d}" for m in expected["months"]]
    assert (result.scored, result.churned) == (expected["scored"], expected["churned"])
    got = {(r.rule, r.threshold, r.level, r.settings["low_threshold"] if r.rule == "low" else None): r
           for r in result.rules}
    want = {(rule, n, level, None if x is None else float(x)): figures
            for (rule, n, level, x), figures in expected["rules"].items()}
    assert got.keys() == want.keys()
    for key, figures in want.items():
        rule = got[key]
        assert rule.flagged_per_month.tolist() == figures["flagged_per_month"], key
        assert (rule.flagged, rule.churned_flagged) == (figures["flagged"], figures["churned_flagged"]), key
        for name in ("precision", "recall", "specificity", "lift", "balanced_accuracy", "new_precision"):
            assert _same(getattr(rule, name), figures[name]), (key, name)
        assert all(_same(g, w) for g, w in zip(rule.precision_range, figures["precision_range"])), key
    for family, choice in expected["recommended"].items():
        entry = result.recommended[family]
        picked = None if entry["threshold"] is None else (entry["threshold"], entry["settings"].get("low_threshold"))
        if choice is not None:
            choice = (choice[0], None if choice[1] is None else float(choice[1]))
        assert picked == choice, family
