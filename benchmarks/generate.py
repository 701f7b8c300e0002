"""Large, seeded order workbooks for the benchmarks, cached in ``benchmarks/.data/`` (git-ignored).

    python benchmarks/generate.py 1000000         # writes benchmarks/.data/orders-1000000.xlsx once

One sheet "Orders" shaped like the bundled sample (a title row, a blank row, then the header
row): Order No, Order Date (real dates), Customer ID (text, some with leading zeros), Customer
Name, Region, Sales Rep, Category, Product, Quantity and Amount (numbers, a few credit notes),
over the 36 months to October 2026, with one customer per 50 lines (20,000 for a million).
Customers differ in size, some arrive late and some stop buying, so every verdict occurs.
Written row by row with XlsxWriter's ``constant_memory`` mode; the same size and seed always give
the same lines. ``order_lines`` gives the same lines as a DataFrame, for the engine benchmark.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter

DATA = Path(__file__).resolve().parent / ".data"
SEED = 2026
MONTHS = 36
FIRST_DAY = np.datetime64("2023-11-01")          # 36 months to 2026-10
LINES_PER_CUSTOMER = 50
HEADERS = ["Order No", "Order Date", "Customer ID", "Customer Name", "Region", "Sales Rep", "Category",
           "Product", "Quantity", "Amount"]
REGIONS = {"North China": "Li Wei", "East China": "Zhang Min", "South China": "Chen Jing",
           "West China": "Tom Becker", "Hong Kong & Macau": "Emma Clarke", "Overseas": "Sara Lopez"}
CATALOG = [("Packaging", "Carton box 40x30x30", 1.80), ("Packaging", "Stretch film 500mm", 12.90),
           ("Packaging", "Bubble wrap roll", 18.50), ("Office Supplies", "Copy paper A4 500 sh.", 4.20),
           ("Office Supplies", "Toner cartridge", 58.00), ("Cleaning", "Nitrile gloves (box)", 7.90),
           ("Cleaning", "Hand soap 5L", 11.50), ("Electronics", "USB-C cable 1m", 3.60),
           ("Electronics", "LED panel light", 22.50), ("Electronics", "Barcode scanner", 89.00),
           ("Furniture", "Office chair", 129.00), ("Furniture", "Steel shelving unit", 145.00)]
STEMS = ["Acme", "Northwind", "Summit", "Redwood", "Silverline", "华强", "鑫源", "恒通", "宏达", "金桥"]
SUFFIXES = ["Trading Ltd", "Supplies Co.", "Group Ltd", "贸易有限公司", "商贸有限公司"]
_EXCEL_EPOCH = np.datetime64("1899-12-30")


def workbook_path(rows: int, seed: int = SEED) -> Path:
    return DATA / f"orders-{rows}-seed{seed}.xlsx"


def order_lines(rows: int, seed: int = SEED) -> pd.DataFrame:
    """``rows`` order lines, sorted by date: the columns of ``HEADERS``."""
    rng = np.random.default_rng(seed)
    n = max(rows // LINES_PER_CUSTOMER, 10)
    start = np.where(rng.random(n) < 0.3, rng.integers(1, MONTHS - 2, n), 0)      # 30 % arrive later
    stop = np.where(rng.random(n) < 0.25, rng.integers(start + 1, MONTHS + 1), MONTHS)  # 25 % stop buying
    weight = rng.lognormal(0, 1.2, n) * (stop - start)
    customer = rng.choice(n, rows, p=weight / weight.sum())
    month = start[customer] + (rng.random(rows) * (stop - start)[customer]).astype(np.int64)
    day = (FIRST_DAY.astype("datetime64[M]") + month).astype("datetime64[D]") + rng.integers(0, 28, rows)
    item = rng.integers(0, len(CATALOG), rows)
    quantity = rng.integers(1, 200, rows) * np.where(rng.random(rows) < 0.01, -1, 1)   # 1 % credit notes
    price = np.array([p for _, _, p in CATALOG])[item]
    lines = pd.DataFrame({"day": day, "customer": customer, "item": item, "quantity": quantity})
    lines = lines.sort_values(["day", "customer"], kind="stable", ignore_index=True)
    order = pd.factorize(pd.MultiIndex.from_arrays([lines["day"], lines["customer"]]))[0] + 1
    ids = np.array([f"{k:05d}" if k % 7 == 0 else f"C{k:05d}" for k in range(1, n + 1)], dtype=object)
    names = np.array([f"{STEMS[k % len(STEMS)]} {SUFFIXES[k % len(SUFFIXES)]} {k}" for k in range(n)], dtype=object)
    region = np.array(list(REGIONS), dtype=object)[rng.integers(0, len(REGIONS), n)]
    c, it = lines["customer"].to_numpy(), lines["item"].to_numpy()
    return pd.DataFrame({
        "Order No": [f"SO{k:07d}" for k in order],
        "Order Date": lines["day"].to_numpy("datetime64[ns]"),
        "Customer ID": ids[c],
        "Customer Name": names[c],
        "Region": region[c],
        "Sales Rep": np.array([REGIONS[r] for r in region], dtype=object)[c],
        "Category": np.array([cat for cat, _, _ in CATALOG], dtype=object)[it],
        "Product": np.array([p for _, p, _ in CATALOG], dtype=object)[it],
        "Quantity": lines["quantity"].to_numpy(float),
        "Amount": np.round(lines["quantity"].to_numpy() * price[it], 2),
    })


def write_workbook(lines: pd.DataFrame, path: Path) -> Path:
    """The lines as an order workbook: title, blank row, header row, one row per line."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    book = xlsxwriter.Workbook(partial, {"constant_memory": True})
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    money = book.add_format({"num_format": "#,##0.00"})
    sheet = book.add_worksheet("Orders")
    sheet.write_string(0, 0, "Order book — benchmark data (made up)")
    for col, header in enumerate(HEADERS):
        sheet.write_string(2, col, header)
    serials = ((lines["Order Date"].to_numpy("datetime64[D]") - _EXCEL_EPOCH) // np.timedelta64(1, "D")).tolist()
    text = [lines[h].tolist() for h in ("Order No", "Customer ID", "Customer Name", "Region", "Sales Rep",
                                        "Category", "Product")]
    quantity, amount = lines["Quantity"].tolist(), lines["Amount"].tolist()
    put_string, put_number = sheet.write_string, sheet.write_number
    for i, (order, customer, name, region, rep, category, product) in enumerate(zip(*text)):
        row = i + 3
        put_string(row, 0, order)
        put_number(row, 1, serials[i], date_format)
        put_string(row, 2, customer)
        put_string(row, 3, name)
        put_string(row, 4, region)
        put_string(row, 5, rep)
        put_string(row, 6, category)
        put_string(row, 7, product)
        put_number(row, 8, quantity[i])
        put_number(row, 9, amount[i], money)
    book.close()
    partial.replace(path)
    return path


def cached_workbook(rows: int, seed: int = SEED) -> Path:
    """The workbook of ``rows`` lines, written the first time it is asked for."""
    path = workbook_path(rows, seed)
    if not path.exists():
        started = time.perf_counter()
        print(f"writing {path.name} (once; later runs reuse it)…", file=sys.stderr, flush=True)
        write_workbook(order_lines(rows, seed), path)
        print(f"  done in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", type=int, nargs="+", help="order lines per workbook, e.g. 10000 1000000")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    for rows in args.rows:
        print(cached_workbook(rows, args.seed))


if __name__ == "__main__":
    main()
