"""Core customers: ABC classes by value over the 12 months ending at A (SPEC "Core customers (ABC)")."""
from __future__ import annotations

import numpy as np

from . import money


def core_classes(values: np.ndarray, keys: np.ndarray, a_pct: float = 80.0, b_pct: float = 95.0) -> np.ndarray:
    """'A', 'B' or 'C' per customer.

    Customers are ranked by value (ties: key ascending; ``keys`` may be anything that sorts as
    the keys do, such as their rows when the customers are in key order). A is the shortest prefix whose
    cumulative share of the total reaches ``a_pct`` (the customer that crosses the line
    is in A), B extends it to ``b_pct``; the rest, and every customer without a positive
    value, are C.
    """
    classes = np.full(len(values), "C", dtype="<U1")
    units = money.to_units(values)          # exact: shares are compared in integers
    positive = units > 0
    total = units[positive].sum()
    if total <= 0:
        return classes
    order = np.lexsort((keys if keys.dtype.kind in "iu" else keys.astype(str), -units))
    order = order[positive[order]]
    before = np.cumsum(units[order]) - units[order]   # share already reached before each customer
    classes[order[money.below_pct(before, total, b_pct)]] = "B"
    classes[order[money.below_pct(before, total, a_pct)]] = "A"
    return classes
