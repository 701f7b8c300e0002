"""Refreshing a workbook that carries every kind of part keeps every one of them (see rich_books.py)."""
import datetime as dt
import re
import zipfile

import openpyxl
import pytest

from office import convert, pdf_text
from package_edits import append_orders, digests, type_into
from rich_books import PART_KINDS, write_rich_book
from test_refresh import churnkit_parts, rows_of

WORKBOOK_LEVEL = ["xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml", "docProps/app.xml"]


def _text(path, part) -> str:
    with zipfile.ZipFile(path) as z:
        return z.read(part).decode()


def _elements(xml: str, pattern: str) -> list[str]:
    return re.findall(pattern, xml, re.S)


def assert_workbook_parts_extended(before: dict[str, str], path) -> None:
    """Workbook-level parts may only gain entries: every element they had is still there, as it was."""
    wb = _text(path, "xl/workbook.xml")
    for pattern in (r"<definedName\b[^>]*>.*?</definedName>", r"<pivotCaches>.*?</pivotCaches>",
                    r"<externalReferences>.*?</externalReferences>", r"<sheet [^>]*/>", r"<workbookPr[^>]*/>",
                    r"<bookViews>.*?</bookViews>"):
        for element in _elements(before["xl/workbook.xml"], pattern):
            assert element in wb, element
    names_before = re.search(r"<definedNames>(.*?)</definedNames>", before["xl/workbook.xml"], re.S)
    if names_before:        # churnkit's marks are added after the names the workbook had, which keep their order
        assert re.search(r"<definedNames>(.*?)</definedNames>", wb, re.S).group(1).startswith(names_before.group(1))
    for part, pattern in (("xl/_rels/workbook.xml.rels", r"<Relationship [^>]*/>"),
                          ("[Content_Types].xml", r"<(?:Default|Override) [^>]*/>"),
                          ("docProps/app.xml", r"<Company>.*?</Company>|<Application>.*?</Application>")):
        now = _text(path, part)
        for element in _elements(before[part], pattern):
            assert element in now, element
    styles_before, styles_now = before["xl/styles.xml"], _text(path, "xl/styles.xml")
    for collection in ("numFmts", "fonts", "fills", "borders", "cellXfs", "cellStyles", "dxfs"):
        old = re.search(rf"<{collection}\b[^>]*>(.*?)</{collection}>", styles_before, re.S)
        new = re.search(rf"<{collection}\b[^>]*>(.*?)</{collection}>", styles_now, re.S)
        if old:
            assert new.group(1).startswith(old.group(1)), f"{collection} entries were changed, not appended"


@pytest.mark.parametrize("macro", [False, True], ids=["xlsx", "xlsm"])
def test_three_refreshes_keep_every_part(churnkit, tmp_path, macro):
    book = write_rich_book(tmp_path / ("orders.xlsm" if macro else "orders.xlsx"), macro=macro)
    original = digests(book)
    for kind, part in PART_KINDS.items():
        assert part in original or (kind == "vba" and not macro), kind

    for round_number in range(3):
        before_digests = digests(book)
        before_text = {part: _text(book, part) for part in WORKBOOK_LEVEL + ["xl/styles.xml"]}
        run = churnkit("refresh", book)
        assert run.code == 0, run.err
        after = digests(book)
        sheets = [s for s in ("At-Risk", "Win-Back", "Closed", "Departed Reps") if s in openpyxl.load_workbook(book, read_only=True).sheetnames]
        ours = churnkit_parts(book, sheets)
        kept = {n: d for n, d in before_digests.items() if n not in ours}
        assert kept == {n: d for n, d in after.items() if n in kept}, f"round {round_number}: a part changed"
        assert set(before_digests) <= set(after), "a part disappeared"
        assert_workbook_parts_extended(before_text, book)

        listed = {**rows_of(book, "At-Risk"), **rows_of(book, "Win-Back")}
        if round_number == 0:
            noted = sorted(listed)[0]
            sheet = "At-Risk" if noted in rows_of(book, "At-Risk") else "Win-Back"
            type_into(book, sheet, noted, "Notes", "keep me")
        append_orders(book, "Orders", [[dt.date(2025, 1 + round_number, 5), "00042", "Acme", 100.0 * (round_number + 1)]])

    every = {**rows_of(book, "At-Risk"), **rows_of(book, "Win-Back")}
    if "Closed" in openpyxl.load_workbook(book, read_only=True).sheetnames:
        every.update(rows_of(book, "Closed"))
    assert every[noted]["Notes"] == "keep me"
    for kind, part in PART_KINDS.items():
        if part in original and part not in WORKBOOK_LEVEL + ["xl/styles.xml"]:
            assert digests(book)[part] == original[part] or part.startswith("xl/worksheets/sheet1"), kind

    loaded = openpyxl.load_workbook(book, keep_vba=macro)
    assert loaded["Orders"]["B2"].value is not None and "At-Risk" in loaded.sheetnames
    text = pdf_text(convert(book, tmp_path))
    assert "At-risk customers" in text and "Win-back list" in text
