"""Calendar months as integers, and the default as-of month (SPEC "Periods").

A month is represented by ``year * 12 + (month - 1)`` so that consecutive months
are consecutive integers and month arithmetic is plain integer arithmetic.
"""
from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd

_MONTH_RE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?(?:\s*[-/.]\s*1\s*日?|\s*[-/.]\s*01)?"
                       r"(?:\s+00:00:00)?\s*$")


def month_index(year: int, month: int) -> int:
    """The integer of a calendar month."""
    return year * 12 + month - 1


def month_label(index: int) -> str:
    """``YYYY-MM`` for a month integer."""
    year, month0 = divmod(int(index), 12)
    return f"{year:04d}-{month0 + 1:02d}"


def parse_month(text: str) -> int:
    """Parse ``YYYY-MM`` (also ``YYYY/MM``, ``YYYY年MM月``, and a first-of-month date as Excel makes of a typed month)."""
    match = _MONTH_RE.match(str(text))
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(f"'{text}' is not a month; write it as YYYY-MM, e.g. 2024-06")
    return month_index(int(match.group(1)), int(match.group(2)))


_DAY_NS = 86_400 * 10**9


def day_numbers(dates: pd.Series) -> np.ndarray | None:
    """Each date's day as days since 1970-01-01 (any time of day dropped); None when a date is missing
    or the dates are not plain datetime64 (e.g. they carry a time zone)."""
    values = dates.to_numpy()
    if values.dtype.kind != "M" or np.isnat(values).any():
        return None
    return values.astype("datetime64[ns]").view(np.int64) // _DAY_NS       # floor division: faster than a cast


def months_of(dates: pd.Series, days: np.ndarray | None = None) -> np.ndarray:
    """Month integers of a datetime64 series (``days``: its ``day_numbers``, when already known)."""
    days = day_numbers(dates) if days is None else days
    if days is None or not len(days):
        return (dates.dt.year.to_numpy(np.int64) * 12 + dates.dt.month.to_numpy(np.int64) - 1)
    first = days.min()
    calendar = np.arange(first, days.max() + 1).astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    return calendar[days - first] + 1970 * 12       # each day's month, looked up: a few thousand days, many lines


def default_as_of(latest_order: dt.date, today: dt.date) -> int:
    """SPEC "Periods": the month of the latest order when that month is over, else the month before it; never
    later than the last complete calendar month (an order booked for early next month does not end this one)."""
    latest = month_index(latest_order.year, latest_order.month)
    current = month_index(today.year, today.month)
    return min(latest if latest < current else latest - 1, current - 1)


INCOMPLETE_DAYS = 7


def may_be_incomplete(as_of: int, latest_order: dt.date) -> bool:
    """True when the data seems to stop early in the as-of month: its latest order line is in that month's
    first ``INCOMPLETE_DAYS`` days (an export made on the 3rd, say), and nothing comes later."""
    return month_index(latest_order.year, latest_order.month) == as_of and latest_order.day <= INCOMPLETE_DAYS
