"""Purchase days: each customer's history in the form a buy-till-you-die model is fitted on (SPEC "Probability
of no order").

A **purchase** is a day on which the customer has an order line with a positive amount: the event
``p_no_order`` is about is such a line, and several orders (or lines) on one day are one purchase, as in
lifetimes' ``summary_data_from_transaction_data``. Counting days rather than order numbers needs no order
column and is not fooled by an order split over several numbers. Time is counted in **days**, the finest
unit every order book has (weeks would merge a customer's purchases of one week).

Observed up to the end of a month E (the last day of E, day ``e``), a customer who bought first on day f
has **x** = purchase days after f (repeat purchases), **t_x** = last purchase day − f, **T** = e − f; the
months after E are the days (e, e + t].
"""
from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from .periods import day_numbers


def month_start_day(month: int | np.ndarray) -> np.ndarray:
    """The day number (days since 1970-01-01) of the first day of a month integer (``periods``)."""
    return _per_month(month, _first_days)


def month_end_day(month: int) -> int:
    """The day number of the last day of a month."""
    return int(month_end_days(np.asarray(month)))


def month_end_days(month: np.ndarray) -> np.ndarray:
    """The day number of the last day of each month integer, as int32."""
    return _per_month(month, lambda months: (_first_days(months + 1) - 1).astype(np.int32))


def _per_month(month: int | np.ndarray, of) -> np.ndarray:
    """``of`` the months, of many months worked out once per month they span and looked up for each (in the
    months' own type: a column of 33 million int32 months is not made int64 first)."""
    month = np.asarray(month)
    low = month.min() if month.size else 0
    if month.size <= 1 or month.max() - low >= month.size:
        return of(month)
    return of(np.arange(low, month.max() + 1))[month - low]


def _first_days(month: np.ndarray) -> np.ndarray:
    return (np.asarray(month, np.int64) - 1970 * 12).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)


def purchase_days_of_bits(bits: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per customer-month, from its purchase days as the bits of a number (day 1 of the month: bit 1 …): how
    many there are, and the days of the month of the first and last (0 where there is none), as int8."""
    bits = np.asarray(bits, np.int64)
    _, lowest = np.frexp((bits & -bits).astype(np.float64))  # 2^d is 0.5 · 2^(d+1): exact below 2^53
    _, highest = np.frexp(bits.astype(np.float64))
    bought = bits > 0
    return (np.bitwise_count(bits).astype(np.int8), np.where(bought, lowest - 1, 0).astype(np.int8),
            np.where(bought, highest - 1, 0).astype(np.int8))


def days_of(dates: pd.Series) -> np.ndarray:
    """Each date's day number (any time of day, or time zone, dropped)."""
    days = day_numbers(dates)
    if days is None:
        local = dates.dt.tz_localize(None) if getattr(dates.dt, "tz", None) is not None else dates
        days = local.to_numpy("datetime64[D]").astype(np.int64)
    return days


@dataclasses.dataclass(frozen=True)
class Summary:
    """Per customer, observed up to one day: whether they have bought at all, and x, t_x, T (days; 0 where not)."""
    bought: np.ndarray
    x: np.ndarray
    t_x: np.ndarray
    T: np.ndarray


class PurchaseDays:
    """The distinct (customer row, purchase day) pairs of order lines, sorted by row, then day."""

    def __init__(self, rows: np.ndarray, days: np.ndarray, amounts: np.ndarray, customers: int):
        positive = amounts > 0
        rows, days = rows[positive].astype(np.int64), days[positive]
        self.customers = customers
        first = int(days.min()) if len(days) else 0
        span = (int(days.max()) - first + 1) if len(days) else 1
        pairs = np.sort(rows * span + (days - first))       # sorting is faster than np.unique's hashing
        first_of_run = np.ones(len(pairs), bool)
        first_of_run[1:] = pairs[1:] != pairs[:-1]
        pairs = pairs[first_of_run]
        self.rows, self.days = pairs // span, pairs % span + first

    def summary(self, last_day: int) -> Summary:
        """The history of every customer observed up to the end of day ``last_day``."""
        kept = self.days <= last_day
        rows, days = self.rows[kept], self.days[kept]
        count = np.bincount(rows, minlength=self.customers)
        bought = count > 0
        ends = np.cumsum(count)[bought]                  # pairs are sorted: each row's days are one run
        first = np.zeros(self.customers, np.int64)
        last = np.zeros(self.customers, np.int64)
        first[bought] = days[ends - count[bought]]
        last[bought] = days[ends - 1]
        return Summary(bought, np.maximum(count - 1, 0), np.where(bought, last - first, 0),
                       np.where(bought, last_day - first, 0))

    def bought_between(self, after_day: int, last_day: int) -> np.ndarray:
        """Per customer, whether they have a purchase day in (``after_day``, ``last_day``]."""
        within = (self.days > after_day) & (self.days <= last_day)
        return np.bincount(self.rows[within], minlength=self.customers) > 0
