"""The ribbon's Build report, Email report and Backtest buttons run the command line's report actions on the open
workbook."""
import openpyxl
import pytest

from addin.errors import UserError
from addin.ribbon import dispatch
from addin.workbooks.excel_book import ExcelWorkbook
from addin.excel import report_buttons as ribbon_actions
from fake_xlwings import Book
from report_checks import AS_OF, block, report_cli, value  # noqa: F401
from test_ribbon import book  # noqa: F401  (the sample as an open workbook)


def test_build_report_button_writes_the_same_report_as_the_command_line(book, report_cli, tmp_path):
    message = ribbon_actions.build(ExcelWorkbook(book), "en")
    report = tmp_path / f"orders-at-risk-{AS_OF}.xlsx"
    assert message == f"Wrote the report {report}."
    from_ribbon = openpyxl.load_workbook(report)
    assert report_cli("report", tmp_path / "orders.xlsx", "--quiet", "--out", tmp_path / "cli.xlsx")[0] == 0
    from_cli = openpyxl.load_workbook(tmp_path / "cli.xlsx")
    assert block(from_ribbon, "ck_at_risk_rows") == block(from_cli, "ck_at_risk_rows")
    assert value(from_ribbon, "ck_headline_value_at_stake") == value(from_cli, "ck_headline_value_at_stake")


def test_backtest_button_writes_the_same_backtest_report_as_the_command_line(book, report_cli, tmp_path):
    message = dispatch_message(book, "backtest", "zh")
    report = tmp_path / f"orders-backtest-{AS_OF}.zh.xlsx"
    assert message == f"已生成报告 {report}。"
    from_ribbon = openpyxl.load_workbook(report)
    assert report_cli("report", tmp_path / "orders.xlsx", "--quiet", "--template", "backtest", "--lang", "zh",
                      "--out", tmp_path / "cli.xlsx")[0] == 0
    from_cli = openpyxl.load_workbook(tmp_path / "cli.xlsx")
    rules = block(from_ribbon, "ck_backtest_rules_rows")
    assert len(rules) > 30 and rules == block(from_cli, "ck_backtest_rules_rows")
    assert value(from_ribbon, "ck_backtest_recommended_lost") == value(from_cli, "ck_backtest_recommended_lost")
    assert from_ribbon.sheetnames == ["规则回测", "无订单概率", "全部规则"]


def dispatch_message(book, control: str, lang: str) -> str:
    """What the ribbon tells the user after clicking ``control`` (addin.ribbon.dispatch, as Excel calls it)."""
    dispatch(control, lang, book)
    return book.app.alerts[-1][1]


def test_email_report_button_says_who_to_send_to_when_nobody_is_set(book):
    with pytest.raises(UserError, match="Say who gets the report"):
        ribbon_actions.email(ExcelWorkbook(book), "en")


def test_an_unsaved_workbook_has_no_folder_for_the_report():
    unsaved = Book("Book1", {"Orders": [["Order Date", "Customer ID", "Amount"]]})
    with pytest.raises(UserError, match="Save the workbook first"):
        ribbon_actions.build(ExcelWorkbook(unsaved), "en")
