"""The same order lines give the same output from an .xlsx, a .csv, a glob of CSV files, a Parquet file, a DuckDB
table and a PostgreSQL table: every field of ``scan --all --format json`` but the source's description, with
returns, text keys with leading zeros, Chinese headers and unreadable rows (reported with their row)."""
from __future__ import annotations

import datetime as dt
import os

import duckdb
import pandas as pd
import psycopg
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import postgres_server
from conftest import write_orders

HEADER = ["订单日期", "客户编号", "客户名称", "金额", "订单号", "产品", "销售员"]
# (date, customer, name, amount, order, product, rep), as text: every source holds the same cells
BAD = [("2024-05-10", "00042", "老王", "abc", "SO-B1", "P1", "李"),          # amount is not a number
       ("2024/13/45", "0042", "小李", "100", "SO-B2", "P1", "李"),           # not a date
       ("2024-05-11", "", "无名", "50", "SO-B3", "P2", "王"),                # no customer
       ("", "", "合计", "99999", "", "", ""),                                # a totals row: not an order line
       ("2024-06-30", "Total:", "", "5000", "", "", "")]                     # nor is this one


def _lines() -> list[tuple[str, ...]]:
    rows = []
    for month in range(24):
        year, m = divmod(month, 12)
        day = f"{2023 + year}-{m + 1:02d}"
        rows.append((f"{day}-05", "00042", "老王", f"{1000 - 30 * month}.50", f"SO-{month}-a", "P1", "李"))
        if month < 15:
            rows.append((f"{day}-05", "0042", "小李" if month < 10 else "小李贸易", "27.94", f"SO-{month}-b", "P2", "王"))
            rows.append((f"{day}-20", "0042", "小李", "15.96", f"SO-{month}-b", "P3", "王"))
        if month % 3 == 0:
            rows.append((f"{day}-12", "42", "Forty-Two", "300", f"SO-{month}-c", "P1", "Ann"))
            rows.append((f"{day}-13", "42", "Forty-Two", "-300", f"SO-{month}-d", "P1", "Ann"))   # all returned
        if month >= 20:
            rows.append((f"{day}-01", "客户甲", "甲公司", "¥1,200.00", f"SO-{month}-e", "P4", "李"))
    rows[7:7] = BAD[:2]
    rows[30:30] = BAD[2:4]
    rows.append(BAD[4])
    rows.append(("2024-12-28", "42", "Forty-Two", "-20", "SO-23-r", "P1", "Ann"))    # the latest line: a return
    return rows


@pytest.fixture(scope="module")
def lines() -> pd.DataFrame:
    return pd.DataFrame(_lines(), columns=HEADER)


@pytest.fixture(scope="module")
def postgres_url():
    url = os.environ.get(postgres_server.URL_VARIABLE)
    if url:
        yield url
        return
    if postgres_server.binaries() is None:
        message = "PostgreSQL's server is not installed: apt-get install postgresql"
        pytest.fail(message) if os.environ.get("CI") == "true" else pytest.skip(message)
    with postgres_server.running() as started:
        yield started


def _connect(url: str) -> psycopg.Connection:
    return psycopg.connect(url, password=postgres_server.PASSWORD, autocommit=True)


def _scan(churnkit, *argv):
    run = churnkit("scan", *argv, "--all", "--format", "json", "--as-of", "2024-12")
    assert run.code == 0, run.err
    return run.json()


def _without_source(result: dict) -> dict:
    result = dict(result)
    del result["sheets"]
    result["skipped"] = [row["reason"] for row in result["skipped"]]
    return result


def test_every_source_gives_the_same_verdicts(tmp_path, lines, postgres_url, churnkit, monkeypatch):
    cells = lines.to_numpy().tolist()
    workbook = write_orders(tmp_path / "orders.xlsx", [[None if c == "" else c for c in row] for row in cells],
                            header=HEADER)
    lines.to_csv(tmp_path / "orders.csv", index=False)
    (tmp_path / "exports").mkdir()
    lines.iloc[:40].to_csv(tmp_path / "exports" / "a.csv", index=False)
    lines.iloc[40:].to_csv(tmp_path / "exports" / "b.csv", index=False)
    parquet = tmp_path / "orders.parquet"
    lines.replace("", None).to_parquet(parquet)
    with duckdb.connect(str(tmp_path / "shop.duckdb")) as db:
        db.execute(f"CREATE TABLE orders AS SELECT * FROM read_parquet('{parquet}')")
    with _connect(postgres_url) as pg:
        pg.execute("DROP TABLE IF EXISTS sales_lines")
        pg.execute("CREATE TABLE sales_lines (" + ", ".join(f'"{h}" text' for h in HEADER) + ")")
        with pg.cursor().copy("COPY sales_lines FROM STDIN") as copy:
            for row in cells:
                copy.write_row([None if c == "" else c for c in row])
    monkeypatch.setenv("CHURNKIT_DB_PASSWORD", postgres_server.PASSWORD)

    want = _scan(churnkit, workbook)
    assert want["summary"]["LOST"] and want["summary"]["MEDIUM"], want["summary"]
    assert {c["customer"] for c in want["customers"]} == {"00042", "0042", "42", "客户甲"}
    assert any(note.startswith("Not read as order lines: 2 rows holding a total") for note in want["notes"])
    assert not any("may be incomplete" in note for note in want["notes"])    # the latest line is late in December
    results = {"csv": _scan(churnkit, tmp_path / "orders.csv"),
               "csv glob": _scan(churnkit, tmp_path / "exports" / "*.csv"),
               "parquet": _scan(churnkit, parquet),
               "duckdb": _scan(churnkit, f"duckdb:///{tmp_path / 'shop.duckdb'}", "--table", "orders"),
               "postgresql": _scan(churnkit, postgres_url, "--table", "sales_lines"),
               "query": _scan(churnkit, postgres_url, "--query", 'SELECT * FROM sales_lines WHERE "金额" <> \'0\'')}
    for source, got in results.items():
        assert _without_source(got) == _without_source(want), source

    # unreadable rows: three reported, the totals row left out; each named by its row
    excel_rows = [row["row"] for row in want["skipped"]]
    assert len(excel_rows) == 3 and [r["reason"].split(" ")[0] for r in want["skipped"]] == \
        ["amount", "date", "customer"]
    assert [row["row"] for row in results["csv"]["skipped"]] == excel_rows          # lines of the file, header first
    for source in ("parquet", "duckdb", "postgresql"):                              # places among the data rows
        assert [row["row"] for row in results[source]["skipped"]] == [r - 1 for r in excel_rows], source
    assert [(r["sheet"], r["row"]) for r in results["csv glob"]["skipped"]] == \
        [("a.csv", excel_rows[0]), ("a.csv", excel_rows[1]), ("a.csv", excel_rows[2])]
    assert results["postgresql"]["skipped"][0]["sheet"] == "sales_lines"

    def history(source, *flags):
        run = churnkit("history", source, "0042", *flags, "--format", "json", "--as-of", "2024-12")
        assert run.code == 0, run.err
        found = run.json()
        return found["monthly"], [{k: v for k, v in line.items() if k not in ("sheet", "row")} for line in found["lines"]]
    want_history = history(workbook)
    assert len(want_history[1]) == 30
    assert history(postgres_url, "--table", "sales_lines") == want_history         # the lines, asked of the database


def test_the_fewest_columns_give_the_same_verdicts(tmp_path, lines, churnkit):
    """Date, customer and amount alone (no rep, order number, name or product): Parquet and DuckDB as the sheet."""
    few = lines[["订单日期", "客户编号", "金额"]]
    workbook = write_orders(tmp_path / "few.xlsx", [[None if c == "" else c for c in row]
                                                    for row in few.to_numpy().tolist()], header=list(few.columns))
    parquet = tmp_path / "few.parquet"
    few.replace("", None).to_parquet(parquet)
    want = _scan(churnkit, workbook)
    assert want["summary"]["LOST"], want["summary"]
    assert _without_source(_scan(churnkit, parquet)) == _without_source(want)


def test_a_totals_row_dated_last_does_not_move_the_as_of_month(tmp_path, churnkit):
    """The as-of month follows the latest order line; a totals row (key 'Total:') is none, whatever its date."""
    rows = [("2024-01-10", "C1", "100"), ("2024-01-20", "C1", "100"), ("2024-03-03", "Total:", "200")]
    frame = pd.DataFrame(rows, columns=["Order Date", "Customer", "Amount"])
    workbook = write_orders(tmp_path / "totals.xlsx", rows, header=list(frame.columns))
    frame.to_parquet(tmp_path / "totals.parquet")
    results = []
    for source in (workbook, tmp_path / "totals.parquet"):
        run = churnkit("scan", source, "--all", "--format", "json")
        assert run.code == 0, run.err
        results.append(_without_source(run.json()))
    assert results[0]["as_of"] == "2024-01" and results[1] == results[0]


def test_files_of_a_glob_read_quotes_that_the_first_file_has_none_of(tmp_path, churnkit):
    """Excel quotes a field with a comma in it ("3,000.00"): read so in every file of a glob, as in one CSV file."""
    (tmp_path / "exports").mkdir()
    (tmp_path / "exports" / "a.csv").write_text("Order Date,Customer,Amount,Product\n2024-01-10,C1,100,\n"
                                                "2024-02-10,C1,200,P1\n")
    (tmp_path / "exports" / "b.csv").write_text('Order Date,Customer,Amount,Product\n2024-03-10,C1,"3,000.00",\n'
                                                '2024-04-10,C1,"30""0",P1\n')
    (tmp_path / "all.csv").write_text((tmp_path / "exports" / "a.csv").read_text()
                                      + (tmp_path / "exports" / "b.csv").read_text().split("\n", 1)[1])
    want = _scan(churnkit, tmp_path / "all.csv")
    assert want["customers"][0]["value_last_12m"] == 3300 and len(want["skipped"]) == 1     # '30"0' is no amount
    assert _without_source(_scan(churnkit, tmp_path / "exports" / "*.csv")) == _without_source(want)


def test_typed_columns_read_as_typed_cells(tmp_path, lines, churnkit):
    """DATE and DECIMAL columns (a database's own types) give what the same values typed into a sheet give."""
    good = lines[~lines["订单号"].isin(["SO-B1", "SO-B2", "SO-B3", ""])].copy()        # no unreadable or totals row
    good["订单日期"] = pd.to_datetime(good["订单日期"]).dt.date
    good["金额"] = good["金额"].str.replace("[¥,]", "", regex=True).map(lambda text: __import__("decimal").Decimal(text))
    workbook = write_orders(tmp_path / "typed.xlsx", [[dt.datetime.combine(r[0], dt.time()), *r[1:3], float(r[3]),
                                                       *r[4:]] for r in good.to_numpy().tolist()], header=HEADER)
    database = tmp_path / "typed.duckdb"
    with duckdb.connect(str(database)) as db:
        db.register("frame", good)
        db.execute('CREATE TABLE orders AS SELECT "订单日期"::DATE AS "订单日期", "客户编号", "客户名称", '
                   '"金额"::DECIMAL(18, 2) AS "金额", "订单号", "产品", "销售员" FROM frame')
        assert db.execute("SELECT typeof(\"金额\") FROM orders LIMIT 1").fetchone()[0] == "DECIMAL(18,2)"
    assert _without_source(_scan(churnkit, f"duckdb:///{database}", "--table", "orders")) == \
        _without_source(_scan(churnkit, workbook))


def test_refresh_and_backtest_from_a_database(tmp_path, lines, churnkit):
    database = tmp_path / "shop.duckdb"
    with duckdb.connect(str(database)) as db:
        db.register("frame", lines)
        db.execute("CREATE TABLE orders AS SELECT * FROM frame")
    url = f"duckdb:///{database}"
    out = tmp_path / "lists.xlsx"
    refreshed = churnkit("refresh", url, "--table", "orders", "--out", out, "--as-of", "2024-12")
    assert refreshed.code == 0, refreshed.err
    import openpyxl
    book = openpyxl.load_workbook(out)
    winback = [row for row in book["Win-Back"].iter_rows(values_only=True) if "0042" in row]
    assert winback and "P2, P3" in winback[0]          # main products, asked of the database: 27.94 a month, 15.96
    backtest = churnkit("backtest", url, "--table", "orders", "--format", "json")
    assert backtest.code == 0, backtest.err
    assert backtest.json()["months"]


def _one_sentence(run, *words: str) -> str:
    assert run.code == 2, (run.code, run.err)
    message = run.err.strip()
    assert "\n" not in message and "Traceback" not in message and message.endswith("."), message
    for word in words:
        assert word in message, message
    return message


def test_database_problems_are_one_sentence_without_the_password(tmp_path, lines, postgres_url, churnkit,
                                                                 monkeypatch):
    with _connect(postgres_url) as pg:
        pg.execute("CREATE TABLE IF NOT EXISTS few (\"Order Date\" text, \"Customer\" text, \"Amount\" text)")
    monkeypatch.setenv("CHURNKIT_DB_PASSWORD", "not-the-" + postgres_server.PASSWORD)
    wrong = _one_sentence(churnkit("scan", postgres_url, "--table", "few"), "Could not connect to", "password")
    assert postgres_server.PASSWORD not in wrong
    in_url = postgres_url.replace("postgres@", "postgres:Hunter2xyz@")
    message = _one_sentence(churnkit("scan", in_url, "--table", "few"), "Could not connect to")
    assert "Hunter2xyz" not in message
    closed = postgres_url.rsplit(":", 1)[0] + ":1/postgres"
    _one_sentence(churnkit("scan", closed, "--table", "few"), "Could not connect to")

    monkeypatch.setenv("CHURNKIT_DB_PASSWORD", postgres_server.PASSWORD)
    _one_sentence(churnkit("scan", postgres_url, "--table", "nowhere"), "no table 'nowhere'", "few")
    _one_sentence(churnkit("scan", postgres_url, "--query", "SELECT * FROM nowhere"), "The query on", "nowhere")
    _one_sentence(churnkit("scan", postgres_url, "--table", "few", "--date-column", "下单时间"),
                  "no column '下单时间' (the date column you named)", "Order Date")
    _one_sentence(churnkit("scan", postgres_url), "--table NAME or --query")
    for message in (churnkit("scan", postgres_url, "--table", "few").err,):
        assert postgres_server.PASSWORD not in message


def test_file_problems_are_one_sentence(tmp_path, churnkit, monkeypatch):
    _one_sentence(churnkit("scan", tmp_path / "exports" / "*.parquet"), "No file matches")
    _one_sentence(churnkit("scan", f"duckdb:///{tmp_path / 'none.duckdb'}", "--table", "t"), "not found")
    (tmp_path / "bad.parquet").write_bytes(b"PAR1 not really")
    _one_sentence(churnkit("scan", tmp_path / "bad.parquet"), "bad.parquet could not be read")
    _one_sentence(churnkit("scan", "mysql://u@h/db", "--table", "t"), "does not read mysql://")
    monkeypatch.setitem(__import__("sys").modules, "ibis", None)        # the db extra not installed
    _one_sentence(churnkit("scan", tmp_path / "bad.parquet"), 'pip install "churnkit[db]"')


def test_files_the_engine_cannot_read_as_they_are_are_one_sentence(tmp_path, churnkit):
    """CSV files whose columns do not agree, and a TIME column where the dates should be: one sentence each."""
    (tmp_path / "exports").mkdir()
    (tmp_path / "exports" / "a.csv").write_text("Customer,Date,Amount\nC1,2024-01-05,10\n", encoding="utf-8")
    (tmp_path / "exports" / "b.csv").write_text("Customer,Date,Total\nC2,2024-02-05,20\n", encoding="utf-8")
    _one_sentence(churnkit("scan", tmp_path / "exports"), "Reading the order lines of", "schema mismatch")
    times = pa.table({"Customer": ["C1", "C2"], "Date": pa.array([dt.time(9), dt.time(10)], pa.time64("us")),
                      "Amount": [10.0, 20.0]})
    pq.write_table(times, tmp_path / "times.parquet")
    _one_sentence(churnkit("scan", tmp_path / "times.parquet"), "because the date cannot be read")


def test_narrow_decimal_and_integer_amounts_are_read_exactly(tmp_path, churnkit):
    """Amounts as DECIMAL(5, 0), DECIMAL(4, 2) and TINYINT give the verdicts the same amounts as doubles give
    (in their own width they hold neither the bounds nor the units the amounts are counted in)."""
    days = [dt.date(2024, m, 10) for m in range(1, 7)]
    amounts = [99, 99, 12, 1, 1, 1]
    base = {"Customer": ["C1"] * 6 + ["C2"] * 6, "Date": days * 2}
    results = []
    for kind, values in [(pa.float64(), [float(a) for a in amounts]), (pa.decimal128(5, 0), amounts),
                         (pa.decimal128(4, 2), [a / 4 for a in amounts]), (pa.int8(), amounts)]:
        path = tmp_path / f"orders-{len(results)}.parquet"
        scale = 4 if kind == pa.decimal128(4, 2) else 1
        typed = [__import__("decimal").Decimal(str(v)) for v in values] if pa.types.is_decimal(kind) else values
        pq.write_table(pa.table({**base, "Amount": pa.array(typed * 2, kind)}), path)
        run = churnkit("scan", path, "--all", "--format", "json", "--as-of", "2024-06")
        assert run.code == 0, run.err
        results.append([(c["customer"], c["risk"], c["value_at_stake"] * scale) for c in run.json()["customers"]])
    assert all(result == results[0] for result in results), results


@pytest.mark.parametrize("kind", [pa.decimal128(14, 4), pa.decimal128(18, 4)])
def test_decimals_at_the_edge_of_their_width_are_read_exactly(tmp_path, churnkit, kind):
    """The largest amounts a DECIMAL(14, 4) holds (its units computed in 64 bits) and a DECIMAL(18, 4) (in 128)
    give what the same amounts as texts give."""
    top = __import__("decimal").Decimal("9" * (kind.precision - kind.scale) + "." + "9" * kind.scale)
    days = [dt.date(2024, m, 10) for m in range(1, 7)]
    amounts = [top, top, top / 1000, top / 1000, -top, top / 10**6]
    amounts = [a.quantize(__import__("decimal").Decimal("0.0001")) for a in amounts]
    frame = {"Customer": ["C1"] * 6, "Date": days, "Amount": amounts}
    typed, texts = tmp_path / "orders.parquet", tmp_path / "orders.csv"
    pq.write_table(pa.table({**frame, "Amount": pa.array(amounts, kind)}), typed)
    texts.write_text("Customer,Date,Amount\n" + "".join(f"C1,{d},{a}\n" for d, a in zip(days, amounts)))
    runs = [churnkit("scan", path, "--all", "--format", "json", "--as-of", "2024-06") for path in (typed, texts)]
    assert [run.code for run in runs] == [0, 0], [run.err for run in runs]
    assert runs[0].json()["customers"] == runs[1].json()["customers"]
