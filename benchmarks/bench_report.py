"""Target 5: an at-risk report for about 20,000 customers, template filled and saved.

    python benchmarks/bench_report.py [--rows 1000000] [--repeat 5]

The report step is ``addin.report.build.build_report`` on an analysis read beforehand (the
generated workbook of 1,000,000 lines has about 20,000 customers); its figure is the median of
``--repeat`` runs. Beside it, as child processes, the whole command `churnkit report FILE` and
`churnkit scan FILE` (which reads the same file), to show what the report adds. Target: the report
step under 5 s.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from generate import cached_workbook
from machine import machine, run_child, table

from addin.tasks import analyse_workbook
from addin.report.build import build_report

CHURNKIT = [sys.executable, "-m", "addin.cli"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    source = cached_workbook(args.rows)
    analysis = analyse_workbook(source)
    with tempfile.TemporaryDirectory() as folder:
        seconds = []
        for round_ in range(args.repeat):
            started = time.perf_counter()
            build_report(analysis, "at-risk", Path(folder, f"report{round_}.xlsx"))
            seconds.append(time.perf_counter() - started)
        command = run_child(CHURNKIT + ["report", str(source), "--out", str(Path(folder, "command.xlsx")), "--quiet",
                                        "--no-cache"])
        scan = run_child(CHURNKIT + ["scan", str(source), "--quiet", "--no-cache"])
    report_s = statistics.median(seconds)
    print(f"Target 5: at-risk report for {len(analysis.model.customers):,} customers "
          f"({args.rows:,} order lines; report step: median of {args.repeat})")
    print(table(["step", "seconds", "peak MB"],
                [["report step (build_report: fill the template, save, check)", f"{report_s:.2f}", ""],
                 ["churnkit report FILE (whole process, once)", f"{command[0]:.2f}", round(command[1])],
                 ["churnkit scan FILE (the same reading, once)", f"{scan[0]:.2f}", round(scan[1])]]))
    print(machine())


if __name__ == "__main__":
    main()
