"""A worksheet as the package writes it: cells with their looks, column widths, tables, drop-downs, charts.

What goes where on the sheet is decided above this layer (``addin.workbooks.layout``); here a
sheet is only cells and the parts that refer to them.
"""
from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np
import pandas as pd

from .styles import Style

EXCEL_TEXT_MAX = 32_767             # the most characters a cell holds
CUT_MARK = "…"
LIST_SEPARATOR = "; "                # the texts of a list in one cell


@dataclasses.dataclass(frozen=True)
class Formula:
    """A formula cell: ``text`` starts with ``=``; ``cached`` is the value it last showed. Any other text is
    always written as text, never as a formula."""
    text: str
    cached: Any = None


@dataclasses.dataclass(frozen=True)
class TableSpec:
    """An Excel table (with filters) over ``ref``, whose first row holds ``headers``."""
    name: str
    ref: str
    headers: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class Series:
    """A chart series: its name, the cells it reads (``'Sheet'!$C$5:$C$9``) and their values, cached."""
    name: str
    ref: str
    values: tuple[Any, ...]


@dataclasses.dataclass(frozen=True)
class ChartSpec:
    """A native line or column chart, anchored from cell (``left``, ``top``) over ``columns`` × ``rows`` cells."""
    title: str
    kind: str                       # "line" or "column"
    categories: Series
    series: tuple[Series, ...]
    left: int                       # 0-based column and row of the top-left corner
    top: int
    columns: int
    rows: int


@dataclasses.dataclass(frozen=True)
class ListValidation:
    """A drop-down offering ``choices`` on ``sqref`` (other values stay allowed)."""
    sqref: str
    choices: tuple[str, ...]


@dataclasses.dataclass
class Worksheet:
    name: str
    cells: dict[int, list[tuple[int, Any, Style]]]     # row -> (column, value, look), both 1-based
    widths: dict[int, float]                           # column -> width
    last_column: int
    last_row: int
    frozen_rows: int = 0
    tab_color: str | None = None                       # ARGB
    validations: list[ListValidation] = dataclasses.field(default_factory=list)
    tables: list[TableSpec] = dataclasses.field(default_factory=list)
    charts: list[ChartSpec] = dataclasses.field(default_factory=list)
    styles: tuple[Style, ...] = ()                     # looks to add to the workbook's styles first, in this order


def column_letter(index: int) -> str:
    """``A`` for 1, ``AA`` for 27."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def fit_text(value: Any) -> Any:
    """A text cut to what one cell holds (ending in an ellipsis); anything else as it is."""
    if isinstance(value, str) and len(value) > EXCEL_TEXT_MAX:
        return value[:EXCEL_TEXT_MAX - len(CUT_MARK)] + CUT_MARK
    return value


def cell_value(value: Any) -> Any:
    """What a cell holds for a value of the engine's frames: numpy scalars as Python values, pandas' and numpy's
    dates as ``datetime``, anything missing (None, NaN, NaT) as None (an empty cell), a list of texts (a customer's
    dropped categories) as one text."""
    if isinstance(value, list):
        return LIST_SEPARATOR.join(value)
    if isinstance(value, np.datetime64):
        return None if np.isnat(value) else pd.Timestamp(value).to_pydatetime()
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    return value.to_pydatetime() if isinstance(value, pd.Timestamp) else value


def is_number(value: Any) -> bool:
    """A finite number (not a bool): what a chart can plot."""
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_)) \
        and math.isfinite(float(value))
