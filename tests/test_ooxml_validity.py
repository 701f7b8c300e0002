"""Every kind of file churnkit writes passes an Open XML validator with Excel's app-compat rules.

openxml-audit ports the Open XML SDK's validation and adds rules for what Excel repairs or
rewrites on opening; its verdict "opens cleanly" is the bar: no finding of any severity.
The files are written by the command line, as a user gets them: the add-in, a refreshed
order workbook (with a Customer History and a settings sheet), and each kind of report.
"""
from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from openxml_audit import OpenXmlValidator, ValidationResult
from openxml_audit.verdict import AppPrediction, predict

from workbook_templates.sample_data import generate_orders, write_sample_workbook

REPORTS = ["at-risk", "win-back", "review", "customer-card", "backtest"]


def audit(path: Path) -> ValidationResult:
    return OpenXmlValidator().validate(path)


def findings(result: ValidationResult) -> list[str]:
    return [f"{error.severity.value} {error.part_uri}: {error.description}" for error in result.errors]


def assert_opens_cleanly(path: Path) -> None:
    result = audit(path)
    assert findings(result) == [], predict(result).headline
    assert predict(result).prediction is AppPrediction.OPENS_CLEAN


@pytest.fixture(scope="module")
def orders(tmp_path_factory) -> Path:
    """A dozen customers of the sample order book, written as churnkit writes the sample (so clean itself)."""
    lines = generate_orders(n_customers=100, months=30)
    keep = sorted(lines["Customer ID"].unique())[:12]
    return write_sample_workbook(tmp_path_factory.mktemp("orders") / "orders.xlsx",
                                 lines[lines["Customer ID"].isin(keep)])


def test_the_addin_opens_cleanly(churnkit, tmp_path):
    assert churnkit("addin", "build", "--out", tmp_path).code == 0
    assert_opens_cleanly(tmp_path / "churnkit.xlam")


def test_the_validator_reports_an_addin_without_a_theme(churnkit, tmp_path):
    """The control: the add-in as it was built before it had a theme part fails the check."""
    churnkit("addin", "build", "--out", tmp_path)
    broken = tmp_path / "no-theme.xlam"
    with zipfile.ZipFile(tmp_path / "churnkit.xlam") as source, zipfile.ZipFile(broken, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b'<Relationship Id="rId5" Type="http://schemas.openxmlformats.org/'
                                    b'officeDocument/2006/relationships/theme" Target="theme/theme1.xml"/>', b"")
            if item.filename == "[Content_Types].xml":
                data = data.replace(b'<Override PartName="/xl/theme/theme1.xml" '
                                    b'ContentType="application/vnd.openxmlformats-officedocument.theme+xml"/>', b"")
            if item.filename != "xl/theme/theme1.xml":
                target.writestr(item, data)
    result = audit(broken)
    assert predict(result).prediction is AppPrediction.AT_RISK
    assert [finding for finding in findings(result) if "relationships/theme' is missing" in finding]


def test_a_refreshed_workbook_opens_cleanly(churnkit, orders, tmp_path):
    book = tmp_path / "orders.xlsx"
    book.write_bytes(orders.read_bytes())
    assert_opens_cleanly(book)                               # what the user had
    customer = churnkit("scan", book, "--format", "json", "--quiet").json()["customers"][0]["customer"]
    for command in (["refresh", book, "--quiet"], ["history", book, customer, "--write", "--quiet"],
                    ["settings", book]):
        assert churnkit(*command).code == 0, command
    with zipfile.ZipFile(book) as z:
        assert {"xl/tables/table1.xml", "xl/charts/chart1.xml"} <= set(z.namelist())
    assert_opens_cleanly(book)


@pytest.mark.parametrize("template", REPORTS)
def test_each_report_opens_cleanly(churnkit, orders, tmp_path, template):
    report = tmp_path / f"{template}.xlsx"
    card = ["--customer", churnkit("scan", orders, "--format", "json", "--quiet").json()["customers"][0]["customer"]]
    run = churnkit("report", orders, "--template", template, *(card if template == "customer-card" else []),
                   "--out", report, "--quiet")
    assert run.code == 0, run.err
    assert_opens_cleanly(report)
