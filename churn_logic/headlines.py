"""The headline figures of the reports, from the verdicts and the monthly churn KPIs.

Counts are by risk (SPEC "Verdicts"); *at risk* is HIGH or MEDIUM (``lists.AT_RISK``);
*core* customers are class A (SPEC "Core customers (ABC)"). Churn rate, churned, new,
reactivated and revenue lost are the monthly KPIs of ``kpis.py``, read at the as-of month A
(``*_previous``: A − 1) or added up over the 12 months ending at A (``*_12m``).
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from . import money
from .lists import AT_RISK
from .kpis import churn_kpis
from .model import ChurnModel


def headline_figures(model: ChurnModel, kpis: pd.DataFrame | None = None) -> dict[str, float | int | None]:
    """The figures as plain numbers; a churn rate without a base month (nobody active before) is None."""
    kpis = churn_kpis(model) if kpis is None else kpis
    c = model.customers
    risk = c["risk"].to_numpy()
    at_risk = np.isin(risk, AT_RISK)
    stake = c["value_at_stake"].to_numpy(float)
    last_year = kpis.tail(12)
    figures = {
        "customers": len(c),
        "high": int((risk == "HIGH").sum()),
        "medium": int((risk == "MEDIUM").sum()),
        "lost": int((risk == "LOST").sum()),
        "low": int((risk == "LOW").sum()),
        "at_risk": int(at_risk.sum()),
        "core_at_risk": int((at_risk & (c["core_class"].to_numpy() == "A")).sum()),
        "value_at_stake": money.exact_sum(stake[at_risk]),
        "lost_value": money.exact_sum(stake[risk == "LOST"]),
        "core_lost": int(((risk == "LOST") & (c["core_class"].to_numpy() == "A")).sum()),
        "active": int(kpis["active_customers"].iloc[-1]),
        "churned": int(kpis["churned_customers"].iloc[-1]),
        "churn_rate": _rate(kpis["churn_rate"].iloc[-1]),
        "churn_rate_previous": _rate(kpis["churn_rate"].iloc[-2]) if len(kpis) > 1 else None,
        "new_12m": int(last_year["new_customers"].sum()),
        "churned_12m": int(last_year["churned_customers"].sum()),
        "reactivated_12m": int(last_year["reactivated_customers"].sum()),
        "revenue_lost_12m": money.exact_sum(last_year["revenue_lost"].to_numpy()),
    }
    return figures


def _rate(value: float) -> float | None:
    return None if math.isnan(value) else float(value)
