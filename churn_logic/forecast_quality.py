"""How good ``p_no_order`` was on the business's own history (SPEC "Backtest", "Probability of no order").

For an as-of month m with K later months in the data, every customer scored as of m gets ``p_no_order``
from the lines up to m only; what happened is whether they placed no order line with a positive amount
in m+1 … m+K. The figures: the AUROC (the chance that a customer who ordered nothing got a higher
probability than one who ordered; ties count one half), the Brier score (the mean squared difference
between probability and outcome, 0 or 1) and a calibration table (predicted mean and observed rate by
bin of the probability).
"""
from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pandas as pd

from . import no_order
from .model import ChurnModel, analyse, rescored
from .periods import months_of
from .purchase_days import PurchaseDays, days_of, month_end_day
from .settings import Settings

BINS = 10                  # calibration table: probabilities in tenths, [0, 0.1), [0.1, 0.2) … [0.9, 1]


def auroc(score: np.ndarray, positive: np.ndarray) -> float:
    """The area under the ROC curve of ``score`` for the ``positive`` outcomes, from the ranks of the scores
    (Mann–Whitney U / (positives × negatives)); NaN without both outcomes."""
    positive = np.asarray(positive, bool)
    count, other = int(positive.sum()), int((~positive).sum())
    if not count or not other:
        return float("nan")
    ranks = _ranks(np.asarray(score, float))
    return float((ranks[positive].sum() - count * (count + 1) / 2) / (count * other))


def _ranks(values: np.ndarray) -> np.ndarray:
    """1-based ranks of ``values``; tied values share their mean rank."""
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    sizes = np.diff(np.r_[starts, len(values)])
    ranks = np.empty(len(values))
    ranks[order] = np.repeat(starts + (sizes + 1) / 2, sizes)
    return ranks


def score_probabilities(predicted: np.ndarray, churned: np.ndarray) -> dict[str, Any]:
    """The backtest's "model" figures of predicted churn probabilities (one sample per customer and as-of
    month): ``auroc``, ``brier`` and ``calibration`` as below, None where there are no samples to tell; samples
    without a prediction (NaN) are left out and counted."""
    known = np.isfinite(predicted)
    p, outcome = predicted[known], churned[known].astype(bool)
    if ((p < 0) | (p > 1)).any():
        raise ValueError("a predicted probability lies outside 0 … 1")
    positives = int(outcome.sum())
    return {
        "auroc": auroc(p, outcome) if positives and len(p) - positives else None,
        "brier": brier(p, outcome) if len(p) else None,
        "calibration": calibration_table(p, outcome),
        "customers": len(p),
        "churned": positives,
        "without_prediction": int((~known).sum()),
    }


def brier(probability: np.ndarray, positive: np.ndarray) -> float:
    """The mean of (probability − outcome)²."""
    return float(np.mean((np.asarray(probability, float) - np.asarray(positive, float)) ** 2))


def calibration_table(probability: np.ndarray, positive: np.ndarray, bins: int = BINS) -> list[dict]:
    """Per bin of equal width of the probability that holds customers: its bounds (``low`` ≤ p < ``high``; the
    last bin holds 1), mean probability, observed rate, customers."""
    probability = np.asarray(probability, float)
    positive = np.asarray(positive, bool)
    which = np.minimum((probability * bins).astype(np.int64), bins - 1)
    customers = np.bincount(which, minlength=bins)
    predicted = np.bincount(which, probability, bins)
    observed = np.bincount(which, positive, bins)
    return [{"low": b / bins, "high": (b + 1) / bins, "predicted": float(predicted[b] / customers[b]),
             "observed": float(observed[b] / customers[b]), "customers": int(customers[b])}
            for b in range(bins) if customers[b]]


@dataclasses.dataclass(frozen=True)
class Evaluation:
    """The figures of ``p_no_order`` at one as-of month: over the ``customers`` with a probability, of whom
    ``no_order`` ordered nothing in the horizon; ``unscored`` customers had none (NaN)."""
    as_of: int
    horizon_months: int
    auroc: float
    brier: float
    calibration: list[dict]
    customers: int
    no_order: int
    unscored: int
    forecast: no_order.NoOrderForecast


def no_order_after(lines: pd.DataFrame, keys: np.ndarray, as_of: int, horizon_months: int) -> np.ndarray:
    """Per customer key, True when they have no order line with a positive amount in the ``horizon_months``
    months after ``as_of``."""
    rows = pd.Index(keys).get_indexer(lines["customer"])
    known = rows >= 0
    purchases = PurchaseDays(rows[known], days_of(lines["date"])[known], lines["amount"].to_numpy(float)[known],
                             len(keys))
    return ~purchases.bought_between(month_end_day(as_of), month_end_day(as_of + horizon_months))


def evaluate(lines: pd.DataFrame, settings: Settings, as_of: int, horizon_months: int) -> Evaluation:
    """``p_no_order`` as of ``as_of`` (from the lines up to it) against what the later lines show."""
    if not len(lines) or int(months_of(lines["date"]).max()) < as_of + horizon_months:
        raise ValueError("the order lines do not reach the end of the horizon")
    model = analyse(lines, dataclasses.replace(settings, as_of=as_of))
    result = no_order.forecast(model, horizon_months)
    happened = no_order_after(lines, model.series.keys, as_of, horizon_months)
    known = np.isfinite(result.p_no_order)
    p, outcome = result.p_no_order[known], happened[known]
    return Evaluation(as_of, horizon_months, auroc(p, outcome), brier(p, outcome), calibration_table(p, outcome),
                      int(known.sum()), int(outcome.sum()), int((~known).sum()), result)


BACKTEST_MONTHS = 12        # as-of months the probability is made for in a backtest: the latest ones


def probabilities_by_month(model: ChurnModel, months: np.ndarray, horizon_months: int) -> np.ndarray:
    """``p_no_order`` as the backtest asks for it: months × customers (rows of ``model.series``), each month's
    made from the order lines up to that month only (a model fitted and calibrated as of it), for the latest
    ``BACKTEST_MONTHS`` of ``months``; NaN elsewhere (a customer not yet scored, or an older month)."""
    out = np.full((len(months), len(model.series.keys)), np.nan)
    keys = pd.Index(model.series.keys)
    for row in range(max(0, len(months) - BACKTEST_MONTHS), len(months)):
        as_of = int(months[row])
        then = rescored(model, as_of)
        found = no_order.forecast(then, horizon_months)
        out[row, keys.get_indexer(then.series.keys)] = found.p_no_order
    return out
