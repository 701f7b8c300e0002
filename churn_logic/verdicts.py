"""Risk verdicts and their reasons in words (SPEC "Verdicts")."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .periods import month_label
from .settings import Settings

RISKS = ("LOST", "HIGH", "MEDIUM", "LOW")
RISK_ORDER = {risk: rank for rank, risk in enumerate(RISKS)}
_RISKS = pd.Index(RISKS)
RISK_LABELS = {"en": {risk: risk for risk in RISKS},
               "zh": {"LOST": "已流失", "HIGH": "高风险", "MEDIUM": "中风险", "LOW": "低风险"}}

_MEASURE_WORDS = {
    "en": {"amount": "sales", "quantity": "quantity", "orders": "orders"},
    "zh": {"amount": "销售额", "quantity": "数量", "orders": "订单数"},
}
_TEXT = {
    "en": {
        "lost": "no orders for {z} months (since {since})",
        "low_zero": "no orders for {l} months in a row",
        "low": "{measure} at or below {x} for {l} months in a row",
        "decline": "{measure} down {d} months in a row: {peak} → {now}",
        "join": "; ",
    },
    "zh": {
        "lost": "连续{z}个月无订单（自{since}起）",
        "low_zero": "连续{l}个月无订单",
        "low": "{measure}连续{l}个月不超过{x}",
        "decline": "{measure}连续{d}个月下降：{peak} → {now}",
        "join": "；",
    },
}


def classify(decline: np.ndarray, low: np.ndarray, dormant: np.ndarray, settings: Settings) -> pd.Index:
    """The first verdict that holds: LOST (Z ≥ N_z), HIGH (L ≥ N_l), MEDIUM (D ≥ N_d), else LOW."""
    return _RISKS.take(risk_ranks(decline, low, dormant, settings))


def risk_ranks(decline: np.ndarray, low: np.ndarray, dormant: np.ndarray, settings: Settings) -> np.ndarray:
    """``classify`` as the rank of each verdict in ``RISKS`` (arrays of any shape)."""
    return np.select(
        [dormant >= settings.lost_months, low >= settings.low_months, decline >= settings.decline_months],
        [RISK_ORDER["LOST"], RISK_ORDER["HIGH"], RISK_ORDER["MEDIUM"]], default=RISK_ORDER["LOW"])


def format_number(value: float) -> str:
    """``1,200`` for whole numbers, ``1,200.50`` otherwise."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def reasons(decline: int, low: int, dormant: int, peak: float, now: float, as_of: int,
            settings: Settings, lang: str = "en") -> str:
    """Every rule that fired for one customer, with its numbers, in ``lang`` (en or zh)."""
    text = _TEXT[lang]
    measure = _MEASURE_WORDS[lang][settings.measure]
    parts = []
    lost = dormant >= settings.lost_months
    if lost:
        parts.append(text["lost"].format(z=dormant, since=month_label(as_of - dormant + 1)))
    if low >= settings.low_months and not (lost and low == dormant):
        key = "low_zero" if settings.low_threshold == 0 else "low"
        parts.append(text[key].format(l=low, x=format_number(settings.low_threshold), measure=measure))
    if decline >= settings.decline_months:
        parts.append(text["decline"].format(d=decline, measure=measure,
                                            peak=format_number(peak), now=format_number(now)))
    return text["join"].join(parts)
