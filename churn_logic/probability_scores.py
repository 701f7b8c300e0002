"""How good predicted churn probabilities were: AUROC, Brier score and calibration (the backtest's "model").

Each sample is one customer scored at one as-of month: the predicted probability that they
churn (order nothing in the K months after it) against whether they did. Samples without a
prediction (NaN) are left out and counted.
"""
from __future__ import annotations

from typing import Any

import numpy as np

CALIBRATION_BINS = 10       # predicted probabilities in tenths: [0, 0.1), [0.1, 0.2) … [0.9, 1]


def score_probabilities(predicted: np.ndarray, churned: np.ndarray) -> dict[str, Any]:
    """``auroc``: the chance that a churner's prediction is above a stayer's (ties count half), ``brier``:
    the mean of (predicted − churned)², ``calibration``: per tenth of the predictions, the mean predicted
    and the share that churned, with the number of samples; None where there are no samples to tell."""
    known = np.isfinite(predicted)
    p, outcome = predicted[known], churned[known].astype(bool)
    if ((p < 0) | (p > 1)).any():
        raise ValueError("a predicted probability lies outside 0 … 1")
    positives = int(outcome.sum())
    negatives = len(p) - positives
    return {
        "auroc": _auroc(p, outcome) if positives and negatives else None,
        "brier": float(np.mean((p - outcome) ** 2)) if len(p) else None,
        "calibration": _calibration(p, outcome),
        "customers": len(p),
        "churned": positives,
        "without_prediction": int((~known).sum()),
    }


def _auroc(p: np.ndarray, outcome: np.ndarray) -> float:
    """Mann–Whitney: (Σ ranks of the churners − P(P + 1)/2) ÷ (P · N), ties given their average rank."""
    _, inverse, counts = np.unique(p, return_inverse=True, return_counts=True)
    ends = np.cumsum(counts)
    rank = (ends - (counts - 1) / 2)[inverse]
    positives = int(outcome.sum())
    negatives = len(p) - positives
    return float((rank[outcome].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def _calibration(p: np.ndarray, outcome: np.ndarray) -> list[dict[str, Any]]:
    bins = np.minimum((p * CALIBRATION_BINS).astype(np.int64), CALIBRATION_BINS - 1)
    customers = np.bincount(bins, minlength=CALIBRATION_BINS)
    predicted = np.bincount(bins, weights=p, minlength=CALIBRATION_BINS)
    observed = np.bincount(bins, weights=outcome, minlength=CALIBRATION_BINS)
    return [{"predicted": float(predicted[b] / customers[b]), "observed": float(observed[b] / customers[b]),
             "customers": int(customers[b])} for b in range(CALIBRATION_BINS) if customers[b]]
