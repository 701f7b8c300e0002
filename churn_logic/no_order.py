"""Each customer's probability of ordering nothing in the K months after the as-of month (SPEC "Probability
of no order").

``p_no_order`` is P(no order line with a positive amount in months A+1 … A+K), made from the order lines
up to the end of the as-of month A only, in two steps:

1. **The model.** A BG/NBD model (``bgnbd``; why BG/NBD is said there) is fitted to every customer's
   purchase days (``purchase_days``) up to the end of A; its closed form gives P(no purchase in the days
   of A+1 … A+K) for each customer. (P(alive) is not this probability and is never shown as churn: a
   customer who bought once long ago is "alive" for the model, yet unlikely to order.)
2. **The calibration** on the business's own history, when it has enough: the same model is fitted as of
   m0 = A − K to the lines up to the end of m0, and a logistic regression (``calibration``) learns how its
   probability, the customers' repeat purchases and the streaks D, L and Z as of m0 map to what happened
   in m0+1 … A (an order or none). The mapping is then applied to the model fitted as of A and the streaks
   as of A. When the orders up to A − K are too few to fit the model, m0 = A − k for the longest k from
   K down to half of K that has enough (the mapping is then learnt over k months, and applied to the
   model's probability over K). Only lines up to the end of A are ever read. Without enough history for
   any of it, the model's own probability is given, and ``calibration`` says why.

``expected_loss`` = ``p_no_order`` × value at stake. Where the probability cannot be made it is NaN, with
a reason (a code of ``REASONS``, in words in English and Chinese).
"""
from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from . import bgnbd, calibration, monthly, streaks
from .model import ChurnModel
from .periods import month_label
from .purchase_days import PurchaseDays, Summary, days_of, month_end_day, month_start_day

MIN_BUYERS = 30             # customers with an order, up to the month the model is fitted at …
MIN_REPEAT_BUYERS = 10      # … of whom this many ordered on more than one day …
MIN_MONTHS = 3              # … over at least this many months (the first month with an order to that month)
MIN_CALIBRATION_CUSTOMERS = 100     # customers scored at A − K, to calibrate on …
MIN_EACH_OUTCOME = 10               # … of whom at least this many ordered, and this many did not

REASONS = {
    "no_positive_order": ("no order line with a positive amount up to the as-of month",
                          "截至评估月份没有金额为正的订单行"),
    "too_few_customers": (f"too few customers to fit the model: it needs {MIN_BUYERS} customers with orders, "
                          f"{MIN_REPEAT_BUYERS} of them ordering on more than one day",
                          f"客户太少，无法拟合模型：需要至少 {MIN_BUYERS} 位有订单的客户，"
                          f"其中 {MIN_REPEAT_BUYERS} 位在不止一天下过单"),
    "too_short_history": (f"too little history to fit the model: the orders must cover {MIN_MONTHS} months "
                          "up to the as-of month",
                          f"历史太短，无法拟合模型：订单须覆盖截至评估月份的至少 {MIN_MONTHS} 个月"),
    "fit_failed": ("the model could not be fitted to these orders", "无法用这些订单拟合模型"),
}
CALIBRATION = {
    "calibrated": ("calibrated on what the customers did in the {months} after {m0}",
                   "已按客户在 {m0} 之后 {k} 个月的实际情况校准"),
    "history_short": ("not calibrated: the model must be fitted as of a month {half} to {K} months before the "
                      "as-of month, and the orders up to then are too few for it",
                      "未校准：校准需要在评估月份之前 {half} 至 {K} 个月的某个月份拟合模型，而截至那时的订单不足"),
    "outcomes_few": (f"not calibrated: it needs {MIN_CALIBRATION_CUSTOMERS} customers as of a month {{half}} to "
                     f"{{K}} months before the as-of month, at least {MIN_EACH_OUTCOME} of whom ordered after it "
                     f"and {MIN_EACH_OUTCOME} who did not",
                     f"未校准：需要在评估月份之前 {{half}} 至 {{K}} 个月的某个月份至少有 {MIN_CALIBRATION_CUSTOMERS} "
                     f"位客户，其中之后下单和未下单的各至少 {MIN_EACH_OUTCOME} 位"),
    "none": ("no probability: {reason}", "无概率：{reason}"),
}


@dataclasses.dataclass
class NoOrderForecast:
    """Per customer (in the row order of the model's ``customers``): ``p_no_order``, ``expected_loss`` (NaN
    where unknown), ``p_model`` (the model's own probability, before the calibration) and ``reason`` (a code
    of ``REASONS`` where unknown, else empty); how the probabilities were made (``calibration``: a code of
    ``CALIBRATION``; when calibrated, on the ``calibration_months`` months after ``calibrated_at``) and the
    model fitted as of A (None, and ``unfitted`` the code of ``REASONS`` saying why, when it could not be)."""
    as_of: int
    horizon_months: int
    p_no_order: np.ndarray
    expected_loss: np.ndarray
    p_model: np.ndarray
    reason: np.ndarray
    calibration: str
    calibrated_at: int | None
    calibration_months: int | None
    fit: bgnbd.Fit | None
    unfitted: str
    keys: np.ndarray           # the customer keys, in the row order of the arrays above

    def of(self, frame: pd.DataFrame) -> pd.DataFrame:
        """``frame`` (a row per customer, keyed by its ``customer`` column) with each one's ``p_no_order`` and
        ``expected_loss`` (NaN for a customer this forecast does not score)."""
        rows = self._rows(frame)
        known = rows >= 0

        def taken(values: np.ndarray) -> np.ndarray:
            out = np.full(len(rows), np.nan)
            out[known] = values[rows[known]]
            return out

        return frame.assign(p_no_order=taken(self.p_no_order), expected_loss=taken(self.expected_loss))

    def _rows(self, frame: pd.DataFrame) -> np.ndarray:
        """Each row's place in ``keys`` (-1 for none): its index, when ``frame`` is rows of the model's customers
        and the keys say so (a million keys are compared faster than looked up); else found by its key."""
        index = frame.index.to_numpy()
        if len(index) and index.dtype.kind == "i" and 0 <= index.min() and index.max() < len(self.keys) \
                and np.array_equal(self.keys[index], frame["customer"].to_numpy(object)):
            return index
        return pd.Index(self.keys).get_indexer(frame["customer"])

    def reasons(self, lang: str = "en") -> list[str]:
        """Per customer, why ``p_no_order`` is empty, in words ("" where it is known)."""
        words = {code: texts[lang == "zh"] for code, texts in REASONS.items()}
        return [words[code] if code else "" for code in self.reason]

    def calibration_words(self, lang: str = "en") -> str:
        """How the probabilities were made, in words."""
        zh = lang == "zh"
        k = self.calibration_months
        return CALIBRATION[self.calibration][zh].format(
            months=f"{k} month{'s' if k != 1 else ''}", k=k, K=self.horizon_months,
            m0=month_label(self.calibrated_at) if self.calibrated_at is not None else "",
            half=_shortest_calibration(self.horizon_months), reason=REASONS[self.unfitted][zh] if self.unfitted else "")


@dataclasses.dataclass(frozen=True)
class _ModelAt:
    """The BG/NBD model fitted as of a month: per customer, its probability of no purchase in the months
    after and the repeat purchases (NaN where unknown); why not (one code for all, "" when fitted); the fit."""
    p: np.ndarray
    repeat: np.ndarray
    reason: str
    fit: bgnbd.Fit | None


def forecast(model: ChurnModel, horizon_months: int) -> NoOrderForecast:
    """``p_no_order`` and ``expected_loss`` of every customer of ``model``, for the ``horizon_months`` months
    after its as-of month."""
    if horizon_months < 1:
        raise ValueError("the horizon must be at least one month")
    series = model.series
    n = len(series.keys)
    purchases = model.months.purchase_days(series.keys) if model.months is not None else \
        PurchaseDays(np.asarray(model.line_rows), days_of(model.lines["date"]), model.lines["amount"].to_numpy(float), n)
    history = purchases.summary(month_end_day(model.as_of))
    now = _model_at(history, model.as_of, horizon_months, np.ones(n, bool))
    reason = np.full(n, now.reason, dtype=object)
    reason[~history.bought] = "no_positive_order"
    p, how, m0, months = now.p, "none", None, None
    if not now.reason:
        mapping, how, m0, months = _calibrate(model, purchases, horizon_months)
        if mapping is not None:
            c = model.customers
            known = np.isfinite(p)
            features = calibration.features(p, now.repeat, c["decline_streak"].to_numpy(),
                                            c["low_streak"].to_numpy(), c["months_without_orders"].to_numpy())
            p = np.full(n, np.nan)
            p[known] = mapping.apply(features[known])
    reason[np.isfinite(p)] = ""
    return NoOrderForecast(model.as_of, horizon_months, p, p * model.customers["value_at_stake"].to_numpy(float),
                           now.p, reason, how, m0, months, now.fit, now.reason,
                           model.customers["customer"].to_numpy(object))


def _model_at(history: Summary, month: int, horizon_months: int, customers: np.ndarray) -> _ModelAt:
    """The model fitted to the histories (``history``: observed up to the end of ``month``) of ``customers`` (a
    mask)."""
    last_day = month_end_day(month)
    bought = history.bought & customers
    p, repeat = np.full(len(bought), np.nan), np.full(len(bought), np.nan)
    x, t_x, T = history.x[bought], history.t_x[bought], history.T[bought]
    if len(x) < MIN_BUYERS or np.count_nonzero(x) < MIN_REPEAT_BUYERS:
        return _ModelAt(p, repeat, "too_few_customers", None)
    first_month = (last_day - T.max()).astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) + 1970 * 12
    if month - first_month + 1 < MIN_MONTHS:
        return _ModelAt(p, repeat, "too_short_history", None)
    fit = bgnbd.fit(x, t_x, T)
    if not fit.converged:
        return _ModelAt(p, repeat, "fit_failed", None)
    horizon_days = int(month_start_day(month + horizon_months + 1)) - last_day - 1
    p[bought] = bgnbd.p_no_purchase(fit.params, horizon_days, x, t_x, T)
    repeat[bought] = x
    return _ModelAt(p, repeat, "", fit)


def _shortest_calibration(horizon_months: int) -> int:
    """The fewest months a calibration may look ahead for this horizon: half of it, rounded up."""
    return (horizon_months + 1) // 2


def _calibrate(model: ChurnModel, purchases: PurchaseDays, horizon_months: int):
    """The mapping learnt at m0 = A − k (k from K down to half of K: the first that has enough history) from
    what happened in m0+1 … A; the ``CALIBRATION`` code, m0 and k (the mapping is None when no k has enough)."""
    series, settings = model.series, model.settings
    why = "history_short"
    for months in range(horizon_months, _shortest_calibration(horizon_months) - 1, -1):
        m0 = model.as_of - months
        column = m0 - series.first_month
        if column < 0:
            continue
        then = _model_at(purchases.summary(month_end_day(m0)), m0, months, series.start <= column)
        if then.reason:
            continue
        scored = np.isfinite(then.p)
        no_order = ~purchases.bought_between(month_end_day(m0), month_end_day(model.as_of))[scored]
        if len(no_order) < MIN_CALIBRATION_CUSTOMERS or min(no_order.sum(), (~no_order).sum()) < MIN_EACH_OUTCOME:
            why = "outcomes_few"
            continue
        cut = _series_up_to(series, column)
        past = calibration.features(then.p, then.repeat, streaks.decline_streak(cut, settings.min_drop_pct),
                                    streaks.low_streak(cut, settings.low_threshold), streaks.dormant_streak(cut))
        return calibration.fit_mapping(past[scored], no_order), "calibrated", m0, months
    return None, why, None, None


def _series_up_to(series: monthly.MonthlySeries, column: int) -> monthly.MonthlySeries:
    """The monthly series as it stood at the end of month column ``column``: later months cut off."""
    width = column + 1
    return monthly.MonthlySeries(series.keys, series.first_month, series.values[:, :width],
                                 series.amount[:, :width], lambda: series.orders[:, :width], series.start,
                                 series.scale)
