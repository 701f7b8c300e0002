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
        "partial": "stopped buying {category} {l} months ago (bought it {b} of the {w} months before)",
        "rep_left": "rep {rep} left (last order line in {month})",
        "taken_over": "now with {rep}",
        "join": "; ",
    },
    "zh": {
        "lost": "连续{z}个月无订单（自{since}起）",
        "low_zero": "连续{l}个月无订单",
        "low": "{measure}连续{l}个月不超过{x}",
        "decline": "{measure}连续{d}个月下降：{peak} → {now}",
        "partial": "已{l}个月未购买{category}（此前{w}个月中有{b}个月购买）",
        "rep_left": "业务员{rep}已离职（最后订单行在{month}）",
        "taken_over": "现由{rep}负责",
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
    return join_reasons(parts, lang)


def join_reasons(parts: list[str], lang: str) -> str:
    return _TEXT[lang]["join"].join(parts)


def category_reasons(drops: list[tuple[str, int, int]], settings: Settings, lang: str = "en") -> list[str]:
    """PARTIAL: one reason per dropped category (name, L_g, B_g), as docs/spec.md "Partial churn" words it."""
    return [_TEXT[lang]["partial"].format(category=name, l=streak, b=bought, w=settings.category_window)
            for name, streak, bought in drops]


def rep_reason(handover, lang: str = "en") -> str:
    """The customer's rep left (``handover``: their row of ``reps.RepTurnover.customers``), and who has them now."""
    text = _TEXT[lang]
    words = text["rep_left"].format(rep=handover["departed_rep"], month=handover["rep_last_month"])
    if pd.notna(handover["taken_over_by"]):
        words += text["join"] + text["taken_over"].format(rep=handover["taken_over_by"])
    return words
