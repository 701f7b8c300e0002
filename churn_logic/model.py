"""The churn model: every customer scored as of one month (SPEC "Verdicts", "Core customers").

``analyse`` is the one entry point the front ends use; the model it returns answers
the at-risk list, the win-back list, one customer's history and the monthly KPIs.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import functools

import numpy as np
import pandas as pd

from . import monthly, streaks
from .abc import core_classes
from .periods import default_as_of, month_label, months_of
from .settings import Settings
from .verdicts import RISK_ORDER, classify, reasons

CLASS_ORDER = {"A": 0, "B": 1, "C": 2}
CONTACT_FIELDS = ("rep", "region", "email")   # per customer: the value on their latest line that has one


class NoOrdersError(ValueError):
    """There is nothing to score."""


@dataclasses.dataclass
class ChurnModel:
    settings: Settings
    as_of: int
    series: monthly.MonthlySeries
    customers: pd.DataFrame          # one row per scored customer, in the row order of ``series``
    lines: pd.DataFrame              # order lines up to the end of the as-of month
    lines_after_as_of: int

    @property
    def as_of_label(self) -> str:
        return month_label(self.as_of)

    @functools.cached_property
    def line_rows(self) -> np.ndarray:
        """Per order line (of ``lines``), the row of its customer in ``series`` and ``customers``."""
        return pd.Index(self.series.keys).get_indexer(self.lines["customer"])

    @functools.cached_property
    def _rows(self) -> dict[str, int]:
        return {key: row for row, key in enumerate(self.series.keys)}

    def position(self, customer: str) -> int | None:
        """Row of a customer key (exact text), or None when the customer is not scored."""
        return self._rows.get(customer)

    def reason(self, row: int, lang: str = "en") -> str:
        """The reasons in words for the customer in ``row`` (empty when no rule fired)."""
        return self._reasons_for(np.array([row]), lang)[0]

    def reasons(self, lang: str = "en") -> pd.Series:
        """The reasons in words for every customer (empty for LOW)."""
        out = pd.Series("", index=self.customers.index, dtype=object)
        flagged = np.flatnonzero(self.customers["risk"].to_numpy() != "LOW")
        out.iloc[flagged] = self._reasons_for(flagged, lang)
        return out

    def _reasons_for(self, rows: np.ndarray, lang: str) -> list[str]:
        c = self.customers
        d = c["decline_streak"].to_numpy()[rows]
        low = c["low_streak"].to_numpy()[rows]
        z = c["months_without_orders"].to_numpy()[rows]
        values = self.series.values[rows]
        last = values.shape[1] - 1
        peak = values[np.arange(len(rows)), last - d]
        return [reasons(int(d[i]), int(low[i]), int(z[i]), float(peak[i]), float(values[i, last]),
                        self.as_of, self.settings, lang) for i in range(len(rows))]

    def ranked(self, at_risk_only: bool = True) -> pd.DataFrame:
        """Customers sorted for people: risk, then core class, then value at stake, then key."""
        c = self.customers
        order = np.lexsort((c["customer"].astype(str).to_numpy(), -c["value_at_stake"].to_numpy(),
                            c["core_class"].map(CLASS_ORDER).to_numpy(), c["risk"].map(RISK_ORDER).to_numpy()))
        ranked = c.iloc[order]
        return ranked[ranked["risk"] != "LOW"] if at_risk_only else ranked


def as_of_month(lines: pd.DataFrame, settings: Settings, today: dt.date | None = None) -> int:
    """The as-of month: the user's, else the default from the latest order date (SPEC "Periods")."""
    if settings.as_of is not None:
        return settings.as_of
    if lines.empty:
        raise NoOrdersError("There are no order lines to score.")
    return default_as_of(lines["date"].max().date(), today or dt.date.today())


def analyse(lines: pd.DataFrame, settings: Settings, today: dt.date | None = None) -> ChurnModel:
    """Score every customer whose history starts by the as-of month."""
    as_of = as_of_month(lines, settings, today)
    months = months_of(lines["date"])
    in_scope = months <= as_of
    everything = bool(in_scope.all())
    scoped = lines.copy(deep=False) if everything else lines[in_scope]
    if scoped.empty:
        raise NoOrdersError(f"No order lines fall on or before the as-of month {month_label(as_of)}.")
    codes, keys = pd.factorize(scoped["customer"], sort=True)
    series = monthly.build_from_codes(scoped, codes, keys, months if everything else months[in_scope], as_of,
                                      settings.measure)
    decline = streaks.decline_streak(series, settings.min_drop_pct)
    low = streaks.low_streak(series, settings.low_threshold)
    dormant = streaks.dormant_streak(series)
    risk = classify(decline, low, dormant, settings)
    last = series.values.shape[1] - 1
    value_12m = series.window_sum(series.amount, np.full(len(risk), last))
    trigger = np.select([risk == "LOST", risk == "HIGH", risk == "MEDIUM"], [dormant, low, decline], 0)
    latest = LatestLines(scoped, codes, series.keys)
    customers = pd.DataFrame({
        "customer": series.keys,
        "name": latest.values("name"),
        "risk": risk,
        "decline_streak": decline,
        "low_streak": low,
        "months_without_orders": dormant,
        "last_order_date": latest.last_order_date(),
        "core_class": core_classes(value_12m, series.keys, settings.abc_a_pct, settings.abc_b_pct),
        "value_last_12m": value_12m,
        "value_at_stake": series.window_sum(series.amount, last - trigger),
        "first_month": month_labels(series.first_month + series.start),
        **{field: latest.values(field) for field in CONTACT_FIELDS},
    })
    model = ChurnModel(settings, as_of, series, customers, scoped, int((~in_scope).sum()))
    model.line_rows = codes
    return model


class LatestLines:
    """Per customer, what their latest order lines say: the latest line by date (of equal dates, the one
    that comes last) among those that have a value."""

    def __init__(self, lines: pd.DataFrame, codes: np.ndarray, keys: np.ndarray):
        self.lines, self.codes, self.keys = lines, codes, keys
        dates = lines["date"].to_numpy()
        if dates.dtype.kind == "M" and not np.isnat(dates).any():
            self.order = np.argsort(dates, kind="stable")
        else:       # missing dates or dates with a time zone: as pandas sorts them, missing last
            self.order = lines["date"].reset_index(drop=True).sort_values(kind="stable").index.to_numpy()
        self.rank = np.empty(len(self.order), np.int64)
        self.rank[self.order] = np.arange(len(self.order))

    def values(self, field: str) -> np.ndarray:
        """The field's value on each customer's latest line that has one (None when the column is absent)."""
        if field not in self.lines.columns:
            return np.full(len(self.keys), None, dtype=object)
        column = self.lines[field]
        known = column.notna().to_numpy()
        best = self._latest_every_line if known.all() else self._latest(known)
        found = best >= 0
        latest = column.iloc[self.order[best[found]]]
        if not found.all():         # as a Series by customer, missing where a customer has no value
            latest = latest.set_axis(self.keys[found]).reindex(self.keys)
        return latest.to_numpy(object, na_value=None)

    @functools.cached_property
    def _latest_every_line(self) -> np.ndarray:
        return self._latest(np.ones(len(self.codes), bool))

    def _latest(self, known: np.ndarray) -> np.ndarray:
        """Per customer, the rank of their latest line among ``known`` (-1: none)."""
        best = np.full(len(self.keys), -1, np.int64)
        np.maximum.at(best, self.codes[known], self.rank[known])
        return best

    def last_order_date(self) -> np.ndarray:
        """The date of each customer's latest line with a positive amount (NaT when there is none)."""
        positive = (self.lines["amount"] > 0).to_numpy()
        dates = self.lines["date"].to_numpy("datetime64[ns]").view(np.int64)
        last = np.full(len(self.keys), np.datetime64("NaT").astype("datetime64[ns]").view(np.int64))
        np.maximum.at(last, self.codes[positive], dates[positive])
        return last.view("datetime64[ns]")


def month_labels(months: np.ndarray) -> list[str]:
    """``YYYY-MM`` of each month integer."""
    labels = {month: month_label(month) for month in np.unique(months).tolist()}
    return [labels[month] for month in months.tolist()]
