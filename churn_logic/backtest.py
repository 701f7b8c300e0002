"""The backtest: how right the rules were on the business's own history (SPEC "Backtest").

For every as-of month m that has K later months in the data (K = ``horizon_months``), every
customer whose history has started by m is scored as of m, and compared with what happened:
the customer *churned at m* when none of the months m+1 … m+K has a positive amount (the exact
monthly sums, so a month whose sales were all returned is a month without orders, as for Z).
The streaks as of every month are customers × months matrices, so all months are scored in one
pass. Each rule's figures pool the eligible months as sums of customer-months.

Rules checked: lost Z ≥ n (n = 2 … 12), low L ≥ n (n = 2 … 6) at the user's low threshold and at
thresholds taken from the business's own amounts (``low_thresholds``), decline D ≥ n (n = 2 … 6)
with the user's minimum drop, each range with the user's own n added when it lies outside; and
the verdicts as the user's settings give them (flagged = LOST, HIGH or MEDIUM, and each level); a dropped
category (``partial``) and a departed rep (``rep_departed``, by the order lines alone), each as the settings give it.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
from typing import Any, Callable

import numpy as np
import pandas as pd

from . import categories, streaks
from .model import ChurnModel, analyse
from .monthly import MonthlySeries
from .periods import month_label
from .forecast_quality import score_probabilities
from .recommend import recommend
from .settings import Settings
from .verdicts import RISK_ORDER, risk_ranks

LOST_RANGE = range(2, 13)
LOW_RANGE = range(2, 7)
DECLINE_RANGE = range(2, 7)
# A token order is one well below what customers buy when they buy: the 10th and 25th percentiles of the
# months with a positive measure; the median catches "less than a usual month".
LOW_PERCENTILES = (10, 25, 50)
VERDICT_LEVELS = ("flagged", "LOST", "HIGH", "MEDIUM")

Probability = Callable[[ChurnModel, np.ndarray, int], np.ndarray]


@dataclasses.dataclass
class RuleResult:
    """One rule's flags over the eligible months, against who churned; every figure pools the months."""
    rule: str                           # lost, low, decline or verdict
    threshold: int | None               # n of "streak ≥ n" (None for the verdicts)
    settings: dict[str, Any]            # the settings that make this rule
    flagged_per_month: np.ndarray       # customers flagged, per eligible month
    churned_flagged_per_month: np.ndarray
    new_flagged: int                    # customers newly flagged (streak = n at m; verdicts: not flagged at m−1)
    new_churned_flagged: int
    churned: int                        # Σ churned customers over the months
    scored: int                         # Σ scored customers over the months
    level: str | None = None            # verdicts: flagged, LOST, HIGH or MEDIUM
    low_threshold_basis: str | None = None   # low: "setting" or "percentile_P" of the months with orders

    @property
    def flagged(self) -> int:
        return int(self.flagged_per_month.sum())

    @property
    def churned_flagged(self) -> int:
        return int(self.churned_flagged_per_month.sum())

    @property
    def precision(self) -> float | None:
        return ratio(self.churned_flagged, self.flagged)

    @property
    def recall(self) -> float | None:
        return ratio(self.churned_flagged, self.churned)

    @property
    def lift(self) -> float | None:
        """precision ÷ base rate = (cf / f) ÷ (churned / scored)."""
        return ratio(self.churned_flagged * self.scored, self.flagged * self.churned)

    @property
    def specificity(self) -> float | None:
        stayed = self.scored - self.churned
        return ratio(stayed - (self.flagged - self.churned_flagged), stayed)

    @property
    def balanced_accuracy(self) -> float | None:
        """(recall + specificity) ÷ 2, as one fraction of the counts."""
        stayed = self.scored - self.churned
        kept = stayed - (self.flagged - self.churned_flagged)
        return ratio(self.churned_flagged * stayed + kept * self.churned, 2 * self.churned * stayed)

    @property
    def new_precision(self) -> float | None:
        return ratio(self.new_churned_flagged, self.new_flagged)

    @property
    def precision_range(self) -> list[float | None]:
        """The lowest and highest precision of a single month, among the months that flag anyone."""
        monthly = [ratio(int(cf), int(f)) for cf, f in zip(self.churned_flagged_per_month, self.flagged_per_month)
                   if f]
        return [min(monthly), max(monthly)] if monthly else [None, None]

    def to_dict(self) -> dict[str, Any]:
        out = {"rule": self.rule, "threshold": self.threshold}
        if self.level is not None:
            out["level"] = self.level
        if self.low_threshold_basis is not None:
            out["low_threshold"] = self.settings["low_threshold"]
            out["low_threshold_basis"] = self.low_threshold_basis
        out.update({
            "settings": dict(self.settings),
            "flagged_per_month": self.flagged_per_month.tolist(),
            "churned_flagged_per_month": self.churned_flagged_per_month.tolist(),
            "precision": self.precision, "recall": self.recall, "lift": self.lift,
            "specificity": self.specificity, "balanced_accuracy": self.balanced_accuracy,
            "new_precision": self.new_precision, "precision_range": self.precision_range,
            "flagged": self.flagged, "churned_flagged": self.churned_flagged,
            "new_flagged": self.new_flagged, "new_churned_flagged": self.new_churned_flagged,
            "churned": self.churned, "scored": self.scored,
        })
        return out


@dataclasses.dataclass
class Backtest:
    """Every rule's backtest over the eligible months; ``to_dict`` gives the JSON of ``churnkit backtest``."""
    horizon_months: int
    months: list[str]                   # the eligible as-of months, YYYY-MM
    scored_per_month: np.ndarray
    churned_per_month: np.ndarray
    rules: list[RuleResult]
    model: dict[str, Any] | None        # the probability's figures, when a probability was given
    recommended: dict[str, Any]

    @property
    def scored(self) -> int:
        return int(self.scored_per_month.sum())

    @property
    def churned(self) -> int:
        return int(self.churned_per_month.sum())

    @property
    def base_rate(self) -> float | None:
        return ratio(self.churned, self.scored)

    def rule(self, rule: str, threshold: int | None = None, *, level: str | None = None,
             low_threshold: float | None = None) -> RuleResult:
        """The result of one rule (the first low threshold, the user's, unless ``low_threshold`` is given)."""
        for result in self.rules:
            if (result.rule == rule and result.threshold == threshold and result.level == level
                    and (low_threshold is None or result.settings.get("low_threshold") == low_threshold)):
                return result
        raise KeyError((rule, threshold, level, low_threshold))

    def to_dict(self) -> dict[str, Any]:
        return {
            "horizon_months": self.horizon_months,
            "months": list(self.months),
            "base_rate": self.base_rate,
            "scored": self.scored,
            "churned": self.churned,
            "scored_per_month": self.scored_per_month.tolist(),
            "churned_per_month": self.churned_per_month.tolist(),
            "rules": [result.to_dict() for result in self.rules],
            "model": self.model,
            "recommended": self.recommended,
        }


def ratio(numerator: int, denominator: int) -> float | None:
    """``numerator ÷ denominator`` correctly rounded (Python integers), None when the denominator is 0."""
    return int(numerator) / int(denominator) if denominator else None


def backtest(source: ChurnModel | pd.DataFrame, settings: Settings | None = None, horizon: int | None = None,
             probability: Probability | None = None, today: dt.date | None = None) -> Backtest:
    """Backtest the rules and the verdicts on a model's history (or on order lines, analysed first).

    ``settings`` are the rule settings (default: the model's; the measure must be the model's) and
    ``horizon`` is K (default ``settings.horizon_months``). ``probability``, when given, is called once
    as ``probability(model, months, horizon)`` with the eligible as-of month integers and must return a
    months × customers array (rows of ``model.series``): each customer's predicted probability of
    churning at that month, made from the data up to that month only (NaN where there is none);
    its AUROC, Brier score and calibration over the scored customers are the result's ``model``.
    """
    model = source if isinstance(source, ChurnModel) else analyse(source, settings or Settings(), today)
    settings = settings or model.settings
    if settings.measure != model.settings.measure:
        raise ValueError(f"the model counts {model.settings.measure}, not {settings.measure}")
    horizon = settings.horizon_months if horizon is None else horizon
    if horizon < 1:
        raise ValueError(f"the horizon must be at least 1 month, not {horizon}")
    series = model.series
    eligible = max(series.values.shape[1] - horizon, 0)

    def as_of_months(streak: np.ndarray) -> np.ndarray:
        """A customers × months streak as months × customers, over the months checked."""
        return streak[:, :eligible].T

    scored = np.arange(eligible)[:, None] >= series.start[None, :]
    outcome = Outcome(scored, churned_by_month(series, horizon, eligible) & scored)
    dormant = as_of_months(streaks.dormant_streak_by_month(series))
    decline = as_of_months(streaks.decline_streak_by_month(series, settings.min_drop_pct))
    rules = _streak_rules(outcome, "lost", dormant, _with(LOST_RANGE, settings.lost_months),
                          lambda n: {"lost_months": n})
    lows = {threshold: (as_of_months(streaks.low_streak_by_month(series, threshold)), basis)
            for threshold, basis in low_thresholds(series, settings.low_threshold)}
    for threshold, (low, basis) in lows.items():
        rules += _streak_rules(outcome, "low", low, _with(LOW_RANGE, settings.low_months),
                               lambda n, x=threshold: {"low_threshold": x, "low_months": n}, basis)
    rules += _streak_rules(outcome, "decline", decline, _with(DECLINE_RANGE, settings.decline_months),
                           lambda n: {"decline_months": n, "min_drop_pct": settings.min_drop_pct})
    ranks = risk_ranks(decline, lows[settings.low_threshold][0], dormant, settings)
    rules += _verdict_rules(outcome, ranks, settings)
    dropped = categories.flagged_by_month(model.category_cells, series, eligible,
                                          streaks.dormant_streak_by_month(series), settings)
    rules.append(_flag_rule(outcome, "partial", dropped, {
        name: getattr(settings, name) for name in ("category_window", "category_min_months", "low_threshold")}
        | {"category_low_months": settings.category_months}))
    rules.append(_flag_rule(outcome, "rep_departed", model.rep_months.flagged_by_month(settings.rep_gone_months,
                                                                                       eligible),
                            {"rep_gone_months": settings.rep_gone_months}))
    months = series.first_month + np.arange(eligible)
    result = Backtest(horizon, [month_label(month) for month in months], scored.sum(axis=1),
                      outcome.churned.sum(axis=1), rules, None, {})
    if probability is not None:
        predicted = np.asarray(probability(model, months, horizon), float)
        if predicted.shape != scored.shape:
            raise ValueError(f"the probability gave a {predicted.shape} array, not months × customers {scored.shape}")
        result.model = score_probabilities(predicted[scored], outcome.churned[scored])
    result.recommended = recommend(result, settings)
    return result


def churned_by_month(series: MonthlySeries, horizon: int, eligible: int) -> np.ndarray:
    """months × customers: no positive monthly amount in months m+1 … m+K, for the first ``eligible`` months."""
    positive = np.zeros((series.amount.shape[0], series.amount.shape[1] + 1), np.int64)
    np.cumsum(series.amount > 0, axis=1, out=positive[:, 1:])     # column j: positive months before column j
    later = positive[:, horizon + 1: horizon + 1 + eligible] - positive[:, 1: 1 + eligible]
    return (later == 0).T


def low_thresholds(series: MonthlySeries, threshold: float) -> list[tuple[float, str]]:
    """The user's low threshold, then the ``LOW_PERCENTILES`` of the positive monthly values (the value at
    place ⌊(N − 1) · P / 100⌋ of the N sorted ones, to two significant figures, half up), each once."""
    out = [(threshold, "setting")]
    positive = series.values[series.values > 0]
    for pct in LOW_PERCENTILES:
        if not len(positive):
            break
        place = (len(positive) - 1) * pct // 100
        value = float(_two_figures(decimal.Decimal(int(np.partition(positive, place)[place])) / series.scale))
        if all(value != known for known, _ in out):
            out.append((value, f"percentile_{pct}"))
    return out


def _two_figures(value: decimal.Decimal) -> decimal.Decimal:
    exponent = value.adjusted() - 1
    return value.scaleb(-exponent).quantize(decimal.Decimal(1), decimal.ROUND_HALF_UP).scaleb(exponent)


def _with(candidates: range, own: int) -> list[int]:
    return sorted({*candidates, own})


@dataclasses.dataclass
class Outcome:
    """Who was scored and who churned, months × customers."""
    scored: np.ndarray
    churned: np.ndarray

    @property
    def counts(self) -> tuple[int, int]:
        return int(self.churned.sum()), int(self.scored.sum())


def _streak_rules(outcome: Outcome, rule: str, streak: np.ndarray, thresholds: list[int],
                  settings_of: Callable[[int], dict], basis: str | None = None) -> list[RuleResult]:
    """``streak ≥ n`` for each n, from one count of the scored customers by month, streak and outcome."""
    months, cap = len(streak), thresholds[-1] + 1
    cell = (np.arange(months)[:, None] * (cap + 1) + np.minimum(streak, cap)) * 2 + outcome.churned
    tally = np.bincount(cell[outcome.scored], minlength=months * (cap + 1) * 2).reshape(months, cap + 1, 2)
    at_least = tally[:, ::-1].cumsum(axis=1)[:, ::-1]       # [m, n, churned]: customers with streak ≥ n
    churned, scored = outcome.counts
    return [RuleResult(rule, n, settings_of(n), at_least[:, n].sum(axis=1), at_least[:, n, 1].copy(),
                       int(tally[:, n].sum()), int(tally[:, n, 1].sum()), churned, scored,
                       low_threshold_basis=basis) for n in thresholds]


def _verdict_rules(outcome: Outcome, ranks: np.ndarray, settings: Settings) -> list[RuleResult]:
    """The verdicts (months × customers ranks in ``RISKS``), flagged as a whole and level by level; newly
    flagged: not so at m − 1."""
    rule_settings = {name: getattr(settings, name) for name in
                     ("lost_months", "low_threshold", "low_months", "decline_months", "min_drop_pct")}
    return [_flag_rule(outcome, "verdict", ranks < RISK_ORDER["LOW"] if level == "flagged"
                       else ranks == RISK_ORDER[level], rule_settings, level) for level in VERDICT_LEVELS]


def _flag_rule(outcome: Outcome, rule: str, flags: np.ndarray, rule_settings: dict,
               level: str | None = None) -> RuleResult:
    """A rule given as months × customers flags; newly flagged: not so at m − 1."""
    churned, scored = outcome.counts
    flagged = flags & outcome.scored
    new = flagged.copy()
    new[1:] &= ~flagged[:-1]
    return RuleResult(rule, None, rule_settings, flagged.sum(axis=1), (flagged & outcome.churned).sum(axis=1),
                      int(new.sum()), int((new & outcome.churned).sum()), churned, scored, level=level)
