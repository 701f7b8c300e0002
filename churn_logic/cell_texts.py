"""Cell texts read once each, as order lines read them (SPEC "Input: order lines"), for order lines that stay
where they are: a database or a folder of Parquet files sends its distinct date and amount texts and gets back
what each reads as — the reading ``orders.normalise`` gives the cells of a sheet — and the bounds an order
line's date and value must keep to when they are typed (a DATE, a DECIMAL column).
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from . import money
from .parsing import (LARGEST_VALUE, dates_in_range, future_cutoff, numeric_date_order, parse_values,
                      read_dates)
from .parsing import _FIRST_DAY, _LAST_DAY
from .settings import Settings

UNITS_PER_ONE = money.SCALE     # a typed amount (DECIMAL, DOUBLE) × this, rounded, is its exact units


def date_bounds(today: dt.date) -> tuple[int, int]:
    """The first and last day (days since 1970-01-01) an order line may be dated: the years a date is read
    in, and not in the future."""
    first = (_FIRST_DAY - pd.Timestamp(0)).days
    last = (min(_LAST_DAY, future_cutoff(today).normalize()) - pd.Timestamp(0)).days
    return first, last


def read_date_texts(texts: pd.Series, settings: Settings, today: dt.date) -> tuple[pd.DataFrame, str | None]:
    """Of distinct date texts, those that date an order line: ``text``, ``day`` and ``month`` (integers, as
    ``periods``) and ``day_of_month``; and how numeric dates were read (``parsing.DAY_FIRST`` …, None when nothing
    proved it)."""
    order = None if settings.date_format else numeric_date_order(texts)
    dates = dates_in_range(read_dates(texts, settings.date_format, order))
    first, last = date_bounds(today)
    day = dates.to_numpy("datetime64[D]").astype(np.int64)
    good = dates.notna().to_numpy() & (day >= first) & (day <= last)
    picked = dates[good]
    return pd.DataFrame({"text": texts.to_numpy(object)[good], "day": day[good],
                         "month": picked.dt.year.to_numpy(np.int64) * 12 + picked.dt.month.to_numpy(np.int64) - 1,
                         "day_of_month": picked.dt.day.to_numpy(np.int64)}), order


def read_value_texts(texts: pd.Series, settings: Settings) -> pd.DataFrame:
    """Of distinct amount (or quantity) texts, those that are numbers an order line can have: ``text`` and
    ``units`` (``money.to_units``)."""
    values = parse_values(texts, settings.decimal_comma).to_numpy(float)
    good = np.isfinite(values) & (np.abs(np.nan_to_num(values)) < LARGEST_VALUE)
    return pd.DataFrame({"text": texts.to_numpy(object)[good], "units": money.to_units(values[good])})
