"""The churn model: every customer scored as of one month (SPEC "Verdicts", "Core customers").

``analyse`` is the one entry point the front ends use; the model it returns answers
the at-risk list, the win-back list, one customer's history and the monthly KPIs.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from typing import Any, Iterable

import numpy as np
import pandas as pd

from . import categories, money, monthly, reps as rep_rules, streaks
from .core_classes import core_classes
from .codes import sorted_codes
from .periods import day_numbers, default_as_of, month_label, months_of
from .settings import Settings
from .lists import FLAGGED, most_urgent_first
from .verdicts import RISKS, category_reasons, classify, join_reasons, rep_reason, reasons

CONTACT_FIELDS = ("rep", "region", "email")   # per customer: the value on their latest line that has one


class NoOrdersError(ValueError):
    """There is nothing to score."""


@dataclasses.dataclass
class ChurnModel:
    settings: Settings
    as_of: int
    series: monthly.MonthlySeries
    customers: pd.DataFrame          # one row per scored customer, in the row order of ``series``: key order
    lines: pd.DataFrame              # order lines up to the end of the as-of month (none when made from ``months``)
    lines_after_as_of: int
    category_cells: categories.CategoryCells     # sales per customer, category and month (the backtest's too)
    drops: categories.CategoryDrops              # the dropped categories as of the as-of month
    rep_months: rep_rules.RepMonths              # who served whom, month by month
    turnover: rep_rules.RepTurnover              # the departed reps and their customers
    months: Any = None               # the ``customer_months.CustomerMonths`` it was made from, instead of lines

    @property
    def as_of_label(self) -> str:
        return month_label(self.as_of)

    @functools.cached_property
    def line_rows(self) -> np.ndarray:
        """Per order line (of ``lines``), the row of its customer in ``series`` and ``customers``."""
        return pd.Index(self.series.keys).get_indexer(self.lines["customer"])

    @functools.cached_property
    def line_months(self) -> np.ndarray:
        """Per order line (of ``lines``), its month integer."""
        return months_of(self.lines["date"])

    @functools.cached_property
    def _rows(self) -> dict[str, int]:
        return {key: row for row, key in enumerate(self.series.keys)}

    def position(self, customer: str) -> int | None:
        """Row of a customer key (exact text), or None when the customer is not scored."""
        return self._rows.get(customer)

    def reason(self, row: int, lang: str = "en") -> str:
        """The reasons in words for the customer in ``row`` (empty when no rule fired)."""
        return self._reasons_for(np.array([row]), lang)[0]

    def reasons(self, lang: str = "en", rows: np.ndarray | None = None) -> pd.Series:
        """The reasons in words for every customer, or for the customer rows ``rows`` (empty for a LOW customer
        without a dropped category or a departed rep)."""
        rows = np.arange(len(self.customers)) if rows is None else np.asarray(rows, np.int64)
        out = pd.Series("", index=self.customers.index[rows], dtype=object)
        flagged = np.flatnonzero(((self.customers["risk"].to_numpy() != "LOW") | self.watched)[rows])
        out.iloc[flagged] = self._reasons_for(rows[flagged], lang)
        return out

    @property
    def watched(self) -> np.ndarray:
        """Per customer row: a dropped category, or a rep who left (docs/spec.md "Partial churn", "Rep turnover")."""
        departed_rep = self.customers["customer"].isin(set(self.turnover.customers["customer"])).to_numpy()
        return self.customers["dropped_categories"].map(bool).to_numpy(bool) | departed_rep

    def _reasons_for(self, rows: np.ndarray, lang: str) -> list[str]:
        c = self.customers
        d = c["decline_streak"].to_numpy()[rows]
        low = c["low_streak"].to_numpy()[rows]
        z = c["months_without_orders"].to_numpy()[rows]
        values = self.series.shown_values(rows)
        last = values.shape[1] - 1
        peak = values[np.arange(len(rows)), last - d]
        drops = self._drops_of(rows)
        handovers = self.turnover.customers.set_index("customer")
        handed_over = set(handovers.index)
        out = []
        worded: dict[tuple, str] = {}     # the rules' words of each set of numbers: most LOST customers share theirs
        for row, numbers in zip(rows.tolist(), zip(d.tolist(), low.tolist(), z.tolist(), peak.tolist(),
                                                   values[:, last].tolist())):
            if numbers not in worded:
                worded[numbers] = reasons(*numbers, self.as_of, self.settings, lang)
            parts = [worded[numbers], *category_reasons(drops.get(row, []), self.settings, lang)]
            key = self.series.keys[row]
            if key in handed_over:
                parts.append(rep_reason(handovers.loc[key], lang))
            out.append(join_reasons([part for part in parts if part], lang))
        return out

    def _drops_of(self, rows: np.ndarray) -> dict[int, list[tuple[str, int, int]]]:
        """Per customer row among ``rows``, their dropped categories: (name, L_g, B_g), largest value first."""
        wanted = set(rows.tolist())
        out: dict[int, list[tuple[str, int, int]]] = {}
        drops = self.drops
        for row, name, streak, bought in zip(drops.row.tolist(), drops.name.tolist(), drops.streak.tolist(),
                                             drops.bought.tolist()):
            if row in wanted:
                out.setdefault(row, []).append((name, streak, bought))
        return out

    def risk_counts(self) -> dict[str, int]:
        """How many customers have each verdict (SPEC "Verdicts"), every verdict named."""
        counts = self.customers["risk"].value_counts()
        return {risk: int(counts.get(risk, 0)) for risk in RISKS}

    def ranked(self, flagged_only: bool = True) -> pd.DataFrame:
        """Customers most urgent first (``lists.most_urgent_first``); only the flagged ones unless told: a rule
        fired, a category was dropped or their rep left."""
        ranked = most_urgent_first(self.customers)
        if not flagged_only:
            return ranked
        return ranked[ranked["risk"].isin(FLAGGED).to_numpy() | self.watched[ranked.index.to_numpy()]]


def as_of_month(lines: pd.DataFrame, settings: Settings, today: dt.date | None = None) -> int:
    """The as-of month: the user's, else the default from the latest order date (SPEC "Periods")."""
    if settings.as_of is not None:
        return settings.as_of
    if lines.empty:
        raise NoOrdersError("There are no order lines to score.")
    return default_as_of(lines["date"].max().date(), today or dt.date.today())


def analyse(lines: pd.DataFrame, settings: Settings, today: dt.date | None = None,
            gone_reps: Iterable[str] = ()) -> ChurnModel:
    """Score every customer whose history starts by the as-of month; ``gone_reps`` are reps the user marked as
    gone (docs/spec.md "Rep turnover")."""
    as_of = as_of_month(lines, settings, today)
    days = day_numbers(lines["date"])
    months = months_of(lines["date"], days)
    in_scope = months <= as_of
    everything = bool(in_scope.all())
    scoped = lines.copy(deep=False) if everything else lines[in_scope]
    if not everything:
        months, days = months[in_scope], None if days is None else days[in_scope]
    if scoped.empty:
        raise NoOrdersError(f"No order lines fall on or before the as-of month {month_label(as_of)}.")
    codes, keys = sorted_codes(scoped["customer"])
    series = monthly.build(scoped, codes, keys, months, as_of, settings.measure)
    latest = LatestLines(scoped, codes, series.keys, days)
    model = score(settings, as_of, series, {field: latest.values(field) for field in ("name", *CONTACT_FIELDS)},
                  latest.last_order_date(), scoped, int((~in_scope).sum()),
                  categories.category_cells(scoped, codes, months, series),
                  rep_rules.rep_months(scoped, codes, months, latest.when, series), gone_reps)
    model.line_rows = codes
    model.line_months = months
    return model


def score(settings: Settings, as_of: int, series: monthly.MonthlySeries, latest: dict, last_order_date: np.ndarray,
          lines: pd.DataFrame, lines_after_as_of: int, cells: categories.CategoryCells, who: rep_rules.RepMonths,
          gone_reps: Iterable[str] = ()) -> ChurnModel:
    """The model of the customers of ``series`` (key order), given what their latest lines say (name and
    ``CONTACT_FIELDS``), the date of their latest line with a positive amount, their sales by category and month
    (``cells``) and who served them month by month (``who``)."""
    keys = series.keys
    decline = streaks.decline_streak(series, settings.min_drop_pct)
    low = streaks.low_streak(series, settings.low_threshold)
    dormant = streaks.dormant_streak(series)
    risk = classify(decline, low, dormant, settings)
    last = series.values.shape[1] - 1
    value_12m = series.window_sum(series.amount, np.full(len(risk), last))
    trigger = np.select([risk == "LOST", risk == "HIGH", risk == "MEDIUM"], [dormant, low, decline], 0)
    drops = categories.dropped_as_of(cells, series, last, dormant, settings)
    partial = (risk == "LOW") & drops.any_by_customer(len(keys))
    stake = np.where(partial, drops.units_by_customer(len(keys)), 0)
    contacts = {field: latest[field] for field in CONTACT_FIELDS}
    turnover = rep_rules.turnover(who, series, keys, contacts["rep"], settings.rep_gone_months, gone_reps)
    customers = pd.DataFrame({
        "customer": keys,
        "name": latest["name"],
        "risk": risk,
        "decline_streak": decline,
        "low_streak": low,
        "months_without_orders": dormant,
        "last_order_date": last_order_date,
        "core_class": core_classes(value_12m, np.arange(len(keys)), settings.abc_a_pct, settings.abc_b_pct),
        "value_last_12m": value_12m,
        "value_at_stake": np.where(partial, money.shown(stake), series.window_sum(series.amount, last - trigger)),
        "first_month": month_labels(series.first_month + series.start),
        **contacts,
        "dropped_categories": drops.names_by_customer(len(keys)),
        "rep_departed": turnover.rep_departed,
    })
    return ChurnModel(settings, as_of, series, customers, lines, lines_after_as_of, cells, drops, who, turnover)


def rescored(model: ChurnModel, as_of: int) -> ChurnModel:
    """The same orders scored as of another month (from the lines, or the customer × month rows, it was made from)."""
    settings = dataclasses.replace(model.settings, as_of=as_of)
    return analyse(model.lines, settings) if model.months is None else model.months.analyse(settings)


class LatestLines:
    """Per customer, what their latest order lines say: the latest line by date (of equal dates, the one
    that comes last) among those that have a value."""

    def __init__(self, lines: pd.DataFrame, codes: np.ndarray, keys: np.ndarray, days: np.ndarray | None):
        self.lines, self.codes, self.keys, self.days = lines, codes, keys, days
        self.when = days if days is not None else _sorted_ranks(lines["date"])    # per line: larger is later

    def values(self, field: str) -> np.ndarray | pd.Index:
        """The field's value on each customer's latest line that has one (missing when there is none)."""
        if field not in self.lines.columns:
            return np.full(len(self.keys), None, dtype=object)
        column = self.lines[field]
        categorical = isinstance(column.dtype, pd.CategoricalDtype)
        codes = column.cat.codes.to_numpy() if categorical else None
        known = codes >= 0 if categorical else column.notna().to_numpy()
        best = self._latest_of_all if known.all() else self._latest(known)
        found = best >= 0
        if categorical:
            picked = np.full(len(self.keys), -1, np.int64)
            picked[found] = codes[best[found]]
            return column.cat.categories.take(picked, allow_fill=True)
        latest = column.iloc[best[found]]
        if not found.all():         # as a Series by customer, missing where a customer has no value
            latest = latest.set_axis(self.keys[found]).reindex(self.keys)
        return latest.to_numpy(object, na_value=None)

    @functools.cached_property
    def _latest_of_all(self) -> np.ndarray:
        return self._latest(None)

    def _latest(self, known: np.ndarray | None) -> np.ndarray:
        """Per customer, the position of their latest line among ``known`` (all when None; -1: none)."""
        when = self.when if known is None else np.where(known, self.when, _NEVER)
        last = np.full(len(self.keys), _NEVER)
        np.maximum.at(last, self.codes, when)
        on_last = np.flatnonzero(when == last[self.codes])     # the lines on their customer's latest date
        best = np.full(len(self.keys), -1, np.int64)
        np.maximum.at(best, self.codes[on_last], on_last)
        best[last == _NEVER] = -1
        return best

    def last_order_date(self) -> np.ndarray:
        """The date of each customer's latest line with a positive amount (NaT when there is none)."""
        positive = self.lines["amount"].to_numpy() > 0
        if self.days is None:
            dates, unit = self.lines["date"].to_numpy("datetime64[ns]").view(np.int64), "datetime64[ns]"
        else:
            dates, unit = self.days, "datetime64[D]"
        last = np.full(len(self.keys), _NEVER)
        np.maximum.at(last, self.codes, np.where(positive, dates, _NEVER))
        return last.view(unit).astype("datetime64[ns]")


_NEVER = np.datetime64("NaT").view(np.int64)       # the smallest int64: before any line, and NaT as a date


def _sorted_ranks(dates: pd.Series) -> np.ndarray:
    """Per line, its place when the lines are sorted by date as pandas sorts them (stable, missing last)."""
    order = dates.reset_index(drop=True).sort_values(kind="stable").index.to_numpy()
    rank = np.empty(len(order), np.int64)
    rank[order] = np.arange(len(order))
    return rank


def month_labels(months: np.ndarray) -> pd.Index:
    """``YYYY-MM`` of each month integer."""
    if not len(months):
        return pd.Index([], dtype=object)
    first = int(months.min())
    labels = pd.Index([month_label(month) for month in range(first, int(months.max()) + 1)])
    return labels.take(months - first)
