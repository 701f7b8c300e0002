"""One test per part writer of addin/ooxml, as XlsxWriter tests its XML writers: the text each writes,
next to the whole-file tests (refresh, reports) that open what they make in openpyxl and LibreOffice."""
import datetime as dt
import zipfile
from xml.etree import ElementTree

import pytest

from addin.ooxml import xml_text
from addin.ooxml.chart_xml import SERIES_COLOURS, render_chart, render_drawing
from addin.ooxml.formulas import sheet_formulas
from addin.ooxml.namespaces import MAIN, REL
from addin.ooxml.package import WorkbookPackage
from addin.ooxml.sheet_xml import cell_xml, render_sheet, render_table
from addin.ooxml.styles import MINIMAL_STYLES, Style, StyleSheet
from addin.ooxml.worksheet import ChartSpec, Formula, ListValidation, Series, TableSpec, Worksheet, cell_value
from addin.ooxml.xml_text import XmlError
from addin.ooxml.zip_parts import ZipParts, raw_bytes


# --- xml_text: edits at the places expat finds -------------------------------------------------------------
def test_edits_change_only_the_bytes_they_mean():
    data = b"<x:a xmlns:x='urn:m' b='1 &gt; 0'><x:list/><x:item  name=\"old\" z='q'></x:item></x:a>"
    root = xml_text.parse(data)
    empty, item = root.children
    assert (root.uri, root.local, root.qname, root.get("b")) == ("urn:m", "a", "x:a", "1 > 0")
    assert empty.empty_tag and not item.empty_tag and root.prefix_for("urn:m") == "x"
    assert xml_text.append_child(data, empty, "<x:n/>") == data.replace(b"<x:list/>", b"<x:list><x:n/></x:list>")
    assert xml_text.set_attribute(data, item, "name", 'a"b') == data.replace(b'name="old"', b"name='a\"b'")
    assert xml_text.set_attribute(data, empty, "k", "v") == data.replace(b"<x:list/>", b'<x:list k="v"/>')
    assert xml_text.remove(data, item) == data.replace(b"<x:item  name=\"old\" z='q'></x:item>", b"")


@pytest.mark.parametrize("bad", [b'<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>', b"<a>&undefined;</a>",
                                 b"<a>&#xD800;</a>", b"<a><b></a>", b"not xml"])
def test_parts_that_are_not_sound_xml_are_refused(bad):
    with pytest.raises(XmlError):
        xml_text.parse(bad)


# --- the package: workbook.xml, relationships, content types, app.xml, defined names ----------------------
def test_a_new_worksheet_is_listed_in_every_workbook_level_part():
    package = WorkbookPackage.new()
    package.put_worksheet(_sheet("Lists"), None)
    package.add_defined_name("_mark", '"x"', sheet="Lists", hidden=True)
    workbook = package.parts.read("xl/workbook.xml").decode()
    assert '<sheets><sheet name="Lists" sheetId="1" r:id="rId2"/></sheets>' in workbook
    assert workbook.endswith('<definedNames><definedName name="_mark" localSheetId="0" hidden="1">"x"'
                             "</definedName></definedNames></workbook>")
    rels = package.parts.read("xl/_rels/workbook.xml.rels").decode()
    assert f'<Relationship Id="rId2" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>' in rels
    types = package.parts.read("[Content_Types].xml").decode()
    assert '<Override PartName="/xl/worksheets/sheet1.xml" ' in types and '<Override PartName="/xl/tables/table1.xml" ' in types
    app = package.parts.read("docProps/app.xml").decode()
    assert "<vt:i4>1</vt:i4>" in app and '<vt:vector size="1" baseType="lpstr"><vt:lpstr>Lists</vt:lpstr>' in app
    assert package.sheets()[0].part == "xl/worksheets/sheet1.xml"
    assert [(d.name, d.sheet, d.formula) for d in package.defined_names()] == [("_mark", "Lists", '"x"')]


def test_a_defined_name_goes_before_calc_pr_as_the_schema_orders_them(tmp_path):
    package = WorkbookPackage.new()
    workbook = package.parts.read("xl/workbook.xml").replace(b"</workbook>", b'<calcPr calcId="1"/></workbook>')
    package.parts.write("xl/workbook.xml", workbook)
    package.add_defined_name("Rate", "Settings!$B$1")
    assert b'<definedNames><definedName name="Rate">Settings!$B$1</definedName></definedNames><calcPr' in \
        package.parts.read("xl/workbook.xml")


def test_replacing_a_worksheet_renames_it_and_drops_its_old_tables_and_charts():
    package = WorkbookPackage.new()
    sheet = _sheet("Old")
    sheet.charts = [_chart()]
    package.put_worksheet(sheet, None)
    assert {"xl/charts/chart1.xml", "xl/drawings/drawing1.xml"} <= set(package.parts.names())
    package.put_worksheet(_sheet("New", tables=[]), "Old")
    names = set(package.parts.names())
    assert [s.name for s in package.sheets()] == ["New"]
    assert not {"xl/charts/chart1.xml", "xl/drawings/drawing1.xml", "xl/tables/table1.xml"} & names
    assert b"<vt:lpstr>New</vt:lpstr>" in package.parts.read("docProps/app.xml")


# --- styles --------------------------------------------------------------------------------------------
def test_styles_are_appended_once_and_counted():
    styles = StyleSheet(MINIMAL_STYLES.encode())
    money = Style(bold=True, num_format="#,##0.00", fill="FFFFC7CE")       # a format Excel has built in: id 4
    day = Style(num_format="yyyy-mm-dd")                                   # one it has not: the first own id
    assert styles.index(money) == 1 and styles.index(money) == 1 and styles.index(Style()) == 0
    assert styles.index(day) == 2
    root = ElementTree.fromstring(styles.data)
    ns = {"m": MAIN}
    assert root.find("m:cellXfs", ns).get("count") == "3" and len(root.find("m:cellXfs", ns)) == 3
    assert root.find("m:numFmts/m:numFmt", ns).attrib == {"numFmtId": "164", "formatCode": "yyyy-mm-dd"}
    assert [xf.get("numFmtId") for xf in root.find("m:cellXfs", ns)] == ["0", "4", "164"]
    assert root.find("m:fills", ns).get("count") == "3" and root.find("m:fonts", ns).get("count") == "2"


# --- sheets and tables ---------------------------------------------------------------------------------
def test_a_value_of_the_engine_becomes_what_a_cell_holds():
    import numpy as np
    import pandas as pd
    assert cell_value(np.int64(3)) == 3 and type(cell_value(np.int64(3))) is int
    assert cell_value(np.datetime64("2024-03-05")) == dt.datetime(2024, 3, 5)
    assert [cell_value(v) for v in (None, float("nan"), pd.NaT, np.datetime64("NaT"))] == [None] * 4
    assert cell_value(["Cleaning", "Paper"]) == "Cleaning; Paper" and cell_value([]) == ""


def test_cells_are_written_as_what_they_are():
    assert cell_xml("A1", "=SUM(A2)", 0) == ('<c r="A1" t="inlineStr"><is><t xml:space="preserve">=SUM(A2)</t>'
                                             "</is></c>")      # text that looks like a formula stays text
    assert cell_xml("B2", Formula("=LEN(A2)", 3.0), 4) == '<c r="B2" s="4"><f>LEN(A2)</f><v>3.0</v></c>'
    assert cell_xml("C3", Formula('="a"&B2', "ab"), 0) == '<c r="C3" t="str"><f>"a"&amp;B2</f><v>ab</v></c>'
    assert cell_xml("D4", dt.date(2024, 3, 5), 2) == '<c r="D4" s="2"><v>45356</v></c>'
    assert cell_xml("E5", True, 0) == '<c r="E5" t="b"><v>1</v></c>'
    assert cell_xml("F6", float("nan"), 0) == '<c r="F6"/>' and cell_xml("G7", None, 1) == '<c r="G7" s="1"/>'
    assert cell_xml("H8", "y" * 40_000, 0).count("y") == 32_766          # cut to what a cell holds, with …


def test_a_worksheet_part_has_its_frozen_header_widths_drop_downs_and_tables():
    styles = []
    xml = render_sheet(_sheet("S"), lambda style: styles.index(style) if style in styles else
                       styles.append(style) or len(styles) - 1, ["rId1"], None).decode()
    assert '<pane ySplit="3" topLeftCell="A4" activePane="bottomLeft" state="frozen"/>' in xml
    assert '<cols><col min="1" max="1" width="14" customWidth="1"/></cols>' in xml
    assert '<dataValidation type="list" allowBlank="1" showInputMessage="1" showErrorMessage="0" sqref="B4:B5">' \
           '<formula1>"Open,Won back"</formula1></dataValidation>' in xml
    assert '<tableParts count="1"><tablePart r:id="rId1"/></tableParts>' in xml
    assert '<row r="4"><c r="A4" s="1" t="inlineStr"><is><t xml:space="preserve">C1</t></is></c></row>' in xml
    table = render_table(TableSpec("T", "A3:B5", ("Customer", "Status")), 7, "T2").decode()
    assert 'id="7" name="T2" displayName="T2" ref="A3:B5"' in table and '<autoFilter ref="A3:B5"/>' in table
    assert '<tableColumn id="1" name="Customer"/><tableColumn id="2" name="Status"/>' in table


# --- drawings and charts -------------------------------------------------------------------------------
def test_a_chart_part_keeps_its_series_cells_values_and_colour():
    chart = render_chart(_chart()).decode()
    assert "<c:f>'S'!$A$4:$A$5</c:f>" in chart and "<c:f>'S'!$B$4:$B$5</c:f>" in chart
    assert '<c:pt idx="1"><c:v>2024-02</c:v></c:pt>' in chart and '<c:pt idx="1"><c:v>80.5</c:v></c:pt>' in chart
    assert f'<a:ln w="28575" cap="rnd"><a:solidFill><a:srgbClr val="{SERIES_COLOURS[0]}"/>' in chart
    drawing = render_drawing([_chart()], ["rId1"]).decode()
    assert "<xdr:from><xdr:col>3</xdr:col>" in drawing and "<xdr:to><xdr:col>12</xdr:col>" in drawing
    assert 'r:id="rId1"' in drawing


# --- formulas read back, and unchanged parts copied as they are ------------------------------------------
def test_formulas_are_read_cell_by_cell_shared_ones_moved_to_each_cell():
    xml = (f'<worksheet xmlns="{MAIN}"><sheetData><row r="2"><c r="C2"><f t="shared" ref="C2:C4" si="0">A2*$B$1'
           '</f><v>1</v></c></row><row r="3"><c r="C3"><f t="shared" si="0"/></c><c><f>NOW()</f></c></row>'
           '<row><c r="C4"><f t="shared" si="0"/></c></row></sheetData></worksheet>').encode()
    assert sheet_formulas(xml) == {(2, 3): "=A2*$B$1", (3, 3): "=A3*$B$1", (3, 4): "=NOW()", (4, 3): "=A4*$B$1"}


def test_unchanged_parts_are_copied_with_their_compressed_bytes(tmp_path):
    source = tmp_path / "a.zip"
    with zipfile.ZipFile(source, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("keep.xml", "<k>" + "x" * 5000 + "</k>")
        z.writestr("change.xml", "<c/>")
    parts = ZipParts(source)
    parts.write("change.xml", b"<c>new</c>")
    parts.save(tmp_path / "b.zip")
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(tmp_path / "b.zip") as new:
        assert raw_bytes(new, new.getinfo("keep.xml")) == raw_bytes(old, old.getinfo("keep.xml"))
        assert new.read("change.xml") == b"<c>new</c>" and new.testzip() is None


def _sheet(name: str, tables=None) -> Worksheet:
    text, bold = Style(), Style(bold=True)
    return Worksheet(name=name, cells={3: [(1, "Customer", bold), (2, "Status", bold)], 4: [(1, "C1", text)]},
                     widths={1: 14}, last_column=2, last_row=5, frozen_rows=3, tab_color="FF000000",
                     validations=[ListValidation("B4:B5", ("Open", "Won back"))],
                     tables=[TableSpec("T", "A3:B5", ("Customer", "Status"))] if tables is None else tables)


def _chart() -> ChartSpec:
    return ChartSpec("Sales", "line", Series("", "'S'!$A$4:$A$5", ("2024-01", "2024-02")),
                     (Series("Amount", "'S'!$B$4:$B$5", (100, 80.5)),), left=3, top=1, columns=9, rows=18)
