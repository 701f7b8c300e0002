"""Reading dates and values the way people type them (SPEC "Input: order lines").

Cells arrive as text (the reader turns every cell into text so that nothing is lost,
e.g. the leading zeros of ``00042``). Dates: real dates (``2024-03-05 00:00:00``),
Excel serial numbers, ``2024-03-05``, ``2024/3/5``, ``2024年3月5日``, and a format the
user names (``DD.MM.YYYY``). Dates of numbers only with the year last (``15/03/2024``,
``3.15.24``) are read day first or month first when the sheet's own dates prove which
(``numeric_date_order``: a first number above 12 is a day); when nothing proves it they
are not guessed. Values: numbers, or text with currency signs and thousands
separators (``¥1,200.50``); a decimal comma (``1 200,50``) only when the user says so,
and even then a plain machine number such as ``1200.5`` (how a number cell arrives) is
read as it is.
Unreadable cells become NaT/NaN; the caller reports them. So do dates outside the years
1678–2261 (what a ``datetime64[ns]`` holds: ``9999-12-31`` is a placeholder, not an order) and
numbers too large to hold (``1e400``, ``inf``); the caller also reports dates in the future
(``future_cutoff``).
"""
from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

_EXCEL_EPOCH = np.datetime64("1899-12-30", "D")
_MAX_SERIAL = 2958465  # 9999-12-31
# whole years that a datetime64[ns] holds
_FIRST_DAY, _LAST_DAY = pd.Timestamp(pd.Timestamp.min.year + 1, 1, 1), pd.Timestamp(pd.Timestamp.max.year - 1, 12, 31)
DATE_RANGE = f"{_FIRST_DAY.year}–{_LAST_DAY.year}"
FUTURE_GRACE_DAYS = 7
LARGEST_VALUE = 1e15     # no order line is worth this; beyond it, sums of many lines lose their cents or overflow
_WORK = "datetime64[us]"      # parsing works at a resolution that holds any date a cell can say
_YMD = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?\s*$")
_NUMERIC_DATE = re.compile(r"^\s*(\d{1,2})\s*([-/.])\s*(\d{1,2})\s*\2\s*(\d{4}|\d{2})"
                           r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?\s*$")
DAY_FIRST, MONTH_FIRST = "DD/MM/YYYY", "MM/DD/YYYY"
_CURRENCY = re.compile(r"[¥￥$€£\s\u00a0]|RMB|CNY|USD|EUR|元", re.IGNORECASE)
_FORMAT_TOKENS = (("YYYY", "%Y"), ("YY", "%y"), ("MM", "%m"), ("DD", "%d"), ("M", "%m"), ("D", "%d"))


def strftime_format(user_format: str) -> str:
    """Turn ``DD.MM.YYYY`` (or a ready ``%d.%m.%Y``) into a strftime format."""
    if "%" in user_format:
        return user_format
    out = user_format.upper()
    for token, code in _FORMAT_TOKENS:
        out = out.replace(token, code.replace("%", "\0"))
    return out.replace("\0", "%")


def read_dates(text: pd.Series, user_format: str | None = None, numeric_order: str | None = None) -> pd.Series:
    """Dates (day precision) from text cells, any year; NaT where unreadable.

    ``numeric_order`` (``DAY_FIRST`` or ``MONTH_FIRST``, see ``numeric_date_order``) reads dates
    such as ``15/03/2024`` that no ``user_format`` reads.
    """
    text = as_text(text)
    out = pd.to_datetime(text, format="%Y-%m-%d %H:%M:%S", errors="coerce").astype(_WORK)
    todo = out.isna() & text.notna()
    if todo.any():
        out[todo] = _parse_rest(text[todo].astype(object), user_format, numeric_order)
    return out.dt.normalize()


def numeric_dates(text: pd.Series) -> pd.DataFrame:
    """The two leading numbers and the year of each text date written in numbers only, year last
    (``15/03/2024``, ``3.15.24``; one separator throughout); only the rows that are such dates."""
    parts = as_text(text).astype(object).str.extract(_NUMERIC_DATE)
    found = parts[0].notna()
    return pd.DataFrame({"first": parts.loc[found, 0].astype(int), "second": parts.loc[found, 2].astype(int),
                         "year": parts.loc[found, 3].map(_full_year)}, index=parts.index[found])


def numeric_date_order(text: pd.Series) -> str | None:
    """``DAY_FIRST`` or ``MONTH_FIRST`` when the numeric text dates prove it — some have a first number
    above 12 (a day) and none a second one above 12, or the other way round; else None (none such, all
    numbers 12 or below, or both forms)."""
    parts = numeric_dates(text)
    first, second = parts["first"] > 12, parts["second"] > 12          # both: no date in either order
    day_first, month_first = bool((first & ~second).any()), bool((second & ~first).any())
    if day_first != month_first:
        return DAY_FIRST if day_first else MONTH_FIRST
    return None


def _full_year(year: str) -> int:
    """A year of four digits as it is; of two, as strptime's ``%y`` reads it (69–99: 1900s, else 2000s)."""
    number = int(year)
    return number if len(year) == 4 else number + (1900 if number >= 69 else 2000)


def future_cutoff(today: dt.date) -> pd.Timestamp:
    """The latest date an order line can have: the end of the current month, or a week ahead when that is later
    (an order booked for next Monday is real; a typo of 2261 for 2026 is not)."""
    today = pd.Timestamp(today)
    return max(today + pd.offsets.MonthEnd(0), today + pd.Timedelta(days=FUTURE_GRACE_DAYS))


def dates_in_range(dates: pd.Series) -> pd.Series:
    """``read_dates``' dates as datetime64[ns]; NaT for those outside ``DATE_RANGE``."""
    return dates.where(dates.between(_FIRST_DAY, _LAST_DAY)).astype("datetime64[ns]")


def _parse_rest(text: pd.Series, user_format: str | None, numeric_order: str | None) -> pd.Series:
    out = pd.Series(pd.NaT, index=text.index, dtype=_WORK)
    if user_format:
        out = pd.to_datetime(text, format=strftime_format(user_format), errors="coerce").astype(_WORK)
    serial = pd.to_numeric(text, errors="coerce")
    is_serial = out.isna() & serial.between(1, _MAX_SERIAL) & (serial != 60)
    if is_serial.any():
        days = np.floor(serial[is_serial].to_numpy(float)).astype("int64")
        days = np.where(days < 60, days + 1, days)  # Excel counts a 29 Feb 1900 that never was
        out[is_serial] = _EXCEL_EPOCH + days.astype("timedelta64[D]")
    left = out.isna() & serial.isna()
    if left.any():
        parts = text[left].str.extract(_YMD)
        ymd = parts.dropna().astype(int)
        out[ymd.index] = pd.to_datetime(
            pd.DataFrame({"year": ymd[0], "month": ymd[1], "day": ymd[2]}), errors="coerce").astype(_WORK)
    left = out.isna() & serial.isna()
    if numeric_order and left.any():
        parts = numeric_dates(text[left])
        day, month = ("first", "second") if numeric_order == DAY_FIRST else ("second", "first")
        out[parts.index] = pd.to_datetime(
            pd.DataFrame({"year": parts["year"], "month": parts[month], "day": parts[day]}), errors="coerce"
        ).astype(_WORK)
    return out


def parse_values(text: pd.Series, decimal_comma: bool = False) -> pd.Series:
    """Numbers from text cells (float); NaN where unreadable or not finite."""
    text = as_text(text)
    out = pd.Series(pd.to_numeric(text, errors="coerce").to_numpy(float, copy=True), index=text.index)
    todo = out.isna() & text.notna()
    if todo.any():
        out[todo] = _clean_numbers(text[todo].astype(object), decimal_comma).to_numpy(float)
    return out.where(np.isfinite(out))


def as_text(cells: pd.Series) -> pd.Series:
    """Cells as trimmed Arrow strings, empty ones as missing."""
    return pd.Series(clean_text(arrow_text(cells)), index=cells.index, dtype=pd.ArrowDtype(pa.string()))


def arrow_text(cells: pd.Series) -> pa.Array:
    """Cells as an Arrow string array, as they are (``as_text`` without the trimming)."""
    if isinstance(cells.dtype, pd.ArrowDtype):
        return pa.array(cells.array)
    return pa.array(cells.astype(object).where(cells.notna(), None), type=pa.string(), from_pandas=True)


def clean_text(array: pa.Array) -> pa.Array:
    """Trimmed, and empty text as missing."""
    trimmed = pc.utf8_trim_whitespace(array)
    return pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)


def exact_text(array: pa.Array) -> pa.Array:
    """As written, but a text of nothing but spaces as missing (customer keys: ``" x"`` is not ``"x"``)."""
    return pc.if_else(pc.equal(pc.utf8_trim_whitespace(array), ""), pa.scalar(None, pa.string()), array)


def _clean_numbers(text: pd.Series, decimal_comma: bool) -> pd.Series:
    cleaned = text.str.replace(_CURRENCY, "", regex=True)
    negative = cleaned.str.match(r"^\(.*\)$").astype(bool).to_numpy()
    cleaned = cleaned.str.strip("()")
    if decimal_comma:
        cleaned = cleaned.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    else:
        cleaned = cleaned.str.replace(r",(?=\d{3}(?:\D|$))", "", regex=True)
    plain = cleaned.str.fullmatch(r"[-+]?\d*\.?\d+(?:[eE][-+]?\d+)?").astype(bool)
    numbers = pd.to_numeric(cleaned.where(plain), errors="coerce").to_numpy(float)
    return pd.Series(np.where(negative, -numbers, numbers), index=text.index)
