"""Scoring from order lines already added up per customer and month (SPEC "Periods"; docs/spec.md "Where the
SPEC is silent": customer × month aggregates).

A database or a folder of Parquet files holds more order lines than one machine should read; the engine that
holds them adds them up per customer and month, and only those rows come here. Each row carries every figure
the rules, the lists and the probability of no order read from the lines of its customer and month:

============================  ==========================================================================
``customer``, ``month``        the key (exact text) and the month integer (``periods``)
``lines``                      order lines read
``amount``                     the sum of the amounts, in units of 1 / ``money.SCALE`` (each line rounded
                               to that first, as ``money.to_units`` rounds it)
``quantity``                   the same for quantities (only when the lines have them)
``orders``                     distinct order numbers among the lines with a positive amount (an empty order
                               number is one), or such lines when there is no order column (or, when
                               missing, from ``CustomerMonths.orders`` on first use)
``purchase_days``              distinct days with a line with a positive amount, and the days of the month
``first_purchase_day``,        (1–31) of the first and last of them (any value where there is none)
``last_purchase_day``
``<field>``, ``<field>_at``    for name, rep, region and email: the value on the latest line that has one and
                               that line's place in time: its day × 2^32 + its position in the source
                               (larger is later; of equal days, the line that comes last)
============================  ==========================================================================

Further figures are asked of the source beside ``cells``: ``amounts_by`` answers the one the win-back list
needs, the amount of each product or category of a customer over some months, by asking for just those
customers; ``sums_by`` the customer × category × month sums of the dropped categories, and ``rep_pairs`` the
months each rep had lines (rep turnover; who served a customer each month is the ``rep`` of ``cells``).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Callable, Iterable

import numpy as np
import pandas as pd

from . import categories, money, monthly, reps as rep_rules
from .codes import sorted_codes
from .model import ChurnModel, NoOrdersError, score
from .periods import default_as_of, month_label
from .purchase_days import Summary, month_start_day
from .settings import Settings

LATEST_FIELDS = ("name", "rep", "region", "email")
POSITION_BITS = 32          # ``<field>_at`` = day << POSITION_BITS | position
_NONE = np.iinfo(np.int64).min
_CHUNK = 1 << 22        # rows of customer × month figures taken at a time


@dataclasses.dataclass
class CustomerMonths:
    """The customer × month rows of an order book (columns: the module's table), what the source has besides."""
    cells: pd.DataFrame
    fields: frozenset[str]                       # the optional fields the source has (name, product, rep …)
    latest_date: pd.Timestamp                    # the date of the latest order line, in any month
    amounts_by: Callable[[str, pd.DataFrame], pd.DataFrame] | None = None
    # amounts_by(field, windows): for ``windows`` (customer, first_month, last_month), the amount units of each
    # customer's lines in those months per text of ``field`` (columns customer, text, units; texts trimmed)
    orders: Callable[[], pd.DataFrame] | None = None
    # orders(): the ``orders`` figure (columns customer, month, orders), when ``cells`` do not have it: counting
    # distinct order numbers costs more than every other figure, so it is asked for when something reads it
    lines_of: Callable[[str, int], pd.DataFrame] | None = None
    # lines_of(customer, as_of): that customer's order lines up to the end of month ``as_of``, as ``orders.normalise``
    # gives them (customer, date, amount, the optional fields, sheet, row)
    sums_by: Callable[[str], pd.DataFrame] | None = None
    # sums_by(field): per customer, month and text of ``field`` (category or product), the amount units of the
    # lines that name it (columns customer, month, text, units): the dropped categories' cells
    rep_pairs: Callable[[], pd.DataFrame] | None = None
    # rep_pairs(): the distinct (rep, month) of the lines that name a rep: when each rep last had a line
    _asked: dict = dataclasses.field(default_factory=dict, repr=False)

    def analyse(self, settings: Settings, today: dt.date | None = None, gone_reps: Iterable[str] = ()) -> ChurnModel:
        """Score every customer whose history starts by the as-of month, as ``model.analyse`` scores lines."""
        as_of = settings.as_of if settings.as_of is not None else \
            default_as_of(self.latest_date.date(), today or dt.date.today())
        month = self.cells["month"].to_numpy(np.int64)
        in_scope = month <= as_of
        cells = self.cells if in_scope.all() else self.cells[in_scope].reset_index(drop=True)   # no copy of all
        if cells.empty:
            raise NoOrdersError(f"No order lines fall on or before the as-of month {month_label(as_of)}.")
        codes, keys = sorted_codes(cells["customer"])
        series = _series(cells, codes, keys, month[in_scope], as_of, settings.measure, self._orders)
        latest = {field: _latest(cells, codes, len(keys), field) for field in LATEST_FIELDS}
        last_day = np.full(len(keys), _NONE)
        bought = cells["purchase_days"].to_numpy() > 0
        np.maximum.at(last_day, codes[bought], month_start_day(month[in_scope][bought]) - 1
                      + cells["last_purchase_day"].to_numpy()[bought])
        last_order = np.where(last_day == _NONE, np.datetime64("NaT"), last_day.astype("datetime64[D]"))
        columns = ["customer", "date", "amount", *sorted(self.fields)]
        lines = pd.DataFrame({column: pd.Series(dtype=object) for column in columns})
        model = score(settings, as_of, series, latest, last_order.astype("datetime64[ns]"), lines,
                      int(self.cells["lines"].to_numpy(np.int64)[~in_scope].sum()),
                      self._category_cells(keys, series, as_of), self._rep_months(cells, codes, series, as_of),
                      gone_reps)
        model.months = self
        return model

    def _once(self, name: str, ask: Callable[[], pd.DataFrame]) -> pd.DataFrame:
        if name not in self._asked:
            self._asked[name] = ask()
        return self._asked[name]

    def _category_cells(self, keys: pd.Index, series: monthly.MonthlySeries, as_of: int) -> categories.CategoryCells:
        """As ``categories.category_cells`` makes them of the lines up to ``as_of`` (category, else product)."""
        for field in ("category", "product"):
            if field not in self.fields or self.sums_by is None:
                continue
            sums = self._once(field, lambda: self.sums_by(field))
            sums = sums[sums["month"].to_numpy(np.int64) <= as_of]
            if len(sums):
                return categories.category_cells_of_sums(
                    field, pd.Index(keys).get_indexer(sums["customer"]), sums["text"].to_numpy(object),
                    sums["month"].to_numpy(np.int64) - series.first_month, sums["units"].to_numpy(np.int64), series)
        return categories.no_category_cells()

    def _rep_months(self, cells: pd.DataFrame, codes: np.ndarray, series: monthly.MonthlySeries, as_of: int
                    ) -> rep_rules.RepMonths:
        """As ``reps.rep_months`` makes them of the lines up to ``as_of``."""
        none = np.zeros(0, np.int64)
        pairs = self._once("rep", self.rep_pairs) if "rep" in self.fields and self.rep_pairs else \
            pd.DataFrame({"rep": [], "month": none})
        pairs = pairs[pairs["month"].to_numpy(np.int64) <= as_of]
        reps = cells["rep"].to_numpy(object) if "rep" in cells.columns else np.zeros(0, object)
        named = np.flatnonzero(pd.notna(reps))              # without a rep column: none (no array of Nones)
        return rep_rules.rep_months_of_sums(
            pairs["rep"].to_numpy(object), pairs["month"].to_numpy(np.int64) - series.first_month, codes[named],
            cells["month"].to_numpy()[named].astype(np.int64) - series.first_month, reps[named], series)

    def _orders(self, keys: pd.Index, first_month: int, width: int) -> np.ndarray:
        """The orders matrix (customers ``keys`` × months from ``first_month``), from ``orders()``."""
        found = self.orders()
        rows = keys.get_indexer(found["customer"])
        column = found["month"].to_numpy(np.int64) - first_month
        kept = (rows >= 0) & (column >= 0) & (column < width)
        out = np.zeros((len(keys), width), np.int64)
        out[rows[kept], column[kept]] = found["orders"].to_numpy(np.int64)[kept]
        return out

    def purchase_days(self, keys: np.ndarray) -> "MonthlyPurchaseDays":
        """The purchase days of the customers ``keys`` (rows in that order), as ``purchase_days.PurchaseDays``."""
        return MonthlyPurchaseDays(self.cells, keys)


def _series(cells: pd.DataFrame, codes: np.ndarray, keys: pd.Index, month: np.ndarray, as_of: int,
            measure: str, asked: Callable[[pd.Index, int, int], np.ndarray]) -> monthly.MonthlySeries:
    customers = len(keys)
    first_month = int(month.min())
    width = as_of - first_month + 1
    column = month - first_month

    def matrix(name: str) -> np.ndarray:
        out = np.zeros((customers, width), np.int64)
        out[codes, column] = cells[name].to_numpy(np.int64)
        return out

    amount = matrix("amount")
    orders = matrix("orders") if "orders" in cells.columns else lambda: asked(pd.Index(keys), first_month, width)
    if measure == "orders" and callable(orders):
        orders = orders()
    values = {"amount": amount, "orders": orders}.get(measure)
    if values is None:
        values = matrix("quantity")
    start = np.full(customers, width, np.int64)
    np.minimum.at(start, codes, column)
    return monthly.MonthlySeries(np.asarray(keys, dtype=object), first_month, values, amount, orders, start,
                                 1 if measure == "orders" else money.SCALE)


def _latest(cells: pd.DataFrame, codes: np.ndarray, customers: int, field: str) -> np.ndarray:
    """Per customer, the value of ``field`` on their latest line that has one (None where none has)."""
    out = np.full(customers, None, dtype=object)
    if field not in cells.columns:
        return out
    at = cells[f"{field}_at"].to_numpy(np.int64)
    known = cells[field].notna().to_numpy()
    when = np.where(known, at, _NONE)
    best = np.full(customers, _NONE)
    np.maximum.at(best, codes, when)
    chosen = known & (when == best[codes])
    out[codes[chosen]] = cells[field].to_numpy(object)[chosen]
    return out


class MonthlyPurchaseDays:
    """Purchase days (``purchase_days.PurchaseDays``) counted per month: what the model reads of them, at the
    ends of months, is exactly what the days themselves give. Held as customers × months matrices of a byte a
    cell: how many purchase days, and the day of the month of the first and of the last (a million customers
    over 60 months: 180 MB, where their 33 million months as rows took 0.9 GB, and as much again to sum)."""

    def __init__(self, cells: pd.DataFrame, keys: np.ndarray):
        customer = cells["customer"]
        if isinstance(customer.dtype, pd.CategoricalDtype):      # looked up once per key, not once per month
            categories = customer.cat.categories
            codes = customer.cat.codes.to_numpy()
            if len(categories) == len(keys) and np.array_equal(categories.to_numpy(object), keys):
                rows = codes        # the rows are the categories (a million keys are not hashed twice)
            else:
                rows = np.append(pd.Index(keys).get_indexer(categories), -1)[codes]
        else:
            rows = pd.Index(keys).get_indexer(customer)
        count, month = cells["purchase_days"].to_numpy(), cells["month"].to_numpy()
        bought = (rows >= 0) & (count > 0)
        self.first_month = int(np.min(month, where=bought, initial=np.iinfo(month.dtype).max)) if bought.any() else 0
        width = int(np.max(month, where=bought, initial=self.first_month)) - self.first_month + 1 \
            if bought.any() else 0
        self.count, self.first, self.last = (np.zeros((len(keys), width), np.int8) for _ in range(3))
        figures = [(self.count, count), (self.first, cells["first_purchase_day"].to_numpy()),
                   (self.last, cells["last_purchase_day"].to_numpy())]
        for start in range(0, len(rows), _CHUNK):           # a chunk at a time: no 33 million-row copies
            part = slice(start, start + _CHUNK)
            taken = bought[part]
            months = month[part][taken]
            cell = rows[part][taken].astype(np.int64) * width + (months - self.first_month)
            for matrix, values in figures:
                matrix.reshape(-1)[cell] = values[part][taken]

    def summary(self, last_day: int) -> Summary:
        """``PurchaseDays.summary`` at the end of a month (``last_day``)."""
        upto = self.count[:, :self._column_after(last_day)]
        if upto.shape[1] == 0:
            nothing = np.zeros(len(upto), np.int64)
            return Summary(nothing > 0, nothing, nothing, nothing)
        has = upto > 0
        count = upto.sum(axis=1, dtype=np.int64)
        bought = count > 0
        customers = np.arange(len(upto))
        first_column = has.argmax(axis=1)
        last_column = upto.shape[1] - 1 - has[:, ::-1].argmax(axis=1)
        first = month_start_day(self.first_month + first_column) - 1 + self.first[customers, first_column]
        last = month_start_day(self.first_month + last_column) - 1 + self.last[customers, last_column]
        return Summary(bought, np.maximum(count - 1, 0), np.where(bought, last - first, 0),
                       np.where(bought, last_day - first, 0))

    def bought_between(self, after_day: int, last_day: int) -> np.ndarray:
        """``PurchaseDays.bought_between`` for the months after the one ending on ``after_day`` up to the one
        ending on ``last_day``."""
        return (self.count[:, self._column_after(after_day):self._column_after(last_day)] > 0).any(axis=1)

    def _column_after(self, day: int) -> int:
        """The column of the month after the one of ``day`` (within the matrices' columns)."""
        month = int(np.datetime64(int(day), "D").astype("datetime64[M]").astype(np.int64)) + 1970 * 12
        return min(max(month - self.first_month + 1, 0), self.count.shape[1])

