"""Monthly series per customer (SPEC "Periods").

``v[m]`` is the sum of the measure for a customer in month m, 0 when there are no
lines. Series are dense customer × month matrices running from the first month in the
data to the as-of month A; a customer's history starts at their first order line.
Amounts and quantities are held as exact integer units (``money``), orders as counts.
"""
from __future__ import annotations

import dataclasses
import functools

import numpy as np
import pandas as pd

from . import money


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
    values: np.ndarray      # measure per customer and month, in units of 1 / ``scale`` (int64)
    amount: np.ndarray      # amount per customer and month, in units of 1 / money.SCALE (int64)
    orders: np.ndarray = _OnFirstUse()   # orders per customer and month (distinct order numbers, else lines)
    start: np.ndarray       # column of each customer's first order line
    scale: int = money.SCALE    # units of ``values`` per 1 (1 for the orders measure: counts)

    @property
    def as_of(self) -> int:
        return self.first_month + self.values.shape[1] - 1

    @functools.cached_property
    def in_history(self) -> np.ndarray:
        """True where a month lies within the customer's history."""
        return np.arange(self.values.shape[1])[None, :] >= self.start[:, None]

    def window_sum(self, matrix: np.ndarray, end: np.ndarray, months: int = 12) -> np.ndarray:
        """Per row, the exact sum of the amount units ``matrix`` over ``months`` months ending at column ``end``
        (inclusive), as an amount."""
        end = np.broadcast_to(end, len(matrix))
        row_start = np.arange(len(matrix)) * matrix.shape[1]
        cells = np.ascontiguousarray(matrix).ravel()
        total = np.zeros(len(matrix), np.int64)
        for back in range(months):
            column = end - back
            total += np.where(column >= 0, cells[row_start + np.maximum(column, 0)], 0)
        return money.shown(total)

    def shown_values(self, rows=slice(None), columns=slice(None)) -> np.ndarray:
        """The measure of these rows and months as numbers (floats nearest to the exact sums)."""
        return money.shown(self.values[rows, columns], self.scale)


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

    def total(units=None, where=None) -> np.ndarray:
        """Exact sums of integer ``units`` per customer and month (of lines, when None)."""
        picked = cells if where is None else cells[where]
        if units is None:
            return np.bincount(picked, minlength=size).reshape(len(keys), width)
        return money.unit_sums(picked, units, size).reshape(len(keys), width)

    amount_values = lines["amount"].to_numpy(float)
    amount = total(money.to_units(amount_values))

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
        values = total(money.to_units(lines["quantity"].to_numpy(float)))
    start = np.full(len(keys), first_month + width, np.int64)
    np.minimum.at(start, codes, months)
    start -= first_month
    return MonthlySeries(np.asarray(keys, dtype=object), first_month, values, amount, orders, start,
                         1 if measure == "orders" else money.SCALE)
