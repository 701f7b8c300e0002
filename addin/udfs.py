"""Excel worksheet functions (xlwings UDFs): the verdicts, lists and KPIs of SPEC "Verdicts",
"Core customers (ABC)" and "Where the rules come from" in cells.

``orders`` is a range with its header row (e.g. ``Orders[#All]``; title rows above the
header are fine), the handle text of =CHURN_MODEL(...), or omitted: then the calling
workbook's order sheet(s), chosen as the command line chooses them, with that workbook's
settings sheet and churnkit.toml under the ``settings`` range. ``settings`` is a
two-column range (setting, value) read like the settings sheet (English or Chinese
names, a header row allowed), plus ``lang`` (en or zh) for the reasons; omitted means
the defaults. With a handle, the settings are those given to CHURN_MODEL and
``settings`` may only set ``lang``.

Orders are read by the file reader's own code (``addin.sources``: every cell as text,
the header row found by itself, the engine's normalise), so the numbers equal the
command line's. Models are cached by content (``addin.excel.model_cache``): for many cells,
build one with CHURN_MODEL and pass its handle. An omitted ``orders`` reads the whole
workbook once per recalculation (``addin.excel.recalculation``: the cells of one recalculation
share that read and the model), and Excel does not know that such a cell depends on the
orders: after changing them, recalculate fully (Ctrl+Alt+F9).
Nothing raises into Excel: a problem is a cell value starting with ``#CHURN:``.

xlwings reads type hints as converters, so the functions have none. Lists are plain
2-D lists with a header row of the engine's field names; they spill as native dynamic
arrays (xlwings advises against ``expand`` where Excel has them). Imports are absolute:
the add-in build loads this file on its own to generate the VBA wrappers.
"""
from __future__ import annotations

import xlwings as xw

from addin.excel import functions
from addin.excel.functions import (ARGUMENT_HELP_ZH, CUSTOMER_DOC, ERROR, ORDERS_DOC, SETTINGS_DOC, CellError,
                                   cell_safe)

__all__ = ["ARGUMENT_HELP_ZH", "ERROR", "CellError"]


# --- the worksheet functions -------------------------------------------------------

@xw.func
@xw.arg("orders", ndim=2, doc=ORDERS_DOC)
@xw.arg("settings", ndim=2, doc=SETTINGS_DOC)
@cell_safe
def CHURN_MODEL(orders, settings=None):
    """Builds the churn model of these orders once; pass the text it shows to the other functions as orders.

    一次性建立这些订单的流失模型；把它显示的文本作为 orders 传给其他函数。
    """
    return functions.handle(orders, settings)


@xw.func
@xw.arg("customer", doc=CUSTOMER_DOC)
@xw.arg("orders", ndim=2, doc=ORDERS_DOC)
@xw.arg("settings", ndim=2, doc=SETTINGS_DOC)
@cell_safe
def CHURN_RISK(customer, orders=None, settings=None, caller=None):
    """The customer's risk: LOST, HIGH, MEDIUM or LOW.

    客户的风险等级：LOST、HIGH、MEDIUM 或 LOW。
    """
    return functions.field(customer, orders, settings, caller, "risk")


@xw.func
@xw.arg("customer", doc=CUSTOMER_DOC)
@xw.arg("orders", ndim=2, doc=ORDERS_DOC)
@xw.arg("settings", ndim=2, doc=SETTINGS_DOC)
@cell_safe
def CHURN_PROBABILITY(customer, orders=None, settings=None, caller=None):
    """The chance that the customer orders nothing in the horizon_months (default 3) after the as-of month.

    客户在评估月份之后 horizon_months（默认 3）个月内没有订单的概率。
    """
    return functions.probability(customer, orders, settings, caller)


@xw.func
@xw.arg("customer", doc=CUSTOMER_DOC)
@xw.arg("orders", ndim=2, doc=ORDERS_DOC)
@xw.arg("settings", ndim=2, doc=SETTINGS_DOC)
@cell_safe
def CHURN_REASONS(customer, orders=None, settings=None, caller=None):
    """Why the customer is at risk, in words (empty when no rule fired).

    客户有风险的原因（文字说明；没有规则触发时为空）。
    """
    return functions.reasons(customer, orders, settings, caller)


@xw.func
@xw.arg("customer", doc=CUSTOMER_DOC)
@xw.arg("orders", ndim=2, doc=ORDERS_DOC)
@xw.arg("settings", ndim=2, doc=SETTINGS_DOC)
@cell_safe
def DECLINE_STREAK(customer, orders=None, settings=None, caller=None):
    """Months in a row, ending at the as-of month, in which the customer's sales fell.

    截至评估月份，客户销售额连续下降的月数。
    """
    return functions.field(customer, orders, settings, caller, "decline_streak")


@xw.func
@xw.arg("customer", doc=CUSTOMER_DOC)
@xw.arg("orders", ndim=2, doc=ORDERS_DOC)
@xw.arg("settings", ndim=2, doc=SETTINGS_DOC)
@cell_safe
def LOW_STREAK(customer, orders=None, settings=None, caller=None):
    """Months in a row, ending at the as-of month, with sales at or below the low threshold.

    截至评估月份，客户销售额连续不高于低额阈值的月数。
    """
    return functions.field(customer, orders, settings, caller, "low_streak")


@xw.func
@xw.arg("customer", doc=CUSTOMER_DOC)
@xw.arg("orders", ndim=2, doc=ORDERS_DOC)
@xw.arg("settings", ndim=2, doc=SETTINGS_DOC)
@cell_safe
def MONTHS_WITHOUT_ORDERS(customer, orders=None, settings=None, caller=None):
    """Months in a row, ending at the as-of month, without positive sales.

    截至评估月份，客户连续没有正销售额的月数。
    """
    return functions.field(customer, orders, settings, caller, "months_without_orders")


@xw.func
@xw.arg("customer", doc=CUSTOMER_DOC)
@xw.arg("orders", ndim=2, doc=ORDERS_DOC)
@xw.arg("settings", ndim=2, doc=SETTINGS_DOC)
@cell_safe
def CORE_CLASS(customer, orders=None, settings=None, caller=None):
    """The customer's core class: A (the customers bringing 80 % of the last 12 months' sales), B or C.

    客户的核心类别：A（贡献近 12 个月 80% 销售额的客户）、B 或 C。
    """
    return functions.field(customer, orders, settings, caller, "core_class")


@xw.func
@xw.arg("customer", doc=CUSTOMER_DOC)
@xw.arg("orders", ndim=2, doc=ORDERS_DOC)
@xw.arg("settings", ndim=2, doc=SETTINGS_DOC)
@cell_safe
def VALUE_AT_STAKE(customer, orders=None, settings=None, caller=None):
    """What the customer bought in the 12 months before the streak behind their verdict began.

    判定所依据的连续月份开始之前 12 个月内，客户的购买额。
    """
    return functions.field(customer, orders, settings, caller, "value_at_stake")


@xw.func
@xw.arg("customer", doc=CUSTOMER_DOC)
@xw.arg("orders", ndim=2, doc=ORDERS_DOC)
@xw.arg("settings", ndim=2, doc=SETTINGS_DOC)
@cell_safe
def CUSTOMER_HISTORY(customer, orders=None, settings=None, caller=None):
    """The customer's months from their first order to the as-of month: value, amount, orders (spills).

    客户从首次下单到评估月份的各月：计量值、金额、订单数（溢出显示）。
    """
    return functions.history(customer, orders, settings, caller)


@xw.func
@xw.arg("orders", ndim=2, doc=ORDERS_DOC)
@xw.arg("settings", ndim=2, doc=SETTINGS_DOC)
@cell_safe
def AT_RISK_LIST(orders=None, settings=None, caller=None):
    """The LOST, HIGH and MEDIUM customers, most urgent first, as churnkit scan lists them (spills).

    LOST、HIGH 和 MEDIUM 客户，最紧急的在前，与 churnkit scan 的列表相同（溢出显示）。
    """
    return functions.at_risk(orders, settings, caller)


@xw.func
@xw.arg("orders", ndim=2, doc=ORDERS_DOC)
@xw.arg("settings", ndim=2, doc=SETTINGS_DOC)
@cell_safe
def WINBACK_LIST(orders=None, settings=None, caller=None):
    """The lapsed (LOST) customers, most valuable first, with what they used to buy (spills).

    已流失（LOST）的客户，价值最高的在前，附其过去购买的商品（溢出显示）。
    """
    return functions.win_back(orders, settings, caller)


@xw.func
@xw.arg("orders", ndim=2, doc=ORDERS_DOC)
@xw.arg("settings", ndim=2, doc=SETTINGS_DOC)
@cell_safe
def CHURN_KPIS(orders=None, settings=None, caller=None):
    """Month by month: active, new, churned and reactivated customers, churn rate, revenue, revenue lost (spills).

    逐月：活跃、新增、流失和回流客户数，流失率，销售额，流失金额（溢出显示）。
    """
    return functions.kpis(orders, settings, caller)
