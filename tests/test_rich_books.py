"""The rich test workbooks themselves: every kind of part is really in the package, the
package is consistent, and openpyxl, fastexcel and LibreOffice all open it and see the
orders, the pivot table and the chart."""
import datetime as dt
import posixpath
import re
import zipfile

import fastexcel
import openpyxl
import pytest

from office import convert, pdf_text
from rich_books import (HEADER, PART_KINDS, default_orders, part_digests, write_orders_only,
                        write_rich_book)

ORDERS = [  # across a year end, so the Dashboard has a December and a January
    (dt.datetime(2023, 12, 28), "00042", "Acme Tools Ltd", 120.5),
    (dt.datetime(2024, 1, 3), "00007", '=HYPERLINK("http://x","y")', 99.95),
    (dt.datetime(2024, 1, 17), "00042", "Acme Tools Ltd", -20.0),
]


@pytest.fixture(scope="module", params=[False, True], ids=["xlsx", "xlsm"])
def book(request, tmp_path_factory):
    """(path, macro) of a rich book with the default orders."""
    macro = request.param
    path = tmp_path_factory.mktemp("rich") / ("book.xlsm" if macro else "book.xlsx")
    return write_rich_book(path, macro=macro), macro


def test_every_part_kind_is_in_the_package(book):
    path, macro = book
    names = set(part_digests(path))
    for kind, part in PART_KINDS.items():
        assert (part in names) == (macro or kind != "vba"), kind


def test_every_relationship_resolves_and_every_part_has_a_content_type(book):
    path, _ = book
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        types = z.read("[Content_Types].xml").decode()
        for rels in (n for n in names if n.endswith(".rels")):
            source = posixpath.dirname(posixpath.dirname(rels))
            for target, mode in re.findall(r'Target="([^"]+)"(?: TargetMode="(\w+)")?',
                                           z.read(rels).decode()):
                if mode != "External":
                    assert posixpath.normpath(posixpath.join(source, target)).lstrip("/") in names
    defaults = set(re.findall(r'Default Extension="(\w+)"', types))
    overrides = set(re.findall(r'Override PartName="/([^"]+)"', types))
    untyped = {n for n in names if n not in overrides and n.rsplit(".", 1)[-1] not in defaults}
    assert untyped == set()


def test_openpyxl_sees_the_orders_pivot_link_and_names(book):
    path, macro = book
    wb = openpyxl.load_workbook(path, keep_vba=macro)
    orders = wb["Orders"]
    rows = list(orders.iter_rows(values_only=True))
    assert list(rows[0]) == HEADER
    assert [tuple(r) for r in rows[1:]] == default_orders()
    hyperlink = next(c for c in orders["C"] if str(c.value).startswith("=HYPERLINK"))
    assert hyperlink.data_type == "s"
    assert wb["Settings"].sheet_state == "hidden"
    assert wb["Pivot"]._pivots[0].name == "SalesByCustomer"
    assert len(wb._external_links) == 1
    assert "VatRate" in wb.defined_names and "Owner" in wb["Notes"].defined_names
    assert (wb.vba_archive is not None) == macro


def test_the_orders_given_are_written(tmp_path):
    path = write_rich_book(tmp_path / "given.xlsx", ORDERS)
    rows = list(openpyxl.load_workbook(path)["Orders"].iter_rows(min_row=2, values_only=True))
    assert rows == ORDERS
    dashboard = openpyxl.load_workbook(path, data_only=True)["Dashboard"]
    assert [(r[0].value, r[1].value) for r in dashboard["A2:B3"]] == [("2023-12", 120.5),
                                                                       ("2024-01", 79.95)]


def test_fastexcel_reads_the_orders(book):
    path, _ = book
    df = fastexcel.read_excel(path).load_sheet_by_name("Orders").to_pandas()
    assert list(df.columns) == HEADER
    assert list(df.itertuples(index=False, name=None)) == default_orders()


def test_write_orders_only(tmp_path):
    path = write_orders_only(tmp_path / "plain.xlsx", ORDERS)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Orders"]
    assert list(wb["Orders"].iter_rows(values_only=True)) == [tuple(HEADER), *ORDERS]
    assert wb["Orders"]["C3"].data_type == "s"


def test_writing_twice_gives_the_same_parts(tmp_path):
    for suffix, macro in [(".xlsx", False), (".xlsm", True)]:
        first = write_rich_book(tmp_path / f"first{suffix}", macro=macro)
        second = write_rich_book(tmp_path / f"second{suffix}", macro=macro)
        assert part_digests(first) == part_digests(second)


def test_libreoffice_renders_the_pivot_and_chart_sheets(book, tmp_path):
    path, _ = book
    text = pdf_text(convert(path, tmp_path))
    amounts = [amount for _, customer, _, amount in default_orders() if customer == "00007"]
    assert "Monthly sales" in text and "Budget (budget.xlsx)" in text
    assert f"{sum(amounts):,.2f}" in text  # the pivot's row for customer 00007


def test_libreoffice_imports_the_pivot_as_a_pivot_table(tmp_path):
    """The PDF would show the pivot's saved cells either way; the ODS shows that
    LibreOffice built a live pivot table (a data pilot) from the definition."""
    path = write_rich_book(tmp_path / "book.xlsx")
    with zipfile.ZipFile(convert(path, tmp_path, "ods")) as z:
        content = z.read("content.xml").decode()
    assert '<table:data-pilot-table table:name="SalesByCustomer"' in content
