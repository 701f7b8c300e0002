"""Building a report workbook: a template filled with one analysis's numbers, written as a new file.

The order workbook is never touched. The report is written next to its final name,
checked, and renamed into place in one step (``safe_write.replace_file``).
"""
from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING
from xml.etree import ElementTree

import fastexcel

from churn_logic import rep_customers

from ..errors import UserError
from ..ooxml.package import PackageError
from ..workbooks.safe_write import replace_file
from .report_data import BLOCKS, CELLS, SECTIONS, ReportData
from .sheet_cells import TemplateError
from .template_fill import ReportTemplate
from .templates import find_template

if TYPE_CHECKING:
    from ..tasks import Analysis


def build_report(analysis: Analysis, template: str | Path, out: Path, lang: str = "en", customer: str | None = None,
                 rep: str | None = None, now: dt.datetime | None = None) -> Path:
    """Fill ``template`` (a kind such as ``at-risk``, or a template file) and write it to ``out``.

    With ``rep`` the report covers only that sales rep's customers; ``customer`` is the
    customer of a customer card. Returns ``out``.
    """
    path = find_template(template, lang)
    out = Path(out)
    if out.suffix.lower() != path.suffix.lower():
        raise UserError(f"The report from {path.name} must be a {path.suffix} workbook too, not {out.name}.")
    if out.resolve() == analysis.path.resolve():
        raise UserError(f"The report would overwrite the order workbook {out.name}; choose another --out.")
    model = rep_customers(analysis.model, rep) if rep is not None else analysis.model
    data = ReportData(analysis, model, lang, customer, rep, now)
    try:
        report = ReportTemplate(path)
    except (TemplateError, PackageError, zipfile.BadZipFile, KeyError) as exc:
        raise UserError(f"The template {path.name} cannot be filled: {_reason(exc)}.") from exc
    try:
        fill(report, data)
        out.parent.mkdir(parents=True, exist_ok=True)
        sheets = [s.name for s in report.sheet_list]
        replace_file(out, report.save, lambda written: _verify(written, report, sheets))
    except TemplateError as exc:
        raise UserError(f"The template {path.name} cannot be filled: {exc}.") from exc
    finally:
        report.close()
    return out


def fill(report: ReportTemplate, data: ReportData) -> None:
    """Fill every ``ck_`` name of the template, blocks first, sections last (a section left out takes its cells
    with it); an unknown name is an error, so is a template without any."""
    if not report.names:
        raise TemplateError("it has no defined names starting with ck_ to say where the numbers go")
    known = CELLS.keys() | BLOCKS.keys() | SECTIONS.keys()
    unknown = sorted(n for n in report.names if n.split(".")[0] not in known)
    if unknown:
        raise TemplateError(f"churnkit does not know the defined name {unknown[0]} (see docs/reports.md for the names)")
    order = {**dict.fromkeys(BLOCKS, 0), **dict.fromkeys(SECTIONS, 2)}
    for name, area in sorted(report.names.items(), key=lambda item: (order.get(item[0].split(".")[0], 1), item[0])):
        base = name.split(".")[0]
        if base in SECTIONS:
            if data.left_out(SECTIONS[base]):
                report.leave_out(name)
        elif base in BLOCKS and data.left_out(base):
            report.leave_out_block(name)
        elif base in BLOCKS:
            report.fill_block(name, data.rows(base, area.right - area.left + 1))
        else:
            report.fill_cell(name, data.value(base))


def _reason(exc: Exception) -> str:
    return str(exc) if isinstance(exc, TemplateError) else "it is not a workbook churnkit can read"


def _verify(written: Path, report: ReportTemplate, sheets: list[str]) -> None:
    """The report is a sound zip, the parts we wrote parse as XML, and it opens with the template's sheets."""
    with zipfile.ZipFile(written) as package:
        for name, data in report.parts.changed.items():
            if package.read(name) != data:
                raise UserError(f"Writing the report failed: part {name} did not come back as written.")
            ElementTree.fromstring(data)
    if fastexcel.read_excel(written).sheet_names != sheets:
        raise UserError("Writing the report failed: its sheets did not come back as expected.")
