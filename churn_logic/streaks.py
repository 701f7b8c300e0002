"""The three streaks, counted back from the as-of month (SPEC "The three streaks").

Every comparison is exact: the monthly values are integer units (``money``).
"""
from __future__ import annotations

import numpy as np

from . import money
from .monthly import MonthlySeries


def trailing_run(condition: np.ndarray) -> np.ndarray:
    """Per row, how many columns at the right end are all True."""
    if condition.shape[1] == 0:
        return np.zeros(condition.shape[0], np.int64)
    reversed_ = condition[:, ::-1]
    first_false = np.argmin(reversed_, axis=1)
    return np.where(reversed_.all(axis=1), condition.shape[1], first_false).astype(np.int64)


def decline_streak(series: MonthlySeries, min_drop_pct: float = 0.0) -> np.ndarray:
    """D: the largest k with ``v[t] < v[t-1] × (1 − p/100)`` for the k steps ending at A, within the history."""
    v = series.values
    steps = money.fell_by(v[:, 1:], v[:, :-1], min_drop_pct) & series.in_history[:, :-1]
    return trailing_run(steps)


def low_streak(series: MonthlySeries, threshold: float = 0.0) -> np.ndarray:
    """L: consecutive months ending at A with ``v ≤ X``, within the history."""
    return trailing_run((series.values <= money.at_most(threshold, series.scale)) & series.in_history)


def dormant_streak(series: MonthlySeries) -> np.ndarray:
    """Z: consecutive months ending at A with ``v ≤ 0`` (no positive sales): "months without orders"."""
    return low_streak(series, 0.0)


def running_count(condition: np.ndarray) -> np.ndarray:
    """Per row and column, how many columns up to and including it are all True (customers × months)."""
    by_month = np.ascontiguousarray(condition.T)
    out = np.empty(by_month.shape, np.int64)
    run = np.zeros(by_month.shape[1], np.int64)
    for month, holds in enumerate(by_month):
        run = (run + 1) * holds
        out[month] = run
    return out.T


def dormant_streak_by_month(series: MonthlySeries) -> np.ndarray:
    """Z as of every month (customers × months): the last column is ``dormant_streak``."""
    return running_count(series.in_history & (series.values <= 0))


def low_streak_by_month(series: MonthlySeries, threshold: float = 0.0) -> np.ndarray:
    """L as of every month (customers × months): the last column is ``low_streak``."""
    return running_count((series.values <= money.at_most(threshold, series.scale)) & series.in_history)


def decline_streak_by_month(series: MonthlySeries, min_drop_pct: float = 0.0) -> np.ndarray:
    """D as of every month (customers × months): the last column is ``decline_streak``; column 0 has no step."""
    v = series.values
    steps = np.zeros(v.shape, bool)
    steps[:, 1:] = money.fell_by(v[:, 1:], v[:, :-1], min_drop_pct) & series.in_history[:, :-1]
    return running_count(steps)
