"""`churnkit report`: templates filled at the package level with the engine's numbers."""
import datetime as dt
import math
import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from churn_logic import churn_kpis, customer_history, winback_list
from churn_logic.breakdowns import risk_breakdown
from churn_logic.cohorts import cohort_retention
from churn_logic.headlines import headline_figures
from churn_logic.subset import rep_customers

from addin.tasks import analyse_workbook
from addin.errors import UserError
from addin.report.build import build_report
from addin.report.cell_ranges import parse_area
from addin.report.make_templates import write_templates
from churn_logic import REPORT_MONTHS as REVIEW_MONTHS
from addin.report.make_templates import TEMPLATE_DIR
from addin.report.templates import KINDS
from package_edits import digests
from report_checks import AS_OF, REP, SAMPLE, block, chart_series, defined_cells, png, report_cli, restyle, value  # noqa: F401

NOW = dt.datetime(2026, 11, 2, 9, 30)
CARD_CUSTOMER = "C00166"


@pytest.fixture(scope="module")
def analysis():
    return analyse_workbook(SAMPLE)


@pytest.fixture(scope="module")
def reports(analysis, tmp_path_factory):
    folder = tmp_path_factory.mktemp("reports")
    return {kind: build_report(analysis, kind, folder / f"{kind}.xlsx", "en", customer=CARD_CUSTOMER, now=NOW)
            for kind in KINDS}


def load(path: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(path)


def test_at_risk_report_holds_the_engines_numbers(analysis, reports):
    book, model = load(reports["at-risk"]), analysis.model
    figures = headline_figures(model)
    for key in ("high", "medium", "lost", "core_at_risk", "value_at_stake", "churn_rate", "churn_rate_previous"):
        assert value(book, f"ck_headline_{key}") == figures[key], key
    assert value(book, "ck_as_of") == value(book, "ck_as_of.list") == AS_OF
    assert value(book, "ck_scope") == "All customers"
    assert value(book, "ck_source") == "sample_orders.xlsx · Orders"
    assert value(book, "ck_generated") == dt.datetime(2026, 11, 2)
    rows = block(book, "ck_at_risk_rows")
    at_risk = model.customers[model.customers["risk"].isin(["HIGH", "MEDIUM"])]
    assert len(rows) == len(at_risk) == figures["at_risk"]
    stake = dict(zip(at_risk["customer"], at_risk["value_at_stake"]))
    assert {r[0]: r[4] for r in rows} == stake
    assert [r[4] for r in rows if r[3] == "A"] == sorted((r[4] for r in rows if r[3] == "A"), reverse=True)
    reasons = dict(zip(model.customers["customer"], model.reasons("en")))
    assert all(r[9] == reasons[r[0]] and r[2] in ("HIGH", "MEDIUM") for r in rows)
    forecast = analysis.forecast
    chance = {key: (None if math.isnan(p) else p, None if math.isnan(loss) else loss)
              for key, p, loss in zip(forecast.keys, forecast.p_no_order, forecast.expected_loss)}
    assert {r[0]: (r[10], r[11]) for r in rows} == {key: chance[key] for key in at_risk["customer"]}
    assert any(r[10] is not None for r in rows)
    for name, field in (("ck_by_rep_rows", "rep"), ("ck_by_region_rows", "region")):
        expected = risk_breakdown(model, field)
        assert block(book, name) == expected[["group", "customers", "high", "medium", "lost",
                                              "value_at_stake"]].values.tolist()


def test_win_back_report_ranks_lapsed_customers_like_the_engine(analysis, reports):
    book = load(reports["win-back"])
    rows = block(book, "ck_win_back_rows", width=15)
    expected = winback_list(analysis.model)
    assert [r[1] for r in rows] == expected["customer"].tolist()
    assert [r[0] for r in rows] == list(range(1, len(expected) + 1))
    assert [r[4] for r in rows] == expected["value_before_lapse"].tolist()
    assert [r[7] for r in rows] == expected["main_products"].tolist()
    assert [r[9] for r in rows] == expected["email"].tolist()
    assert all(r[10:] == [None] * 5 for r in rows)            # the campaign columns are the user's
    assert value(book, "ck_headline_lost_value") == headline_figures(analysis.model)["lost_value"]


def test_review_report_has_the_monthly_kpis_and_the_cohort_table(analysis, reports):
    book = load(reports["review"])
    kpis = churn_kpis(analysis.model).tail(REVIEW_MONTHS)
    rows = block(book, "ck_monthly_rows")
    assert [r[0] for r in rows] == kpis["month"].tolist() and rows[-1][0] == AS_OF
    columns = ["active_customers", "new_customers", "churned_customers", "reactivated_customers", "churn_rate",
               "revenue", "revenue_lost"]
    assert [r[1:] for r in rows] == [[None if isinstance(v, float) and math.isnan(v) else v for v in row]
                                     for row in kpis[columns].values.tolist()]
    cohorts = cohort_retention(analysis.model, months_since=24)
    table = block(book, "ck_cohort_rows")
    assert [r[:2] for r in table] == cohorts[["cohort", "customers"]].values.tolist()
    assert [r[2:] for r in table] == [[None if math.isnan(v) else v for v in row]
                                      for row in cohorts.iloc[:, 2:].values.tolist()]
    sheet = book[defined_cells(book)["ck_cohort_rows"][0]]
    scale = [cf for cf in sheet.conditional_formatting if cf.rules[0].type == "colorScale"]
    assert str(scale[0].sqref) == f"C7:AA{6 + len(table)}"


def test_customer_card_shows_the_customers_history(analysis, reports):
    book = load(reports["customer-card"])
    history = customer_history(analysis.model, CARD_CUSTOMER)
    assert value(book, "ck_card_customer") == value(book, "ck_card_customer.lines") == CARD_CUSTOMER
    assert value(book, "ck_card_risk") == history.summary["risk"]
    assert value(book, "ck_card_reasons") == history.summary["reasons"]
    assert value(book, "ck_card_value_at_stake") == history.summary["value_at_stake"]
    assert block(book, "ck_card_monthly_rows") == history.monthly[["month", "amount", "orders", "value"]].values.tolist()
    lines = block(book, "ck_card_lines_rows")
    assert [r[5] for r in lines] == history.lines["amount"].tolist()
    assert [r[0] for r in lines] == [d.to_pydatetime() for d in history.lines["date"]]


def test_charts_read_exactly_the_rows_written(reports):
    for kind, path in reports.items():
        series = chart_series(path)
        if kind != "win-back":
            assert series, f"{kind} has no charts"
        book = load(path)
        blocks = {name: parse_area(book.defined_names[name].attr_text) for name in defined_cells(book)
                  if name.endswith("_rows")}
        for part, formula, cached in series:
            area = parse_area(formula)
            read = [name for name, first in blocks.items() if first.sheet == area.sheet and first.top == area.top
                    and first.left <= area.left <= first.right]
            if not read:                                    # a series name: the header cell above a block
                assert area.top == area.bottom
                continue
            rows = block(book, read[0])
            assert area.bottom == area.top + len(rows) - 1, (kind, formula)
            cells = [book[area.sheet].cell(row, area.left).value for row in range(area.top, area.bottom + 1)]
            assert [str(c) if isinstance(c, str) else float(c) for c in cells if c is not None] == \
                   [c if isinstance(cells[0], str) else float(c) for c in cached], (kind, formula)


def test_tables_formats_and_choices_grow_with_their_blocks(reports):
    with zipfile.ZipFile(reports["at-risk"]) as z:
        tables = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/tables/")]
    book = load(reports["at-risk"])
    n = len(block(book, "ck_at_risk_rows"))
    assert any(f'ref="A5:M{5 + n}"' in t and f'<autoFilter ref="A5:M{5 + n}"/>' in t for t in tables)
    risk_formats = [cf for cf in book["At-risk list"].conditional_formatting if str(cf.sqref).startswith("C")]
    assert {str(cf.sqref) for cf in risk_formats} == {f"C6:C{5 + n}"}
    win_back = load(reports["win-back"])
    rows = len(block(win_back, "ck_win_back_rows"))
    validation = win_back["Win-back"].data_validations.dataValidation[0]
    assert str(validation.sqref) == f"M11:M{10 + rows}"
    assert win_back["Win-back"].row_dimensions[11 + rows - 1].height == win_back["Win-back"].row_dimensions[11].height


def test_the_order_workbook_is_never_touched(analysis, tmp_path):
    book = tmp_path / "orders.xlsx"
    shutil.copy(SAMPLE, book)
    mine = analyse_workbook(book)
    before = digests(book)
    build_report(mine, "at-risk", tmp_path / "report.xlsx")
    assert digests(book) == before
    with pytest.raises(UserError, match="would overwrite the order workbook"):
        build_report(mine, "at-risk", book)
    assert digests(book) == before


@pytest.mark.parametrize("kind, charts", [("at-risk", 2), ("win-back", 0), ("review", 3), ("customer-card", 1)])
@pytest.mark.parametrize("suffix", [".xlsx", ".zh.xlsx"])
def test_bundled_templates_carry_native_charts_on_their_drawings(kind, charts, suffix):
    with zipfile.ZipFile(TEMPLATE_DIR / f"{kind}{suffix}") as z:
        parts = [n for n in z.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n)]
        linked = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/drawings/_rels/"))
        assert len(parts) == charts
        assert all(f"../charts/{p.rsplit('/', 1)[1]}" in linked for p in parts)
        assert all("<c:barChart>" in z.read(p).decode() or "<c:lineChart>" in z.read(p).decode() for p in parts)


@pytest.mark.parametrize("kind", KINDS)
def test_pages_broken_by_hand_are_kept_at_a_scale_where_each_fits(reports, kind):
    """Excel ignores manual page breaks in a sheet fitted to the page: a sheet that has them prints at a scale at
    which it is no wider than A4 landscape, were its digits DejaVu Sans' 9 pixels (Arial's are 7), and no page up
    to a break taller; read back from the report's XML."""
    with zipfile.ZipFile(reports[kind]) as z:
        sheets = [z.read(n).decode() for n in z.namelist() if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n)]
    broken = [xml for xml in sheets if "<rowBreaks" in xml]
    assert bool(broken) == (kind in ("review", "customer-card", "backtest"))
    for xml in broken:
        assert 'fitToPage="1"' not in xml
        scale = int(re.search(r'<pageSetup [^>]*scale="(\d+)"', xml).group(1)) / 100
        margins = {k: float(v) * 72 for k, v in re.findall(r'(left|right|top|bottom)="([\d.]+)"',
                                                          re.search(r"<pageMargins [^>]*>", xml).group(0))}
        columns = [(int(last) - int(first) + 1, float(width)) for first, last, width in
                   re.findall(r'<col min="(\d+)" max="(\d+)" width="([\d.]+)"', xml)]      # XlsxWriter adds 0.71
        assert columns and scale * sum(n * (round(width - 0.71, 2) * 9 + 5) for n, width in columns) * 0.75 \
            <= 841.89 - margins["left"] - margins["right"]
        default = float(re.search(r'<sheetFormatPr [^>]*defaultRowHeight="([\d.]+)"', xml).group(1))
        heights = {int(r) - 1: float(h) for r, h in re.findall(r'<row r="(\d+)"[^>]*? ht="([\d.]+)"', xml)}
        breaks = [int(b) for b in re.findall(r'<brk id="(\d+)"', xml)]
        for top, end in zip([0, *breaks], breaks):
            page = sum(heights.get(row, default) for row in range(top, end))
            assert scale * page <= 595.28 - margins["top"] - margins["bottom"], (top, end)


def test_bundled_templates_are_what_the_script_makes(tmp_path):
    for path in write_templates(tmp_path):
        assert path.read_bytes() == (TEMPLATE_DIR / path.name).read_bytes(), path.name


def test_a_restyled_template_still_fills_and_keeps_its_logo(analysis, reports, tmp_path):
    template = restyle(TEMPLATE_DIR / "at-risk.xlsx", tmp_path / "ours.xlsx")
    out = build_report(analysis, template, tmp_path / "report.xlsx", now=NOW)
    before, after = digests(template), digests(out)
    filled = {"xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml", "xl/worksheets/sheet3.xml"} | {n for n in after if n.startswith(("xl/tables/", "xl/charts/"))}
    assert {n: d for n, d in before.items() if n not in filled} == {n: d for n, d in after.items() if n not in filled}
    with zipfile.ZipFile(out) as z:
        assert z.read("xl/media/logo.png") == png()
        assert "Prepared for our partners" in z.read("xl/drawings/drawing1.xml").decode()
        assert "FF7030A0" in z.read("xl/styles.xml").decode()
    mine, bundled = load(out), load(reports["at-risk"])
    for name in defined_cells(bundled):
        if name.endswith("_rows"):
            assert block(mine, name) == block(bundled, name), name
        else:
            assert value(mine, name) == value(bundled, name), name
    assert [s[1:] for s in chart_series(out)] == [s[1:] for s in chart_series(reports["at-risk"])]


def test_a_template_made_for_an_earlier_version_keeps_its_columns(analysis, reports, tmp_path):
    """Its at-risk block is ten columns wide, as before the chance of no order was added at the end."""
    path = tmp_path / "earlier.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("List")
    wb.define_name("ck_at_risk_rows", "=List!$A$2:$J$2")
    ws.write("K2", "my own column")
    ws.write_blank("G2", None, wb.add_format({"num_format": "yyyy-mm-dd"}))      # the last order: a date
    wb.close()
    sheet = load(build_report(analysis, path, tmp_path / "out.xlsx"))["List"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2, max_col=11)]
    assert [row[:10] for row in rows] == [row[:10] for row in block(load(reports["at-risk"]), "ck_at_risk_rows")]
    assert [row[10] for row in rows] == ["my own column"] + [None] * (len(rows) - 1)


def test_a_template_of_your_own_is_filled_by_its_names_wherever_they_are(analysis, tmp_path):
    path = tmp_path / "mine.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Für Partner")
    ws.write("B2", "Our churn numbers")
    ws.write_blank("F7", None, wb.add_format({"num_format": "#,##0"}))
    wb.define_name("ck_headline_value_at_stake", "='Für Partner'!$F$7")
    wb.define_name("ck_as_of", "='Für Partner'!$F$3")
    wb.define_name("ck_as_of.again", "='Für Partner'!$H$3")
    ws.write_row("D19", ["Region", "Customers", "High", "Medium", "Lost", "At stake"])
    ws.write("K40", "a note further down, in columns the block does not use")
    ws.write("A25", "beside the block")
    wb.define_name("ck_by_region_rows", "='Für Partner'!$D$20:$I$20")
    chart = wb.add_chart({"type": "column"})
    chart.add_series({"categories": "='Für Partner'!$D$20:$D$30", "values": "='Für Partner'!$I$20:$I$30"})
    ws.insert_chart("K2", chart)
    ws.print_area("A1:I20")
    wb.close()
    out = build_report(analysis, path, tmp_path / "out.xlsx")
    book = load(out)
    sheet = book["Für Partner"]
    assert sheet["F7"].value == headline_figures(analysis.model)["value_at_stake"]
    assert sheet["F3"].value == sheet["H3"].value == AS_OF
    regions = risk_breakdown(analysis.model, "region")
    assert [sheet.cell(20 + i, 4).value for i in range(len(regions))] == regions["group"].tolist()
    assert sheet.cell(20 + len(regions), 4).value is None
    assert sheet["A25"].value == "beside the block" and sheet["K40"].value.startswith("a note")
    refs = [formula for _, formula, _ in chart_series(out)]
    assert refs == [f"'Für Partner'!$D$20:$D${19 + len(regions)}", f"'Für Partner'!$I$20:$I${19 + len(regions)}"]
    assert sheet.print_area == f"'Für Partner'!$A$1:$I${19 + len(regions)}"


def test_per_rep_report_holds_only_that_reps_customers(analysis, tmp_path):
    out = build_report(analysis, "at-risk", tmp_path / "li.xlsx", rep="Li Wei")
    book = load(out)
    mine = rep_customers(analysis.model, "Li Wei")
    rows = block(book, "ck_at_risk_rows")
    assert rows and all(r[REP] == "Li Wei" for r in rows)
    assert sorted(r[0] for r in rows) == sorted(mine.customers.loc[mine.customers["risk"].isin(["HIGH", "MEDIUM"]),
                                                                   "customer"])
    assert block(book, "ck_by_rep_rows")[0][0] == "Li Wei" and len(block(book, "ck_by_rep_rows")) == 1
    assert value(book, "ck_headline_high") == headline_figures(mine)["high"]
    assert value(book, "ck_scope") == "Sales rep: Li Wei"


def test_chinese_report_uses_chinese_words(analysis, tmp_path):
    book = load(build_report(analysis, "at-risk", tmp_path / "zh.xlsx", "zh"))
    assert book.sheetnames == ["概览", "风险客户", "离职业务员客户"]
    assert {r[2] for r in block(book, "ck_at_risk_rows")} == {"高风险", "中风险"}
    assert value(book, "ck_scope") == "全部客户"


def test_templates_that_cannot_be_filled_say_why_in_one_sentence(analysis, tmp_path):
    plain = tmp_path / "plain.xlsx"
    openpyxl.Workbook().save(plain)
    with pytest.raises(UserError, match=r"^The template plain.xlsx cannot be filled: it has no defined names"):
        build_report(analysis, plain, tmp_path / "a.xlsx")
    odd = tmp_path / "odd.xlsx"
    wb = xlsxwriter.Workbook(str(odd))
    wb.add_worksheet("S")
    wb.define_name("ck_headline_happiness", "=S!$A$1")
    wb.close()
    with pytest.raises(UserError, match="does not know the defined name ck_headline_happiness"):
        build_report(analysis, odd, tmp_path / "b.xlsx")
    with pytest.raises(UserError, match="--customer KEY"):
        build_report(analysis, "customer-card", tmp_path / "c.xlsx")
    with pytest.raises(UserError, match="No customer 'C99999'"):
        build_report(analysis, "customer-card", tmp_path / "c.xlsx", customer="C99999")
    with pytest.raises(UserError, match="not 'nonsense'"):
        build_report(analysis, "nonsense", tmp_path / "d.xlsx")


def test_command_writes_reports_with_default_names(report_cli, tmp_path):
    book = tmp_path / "orders.xlsx"
    shutil.copy(SAMPLE, book)
    code, out, err = report_cli("report", book, "--quiet", "--template", "win-back", "--lang", "zh")
    assert code == 0, err
    assert (tmp_path / f"orders-win-back-{AS_OF}.zh.xlsx").exists()
    code, out, err = report_cli("report", book, "--quiet", "--per-rep", "--out", tmp_path / "reps")
    assert code == 0, err
    written = sorted(p.name for p in (tmp_path / "reps").iterdir())
    assert len(written) == 7 and f"orders-at-risk-{AS_OF}-Li-Wei.xlsx" in written     # Mark Evans left
    code, out, err = report_cli("report", book, "--quiet", "--per-rep", "--out", tmp_path / "x.xlsx")
    assert code == 2 and err.count("\n") == 1 and "--out names a folder" in err
    code, out, err = report_cli("report", book, "--quiet", "--template", "customer-card", "--customer", "C00166")
    assert code == 0 and re.search(rf"orders-customer-card-{AS_OF}-C00166.xlsx", out)
