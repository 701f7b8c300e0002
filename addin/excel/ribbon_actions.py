"""What the Churn tab's buttons do: each runs the command line's task on the open workbook, through the
live-Excel adapter, and tells the user how it went in a message box (``dispatch``)."""
from __future__ import annotations

from typing import Any, Callable

from ..content.words import WORDS
from ..errors import UserError
from ..sources.tables import cell_text
from ..tasks import analyse_workbook, refresh_lists, write_customer_history, write_settings_sheet
from ..workbooks.excel_book import ExcelWorkbook
from . import report_buttons

TITLE = "churnkit"


def refresh(workbook: ExcelWorkbook, lang: str) -> str:
    result = refresh_lists(analyse_workbook(workbook), workbook, lang)
    return WORDS[lang]["ribbon"]["refreshed"].format(sheets=", ".join(f"{n} ({rows})" for n, rows in result.sheets.items()))


def history(workbook: ExcelWorkbook, lang: str) -> str:
    customer = cell_text(workbook.selected_value())
    if not customer:
        raise UserError(WORDS[lang]["ribbon"]["no_customer"])
    analysis = analyse_workbook(workbook)
    return WORDS[lang]["ribbon"]["history"].format(sheet=write_customer_history(analysis, workbook, customer.strip(), lang))


def settings(workbook: ExcelWorkbook, lang: str) -> str:
    return WORDS[lang]["ribbon"]["settings"].format(sheet=write_settings_sheet(workbook, lang))


def show_help(workbook: ExcelWorkbook, lang: str) -> str:
    return WORDS[lang]["ribbon"]["help"]


ACTIONS: dict[str, Callable[[ExcelWorkbook, str], str]] = {
    "refresh": refresh, "history": history, "report": report_buttons.build, "email": report_buttons.email,
    "backtest": report_buttons.backtest, "settings": settings,
    "help": show_help,
}


def dispatch(control_id: str, tag: str = "en", book: Any = None) -> None:
    """Run the action of one ribbon button on the calling workbook and tell the user how it went."""
    import xlwings as xw

    lang = tag if tag in WORDS else "en"
    book = book or xw.Book.caller()
    action = ACTIONS.get(control_id)
    try:
        message = action(ExcelWorkbook(book), lang) if action else WORDS[lang]["ribbon"]["unknown"].format(control=control_id)
    except UserError as exc:
        message = str(exc)
    book.app.alert(message, title=TITLE)
