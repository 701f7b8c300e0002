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
    in_scope = months_of(lines["date"]) <= as_of
    scoped = lines[in_scope]
    if scoped.empty:
        raise NoOrdersError(f"No order lines fall on or before the as-of month {month_label(as_of)}.")
    series = monthly.build(scoped, as_of, settings.measure)
    decline = streaks.decline_streak(series, settings.min_drop_pct)
    low = streaks.low_streak(series, settings.low_threshold)
    dormant = streaks.dormant_streak(series)
    risk = classify(decline, low, dormant, settings)
    last = series.values.shape[1] - 1
    value_12m = series.window_sum(series.amount, np.full(len(risk), last))
    trigger = np.select([risk == "LOST", risk == "HIGH", risk == "MEDIUM"], [dormant, low, decline], 0)
    customers = pd.DataFrame({
        "customer": series.keys,
        "name": latest_values(scoped, "name", series.keys),
        "risk": risk,
        "decline_streak": decline,
        "low_streak": low,
        "months_without_orders": dormant,
        "last_order_date": _last_order_date(scoped, series.keys),
        "core_class": core_classes(value_12m, series.keys, settings.abc_a_pct, settings.abc_b_pct),
        "value_last_12m": value_12m,
        "value_at_stake": series.window_sum(series.amount, last - trigger),
        "first_month": [month_label(series.first_month + s) for s in series.start],
        **{field: latest_values(scoped, field, series.keys) for field in CONTACT_FIELDS},
    })
    return ChurnModel(settings, as_of, series, customers, scoped, int((~in_scope).sum()))


def latest_values(lines: pd.DataFrame, field: str, keys: np.ndarray) -> np.ndarray:
    """Per customer, the field's value on their latest line that has one (None when the column is absent)."""
    if field not in lines.columns:
        return np.full(len(keys), None, dtype=object)
    known = lines[lines[field].notna()].sort_values("date", kind="stable")
    latest = known.groupby("customer", sort=False)[field].last()
    return latest.reindex(keys).to_numpy(object, na_value=None)


def _last_order_date(lines: pd.DataFrame, keys: np.ndarray) -> np.ndarray:
    """Per customer, the date of the latest line with a positive amount (NaT when there is none)."""
    positive = lines[lines["amount"] > 0]
    return positive.groupby("customer", sort=False)["date"].max().reindex(keys).to_numpy("datetime64[ns]")
