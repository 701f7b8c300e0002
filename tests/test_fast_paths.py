"""The shortcuts taken for big order books give exactly what the plain ways give.

- JSON output is written without the json module's slow indented encoder: same text; a table's columns too.
- CSV is written a column at a time: the csv module's text of the records.
- Money and probabilities are rounded a column at a time: Python's round of each value.
- The lists are ordered with ranks of the keys (Arrow's sort) and of risks and classes: Python's sort.
- Month integers come from a day → month table: same as pandas' year and month.
- The first and last days of many months are looked up among the months they span: those of each month alone.
- Cells are parsed once per distinct text and spread to the rows: same as parsing each cell.
- Sheets' lines joined as Arrow tables (from the line cache) are the sheets' lines combined as frames.
  Repeated text fields (not order numbers) come out categorical (codes into sorted texts), also across sheets.
- The win-back list's main products are ranked with codes: same as ranking the names.
- The orders matrix is counted when first read: same as counting it up front.
- Categorical lines (codes into sorted texts) score exactly as plain text lines.
- Terminal tables measure ASCII texts by their length: the same as measuring every character.
- A database's customer keys are encoded in parts at once: the codes of encoding them all in one.
- scipy is imported when first used (or by the warm-up thread while a workbook is read), not at start; so are
  keyring, charset-normalizer and filelock, which only a database, a CSV file that is not UTF-8 and a write need
  (a scan imports neither keyring nor filelock).
"""
import csv
import datetime as dt
import io
import json
import math
import shutil
import subprocess
import sys
import unicodedata

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, strategies as st

from addin.cli import output
from addin.cli.json_text import Rows, dumps
from addin.content import texttable
from addin.content.csv_text import csv_text, protect_text
from addin.ooxml.worksheet import LIST_SEPARATOR
from addin.sources import pushdown
from churn_logic import (CLASS_ORDER, RISKS, RawSheet, Settings, analyse, combine, combine_tables,
                         most_urgent_first, most_valuable_first, normalise, resolve, winback_list)
from churn_logic.periods import months_of
from churn_logic.purchase_days import month_end_days, month_start_day
from workbook_templates import SAMPLE, bundled_file


@pytest.mark.parametrize("document", [
    {}, [], "text", 3, -0.0, None, True, {"a": [], "b": {}, "c": [[]]},
    {"x": [1, 2.5, None, True, False, "é\"\\\n\u2028", math.nan, math.inf, -math.inf, 1e300, 10**30]},
    {1: "int key", 2.5: "float key", False: "bool key", None: "none key"},
    {"customers": [{"customer": "00042", "value": 1200.5, "reasons": "销售额连续3个月下降"}, {"name": None}],
     "nested": {"deeper": {"list": [1, [2, {"k": (3, 4)}]]}}},
    {"float64": np.float64(1.5)},
])
def test_json_is_the_json_modules_text(document):
    assert dumps(document) == json.dumps(document, ensure_ascii=False, indent=2)


@pytest.mark.parametrize("rows", [
    Rows(["customer", "value", "100%", "p", "flag", "dropped"],
         [["00042", "é\"\\\n\0\u2028", None], [1200.5, math.nan, -0.0], [10**30, None, -3], [math.inf, 0.1, None],
          [True, False, None], [[], ["Tools", "零件"], [{"k": (1, 2)}]]]),
    Rows(["one"], [["just one row"]]), Rows(["none"], [[]]), Rows([], []),
])
def test_rows_are_the_json_modules_text_of_their_records(rows):
    document = {"customers": rows, "after": [1, 2]}
    assert dumps(document) == json.dumps({"customers": rows.records(), "after": [1, 2]}, ensure_ascii=False, indent=2)


def test_rows_refuse_what_the_json_module_refuses():
    with pytest.raises(TypeError) as ours:
        dumps(Rows(["a", "b"], [[1, 2], [3, np.int64(4)]]))
    with pytest.raises(TypeError) as theirs:
        json.dumps([{"a": 1, "b": 3}, {"a": 2, "b": np.int64(4)}], ensure_ascii=False, indent=2)
    assert str(ours.value) == str(theirs.value)


def test_csv_of_columns_is_the_csv_modules_text_of_the_records():
    fields = ["customer", "value", "dropped", "when"]
    columns = [["=1+1", "", None, "plain", "\t=x", "a\nb", "-1"], [1.5, None, -0.0, 10**20, 2, 3, True],
               [[], ["Tools", "零件"], None, ["=x"], [], [], []], [dt.date(2024, 1, 5), None, "2024-01", 1, 2, 3, 4]]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\r\n")
    writer.writeheader()
    for values in zip(*columns):
        writer.writerow({f: protect_text(LIST_SEPARATOR.join(v) if isinstance(v, list) else v)
                         for f, v in zip(fields, values)})
    assert csv_text(fields, columns) == out.getvalue()
    assert csv_text(fields, [[] for _ in fields]) == "customer,value,dropped,when\r\n"


@given(st.lists(st.none() | st.text(st.sampled_from("=+-@\t\r\n 'a零\"")), max_size=20))
def test_csv_of_a_column_of_texts_protects_each_as_protect_text_does(texts):
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([["t"], *([protect_text(t)] for t in texts)])
    assert csv_text(["t"], [texts]) == out.getvalue()


_TEXTS = st.text(st.sampled_from("=+-@\t\r\n ',a零\"\0;"), max_size=6)
_CELLS = {"texts": st.none() | _TEXTS, "numbers": st.none() | st.integers(-10**20, 10**20) | st.floats() | st.booleans(),
          "lists": st.none() | _TEXTS | st.lists(_TEXTS, max_size=3),
          "anything": st.none() | _TEXTS | st.floats() | st.integers() | st.lists(_TEXTS, max_size=2)
          | st.dates() | _TEXTS.filter(lambda t: "\0" not in t).map(np.str_) | st.floats().map(np.float64)}
# (numpy's texts drop a trailing NUL, and the csv module writes what such a text had)


@given(st.lists(st.sampled_from(sorted(_CELLS)), min_size=1, max_size=4).flatmap(
    lambda kinds: st.tuples(st.just(kinds), st.integers(0, 6))).flatmap(
    lambda shape: st.tuples(*(st.lists(_CELLS[kind], min_size=shape[1], max_size=shape[1]) for kind in shape[0]))))
def test_csv_of_columns_of_any_kind_is_the_csv_modules_text(columns):
    """Columns of texts, numbers, lists or anything (``_cells`` takes each its own way): the csv
    module's text of the rows, each text protected and each list joined first."""
    fields = [f"field {i}" for i in range(len(columns))]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(fields)
    writer.writerows([protect_text(LIST_SEPARATOR.join(v) if isinstance(v, list) else v) for v in row]
                     for row in zip(*columns))
    assert csv_text(fields, [list(column) for column in columns]) == out.getvalue()


@pytest.mark.parametrize("document", [{"a": np.int64(3)}, {"a": {1, 2}}, {(1, 2): 3}])
def test_json_refuses_what_the_json_module_refuses(document):
    with pytest.raises(TypeError) as ours:
        dumps(document)
    with pytest.raises(TypeError) as theirs:
        json.dumps(document, ensure_ascii=False, indent=2)
    assert str(ours.value) == str(theirs.value)


def test_months_are_pandas_year_and_month():
    rng = np.random.default_rng(1)
    dates = pd.Series(np.datetime64("1969-06-01T00:00", "ns") + rng.integers(0, 10**18, 5000).astype("timedelta64[ns]"))
    assert months_of(dates).tolist() == (dates.dt.year * 12 + dates.dt.month - 1).tolist()
    assert months_of(dates.iloc[:0]).tolist() == []


CELLS = {
    "date": [None, "", "  ", "2024-03-05 00:00:00", "2024-03-05 13:45:07", "2024/3/5", "2024年3月5日", "45000",
             "45000.75", "60", "59", "0.5", "05.03.2024", "2024-02-30", "soon", "true", " 2024-03-05 "],
    "amount": [None, "", "42", "42.5", "0.333333333", "1200.5", "-3", "00042", " 12.5 ", "1e5", "nan", "inf",
               "¥1,200.50", "(300)", "1 200,50", "1.200,50", "12,34", "TBD", "true", "2024-01-01 00:00:00",
               "123456789012345678", "Total"],
    "customer": [None, "", "C1", " C1 ", "00042", "42", "合计", "total:", "客户甲", "Grand Total ::"],
    "name": [None, "Acme", "  ", "小计", "O'Brien & Sons"],
}


DAY_FIRST = resolve([("t", {"date_format": "DD.MM.YYYY", "decimal_comma": "yes"})])


@pytest.mark.parametrize("settings", [Settings(), DAY_FIRST])
def test_cells_parsed_once_per_text_are_the_cells_parsed_one_by_one(settings):
    rng = np.random.default_rng(7)
    n = 300
    cells = {field: pd.Series(rng.choice(np.array(values, dtype=object), n), dtype=object)
             for field, values in CELLS.items()}
    book = normalise([RawSheet("Orders", np.arange(n) + 2, cells)], settings)
    one_by_one = [normalise([RawSheet("Orders", np.array([row + 2]),
                                      {field: column.iloc[row:row + 1] for field, column in cells.items()})], settings)
                  for row in range(n)]
    lines = pd.concat([b.lines for b in one_by_one], ignore_index=True)
    skipped = pd.concat([b.skipped for b in one_by_one], ignore_index=True)
    assert all(isinstance(book.lines[f].dtype, pd.CategoricalDtype) for f in ("customer", "name"))
    pd.testing.assert_frame_equal(_texts(book.lines), _texts(lines))
    assert book.skipped.to_dict("records") == skipped.to_dict("records")
    assert book.ignored_rows == sum(b.ignored_rows for b in one_by_one)


@pytest.mark.parametrize("seed", range(6))
def test_sheets_joined_as_arrow_tables_are_the_sheets_combined(seed):
    rng = np.random.default_rng(seed)
    books = []
    for sheet in range(int(rng.integers(2, 6))):
        n = int(rng.integers(0, 40))
        cells = {field: pd.Series(rng.choice(np.array(values, dtype=object), n), dtype=object)
                 for field, values in CELLS.items()}
        cells["rep"] = pd.Series(rng.choice(np.array([None, "Li", "王"] if sheet % 2 else [None], object), n))
        cells["order"] = pd.Series([f"SO-{sheet}-{i}" for i in range(n)], dtype=object)
        books.append(normalise([RawSheet(f"S{sheet}", np.arange(n) + 2, cells)], Settings()))
    tables = [pa.Table.from_pandas(book.lines, preserve_index=False) for book in books]
    pd.testing.assert_frame_equal(combine_tables(tables), combine(books).lines)
    skipped = [pa.Table.from_pandas(book.skipped, preserve_index=False) for book in books]
    pd.testing.assert_frame_equal(combine_tables(skipped), combine(books).skipped)
    assert combine_tables(tables[:1] + [tables[1].drop_columns(["rep"])]) is None      # other columns: not joined


def _texts(lines: pd.DataFrame) -> pd.DataFrame:
    """Categorical text columns as plain objects, the way one sheet's and several sheets' lines compare."""
    return lines.astype({c: object for c, dtype in lines.dtypes.items()
                         if isinstance(dtype, pd.CategoricalDtype) or pd.api.types.is_string_dtype(dtype)})


def test_sheets_with_other_texts_and_columns_share_sorted_categories():
    sheets = [RawSheet("2024", np.array([2, 3]), {"date": pd.Series(["2024-01-05", "2024-02-05"]),
                                                   "customer": pd.Series(["B", "客户甲"]),
                                                   "amount": pd.Series(["1", "2"]), "rep": pd.Series(["Li", None])}),
              RawSheet("2025", np.array([2]), {"date": pd.Series(["2025-01-05"]), "customer": pd.Series(["A"]),
                                               "amount": pd.Series(["3"])})]
    lines = normalise(sheets, Settings()).lines
    assert lines["customer"].cat.categories.tolist() == ["A", "B", "客户甲"]
    assert lines["customer"].tolist() == ["B", "客户甲", "A"]
    assert lines["rep"].cat.categories.tolist() == ["Li"] and lines["rep"].isna().tolist() == [False, True, True]


def _lines(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = 600
    months = rng.integers(0, 24, n)
    customers = rng.choice(["A", "B", "C", "00042", "客户甲"], n)
    stopped = ((customers == "A") & (months >= 10)) | ((customers == "00042") & (months >= 16))    # two lapse
    months[stopped] -= 8
    return pd.DataFrame({
        "customer": customers,
        "date": [pd.Timestamp(2023 + m // 12, m % 12 + 1, int(d)) for m, d in zip(months, rng.integers(1, 29, n))],
        "amount": rng.choice([-50.0, 0.0, 10.0, 20.0, 30.0, 100.0], n),
        "product": rng.choice(["Bolt", "Anchor", "Cable", "Drill", None], n),
        "category": rng.choice(["Tools", "Parts", None], n),
        "order": rng.choice([f"SO-{k}" for k in range(40)] + [None], n),
    })


@pytest.mark.parametrize("seed", range(8))
def test_main_products_are_ranked_by_amount_then_name(seed):
    lines = _lines(seed)
    model = analyse(lines, resolve([("t", {"as_of": "2024-12", "lost_months": 3})]))
    winback = winback_list(model)
    assert len(winback)
    for row in winback.itertuples():
        lapse = model.as_of - row.months_dormant + 1
        month = months_of(lines["date"])
        mine = lines[(lines["customer"] == row.customer) & (month < lapse) & (month >= lapse - 12)]
        for field, column, top in (("product", "main_products", 3), ("category", "main_category", 1)):
            totals = mine.dropna(subset=[field]).groupby(field)["amount"].sum()
            ranked = sorted((name for name, total in totals.items() if total > 0), key=lambda n: (-totals[n], n))
            assert getattr(row, column) == ", ".join(ranked[:top])


@pytest.mark.parametrize("seed", range(4))
def test_categorical_lines_score_as_plain_text_lines(seed):
    rng = np.random.default_rng(seed)
    plain = _lines(seed).sample(frac=1, random_state=seed).reset_index(drop=True)      # not in date order
    plain["name"] = rng.choice(["Acme", "Zeta & Co", "客户甲", None], len(plain))
    plain["rep"] = rng.choice(["Li", "Tom", None], len(plain))
    coded = plain.copy()
    for field in ("customer", "name", "rep", "product", "category"):
        texts = sorted(set(plain[field].dropna()) | {"unused"})
        coded[field] = pd.Categorical(plain[field], categories=texts)
    settings = resolve([("t", {"as_of": "2024-12", "lost_months": 3})])
    models = [analyse(lines, settings) for lines in (plain, coded)]
    pd.testing.assert_frame_equal(models[0].customers, models[1].customers)
    pd.testing.assert_frame_equal(winback_list(models[0]), winback_list(models[1]))


def test_orders_counted_when_first_read_are_those_counted_up_front():
    lines = _lines(3)
    lazy = analyse(lines, Settings(), dt.date(2025, 1, 15))
    eager = analyse(lines, resolve([("t", {"measure": "orders"})]), dt.date(2025, 1, 15))
    assert np.array_equal(lazy.series.orders, eager.series.orders)
    assert np.array_equal(eager.series.values, eager.series.orders)


@given(st.lists(st.sampled_from(["", "00042", "42", "A", "a", "客户甲"]), max_size=30), st.integers(1, 5),
       st.integers(1, 4))
def test_keys_encoded_in_parts_get_the_codes_of_one_encoding(keys, chunk, parts):
    table = pa.chunked_array([pa.array(keys[i:i + chunk], pa.string()) for i in range(0, len(keys), chunk)],
                             pa.string())
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pushdown, "_KEY_PARTS", parts)
        codes, distinct = pushdown._codes(table)
    assert list(distinct) == sorted(set(keys))
    assert [distinct[code] for code in codes] == keys


@pytest.mark.parametrize("dtype", [np.int32, np.int64])
def test_days_of_many_months_are_those_of_each_month(dtype):
    months = np.random.default_rng(7).integers(1900 * 12, 2100 * 12, 5000).astype(dtype)
    calendar = [(dt.date(m // 12, m % 12 + 1, 1) - dt.date(1970, 1, 1)).days for m in range(1900 * 12, 2100 * 12 + 2)]
    starts = [calendar[m - 1900 * 12] for m in months.tolist()]
    ends = [calendar[m - 1900 * 12 + 1] - 1 for m in months.tolist()]
    assert month_start_day(months).tolist() == starts and month_end_days(months).tolist() == ends
    assert month_end_days(months).dtype == np.int32 and [int(month_start_day(m)) for m in months[:50].tolist()] \
        == starts[:50]


def test_scipy_is_imported_when_first_used():
    """scipy is a third of churnkit's start: the command line imports it only on the thread that warms it up; and
    keyring, charset-normalizer and filelock (a tenth of it) where they are used."""
    code = ("import sys, addin.cli.main, addin.udfs, addin.ribbon; "
            "assert not [m for m in sys.modules if m.startswith('scipy')], 'imported at start'; "
            "left = [m for m in ('keyring', 'charset_normalizer', 'filelock') if m in sys.modules]; "
            "assert not left, f'imported at start: {left}'; "
            "from churn_logic import bgnbd, warm_up; warm_up().join(); "
            "assert 'scipy.optimize' in sys.modules and bgnbd.special.gammaln(1.0) == 0.0")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr


def test_a_scan_does_not_import_what_only_databases_and_writes_need(tmp_path):
    """keyring and filelock, imported where they are used (charset-normalizer comes with scipy's numpy.f2py)."""
    book = tmp_path / "orders.xlsx"
    shutil.copyfile(bundled_file(SAMPLE), book)
    code = ("import sys; from addin.cli.main import main; main(['scan', sys.argv[1], '--quiet', '--no-cache']); "
            "left = [m for m in ('keyring', 'filelock') if m in sys.modules]; "
            "assert not left, f'imported by a scan: {left}'")
    run = subprocess.run([sys.executable, "-c", code, str(book)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr


def _plain_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _plain_clip(text: str, limit: int) -> str:
    """The longest start of ``text`` that leaves room for the '…', one character at a time."""
    if _plain_width(text) <= limit:
        return text
    out = ""
    for ch in text:
        if _plain_width(out + ch) > limit - 1:
            break
        out += ch
    return out + "…"


@pytest.mark.parametrize("seed", range(4))
def test_terminal_tables_line_up_as_measured_character_by_character(seed):
    rng = np.random.default_rng(seed)
    texts = ["", "Acme", "销售额连续3个月下降", "x" * 80, "阿" * 40 + "b", "ab阿" * 30, "ｆｕｌｌ", "é" * 70]
    headers = ["Risk", "客户", "Customer 客户名称"]
    rows = [[None if rng.random() < 0.1 else texts[rng.integers(len(texts))] for _ in headers] for _ in range(30)]
    rows[0][1] = 12.5
    cells = [list(headers)] + [[_plain_clip("" if v is None else str(v), 60) for v in row] for row in rows]
    widths = [max(_plain_width(row[i]) for row in cells) for i in range(len(headers))]
    right = [False, True]
    lines = ["  ".join(" " * (w - _plain_width(v)) + v if i < len(right) and right[i] else v + " " * (w - _plain_width(v))
                       for i, (v, w) in enumerate(zip(row, widths))).rstrip() for row in cells]
    assert texttable.render(headers, rows, right) == "\n".join([lines[0], "  ".join("─" * w for w in widths), *lines[1:]])
    for text in texts:
        for limit in (1, 2, 3, 10, 59, 60):
            assert texttable.clip(text, limit) == _plain_clip(text, limit)
    broken = texttable.render(["Name", "Risk"], [["Acme\nLtd\r\n", "LOST"], ["\tTab\x1bCo\x85", "HIGH"]])
    assert broken.splitlines() == ["Name        Risk", "──────────  ────", "Acme Ltd    LOST",
                                   " Tab Co     HIGH"]                    # a control character is a space


@pytest.mark.parametrize("decimals", [2, 4])            # money, probabilities
def test_a_column_rounded_at_once_is_pythons_round_of_each_value(decimals):
    rng = np.random.default_rng(5)
    halves = (rng.integers(-10**9, 10**9, 20000) + 0.5) / 10.0 ** decimals    # the doubles nearest a half
    values = np.concatenate([
        rng.integers(-10**9, 10**9, 20000) / 100,                       # whole cents
        rng.normal(0, 1e4, 20000), rng.uniform(0, 1, 20000), rng.uniform(-1, 1, 2000) * 10.0 ** rng.integers(-8, 16, 2000),
        halves, np.nextafter(halves, np.inf), np.nextafter(halves, -np.inf),
        [0.125, 2.675, 1.005, -1.005, 0.005, 0.00005, 0.00015, -0.0, 0.0, 1e13, 9.999999999999e12, 4.5e13 + 0.01,
         2.0 ** 52 / 10 ** decimals + 0.5, 1e300, -1e300, np.nan, np.inf, -np.inf, 5e-324]])
    got = output._rounded(values, decimals)
    want = [None if v != v else round(v, decimals) + 0.0 for v in values.tolist()]
    assert [repr(v) for v in got] == [repr(v) for v in want]


@pytest.mark.parametrize("dtype", [object, "str"])
def test_lists_are_in_pythons_order_of_risk_class_value_and_key(dtype):
    rng = np.random.default_rng(11)
    odd = ["Ä", "a", "z", "\U0001F600", "\uffff", "é", "e\u0301", "", " ", "10", "9", "Z", "ß", "ss", "客户甲", "客户乙",
           "A", "a\x00", "aaa", "\u00a0", "\t"]
    keys = odd + [f"K{i:05d}" for i in rng.permutation(5000)]
    frame = pd.DataFrame({"customer": pd.Series(rng.permutation(np.array(keys, object)), dtype=dtype),
                          "value_at_stake": rng.choice([0.0, 10.5, 99.0], len(keys)),       # many ties
                          "core_class": rng.choice(list(CLASS_ORDER), len(keys)), "risk": rng.choice(RISKS, len(keys))})
    rows = list(frame.itertuples())
    urgent = sorted(rows, key=lambda r: (RISKS.index(r.risk), CLASS_ORDER[r.core_class], -r.value_at_stake, r.customer))
    valuable = sorted(rows, key=lambda r: (CLASS_ORDER[r.core_class], -r.value_at_stake, r.customer))
    assert most_urgent_first(frame).index.tolist() == [r.Index for r in urgent]
    assert most_valuable_first(frame).index.tolist() == [r.Index for r in valuable]


def test_csv_of_columns_protects_texts_of_every_kind():
    """A column of numbers and numpy's texts (a str subclass), or of them alone: formula triggers kept text, as
    ``protect_text`` keeps each."""
    columns = [[np.str_("=HYPERLINK(\"http://x\")"), np.str_("-2+3"), np.str_("plain")], [1.5, np.str_("@SUM(A1)"), None]]
    want = [[protect_text(value) for value in column] for column in columns]
    assert want[0][0] == "'=HYPERLINK(\"http://x\")" and want[1][1] == "'@SUM(A1)"
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([["a", "b"], *zip(*want)])
    assert csv_text(["a", "b"], columns) == out.getvalue()
