"""Cohort retention: customers grouped by the month of their first order, and how many are still active later.

The definitions are those of the monthly churn KPIs (``kpis.py``), so the table agrees
with the churn rate and with the verdicts (SPEC "Verdicts"):

- a customer's *cohort* is the month of their first order line, the month their history starts;
- a customer is *active* in month m when their history has started and they are not LOST as
  of m: fewer than N_z (``lost_months``) months in a row without positive sales, counted back
  from m. A customer who lapsed and orders again is active again (KPIs' *reactivated*);
- the *retention* of cohort c at k months since = the cohort's customers active in month
  c + k ÷ the cohort's size. k = 0 is the first-order month itself; a cell with c + k after
  the as-of month A is empty (NaN), since that month has not happened yet.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .lists import REPORT_MONTHS
from .model import ChurnModel
from .periods import month_label
from .streaks import dormant_streak_by_month



def active_months(model: ChurnModel) -> np.ndarray:
    """Customers × months: True where the customer is active (history started, not LOST as of that month)."""
    series = model.series
    return series.in_history & (dormant_streak_by_month(series) < model.settings.lost_months)


def cohort_retention(model: ChurnModel, months_since: int = REPORT_MONTHS) -> pd.DataFrame:
    """One row per first-order month that has customers, oldest first.

    Columns: ``cohort`` (YYYY-MM), ``customers`` (the cohort's size), then ``0`` … ``months_since``:
    the share (0–1) of the cohort active that many months after its first-order month.
    """
    series = model.series
    active = active_months(model)
    width = active.shape[1]
    cohorts = np.unique(series.start[series.start < width])
    rows = []
    for start in cohorts:
        members = series.start == start
        size = int(members.sum())
        shares = [active[members, start + k].sum() / size if start + k < width else np.nan
                  for k in range(months_since + 1)]
        rows.append([month_label(series.first_month + start), size, *shares])
    return pd.DataFrame(rows, columns=["cohort", "customers", *range(months_since + 1)])
