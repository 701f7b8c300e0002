"""Turning the cells of order sheets into clean order lines (SPEC "Input: order lines").

A row whose date, customer or value cannot be read is not dropped silently: it is
returned in ``skipped`` with its sheet, Excel row number and what was wrong. Blank rows,
totals and subtotal rows (``Total``, ``合计``, ``本月小计``) and rows holding a single text
(a footnote) are not order lines and are not errors; they are counted (``ignored_rows``).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import os
from concurrent.futures import ThreadPoolExecutor
from typing import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pandas.api.types import union_categoricals

from .parsing import (DATE_RANGE, LARGEST_VALUE, arrow_text, clean_text, dates_in_range, exact_text, future_cutoff,
                      numeric_date_order, numeric_dates, parse_values, read_dates)
from .settings import Settings

TOTALS_WORDS = {"total", "totals", "grand total", "sum", "subtotal", "sub-total", "sub total", "合计", "总计", "小计",
                "总合计"}
_TOTALS_PATTERN = r"^(?:sub[- ]?totals?|grand totals?)\b|小计|合计|总计|累计"   # also 本月小计, Subtotal March
TEXT_FIELDS = ("name", "order", "product", "category", "rep", "region", "email")
IDENTIFIER_FIELDS = ("order",)     # nearly one text per line: plain text; other texts repeat and are categorical
EXACT_FIELDS = ("customer",)       # keys keep every character as written; other texts are trimmed
SKIPPED_COLUMNS = ["sheet", "row", "reason"]
_THREADS = min(4, os.cpu_count() or 1)     # fields of a sheet worked on at a time
_SHOWN = 30          # a reason shows at most this much of a cell's text
_TOTALS_WORDS = pa.array(sorted(TOTALS_WORDS))
_STRINGS = pd.Series(np.array(["text"], dtype=object)).dtype   # how pandas stores a column of strings


@dataclasses.dataclass
class RawSheet:
    """One sheet's order cells as text: ``cells[field]`` lines up with ``rows`` (Excel row numbers).

    ``sheet_dates``: the date texts of the whole sheet, when ``cells`` are only some of its rows (the order
    of its numeric dates is proved by all of them)."""
    sheet: str
    rows: np.ndarray
    cells: dict[str, pd.Series]
    sheet_dates: pd.Series | None = None


@dataclasses.dataclass
class OrderBook:
    """Clean order lines, the rows that could not be read, and how many were left out on purpose."""
    lines: pd.DataFrame
    skipped: pd.DataFrame
    ignored_rows: int = 0
    date_orders: dict[str, str] = dataclasses.field(default_factory=dict)   # sheet -> order its dates proved

    @property
    def fields(self) -> set[str]:
        return {f for f in (*TEXT_FIELDS, "quantity") if f in self.lines.columns}


def normalise(sheets: Sequence[RawSheet], settings: Settings, today: dt.date | None = None) -> OrderBook:
    """Order lines from raw sheets: customer (text, exact), date, amount, optional fields.

    A date after ``parsing.future_cutoff(today)`` is not an order line yet: the row is reported.
    """
    required = ("date", "customer", "amount", *(("quantity",) if settings.measure == "quantity" else ()))
    cutoff = future_cutoff(today or dt.date.today())
    books = []
    for raw in sheets:
        lines, skipped, ignored, date_order = _normalise_sheet(raw, settings, required, cutoff)
        books.append(OrderBook(lines, skipped, ignored, {raw.sheet: date_order} if date_order else {}))
    return combine(books)


def combine(books: Sequence[OrderBook], lines: pd.DataFrame | None = None,
            skipped: pd.DataFrame | None = None) -> OrderBook:
    """The order books of sheets normalised one by one (``normalise`` of each), as ``normalise`` of them all gives
    them: the lines one after the other, text fields categorical over all sheets' texts. ``lines`` and
    ``skipped``: their lines and skipped rows joined already (``combine_tables``); then only the books' ignored rows
    and date orders are read (and their skipped rows when ``skipped`` is None), and anything that has those will do
    for a book (the line cache's ``KeptBook``)."""
    if lines is None:
        lines = _concat([book.lines for book in books]) if books else _empty_lines()
    if skipped is None:
        skipped = pd.concat([book.skipped for book in books], ignore_index=True) if books \
            else pd.DataFrame(columns=SKIPPED_COLUMNS)
    return OrderBook(lines=lines, skipped=skipped, ignored_rows=sum(book.ignored_rows for book in books),
                     date_orders={sheet: order for book in books for sheet, order in book.date_orders.items()})


def combine_tables(tables: Sequence[pa.Table]) -> pd.DataFrame | None:
    """The lines (or skipped rows) of several sheets, each as the Arrow table of its ``normalise``d lines
    (``pa.Table.from_pandas``, as the line cache keeps them), joined as ``combine`` joins their frames: converted to
    pandas once, each text field's categories made and checked once instead of once per sheet. None when the
    sheets' columns differ."""
    names = tables[0].column_names if tables else []
    if not tables or any(table.column_names != names for table in tables):
        return None
    texts = [name for name in names if pa.types.is_dictionary(tables[0].schema.field(name).type)]
    plain = [name for name in names if name not in texts]
    if any(table.select(plain).schema.remove_metadata() != tables[0].select(plain).schema.remove_metadata()
           or any(not pa.types.is_dictionary(table.schema.field(name).type) for name in texts) for table in tables):
        return None
    lines = pa.concat_tables([table.select(plain) for table in tables]).to_pandas()
    for name in texts:
        lines[name] = _joined_categorical([table.column(name) for table in tables])
    return lines[names]


def _joined_categorical(columns: list[pa.ChunkedArray]) -> pd.Categorical:
    """Dictionary-encoded columns one after the other, as one categorical whose categories are all their texts,
    sorted (what ``union_categoricals(..., sort_categories=True)`` makes of their categoricals)."""
    chunks = [pa.DictionaryArray.from_arrays(chunk.indices.cast(pa.int32()), chunk.dictionary.cast(pa.large_string()))
              for column in columns for chunk in column.chunks]     # not cast(): that drops texts no row has
    unified = pa.chunked_array(chunks, pa.dictionary(pa.int32(), pa.large_string())).unify_dictionaries()
    dictionary = unified.chunks[0].dictionary if unified.num_chunks else pa.array([], pa.large_string())
    indices = pa.chunked_array([chunk.indices for chunk in unified.chunks], pa.int32()).combine_chunks()
    codes, categories = _sorted_codes(dictionary, indices)
    return pd.Categorical.from_codes(codes, categories=categories, validate=False)


def _sorted_codes(dictionary: pa.Array, indices: pa.Array) -> tuple[np.ndarray, pd.Index]:
    """Per index, the position of its text among the dictionary's texts sorted (-1: missing), and those texts."""
    order = pc.array_sort_indices(dictionary).to_numpy()
    rank = np.empty(len(order), np.int64)
    rank[order] = np.arange(len(order))
    codes = np.where(indices.is_valid().to_numpy(zero_copy_only=False),
                     rank[indices.fill_null(0).to_numpy()] if len(rank) else -1, -1)
    return codes, pd.Index(_strings(dictionary.take(order)))


def no_customer_keys(texts: pa.Array) -> np.ndarray:
    """Per customer text, whether it is no customer's key: missing, nothing but spaces, or a totals word
    (``Total``, ``合计``, ``Subtotal March`` …), as a row of a sheet would be judged."""
    cells = _Cells(pd.Series(texts, dtype=pd.ArrowDtype(pa.string())), exact=True)
    return ~cells.present | cells.per_row(cells.distinct_totals_words())


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """The sheets' lines one after the other; text fields stay categorical, over all sheets' texts (each joined
    once, by ``union_categoricals``: pandas would first turn categoricals of different texts into objects)."""
    if len(frames) == 1:
        return pd.concat(frames, ignore_index=True)
    order = list(pd.concat([frame.iloc[:0] for frame in frames]).columns)
    texts = [field for field in ("customer", *TEXT_FIELDS) if field in order and field not in IDENTIFIER_FIELDS]
    lines = pd.concat([frame.drop(columns=texts, errors="ignore") for frame in frames], ignore_index=True)
    for field in texts:
        having = [frame[field] for frame in frames if field in frame.columns]
        dtype = next((column.dtype for column in having if not _no_texts(column)), having[0].dtype)
        parts = [frame[field].array if field in frame.columns and not _no_texts(frame[field])
                 else pd.Categorical.from_codes(np.full(len(frame), -1), dtype=dtype) for frame in frames]
        lines[field] = union_categoricals(parts, sort_categories=True)
    return lines[order]


def _no_texts(column: pd.Series) -> bool:
    """A categorical of no texts (every line missing), whose empty categories may be of another dtype than the
    other sheets' (a sheet without order lines from the line cache: object, not str): union_categoricals refuses it."""
    return isinstance(column.dtype, pd.CategoricalDtype) and not len(column.cat.categories)


def _empty_lines() -> pd.DataFrame:
    return pd.DataFrame({"customer": pd.Series(dtype=object), "date": pd.Series(dtype="datetime64[ns]"),
                         "amount": pd.Series(dtype=float), "sheet": pd.Series(dtype=object),
                         "row": pd.Series(dtype=np.int64)})


def _normalise_sheet(raw: RawSheet, settings: Settings, required: tuple[str, ...], cutoff: pd.Timestamp
                     ) -> tuple[pd.DataFrame, pd.DataFrame, int, str | None]:
    with ThreadPoolExecutor(_THREADS) as pool:
        cells = dict(zip(raw.cells, pool.map(_field_cells, raw.cells.items())))
    present = [cells[f].present for f in ("date", "customer", "amount") if f in cells]
    blank = ~np.logical_or.reduce(present) if present else np.ones(len(raw.rows), bool)
    totals = np.logical_or.reduce([column.totals for column in cells.values()]) if cells \
        else np.zeros(len(raw.rows), bool)
    note = _note_rows(cells, blank | totals)
    keep = ~(blank | totals | note)

    date_order = None if settings.date_format else \
        numeric_date_order(cells["date"].distinct if raw.sheet_dates is None else raw.sheet_dates)
    any_year = read_dates(cells["date"].distinct, settings.date_format, date_order)
    dates = dates_in_range(any_year)
    amounts = parse_values(cells["amount"].distinct, settings.decimal_comma).to_numpy(float)
    quantity = parse_values(cells["quantity"].distinct, settings.decimal_comma).to_numpy(float) \
        if "quantity" in cells else None
    if quantity is not None and "quantity" not in required:
        quantity = np.where(np.abs(quantity) >= LARGEST_VALUE, np.nan, quantity)     # unused by the rules: as unread
    parsed = {"date": dates, "amount": amounts, "quantity": quantity}
    problems = []         # (rows, words) for each kind of problem, in the order they are reported
    for field in required:
        if field != "customer" and parsed[field] is None:
            continue
        problems.append((~cells[field].present & keep, f"{field} is empty"))
        if field == "date":
            far = cells[field].per_row(any_year.notna() & dates.isna())
            unread = any_year.isna().to_numpy()
            undecided = np.zeros(len(unread), bool)
            if not settings.date_format and not date_order:
                undecided[numeric_dates(cells[field].distinct).index] = True
            unreadable = cells[field].per_row(unread & ~undecided) & cells[field].present
            either_way = cells[field].per_row(unread & undecided)
            future = cells[field].per_row((dates > cutoff).to_numpy())
            problems.append((unreadable & keep, (field, "is not a date")))
            problems.append((either_way & keep, (field, "may be day/month or month/day: set the date format "
                                                        "(e.g. DD/MM/YYYY)")))
            problems.append((far & keep, (field, f"is outside the years {DATE_RANGE}")))
            problems.append((future & keep, (field, "is in the future")))
        elif field != "customer":
            unreadable = cells[field].per_row(np.isnan(parsed[field])) & cells[field].present
            huge = cells[field].per_row(np.abs(parsed[field]) >= LARGEST_VALUE)
            problems.append((unreadable & keep, (field, "is not a number")))
            problems.append((huge & keep, (field, f"is too large (over {LARGEST_VALUE:,.0f})")))
    bad = np.logical_or.reduce([rows for rows, _ in problems]) if problems else np.zeros(len(keep), bool)
    good = keep & ~bad

    lines = pd.DataFrame({"customer": cells["customer"].categorical(good),
                          "date": dates.iloc[cells["date"].codes[good]].to_numpy("datetime64[ns]"),
                          "amount": amounts[cells["amount"].codes[good]]})
    if quantity is not None:
        lines["quantity"] = quantity[cells["quantity"].codes[good]]
    for field in TEXT_FIELDS:
        if field in cells:
            lines[field] = _strings(cells[field].text(good)) if field in IDENTIFIER_FIELDS \
                else cells[field].categorical(good)
    lines["sheet"] = raw.sheet
    lines["row"] = np.asarray(raw.rows)[good]
    skipped = pd.DataFrame({"sheet": raw.sheet, "row": np.asarray(raw.rows)[bad],
                            "reason": pd.array(_reasons(np.flatnonzero(bad), problems, cells), dtype="str")},
                           columns=SKIPPED_COLUMNS)      # texts, also when there are none: the sheets' rows join as one
    return lines, skipped, int(((totals | note) & ~blank).sum()), date_order


def _field_cells(item: tuple[str, pd.Series]) -> _Cells:
    """One field's cells, with what is asked of every field worked out: most of it is Arrow's kernels, which run
    without Python's lock, so the fields of a sheet are worked on ``_THREADS`` at a time."""
    field, series = item
    cells = _Cells(series, one_per_line=field in IDENTIFIER_FIELDS, exact=field in EXACT_FIELDS)
    cells.present, cells.totals      # worked out here, on this thread (cached)
    return cells


def _note_rows(cells: dict[str, "_Cells"], not_orders: np.ndarray) -> np.ndarray:
    """Rows that hold one text and nothing else (a footnote, a heading between blocks): not order lines.

    A row with only a date or only an amount is kept, so that it is reported as a row missing its customer.
    """
    filled = np.add.reduce([column.present.astype(np.int8) for column in cells.values()])
    if "date" not in cells or "amount" not in cells:
        return np.zeros(len(filled), bool)
    return (filled == 1) & ~cells["date"].present & ~cells["amount"].present & ~not_orders


class _Cells:
    """One field's cells as trimmed text (``exact``: as written), missing where empty, held as distinct texts.

    Whatever is worked out from a cell's text (a date, a number, a totals word) is worked
    out once per distinct text and spread to the rows: a million order lines hold a few
    thousand distinct dates and amounts.
    """

    def __init__(self, cells: pd.Series, one_per_line: bool = False, exact: bool = False):
        text = arrow_text(cells)
        self.raw = text.combine_chunks() if isinstance(text, pa.ChunkedArray) else text
        # texts that are nearly one per line (order numbers) are not worth encoding: each cell is its own text
        self._encoded = None if one_per_line else self.raw.dictionary_encode()
        distinct = self.raw if one_per_line else self._encoded.dictionary
        cleaned = exact_text(distinct) if exact else clean_text(distinct)
        self.clean = cleaned.null_count == distinct.null_count and pc.all(pc.equal(cleaned, distinct)).as_py()
        self.values = pa.concat_arrays([cleaned.cast(pa.string()), pa.nulls(1, pa.string())])   # last: missing

    @functools.cached_property
    def codes(self) -> np.ndarray:
        """Per row, the position of its text in ``values``."""
        if self._encoded is None:
            return np.arange(len(self.raw))
        indices = self._encoded.indices
        return (indices.fill_null(len(self.values) - 1) if indices.null_count else indices).to_numpy()

    @functools.cached_property
    def present(self) -> np.ndarray:
        """Per row, whether the cell has text."""
        if self.clean:
            return self.raw.is_valid().to_numpy(zero_copy_only=False)
        return self.per_row(self.values.is_valid().to_numpy(zero_copy_only=False))

    @property
    def distinct(self) -> pd.Series:
        """The texts of the cells (each text at least once, duplicates possible), and a missing one last."""
        return pd.Series(self.values, dtype=pd.ArrowDtype(pa.string()))

    def per_row(self, values) -> np.ndarray:
        """Values given per distinct text, spread to the rows."""
        return np.asarray(values)[self.codes]

    def text(self, rows: np.ndarray) -> pa.Array:
        """The texts of the rows where ``rows`` is True."""
        if self.clean:      # nothing to trim, no empty text: the cells as they came
            return self.raw if rows.all() else self.raw.filter(pa.array(rows))
        return self.values.take(pa.array(self.codes[rows]))

    def categorical(self, rows: np.ndarray) -> pd.Categorical:
        """The texts of the rows where ``rows`` is True, as a categorical whose categories are sorted.

        The engine groups by these codes instead of hashing a million texts again.
        """
        encoded = self.values.dictionary_encode()
        per_value, categories = _sorted_codes(encoded.dictionary, encoded.indices)
        return pd.Categorical.from_codes(per_value[self.codes[rows]], categories=categories, validate=False)

    @functools.cached_property
    def totals(self) -> np.ndarray:
        """Per row, whether its text says Total / 合计 … (``distinct_totals_words``)."""
        words = self.distinct_totals_words()
        return self.per_row(words) if words.any() else np.zeros(len(self.raw), bool)

    def distinct_totals_words(self) -> np.ndarray:
        """True for the texts that say Total / 合计 (any case, a trailing colon allowed), or a subtotal
        (``Subtotal March``, ``本月小计``)."""
        words = pc.utf8_trim_whitespace(pc.utf8_rtrim(pc.utf8_lower(self.values), characters=":："))
        exact = pc.is_in(words, value_set=_TOTALS_WORDS)
        return np.array(pc.or_kleene(exact, pc.match_substring_regex(words, _TOTALS_PATTERN)).fill_null(False),
                        dtype=np.bool_)


def _strings(text: pa.Array):
    """Text cells as a column of strings, the way pandas stores one made from Python strings (None: missing)."""
    if _STRINGS == np.dtype(object):
        return text.to_numpy(zero_copy_only=False)
    return pd.array(text, dtype=_STRINGS)


def _reasons(rows: np.ndarray, problems: list, cells: dict[str, _Cells]) -> np.ndarray:
    """What is wrong with each of ``rows``, every problem in words, joined by '; '."""
    reasons = [[] for _ in rows]
    for mask, words in problems:
        for i in np.flatnonzero(mask[rows]):
            if isinstance(words, str):
                reasons[i].append(words)
            else:
                field, verdict = words
                text = cells[field].values[int(cells[field].codes[rows[i]])].as_py()
                shown = text if len(text) <= _SHOWN else text[:_SHOWN - 1] + "…"
                reasons[i].append(f"{field} '{shown}' {verdict}")
    return np.array(["; ".join(parts) for parts in reasons], dtype=object)
