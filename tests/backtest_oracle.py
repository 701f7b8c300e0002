"""A loop implementation of SPEC "Backtest", to check churn_logic.backtest against.

One as-of month and one customer at a time, straight from the SPEC's words: each month m that
has K later months in the data scores, with oracle.score (itself loops over the SPEC), every
customer whose history has started by m; the customer churned at m when no month m+1 … m+K has
a positive amount. Amounts are ``decimal.Decimal`` as written; every figure is an exact
``Fraction`` of the pooled counts (None where its denominator is 0).
"""
from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal
from fractions import Fraction

import oracle

LOST = range(2, 13)
LOW = range(2, 7)
DECLINE = range(2, 7)
PERCENTILES = (10, 25, 50)


def low_thresholds(values, setting):
    """The user's threshold, then the 10th, 25th and 50th percentile of the positive monthly values (the value
    at place ⌊(N − 1) · P / 100⌋ of the sorted ones), to two significant figures rounded half up."""
    positive = sorted(v for months in values.values() for v in months.values() if v > 0)
    out = [oracle.dec(setting)]
    for pct in PERCENTILES:
        if not positive:
            break
        value = positive[(len(positive) - 1) * pct // 100]
        step = Decimal(1)
        while value / step >= 100:
            step *= 10
        while value / step < 10:
            step /= 10
        rounded = (value / step + Decimal("0.5")).to_integral_value(ROUND_FLOOR) * step
        if rounded not in out:
            out.append(rounded)
    return out


def backtest(lines, as_of, s, horizon):
    """{"months": [...], "scored", "churned", "rules": {(rule, n, level, X): figures}, "recommended": {...}}."""
    lines = [line for line in lines if oracle.month_of(line["date"]) <= as_of]
    values, amounts = oracle.monthly_values(lines, s["measure"])
    first = min(oracle.month_of(line["date"]) for line in lines)
    months = [m for m in range(first, as_of + 1) if m + horizon <= as_of]
    thresholds = low_thresholds(values, s["low_threshold"])

    def scores(m, low_threshold=None):
        if m < first:
            return {}
        return oracle.score(lines, m, s if low_threshold is None else {**s, "low_threshold": float(low_threshold)})

    departed_rep = {m: oracle.reps(lines, m, s)[1] for m in range(first - 1, as_of + 1)}
    samples = []        # one per (m, customer): its streaks, verdicts now and a month before, and churned
    for m in months:
        now, before = scores(m), scores(m - 1)
        low_by_x = {x: scores(m, x) for x in thresholds}
        for c, row in now.items():
            samples.append({
                "Z": row["months_without_orders"], "D": row["decline_streak"],
                "L": {x: low_by_x[x][c]["low_streak"] for x in thresholds},
                "risk": row["risk"], "risk_before": before[c]["risk"] if c in before else None,
                "partial": bool(row.get("dropped")), "partial_before": bool(before.get(c, {}).get("dropped")),
                "rep": departed_rep[m][c], "rep_before": departed_rep.get(m - 1, {}).get(c, False),
                "churned": not any(amounts[c].get(t, 0) > 0 for t in range(m + 1, m + horizon + 1)),
                "month": m,
            })
    rules = {}
    for n in sorted({*LOST, s["lost_months"]}):
        rules[("lost", n, None, None)] = figures(samples, months, lambda x, n=n: x["Z"] >= n,
                                                 lambda x, n=n: x["Z"] == n)
    for threshold in thresholds:
        for n in sorted({*LOW, s["low_months"]}):
            rules[("low", n, None, threshold)] = figures(samples, months, lambda x, n=n, t=threshold: x["L"][t] >= n,
                                                         lambda x, n=n, t=threshold: x["L"][t] == n)
    for n in sorted({*DECLINE, s["decline_months"]}):
        rules[("decline", n, None, None)] = figures(samples, months, lambda x, n=n: x["D"] >= n,
                                                    lambda x, n=n: x["D"] == n)
    for level, levels in (("flagged", ("LOST", "HIGH", "MEDIUM")), ("LOST", ("LOST",)), ("HIGH", ("HIGH",)),
                          ("MEDIUM", ("MEDIUM",))):
        rules[("verdict", None, level, None)] = figures(
            samples, months, lambda x, levels=levels: x["risk"] in levels,
            lambda x, levels=levels: x["risk"] in levels and x["risk_before"] not in levels)
    for rule, key in (("partial", "partial"), ("rep_departed", "rep")):
        rules[(rule, None, None, None)] = figures(samples, months, lambda x, k=key: x[k],
                                                  lambda x, k=key: x[k] and not x[k + "_before"])
    churned = sum(x["churned"] for x in samples)
    return {"months": months, "scored": len(samples), "churned": churned, "rules": rules,
            "recommended": recommended(rules, len(months), churned, len(samples) - churned)}


def figures(samples, months, flags, newly):
    """The SPEC's pooled figures for one rule."""
    flagged = [x for x in samples if flags(x)]
    churned = [x for x in samples if x["churned"]]
    stayed = [x for x in samples if not x["churned"]]
    hits = [x for x in flagged if x["churned"]]
    new = [x for x in samples if newly(x)]
    precision = frac(len(hits), len(flagged))
    base_rate = frac(len(churned), len(samples))
    recall = frac(len(hits), len(churned))
    specificity = frac(sum(1 for x in stayed if not flags(x)), len(stayed))
    per_month = [frac(sum(1 for x in flagged if x["month"] == m and x["churned"]),
                      sum(1 for x in flagged if x["month"] == m)) for m in months]
    per_month = [p for p in per_month if p is not None]
    return {
        "flagged_per_month": [sum(1 for x in flagged if x["month"] == m) for m in months],
        "flagged": len(flagged), "churned_flagged": len(hits),
        "precision": precision, "recall": recall, "specificity": specificity,
        "lift": precision / base_rate if precision is not None and base_rate else None,
        "balanced_accuracy": (recall + specificity) / 2 if recall is not None and specificity is not None else None,
        "new_precision": frac(sum(1 for x in new if x["churned"]), len(new)),
        "precision_range": [min(per_month), max(per_month)] if per_month else [None, None],
    }


def recommended(rules, months, churned, stayed):
    """Per family, the (n, X) of the best balanced accuracy (ties: fewer flagged, then the first), or None
    with too little history (under 3 months, under 30 churned or stayed) or when the best is under 0.55."""
    out = {}
    for family in ("lost", "low", "decline"):
        if months < 3 or churned < 30 or stayed < 30:
            out[family] = None
            continue
        best_key, best = None, None
        for key, f in rules.items():
            if key[0] != family:
                continue
            rank = (f["balanced_accuracy"], -f["flagged"])
            if best is None or rank > best:
                best_key, best = key, rank
        out[family] = (best_key[1], best_key[3]) if best[0] >= Fraction(55, 100) else None
    return out


def frac(numerator, denominator):
    return Fraction(numerator, denominator) if denominator else None
