"""Target 1: `churnkit scan` of a big order workbook, whole process, beside the fastest raw reads of the sheet.

    python benchmarks/bench_scan.py [--rows 10000 100000 500000 1000000] [--repeat 3]

Each figure is the median of ``--repeat`` runs of a child process, the three commands taking
turns: `churnkit scan FILE --format json --all --quiet --no-cache` (every run reads the workbook; the line
cache's runs are bench_cache.py's), fastexcel
(``read_excel(path).load_sheet(0).to_pandas()``) and python-calamine (the sheet's values into a
DataFrame). Peak memory is the child's maximum resident set size. Target: at 1,000,000 lines the
scan takes at most 1.3 × the fastest raw read and under 1.5 GB; time grows linearly with lines.
"""
from __future__ import annotations

import argparse
import statistics
import sys

from generate import cached_workbook
from machine import machine, python, run_child, table

RAW_READS = {
    "fastexcel": "import sys, fastexcel; fastexcel.read_excel(sys.argv[1]).load_sheet(0).to_pandas()",
    "calamine": "import sys, pandas, python_calamine as calamine; pandas.DataFrame("
                "calamine.CalamineWorkbook.from_path(sys.argv[1]).get_sheet_by_index(0).to_python())",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000, 500_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rows, fits = [], []
    for lines in args.rows:
        path = str(cached_workbook(lines))
        commands = {"scan": [sys.executable, "-m", "addin.cli", "scan", path, "--format", "json", "--all", "--quiet",
                             "--no-cache"],
                    **{name: python(code, path) for name, code in RAW_READS.items()}}
        runs = {name: [] for name in commands}
        for _ in range(args.repeat):
            for name, argv in commands.items():
                runs[name].append(run_child(argv))
        seconds = {name: statistics.median(t for t, _ in results) for name, results in runs.items()}
        peak = {name: max(mb for _, mb in results) for name, results in runs.items()}
        fastest = min(RAW_READS, key=seconds.get)
        rows.append([lines, seconds["scan"], seconds["fastexcel"], seconds["calamine"], fastest,
                     f"{seconds['scan'] / seconds[fastest]:.2f}", round(peak["scan"]), round(peak["fastexcel"]),
                     f"{seconds['scan'] / lines * 1e6:.1f}"])
        fits.append((lines, seconds["scan"]))
        print(f"  {lines:,} lines done", file=sys.stderr)
    print("Target 1: churnkit scan FILE --format json --all --quiet --no-cache, whole process, vs the fastest raw "
          f"read (median of {args.repeat})")
    print(table(["lines", "scan s", "fastexcel s", "calamine s", "fastest", "scan/fastest", "scan MB",
                 "fastexcel MB", "scan µs/line"], rows))
    if len(fits) > 1:
        slope, intercept = statistics.linear_regression(*zip(*fits))
        worst = max(abs(t - (intercept + slope * n)) / t for n, t in fits)
        print(f"linear fit: scan ≈ {intercept:.2f} s + {slope * 1e6:.2f} µs × lines "
              f"(worst point {worst:.0%} off the line)")
    print(machine())


if __name__ == "__main__":
    main()
