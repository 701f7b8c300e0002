"""Monthly churn KPIs over the whole span of the data, up to A.

The SPEC asks to watch the churn rate month by month; these definitions follow the
verdicts so that the numbers agree with the at-risk list:

- *active customers* in month m: customers whose history has started and who are not
  LOST as of m (fewer than N_z months in a row without orders, counted back from m);
- *new*: first order line in m; *churned*: became LOST in m (their run of months
  without orders reached N_z in m); *reactivated*: LOST as of m−1 and ordered in m;
  so active(m) = active(m−1) + new − churned + reactivated;
- *churn rate*: churned in m ÷ active customers at the end of m−1;
- *revenue lost*: for the customers who churned in m, their amount in the 12 months
  before their months without orders began (what the win-back list ranks by);
- *ordering customers* and *revenue*: customers with a positive measure in m, and the
  month's net amount.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from . import money
from .model import ChurnModel
from .periods import month_label
from .streaks import dormant_streak_by_month


def churn_kpis(model: ChurnModel) -> pd.DataFrame:
    """One row per month from the first month in the data to A."""
    series = model.series
    lost_months = model.settings.lost_months
    width = series.values.shape[1]
    dormant = dormant_streak_by_month(series).T           # months × customers, each month contiguous
    started = np.arange(width)[:, None] >= series.start[None, :]
    active = started & (dormant < lost_months)
    churned = dormant == lost_months
    reactivated = np.zeros_like(churned)
    reactivated[1:] = (dormant[:-1] >= lost_months) & (dormant[1:] == 0) & started[1:]
    active_counts = np.count_nonzero(active, axis=1)
    churned_counts = np.count_nonzero(churned, axis=1)
    base = np.concatenate([[0], active_counts[:-1]])
    revenue_lost = np.zeros(width, np.int64)
    cols, rows = np.nonzero(churned)
    if len(rows):
        lost_value = money.to_units(series.window_sum(series.amount[rows], cols - lost_months))
        np.add.at(revenue_lost, cols, lost_value)
    return pd.DataFrame({
        "month": [month_label(series.first_month + col) for col in range(width)],
        "active_customers": active_counts,
        "ordering_customers": np.count_nonzero(series.in_history & (series.values > 0), axis=0),
        "new_customers": np.bincount(series.start[series.start < width], minlength=width),
        "churned_customers": churned_counts,
        "reactivated_customers": np.count_nonzero(reactivated, axis=1),
        "churn_rate": np.divide(churned_counts, base, out=np.full(width, np.nan), where=base > 0),
        "revenue": money.shown(series.amount.sum(axis=0)),
        "revenue_lost": money.shown(revenue_lost),
    })
