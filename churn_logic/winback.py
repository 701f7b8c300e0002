"""The win-back list: lapsed (LOST) customers ranked by what they used to buy.

SPEC "Verdicts" sends LOST customers to the win-back list; the seeds' advice is that a
lapsed customer is far cheaper to win back than a new one is to win. The value that
ranks them is their amount in the 12 months before they lapsed (the month before
their run of months without orders began).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .model import CONTACT_FIELDS, ChurnModel, month_labels
from .periods import months_of

TOP_PRODUCTS = 3


def winback_list(model: ChurnModel) -> pd.DataFrame:
    """LOST customers, most valuable first, with what is known about them."""
    is_lost = (model.customers["risk"] == "LOST").to_numpy()
    lost = model.customers[is_lost]
    order = np.lexsort((lost["customer"].astype(str).to_numpy(), -lost["value_at_stake"].to_numpy()))
    lost, rows = lost.iloc[order], np.flatnonzero(is_lost)[order]       # rows: their rows in ``model.customers``
    out = pd.DataFrame({
        "customer": lost["customer"].to_numpy(object),
        "name": lost["name"].to_numpy(object),
        "core_class": lost["core_class"].to_numpy(object),
        "last_order_date": lost["last_order_date"].to_numpy(),
        "months_dormant": lost["months_without_orders"].to_numpy(),
        "lapsed_since": month_labels(model.as_of - lost["months_without_orders"].to_numpy(np.int64) + 1),
        "value_before_lapse": lost["value_at_stake"].to_numpy(),
    })
    for field in CONTACT_FIELDS:
        if field in model.lines.columns:
            out[field] = lost[field].to_numpy(object)
    fields = [field for field in ("product", "category") if field in model.lines.columns]
    if fields:
        lines, customer = _before_lapse(model, is_lost)
        amount = model.lines["amount"].to_numpy()[lines]
        for field, column in (("product", "main_products"), ("category", "main_category")):
            if field in fields:
                top = _top_values(customer, amount, model.lines[field].iloc[lines],
                                  TOP_PRODUCTS if field == "product" else 1)
                out[column] = np.array([top.get(row, "") for row in rows.tolist()], dtype=object)
    return out


def _before_lapse(model: ChurnModel, is_lost: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The order lines (positions in ``model.lines``) of the LOST customers in the 12 months before their
    months without orders began, and the row of each line's customer (in ``model.customers``)."""
    of_lost = np.flatnonzero(is_lost[model.line_rows])
    customer = model.line_rows[of_lost]
    lapse = model.as_of - model.customers["months_without_orders"].to_numpy(np.int64)[customer] + 1
    month = months_of(model.lines["date"].iloc[of_lost])
    window = (month < lapse) & (month >= lapse - 12)
    return of_lost[window], customer[window]


def _top_values(customer: np.ndarray, amount: np.ndarray, cells: pd.Series, top: int) -> dict[int, str]:
    """Per customer (row), the ``top`` values of ``cells`` by amount, joined with ', '.

    Ranked by amount (largest first), then by the value itself (its sorted code orders as its text does).
    """
    known = cells.notna().to_numpy()
    value, values = pd.factorize(cells[known], sort=True)
    totals = pd.DataFrame({"customer": customer[known], "value": value, "amount": amount[known]}) \
        .groupby(["customer", "value"], sort=False)["amount"].sum().reset_index()
    totals = totals[totals["amount"] > 0]
    customer, value, amount = (totals[column].to_numpy() for column in ("customer", "value", "amount"))
    order = np.lexsort((value, -amount, customer))
    customer, value = customer[order], value[order]
    first = np.flatnonzero(np.r_[True, customer[1:] != customer[:-1]])          # each customer's first row
    place = np.arange(len(customer)) - np.repeat(first, np.diff(np.r_[first, len(customer)]))
    values = values.tolist()
    joined: dict[int, str] = {}
    for row, code in zip(customer[place < top].tolist(), value[place < top].tolist()):
        joined[row] = f"{joined[row]}, {values[code]}" if row in joined else str(values[code])
    return joined
