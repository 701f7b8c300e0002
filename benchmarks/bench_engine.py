"""Target 2: the engine alone on normalised order lines, beside lifetimes' summary_data_from_transaction_data.

    python benchmarks/bench_engine.py [--rows 1000000] [--repeat 5]

The lines are those churnkit reads from the generated workbook (1,000,000 lines, 20,000
customers, 36 months by default). The engine step is ``analyse`` (every verdict, the streaks,
ABC classes, values at stake) + ``winback_list`` + ``churn_kpis``. The peer,
``lifetimes.utils.summary_data_from_transaction_data`` (frequency, recency, T and monetary value
per customer: less than the engine computes), runs on the same lines in ``benchmarks/.venv``, a
virtual environment made on first use that sees this Python's packages and adds lifetimes (it
is not a dependency of churnkit). Each figure is the median of ``--repeat`` runs after one
warm-up run, in one process. Target: the engine under 1 s and at least 5 × faster than the peer.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from generate import cached_workbook
from machine import machine, peer_python, table

from addin.sources.order_book import read_order_book
from churn_logic import Settings, analyse, churn_kpis, winback_list

PEER = """
import json, statistics, sys, time
import pandas as pd
from lifetimes.utils import summary_data_from_transaction_data
lines = pd.read_parquet(sys.argv[1])
end = lines["date"].max()
times = []
for _ in range(int(sys.argv[2]) + 1):
    started = time.perf_counter()
    summary = summary_data_from_transaction_data(lines, "customer", "date", monetary_value_col="amount",
                                                 observation_period_end=end)
    times.append(time.perf_counter() - started)
import lifetimes
print(json.dumps({"seconds": statistics.median(times[1:]), "version": lifetimes.__version__}))
"""


def engine_seconds(lines, today: dt.date, repeat: int) -> dict[str, float]:
    """Median seconds of each engine step over ``repeat`` runs, after a warm-up run."""
    runs = []
    for _ in range(repeat + 1):
        started = time.perf_counter()
        model = analyse(lines, Settings(), today)
        scored = time.perf_counter()
        winback_list(model)
        listed = time.perf_counter()
        churn_kpis(model)
        done = time.perf_counter()
        runs.append({"analyse": scored - started, "winback_list": listed - scored, "churn_kpis": done - listed,
                     "engine": done - started})
    return {step: statistics.median(run[step] for run in runs[1:]) for step in runs[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    path = cached_workbook(args.rows)
    lines = read_order_book(path, Settings()).book.lines
    latest = lines["date"].max()
    today = (latest + dt.timedelta(days=31)).date().replace(day=1)       # the as-of month: the latest order's
    seconds = engine_seconds(lines, today, args.repeat)
    with tempfile.TemporaryDirectory() as folder:
        parquet = Path(folder) / "lines.parquet"
        lines[["customer", "date", "amount"]].to_parquet(parquet)
        result = subprocess.run([str(peer_python()), "-c", PEER, str(parquet), str(args.repeat)],
                                check=True, capture_output=True, text=True)
    peer = json.loads(result.stdout.splitlines()[-1])
    months = len(lines["date"].dt.to_period("M").unique())
    print(f"Target 2: the engine on {len(lines):,} order lines, {lines['customer'].nunique():,} customers, "
          f"{months} months (median of {args.repeat} after a warm-up)")
    print(table(["step", "seconds", "lifetimes s", "lifetimes / engine"],
                [[step, f"{value:.3f}", "", ""] for step, value in seconds.items() if step != "engine"] +
                [["engine (all three)", f"{seconds['engine']:.3f}", f"{peer['seconds']:.3f}",
                  f"{peer['seconds'] / seconds['engine']:.1f}"]]))
    print(f"peer: lifetimes {peer['version']}, utils.summary_data_from_transaction_data(lines, 'customer', 'date', "
          "monetary_value_col='amount') on the same lines")
    print(machine())


if __name__ == "__main__":
    main()
