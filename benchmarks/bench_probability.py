"""Issue 13: p_no_order for about 20,000 customers — the BG/NBD fits as of A and A − K, the calibration, the scoring.

    python benchmarks/bench_probability.py [--rows 1000000] [--horizon 3] [--repeat 5]

The lines are the generated order book's (``generate.order_lines``: 1,000,000 lines, 20,000 customers,
36 months by default), made in memory and given to the engine as churnkit's reader gives them (customer
keys as a categorical of the sorted keys). ``analyse`` runs once; the figure is ``no_order.forecast``:
the purchase days of every line, the model fitted as of A − K, the mapping learnt from the K months after,
the model fitted as of A and every customer's probability. Each figure is the median of ``--repeat`` runs
after one warm-up run. Target: under 2 s.
"""
from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time

import numpy as np
import pandas as pd
from generate import order_lines
from machine import machine, table

from churn_logic import Settings, analyse
from churn_logic.no_order import forecast


def churnkit_lines(rows: int) -> pd.DataFrame:
    """The generated lines in the columns (and the customer categorical) churnkit's reader gives."""
    raw = order_lines(rows)
    keys = raw["Customer ID"]
    return pd.DataFrame({"customer": pd.Categorical(keys, categories=np.sort(keys.unique())),
                         "date": raw["Order Date"], "amount": raw["Amount"], "order": raw["Order No"]})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--horizon", type=int, default=3, help="months after the as-of month")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    lines = churnkit_lines(args.rows)
    today = (lines["date"].max() + dt.timedelta(days=31)).date().replace(day=1)    # the as-of month: the latest's
    model = analyse(lines, Settings(), today)
    seconds = []
    for _ in range(args.repeat + 1):
        started = time.perf_counter()
        result = forecast(model, args.horizon)
        seconds.append(time.perf_counter() - started)
    known = np.isfinite(result.p_no_order)
    fit = result.fit
    print(f"Issue 13: p_no_order, {args.horizon}-month horizon, for {len(model.customers):,} customers from "
          f"{len(lines):,} order lines over {model.series.values.shape[1]} months (median of {args.repeat} "
          "after a warm-up)")
    print(table(["step", "seconds", "target s"],
                [["forecast: two BG/NBD fits, the calibration, every probability",
                  f"{statistics.median(seconds[1:]):.3f}", "2"]]))
    print(f"customers with a probability: {int(known.sum()):,}; {result.calibration_words()}; "
          f"fit as of {model.as_of_label}: r={fit.r:.4g}, alpha={fit.alpha:.4g} days, a={fit.a:.4g}, b={fit.b:.4g}; "
          f"mean p_no_order {np.mean(result.p_no_order[known]):.3f}")
    print(machine())


if __name__ == "__main__":
    main()
