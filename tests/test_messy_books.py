"""The messy-book writers themselves: every file opens, its good rows read back (with a
small reference parser here, independent of churnkit) to exactly the clean orders, and
the rows each writer reports as broken are exactly the rows that are."""
import csv
import datetime as dt
import math
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from messy_books import (ALL_HEADERS, FIELDS, orders_in_year, random_orders,
                         write_clean_xlsx, write_csv, write_messy_xlsx,
                         write_month_sheets, write_xlsm, write_year_sheets)

SEEDS = [0, 1, 2]
REQUIRED = {"date", "customer", "amount"}
TOTALS = {"合计", "总计", "Total"}
DATE_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日"]
EXCEL_EPOCH = dt.date(1899, 12, 30)
LAST_YEAR_READ = 2261        # later dates (9999-12-31 placeholders) are not orders


def write(form: str, df: pd.DataFrame, directory: Path, seed: int):
    """Write `df` in `form`: (path, the orders the file carries, expected broken rows)."""
    if form == "clean":
        path = directory / "clean.xlsx"
        return path, df, write_clean_xlsx(df, path)
    if form == "messy":
        path = directory / "messy.xlsx"
        return path, df, write_messy_xlsx(df, path, seed)
    if form == "months":
        path, year = directory / "months.xlsx", orders_in_year(df)
        return path, year, write_month_sheets(year, path, seed)
    writer, name = {"years": (write_year_sheets, "years.xlsx"),
                    "csv": (write_csv, "orders.csv"),
                    "xlsm": (write_xlsm, "orders.xlsm")}[form]
    return directory / name, df, writer(df, directory / name, seed)


# --- a reference parser, just strict enough to check the writers --------------------

def read_back(path: Path):
    """(good order lines as dicts, broken rows as {"sheet", "row", "field"})."""
    good, broken = [], []
    for sheet, rows in _sheets(path):
        header = next((i for i, (_, cells) in enumerate(rows)
                       if REQUIRED <= set(_columns(cells))), None)
        if header is None:
            continue
        columns = _columns(rows[header][1])
        for row, cells in rows[header + 1:]:
            texts = {str(c).strip() for c in cells if c not in (None, "")}
            if not texts or texts & TOTALS:
                continue
            line, bad_field = _parse({f: cells[i] for f, i in columns.items()})
            if bad_field:
                broken.append({"sheet": sheet, "row": row, "field": bad_field})
            else:
                good.append(line)
    return good, broken


def _sheets(path: Path):
    """(sheet name, [(row number, cell values)]) for each sheet, or for the CSV file."""
    if path.suffix == ".csv":
        with open(path, encoding="utf-8-sig", newline="") as f:
            return [(path.name, list(enumerate(csv.reader(f), start=1)))]
    wb = openpyxl.load_workbook(path, data_only=True)
    return [(ws.title, [(cells[0].row, [c.value for c in cells]) for cells in ws.iter_rows()])
            for ws in wb]


def _columns(cells) -> dict[str, int]:
    return {ALL_HEADERS[c.strip()]: i for i, c in enumerate(cells)
            if isinstance(c, str) and c.strip() in ALL_HEADERS}


def _parse(record: dict):
    """(order line, None), or (None, the field that cannot be read)."""
    line = {**record, "quantity": int(record["quantity"])}
    for field, parse in (("date", _date), ("customer", _customer), ("amount", _amount)):
        try:
            line[field] = parse(record[field])
        except (TypeError, ValueError):
            return None, field
    return line, None


def _date(value) -> dt.date:
    day = _any_date(value)
    if not LAST_YEAR_READ >= day.year:
        raise ValueError(value)
    return day


def _any_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, int):
        return EXCEL_EPOCH + dt.timedelta(days=value)
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            pass
    raise ValueError(value)


def _customer(value) -> str:
    if isinstance(value, str) and value.strip():
        return value
    raise ValueError(value)


def _amount(value) -> float:
    if isinstance(value, (int, float)):
        return float(value)
    number = float(value.replace("¥", "").replace("$", "").replace(",", ""))
    if not math.isfinite(number):
        raise ValueError(value)
    return number


def _as_tuples(lines) -> list[tuple]:
    return sorted(tuple(line[f] for f in FIELDS) for line in lines)


def _order_tuples(df: pd.DataFrame) -> list[tuple]:
    return _as_tuples({**r, "date": r["date"].date()} for r in df.to_dict("records"))


# --- tests --------------------------------------------------------------------------

@pytest.mark.parametrize("seed", SEEDS)
def test_random_orders_are_clean_and_varied(seed):
    df = random_orders(seed)
    assert list(df.columns) == FIELDS
    assert pd.api.types.is_datetime64_dtype(df["date"])
    assert (df["date"] == df["date"].dt.normalize()).all()
    assert all(isinstance(k, str) for k in df["customer"])
    assert "00042" in set(df["customer"])
    assert any(not k.isascii() for k in df["customer"])
    assert (df["amount"] < 0).any() and (df["amount"] == 0).any()
    assert (df["amount"].round(2) == df["amount"]).all()
    assert pd.api.types.is_integer_dtype(df["quantity"])
    assert df["order"].is_unique
    last_orders = df.groupby("customer")["date"].max()
    assert (last_orders < pd.Timestamp("2024-07-01")).any()  # some lapsed customer
    pd.testing.assert_frame_equal(df, random_orders(seed))


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("form", ["clean", "messy", "months", "years", "csv", "xlsm"])
def test_good_rows_are_the_orders_and_broken_rows_are_the_reported_ones(form, seed, tmp_path):
    path, orders, expected = write(form, random_orders(seed), tmp_path, seed)
    good, broken = read_back(path)
    assert _as_tuples(good) == _order_tuples(orders)
    key = lambda e: (e["sheet"], e["row"])
    assert sorted(broken, key=key) == sorted(expected, key=key)
    assert (expected == []) == (form == "clean")


@pytest.mark.parametrize("seed", SEEDS)
def test_messy_book_layout(seed, tmp_path):
    path, orders, expected = write("messy", random_orders(seed), tmp_path, seed)
    assert 3 <= len(expected) <= 5
    assert {e["field"] for e in expected} == REQUIRED
    ws = openpyxl.load_workbook(path).active
    assert [c.value for c in ws[3]] == [None] * ws.max_column
    assert all(c.value is None for c in ws["A"])
    header = {ALL_HEADERS[c.value.strip()]: c.column_letter for c in ws[4][1:]}
    assert set(header) == set(FIELDS) and list(header) != FIELDS
    data = range(5, ws.max_row)
    assert any(all(c.value is None for c in ws[r]) for r in data)  # blank rows inside
    dates = {type(ws[f"{header['date']}{r}"].value) for r in data}
    assert {dt.datetime, int, str} <= dates
    amounts = [ws[f"{header['amount']}{r}"].value for r in data]
    assert {type(a) for a in amounts} >= {float, str}
    assert any(isinstance(a, str) and a.startswith("¥") for a in amounts)
    customers = [ws[f"{header['customer']}{r}"] for r in data]
    assert all(c.data_type == "s" for c in customers if c.value is not None)
    total = ws[ws.max_row]
    assert "合计" in [c.value for c in total]
    formula = ws[f"{header['amount']}{ws.max_row}"].value
    assert formula == f"=SUM({header['amount']}5:{header['amount']}{ws.max_row - 1})"
    cached = openpyxl.load_workbook(path, data_only=True).active[f"{header['amount']}{ws.max_row}"]
    assert cached.value == pytest.approx(sum(a for a in amounts if isinstance(a, (int, float))))


def test_month_sheets_hold_one_year_beside_sheets_that_are_not_orders(tmp_path):
    path, orders, expected = write("months", random_orders(0), tmp_path, 0)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Notes"] + [f"{m}月" for m in range(1, 13)] + ["Products"]
    assert len(expected) == 1 and expected[0]["sheet"] in wb.sheetnames[1:13]
    for name in ("Notes", "Products"):
        rows = wb[name].iter_rows(values_only=True)
        assert not any(REQUIRED <= set(_columns(row)) for row in rows)
    with pytest.raises(ValueError):
        write_month_sheets(random_orders(0), tmp_path / "two_years.xlsx")


def test_year_sheets_differ_in_column_order(tmp_path):
    path, _, expected = write("years", random_orders(0), tmp_path, 0)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Summary", "2023", "2024"]
    assert [c.value for c in wb["2023"][1]] != [c.value for c in wb["2024"][1]]
    assert not REQUIRED <= set(_columns([c.value for c in wb["Summary"][1]]))
    assert expected[0]["sheet"] in ("2023", "2024")


def test_csv_is_written_as_excel_writes_it(tmp_path):
    path, orders, _ = write("csv", random_orders(0), tmp_path, 0)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    with open(path, encoding="utf-8-sig", newline="") as f:
        records = list(csv.reader(f))
    assert len(records) == len(raw.splitlines())  # record n is line n
    assert "00042" in {r[1] for r in records}


def test_xlsm_is_a_macro_enabled_book_with_an_excel_table(tmp_path):
    path, orders, _ = write("xlsm", random_orders(0), tmp_path, 0)
    content_types = zipfile.ZipFile(path).read("[Content_Types].xml")
    assert b"application/vnd.ms-excel.sheet.macroEnabled.main+xml" in content_types
    ws = openpyxl.load_workbook(path, data_only=True).active
    assert ws["A1"].value is None and ws["A2"].value is None
    table = ws.tables["Orders"]
    assert table.ref == f"A3:J{ws.max_row}"
    assert ws[f"A{ws.max_row}"].value == "Total"
    assert ws[f"D{ws.max_row}"].value == pytest.approx(orders["amount"].sum())
