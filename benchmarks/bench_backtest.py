"""The backtest on 1,000,000 order lines: every rule and the verdicts as of every month, in one pass.

    python benchmarks/bench_backtest.py [--rows 1000000] [--repeat 5]

The lines are ``generate.order_lines`` (the lines of the benchmark workbooks: 20,000 customers over
36 months for a million), made in memory with the column types churnkit's reader gives (keys and
texts as pandas categoricals). The engine time of the whole backtest is ``analyse`` (the monthly
matrices) plus ``backtest`` with the default settings (horizon 3 months: 33 as-of months checked);
each figure is the median of ``--repeat`` runs after one warm-up run, in one process.
Target: under 1 s.
"""
from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time

import pandas as pd
from generate import order_lines
from machine import machine, table

from churn_logic import Settings, analyse, backtest

COLUMNS = {"Order Date": "date", "Customer ID": "customer", "Amount": "amount", "Quantity": "quantity",
           "Order No": "order", "Customer Name": "name", "Product": "product", "Category": "category",
           "Sales Rep": "rep", "Region": "region"}
TEXTS = ("customer", "name", "product", "category", "rep", "region")


def normalised_lines(rows: int) -> pd.DataFrame:
    """The generated lines as the reader returns them."""
    lines = order_lines(rows).rename(columns=COLUMNS)
    for column in TEXTS:
        lines[column] = lines[column].astype("category")
    return lines


def engine_seconds(lines: pd.DataFrame, today: dt.date, repeat: int) -> tuple[dict[str, float], object]:
    """Median seconds of each step over ``repeat`` runs after a warm-up run, and the last result."""
    runs = []
    for _ in range(repeat + 1):
        started = time.perf_counter()
        model = analyse(lines, Settings(), today)
        scored = time.perf_counter()
        result = backtest(model)
        done = time.perf_counter()
        runs.append({"analyse": scored - started, "backtest": done - scored, "engine": done - started})
    return {step: statistics.median(run[step] for run in runs[1:]) for step in runs[0]}, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    lines = normalised_lines(args.rows)
    today = (lines["date"].max() + dt.timedelta(days=31)).date().replace(day=1)   # the as-of month: the latest's
    seconds, result = engine_seconds(lines, today, args.repeat)
    print(f"The backtest on {len(lines):,} order lines, {lines['customer'].nunique():,} customers: "
          f"{len(result.months)} as-of months × {len(result.rules)} rules, {result.scored:,} customer-months "
          f"(median of {args.repeat} after a warm-up)")
    print(table(["step", "seconds"], [[step, f"{value:.3f}"] for step, value in seconds.items() if step != "engine"] +
                [["engine (both)", f"{seconds['engine']:.3f}"]]))
    print(f"target: under 1 s — {'met' if seconds['engine'] < 1 else 'NOT met'}")
    print(machine())


if __name__ == "__main__":
    main()
