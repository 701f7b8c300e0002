"""Repeat runs reuse the order lines they read: an unchanged sheet is not read again, a changed one always is.

Each test has a cache folder of its own (conftest's ``own_line_cache``). Reads are counted where
a sheet is loaded from the workbook file (``ExcelFileTables.load``) or a CSV file is parsed, for the
order lines: the Reps sheet's status column (who is gone) is read again at every run, and is not counted.
"""
import os
import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest

from addin.sources import line_cache, order_book, tables
from addin.tasks import analysis
from addin.sources.line_cache import FOLDER_VARIABLE, LineCache, SheetEntry
from conftest import HEADER, monthly_rows, write_orders
from messy_books import orders_in_year, random_orders, write_csv, write_messy_xlsx, write_month_sheets
from package_edits import replace_part, sheet_part

SAMPLE = Path(__file__).parent.parent / "workbook_templates" / "sample_orders.xlsx"
SAMPLE_SHEETS = ["Orders", "Reps", "Read me"]
AS_OF = "2024-12"


@pytest.fixture
def loads(monkeypatch):
    """The sheets loaded from workbook files and the CSV files parsed, in order."""
    seen = []
    load = tables.ExcelFileTables.load
    read_csv = order_book.read_csv

    def counted_load(self, sheet):
        seen.append(sheet)
        return load(self, sheet)

    def counted_csv(path, settings):
        seen.append(path.name)
        return read_csv(path, settings)
    def uncounted_gone_reps(workbook_tables):
        before = len(seen)
        gone = gone_reps(workbook_tables)
        del seen[before:]
        return gone
    gone_reps = analysis.gone_reps
    monkeypatch.setattr(tables.ExcelFileTables, "load", counted_load)
    monkeypatch.setattr(order_book, "read_csv", counted_csv)
    monkeypatch.setattr(analysis, "gone_reps", uncounted_gone_reps)
    return seen


def scan(churnkit, path, *flags) -> dict:
    run = churnkit("scan", path, "--format", "json", "--all", "--as-of", AS_OF, *flags)
    assert run.code == 0, run.err
    return run.json()


def cache_files() -> list[Path]:
    return sorted((Path(os.environ[FOLDER_VARIABLE]) / "lines").glob("*.arrow"))


def month_book(tmp_path) -> Path:
    path = tmp_path / "months.xlsx"
    write_month_sheets(orders_in_year(random_orders(4)), path)
    return path


def set_amount(path: Path, sheet: str, row: int, column: str, value: float) -> None:
    """Change one number cell of one sheet part, the other parts left byte for byte (as Excel changes one cell)."""
    part = sheet_part(path, sheet)
    with zipfile.ZipFile(path) as z:
        xml = z.read(part).decode()
    xml, count = re.subn(rf'(<c r="{column}{row}"[^>]*>)<v>[^<]*</v>', rf"\g<1><v>{value}</v>", xml, count=1)
    assert count == 1
    replace_part(path, part, xml.encode())


def test_a_second_scan_of_an_unchanged_workbook_reads_no_sheet(churnkit, tmp_path, loads):
    path = tmp_path / "messy.xlsx"
    write_messy_xlsx(random_orders(1), path, 1)
    first = scan(churnkit, path)
    assert first["skipped"] and loads
    read = len(loads)
    second = scan(churnkit, path)
    assert second == first                    # every verdict, skipped row, note and setting
    assert len(loads) == read                 # and not one sheet loaded again
    folder = sorted(p.name for p in tmp_path.iterdir())
    assert folder == ["messy.xlsx"]           # nothing written next to the workbook
    assert cache_files()


def test_one_changed_month_sheet_is_the_only_one_read_again(churnkit, tmp_path, loads):
    path = month_book(tmp_path)
    first = scan(churnkit, path)
    assert len(first["sheets"]) == 12
    loads.clear()
    wb = openpyxl.load_workbook(path, read_only=True)
    header = [c.value for c in wb["3月"][2]]
    column = "ABCDEFGHIJ"[header.index("金额")]
    customer = wb["3月"][3][header.index("客户编号")].value
    wb.close()
    set_amount(path, "3月", 3, column, 987654.25)
    second = scan(churnkit, path)
    assert loads == ["3月"]                   # the one changed sheet; the 11 others, Notes and Products from the cache
    assert second != first
    assert second == scan(churnkit, path, "--no-cache")      # exactly what reading every sheet gives
    loads.clear()
    assert scan(churnkit, path) == second and loads == []    # every sheet from the cache: the same again
    changed = next(c for c in second["customers"] if c["customer"] == customer)
    before = next(c for c in first["customers"] if c["customer"] == customer)
    assert changed["value_last_12m"] != before["value_last_12m"]


def test_a_changed_shared_text_reads_every_sheet_again(churnkit, tmp_path, loads):
    """A cell's text may live in the shared texts part, its sheet's part unchanged: then no sheet's lines are reused."""
    path = tmp_path / "sample.xlsx"
    shutil.copy(SAMPLE, path)
    first = scan(churnkit, path)
    read = list(loads)
    with zipfile.ZipFile(path) as z:
        texts = z.read("xl/sharedStrings.xml").decode()
    key = next(c["customer"] for c in first["customers"] if f"<t>{c['customer']}</t>" in texts)
    replace_part(path, "xl/sharedStrings.xml", texts.replace(f"<t>{key}</t>", "<t>NEW-KEY</t>", 1).encode())
    loads.clear()
    second = scan(churnkit, path)
    assert loads == read                      # every sheet read again
    assert "NEW-KEY" in {c["customer"] for c in second["customers"]}
    assert second == scan(churnkit, path, "--no-cache")


def test_a_text_added_at_the_end_of_the_shared_texts_reads_only_the_sheet_using_it(churnkit, tmp_path, loads):
    """As Excel saves a new text typed into one sheet: the shared texts grow at their end, that sheet's part
    changes, the other sheets' parts do not, and neither do the texts they refer to."""
    path = tmp_path / "sample.xlsx"
    shutil.copy(SAMPLE, path)
    scan(churnkit, path)
    with zipfile.ZipFile(path) as z:
        texts = z.read("xl/sharedStrings.xml").decode()
        orders = z.read("xl/worksheets/sheet1.xml").decode()
    count = texts.count("<si>")
    replace_part(path, "xl/sharedStrings.xml", texts.replace("</sst>", "<si><t>NEW-KEY</t></si></sst>").encode())
    orders, typed = re.subn(r'(<c r="C4" t="s"><v>)\d+(</v>)', rf"\g<1>{count}\g<2>", orders)
    assert typed == 1
    replace_part(path, "xl/worksheets/sheet1.xml", orders.encode())
    loads.clear()
    second = scan(churnkit, path)
    assert loads == ["Orders"]                # Reps and Read me refer to texts that did not change
    assert "NEW-KEY" in {c["customer"] for c in second["customers"]}
    assert second == scan(churnkit, path, "--no-cache")


def test_a_changed_number_format_reads_every_sheet_again(churnkit, tmp_path, loads):
    """Whether a number is a date lives in the styles part: a changed format is a changed reading."""
    path = tmp_path / "sample.xlsx"
    shutil.copy(SAMPLE, path)
    first = scan(churnkit, path)
    with zipfile.ZipFile(path) as z:
        styles = z.read("xl/styles.xml").decode()
    assert 'formatCode="yyyy-mm-dd"' in styles
    replace_part(path, "xl/styles.xml", styles.replace('formatCode="yyyy-mm-dd"', 'formatCode="0"').encode())
    loads.clear()
    assert scan(churnkit, path) == scan(churnkit, path, "--no-cache") == first    # serial numbers read as dates too
    assert loads == SAMPLE_SHEETS * 2


def test_a_styles_part_defusedxml_refuses_is_read_and_not_kept(churnkit, tmp_path, loads):
    """calamine reads a styles part that declares an entity; churnkit's own parser does not: nothing is kept."""
    path = tmp_path / "sample.xlsx"
    shutil.copy(SAMPLE, path)
    with zipfile.ZipFile(path) as z:
        styles = z.read("xl/styles.xml").decode()
    replace_part(path, "xl/styles.xml", styles.replace("?>", '?><!DOCTYPE styleSheet [<!ENTITY x "y">]>', 1).encode())
    assert scan(churnkit, path) == scan(churnkit, path, "--no-cache")
    assert loads == SAMPLE_SHEETS * 2 and not cache_files()


def test_no_cache_reads_everything_and_keeps_nothing(churnkit, tmp_path, loads):
    path = tmp_path / "sample.xlsx"
    shutil.copy(SAMPLE, path)
    assert churnkit("scan", path, "--no-cache", "--format", "json").code == 0
    assert churnkit("scan", path, "--no-cache", "--format", "json").code == 0
    assert loads == SAMPLE_SHEETS * 2 and not cache_files()


def test_rule_settings_reuse_the_lines_and_reading_settings_do_not(churnkit, tmp_path, loads):
    path = tmp_path / "sample.xlsx"
    shutil.copy(SAMPLE, path)
    scan(churnkit, path)
    loads.clear()
    assert scan(churnkit, path, "--decline-months", "2")["settings"]["decline_months"] == 2
    assert loads == []
    assert scan(churnkit, path, "--customer-column", "Customer ID") == \
        scan(churnkit, path, "--customer-column", "Customer ID", "--no-cache")
    assert loads == SAMPLE_SHEETS * 2


def test_a_csv_file_is_read_again_when_one_byte_changes(churnkit, tmp_path, loads):
    path = tmp_path / "orders.csv"
    write_csv(random_orders(2), path)
    first = scan(churnkit, path)
    assert scan(churnkit, path) == first and loads == ["orders.csv"]
    text = path.read_text(encoding="utf-8-sig")
    digits = list(re.finditer(r",[¥$](\d)", text))[-1]      # the first digit of the last amount
    changed = text[:digits.start(1)] + str((int(digits.group(1)) + 1) % 10) + text[digits.end(1):]
    path.write_text(changed, encoding="utf-8-sig")           # the same size: one digit of one amount
    second = scan(churnkit, path)
    assert loads == ["orders.csv", "orders.csv"] and second != first
    assert second == scan(churnkit, path, "--no-cache")


def test_lists_written_into_the_workbook_keep_its_orders_read_right(churnkit, tmp_path, loads):
    path = tmp_path / "sample.xlsx"
    shutil.copy(SAMPLE, path)
    assert churnkit("refresh", path, "--as-of", AS_OF).code == 0
    loads.clear()
    with_cache = scan(churnkit, path)
    assert loads == []                        # the lists' formats were added at the end of the styles
    assert with_cache == scan(churnkit, path, "--no-cache")


def test_a_damaged_entry_is_read_again(churnkit, tmp_path, loads):
    path = tmp_path / "sample.xlsx"
    shutil.copy(SAMPLE, path)
    first = scan(churnkit, path)
    for entry in cache_files():
        entry.write_bytes(entry.read_bytes()[:100])
    loads.clear()
    assert scan(churnkit, path) == first and loads == SAMPLE_SHEETS


def test_cache_clear_and_status(churnkit, tmp_path):
    path = tmp_path / "sample.xlsx"
    shutil.copy(SAMPLE, path)
    scan(churnkit, path)
    count = len(cache_files())
    status = churnkit("cache", "status")
    assert status.code == 0 and f"{count} files" in status.out and os.environ[FOLDER_VARIABLE] in status.out
    cleared = churnkit("cache", "clear")
    assert cleared.code == 0 and cleared.out.startswith(f"Removed {count} files (")
    assert not cache_files()


def test_the_cache_keeps_within_its_size_using_the_least_recently_used_first(tmp_path):
    from churn_logic import Settings
    from addin.sources.headers import Header

    book = order_book.read_order_book(SAMPLE, Settings()).book
    entry = SheetEntry(Header("Orders", 3, {}, ()), book)
    cache = LineCache(tmp_path, 1)
    cache.store("a", entry)
    assert not list(tmp_path.glob("*.arrow"))                    # larger than the whole cache: not kept
    cache.limit = 1 << 30
    cache.store("a", entry)
    cache.store("b", entry)
    size = (tmp_path / "a.arrow").stat().st_size
    cache.limit = 2 * size + 1000
    os.utime(tmp_path / "a.arrow", (1, 1))
    os.utime(tmp_path / "b.arrow", (2, 2))
    assert cache.load("a").order_book().lines.equals(book.lines)  # used: now the most recent
    cache.store("c", SheetEntry(None))                           # a sheet without orders: a few hundred bytes
    assert sorted(p.stem for p in tmp_path.glob("*.arrow")) == ["a", "b", "c"]
    cache.store("d", entry)
    assert sorted(p.stem for p in tmp_path.glob("*.arrow")) == ["a", "c", "d"]
    assert sum(p.stat().st_size for p in tmp_path.glob("*.arrow")) <= cache.limit


def test_a_bad_cache_size_is_one_sentence(churnkit, tmp_path, monkeypatch):
    monkeypatch.setenv(line_cache.SIZE_VARIABLE, "lots")
    run = churnkit("scan", SAMPLE)
    assert run.code == 2 and "CHURNKIT_CACHE_MB must be a whole number of megabytes" in run.err
    monkeypatch.setenv(line_cache.SIZE_VARIABLE, "0")
    assert churnkit("scan", SAMPLE).code == 0 and not cache_files()


def test_a_sheet_without_order_lines_from_the_cache_beside_a_sheet_of_other_columns(churnkit, tmp_path):
    """A sheet whose rows are all skipped keeps no line: from the cache its text fields' categories are of another
    dtype (the Arrow file holds no batch to carry them); joined with a sheet of other columns (a rep) as frames."""
    rows = [row + ["Li"] for row in monthly_rows("C1", "Acme", [100, 100, 100, 0, 0, 0])
            + monthly_rows("C2", "Beta", [50] * 6)]
    path = write_orders(tmp_path / "two.xlsx", rows, header=HEADER + ["Sales Rep"], sheet="Jan",
                        extra_sheets={"Feb": [HEADER, ["soon", "C9", "Gamma", "x", "SO-9"]]})
    flags = ("--all-sheets",)
    plain = scan(churnkit, path, *flags, "--no-cache")
    assert plain["sheets"] == ["Jan", "Feb"] and [r["sheet"] for r in plain["skipped"]] == ["Feb"]
    assert scan(churnkit, path, *flags) == plain            # read, and kept
    assert scan(churnkit, path, *flags) == plain            # both sheets from the cache
