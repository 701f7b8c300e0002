"""Partial churn and rep turnover on 1,000,000 order lines: what the category and rep rules add to the engine.

    python benchmarks/bench_partial.py [--rows 1000000] [--repeat 5]

The lines are ``generate.order_lines`` as the reader gives them (``bench_backtest.normalised_lines``: 20,000
customers, five categories, six reps, 36 months for a million). ``analyse`` runs on them as they are, and
on the same lines without their category, product and rep columns, where the dropped-category and departed-
rep rules have nothing to do; the difference is what those rules cost. So that a rep departs, the first rep's
lines of the last four months are handed to the second rep. Each figure is the median of
``--repeat`` runs after one warm-up run, in one process. Target: the rules add under 0.5 s. The backtest's
two new rules (every as-of month) are timed too, for the record.
"""
from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time

import pandas as pd
from bench_backtest import normalised_lines
from machine import machine, table

from churn_logic import Settings, analyse, backtest


def median_seconds(run, repeat: int) -> float:
    times = []
    for _ in range(repeat + 1):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times[1:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    lines = normalised_lines(args.rows)
    first, second = lines["rep"].cat.categories[:2]
    handed = (lines["rep"] == first) & (lines["date"] >= lines["date"].max() - pd.DateOffset(months=4))
    lines.loc[handed, "rep"] = second
    plain = lines.drop(columns=["category", "product", "rep"])
    today = (lines["date"].max() + dt.timedelta(days=31)).date().replace(day=1)
    settings = Settings()
    with_rules = median_seconds(lambda: analyse(lines, settings, today), args.repeat)
    without = median_seconds(lambda: analyse(plain, settings, today), args.repeat)
    model, bare = analyse(lines, settings, today), analyse(plain, settings, today)
    backtest_with = median_seconds(lambda: backtest(model), args.repeat)
    backtest_without = median_seconds(lambda: backtest(bare), args.repeat)
    dropped = int(model.customers["dropped_categories"].map(bool).sum())
    print(f"Dropped categories and departed reps on {len(lines):,} order lines, {lines['customer'].nunique():,} "
          f"customers (median of {args.repeat} after a warm-up): {dropped:,} customers with a dropped category, "
          f"{len(model.turnover.reps)} departed rep with {len(model.turnover.customers):,} customers")
    print(table(["step", "with the rules s", "without s", "added s", "target"],
                [["analyse", f"{with_rules:.3f}", f"{without:.3f}", f"{with_rules - without:.3f}", "< 0.5"],
                 ["backtest", f"{backtest_with:.3f}", f"{backtest_without:.3f}",
                  f"{backtest_with - backtest_without:.3f}", ""]]))
    print(machine())


if __name__ == "__main__":
    main()
