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
    """Per customer: D, L, Z, risk, value_last_12m, value_at_stake, core_class, last_order_date, dropped (the
    dropped categories: [(category, L_g, B_g, value)], largest value first)."""
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
    for c, dropped in dropped_categories(lines, as_of, s, out).items():
        out[c]["dropped"] = dropped
        if out[c]["risk"] == "LOW":
            out[c]["value_at_stake"] = sum(value for _, _, _, value in dropped)
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


def dropped_categories(lines, as_of, s, scores):
    """docs/spec.md "Partial churn": per customer, the categories (else products) whose low streak L_g reaches
    N_c, that were bought in at least M of the W months before it, while the customer's Z < L_g."""
    field = next((f for f in ("category", "product") if any(line.get(f) is not None for line in lines)), None)
    if field is None:
        return {}
    x = dec(s["low_threshold"]) if s["measure"] == "amount" else Decimal(0)
    n_c = s.get("category_low_months") or s["low_months"]
    window, regular = s.get("category_window", 12), s.get("category_min_months", 6)
    w = defaultdict(Decimal)
    for line in lines:
        if line.get(field) is not None:
            w[line["customer"], line[field], month_of(line["date"])] += dec(line["amount"])
    out = defaultdict(list)
    for c, g in sorted({(c, g) for c, g, _ in w}):
        first = scores[c]["first"]
        low, t = 0, as_of
        while t >= first and w.get((c, g, t), 0) <= x:
            low, t = low + 1, t - 1
        end = as_of - low
        bought = sum(1 for t in range(end - window + 1, end + 1) if w.get((c, g, t), 0) > 0)
        value = sum((w.get((c, g, t), Decimal(0)) for t in range(end - 11, end + 1)), Decimal(0))
        if low >= n_c and bought >= regular and scores[c]["months_without_orders"] < low:
            out[c].append((g, low, bought, value))
    return {c: sorted(found, key=lambda d: (-d[3], d[0])) for c, found in out.items()}


def reps(lines, as_of, s, marked=()):
    """docs/spec.md "Rep turnover": the departed reps {rep: last month}, per customer whether their rep is
    departed, and per customer of a departed rep (rep, the rep's last month, who has them now or None)."""
    lines = [line for line in lines if month_of(line["date"]) <= as_of]
    named = [(i, line) for i, line in enumerate(lines) if line.get("rep") is not None]
    last = {}
    for _, line in named:
        last[line["rep"]] = max(last.get(line["rep"], -1), month_of(line["date"]))
    marks = {name.casefold() for name in marked}
    departed = {r: m for r, m in last.items() if m <= as_of - s.get("rep_gone_months", 3) or r.casefold() in marks}

    def rep_of(c, m):
        mine = [(line["date"], i, line["rep"]) for i, line in named if line["customer"] == c and month_of(line["date"]) <= m]
        return max(mine)[2] if mine else None

    customers = {line["customer"] for line in lines}
    now = {c: rep_of(c, as_of) for c in customers}
    served = {}
    for r, m in sorted(departed.items(), key=lambda item: item[1]):
        for c in customers:
            if rep_of(c, m) == r:
                served[c] = (r, m, now[c] if now[c] != r else None)
    return departed, {c: now[c] in departed for c in customers}, served


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
