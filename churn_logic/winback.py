"""The win-back list: lapsed (LOST) customers ranked by what they used to buy.

SPEC "Verdicts" sends LOST customers to the win-back list; the seeds' advice is that a
lapsed customer is far cheaper to win back than a new one is to win. The value that
ranks them is their amount in the 12 months before they lapsed (the month before
their run of months without orders began).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from . import money
from .codes import sorted_codes
from .model import CONTACT_FIELDS, ChurnModel, month_labels

TOP_PRODUCTS = 3


def winback_list(model: ChurnModel) -> pd.DataFrame:
    """LOST customers, most valuable first, with what is known about them."""
    c = model.customers
    is_lost = (c["risk"] == "LOST").to_numpy()
    rows = np.flatnonzero(is_lost)          # their rows in ``model.customers`` (in key order), most valuable first
    rows = rows[np.lexsort((rows, -c["value_at_stake"].to_numpy()[rows]))]
    lost = c.iloc[rows].reset_index(drop=True)
    dormant = lost["months_without_orders"].to_numpy(np.int64)
    columns = {
        "customer": lost["customer"],
        "name": lost["name"],
        "core_class": lost["core_class"],
        "last_order_date": lost["last_order_date"],
        "months_dormant": dormant,
        "lapsed_since": month_labels(model.as_of - dormant + 1),
        "value_before_lapse": lost["value_at_stake"],
    }
    for field in CONTACT_FIELDS:
        if field in model.lines.columns:
            columns[field] = lost[field]
    tops = [(field, column, top) for field, column, top in (("product", "main_products", TOP_PRODUCTS),
                                                             ("category", "main_category", 1))
            if field in model.lines.columns]
    for field, column, top in tops:
        customer, units, values = _before_lapse(model, is_lost, field)
        codes, texts = sorted_codes(values)
        columns[column] = _top_values(customer, units, codes, texts, top, len(c))[rows]
    return pd.DataFrame(columns)


def _before_lapse(model: ChurnModel, is_lost: np.ndarray, field: str) -> tuple[np.ndarray, np.ndarray, pd.Series]:
    """The amounts of the LOST customers in the 12 months before their months without orders began, by the
    texts of ``field``: the row of each one's customer (in ``model.customers``), its amount units and text
    (per order line; or per customer and text, added up by the source of ``model.months``)."""
    lapse = model.as_of - model.customers["months_without_orders"].to_numpy(np.int64) + 1
    if model.months is None:
        lines, customer = _lines_before_lapse(model, is_lost, lapse)
        return customer, money.to_units(model.lines["amount"].to_numpy()[lines]), model.lines[field].iloc[lines]
    lost = np.flatnonzero(is_lost)
    windows = pd.DataFrame({"customer": model.customers["customer"].to_numpy(object)[lost],
                            "first_month": lapse[lost] - 12, "last_month": lapse[lost] - 1})
    sums = model.months.amounts_by(field, windows)
    customer = pd.Index(model.customers["customer"]).get_indexer(sums["customer"])
    return customer, sums["units"].to_numpy(np.int64), sums["text"]


def _lines_before_lapse(model: ChurnModel, is_lost: np.ndarray, lapse: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The order lines (positions in ``model.lines``) of the LOST customers in the 12 months before their
    months without orders began (``lapse``: per customer, the first such month), and the row of each line's
    customer (in ``model.customers``)."""
    of_lost = np.flatnonzero(is_lost[model.line_rows])
    customer = model.line_rows[of_lost]
    lapse = lapse[customer]
    month = model.line_months[of_lost]
    window = (month < lapse) & (month >= lapse - 12)
    return of_lost[window], customer[window]


def _top_values(customer: np.ndarray, units: np.ndarray, value: np.ndarray, texts: pd.Index, top: int,
                customers: int) -> np.ndarray:
    """Per customer (row, of ``customers``), the ``top`` texts by amount (``units``), joined with ', ' ('' when none).

    ``value`` is each line's code into the sorted ``texts`` (-1: no text). Ranked by amount
    (largest first), then by the text itself (its code orders as its text does).
    """
    known = value >= 0
    pair, pairs = pd.factorize(customer[known].astype(np.int64) * len(texts) + value[known])
    totals = money.unit_sums(pair, units[known], len(pairs))      # exact: equal sums tie
    positive = totals > 0
    owner, code, totals = pairs[positive] // len(texts), pairs[positive] % len(texts), totals[positive]
    texts = texts.to_numpy(object)
    joined = np.full(customers, "", dtype=object)
    left = np.ones(len(owner), bool)
    for k in range(top):        # each round, every customer's largest total left, of equal ones the first text
        largest = np.full(customers, np.iinfo(np.int64).min)
        np.maximum.at(largest, owner[left], totals[left])
        candidate = left & (totals == largest[owner])
        first = np.full(customers, len(texts))
        np.minimum.at(first, owner[candidate], code[candidate])
        chosen = candidate & (code == first[owner])
        who = owner[chosen]
        joined[who] = (joined[who] + ", " if k else joined[who]) + texts[code[chosen]]
        left &= ~chosen
    return joined
