"""What churnkit does, whoever asks (the command line, the ribbon, the worksheet functions): read and score an
order book, write the lists, a customer's history and the settings sheet into a workbook.

Tasks work through the workbook interface (``addin.workbooks``) and the readers (``addin.sources``); they
never print, and never talk to Excel or xlwings themselves.
"""
from .analysis import Analysis, analyse_workbook
from .backtest import backtest_of
from .lists import RefreshResult, list_heading, refresh_lists
from .sheets import close_customers, customer_by_name, history_of, write_customer_history, write_settings_sheet

__all__ = ["Analysis", "analyse_workbook", "backtest_of", "RefreshResult", "refresh_lists", "list_heading",
           "history_of", "customer_by_name", "close_customers", "write_customer_history", "write_settings_sheet"]
