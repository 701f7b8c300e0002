"""`churnkit refresh`: the lists are written into the user's workbook, which keeps everything else."""
import datetime as dt
import shutil
from pathlib import Path

import openpyxl
import pytest

from conftest import monthly_rows, write_orders
from office import convert
from package_edits import append_orders, digests, sheet_part, type_into

SAMPLE = Path(__file__).parents[1] / "workbook_templates" / "sample_orders.xlsx"
WORKBOOK_PARTS = {"xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml", "xl/styles.xml",
                  "docProps/app.xml"}


def churnkit_parts(path: Path, sheets) -> set[str]:
    """The parts refresh may write: churnkit's sheets, their rels and tables, and the workbook-level lists."""
    parts = set(WORKBOOK_PARTS)
    for name in sheets:
        part = sheet_part(path, name)
        folder, file = part.rsplit("/", 1)
        parts |= {part, f"{folder}/_rels/{file}.rels"}
    return parts | {n for n in digests(path) if n.startswith("xl/tables/") and _is_ours(path, n)}


def _is_ours(path: Path, part: str) -> bool:
    import zipfile
    with zipfile.ZipFile(path) as z:
        return b'name="Churn' in z.read(part)


def rows_of(path: Path, sheet: str) -> dict[str, dict]:
    """The rows of one of churnkit's sheets as {customer: {header: value}}."""
    ws = openpyxl.load_workbook(path, read_only=True)[sheet]
    rows = list(ws.iter_rows(values_only=True))
    header = next(i for i, row in enumerate(rows) if row and row[0] in ("Customer", "客户"))
    names = rows[header]
    return {row[0]: dict(zip(names, row)) for row in rows[header + 1:] if row and row[0]}


@pytest.fixture
def book(tmp_path):
    path = tmp_path / "orders.xlsx"
    shutil.copy(SAMPLE, path)
    return path


def test_refresh_three_times_keeps_other_parts_and_user_notes(churnkit, book, tmp_path):
    before = digests(book)
    run = churnkit("refresh", book, "--as-of", "2026-08")
    assert run.code == 0, run.err
    after = digests(book)
    ours = churnkit_parts(book, ["At-Risk", "Win-Back", "Departed Reps"])      # the sample's rep Mark Evans left
    assert {n: d for n, d in before.items() if n not in ours} == {n: d for n, d in after.items() if n not in ours}
    assert set(after) - set(before) <= ours

    at_risk = rows_of(book, "At-Risk")
    first, second = sorted(at_risk)[:2]
    type_into(book, "At-Risk", first, "Notes", "called on Monday — wants a discount")
    type_into(book, "At-Risk", first, "Owner", "Li Wei")
    type_into(book, "At-Risk", second, "Status", "Contacted")
    lapsed = sorted(rows_of(book, "Win-Back"))[0]
    type_into(book, "Win-Back", lapsed, "Next step", "send catalogue")

    # new orders arrive for `second`: it recovers and leaves the at-risk list
    append_orders(book, "Orders", [
        [f"X-{month}", dt.date(2026, month, 3), second, "Big buyer", "North China", "Li Wei", "Cleaning",
         "Hand soap 5L", 1000 * month, 11.5, 11500.0 * month, "big@example.com"] for month in (9, 10)])
    for as_of in ("2026-09", "2026-10"):
        before = digests(book)
        run = churnkit("refresh", book, "--as-of", as_of)
        assert run.code == 0, run.err
        after = digests(book)
        ours = churnkit_parts(book, ["At-Risk", "Win-Back", "Closed", "Departed Reps"])
        assert {n: d for n, d in before.items() if n not in ours} == {n: d for n, d in after.items() if n not in ours}

    lists = {**rows_of(book, "At-Risk"), **rows_of(book, "Win-Back")}
    closed = rows_of(book, "Closed")
    where = lists if first in lists else closed
    assert where[first]["Notes"] == "called on Monday — wants a discount" and where[first]["Owner"] == "Li Wei"
    assert second not in lists and closed[second]["Status"] == "Contacted"
    assert closed[second]["Was on"] == "At-Risk" and isinstance(closed[second]["Closed on"], dt.datetime)
    assert {**lists, **closed}[lapsed]["Next step"] == "send catalogue"
    convert(book, tmp_path)   # LibreOffice opens the result


def test_lists_match_the_scan(churnkit, book):
    churnkit("refresh", book)
    doc = churnkit("scan", book, "--format", "json").json()
    expected = {c["customer"]: c for c in doc["customers"]}
    at_risk, winback = rows_of(book, "At-Risk"), rows_of(book, "Win-Back")
    assert set(at_risk) == {k for k, c in expected.items() if c["risk"] != "LOST"}   # with the LOW ones listed
    assert set(winback) == {k for k, c in expected.items() if c["risk"] == "LOST"}
    for key, row in at_risk.items():
        assert row["Risk"] == expected[key]["risk"] and row["Reasons"] == expected[key]["reasons"]
        assert row["Value at stake"] == pytest.approx(expected[key]["value_at_stake"])
        assert row["Last order"].date().isoformat() == expected[key]["last_order_date"]
    stakes = [(row["Core class"], -row["Value at stake"]) for row in at_risk.values()]
    assert stakes == sorted(stakes)            # core class first, then the most at stake


def test_chinese_lists_then_english_keep_the_notes(churnkit, book):
    churnkit("refresh", book, "--lang", "zh")
    zh = rows_of(book, "流失预警")
    customer = sorted(zh)[0]
    type_into(book, "流失预警", customer, "备注", "老客户")
    assert zh[customer]["风险"] in ("高风险", "中风险", "低风险")     # LOW: a dropped category or a rep who left
    churnkit("refresh", book)
    book_sheets = openpyxl.load_workbook(book, read_only=True).sheetnames
    assert "At-Risk" in book_sheets and "流失预警" not in book_sheets
    assert rows_of(book, "At-Risk")[customer]["Notes"] == "老客户"


def test_formula_like_names_are_written_as_text(churnkit, tmp_path):
    rows = monthly_rows("=HYPERLINK(\"http://x\",\"y\")", "+123", [900, 800, 700, 600]) + \
        monthly_rows("@SUM(A1)", "-x", [500, 0, 0, 0])
    path = write_orders(tmp_path / "o.xlsx", rows)
    assert churnkit("refresh", path, "--as-of", "2024-04").code == 0
    ws = openpyxl.load_workbook(path)["At-Risk"]
    cells = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value[:1] in "=+-@"]
    assert {c.value for c in cells} >= {"=HYPERLINK(\"http://x\",\"y\")", "+123", "@SUM(A1)", "-x"}
    assert all(c.data_type == "s" for c in cells)


def test_refuses_a_workbook_open_in_excel(churnkit, book):
    (book.parent / ("~$" + book.name)).write_bytes(b"owner")
    before = book.read_bytes()
    run = churnkit("refresh", book)
    assert run.code == 2 and "open in Excel" in run.err and "Nothing was changed" in run.err
    assert book.read_bytes() == before


def test_refuses_a_read_only_workbook(churnkit, book, monkeypatch):
    """The operating system's answer decides (faked here: CI runs as root, who may write anything)."""
    from addin.workbooks import safe_write

    monkeypatch.setattr(safe_write.os, "access", lambda path, mode: Path(path) != book)
    before = book.read_bytes()
    run = churnkit("refresh", book)
    assert run.code == 2 and "read-only" in run.err and book.read_bytes() == before


def test_out_writes_a_new_workbook_and_keeps_the_orders_untouched(churnkit, book, tmp_path):
    before = book.read_bytes()
    out = tmp_path / "risk.xlsx"
    run = churnkit("refresh", book, "--out", out)
    assert run.code == 0, run.err
    assert book.read_bytes() == before
    assert openpyxl.load_workbook(out).sheetnames == ["At-Risk", "Win-Back", "Departed Reps"]
    convert(out, tmp_path)


def test_backups_are_kept_and_pruned(churnkit, book):
    original = book.read_bytes()
    for _ in range(7):
        assert churnkit("refresh", book).code == 0
    folder = book.parent / "churnkit-backups"
    backups = sorted(folder.glob("orders-*.xlsx"), key=lambda p: p.stat().st_mtime_ns)
    assert len(backups) == 5
    assert sorted(p.name for p in folder.iterdir() if p not in backups) == [".orders.xlsx.lock"]   # the writers' turn
    assert not list(book.parent.glob("*.churnkit-tmp"))
    assert backups[-1].read_bytes() != original    # the oldest copies went first


def test_first_backup_is_the_original(churnkit, book):
    original = book.read_bytes()
    churnkit("refresh", book)
    assert next((book.parent / "churnkit-backups").glob("orders-*.xlsx")).read_bytes() == original


def test_list_sheets_are_formatted_for_people(churnkit, book):
    churnkit("refresh", book)
    ws = openpyxl.load_workbook(book)["At-Risk"]
    header = next(r for r in range(1, 20) if ws.cell(r, 1).value == "Customer")
    assert ws.freeze_panes == f"A{header + 1}"
    table = ws.tables["ChurnAtRisk"]
    assert table.ref.startswith(f"A{header}:") and table.autoFilter is not None
    headers = [c.value for c in ws[header]]
    assert headers[:3] == ["Customer", "Name", "Risk"] and headers[-5:] == [
        "Owner", "Status", "Next step", "Reason category", "Notes"]
    first = header + 1
    assert ws.cell(first, headers.index("Value at stake") + 1).number_format == "#,##0.00"
    assert ws.cell(first, headers.index("Last order") + 1).number_format == "yyyy-mm-dd"
    assert ws.cell(first, 3).fill.fgColor.rgb in ("FFFFC7CE", "FFFFEB9C", "FFC6EFCE")   # LOW: green
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
    assert ws.column_dimensions["B"].width >= 20
    formulas = [dv.formula1 for dv in ws.data_validations.dataValidation]
    assert any("Active: competitive" in f for f in formulas) and any("Won back" in f for f in formulas)
    heading = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(2, header)}
    assert heading["As of"] == "2026-10" and heading["Skipped rows"] == "none"


def test_skipped_rows_get_their_own_sheet(churnkit, tmp_path):
    rows = monthly_rows("K1", "K", [900, 800, 700, 600]) + [["soon", "K2", "K", 5, "x"]]
    path = write_orders(tmp_path / "o.xlsx", rows)
    assert churnkit("refresh", path, "--as-of", "2024-04").code == 0
    skipped = list(openpyxl.load_workbook(path)["Skipped Rows"].iter_rows(values_only=True))
    assert ("Orders", 6, "date 'soon' is not a date") in skipped
    heading = rows_of_heading(path, "At-Risk")
    assert heading["Skipped rows"] == "1 row could not be read: see the sheet 'Skipped Rows'"


def rows_of_heading(path: Path, sheet: str) -> dict:
    ws = openpyxl.load_workbook(path)[sheet]
    return {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(2, 12)}


def test_password_protected_workbook_is_refused(churnkit, book, tmp_path):
    from msoffcrypto.format.ooxml import OOXMLFile

    locked = tmp_path / "locked.xlsx"
    with book.open("rb") as plain, locked.open("wb") as out:
        OOXMLFile(plain).encrypt("secret", out)
    before = locked.read_bytes()
    run = churnkit("refresh", locked)
    assert run.code == 2 and "password-protected" in run.err and locked.read_bytes() == before


def test_one_refresh_opens_the_workbook_once(churnkit, book, monkeypatch):
    """The orders, the settings and the user's entries on the lists come from one opening of the file:
    one package check, one fastexcel reader and one python-calamine reader of the workbook itself (the
    temporary file churnkit writes is opened again, to check it, and is not counted)."""
    import fastexcel
    import python_calamine
    from addin.sources import guard

    opened = []

    def counted(kind, real, first=0):
        def call(*args, **kwargs):
            opened.append((kind, Path(args[first]).name))
            return real(*args, **kwargs)
        return call

    monkeypatch.setattr(guard.PackageGuard, "__init__", counted("guard", guard.PackageGuard.__init__, first=1))
    monkeypatch.setattr(fastexcel, "read_excel", counted("fastexcel", fastexcel.read_excel))
    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_path",
                        counted("calamine", python_calamine.CalamineWorkbook.from_path))
    runs = []
    for _ in range(2):
        opened.clear()
        assert churnkit("refresh", str(book), "--quiet").code == 0
        runs.append(sorted(kind for kind, name in opened if name == book.name))
    assert runs == [["fastexcel", "guard"],                  # no lists yet: nothing for calamine to read back
                    ["calamine", "fastexcel", "guard"]]


def test_long_lists_are_capped_with_the_whole_list_beside(churnkit, book, monkeypatch):
    """A list longer than a sheet should hold keeps its first rows and every row the user typed into; the whole
    list is a CSV file beside the workbook, and the heading says so."""
    from addin.content import list_sheets

    assert churnkit("refresh", book, "--as-of", "2026-10").code == 0
    everyone = list(rows_of(book, "Win-Back"))
    assert len(everyone) > 8
    type_into(book, "Win-Back", everyone[7], "Notes", "called twice")
    monkeypatch.setattr(list_sheets, "SHEET_ROW_CAP", 5)
    assert churnkit("refresh", book, "--as-of", "2026-10").code == 0
    kept = rows_of(book, "Win-Back")
    assert list(kept) == everyone[:5] + [everyone[7]] and kept[everyone[7]]["Notes"] == "called twice"
    beside = book.with_name("orders - Win-Back.csv")
    import csv
    with beside.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["Customer"] for row in rows] == everyone and rows[7]["Notes"] == "called twice"
    assert rows_of_heading(book, "Win-Back")["Rows shown"] == \
        f"6 of {len(everyone)}: the first ones and every row you typed into; all {len(everyone)} are in " \
        "orders - Win-Back.csv, beside this workbook"
