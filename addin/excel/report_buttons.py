"""The ribbon's Build report, Email report and Backtest buttons: the command line's report actions on the open
workbook.

Build report and Email report make the at-risk report beside the workbook (which must be saved, so
the report has a folder), Backtest the backtest report. Email report sends it to the ``to`` addresses
of the SMTP settings (``churnkit.toml`` ``[smtp]`` or the settings sheet); the password comes from
``CHURNKIT_SMTP_PASSWORD`` or the keyring, as on the command line.
"""
from __future__ import annotations

from pathlib import Path

from ..content.words import WORDS
from ..errors import UserError
from ..report.actions import email_report
from ..report.build import build_report
from ..report.mail_settings import smtp_settings
from ..report.report_names import default_report_name
from ..tasks import Analysis, analyse_workbook
from ..workbooks.excel_book import ExcelWorkbook

TEMPLATE = "at-risk"


def build(workbook: ExcelWorkbook, lang: str) -> str:
    """Build report: write the at-risk report of the open workbook beside it."""
    analysis = _analysis(workbook, lang)
    return WORDS[lang]["report_buttons"]["built"].format(path=_report(analysis, lang))


def backtest(workbook: ExcelWorkbook, lang: str) -> str:
    """Backtest: write the backtest report of the open workbook beside it (``churnkit report --template backtest``)."""
    analysis = _analysis(workbook, lang)
    return WORDS[lang]["report_buttons"]["built"].format(path=_report(analysis, lang, "backtest"))


def email(workbook: ExcelWorkbook, lang: str) -> str:
    """Email report: build the at-risk report and send it to the configured recipients."""
    analysis = _analysis(workbook, lang)
    settings = smtp_settings(analysis.path.parent, {}, analysis.tables)
    report = _report(analysis, lang)
    return email_report(analysis, report, TEMPLATE, lang, list(settings.to), settings)


def _analysis(workbook: ExcelWorkbook, lang: str) -> Analysis:
    if not workbook.path.is_absolute():
        raise UserError(WORDS[lang]["report_buttons"]["unsaved"])
    return analyse_workbook(workbook)


def _report(analysis: Analysis, lang: str, template: str = TEMPLATE) -> Path:
    return build_report(analysis, template, analysis.path.parent / default_report_name(analysis, template, lang), lang)
