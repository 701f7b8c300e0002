"""churnkit's engine: pure functions from order lines to churn verdicts (see docs/spec.md).

No file, Excel, mail or command-line code lives here.
"""
from .backtest import Backtest, RuleResult, backtest
from .breakdowns import risk_breakdown
from .categories import CategoryDrops
from .cohorts import cohort_retention
from .customer_months import LATEST_FIELDS, POSITION_BITS, CustomerMonths
from .cell_texts import UNITS_PER_ONE, date_bounds, read_date_texts, read_value_texts
from .columns import SYNONYMS, find_header_row, match_headers, normalise_header
from .forecast_quality import BACKTEST_MONTHS, probabilities_by_month
from .headlines import headline_figures
from .history import CustomerHistory, UnknownCustomerError, customer_history
from .kpis import churn_kpis
from .lazy_scipy import warm_up
from .lists import AT_RISK, CLASS_ORDER, FLAGGED, REPORT_MONTHS, most_urgent_first, most_valuable_first
from .model import ChurnModel, NoOrdersError, analyse
from .money import AmountTooLargeError
from .orders import OrderBook, RawSheet, combine, combine_tables, no_customer_keys, normalise
from .parsing import DAY_FIRST, LARGEST_VALUE, MONTH_FIRST, future_cutoff
from .reps import RepTurnover
from .periods import may_be_incomplete, month_label, parse_month
from .purchase_days import purchase_days_of_bits
from .no_order import NoOrderForecast, forecast as forecast_no_order
from .settings import SPECS, Settings, SettingsError, canonical_name, resolve
from .subset import rep_customers
from .verdicts import RISK_LABELS, RISKS, format_number
from .winback import winback_list

__all__ = [
    "analyse", "ChurnModel", "NoOrdersError", "churn_kpis", "winback_list", "customer_history",
    "CustomerHistory", "UnknownCustomerError", "normalise", "combine", "future_cutoff", "RawSheet", "OrderBook", "find_header_row",
    "match_headers", "Settings", "SettingsError", "SPECS", "resolve", "month_label", "parse_month", "RISKS",
    "may_be_incomplete", "AT_RISK", "FLAGGED", "CLASS_ORDER", "REPORT_MONTHS", "most_valuable_first",
    "most_urgent_first", "backtest", "Backtest", "RuleResult", "risk_breakdown", "cohort_retention", "SYNONYMS",
    "normalise_header", "probabilities_by_month", "BACKTEST_MONTHS", "headline_figures", "NoOrderForecast", "forecast_no_order",
    "canonical_name", "rep_customers", "RISK_LABELS", "format_number", "DAY_FIRST", "MONTH_FIRST",
    "CategoryDrops", "RepTurnover", "UNITS_PER_ONE", "date_bounds", "read_date_texts", "read_value_texts",
    "no_customer_keys", "LARGEST_VALUE", "CustomerMonths", "LATEST_FIELDS", "POSITION_BITS",
    "warm_up", "combine_tables", "AmountTooLargeError", "purchase_days_of_bits",
]
