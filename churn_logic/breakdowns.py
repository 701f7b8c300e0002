"""At-risk customers and value at stake by sales rep or by region (the at-risk report's breakdowns).

A customer's rep and region are those on their latest line that has one
(``ChurnModel.customers``). *At risk* means HIGH or MEDIUM (SPEC "Verdicts"): customers
still buying, but less or only token amounts; LOST customers are counted apart, as they
belong to the win-back list. Value at stake is the one the lists rank by (README, "Words
churnkit uses").
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from . import money
from .lists import AT_RISK
from .model import ChurnModel



def risk_breakdown(model: ChurnModel, field: str) -> pd.DataFrame:
    """One row per value of ``field`` (``rep`` or ``region``; None for customers without one).

    Columns: ``group``, ``customers`` (scored), ``high``, ``medium``, ``lost``, ``at_risk``
    (HIGH + MEDIUM), ``value_at_stake`` (summed over the at-risk customers) and ``lost_value``
    (the value at stake of the LOST ones). Sorted by value at stake, then at-risk count, then
    name; the group without a name comes last.
    """
    c = model.customers
    risk = c["risk"].to_numpy()
    stake = c["value_at_stake"].to_numpy(float)
    at_risk = np.isin(risk, AT_RISK)
    frame = pd.DataFrame({
        "group": c[field].to_numpy(object),
        "customers": 1,
        "high": risk == "HIGH",
        "medium": risk == "MEDIUM",
        "lost": risk == "LOST",
        "at_risk": at_risk,
        "value_at_stake": money.to_units(np.where(at_risk, stake, 0.0)),          # summed exactly, as units
        "lost_value": money.to_units(np.where(risk == "LOST", stake, 0.0)),
    })
    frame["group"] = frame["group"].astype(object).where(frame["group"].notna(), "")
    out = frame.groupby("group", sort=False).sum().reset_index()
    out[["customers", "high", "medium", "lost", "at_risk"]] = out[["customers", "high", "medium", "lost",
                                                                     "at_risk"]].astype(int)
    out[["value_at_stake", "lost_value"]] = money.shown(out[["value_at_stake", "lost_value"]].to_numpy())
    unnamed = (out["group"] == "").to_numpy()
    order = np.lexsort((out["group"].astype(str).to_numpy(), -out["at_risk"].to_numpy(),
                        -out["value_at_stake"].to_numpy(), unnamed))
    out = out.iloc[order].reset_index(drop=True)
    out["group"] = pd.Series([group or None for group in out["group"]], dtype=object)
    return out
