"""Seeded sample order book for demos and tests, and the bundled sample workbook.

The data imitates a small B2B wholesaler: about 300 customers (English and Chinese
company names), six sales reps and regions, five product categories, Q4 peaks and a
Chinese-New-Year dip, a few big customers bringing most of the sales, new customers
arriving over time and a few credit notes. Some customers are planted with clear churn
patterns (see `PLANTED` and `planted`) so that a demo shows every verdict, and some with partial
churn and a sales rep who left (`turnover_customers`).

    python -m addin.sample_data [--out PATH] [--seed N]

writes the workbook (default ``workbook_templates/sample_orders.xlsx``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter

COLUMNS = [
    "Order No", "Order Date", "Customer ID", "Customer Name", "Region", "Sales Rep",
    "Category", "Product", "Quantity", "Unit Price", "Amount", "Contact Email",
]

REPS = {
    "Li Wei": "li.wei@example.com",
    "Emma Clarke": "emma.clarke@example.com",
    "Zhang Min": "zhang.min@example.com",
    "Tom Becker": "tom.becker@example.com",
    "Chen Jing": "chen.jing@example.com",
    "Sara Lopez": "sara.lopez@example.com",
}

# a rep who left in the last months: five of their customers, two of whom followed them (no orders since),
# three taken over by another rep; the Reps sheet marks them as left
DEPARTED_REP = ("Mark Evans", "mark.evans@example.com")
TAKEN_OVER_BY = "Li Wei"
REP_LEFT_MONTHS = 4            # months at the end without the departed rep's lines
REP_CUSTOMERS, FOLLOWED = 5, 2
PARTIAL_CUSTOMERS = 4          # stop buying one regular category in the last `PARTIAL_MONTHS` months
PARTIAL_MONTHS = 4

# region: (primary sales rep, share of customers, share of Chinese company names)
REGIONS = {
    "North China": ("Li Wei", 0.22, 0.85),
    "East China": ("Zhang Min", 0.25, 0.85),
    "South China": ("Chen Jing", 0.22, 0.80),
    "West China": ("Tom Becker", 0.10, 0.90),
    "Hong Kong & Macau": ("Emma Clarke", 0.09, 0.40),
    "Overseas": ("Sara Lopez", 0.12, 0.05),
}

CATALOG = {  # category: {product: list price}
    "Packaging": {"Carton box 40x30x30": 1.80, "Packing tape 48mm": 2.40,
                  "Stretch film 500mm": 12.90, "Bubble wrap roll": 18.50, "Wooden pallet": 14.00},
    "Office Supplies": {"Sticky notes": 1.90, "Ring binder A4": 3.10, "Copy paper A4 500 sh.": 4.20,
                        "Ballpoint pens (box)": 6.50, "Toner cartridge": 58.00},
    "Cleaning": {"Nitrile gloves (box)": 7.90, "Hand soap 5L": 11.50,
                 "Floor cleaner 5L": 16.80, "Paper towels (case)": 24.00},
    "Electronics": {"USB-C cable 1m": 3.60, "Power strip 6-way": 9.80,
                    "LED panel light": 22.50, "Barcode scanner": 89.00},
    "Furniture": {"Folding table": 68.00, "Office chair": 129.00, "Steel shelving unit": 145.00},
}

SEASON = np.array([0.95, 0.70, 1.0, 1.0, 1.0, 1.0, 0.95, 0.95, 1.05, 1.15, 1.25, 1.30])  # Jan..Dec

# planted pattern: number of customers; all patterns end at the last month
PLANTED = {
    "decline": 10,     # sales down 3-6 months in a row -> MEDIUM
    "token": 9,        # no orders in the last 3-5 months -> HIGH
    "token_tiny": 6,   # orders of 60-180 in the last 3-5 months -> HIGH with a low threshold >= 200
    "lapsed": 18,      # no orders in the last 6-20 months -> LOST
    "returned": 6,     # back for the last 3-6 months after 6-9 months without orders -> LOW
}
CHEAPEST = min(((cat, p, price) for cat, items in CATALOG.items() for p, price in items.items()),
               key=lambda item: item[2])
TINY = np.array([60.0, 90.0, 120.0, 150.0, 180.0])  # rising, so token orders never form a decline

EN_STEMS = [
    "Acme", "Northwind", "Blue Harbor", "Summit", "Redwood", "Silverline", "Oakridge", "Bright Star",
    "Evergreen", "Golden Gate", "Harbourview", "Ironbridge", "Lakeside", "Maple Leaf", "Meridian",
    "Pacific Rim", "Pinnacle", "Riverside", "Sterling", "Sunrise", "Trident", "Union Point",
    "Westfield", "Crescent", "Falcon", "Highland", "Kingsway", "Orchid", "Pioneer", "Vanguard",
]
EN_SUFFIXES = ["Ltd", "Trading Ltd", "Supplies Co.", "Industries Ltd", "Logistics Ltd",
               "Distribution Ltd", "Group Ltd", "Retail Ltd", "Wholesale Co.", "Holdings Ltd"]
ZH_CITIES = ["", "深圳市", "上海", "广州市", "杭州"]
ZH_STEMS = [
    "华强", "鑫源", "恒通", "宏达", "金桥", "永盛", "嘉禾", "瑞丰", "新世纪", "东方", "长城", "天成",
    "海纳", "中联", "博远", "华美", "立信", "盛世", "远航", "兴业", "和信", "安达", "富源", "凯旋",
    "明辉", "汇通", "正泰", "锦程", "佳美", "聚源",
]
ZH_TRADES = ["贸易", "商贸", "电子", "包装", "办公用品", "实业", "物流", "科技"]

MIN_CUSTOMERS, MIN_MONTHS = 100, 30


def generate_orders(seed: int = 2026, n_customers: int = 300, end_month: str = "2026-10",
                    months: int = 36) -> pd.DataFrame:
    """Order lines (columns `COLUMNS`) for the `months` months ending with `end_month`.

    The same arguments always give the same frame. Credit notes are negative lines with
    order numbers starting "CN"; sales orders start "SO".
    """
    if n_customers < MIN_CUSTOMERS or months < MIN_MONTHS:
        raise ValueError(f"need n_customers >= {MIN_CUSTOMERS} and months >= {MIN_MONTHS}")
    rng = np.random.default_rng(seed)
    customers = _customers(rng, n_customers, months)
    periods = pd.period_range(end=pd.Period(end_month, "M"), periods=months, freq="M")
    season = SEASON[periods.month - 1]
    workdays = [pd.bdate_range(p.start_time, p.end_time).to_numpy() for p in periods]
    rows, order = [], 0
    for c in customers.itertuples():
        for m, target in enumerate(_monthly_targets(rng, c, season)):
            if target > 0:
                for day, credit, lines in _orders(rng, c, target, workdays[m]):
                    order += 1
                    rows += [(order, credit, day, c.Index, *line) for line in lines]
    return _plant_turnover(_frame(rows, customers), *_turnover_ids(customers, seed))


def turnover_customers(seed: int = 2026, n_customers: int = 300, months: int = 36) -> dict[str, list[str]]:
    """Customer IDs planted in `generate_orders` with partial churn (``partial``), with the departed rep
    (``rep_left``) and, of those, the ones who followed the rep (``followed``)."""
    partial, rep, followed = _turnover_ids(_customers(np.random.default_rng(seed), n_customers, months), seed)
    return {"partial": partial, "rep_left": rep, "followed": followed}


def _turnover_ids(customers: pd.DataFrame, seed: int) -> tuple[list[str], list[str], list[str]]:
    """Chosen among the bigger regular customers there from the start who order every month, with random numbers of
    their own, so that every other customer stays as it was."""
    steady = customers[(customers["plan"] == "regular") & (customers["freq"] == 1) & (customers["start"] == 0)
                       & (customers["size"] >= 3000)]      # big enough to buy from several categories a month
    picks = list(np.random.default_rng(seed + 1).permutation(steady["id"].to_numpy(object)))
    rep = sorted(picks[PARTIAL_CUSTOMERS:PARTIAL_CUSTOMERS + REP_CUSTOMERS])
    return sorted(picks[:PARTIAL_CUSTOMERS]), rep, rep[:FOLLOWED]


def _plant_turnover(orders: pd.DataFrame, partial: list[str], rep: list[str], followed: list[str]) -> pd.DataFrame:
    """Partial churn: each of ``partial`` stops buying, in the last months, the category it bought in most months.
    Rep turnover: ``rep`` were the departed rep's customers; ``followed`` order nothing since the rep left, the
    others are served by ``TAKEN_OVER_BY``."""
    month = orders["Order Date"].dt.to_period("M")
    end = month.max()
    late = month > end - PARTIAL_MONTHS
    drop = np.zeros(len(orders), bool)
    for customer in partial:
        mine = (orders["Customer ID"] == customer).to_numpy()
        usual = orders[mine & ~late].groupby("Category")["Order Date"].agg(
            lambda d: d.dt.to_period("M").nunique()).sort_values(ascending=False, kind="stable")
        drop |= mine & late.to_numpy() & (orders["Category"] == usual.index[0]).to_numpy()
    since = (month > end - REP_LEFT_MONTHS).to_numpy()
    served = orders["Customer ID"].isin(rep).to_numpy()
    drop |= orders["Customer ID"].isin(followed).to_numpy() & since
    orders = orders.copy()
    orders.loc[served, "Sales Rep"] = DEPARTED_REP[0]
    orders.loc[served & since, "Sales Rep"] = TAKEN_OVER_BY
    return orders[~drop].reset_index(drop=True)


def planted(seed: int = 2026, n_customers: int = 300, months: int = 36) -> dict[str, list[str]]:
    """Customer IDs per planted pattern (keys of `PLANTED`) in `generate_orders` with these arguments."""
    c = _customers(np.random.default_rng(seed), n_customers, months)
    return {group: sorted(c.loc[c["plan"] == group, "id"]) for group in PLANTED}


def write_sample_workbook(path: str | Path, orders: pd.DataFrame | None = None) -> Path:
    """Write `orders` (default: `generate_orders()`) as an order-book workbook; return the path.

    Sheet "Orders" has a title row and a blank row above the header row and an Excel
    table over the data; "Reps" lists the reps' e-mails; "Read me" explains the file.
    The output is byte-for-byte reproducible.
    """
    orders = generate_orders() if orders is None else orders
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(path)
    wb.set_properties({"title": "Sample order book", "author": "churnkit",
                       "company": "Example Trading Co.", "created": dt.datetime(2026, 11, 2)})
    formats = {"Order Date": wb.add_format({"num_format": "yyyy-mm-dd"}),
               "Quantity": wb.add_format({"num_format": "#,##0"}),
               "Unit Price": wb.add_format({"num_format": "#,##0.00"}),
               "Amount": wb.add_format({"num_format": "#,##0.00;[Red]-#,##0.00"})}
    widths = {"Order No": 11, "Order Date": 12, "Customer ID": 12, "Customer Name": 30, "Region": 18,
              "Sales Rep": 13, "Category": 16, "Product": 22, "Quantity": 10, "Unit Price": 11,
              "Amount": 13, "Contact Email": 36}

    ws = wb.add_worksheet("Orders")
    ws.write(0, 0, "Order book — Example Trading Co.", wb.add_format({"bold": True, "font_size": 14}))
    header, first = 2, 3
    for col, name in enumerate(COLUMNS):
        ws.set_column(col, col, widths[name])
        fmt = formats.get(name)
        if name == "Order Date":
            for row, value in enumerate(orders[name], first):
                ws.write_datetime(row, col, value.to_pydatetime(), fmt)
        elif name in ("Quantity", "Unit Price", "Amount"):
            for row, value in enumerate(orders[name], first):
                ws.write_number(row, col, value, fmt)
        else:
            for row, value in enumerate(orders[name], first):
                ws.write_string(row, col, str(value), fmt)
    last = max(header + len(orders), first)
    ws.add_table(header, 0, last, len(COLUMNS) - 1, {
        "name": "OrderBook", "style": "Table Style Medium 2",
        "columns": [{"header": name, "format": formats.get(name)} for name in COLUMNS]})
    ws.freeze_panes(first, 0)
    ws.ignore_errors({"number_stored_as_text": f"C{first + 1}:C{last + 1}"})

    reps = sorted(set(orders["Sales Rep"]))
    ws = wb.add_worksheet("Reps")
    ws.set_column(0, 0, 16)
    ws.set_column(1, 1, 30)
    ws.set_column(2, 2, 10)
    addresses = {**REPS, DEPARTED_REP[0]: DEPARTED_REP[1]}
    ws.add_table(0, 0, max(len(reps), 1), 2, {
        "name": "Reps", "style": "Table Style Light 9",
        "columns": [{"header": "Sales Rep"}, {"header": "Email"}, {"header": "Status"}],
        "data": [[rep, addresses.get(rep, ""), "left" if rep == DEPARTED_REP[0] else "active"] for rep in reps]})

    ws = wb.add_worksheet("Read me")
    ws.set_column(0, 0, 100)
    ws.write(0, 0, "Sample data — not a real business", wb.add_format({"bold": True, "font_size": 14}))
    for row, line in enumerate([
        "Generated by churnkit (python -m addin.sample_data) to demonstrate and test it.",
        "Every company, person, customer ID and e-mail address in it is made up;",
        "e-mails use the reserved example.com / example.cn domains.",
        "",
        "Orders: one row per order line; SO… are sales orders, CN… credit notes (returns,",
        "negative amounts). Customer IDs are text and keep their leading zeros.",
        "Reps: the sales reps, their e-mail addresses, and who has left.",
    ], 2):
        ws.write(row, 0, line)
    wb.close()
    return path


def _customers(rng: np.random.Generator, n: int, months: int) -> pd.DataFrame:
    """The customer roster: who they are, how much and how often they buy, and their planted pattern."""
    size = np.clip(700 * rng.lognormal(0, 1.7, n), 400, 60_000)  # monthly sales; ~20 % bring ~80 %
    plan = np.full(n, "regular", dtype=object)
    by_size = np.argsort(-size, kind="stable")
    big, pool = list(rng.permutation(by_size[:20])), list(rng.permutation(by_size[20:]))
    chosen = {"decline": big[:3], "lapsed": big[3:6]}  # some core customers among them
    for group, count in PLANTED.items():
        ids = chosen.get(group, [])
        plan[ids + [pool.pop() for _ in range(count - len(ids))]] = group
    regular = plan == "regular"
    still_buying = ~regular & (plan != "lapsed")
    size[still_buying] = np.maximum(size[still_buying], 3000)  # big enough for a clear pattern

    rhythm = rng.choice([1, 2, 3], n, p=[0.55, 0.3, 0.15])
    freq = np.where(regular & (size < 10_000), rhythm, 1)  # months between orders
    # first order: most customers are there from the start (ordering in their own rhythm), the
    # others arrive over the period; planted ones early enough to show their pattern
    new = rng.random(n) < 0.3
    start = np.where(new, rng.integers(1, months - 2, n), rng.integers(0, freq))
    start = np.where(regular, start, np.minimum(start, 5))

    names = list(REGIONS)
    region = rng.choice(names, n, p=[REGIONS[r][1] for r in names])
    rep = np.array([REGIONS[r][0] for r in region], dtype=object)
    other_rep = rng.random(n) < 0.15
    rep[other_rep] = rng.choice(list(REPS), other_rep.sum())
    chinese = rng.random(n) < np.array([REGIONS[r][2] for r in region])
    en_names = iter(_names(rng, [f"{s} {x}" for s in EN_STEMS for x in EN_SUFFIXES], n))
    zh_pool = [f"{c}{s}{t}有限公司" for c in ZH_CITIES for s in ZH_STEMS for t in ZH_TRADES]
    zh_names = iter(_names(rng, zh_pool, n))
    name = [next(zh_names) if z else next(en_names) for z in chinese]

    number = np.empty(n, dtype=int)
    number[np.lexsort((rng.random(n), np.where(new, start, 0)))] = np.arange(1, n + 1)  # by arrival
    legacy = ~new & (rng.random(n) < 0.15)  # IDs from the old system: digits only
    ids = [f"{k:05d}" if old else f"C{k:05d}" for k, old in zip(number, legacy)]
    email = [f"caigou.{i.lower()}@example.cn" if z  # caigou: purchasing
             else ".".join(re.findall(r"[a-z]+", nm.lower())) + "@example.com"
             for i, nm, z in zip(ids, name, chinese)]

    discount = np.select([size > 20_000, size > 5_000], [0.12, 0.06], 0.0)
    products = []
    for d in discount:
        cats = rng.choice(list(CATALOG), rng.integers(2, 4), replace=False)
        products.append([(cat, product, round(price * (1 - d), 2))
                         for cat in cats for product, price in CATALOG[cat].items()])
    return pd.DataFrame({
        "id": ids, "name": name, "region": region, "rep": rep, "email": email, "size": size,
        "growth": rng.normal(0.03, 0.08, n), "start": start, "freq": freq, "plan": plan,
        "products": products,
    })


def _names(rng: np.random.Generator, pool: list[str], n: int) -> list[str]:
    """At least `n` distinct names from `pool` in random order; numbered "(2)", … once it runs out."""
    rounds = -(-n // len(pool))
    return [name if k == 1 else f"{name} ({k})"
            for k in range(1, rounds + 1) for name in rng.permutation(pool)]


def _monthly_targets(rng: np.random.Generator, c, season: np.ndarray) -> np.ndarray:
    """Target sales per month for customer `c` (0 = no orders), with its planted pattern at the end."""
    months = len(season)
    m = np.arange(months)
    level = c.size * c.freq * season * (1 + c.growth) ** (m / 12) * rng.lognormal(0, 0.18, months)
    active = (m >= c.start) & ((m - c.start) % c.freq == 0)
    if c.plan == "regular" and c.freq == 1 and c.size < 10_000:
        active &= (m == c.start) | (rng.random(months) > 0.04)  # an occasional quiet month
    elif c.plan == "decline":
        k = rng.integers(3, 7)
        step = rng.uniform(0.70, 0.82)
        level[-k - 1:] = c.size * step ** np.arange(k + 1) * rng.uniform(0.96, 1.04, k + 1)
    elif c.plan == "token":
        active[-rng.integers(3, 6):] = False
    elif c.plan == "token_tiny":
        t = rng.integers(3, 6)
        level[-t:] = TINY[:t]
    elif c.plan == "lapsed":
        active[-rng.integers(6, 21):] = False
    elif c.plan == "returned":
        back, gap = rng.integers(3, 7), rng.integers(6, 10)
        active[-back - gap:-back] = False
        level[-back:] = c.size * np.linspace(0.5, 1.0, back)  # rebuilding the relationship
    return np.where(active, level, 0.0)


def _orders(rng: np.random.Generator, c, target: float, days: np.ndarray) -> list:
    """Customer `c`'s orders in a month, worth about `target` and never more.

    Returns (day, is credit note, [(category, product, quantity, unit price)]) per order.
    """
    n_orders = 1 + (target > 15_000) + (target > 60_000)
    orders = []
    for day in np.sort(rng.choice(days, n_orders)):
        n_lines = 1 if target < 500 else rng.integers(1, 4)
        # at least 10 units a line keeps the order within 10 % of its share of the target
        fits = [item for item in c.products if item[2] * 10 <= target / n_orders / n_lines] or [CHEAPEST]
        picks = rng.choice(len(fits), min(n_lines, len(fits)), replace=False)
        share = target / n_orders / len(picks)
        lines = [(cat, product, int(share // price), price)
                 for cat, product, price in (fits[i] for i in picks)]
        orders.append((day, False, lines))
    if c.plan == "regular" and c.size > 2000 and rng.random() < 0.015:  # a return, credited at once
        day, _, lines = orders[-1]
        cat, product, qty, price = lines[rng.integers(len(lines))]
        returned = -max(1, int(qty * rng.uniform(0.1, 0.3)))
        orders.append((rng.choice(days[days >= day]), True, [(cat, product, returned, price)]))
    return orders


def _frame(rows: list, customers: pd.DataFrame) -> pd.DataFrame:
    """The order lines as a frame in `COLUMNS` order, sorted by date, with order numbers."""
    df = pd.DataFrame(rows, columns=["order", "credit", "Order Date", "customer",
                                     "Category", "Product", "Quantity", "Unit Price"])
    df = df.sort_values(["Order Date", "order"], kind="stable", ignore_index=True)
    df["Order No"] = ""
    for credit, prefix in ((False, "SO"), (True, "CN")):
        mine = df["credit"] == credit
        numbers = pd.factorize(df.loc[mine, "order"])[0] + 1
        df.loc[mine, "Order No"] = [f"{prefix}{k:06d}" for k in numbers]
    who = customers.loc[df["customer"]]
    for column, field in (("Customer ID", "id"), ("Customer Name", "name"), ("Region", "region"),
                          ("Sales Rep", "rep"), ("Contact Email", "email")):
        df[column] = who[field].to_numpy()
    df["Amount"] = (df["Quantity"] * df["Unit Price"]).round(2)
    return df[COLUMNS]


def main(argv: list[str] | None = None) -> None:
    """Command line: write the sample workbook."""
    parser = argparse.ArgumentParser(prog="python -m addin.sample_data",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="workbook_templates/sample_orders.xlsx",
                        help="workbook to write (default %(default)s)")
    parser.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
    args = parser.parse_args(argv)
    orders = generate_orders(seed=args.seed)
    print(f"wrote {write_sample_workbook(args.out, orders)}: {len(orders)} order lines")


if __name__ == "__main__":
    main()
