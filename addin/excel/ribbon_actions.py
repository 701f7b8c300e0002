"""What the Churn tab's buttons do: each runs the command line's task on the open workbook, through the
live-Excel adapter, and tells the user how it went in a message box (``dispatch``)."""
from __future__ import annotations

from typing import Any, Callable

from ..errors import UserError
from ..sources.tables import cell_text
from ..tasks import analyse_values, refresh_lists, write_customer_history, write_settings_sheet
from ..workbooks.excel_book import ExcelWorkbook
from . import report_buttons

TITLE = "churnkit"
_WORDS = {
    "en": {"refreshed": "Refreshed: {sheets}.", "history": "Wrote the sheet '{sheet}'.",
           "settings": "Wrote the sheet '{sheet}': change values in its column B, then refresh.",
           "no_customer": "Select a cell that holds a customer key, then click Customer history.",
           "unknown": "This button ({control}) has no action in this version of churnkit.",
           "help": "Churn tab: Refresh at-risk list writes the At-Risk and Win-Back sheets; Customer history "
                   "shows the customer in the selected cell; Build report writes the at-risk report beside the "
                   "workbook and Email report sends it; Settings creates the settings sheet. Worksheet "
                   "functions: =CHURN_RISK(A2), =AT_RISK_LIST(), … See the churnkit README for the rules."},
    "zh": {"refreshed": "已刷新：{sheets}。", "history": "已写入工作表“{sheet}”。",
           "settings": "已写入工作表“{sheet}”：请在 B 列修改取值，然后刷新。",
           "no_customer": "请先选中一个写有客户编号的单元格，再点击“客户历史”。",
           "unknown": "此按钮（{control}）在此版本的 churnkit 中没有对应操作。",
           "help": "“流失分析”选项卡：刷新风险名单会写入流失预警和赢回名单工作表；客户历史显示所选单元格中的客户；"
                   "生成报告会在工作簿旁写入风险报告，发送报告会将其发出；设置会创建设置工作表。工作表函数：=CHURN_RISK(A2)、=AT_RISK_LIST() 等。规则见 churnkit 说明文档。"},
}


def refresh(workbook: ExcelWorkbook, lang: str) -> str:
    result = refresh_lists(analyse_values(workbook.value_tables(), workbook.path), workbook, lang)
    return _WORDS[lang]["refreshed"].format(sheets=", ".join(f"{n} ({rows})" for n, rows in result.sheets.items()))


def history(workbook: ExcelWorkbook, lang: str) -> str:
    customer = cell_text(workbook.book.selection.options(ndim=2).value[0][0])
    if not customer:
        raise UserError(_WORDS[lang]["no_customer"])
    analysis = analyse_values(workbook.value_tables(), workbook.path)
    return _WORDS[lang]["history"].format(sheet=write_customer_history(analysis, workbook, customer.strip(), lang))


def settings(workbook: ExcelWorkbook, lang: str) -> str:
    return _WORDS[lang]["settings"].format(sheet=write_settings_sheet(workbook, lang))


def show_help(workbook: ExcelWorkbook, lang: str) -> str:
    return _WORDS[lang]["help"]


ACTIONS: dict[str, Callable[[ExcelWorkbook, str], str]] = {
    "refresh": refresh, "history": history, "report": report_buttons.build, "email": report_buttons.email,
    "settings": settings,
    "help": show_help,
}


def dispatch(control_id: str, tag: str = "en", book: Any = None) -> None:
    """Run the action of one ribbon button on the calling workbook and tell the user how it went."""
    import xlwings as xw

    lang = tag if tag in _WORDS else "en"
    book = book or xw.Book.caller()
    action = ACTIONS.get(control_id)
    try:
        message = action(ExcelWorkbook(book), lang) if action else _WORDS[lang]["unknown"].format(control=control_id)
    except UserError as exc:
        message = str(exc)
    book.app.alert(message, title=TITLE)
