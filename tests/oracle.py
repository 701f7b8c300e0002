"""A tiny, obviously-correct loop implementation of SPEC.md, to check the vectorised engine against.

Month arithmetic is done on (year, month) tuples turned into integers, one customer and
one month at a time, straight from the SPEC's words. Amounts, quantities and settings are
``decimal.Decimal`` numbers as written (``Decimal("27.94")``), so every sum and comparison
is exact decimal arithmetic, as the SPEC asks.
"""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal


def dec(value) -> Decimal:
    """A number as the decimal it was written as."""
    return Decimal(repr(float(value)))


def month_of(date) -> int:
    return date.year * 12 + date.month - 1


def monthly_values(lines, measure):
    """{customer: {month: v}} and {customer: {month: amount}} for the given order lines."""
    values, amounts = defaultdict(lambda: defaultdict(Decimal)), defaultdict(lambda: defaultdict(Decimal))
    seen_orders = set()
    for line in lines:
        c, m = line["customer"], month_of(line["date"])
        amounts[c][m] += dec(line["amount"])
        if measure == "amount":
            values[c][m] += dec(line["amount"])
        elif measure == "quantity":
            values[c][m] += dec(line["quantity"])
        else:
            values[c][m] += 0
            if line["amount"] > 0 and (c, m, line["order"]) not in seen_orders:
                seen_orders.add((c, m, line["order"]))
                values[c][m] += 1
    return values, amounts


def score(lines, as_of, s):
    """Per customer: D, L, Z, risk, value_last_12m, value_at_stake, core_class, last_order_date."""
    lines = [line for line in lines if month_of(line["date"]) <= as_of]
    values, amounts = monthly_values(lines, s["measure"])
    out = {}
    for c in values:
        v = values[c]
        first = min(v)
        d, t = 0, as_of
        while t - 1 >= first and v.get(t, 0) < v.get(t - 1, 0) * (1 - dec(s["min_drop_pct"]) / 100):
            d, t = d + 1, t - 1
        low, t = 0, as_of
        while t >= first and v.get(t, 0) <= dec(s["low_threshold"]):
            low, t = low + 1, t - 1
        z, t = 0, as_of
        while t >= first and v.get(t, 0) <= 0:
            z, t = z + 1, t - 1
        if z >= s["lost_months"]:
            risk, streak = "LOST", z
        elif low >= s["low_months"]:
            risk, streak = "HIGH", low
        elif d >= s["decline_months"]:
            risk, streak = "MEDIUM", d
        else:
            risk, streak = "LOW", 0
        window = lambda end: sum(amounts[c].get(m, Decimal(0)) for m in range(end - 11, end + 1))
        positive_dates = [line["date"] for line in lines if line["customer"] == c and line["amount"] > 0]
        out[c] = {"decline_streak": d, "low_streak": low, "months_without_orders": z, "risk": risk,
                  "value_last_12m": window(as_of), "value_at_stake": window(as_of - streak),
                  "last_order_date": max(positive_dates) if positive_dates else None, "first": first}
    ranked = sorted((c for c in out if out[c]["value_last_12m"] > 0), key=lambda c: (-out[c]["value_last_12m"], c))
    total = sum(out[c]["value_last_12m"] for c in ranked)
    reached = Decimal(0)
    for c in out:
        out[c]["core_class"] = "C"
    for c in ranked:
        if reached < total * dec(s["abc_a_pct"]) / 100:
            out[c]["core_class"] = "A"
        elif reached < total * dec(s["abc_b_pct"]) / 100:
            out[c]["core_class"] = "B"
        reached += out[c]["value_last_12m"]
    return out


def kpis(lines, as_of, s):
    """Month by month: active, new, churned, reactivated, churn rate, revenue lost (see churn_logic.kpis)."""
    lines = [line for line in lines if month_of(line["date"]) <= as_of]
    values, amounts = monthly_values(lines, s["measure"])
    start = min(month_of(line["date"]) for line in lines)
    rows, previous_active = [], 0
    lost_before = set()
    for m in range(start, as_of + 1):
        active = new = churned = reactivated = 0
        lost_value = Decimal(0)
        lost_now = set()
        for c, v in values.items():
            first = min(v)
            if first > m:
                continue
            new += first == m
            z, t = 0, m
            while t >= first and v.get(t, 0) <= 0:
                z, t = z + 1, t - 1
            if z >= s["lost_months"]:
                lost_now.add(c)
            else:
                active += 1
            if z == s["lost_months"]:
                churned += 1
                end = m - s["lost_months"]
                lost_value += sum(amounts[c].get(k, Decimal(0)) for k in range(end - 11, end + 1))
            if c in lost_before and z == 0:
                reactivated += 1
        rate = churned / previous_active if previous_active else None
        rows.append({"active_customers": active, "new_customers": new, "churned_customers": churned,
                     "reactivated_customers": reactivated, "churn_rate": rate, "revenue_lost": lost_value})
        previous_active, lost_before = active, lost_now
    return rows
