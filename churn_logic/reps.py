"""Rep turnover: sales reps who left, and the customers they served (docs/spec.md "Rep turnover").

A rep is *departed* as of a month when no order line names them in the ``rep_gone_months`` months ending
there (they have lines before), or when the user marked them as gone. A customer's rep as of a month is
the rep on their latest line up to then that names one (as ``model.LatestLines`` picks it).
"""
from __future__ import annotations

import dataclasses
import functools
from typing import Callable, Iterable, Sequence

import numpy as np
import pandas as pd

from . import money
from .codes import sorted_codes
from .monthly import MonthlySeries
from .periods import month_label

NONE = -1


@dataclasses.dataclass
class RepMonths:
    """Who served whom, month by month."""
    names: pd.Index              # the reps' names, sorted
    last_column: np.ndarray      # reps × months: the latest month (column) with a line naming the rep, up to then
    make_rep_by_month: Callable[[], np.ndarray]     # made when first needed: a pass over every line

    @functools.cached_property
    def rep_by_month(self) -> np.ndarray:
        """customers × months: the customer's rep as of each month (position in ``names``; -1: none yet)."""
        return self.make_rep_by_month()

    def narrow(self, keep: np.ndarray) -> "RepMonths":
        """The customers where ``keep`` is True; the reps' months stay those of the whole book."""
        return RepMonths(self.names, self.last_column, lambda: self.rep_by_month[keep])

    def departed(self, gone_months: int, marked: Iterable[str] = ()) -> np.ndarray:
        """reps × months: departed as of each month (no line in the last ``gone_months`` months, or marked)."""
        columns = np.arange(self.last_column.shape[1])[None, :]
        gone = (self.last_column >= 0) & (self.last_column <= columns - gone_months)
        marks = {str(name).strip().casefold() for name in marked}
        for rep, name in enumerate(self.names):
            if str(name).casefold() in marks:
                gone[rep] |= self.last_column[rep] >= 0
        return gone

    def flagged_by_month(self, gone_months: int, columns: int) -> np.ndarray:
        """months × customers: the customer's rep as of the month was departed then (the lines alone)."""
        gone = self.departed(gone_months)[:, :columns]
        reps = self.rep_by_month[:, :columns]
        if not len(self.names):
            return np.zeros(reps.T.shape, bool)
        return ((reps >= 0) & gone[np.maximum(reps, 0), np.arange(columns)[None, :]]).T


def rep_months(lines: pd.DataFrame, codes: np.ndarray, months: np.ndarray, when: np.ndarray,
               series: MonthlySeries) -> RepMonths:
    """``RepMonths`` of order lines (``codes``: each line's row in ``series``; ``when``: larger is later)."""
    customers, width = series.values.shape
    if "rep" not in lines.columns:
        return RepMonths(pd.Index([], dtype=object), np.zeros((0, width), np.int64),
                         lambda: np.full((customers, width), NONE, np.int64))
    rep_of_line, names = sorted_codes(lines["rep"])
    named = rep_of_line >= 0
    everything = bool(named.all())
    column = (months if everything else months[named]) - series.first_month
    reps = rep_of_line if everything else rep_of_line[named]
    has_line = np.bincount(reps * width + column, minlength=len(names) * width).reshape(len(names), width) > 0
    last_column = _carried(np.where(has_line, np.arange(width)[None, :], NONE))

    def by_month() -> np.ndarray:
        positions = np.flatnonzero(named)
        cell = codes[positions].astype(np.int64) * width + column
        # the latest line of each cell: the largest (when, position), one number per line
        order = (when[positions] - (when[positions].min() if len(positions) else 0)) * len(lines) + positions
        latest = np.full(customers * width, NONE, np.int64)
        np.maximum.at(latest, cell, order)
        best = np.where(latest >= 0, latest % max(len(lines), 1), NONE)
        return _filled(np.where(best >= 0, rep_of_line[np.maximum(best, 0)], NONE).reshape(customers, width))

    return RepMonths(pd.Index(names), last_column, by_month)


def rep_months_of_sums(rep_texts: np.ndarray, rep_columns: np.ndarray, rows: np.ndarray, columns: np.ndarray,
                       latest_reps: np.ndarray, series: MonthlySeries) -> RepMonths:
    """``RepMonths`` from what a source worked out itself: the (rep, month column) pairs of its lines that name a
    rep, and per customer row and month column with such lines the rep on the latest of them (``latest_reps``)
    — exactly what ``rep_months`` makes of the lines behind them."""
    customers, width = series.values.shape
    rep_codes, names = sorted_codes(pd.Series(rep_texts, dtype=object))
    has_line = np.zeros((len(names), width), bool)
    has_line[rep_codes, rep_columns] = True
    in_cell = np.full((customers, width), NONE, np.int64)
    in_cell[rows, columns] = pd.Index(names).get_indexer(pd.Series(latest_reps, dtype=object))
    last_column = _carried(np.where(has_line, np.arange(width)[None, :], NONE))
    return RepMonths(pd.Index(names), last_column, lambda: _filled(in_cell))


def _carried(columns: np.ndarray) -> np.ndarray:
    """Per row, the latest column up to each month that is not NONE (NONE before the first)."""
    return np.maximum.accumulate(columns, axis=1)


def _filled(in_cell: np.ndarray) -> np.ndarray:
    """Per row and month, the value of the latest month up to then that has one (NONE before)."""
    filled = _carried(np.where(in_cell >= 0, np.arange(in_cell.shape[1])[None, :], NONE))
    return np.where(filled >= 0, np.take_along_axis(in_cell, np.maximum(filled, 0), axis=1), NONE)


@dataclasses.dataclass
class RepTurnover:
    """The departed reps and their customers as of the as-of month."""
    reps: pd.DataFrame           # rep, last_month (YYYY-MM), marked (bool), customers, taken_over, still_theirs
    customers: pd.DataFrame      # one row per customer of a departed rep (see ``turnover``)
    rep_departed: np.ndarray     # per customer row of the series: their rep (as of the as-of month) is departed

    def narrow(self, keep: np.ndarray, keys: Iterable[str]) -> "RepTurnover":
        """The customers where ``keep`` (per row of the series) is True, whose ``keys`` these are."""
        kept = self.customers["customer"].isin(set(keys))
        return dataclasses.replace(self, customers=self.customers[kept].reset_index(drop=True),
                                   rep_departed=self.rep_departed[keep])


CUSTOMER_COLUMNS = ["customer", "departed_rep", "rep_last_month", "value_before", "value_since", "months_since",
                    "taken_over_by"]


def turnover(rep: RepMonths, series: MonthlySeries, keys: np.ndarray, current_rep: Sequence, gone_months: int,
             marked: Iterable[str] = ()) -> RepTurnover:
    """As of the series' as-of month: the departed reps, and per customer the latest departed rep who served them
    (their rep as of the rep's last month), given each customer's rep now (``current_rep``), the customer's amount in the 12 months up to that month and in the
    months since, and who serves them now when it is someone else."""
    customers, width = series.values.shape
    last = width - 1
    gone = rep.departed(gone_months, marked)[:, last] if len(rep.names) else np.zeros(0, bool)
    marked_set = {str(name).strip().casefold() for name in marked}
    current = rep.names.get_indexer(pd.Index(current_rep, dtype=object)) if len(rep.names) \
        else np.full(customers, NONE)
    rep_departed = (current >= 0) & gone[np.maximum(current, 0)] if len(rep.names) else np.zeros(customers, bool)
    departed = np.flatnonzero(gone)
    left = rep.last_column[departed, last]
    chosen = np.full(customers, NONE, np.int64)            # per customer: the departed rep, latest month first
    for rep_index, column in sorted(zip(departed.tolist(), left.tolist()), key=lambda pair: pair[1]):
        served = rep.rep_by_month[:, column] == rep_index
        chosen[served] = rep_index
    rows = np.flatnonzero(chosen >= 0)
    reps_of_rows = chosen[rows]
    rep_last = rep.last_column[reps_of_rows, last]
    before = series.window_sum(series.amount[rows], rep_last, 12) if len(rows) else np.zeros(0)
    since_units = _since(series.amount[rows], rep_last)
    names = np.asarray(rep.names, dtype=object)
    now = current[rows]
    taken = np.where((now >= 0) & (now != reps_of_rows), names[np.maximum(now, 0)] if len(names) else None, None)
    frame = pd.DataFrame({
        "customer": keys[rows], "departed_rep": names[reps_of_rows] if len(rows) else [],
        "rep_last_month": [month_label(series.first_month + c) for c in rep_last.tolist()],
        "value_before": before, "value_since": money.shown(since_units), "months_since": last - rep_last,
        "taken_over_by": taken}, columns=CUSTOMER_COLUMNS)
    summary = pd.DataFrame({
        "rep": names[departed] if len(departed) else [],
        "last_month": [month_label(series.first_month + c) for c in left.tolist()],
        "marked": [str(names[r]).casefold() in marked_set for r in departed.tolist()],
        "customers": [int((reps_of_rows == r).sum()) for r in departed.tolist()],
        "taken_over": [int(((reps_of_rows == r) & pd.notna(taken)).sum()) for r in departed.tolist()],
    })
    return RepTurnover(summary, frame, rep_departed)


def _since(amount: np.ndarray, after: np.ndarray) -> np.ndarray:
    """Per row, the exact total of the columns after column ``after[row]``."""
    if not len(amount):
        return np.zeros(0, np.int64)
    later = np.arange(amount.shape[1])[None, :] > after[:, None]
    return np.where(later, amount, 0).sum(axis=1)
