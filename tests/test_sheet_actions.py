"""The Customer History and settings sheets, written through the file-backed workbook."""
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from churn_logic import SPECS
from conftest import monthly_rows, write_orders
from addin.ooxml.chart_xml import SERIES_COLOURS
from office import convert, count_near, page_pixels, pdf_text
from package_edits import digests, type_into

SAMPLE = Path(__file__).parents[1] / "workbook_templates" / "sample_orders.xlsx"


@pytest.fixture
def small(tmp_path):
    rows = monthly_rows("00042", "Acme Ltd", [900, 800, 700, 600, 500, 400]) + monthly_rows("C7", "Beta", [5, 6, 7, 8, 9, 10])
    return write_orders(tmp_path / "orders.xlsx", rows)


def test_customer_history_sheet_with_chart(churnkit, small, tmp_path):
    before = digests(small)
    for _ in range(2):                                     # writing it again replaces it
        run = churnkit("history", small, "00042", "--as-of", "2024-06", "--write")
        assert run.code == 0, run.err
    after = digests(small)
    assert {n: d for n, d in before.items() if n.startswith("xl/worksheets/sheet1")} == \
        {n: d for n, d in after.items() if n.startswith("xl/worksheets/sheet1")}
    charts = [n for n in after if n.startswith("xl/charts/")]
    assert len(charts) == 1 and len([n for n in after if re.match(r"xl/drawings/drawing\d+\.xml$", n)]) == 1

    ws = openpyxl.load_workbook(small)["Customer History"]
    assert ws["A1"].value == "Customer history: 00042"
    months = ws.tables["ChurnHistoryMonths"]
    first, last = months.ref.split(":")
    values = [[c.value for c in row] for row in ws[months.ref]]
    assert values[0] == ["Month", "Value", "Amount", "Orders"]
    assert [row[2] for row in values[1:]] == [900, 800, 700, 600, 500, 400]
    with zipfile.ZipFile(small) as z:
        chart = z.read(charts[0]).decode()
    assert f"'Customer History'!$C${int(first[1:]) + 1}:$C${last[1:]}" in chart
    lines = [[c.value for c in row] for row in ws[ws.tables["ChurnHistoryLines"].ref]]
    assert [row[1] for row in lines[1:]] == [f"SO-00042-{i}" for i in range(6)]
    pdf = convert(small, tmp_path)
    text = pdf_text(pdf)
    assert "Customer history: 00042" in text and "Monthly sales" in text
    page = next(n for n, page in enumerate(text.split("\f"), start=1) if "Monthly sales" in page)
    assert count_near(page_pixels(pdf, page), SERIES_COLOURS[0]) > 100, "the chart's line is not drawn"


def test_history_write_of_an_unknown_customer_changes_nothing(churnkit, small):
    before = small.read_bytes()
    run = churnkit("history", small, "42", "--as-of", "2024-06", "--write")
    assert run.code == 2 and "No customer '42'" in run.err and small.read_bytes() == before


def test_settings_sheet_lists_every_setting_and_keeps_values(churnkit, small):
    assert churnkit("settings", small).code == 0
    ws = openpyxl.load_workbook(small)["Churn Settings"]
    table = [[c.value for c in row] for row in ws[ws.tables["ChurnSettings"].ref]]
    assert table[0] == ["Setting", "Value", "Default", "Meaning"]
    assert [row[0] for row in table[1:]] == list(SPECS)
    assert dict((row[0], row[2]) for row in table[1:])["lost_months"] == 6

    type_into(small, "Churn Settings", "decline_months", "Value", "5")
    doc = churnkit("scan", small, "--as-of", "2024-06", "--format", "json").json()
    assert doc["settings"]["decline_months"] == 5
    assert doc["settings"]["sources"]["decline_months"] == "the 'Churn Settings' sheet"
    assert {c["customer"] for c in doc["customers"]} == {"00042"}        # D = 5 still reaches 5

    assert churnkit("settings", small).code == 0                          # renewing keeps the value
    assert churnkit("scan", small, "--as-of", "2024-06", "--format", "json").json()["settings"]["decline_months"] == 5


def test_chinese_settings_sheet_is_read_back(churnkit, small):
    assert churnkit("settings", small, "--lang", "zh").code == 0
    type_into(small, "流失设置", "流失月数", "值", "4")
    doc = churnkit("scan", small, "--as-of", "2024-06", "--format", "json").json()
    assert doc["settings"]["lost_months"] == 4
