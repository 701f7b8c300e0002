"""Monthly series per customer (SPEC "Periods").

``v[m]`` is the sum of the measure for a customer in month m, 0 when there are no
lines. Series are dense customer × month matrices running from the first month in the
data to the as-of month A; a customer's history starts at their first order line.
"""
from __future__ import annotations

import dataclasses
import functools

import numpy as np
import pandas as pd



class _OnFirstUse:
    """A field that may be given as a function making its value: the function runs when the field is first read.

    Counting distinct order numbers hashes every order number, so the ``orders`` matrix is
    only made when something reads it (a customer's history, the ``orders`` measure).
    """

    def __set_name__(self, owner, name: str):
        self.slot = "_" + name

    def __get__(self, instance, owner=None):
        if instance is None:
            raise AttributeError(self.slot)     # no default value for the dataclass field
        value = instance.__dict__[self.slot]
        if callable(value):
            value = instance.__dict__[self.slot] = value()
        return value

    def __set__(self, instance, value) -> None:
        instance.__dict__[self.slot] = value


@dataclasses.dataclass
class MonthlySeries:
    """``values`` (the measure) and ``amount`` as customers × months, plus each history's first column."""
    keys: np.ndarray        # customer keys (object), sorted: the row order of the matrices
    first_month: int        # month integer of column 0
    values: np.ndarray      # measure per customer and month
    amount: np.ndarray      # amount per customer and month
    orders: np.ndarray = _OnFirstUse()   # orders per customer and month (distinct order numbers, else lines)
    start: np.ndarray       # column of each customer's first order line

    @property
    def as_of(self) -> int:
        return self.first_month + self.values.shape[1] - 1

    @functools.cached_property
    def in_history(self) -> np.ndarray:
        """True where a month lies within the customer's history."""
        return np.arange(self.values.shape[1])[None, :] >= self.start[:, None]

    def window_sum(self, matrix: np.ndarray, end: np.ndarray, months: int = 12) -> np.ndarray:
        """Per row, the sum of ``matrix`` over ``months`` months ending at column ``end`` (inclusive).

        Sums are rounded to 6 decimal places, so that equal amounts added in another
        order still tie when customers are ranked by them.
        """
        end = np.broadcast_to(end, len(matrix))
        row_start = np.arange(len(matrix)) * matrix.shape[1]
        cells = np.ascontiguousarray(matrix).ravel()
        total = np.zeros(len(matrix))
        for back in range(months):
            column = end - back
            total += np.where(column >= 0, cells[row_start + np.maximum(column, 0)], 0.0)
        return np.round(total, 6)


def build(lines: pd.DataFrame, codes: np.ndarray, keys, months: np.ndarray, as_of: int,
          measure: str) -> MonthlySeries:
    """Monthly matrices from order lines dated up to the end of month ``as_of``, given each line's
    customer (``codes`` into the sorted ``keys``) and month."""
    first_month = int(months.min()) if len(months) else as_of
    width = as_of - first_month + 1
    cells = codes * width          # each line's cell in the customers × months matrices
    cells += months
    cells -= first_month
    size = len(keys) * width

    def total(weights=None, where=None) -> np.ndarray:
        picked = cells if where is None else cells[where]
        w = None if weights is None else (weights if where is None else weights[where])
        return np.bincount(picked, weights=w, minlength=size).reshape(len(keys), width).astype(float, copy=False)

    amount_values = lines["amount"].to_numpy(float)
    amount = total(amount_values)

    def count_orders() -> np.ndarray:
        positive = amount_values > 0
        if "order" not in lines.columns:
            return total(where=positive)
        order_codes, order_numbers = pd.factorize(lines["order"].fillna("")[positive])
        order_keys = pd.Series(cells[positive] * max(len(order_numbers), 1) + order_codes)   # one per (cell, order)
        first_of_order = np.zeros(len(cells), bool)
        first_of_order[np.flatnonzero(positive)[~order_keys.duplicated().to_numpy()]] = True
        return total(where=first_of_order)

    orders = count_orders() if measure == "orders" else count_orders
    values = {"amount": amount, "orders": orders}.get(measure)
    if values is None:
        values = total(lines["quantity"].to_numpy(float))
    start = np.full(len(keys), first_month + width, np.int64)
    np.minimum.at(start, codes, months)
    start -= first_month
    return MonthlySeries(np.asarray(keys, dtype=object), first_month, values, amount, orders, start)
