"""Breakdowns by a field the orders do not have (no rep, no region column) are left out of the report, not shown
as one "(not given)" bar: their block, the section around it, and the charts reading it."""
import re
import zipfile

import openpyxl
import pytest
import xlsxwriter

from churn_logic.breakdowns import risk_breakdown
from churn_logic.headlines import headline_figures

from addin.tasks import analyse_workbook
from addin.errors import UserError
from addin.report.build import build_report
from addin.report.make_templates import TEMPLATE_DIR
from package_edits import digests, replace_part
from report_books import sample_without
from report_checks import block, chart_series, restyle, value

SUMMARY_SECTIONS = "A26:M60"          # the bundled at-risk summary: both breakdowns, their headings and below
BY_REGION = "H26:M60"


@pytest.fixture(scope="module")
def no_rep(tmp_path_factory):
    return analyse_workbook(sample_without(("Sales Rep", "Region"), tmp_path_factory.mktemp("no-rep") / "orders.csv"))


@pytest.fixture(scope="module")
def no_region(tmp_path_factory):
    return analyse_workbook(sample_without(("Region",), tmp_path_factory.mktemp("no-region") / "orders.csv"))


def cells(path, area: str, sheet: str = "Summary") -> list:
    return [cell.value for row in openpyxl.load_workbook(path)[sheet][area] for cell in row if cell.value is not None]


def parts(path) -> dict[str, str]:
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name).decode() for name in z.namelist() if name.endswith((".xml", ".rels"))}


def test_without_reps_or_regions_both_breakdowns_and_their_charts_are_left_out(no_rep, tmp_path):
    out = build_report(no_rep, "at-risk", tmp_path / "report.xlsx")
    book = openpyxl.load_workbook(out)
    figures = headline_figures(no_rep.model)
    assert value(book, "ck_headline_high") == figures["high"]
    assert len(block(book, "ck_at_risk_rows")) == figures["at_risk"]
    assert cells(out, SUMMARY_SECTIONS) == []               # no heading, no column headers, no "(not given)" row
    summary = book["Summary"]
    assert [str(m) for m in summary.merged_cells.ranges if m.min_row >= 26] == []
    assert [str(cf.sqref) for cf in summary.conditional_formatting] == []      # the zebra stripes went too
    xml = parts(out)
    assert not [name for name in xml if name.startswith("xl/charts/")] and "chart" not in xml["[Content_Types].xml"]
    assert "Anchor" not in xml["xl/drawings/drawing1.xml"] and "Relationship " not in \
        xml["xl/drawings/_rels/drawing1.xml.rels"]
    before, after = digests(TEMPLATE_DIR / "at-risk.xlsx"), digests(out)
    rewritten = {"xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml", "xl/worksheets/sheet3.xml", "xl/tables/table1.xml",
                 "[Content_Types].xml", "xl/drawings/drawing1.xml", "xl/drawings/_rels/drawing1.xml.rels"}
    assert {n: d for n, d in before.items() if n not in rewritten and not n.startswith("xl/charts/")} == \
        {n: d for n, d in after.items() if n not in rewritten}


def test_with_reps_but_no_regions_only_the_region_breakdown_is_left_out(no_region, tmp_path):
    out = build_report(no_region, "at-risk", tmp_path / "report.xlsx")
    book = openpyxl.load_workbook(out)
    reps = risk_breakdown(no_region.model, "rep")
    assert block(book, "ck_by_rep_rows") == reps[["group", "customers", "high", "medium", "lost",
                                                  "value_at_stake"]].values.tolist()
    assert cells(out, BY_REGION) == [] and cells(out, "A26:A27") == ["By sales rep", "Sales rep"]
    series = chart_series(out)
    assert {part for part, _, _ in series} == {"xl/charts/chart1.xml"}
    assert f"Summary!$C$28:$C${27 + len(reps)}" in [formula for _, formula, _ in series]
    assert "H28" not in parts(out)["xl/worksheets/sheet1.xml"].split("</sheetData>")[1]


GROUP = ('<xdr:grpSp><xdr:nvGrpSpPr><xdr:cNvPr id="92" name="Group"/><xdr:cNvGrpSpPr/></xdr:nvGrpSpPr>'
         '<xdr:grpSpPr/>{frame}<xdr:sp macro="" textlink=""><xdr:nvSpPr><xdr:cNvPr id="93" name="Caption"/>'
         '<xdr:cNvSpPr txBox="1"/></xdr:nvSpPr><xdr:spPr/><xdr:txBody><a:bodyPr/><a:p><a:r>'
         '<a:t>Grouped with the chart</a:t></a:r></a:p></xdr:txBody></xdr:sp></xdr:grpSp>')

STYLE_TYPE = '<Override PartName="/xl/charts/style1.xml" ContentType="application/vnd.ms-office.chartstyle+xml"/>'
STYLE_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.'
              'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.microsoft.'
              'com/office/2011/relationships/chartStyle" Target="style1.xml"/></Relationships>')


def add_chart_style(template) -> None:
    """A chart style part beside the by-rep chart, as Excel 2013 and later save one with every chart."""
    types = parts(template)["[Content_Types].xml"].replace("</Types>", STYLE_TYPE + "</Types>")
    replace_part(template, "[Content_Types].xml", types.encode())
    with zipfile.ZipFile(template, "a") as z:
        z.writestr("xl/charts/_rels/chart1.xml.rels", STYLE_RELS)
        z.writestr("xl/charts/style1.xml", '<cs:chartStyle xmlns:cs="http://schemas.microsoft.com/office/drawing/'
                                           '2012/chartStyle" id="201"/>')


def test_a_restyled_template_loses_only_the_charts_not_its_logo_or_shapes(no_rep, tmp_path):
    template = restyle(TEMPLATE_DIR / "at-risk.xlsx", tmp_path / "ours.xlsx")
    drawing = parts(template)["xl/drawings/drawing1.xml"]
    frame = re.search(r"<xdr:graphicFrame\b.*?</xdr:graphicFrame>", drawing).group(0)     # the by-rep chart's
    replace_part(template, "xl/drawings/drawing1.xml", drawing.replace(frame, GROUP.format(frame=frame)).encode())
    add_chart_style(template)
    out = build_report(no_rep, template, tmp_path / "report.xlsx")
    xml = parts(out)
    drawing = xml["xl/drawings/drawing1.xml"]
    assert "graphicFrame" not in drawing and not [name for name in xml if name.startswith("xl/charts/")]
    assert "style1" not in xml["[Content_Types].xml"]
    assert all(text in drawing for text in ("Grouped with the chart", "Prepared for our partners", 'r:embed="rIdLogo"'))
    assert "rIdLogo" in xml["xl/drawings/_rels/drawing1.xml.rels"] and "FF7030A0" in xml["xl/styles.xml"]
    assert cells(out, SUMMARY_SECTIONS) == []
    with zipfile.ZipFile(out) as z:
        assert z.read("xl/media/logo.png")


def own_template(path, section: str) -> None:
    """A template of a user's own: the rep breakdown as an Excel table under a heading, with a chart."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Reps")
    ws.merge_range("A1:C1", "Our reps", wb.add_format({"bold": True}))
    ws.add_table("A2:C3", {"name": "RepTable", "columns": [{"header": h} for h in ("Rep", "Customers", "High")]})
    ws.add_table("E2:F3", {"name": "Notes", "columns": [{"header": "Note"}, {"header": "By"}]})
    for cell in ("B3", "F3"):
        ws.data_validation(cell, {"validate": "integer", "criteria": ">=", "value": 0})
    ws.conditional_format("A3:C3", {"type": "cell", "criteria": ">", "value": 5, "multi_range": "A3:C3 E3:F3",
                                    "format": wb.add_format({"bold": True})})
    chart = wb.add_chart({"type": "column"})
    chart.add_series({"categories": "=Reps!$A$3:$A$3", "values": "=Reps!$C$3:$C$3"})
    ws.insert_chart("H2", chart)
    wb.define_name("ck_by_rep_rows", "=Reps!$A$3:$C$3")
    wb.define_name("ck_by_rep_section", f"=Reps!{section}")
    wb.define_name("ck_as_of", "=Reps!$E$1")
    wb.close()


def test_a_table_inside_a_section_left_out_goes_with_it(no_rep, tmp_path):
    own_template(tmp_path / "mine.xlsx", "$A$1:$C$3")
    out = build_report(no_rep, tmp_path / "mine.xlsx", tmp_path / "out.xlsx")
    sheet = openpyxl.load_workbook(out)["Reps"]
    assert list(sheet.tables) == ["Notes"] and sheet["E1"].value == no_rep.model.as_of_label
    assert cells(out, "A1:C10", "Reps") == [] and chart_series(out) == [] and not sheet.merged_cells.ranges
    assert [str(v.sqref) for v in sheet.data_validations.dataValidation] == ["F3"]
    assert [str(cf.sqref) for cf in sheet.conditional_formatting] == ["E3:F3"]
    xml = parts(out)
    assert [name for name in xml if name.startswith("xl/tables/")] == ["xl/tables/table2.xml"]
    assert "table1" not in xml["xl/worksheets/_rels/sheet1.xml.rels"] + xml["[Content_Types].xml"]
    assert '<tableParts count="1">' in xml["xl/worksheets/sheet1.xml"]
    assert '<dataValidations count="1">' in xml["xl/worksheets/sheet1.xml"]


def test_a_section_that_cuts_a_tables_header_is_refused_in_one_sentence(no_rep, tmp_path):
    own_template(tmp_path / "mine.xlsx", "$A$1:$B$3")
    with pytest.raises(UserError, match=r"^The template mine.xlsx cannot be filled: the name ck_by_rep_section holds "
                                        r"part of the table RepTable; make it hold the whole table, or none of its "
                                        r"header row\.$"):
        build_report(no_rep, tmp_path / "mine.xlsx", tmp_path / "out.xlsx")
    assert not (tmp_path / "out.xlsx").exists()
