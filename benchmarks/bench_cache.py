"""Issue 16: repeat runs that reuse the order lines read before, and worksheet functions that read once per recalculation.

    python benchmarks/bench_cache.py [--rows 1000000] [--month-rows 360000] [--udf-rows 100000] [--repeat 1]

1. `churnkit scan FILE --all --format csv --quiet`, whole process, on the million-line workbook: the first
   run (an empty cache folder), the second (the same file, unchanged), and fastexcel's raw read of the sheet
   beside them. Targets: second ≤ 0.2 × first; first ≤ 1.1 × the raw read.
2. The same scan of a workbook of 36 monthly sheets: cold (an empty cache), then after one number of one
   sheet changed (that part rewritten, the others copied byte for byte, as one edited cell changes one part).
   Target: ≤ 0.25 × the cold run.
3. 1,000 `=CHURN_RISK(Ax)` cells without orders in one recalculation, through the xlwings stand-in
   (``tests/fake_xlwings.py``) holding ``--udf-rows`` order lines as xlwings passes them: how many reads of
   the order sheet, the read itself (in Excel the trip through COM), the rest of the first call (the cells as
   text, the order lines, the model: what =CHURN_MODEL(range) also takes) and the 999 other calls. Target: one
   read, and the other cells under 1 s.

Each run of a child process gets ``CHURNKIT_CACHE_DIR`` set to a temporary folder of this script's own.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np
import xlsxwriter

from generate import DATA, HEADERS, SEED, _EXCEL_EPOCH, cached_workbook, order_lines
from machine import machine, python, run_child, table

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
FOLDER_VARIABLE = "CHURNKIT_CACHE_DIR"
RAW_READ = "import sys, fastexcel; fastexcel.read_excel(sys.argv[1]).load_sheet(0).to_pandas()"


def scan(path: Path) -> list[str]:
    return [sys.executable, "-m", "addin.cli", "scan", str(path), "--all", "--format", "csv", "--quiet"]


def month_workbook(rows: int) -> Path:
    """``rows`` order lines as 36 sheets, one per month (``2023-11`` … ``2026-10``), each with its header row."""
    path = DATA / f"months-{rows}-seed{SEED}.xlsx"
    if path.exists():
        return path
    lines = order_lines(rows)
    months = lines["Order Date"].dt.strftime("%Y-%m")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    book = xlsxwriter.Workbook(partial, {"constant_memory": True})
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    for month in sorted(months.unique()):
        sheet = book.add_worksheet(month)
        part = lines[months == month]
        for col, header in enumerate(HEADERS):
            sheet.write_string(0, col, header)
        serials = ((part["Order Date"].to_numpy("datetime64[D]") - _EXCEL_EPOCH) // np.timedelta64(1, "D")).tolist()
        values = part[HEADERS].astype(object).values.tolist()
        for i, row in enumerate(values, start=1):
            for col, value in enumerate(row):
                if col == 1:
                    sheet.write_number(i, col, serials[i - 1], date_format)
                elif isinstance(value, str):
                    sheet.write_string(i, col, value)
                else:
                    sheet.write_number(i, col, value)
    book.close()
    partial.replace(path)
    return path


def change_one_number(source: Path, target: Path, sheet_index: int) -> None:
    """A copy of ``source`` with the last amount of one sheet one more: that sheet's part rewritten, the others
    copied as they are."""
    part = f"xl/worksheets/sheet{sheet_index}.xml"
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == part:
                found = list(re.finditer(rb'<c r="J\d+"[^>]*><v>([^<]+)</v>', data))[-1]
                data = data[:found.start(1)] + str(float(found.group(1)) + 1).encode() + data[found.end(1):]
            out.writestr(info, data)


def timed(argv: list[str], cache: Path, clear: bool) -> float:
    if clear:
        shutil.rmtree(cache, ignore_errors=True)
    return run_child(argv)[0]


def cache_runs(args, folder: Path) -> list[list]:
    cache = folder / "cache"
    os.environ[FOLDER_VARIABLE] = str(cache)
    big = cached_workbook(args.rows)
    first, second, raw = [], [], []
    for _ in range(args.repeat):
        raw.append(run_child(python(RAW_READ, str(big)))[0])
        first.append(timed(scan(big), cache, clear=True))
        second.append(timed(scan(big), cache, clear=False))
    rows = [[f"scan {args.rows:,} lines", statistics.median(first), statistics.median(second),
             f"{statistics.median(second) / statistics.median(first):.2f}", "≤ 0.20"],
            ["first scan vs fastexcel raw read", statistics.median(first), statistics.median(raw),
             f"{statistics.median(first) / statistics.median(raw):.2f}", "≤ 1.10"]]
    months = month_workbook(args.month_rows)
    cold, warm = [], []
    for round_ in range(args.repeat):
        copy = folder / "months.xlsx"
        shutil.copyfile(months, copy)
        cold.append(timed(scan(copy), cache, clear=True))
        change_one_number(months, copy, sheet_index=20 + round_)
        warm.append(timed(scan(copy), cache, clear=False))
    rows.append([f"36 monthly sheets ({args.month_rows:,} lines), one changed", statistics.median(cold),
                 statistics.median(warm), f"{statistics.median(warm) / statistics.median(cold):.2f}", "≤ 0.25"])
    return rows


def udf_run(rows: int) -> list:
    """1,000 CHURN_RISK cells without orders in one recalculation, through the xlwings stand-in."""
    import fake_xlwings

    from addin import udfs
    from addin.excel import recalculation

    lines = order_lines(rows)
    lines["Order Date"] = list(lines["Order Date"].dt.to_pydatetime())
    book = fake_xlwings.Book(str(Path(tempfile.gettempdir()) / "orders.xlsx"),
                             {"Orders": [HEADERS] + lines[HEADERS].astype(object).values.tolist()})
    spent = []
    value = fake_xlwings.Range.value.fget

    def read(self):                 # the read, which in Excel is the trip through COM: timed apart
        started = time.perf_counter()
        try:
            return value(self)
        finally:
            spent.append(time.perf_counter() - started)
    fake_xlwings.Range.value = property(read, fake_xlwings.Range.value.fset)
    keys = sorted(set(lines["Customer ID"]))
    cells = (keys * (1000 // len(keys) + 1))[:1000]
    sheet = book.sheets["Orders"]
    started = time.perf_counter()
    results = [udfs.CHURN_RISK(cells[0], None, None, sheet.range((2, 12)))]
    first = time.perf_counter() - started
    results += [udfs.CHURN_RISK(key, None, None, sheet.range((row, 12))) for row, key in enumerate(cells[1:], start=3)]
    others = time.perf_counter() - started - first
    assert not any(str(r).startswith(udfs.ERROR) for r in results), results[:3]
    assert book.value_reads["Orders"] == 1 and recalculation.GAP_SECONDS > 0
    return [f"1,000 =CHURN_RISK(Ax) cells, {rows:,} lines", book.value_reads["Orders"], sum(spent),
            first - sum(spent), others, "1 read; the 999 < 1 s"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--month-rows", type=int, default=360_000)
    parser.add_argument("--udf-rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        rows = cache_runs(args, Path(folder))
    print(f"Issue 16: whole-process runs (median of {args.repeat}), seconds")
    print(table(["what", "first / cold s", "second / peer s", "ratio", "target"], rows))
    print()
    print("Worksheet functions without orders, one recalculation")
    print(table(["what", "reads of the sheet", "read s", "first cell: text, lines, model s", "other 999 cells s",
                 "target"], [udf_run(args.udf_rows)]))
    print(machine())


if __name__ == "__main__":
    main()
