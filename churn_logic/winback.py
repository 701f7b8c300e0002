"""The win-back list: lapsed (LOST) customers ranked by what they used to buy.

SPEC "Verdicts" sends LOST customers to the win-back list; the seeds' advice is that a
lapsed customer is far cheaper to win back than a new one is to win. The value that
ranks them is their amount in the 12 months before they lapsed (the month before
their run of months without orders began).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .model import CONTACT_FIELDS, ChurnModel
from .periods import month_label, months_of

TOP_PRODUCTS = 3


def winback_list(model: ChurnModel) -> pd.DataFrame:
    """LOST customers, most valuable first, with what is known about them."""
    lost = model.customers[model.customers["risk"] == "LOST"]
    lost = lost.iloc[np.lexsort((lost["customer"].astype(str).to_numpy(), -lost["value_at_stake"].to_numpy()))]
    out = pd.DataFrame({
        "customer": lost["customer"].to_numpy(object),
        "name": lost["name"].to_numpy(object),
        "core_class": lost["core_class"].to_numpy(object),
        "last_order_date": lost["last_order_date"].to_numpy(),
        "months_dormant": lost["months_without_orders"].to_numpy(),
        "lapsed_since": [month_label(model.as_of - z + 1) for z in lost["months_without_orders"]],
        "value_before_lapse": lost["value_at_stake"].to_numpy(),
    })
    for field in CONTACT_FIELDS:
        if field in model.lines.columns:
            out[field] = lost[field].to_numpy(object)
    lines = model.lines[model.lines["customer"].isin(set(out["customer"]))]
    lapse = dict(zip(out["customer"], model.as_of - out["months_dormant"] + 1))
    month = months_of(lines["date"])
    start = lines["customer"].map(lapse).to_numpy(np.int64)
    window = lines[(month < start) & (month >= start - 12)]
    for field, column in (("product", "main_products"), ("category", "main_category")):
        if field in lines.columns:
            top = TOP_PRODUCTS if field == "product" else 1
            out[column] = out["customer"].map(_top_values(window, field, top)).fillna("").to_numpy(object)
    return out


def _top_values(lines: pd.DataFrame, field: str, top: int) -> pd.Series:
    """Per customer, the ``top`` values of ``field`` by amount, joined with ', '."""
    totals = lines[lines[field].notna()].groupby(["customer", field], sort=False)["amount"].sum().reset_index()
    totals = totals[totals["amount"] > 0].sort_values(["customer", "amount", field], ascending=[True, False, True])
    return totals.groupby("customer")[field].apply(lambda values: ", ".join(map(str, values[:top])))
