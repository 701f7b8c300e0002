"""Target 3: 10,000 =CHURN_RISK(customer, handle) calls, as Excel makes them, after =CHURN_MODEL(orders).

    python benchmarks/bench_udfs.py [--rows 100000] [--calls 10000] [--repeat 5]

The orders range is handed over as xlwings hands it over: a 2-D list with the header row,
numbers as floats and dates as datetimes; customer IDs made only of digits are numbers in this
book, so their cells pass a float (7.0) and the others a str. The calls cycle through every
customer and pass the handle text as a str. The figure is the median over ``--repeat`` rounds of
the Python time of the calls; the peer is the bare look-up they end in (a dict and a list), to show
what the checks around it cost. Target: under 50 ms for 10,000 calls.
"""
from __future__ import annotations

import argparse
import statistics
import time

from generate import HEADERS, order_lines
from machine import machine, table

from addin import udfs
from addin.excel import model_cache


def excel_range(rows: int) -> list[list]:
    """The order lines as xlwings passes a range with its header row."""
    lines = order_lines(rows)
    lines["Customer ID"] = [float(key) if key.isdigit() else key for key in lines["Customer ID"]]
    lines["Order Date"] = lines["Order Date"].dt.to_pydatetime()
    return [HEADERS] + lines[HEADERS].astype(object).values.tolist()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--calls", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    orders = excel_range(args.rows)
    started = time.perf_counter()
    handle = udfs.CHURN_MODEL(orders)
    built = time.perf_counter() - started
    model = model_cache.lookup(handle).model
    keys = model.customers["customer"].tolist()
    cells = [float(key) if key.isdigit() else key for key in keys]
    calls = (cells * (args.calls // len(cells) + 1))[:args.calls]
    risk = model.customers["risk"].tolist()
    rows = {key: row for row, key in enumerate(keys)}
    lookups = (keys * (args.calls // len(keys) + 1))[:args.calls]

    def timed(call, arguments) -> float:
        seconds = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            for argument in arguments:
                call(argument)
            seconds.append(time.perf_counter() - started)
        return statistics.median(seconds)

    results = [udfs.CHURN_RISK(cell, handle) for cell in calls]
    assert not any(str(result).startswith(udfs.ERROR) for result in results), results[:5]
    calls_s = timed(lambda cell: udfs.CHURN_RISK(cell, handle), calls)
    lookup_s = timed(lambda key: risk[rows[key]], lookups)
    print(f"Target 3: {args.calls:,} CHURN_RISK calls with a model handle ({len(keys):,} customers, "
          f"{args.rows:,} order lines; CHURN_MODEL took {built:.2f} s once)")
    print(table(["calls", "CHURN_RISK ms", "µs per call", "bare look-up ms", "calls / look-up"],
                [[args.calls, f"{calls_s * 1e3:.1f}", f"{calls_s / args.calls * 1e6:.2f}", f"{lookup_s * 1e3:.2f}",
                  f"{calls_s / lookup_s:.0f}"]]))
    print(machine())


if __name__ == "__main__":
    main()
