"""Order workbooks that carry every kind of part a real business workbook has.

`write_rich_book` writes one: XlsxWriter builds the sheets, table, chart, image, data
validation, conditional formats, notes, defined names, hidden sheet, cached formulas,
properties and (optionally) a VBA project; a small zip post-processing step then adds
the parts XlsxWriter cannot write: a pivot table with its cache, an external link and
a custom XML item. `PART_KINDS` names one part per kind so tests can check that a
writer keeps each of them, byte for byte, with `part_digests`.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
import io
import struct
import zipfile
import zlib
from collections import defaultdict
from pathlib import Path
from xml.sax.saxutils import quoteattr

import xlsxwriter

Order = tuple[dt.datetime, str, str, float]
HEADER = ["Order Date", "Customer ID", "Customer Name", "Amount"]
CREATED = dt.datetime(2024, 12, 31, 9, 30, 0)
VAT_RATE = 0.2
BUDGET = 50000.0  # the cached value of the external link's cell [budget.xlsx]Sheet1!A1

PART_KINDS = {
    "table": "xl/tables/table1.xml",
    "chart": "xl/charts/chart1.xml",
    "image": "xl/media/image1.png",
    "pivot table": "xl/pivotTables/pivotTable1.xml",
    "pivot cache definition": "xl/pivotCache/pivotCacheDefinition1.xml",
    "pivot cache records": "xl/pivotCache/pivotCacheRecords1.xml",
    "data validation": "xl/worksheets/sheet4.xml",         # Notes!B4
    "conditional formatting": "xl/worksheets/sheet1.xml",  # Orders!D:D
    "comments": "xl/comments1.xml",
    "defined names": "xl/workbook.xml",                    # VatRate, Notes!Owner
    "hidden sheet": "xl/worksheets/sheet5.xml",            # Settings
    "formulas": "xl/worksheets/sheet2.xml",                # Dashboard
    "external link": "xl/externalLinks/externalLink1.xml",
    "custom xml": "customXml/item1.xml",
    "vba": "xl/vbaProject.bin",                            # only with macro=True
    "frozen pane and formats": "xl/worksheets/sheet1.xml",
    "document properties": "docProps/core.xml",
    "rich text and merged cells": "xl/worksheets/sheet4.xml",
}

# (customer ID, name, last month ordering in); the name in the third row is text, not a formula.
CUSTOMERS = [
    ("00042", "Acme Tools Ltd", 12),
    ("00107", "Blue River Trading", 12),
    ("00311", '=HYPERLINK("http://x","y")', 12),
    ("01250", "O'Brien & Sons", 7),
    ("00007", "Smith, Jones & Co", 12),
    ("00980", "上海宏达贸易有限公司", 9),
    ("00555", "Nordic Pipe AB", 12),
    ("02024", "Zeta Electric <Ltd>", 4),
]


def default_orders() -> list[Order]:
    """About 60 order lines over 2024 for the eight `CUSTOMERS`, some of them lapsing."""
    orders = []
    for month in range(1, 13):
        for i, (customer, name, last_month) in enumerate(CUSTOMERS):
            if month <= last_month and (3 * month + 5 * i) % 8 < 6:
                amount = round(180 + 95.5 * i + 13.15 * month * (-1) ** i, 2)
                orders.append((dt.datetime(2024, month, 3 + 3 * i), customer, name, amount))
    return orders


def write_orders_only(path, orders: list[Order]) -> Path:
    """A plain order workbook: sheet Orders with the header row and ``orders``."""
    path = Path(path)
    wb = xlsxwriter.Workbook(path)
    _write_orders(wb, wb.add_worksheet("Orders"), orders)
    wb.close()
    return path


def write_rich_book(path, orders: list[Order] | None = None, macro: bool = False) -> Path:
    """An order workbook with every kind of part in `PART_KINDS`; ``macro`` needs a .xlsm path."""
    path = Path(path)
    if macro != (path.suffix == ".xlsm"):
        raise ValueError("a macro book needs a .xlsm path, and only a macro book may have one")
    orders = default_orders() if orders is None else orders
    wb = xlsxwriter.Workbook(path)
    wb.set_properties({"title": "Order book 2024", "author": "Sales Ops",
                       "company": "Example Trading", "created": CREATED})
    if macro:
        wb.add_vba_project(io.BytesIO(_vba_project()), is_stream=True)
    sheets = {name: wb.add_worksheet(name)
              for name in ["Orders", "Dashboard", "Pivot", "Notes", "Settings"]}
    _write_orders(wb, sheets["Orders"], orders, rich=True)
    _write_dashboard(wb, sheets["Dashboard"], orders)
    _write_pivot_values(wb, sheets["Pivot"], orders)
    _write_notes(wb, sheets["Notes"])
    _write_settings(sheets["Settings"])
    wb.define_name("VatRate", "=Settings!$B$1")
    wb.define_name("Notes!Owner", "=Notes!$B$2")
    wb.close()
    _add_parts(path, orders)
    return path


def part_digests(path) -> dict[str, str]:
    """{zip entry name: sha256 hex digest of its uncompressed bytes}."""
    with zipfile.ZipFile(path) as z:
        return {name: hashlib.sha256(z.read(name)).hexdigest() for name in z.namelist()}


# --- the sheets, with XlsxWriter --------------------------------------------------------

def _write_orders(wb, ws, orders: list[Order], rich: bool = False) -> None:
    """Header and order lines; with ``rich``, also a table, frozen pane, conditional formats
    and a note. Strings are written as strings, so "=HYPERLINK(...)" stays text."""
    dates = wb.add_format({"num_format": "yyyy-mm-dd"})
    money = wb.add_format({"num_format": "#,##0.00"})
    ws.write_row(0, 0, HEADER)
    for row, (date, customer, name, amount) in enumerate(orders, start=1):
        ws.write_datetime(row, 0, date, dates)
        ws.write_string(row, 1, customer)
        ws.write_string(row, 2, name)
        ws.write_number(row, 3, amount, money)
    if not rich:
        return
    last = len(orders)
    ws.add_table(0, 0, last, 3, {"name": "OrderLines", "style": "Table Style Medium 2",
                                 "columns": [{"header": h} for h in HEADER]})
    ws.set_column("A:A", 12, dates)
    ws.set_column("B:B", 12)
    ws.set_column("C:C", 30)
    ws.set_column("D:D", 12, money)
    ws.freeze_panes(1, 0)
    ws.conditional_format(1, 3, last, 3, {"type": "3_color_scale"})
    ws.conditional_format(1, 3, last, 3, {"type": "cell", "criteria": "<", "value": 0,
                                          "format": wb.add_format({"font_color": "#9C0006"})})
    ws.write_comment("A1", "Order date, not invoice date.", {"author": "Sales Ops"})


def _write_dashboard(wb, ws, orders: list[Order]) -> None:
    """Monthly sales as SUMIFS formulas with cached values, totals using the hidden
    Settings sheet and the name VatRate, an external-link formula, and a column chart."""
    bold = wb.add_format({"bold": True})
    money = wb.add_format({"num_format": "#,##0.00"})
    ws.write_row(0, 0, ["Month", "Sales"], bold)
    ws.set_column("A:A", 22)
    ws.set_column("B:B", 12, money)
    totals = _monthly_totals(orders)
    dates, amounts = (f"Orders!${c}$2:${c}${len(orders) + 1}" for c in "AD")
    for row, ((year, month), total) in enumerate(totals.items(), start=1):
        end = (year + month // 12, month % 12 + 1)
        ws.write_string(row, 0, f"{year}-{month:02d}")
        ws.write_formula(row, 1, f'=SUMIFS({amounts},{dates},">="&DATE({year},{month},1),'
                                 f'{dates},"<"&DATE({end[0]},{end[1]},1))', money, total)
    n = len(totals)
    total = round(sum(totals.values()), 2)
    ws.write_string(n + 1, 0, "Total", bold)
    ws.write_formula(n + 1, 1, f"=SUM(B2:B{n + 1})", money, total)
    ws.write_string(n + 2, 0, "VAT")
    ws.write_formula(n + 2, 1, f"=B{n + 2}*VatRate", money, round(total * VAT_RATE, 2))
    ws.write_string(n + 3, 0, "Total incl. VAT")
    ws.write_formula(n + 3, 1, f"=B{n + 2}*(1+Settings!$B$1)", money,
                     round(total * (1 + VAT_RATE), 2))
    ws.write_string(n + 5, 0, "Budget (budget.xlsx)")
    ws.write_formula(n + 5, 1, "=[1]Sheet1!$A$1", money, BUDGET)
    chart = wb.add_chart({"type": "column"})
    chart.add_series({"name": "Sales", "categories": ["Dashboard", 1, 0, n, 0],
                      "values": ["Dashboard", 1, 1, n, 1]})
    chart.set_title({"name": "Monthly sales"})
    chart.set_legend({"none": True})
    ws.insert_chart("D2", chart)


def _write_pivot_values(wb, ws, orders: list[Order]) -> None:
    """The cells the pivot table shows, as Excel saves them next to the pivot definition."""
    money = wb.add_format({"num_format": "#,##0.00"})
    ws.write_string(0, 0, "Sales by customer (pivot table)", wb.add_format({"bold": True}))
    ws.set_column("A:A", 16)
    ws.set_column("B:B", 16, money)
    ws.write_row(2, 0, ["Customer ID", "Sum of Amount"])
    totals = _customer_totals(orders)
    for row, (customer, total) in enumerate(totals.items(), start=3):
        ws.write_string(row, 0, customer)
        ws.write_number(row, 1, total, money)
    ws.write_string(len(totals) + 3, 0, "Grand Total")
    ws.write_number(len(totals) + 3, 1, round(sum(totals.values()), 2), money)


def _write_notes(wb, ws) -> None:
    """Merged title, rich text, a list dropdown and an image."""
    bold = wb.add_format({"bold": True})
    ws.set_column("A:A", 14)
    ws.set_column("B:B", 40)
    ws.merge_range("A1:D1", "Order book notes", wb.add_format({"bold": True, "font_size": 14}))
    ws.write_string("A2", "Owner")
    ws.write_string("B2", "Sales Ops")
    ws.write_rich_string("A3", "Please ", bold, "do not", " edit the Orders table by hand.")
    ws.write_string("A4", "Status")
    ws.write_string("B4", "Open")
    ws.data_validation("B4", {"validate": "list", "source": ["Open", "Reviewed", "Closed"]})
    ws.insert_image("D6", "logo.png", {"image_data": io.BytesIO(_png())})


def _write_settings(ws) -> None:
    """The hidden sheet whose VAT rate the Dashboard formulas use."""
    ws.write_string("A1", "VAT rate")
    ws.write_number("B1", VAT_RATE)
    ws.hide()


def _monthly_totals(orders: list[Order]) -> dict[tuple[int, int], float]:
    totals = defaultdict(float)
    for date, _, _, amount in orders:
        totals[date.year, date.month] += amount
    return {month: round(totals[month], 2) for month in sorted(totals)}


def _customer_totals(orders: list[Order]) -> dict[str, float]:
    totals = defaultdict(float)
    for _, customer, _, amount in orders:
        totals[customer] += amount
    return {customer: round(totals[customer], 2) for customer in sorted(totals)}


def _png(width: int = 48, height: int = 24) -> bytes:
    """A small gradient PNG, built with zlib and struct."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)
    rows = (bytes(c for x in range(width) for c in (40 + 4 * x, 90, 200 - 6 * y))
            for y in range(height))
    pixels = b"".join(b"\x00" + row for row in rows)  # filter byte 0 before each row
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(pixels, 9)) + chunk(b"IEND", b""))


def _vba_project() -> bytes:
    """xl/vbaProject.bin of the xlwings add-in shipped inside the xlwings package."""
    addin = Path(importlib.util.find_spec("xlwings").origin).parent / "addin" / "xlwings.xlam"
    with zipfile.ZipFile(addin) as z:
        return z.read("xl/vbaProject.bin")


# --- the parts XlsxWriter cannot write, added to the zip ------------------------------

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "application/vnd.openxmlformats-officedocument"
XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
PIVOT_SHEET = "xl/worksheets/sheet3.xml"


def _rel(rid: str, kind: str, target: str, external: bool = False) -> str:
    mode = ' TargetMode="External"' if external else ""
    return f'<Relationship Id="{rid}" Type="{REL}/{kind}" Target="{target}"{mode}/>'


# (part, anchor, text inserted just before the anchor), in schema order within each part.
EDITS = [
    ("xl/workbook.xml", "<definedNames>",
     '<externalReferences><externalReference r:id="rIdExternal1"/></externalReferences>'),
    ("xl/workbook.xml", "</workbook>",
     '<pivotCaches><pivotCache cacheId="1" r:id="rIdPivotCache1"/></pivotCaches>'),
    ("xl/_rels/workbook.xml.rels", "</Relationships>",
     _rel("rIdExternal1", "externalLink", "externalLinks/externalLink1.xml")
     + _rel("rIdPivotCache1", "pivotCacheDefinition", "pivotCache/pivotCacheDefinition1.xml")
     + _rel("rIdCustomXml1", "customXml", "../customXml/item1.xml")),
    ("[Content_Types].xml", "</Types>", "".join(
        f'<Override PartName="/{name}" ContentType="{CT}.{kind}+xml"/>' for name, kind in [
            ("xl/externalLinks/externalLink1.xml", "spreadsheetml.externalLink"),
            ("xl/pivotCache/pivotCacheDefinition1.xml", "spreadsheetml.pivotCacheDefinition"),
            ("xl/pivotCache/pivotCacheRecords1.xml", "spreadsheetml.pivotCacheRecords"),
            ("xl/pivotTables/pivotTable1.xml", "spreadsheetml.pivotTable"),
            ("customXml/itemProps1.xml", "customXmlProperties")])),
]


def _add_parts(path: Path, orders: list[Order]) -> None:
    """Rewrite the package with the pivot table, external link and custom XML added."""
    with zipfile.ZipFile(path) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    assert _rels_name(PIVOT_SHEET) not in parts, "the Pivot sheet must have no parts of its own"
    for part, anchor, text in EDITS:
        assert parts[part].count(anchor.encode()) == 1, (part, anchor)
        parts[part] = parts[part].replace(anchor.encode(), (text + anchor).encode())
    parts.update(_new_parts(orders))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)


def _new_parts(orders: list[Order]) -> dict[str, bytes]:
    """The new parts and their relationship parts; customXml/item1.xml has the default
    application/xml content type, so it needs no Override."""
    parts = {
        "xl/externalLinks/externalLink1.xml": _external_link(),
        "xl/pivotCache/pivotCacheDefinition1.xml": _pivot_cache_definition(orders),
        "xl/pivotCache/pivotCacheRecords1.xml": _pivot_cache_records(orders),
        "xl/pivotTables/pivotTable1.xml": _pivot_table(orders),
        "customXml/item1.xml": (XML_DECL + '<orderBook xmlns="urn:example:order-book">'
                                '<owner>Sales Ops</owner><retention>7y</retention></orderBook>'),
        "customXml/itemProps1.xml": (
            XML_DECL + '<ds:datastoreItem ds:itemID="{5B0E6A4C-3F0D-4C55-9E0B-1D2C3A4B5C6D}" '
            'xmlns:ds="http://schemas.openxmlformats.org/officeDocument/2006/customXml">'
            '<ds:schemaRefs><ds:schemaRef ds:uri="urn:example:order-book"/></ds:schemaRefs>'
            '</ds:datastoreItem>'),
    }
    rels = {
        "xl/externalLinks/externalLink1.xml":
            _rel("rId1", "externalLinkPath", "budget.xlsx", external=True),
        "xl/pivotCache/pivotCacheDefinition1.xml":
            _rel("rId1", "pivotCacheRecords", "pivotCacheRecords1.xml"),
        "xl/pivotTables/pivotTable1.xml":
            _rel("rId1", "pivotCacheDefinition", "../pivotCache/pivotCacheDefinition1.xml"),
        PIVOT_SHEET: _rel("rId1", "pivotTable", "../pivotTables/pivotTable1.xml"),
        "customXml/item1.xml": _rel("rId1", "customXmlProps", "itemProps1.xml"),
    }
    for part, rel in rels.items():
        parts[_rels_name(part)] = (f'{XML_DECL}<Relationships xmlns="{PKG_REL}">'
                                   f'{rel}</Relationships>')
    return {name: text.encode() for name, text in parts.items()}


def _external_link() -> str:
    """A link to [budget.xlsx]Sheet1 with A1's cached value, as Excel saves it."""
    return (f'{XML_DECL}<externalLink xmlns="{MAIN}" xmlns:r="{REL}"><externalBook r:id="rId1">'
            '<sheetNames><sheetName val="Sheet1"/></sheetNames><sheetDataSet>'
            f'<sheetData sheetId="0"><row r="1"><cell r="A1"><v>{BUDGET:g}</v></cell></row>'
            '</sheetData></sheetDataSet></externalBook></externalLink>')


def _pivot_cache_definition(orders: list[Order]) -> str:
    """The cache fields of Orders!A1:D{n+1}; Customer ID lists its items (the pivot's rows)."""
    dates = [date.isoformat() for date, *_ in orders]
    amounts = [amount for *_, amount in orders]
    customers = list(_customer_totals(orders))
    items = "".join(f"<s v={quoteattr(c)}/>" for c in customers)
    fields = [
        ("Order Date", 14, '<sharedItems containsSemiMixedTypes="0" containsNonDate="0" '
                           f'containsDate="1" containsString="0" minDate="{min(dates)}" '
                           f'maxDate="{max(dates)}"/>'),
        ("Customer ID", 49, f'<sharedItems count="{len(customers)}">{items}</sharedItems>'),
        ("Customer Name", 49, "<sharedItems/>"),
        ("Amount", 4, '<sharedItems containsSemiMixedTypes="0" containsString="0" '
                      f'containsNumber="1" minValue="{min(amounts)!r}" '
                      f'maxValue="{max(amounts)!r}"/>'),
    ]
    cache_fields = "".join(f'<cacheField name="{name}" numFmtId="{fmt}">{shared}</cacheField>'
                           for name, fmt, shared in fields)
    return (f'{XML_DECL}<pivotCacheDefinition xmlns="{MAIN}" xmlns:r="{REL}" r:id="rId1" '
            'refreshedBy="Sales Ops" refreshedDate="45657.395833333336" createdVersion="6" '
            f'refreshedVersion="6" minRefreshableVersion="3" recordCount="{len(orders)}">'
            f'<cacheSource type="worksheet"><worksheetSource ref="A1:D{len(orders) + 1}" '
            f'sheet="Orders"/></cacheSource><cacheFields count="4">{cache_fields}</cacheFields>'
            '</pivotCacheDefinition>')


def _pivot_cache_records(orders: list[Order]) -> str:
    """One record per order line; the Customer ID is an index into its shared items."""
    index = {customer: i for i, customer in enumerate(_customer_totals(orders))}
    records = "".join(f'<r><d v="{date.isoformat()}"/><x v="{index[customer]}"/>'
                      f'<s v={quoteattr(name)}/><n v="{amount!r}"/></r>'
                      for date, customer, name, amount in orders)
    return (f'{XML_DECL}<pivotCacheRecords xmlns="{MAIN}" xmlns:r="{REL}" count="{len(orders)}">'
            f'{records}</pivotCacheRecords>')


def _pivot_table(orders: list[Order]) -> str:
    """Sum of Amount by Customer ID at Pivot!A3, with a grand total row."""
    n = len(_customer_totals(orders))
    items = "".join(f'<item x="{i}"/>' for i in range(n))
    rows = "".join(f'<i><x v="{i}"/></i>' if i else "<i><x/></i>" for i in range(n))
    return (f'{XML_DECL}<pivotTableDefinition xmlns="{MAIN}" name="SalesByCustomer" cacheId="1" '
            'applyNumberFormats="0" applyBorderFormats="0" applyFontFormats="0" '
            'applyPatternFormats="0" applyAlignmentFormats="0" applyWidthHeightFormats="1" '
            'dataCaption="Values" updatedVersion="6" minRefreshableVersion="3" '
            'useAutoFormatting="1" itemPrintTitles="1" createdVersion="6" indent="0" '
            'outline="1" outlineData="1" multipleFieldFilters="0" rowHeaderCaption="Customer ID">'
            f'<location ref="A3:B{n + 4}" firstHeaderRow="1" firstDataRow="1" firstDataCol="1"/>'
            '<pivotFields count="4"><pivotField numFmtId="14" showAll="0"/>'
            f'<pivotField axis="axisRow" showAll="0"><items count="{n + 1}">{items}'
            '<item t="default"/></items></pivotField><pivotField showAll="0"/>'
            '<pivotField dataField="1" numFmtId="4" showAll="0"/></pivotFields>'
            f'<rowFields count="1"><field x="1"/></rowFields><rowItems count="{n + 1}">{rows}'
            '<i t="grand"><x/></i></rowItems><colItems count="1"><i/></colItems>'
            '<dataFields count="1"><dataField name="Sum of Amount" fld="3" baseField="0" '
            'baseItem="0" numFmtId="4"/></dataFields><pivotTableStyleInfo name="PivotStyleLight16" '
            'showRowHeaders="1" showColHeaders="1" showRowStripes="0" showColStripes="0" '
            'showLastColumn="1"/></pivotTableDefinition>')


def _rels_name(part: str) -> str:
    folder, _, name = part.rpartition("/")
    return f"{folder}/_rels/{name}.rels"

