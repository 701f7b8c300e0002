"""The same orders, written the messy ways real order books are kept.

`random_orders` makes clean order lines. Each `write_*` function writes them in one
messy form, breaks a few extra rows on purpose, and returns those broken rows as
``{"sheet": ..., "row": ..., "field": ...}`` dicts: the sheet name (for a CSV, the file
name), the 1-based Excel/CSV row number and which of "date", "customer", "amount" is
unreadable. Every other data row carries exactly one clean order line, unchanged.
"""
from __future__ import annotations

import csv
import datetime as dt
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

FIELDS = ["date", "customer", "name", "amount", "quantity", "order",
          "product", "category", "rep", "region"]
ENGLISH = dict(zip(FIELDS, ["Order Date", "Customer ID", "Customer Name", "Amount",
                            "Quantity", "Order No", "Product", "Category", "Sales Rep",
                            "Region"]))
CHINESE = dict(zip(FIELDS, ["订单日期", "客户编号", "客户名称", "金额", "数量", "订单号",
                            "产品", "类别", "业务员", "地区"]))
# Other spellings of the required headers, one per writer, all from SPEC.md's lists.
MESSY_HEADERS = {**CHINESE, "customer": " 客户编号", "amount": "金额 "}
CSV_HEADERS = {**CHINESE, "date": "下单日期", "amount": "销售金额"}
YEAR_HEADERS = {**ENGLISH, "date": "Date", "customer": "Customer", "amount": "Revenue"}
XLSM_HEADERS = {**ENGLISH, "date": "Date", "amount": "Sales"}
ALL_HEADERS = {text.strip(): field
               for headers in (ENGLISH, CHINESE, MESSY_HEADERS, CSV_HEADERS,
                               YEAR_HEADERS, XLSM_HEADERS)
               for field, text in headers.items()}

BAD_VALUES = {"date": ["soon", "2024-13-45", "下周", "2024/2/30", "9999-12-31", "2300/1/1"],
              "customer": [None],
              "amount": ["abc", "面议", "TBD", "inf", "1.5e400"]}
PROFILES = ["steady", "declining", "lapsed", "paused", "new"]
PRODUCTS = [("螺丝 M6", "五金", 0.35), ("膨胀螺栓", "五金", 1.20),
            ("Drill 500W", "Tools", 249.00), ("角磨机", "工具", 189.00),
            ("PVC 管 20mm", "管材", 12.50), ("水龙头", "卫浴", 86.00),
            ("LED 灯泡", "电工", 9.90), ("Cable 2.5mm² 100m", "电工", 320.00)]
REPS = ["张伟", "李娜", "王芳", "Tom Chen"]
REGIONS = ["华东", "华南", "华北", "West"]
CHINESE_KEYS = ["明华贸易", "李记五金", "华东建材", "顺达机电", "老王水暖", "金鼎商行",
                "恒通物流", "佳美装饰", "永利电器", "德胜百货"]
COMPANY_NAMES = ["上海宏达贸易有限公司", "苏州德胜五金店", "杭州永利建材商行",
                 "宁波佳美装饰工程有限公司", "Acme Tools Ltd", "Blue River Trading",
                 "Smith, Jones & Co", "O'Brien & Sons", "广州新世纪百货"]
EXCEL_EPOCH = dt.date(1899, 12, 30)


def random_orders(seed: int, n_customers: int = 40, start: str = "2023-01",
                  months: int = 24) -> pd.DataFrame:
    """Clean order lines for `n_customers` customers over `months` months from `start`.

    Customers follow a mix of profiles (steady, declining, lapsed, paused, new) so that
    every risk class appears; lines include returns (negative) and free samples (zero).
    """
    rng = np.random.default_rng(seed)
    periods = pd.period_range(start, periods=months, freq="M")
    profiles = [PROFILES[i] for i in rng.permutation(len(PROFILES))] + [
        _pick(rng, PROFILES) for _ in range(n_customers - len(PROFILES))]
    lines = []
    for i, key in enumerate(_customer_keys(rng, n_customers)):
        customer = {"customer": key, "name": _customer_name(key, i),
                    "rep": _pick(rng, REPS), "region": _pick(rng, REGIONS)}
        base = round(float(rng.lognormal(7, 1)), 2)
        for m, amount in _customer_lines(profiles[i], months, base, rng):
            lines.append({**customer, **_order_line(periods[m], amount, rng)})
    df = pd.DataFrame(lines).sort_values(["date", "customer"], kind="stable")
    df["order"] = [f"SO-{i:05d}" for i in range(1, len(df) + 1)]
    return df[FIELDS].reset_index(drop=True)


def orders_in_year(df: pd.DataFrame, year: int | None = None) -> pd.DataFrame:
    """The orders of one calendar year (default: the latest), for `write_month_sheets`."""
    year = df["date"].dt.year.max() if year is None else year
    return df[df["date"].dt.year == year].reset_index(drop=True)


def write_clean_xlsx(df: pd.DataFrame, path: Path) -> list[dict]:
    """English headers in row 1, real dates and numbers, nothing broken."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Orders"
    ws.append([ENGLISH[f] for f in FIELDS])
    skipped = _write_openpyxl(ws, 2, FIELDS, _rows(df, None, 0))
    wb.save(path)
    return skipped


def write_messy_xlsx(df: pd.DataFrame, path: Path, seed: int) -> list[dict]:
    """Chinese headers (some padded with spaces) in shuffled order, two title rows and a
    blank row above them, data from column B, blank rows inside, a 合计 row with a cached
    SUM at the end; dates as real dates, serial numbers or text in three formats;
    amounts as numbers or text with ¥/$ and thousands separators; 3–5 broken rows."""
    rng = np.random.default_rng(seed)
    fields = [FIELDS[i] for i in rng.permutation(len(FIELDS))]
    rows = _rows(df, rng, n_bad=int(rng.integers(3, 6)), n_blank=3)
    sheet = "销售明细"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet(sheet)
    date_format = wb.add_format({"num_format": "yyyy/m/d"})
    years = df["date"].dt.year
    ws.write_string(0, 1, f"{years.min()}–{years.max()} 年销售订单明细")
    ws.write_string(1, 1, "单位：元    制表：财务部")
    for c, field in enumerate(fields, start=1):
        ws.write_string(3, c, MESSY_HEADERS[field])
    skipped, amounts = [], []
    for row, record in _numbered(rows, first_row=5):
        cells = _cells(record, fields, {"date": lambda d: _messy_date(d, rng),
                                        "amount": lambda a: _messy_amount(a, rng)})
        for c, value in enumerate(cells, start=1):
            _xlsxwriter_cell(ws, row - 1, c, value, date_format)
        amounts.append(cells[fields.index("amount")])
        skipped += _skip_entry(sheet, row, record)
    _write_total_row(ws, fields, first_data_row=5, total_row=5 + len(rows), amounts=amounts)
    wb.close()
    return skipped


def write_month_sheets(df: pd.DataFrame, path: Path, seed: int = 0) -> list[dict]:
    """Sheets `1月` … `12月` of one year (pass `orders_in_year(df)`), each with a title
    row, Chinese headers in row 2 and real dates; one broken row in one month; plus a
    prose `Notes` sheet (first) and a `Products` price list (last) that are not orders."""
    years = df["date"].dt.year.unique()
    if len(years) != 1:
        raise ValueError(f"month sheets hold one year; got {sorted(years)}")
    rng = np.random.default_rng(seed)
    bad_month = _pick(rng, sorted(df["date"].dt.month.unique()))
    wb = openpyxl.Workbook()
    _write_notes(wb.active)
    skipped = []
    for month in range(1, 13):
        ws = wb.create_sheet(f"{month}月")
        ws.append([f"{years[0]}年{month}月销售明细"])
        ws.append([CHINESE[f] for f in FIELDS])
        rows = _rows(df[df["date"].dt.month == month], rng, n_bad=int(month == bad_month))
        skipped += _write_openpyxl(ws, 3, FIELDS, rows)
    _write_products(wb.create_sheet("Products"))
    wb.save(path)
    return skipped


def write_year_sheets(df: pd.DataFrame, path: Path, seed: int = 0) -> list[dict]:
    """One sheet per year (`2023`, `2024`, …) with English headers in row 1, each year's
    columns in a different order; one broken row in one year; plus a `Summary` sheet
    (first) of yearly totals per customer that has no date or amount column."""
    rng = np.random.default_rng(seed)
    years = sorted(df["date"].dt.year.unique())
    bad_year = _pick(rng, years)
    wb = openpyxl.Workbook()
    _write_summary(wb.active, df)
    skipped = []
    for i, year in enumerate(years):
        ws = wb.create_sheet(str(year))
        fields = FIELDS[3 * i:] + FIELDS[:3 * i]
        ws.append([YEAR_HEADERS[f] for f in fields])
        rows = _rows(df[df["date"].dt.year == year], rng, n_bad=int(year == bad_year))
        skipped += _write_openpyxl(ws, 2, fields, rows)
    wb.save(path)
    return skipped


def write_csv(df: pd.DataFrame, path: Path, seed: int = 0) -> list[dict]:
    """UTF-8 with BOM and CRLF line ends (as Excel saves CSV), Chinese headers in line 1,
    dates as text in three formats, amounts as text with ¥/$ and separators; one
    broken row."""
    rng = np.random.default_rng(seed)
    path = Path(path)
    skipped = []
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        out = csv.writer(f)
        out.writerow([CSV_HEADERS[field] for field in FIELDS])
        for row, record in _numbered(_rows(df, rng, n_bad=1), first_row=2):
            out.writerow(_cells(record, FIELDS, {"date": lambda d: _text_date(d, rng),
                                                 "amount": lambda a: _text_amount(a, rng)}))
            skipped += _skip_entry(path.name, row, record)
    return skipped


def write_xlsm(df: pd.DataFrame, path: Path, seed: int = 0) -> list[dict]:
    """A macro-enabled workbook (no macros) whose orders are an Excel Table with a `Total`
    row and English headers, starting at row 3 below two empty rows (where such books
    keep their macro buttons); one broken row."""
    rng = np.random.default_rng(seed)
    rows = _rows(df, rng, n_bad=1)
    sheet = "Orders"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet(sheet)
    date_format = wb.add_format({"num_format": "yyyy-mm-dd"})
    columns = [{"header": XLSM_HEADERS[f]} for f in FIELDS]
    columns[0]["total_string"] = "Total"
    columns[FIELDS.index("amount")].update(total_function="sum",
                                           total_value=round(float(df["amount"].sum()), 2))
    ws.add_table(2, 0, 3 + len(rows), len(FIELDS) - 1,
                 {"name": "Orders", "columns": columns, "total_row": True})
    skipped = []
    for row, record in _numbered(rows, first_row=4):
        for c, value in enumerate(_cells(record, FIELDS, {})):
            _xlsxwriter_cell(ws, row - 1, c, value, date_format)
        skipped += _skip_entry(sheet, row, record)
    wb.close()
    _mark_macro_enabled(Path(path))
    return skipped


# --- orders -------------------------------------------------------------------------

def _pick(rng, seq):
    """One element of `seq`, keeping its Python type (rng.choice would make numpy ones)."""
    return seq[int(rng.integers(len(seq)))]


def _customer_keys(rng, n: int) -> list[str]:
    """Unique keys: "00042" first, then zero-padded numbers, C-codes and Chinese names."""
    numbers = rng.permutation(np.arange(100, 10000))
    keys = ["00042"]
    for i in range(1, n):
        if i % 3 == 0:
            keys.append(f"{numbers[i]:05d}")
        elif i % 3 == 1:
            keys.append(f"C{numbers[i]:04d}")
        else:
            j, k = divmod(i // 3, len(CHINESE_KEYS))
            keys.append(CHINESE_KEYS[k] + (str(j + 1) if j else ""))
    return keys


def _customer_name(key: str, i: int) -> str:
    if not key.isascii():
        return key + "有限公司"
    return COMPANY_NAMES[i % len(COMPANY_NAMES)] + ("" if i < len(COMPANY_NAMES) else f" {key}")


def _customer_lines(profile: str, n_months: int, base: float, rng):
    """(month index, amount) for each order line of one customer with this profile."""
    last = n_months - 1
    if profile == "lapsed":
        last -= int(rng.integers(6, 12))
    elif profile == "paused":
        last -= int(rng.integers(3, 6))
    first = int(rng.integers(max(n_months - 4, 0), n_months)) if profile == "new" \
        else int(rng.integers(0, max(n_months // 3, 1)))
    first, last = min(first, max(last, 0)), max(last, 0)
    decline_from = n_months - 1 - int(rng.integers(3, 7)) if profile == "declining" else n_months
    for m in range(first, last + 1):
        if m >= decline_from:  # one line a month, strictly falling to A
            yield m, round(base * (n_months - m) / (n_months - decline_from + 1), 2)
        elif m == first or rng.random() < 0.8:
            for _ in range(int(rng.integers(1, 4))):
                yield m, _line_amount(base, rng)


def _line_amount(base: float, rng) -> float:
    """A sale, sometimes a free sample (0) or a return (negative)."""
    r = rng.random()
    if r < 0.04:
        return 0.0
    sale = round(base * rng.uniform(0.3, 1.2), 2)
    return -max(round(sale * rng.uniform(0.05, 0.5), 2), 0.01) if r < 0.12 else sale


def _order_line(period: pd.Period, amount: float, rng) -> dict:
    product, category, price = _pick(rng, PRODUCTS)
    quantity = max(1, round(abs(amount) / price))
    return {"date": pd.Timestamp(period.year, period.month,
                                 int(rng.integers(1, period.days_in_month + 1))),
            "amount": amount, "quantity": -quantity if amount < 0 else quantity,
            "product": product, "category": category}


# --- rows and cells -----------------------------------------------------------------

def _rows(df: pd.DataFrame, rng, n_bad: int, n_blank: int = 0) -> list[dict | None]:
    """The orders as row dicts (dates as datetime.date), with `n_bad` broken copies of
    random orders (marked by key "_bad") and `n_blank` blank rows (None) inserted."""
    orders = [{**r, "date": r["date"].date()} for r in df.to_dict("records")]
    rows = list(orders)
    kinds = list(BAD_VALUES)
    order = rng.permutation(len(kinds)) if n_bad else []
    for field in (kinds[order[i % len(kinds)]] for i in range(n_bad)):
        broken = {**_pick(rng, orders), field: _pick(rng, BAD_VALUES[field]), "_bad": field}
        if field == "customer":
            broken["name"] = None
        rows.insert(int(rng.integers(0, len(rows) + 1)), broken)
    for _ in range(n_blank):
        rows.insert(int(rng.integers(1, len(rows))), None)
    return rows


def _numbered(rows, first_row: int):
    """(row number, record) for the non-blank rows, numbering blank ones too."""
    return ((n, r) for n, r in enumerate(rows, start=first_row) if r is not None)


def _skip_entry(sheet: str, row: int, record: dict) -> list[dict]:
    return [{"sheet": sheet, "row": row, "field": record["_bad"]}] if "_bad" in record else []


def _cells(record: dict, fields: list[str], formats: dict) -> list:
    """The record's cell values in column order; the broken field is left as is."""
    return [record[f] if f == record.get("_bad") or f not in formats else formats[f](record[f])
            for f in fields]


def _messy_date(d: dt.date, rng):
    """A real date, an Excel serial number, or text in one of three formats."""
    return _pick(rng, [d, (d - EXCEL_EPOCH).days, _text_date(d, rng)])


def _text_date(d: dt.date, rng) -> str:
    return _pick(rng, [d.isoformat(), f"{d.year}/{d.month}/{d.day}",
                       f"{d.year}年{d.month}月{d.day}日"])


def _messy_amount(amount: float, rng):
    return _pick(rng, [amount, _text_amount(amount, rng)])


def _text_amount(amount: float, rng) -> str:
    """`¥1,200.50`, `$1,200.50`, `1,200.5`, or `-35.00` for returns."""
    if amount < 0:
        return f"{amount:.2f}"
    text = f"{amount:,.2f}"
    return _pick(rng, ["¥" + text, "$" + text, text.rstrip("0").rstrip(".")])


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


# --- workbook parts -----------------------------------------------------------------

def _write_openpyxl(ws, first_row: int, fields: list[str], rows) -> list[dict]:
    skipped = []
    for row, record in _numbered(rows, first_row):
        for c, value in enumerate(_cells(record, fields, {}), start=1):
            ws.cell(row=row, column=c, value=value)
        skipped += _skip_entry(ws.title, row, record)
    return skipped


def _xlsxwriter_cell(ws, row0: int, col0: int, value, date_format) -> None:
    """Write with an explicit cell type so that "00042" stays text."""
    if value is None:
        return
    if isinstance(value, dt.date):
        ws.write_datetime(row0, col0, value, date_format)
    elif _is_number(value):
        ws.write_number(row0, col0, value)
    else:
        ws.write_string(row0, col0, value)


def _write_total_row(ws, fields, first_data_row: int, total_row: int, amounts) -> None:
    """合计 in the leftmost non-amount column; SUM over the amount column, with the value
    Excel would cache (SUM ignores amounts stored as text)."""
    amount_col = fields.index("amount") + 1
    label_col = 1 if amount_col != 1 else 2
    letter = xl_col_to_name(amount_col)
    ws.write_string(total_row - 1, label_col, "合计")
    ws.write_formula(total_row - 1, amount_col,
                     f"=SUM({letter}{first_data_row}:{letter}{total_row - 1})",
                     None, round(sum(a for a in amounts if _is_number(a)), 2))


def _write_notes(ws) -> None:
    ws.title = "Notes"
    for line in ["How to use this workbook",
                 "Enter each order on the sheet of its month; amounts are in yuan, VAT included.",
                 "客户编号以0开头时请按文本输入，不要改成数字。",
                 "Returns are entered as negative amounts on the day the goods come back."]:
        ws.append([line])


def _write_products(ws) -> None:
    ws.append(["Product", "Category", "Unit Price"])
    for product in PRODUCTS:
        ws.append(list(product))


def _write_summary(ws, df: pd.DataFrame) -> None:
    ws.title = "Summary"
    totals = df.pivot_table(index="customer", columns=df["date"].dt.year,
                            values="amount", aggfunc="sum", fill_value=0)
    ws.append(["Customer"] + [str(y) for y in totals.columns])
    for key, values in totals.iterrows():
        ws.append([key] + [round(float(v), 2) for v in values])


def _mark_macro_enabled(path: Path) -> None:
    """Give the workbook part the .xlsm content type, as Excel does for a book saved as
    macro-enabled without macros (XlsxWriter only does so with a vbaProject.bin)."""
    with zipfile.ZipFile(path) as z:
        parts = [(info, z.read(info)) for info in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in parts:
            if info.filename == "[Content_Types].xml":
                data = data.replace(
                    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                    b"application/vnd.ms-excel.sheet.macroEnabled.main+xml")
            z.writestr(info, data)
