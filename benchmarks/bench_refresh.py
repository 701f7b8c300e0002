"""Target 4: `churnkit refresh` into a big order workbook: what it adds on top of `churnkit scan`.

    python benchmarks/bench_refresh.py [--rows 500000] [--repeat 3] [--no-openpyxl]

Each round copies the generated workbook to a temporary folder and runs, as child processes,
`churnkit scan COPY --quiet` and `churnkit refresh COPY --quiet` (into a fresh copy, so that both
read the same file); figures are medians. refresh edits the workbook at the package level: it
writes churnkit's sheets and copies the order sheet's compressed bytes as they are. Beside it, once,
what re-serialising the whole workbook costs: ``openpyxl.load_workbook`` + ``save`` of the same
file. Target: refresh adds under 2 s to scan.
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from generate import cached_workbook
from machine import machine, python, run_child, table

CHURNKIT = [sys.executable, "-m", "addin.cli"]
OPENPYXL = "import sys, openpyxl; openpyxl.load_workbook(sys.argv[1]).save(sys.argv[2])"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=500_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-openpyxl", action="store_true", help="skip openpyxl (it takes minutes)")
    args = parser.parse_args()
    source = cached_workbook(args.rows)
    scans, refreshes = [], []
    with tempfile.TemporaryDirectory() as folder:
        for round_ in range(args.repeat):
            scanned, refreshed = Path(folder, f"scan{round_}.xlsx"), Path(folder, f"refresh{round_}.xlsx")
            shutil.copyfile(source, scanned)
            shutil.copyfile(source, refreshed)
            scans.append(run_child(CHURNKIT + ["scan", str(scanned), "--quiet", "--no-cache"]))
            refreshes.append(run_child(CHURNKIT + ["refresh", str(refreshed), "--quiet", "--no-cache"]))
        openpyxl = (None if args.no_openpyxl else
                    run_child(python(OPENPYXL, str(source), str(Path(folder, "openpyxl.xlsx")))))
    scan_s = statistics.median(t for t, _ in scans)
    refresh_s = statistics.median(t for t, _ in refreshes)
    print(f"Target 4: churnkit refresh vs churnkit scan of a {args.rows:,}-line workbook "
          f"({source.stat().st_size / 2**20:.0f} MB; median of {args.repeat})")
    rows = [["churnkit scan", scan_s, round(max(mb for _, mb in scans))],
            ["churnkit refresh", refresh_s, round(max(mb for _, mb in refreshes))],
            ["refresh − scan", refresh_s - scan_s, ""]]
    if openpyxl:
        rows.append(["openpyxl load_workbook + save (once)", openpyxl[0], round(openpyxl[1])])
    print(table(["command", "seconds", "peak MB"], rows))
    if openpyxl:
        print(f"re-serialising with openpyxl takes {openpyxl[0] / (refresh_s - scan_s):.0f} × what refresh adds")
    print(machine())


if __name__ == "__main__":
    main()
