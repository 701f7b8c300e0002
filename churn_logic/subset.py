"""A churn model narrowed to some of its customers, e.g. one sales rep's, for per-rep reports.

Each customer keeps the verdict, streaks, value at stake and core class (ABC) they have
in the whole book: narrowing changes who is counted, never how a customer is judged.
The monthly KPIs of the narrowed model (``kpis.py``) count only those customers.
"""
from __future__ import annotations

import dataclasses

import numpy as np

from .model import ChurnModel
from .monthly import MonthlySeries


def narrow(model: ChurnModel, keep: np.ndarray) -> ChurnModel:
    """The model of the customers where ``keep`` (one flag per row of ``model.customers``) is True."""
    keep = np.asarray(keep, bool)
    s = model.series
    series = MonthlySeries(s.keys[keep], s.first_month, s.values[keep], s.amount[keep], lambda: s.orders[keep],
                           s.start[keep], s.scale)
    customers = model.customers[keep].reset_index(drop=True)
    lines = model.lines[model.lines["customer"].isin(set(series.keys))]
    return dataclasses.replace(model, series=series, customers=customers, lines=lines,
                               category_cells=model.category_cells.narrow(keep), drops=model.drops.narrow(keep),
                               rep_months=model.rep_months.narrow(keep),
                               turnover=model.turnover.narrow(keep, series.keys))


def rep_customers(model: ChurnModel, rep: str) -> ChurnModel:
    """The customers whose rep is ``rep`` (the rep on their latest line that names one)."""
    return narrow(model, (model.customers["rep"] == rep).to_numpy(bool))
