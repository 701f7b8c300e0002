"""Hostile and broken files (issue 10): each is read, or refused with one sentence and exit code 2; never a crash.

The files are built for real. Those that made calamine allocate gigabytes or abort the process run in a child
process limited to 4 GiB of address space, so that a regression fails the test instead of the test run.
"""
import datetime as dt
import json
import re
import resource
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import openpyxl
import pytest

from conftest import HEADER, monthly_rows, write_orders
from hostile_books import MB, bomb, deflated, read_part, replaced, with_sheet_xml
from office import convert
from package_edits import sheet_part

ROOT = Path(__file__).resolve().parent.parent
MEMORY = 4 << 30
ROWS = monthly_rows("C1", "Acme Ltd", [900, 800, 700, 600, 500, 400]) + monthly_rows("C2", "Beta", [300] * 6)
SST = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>'


def limited_scan(path: Path, *flags: str) -> subprocess.CompletedProcess:
    """``churnkit scan PATH`` in a child process that may use at most 4 GiB."""
    def cap():
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))
    return subprocess.run([sys.executable, "-m", "addin.cli", "scan", str(path), "--format", "json", *flags],
                          cwd=ROOT, capture_output=True, text=True, timeout=300, preexec_fn=cap)


def one_sentence(err: str) -> str:
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err and "unexpected" not in err, err
    return err


@pytest.fixture
def book(tmp_path) -> Path:
    return write_orders(tmp_path / "orders.xlsx", ROWS)


def far_cell(path: Path, sheet: str = "Orders", value="x") -> Path:
    """The workbook with one more cell, at XFD1048576 (a value, or only a fill when ``value`` is None)."""
    workbook = openpyxl.load_workbook(path)
    cell = workbook[sheet].cell(1_048_576, 16_384, value)
    if value is None:
        cell.fill = openpyxl.styles.PatternFill("solid", fgColor="FFFF00")
    workbook.save(path)
    return path


def test_one_cell_far_out_is_refused_and_a_far_formatted_cell_is_read(book, tmp_path):
    """Issue 10, item 5: one value at XFD1048576 made calamine allocate 512 GB and abort (exit 134)."""
    far = far_cell(shutil.copy(book, tmp_path / "far.xlsx"))
    run = limited_scan(far)
    assert run.returncode == 2 and "reaches cell XFD1048576" in one_sentence(run.stderr)
    assert "Ctrl+End" in run.stderr
    hidden = with_sheet_xml(far, tmp_path / "hidden.xlsx",      # the same, its dimension saying nothing of it
                            lambda xml: re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:E12"/>', xml))
    run = limited_scan(hidden)
    assert run.returncode == 2 and "reaches cell XFD1048576" in one_sentence(run.stderr)
    elsewhere = tmp_path / "notes.xlsx"
    write_orders(elsewhere, ROWS, extra_sheets={"Notes": [["call Acme"]]})
    run = limited_scan(far_cell(elsewhere, "Notes"))
    assert run.returncode == 2 and "Sheet 'Notes' of notes.xlsx reaches cell XFD1048576" in one_sentence(run.stderr)
    assert run.stderr.rstrip().endswith("or name the sheets to read with --sheet.")
    run = limited_scan(elsewhere, "--sheet", "Orders")
    assert run.returncode == 0 and json_of(run)["sheets"] == ["Orders"], run.stderr
    formatted = far_cell(shutil.copy(book, tmp_path / "formatted.xlsx"), value=None)
    run = limited_scan(formatted)
    assert run.returncode == 0, run.stderr
    assert {c["customer"] for c in json_of(run)["customers"]} == {"C1"}


def json_of(run: subprocess.CompletedProcess) -> dict:
    return json.loads(run.stdout)


def test_parts_that_inflate_beyond_the_limit_are_refused_under_4_gib(book, tmp_path):
    """Issue 10, item 6: a 2 MB workbook whose shared texts or sheet inflate to 2.3 GB drove memory past 8 GB,
    also when its zip entries say they hold a few bytes; the runs here are capped at 4 GiB. A text longer than a
    cell of Excel holds is refused too (one of 1 GB took 7 GB)."""
    texts = bomb("xl/sharedStrings.xml", SST, b"a" * MB, 2300, b"</t></si></sst>")
    run = limited_scan(replaced(book, tmp_path / "texts.xlsx", texts))
    assert run.returncode == 2, run.stderr
    assert "too large to read: its part xl/sharedStrings.xml unpacks to 2,300 MB" in one_sentence(run.stderr)
    one_text = bomb("xl/sharedStrings.xml", SST, b"a" * MB, 1500, b"</t></si></sst>")   # within the limit
    run = limited_scan(replaced(book, tmp_path / "one-text.xlsx", one_text))
    assert run.returncode == 2, run.stderr
    assert "its part xl/sharedStrings.xml holds a text of more than 1 MB" in one_sentence(run.stderr)
    texts.declared = 1000
    run = limited_scan(replaced(book, tmp_path / "lying-texts.xlsx", texts))
    assert run.returncode == 2 and "is damaged" in one_sentence(run.stderr)
    part = sheet_part(book, "Orders")
    head, tail = read_part(book, part).split(b"</sheetData>")
    cell = head + b'<row r="20"><c r="A20" t="inlineStr"><is><t>'
    sheet = bomb(part, cell, b"b" * MB, 2300, b"</t></is></c></row></sheetData>" + tail, declared=8000)
    run = limited_scan(replaced(book, tmp_path / "lying-sheet.xlsx", sheet))
    assert run.returncode == 2 and "sheet 'Orders' does not unpack to the 8,000 bytes" in one_sentence(run.stderr)
    longest = head + b'<row r="20"><c r="B20" t="inlineStr"><is><t>' + b"c" * 40_000 + b"</t></is></c></row>"
    run = limited_scan(replaced(book, tmp_path / "long.xlsx", deflated(longest + b"</sheetData>" + tail, part)))
    assert run.returncode == 2, run.stderr
    assert "has a text of 40,000 characters in row 20 (column 2 of its data)" in one_sentence(run.stderr)


def test_sheets_numbered_past_excels_last_row_are_refused(book, tmp_path):
    """Issue 10, item 6: a sheet numbered to row 5,000,000 took 1.8 GB; rows placed by counting, too."""
    part = sheet_part(book, "Orders")
    head, tail = read_part(book, part).split(b"</sheetData>")
    numbered = head + b'<row r="5000000"><c r="A5000000"><v>1</v></c></row></sheetData>' + tail
    run = limited_scan(replaced(book, tmp_path / "numbered.xlsx", deflated(numbered, part)))
    assert run.returncode == 2 and "row 5,000,000, past the last row Excel has" in one_sentence(run.stderr)
    counted = bomb(part, head, b"<row><c><v>1</v></c></row>" * 100, 10_500, b"</sheetData>" + tail)
    run = limited_scan(replaced(book, tmp_path / "counted.xlsx", counted))
    assert run.returncode == 2 and "past the last row Excel has" in one_sentence(run.stderr)


def test_the_limit_is_a_setting(churnkit, book, monkeypatch):
    monkeypatch.setenv("CHURNKIT_MAX_UNPACKED_MB", "1")
    padded = openpyxl.load_workbook(book)
    for row in range(2, 3000):
        padded["Orders"].cell(row, 8, "padding " * 20)
    padded.save(book)
    run = churnkit("scan", book)
    assert run.code == 2 and "more than the 1 MB churnkit reads" in one_sentence(run.err)
    monkeypatch.setenv("CHURNKIT_MAX_UNPACKED_MB", "64")
    assert churnkit("scan", book).code == 0


@pytest.mark.parametrize("edit, words", [
    (lambda xml: xml.replace(b"Acme Ltd", b"Acme&nbsp;Ltd", 1), "unrecognized entity `&nbsp;`"),
    (lambda xml: xml.replace(b"<worksheet", b'<!DOCTYPE worksheet [<!ENTITY e "x">]><worksheet', 1)
     .replace(b"Acme Ltd", b"&e;", 1), "unrecognized entity `&e;`"),
    (lambda xml: xml.replace(b"Acme Ltd", b"Acme &#xD800;", 1), "not a valid codepoint"),
])
def test_malformed_sheet_xml_is_one_sentence(churnkit, book, tmp_path, edit, words):
    """Issue 10, item 7: these were exit 3, "unexpected error"."""
    run = churnkit("scan", with_sheet_xml(book, tmp_path / "broken.xlsx", edit))
    assert run.code == 2 and "Sheet 'Orders' of broken.xlsx cannot be read" in one_sentence(run.err)
    assert words in run.err


def test_a_dtd_alone_and_valid_ways_of_writing_the_sheet_list_are_read(churnkit, book, tmp_path):
    """Packages Excel opens are read: a sheet with a DTD it does not use; a sheet list written with single quotes,
    a prefix for its namespace, xmlns:r on each sheet (openpyxl with lxml writes that) or a '>' in a sheet name."""
    def sheet_list(name, edit):
        return replaced(book, tmp_path / name, deflated(edit(read_part(book, "xl/workbook.xml")), "xl/workbook.xml"))
    prefixed = (lambda xml: re.sub(rb"<(/?)(?!\?)(\w+)", rb"<\1x:\2", xml)
                .replace(b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"',
                         b'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'))
    variants = [with_sheet_xml(book, tmp_path / "dtd.xlsx", lambda xml: xml.replace(
                    b"<worksheet", b'<!DOCTYPE worksheet [<!ELEMENT worksheet ANY>]><worksheet', 1)),
                sheet_list("quotes.xlsx", lambda xml: xml.replace(b'"', b"'")), sheet_list("prefixed.xlsx", prefixed),
                sheet_list("named.xlsx", lambda xml: xml.replace(b'name="Orders"', b'name="Orders>2024"'))]
    assert b"<x:sheet xmlns:r=" in read_part(variants[2], "xl/workbook.xml")
    for path in variants:
        run = churnkit("scan", path, "--as-of", "2024-06", "--format", "json")
        assert run.code == 0, run.err
        assert {c["customer"] for c in run.json()["customers"]} == {"C1"}


def test_missing_content_types_and_parts_stored_twice_are_one_sentence(churnkit, book, tmp_path):
    """Issue 10, items 7 and 11: no [Content_Types].xml made refresh exit 3 (KeyError); a part stored twice made
    refresh print Python's UserWarning and write a workbook holding that part twice."""
    bare = replaced(book, tmp_path / "bare.xlsx", drop=("[Content_Types].xml",))
    for command in ("scan", "refresh"):
        run = churnkit(command, bare)
        assert run.code == 2 and "has no [Content_Types].xml part" in one_sentence(run.err)
    for part in ("xl/workbook.xml", sheet_part(book, "Orders")):
        twice = replaced(book, tmp_path / "twice.xlsx", twice=(part,))
        before = twice.read_bytes()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            runs = [churnkit(command, twice) for command in ("scan", "refresh")]
        assert not caught
        for run in runs:
            assert run.code == 2 and f"holds the part {part} twice" in one_sentence(run.err)
        assert twice.read_bytes() == before


def test_csv_files_say_what_they_saw(churnkit, tmp_path):
    """Issue 10, items 7 and 11: a field over 131,072 characters was exit 3; an empty or semicolon file got
    "has no a header row"."""
    lines = ["Order Date,Customer ID,Amount,Note", '2024-01-10,C1,100,"never closed', "2024-02-10,C1,90,ok"]
    long = tmp_path / "long.csv"
    long.write_text("\n".join(lines[:2]) + "x" * 140_000 + "\n" + lines[2] + "\n", encoding="utf-8")
    run = churnkit("scan", long)
    assert run.code == 2 and "long.csv cannot be read from line 2 on" in one_sentence(run.err)
    assert "quote mark" in run.err
    empty = tmp_path / "empty.csv"
    empty.write_text("\n\n", encoding="utf-8")
    run = churnkit("scan", empty)
    assert run.code == 2 and one_sentence(run.err).strip() == "churnkit: empty.csv is empty: it has no rows to read."
    semicolons = tmp_path / "semicolons.csv"
    semicolons.write_text("Order Date;Customer ID;Amount\n" + "".join(
        f"2024-{month:02d}-10;C1;{1000 - 100 * month}\n" for month in range(1, 7)), encoding="utf-8")
    run = churnkit("scan", semicolons, "--as-of", "2024-06", "--format", "json")
    assert run.code == 0, run.err
    doc = run.json()
    assert doc["customers"][0]["decline_streak"] == 5
    assert doc["notes"] == ["Read semicolons.csv with its fields separated by semicolons."]
    unknown = tmp_path / "unknown.csv"
    unknown.write_text("When;Who;How much\n2024-01-10;C1;100\n2024-02-10;C1;90\n", encoding="utf-8")
    run = churnkit("scan", unknown)
    assert run.code == 2 and "unknown.csv has no header row" in one_sentence(run.err)
    assert "separated by semicolons" in run.err and "has no a" not in run.err


@pytest.fixture(scope="module")
def old_xls(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("xls")
    return convert(write_orders(folder / "legacy.xlsx", ROWS), folder, "xls")


def test_an_old_xls_is_named_for_what_it_is(churnkit, old_xls, tmp_path):
    """Issue 10, item 11: an .xls renamed .xlsx was called password-protected; refresh of an .xls first said
    "A .csv file cannot hold the lists"."""
    renamed = shutil.copy(old_xls, tmp_path / "orders.xlsx")
    run = churnkit("scan", renamed)
    assert run.code == 2 and "password" not in run.err
    assert "orders.xlsx is an old-style Excel 97-2003 workbook (.xls), although its name ends in .xlsx" \
        in one_sentence(run.err)
    run = churnkit("refresh", old_xls)
    assert run.code == 2 and ".csv" not in run.err
    assert "legacy.xls is an old-style Excel 97-2003 workbook (.xls); open it in Excel" in one_sentence(run.err)
    assert not (old_xls.parent / "legacy-churnkit.xlsx").exists()


def test_a_merged_header_over_empty_cells_says_why_nothing_was_read(churnkit, tmp_path):
    """Issue 10, item 11: a header merged over two columns, its values under the second, gave "There are no order
    lines to score" and no reason."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Orders"
    sheet.append(["Order Date", "Customer ID", "Amount", None])
    sheet.merge_cells("C1:D1")
    for month in range(1, 7):
        sheet.append([dt.datetime(2024, month, 10), "C1", None, 1000 - 100 * month])
    workbook.save(tmp_path / "merged.xlsx")
    run = churnkit("scan", tmp_path / "merged.xlsx")
    assert run.code == 2 and "No order line of merged.xlsx could be read" in one_sentence(run.err)
    assert "6 of them because the amount is empty (the first: sheet 'Orders' row 2)" in run.err
    assert "merged cells (C1:D1)" in run.err and "--amount-column" in run.err


def test_every_other_reason_names_the_header_to_check(churnkit, tmp_path):
    path = write_orders(tmp_path / "orders.xlsx", [[dt.datetime(2024, 1, 10), "C1", "Acme", "n/a", "SO-1"]])
    run = churnkit("scan", path)
    assert run.code == 2 and "because the amount cannot be read" in one_sentence(run.err)
    assert f"check that the header '{HEADER[3]}' stands right above the amount values" in run.err


def test_a_hostile_list_sheet_is_refused_before_refresh_reads_it(churnkit, book, tmp_path):
    """refresh reads its own lists back (python-calamine): the same guard comes first."""
    assert churnkit("refresh", book, "--as-of", "2024-06").code == 0
    far_cell(book, "At-Risk")
    before = book.read_bytes()
    def cap():
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))
    run = subprocess.run([sys.executable, "-m", "addin.cli", "refresh", str(book), "--as-of", "2024-06"], cwd=ROOT,
                         capture_output=True, text=True, timeout=300, preexec_fn=cap)
    assert run.returncode == 2 and "Sheet 'At-Risk' of orders.xlsx reaches cell XFD1048576" in one_sentence(run.stderr)
    assert book.read_bytes() == before
