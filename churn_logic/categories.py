"""Partial churn: a customer still buying who stopped buying a category they bought regularly
(docs/spec.md "Partial churn: dropped categories").

A customer's sales are summed per category and month (the category column, else the product column),
held sparsely: one cell per customer, category and month that has lines. The customer low-streak rule
is applied to each category, as of any month, over those cells; every sum and comparison is exact
(integer units, ``money``).
"""
from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from . import money
from .codes import sorted_codes
from .monthly import MonthlySeries
from .settings import Settings

DENSE_CELLS = 50_000_000   # up to this many customer × category × month cells, they are counted without a sort
DENSE_PAIR_MONTHS = 20_000_000     # the backtest's pairs × months matrices up to this size, else month by month
VALUE_MONTHS = 12        # a dropped category's value: what the customer bought of it in the 12 months before


def category_field(lines: pd.DataFrame) -> str | None:
    """The column categories come from: ``category`` when some line has one, else ``product``, else None."""
    for field in ("category", "product"):
        if field in lines.columns and lines[field].notna().any():
            return field
    return None


@dataclasses.dataclass
class CategoryCells:
    """Per customer, category and month with lines: the exact net amount (units), sorted by pair then month."""
    field: str | None
    names: pd.Index              # the categories' texts, sorted
    pair_row: np.ndarray         # per pair (customer, category): the customer's row in the series
    pair_name: np.ndarray        # per pair: the category's position in ``names``
    pair: np.ndarray             # per cell: its pair
    column: np.ndarray           # per cell: its month, as a column of the series
    units: np.ndarray            # per cell: the net amount, in units of 1 / money.SCALE

    def narrow(self, keep: np.ndarray) -> "CategoryCells":
        """The cells of the customers where ``keep`` (per row of the series) is True, rows renumbered."""
        kept_pairs = keep[self.pair_row]
        pair_number = np.cumsum(kept_pairs) - 1
        cells = kept_pairs[self.pair]
        return CategoryCells(self.field, self.names, renumbered(keep)[self.pair_row[kept_pairs]],
                             self.pair_name[kept_pairs], pair_number[self.pair[cells]], self.column[cells],
                             self.units[cells])


def renumbered(keep: np.ndarray) -> np.ndarray:
    """Per old row, its row among the kept ones."""
    return np.cumsum(keep) - 1


def category_cells(lines: pd.DataFrame, codes: np.ndarray, months: np.ndarray, series: MonthlySeries
                   ) -> CategoryCells:
    """The cells of order lines (``codes``: each line's row in ``series``; ``months``: its month)."""
    field = category_field(lines)
    if field is None:
        return no_category_cells()
    names_of_lines, names = sorted_codes(lines[field])
    named = names_of_lines >= 0
    width = series.values.shape[1]
    pair_of_line = codes[named].astype(np.int64) * len(names) + names_of_lines[named]
    cell_of_line = pair_of_line * width + (months[named] - series.first_month)
    units_of_line = money.to_units(lines["amount"].to_numpy(float)[named])
    space = len(series.keys) * len(names) * width
    if space <= DENSE_CELLS:      # one count per possible cell: no sort
        occupied = np.bincount(cell_of_line, minlength=space) > 0
        cells = np.flatnonzero(occupied)
        units = money.unit_sums((np.cumsum(occupied) - 1)[cell_of_line], units_of_line, len(cells))
    else:
        cells, inverse = np.unique(cell_of_line, return_inverse=True)
        units = money.unit_sums(inverse.ravel(), units_of_line, len(cells))
    return _pairs(field, pd.Index(names), cells, units, width)


def no_category_cells() -> CategoryCells:
    """The cells of an order book without categories (nor products)."""
    empty = np.zeros(0, np.int64)
    return CategoryCells(None, pd.Index([], dtype=object), empty, empty, empty, empty, empty)


def category_cells_of_sums(field: str, rows: np.ndarray, texts: np.ndarray, columns: np.ndarray,
                           units: np.ndarray, series: MonthlySeries) -> CategoryCells:
    """The cells from sums a source made itself (one per customer row, category text and month column of
    ``series``, at least one): exactly what ``category_cells`` makes of the lines behind them."""
    name_codes, names = sorted_codes(pd.Series(texts, dtype=object))
    width = series.values.shape[1]
    cell = (rows.astype(np.int64) * len(names) + name_codes) * width + columns
    order = np.argsort(cell, kind="stable")
    return _pairs(field, pd.Index(names), cell[order], units.astype(np.int64)[order], width)


def _pairs(field: str, names: pd.Index, cells: np.ndarray, units: np.ndarray, width: int) -> CategoryCells:
    """``CategoryCells`` of the occupied cells (pair × width + column, ascending) and their units."""
    pair_code, column = np.divmod(cells, width)
    changes = np.r_[True, pair_code[1:] != pair_code[:-1]] if len(cells) else np.zeros(0, bool)
    starts = np.flatnonzero(changes)
    pair = np.cumsum(changes) - 1
    pair_row, pair_name = np.divmod(pair_code[starts], len(names))
    return CategoryCells(field, names, pair_row, pair_name, pair, column, units)


@dataclasses.dataclass
class CategoryDrops:
    """The dropped categories as of one month, one row each, by customer row, then value (largest first)."""
    row: np.ndarray              # the customer's row in the series
    name: np.ndarray             # the category (text)
    streak: np.ndarray           # L_g: months in a row at or below the low threshold, ending at the as-of month
    bought: np.ndarray           # B_g: months with a positive amount among the window before the streak
    units: np.ndarray            # the category's amount in the 12 months before the streak (units)

    def narrow(self, keep: np.ndarray) -> "CategoryDrops":
        kept = keep[self.row]
        return CategoryDrops(renumbered(keep)[self.row[kept]], self.name[kept], self.streak[kept], self.bought[kept],
                             self.units[kept])

    def names_by_customer(self, customers: int) -> list[list[str]]:
        """Per customer row, the names of their dropped categories (empty when none)."""
        out: list[list[str]] = [[] for _ in range(customers)]
        for row, name in zip(self.row.tolist(), self.name.tolist()):
            out[row].append(name)
        return out

    def units_by_customer(self, customers: int) -> np.ndarray:
        """Per customer row, the exact total of their dropped categories' values (units)."""
        total = np.zeros(customers, np.int64)
        np.add.at(total, self.row, self.units)
        return total

    def any_by_customer(self, customers: int) -> np.ndarray:
        flagged = np.zeros(customers, bool)
        flagged[self.row] = True
        return flagged


def low_units(settings: Settings) -> int:
    """X for a category month, in amount units: the low threshold when the rules count the amount, else 0."""
    return money.at_most(settings.low_threshold) if settings.measure == "amount" else 0


def dropped_as_of(cells: CategoryCells, series: MonthlySeries, column: int, dormant: np.ndarray,
                  settings: Settings) -> CategoryDrops:
    """The categories dropped as of month ``column`` (of the series), given each customer's Z as of it.

    Category g of customer c is dropped when L_g ≥ N_c, B_g ≥ M (the W months before the streak) and
    Z < L_g: the customer bought something after they stopped buying g.
    """
    within = cells.column <= column
    pair, col, units = cells.pair[within], cells.column[within], cells.units[within]
    pairs = len(cells.pair_row)
    start = series.start[cells.pair_row]
    last_high = np.full(pairs, -1, np.int64)
    high = units > low_units(settings)
    np.maximum.at(last_high, pair[high], col[high])
    streak = column - np.maximum(last_high, start - 1)        # within the customer's history
    end = column - streak                                     # the last month before the streak
    bought_cell = (units > 0) & (col <= end[pair]) & (col > end[pair] - settings.category_window)
    bought = np.bincount(pair[bought_cell], minlength=pairs)
    value_cell = (col <= end[pair]) & (col > end[pair] - VALUE_MONTHS)
    value = money.unit_sums(pair[value_cell], units[value_cell], pairs) if pairs else np.zeros(0, np.int64)
    dropped = ((streak >= settings.category_months) & (bought >= settings.category_min_months)
               & (start <= column) & (dormant[cells.pair_row] < streak))
    picked = np.flatnonzero(dropped)
    rows = cells.pair_row[picked]
    order = np.lexsort((cells.pair_name[picked], -value[picked], rows))
    picked = picked[order]
    return CategoryDrops(cells.pair_row[picked], np.asarray(cells.names, dtype=object)[cells.pair_name[picked]],
                         streak[picked], bought[picked], value[picked])


def flagged_by_month(cells: CategoryCells, series: MonthlySeries, columns: int, dormant: np.ndarray,
                     settings: Settings) -> np.ndarray:
    """months × customers: whether the customer had a dropped category as of each of the first ``columns``
    months (``dormant``: Z as of every month, customers × months): ``dropped_as_of`` month by month, or the
    same rule on dense pairs × months matrices when they are small enough."""
    customers, width = series.values.shape
    pairs = len(cells.pair_row)
    if pairs * width > DENSE_PAIR_MONTHS:
        out = np.zeros((columns, customers), bool)
        for column in range(columns):
            out[column] = dropped_as_of(cells, series, column, dormant[:, column], settings).any_by_customer(customers)
        return out
    units = np.zeros((pairs, width), np.int64)
    units[cells.pair, cells.column] = cells.units
    month = np.arange(width)[None, :]
    start = series.start[cells.pair_row][:, None]
    last_high = np.maximum.accumulate(np.where(units > low_units(settings), month, -1), axis=1)
    end = np.maximum(last_high, start - 1)                      # the last month before the streak
    streak = month - end
    bought_before = np.zeros((pairs, width + 1), np.int64)     # column j: positive months before column j
    np.cumsum(units > 0, axis=1, out=bought_before[:, 1:])
    bought = (np.take_along_axis(bought_before, end + 1, axis=1)
              - np.take_along_axis(bought_before, np.maximum(end + 1 - settings.category_window, 0), axis=1))
    dropped = ((streak >= settings.category_months) & (bought >= settings.category_min_months) & (start <= month)
               & (dormant[cells.pair_row] < streak))[:, :columns]
    out = np.zeros((customers, columns), bool)
    if pairs:
        first = np.flatnonzero(np.r_[True, cells.pair_row[1:] != cells.pair_row[:-1]])
        out[cells.pair_row[first]] = np.logical_or.reduceat(dropped, first, axis=0)
    return out.T
