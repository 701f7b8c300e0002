"""What each defined name of a report template is filled with, computed from the engine when first asked.

Single cells (``ck_as_of``, ``ck_headline_high`` …) take one value; blocks (``ck_…_rows``)
take rows, one list of values per row, in the column order of the bundled templates
(``BLOCK_COLUMNS``; the cohort table has the cohort, its size, then one column per month
since the first order, as many as the block is wide; the backtest's are ``backtest_figures``'). A template
may show a value in several places: the part of a name after a dot is ignored (``ck_as_of.list`` shows the
as-of month again). A breakdown by rep or region is left out when no customer has one (``left_out``), and so
is the section that goes with it (``SECTIONS``).
"""
from __future__ import annotations

import datetime as dt
import functools
from typing import TYPE_CHECKING, Any, Callable

import numpy as np
import pandas as pd

from churn_logic import (AT_RISK, REPORT_MONTHS, RISK_LABELS, ChurnModel, CustomerHistory, UnknownCustomerError,
                         churn_kpis, cohort_retention, customer_history, headline_figures, most_valuable_first,
                         risk_breakdown, winback_list)

from ..content.list_sheets import DEPARTED_FIELDS, departed_rep_customers
from ..content.words import WORDS
from ..errors import UserError
from ..ooxml.worksheet import cell_value
from ..tasks import backtest_of
from .backtest_figures import CALIBRATION_COLUMNS, FAMILIES, RULE_COLUMNS, THRESHOLD_COLUMNS, BacktestFigures

if TYPE_CHECKING:
    from ..tasks import Analysis

BLOCK_COLUMNS = {
    "ck_at_risk_rows": ["customer", "name", "risk", "core_class", "value_at_stake", "value_last_12m",
                        "last_order_date", "rep", "region", "reasons", "p_no_order", "expected_loss",
                        "dropped_categories"],
    "ck_departed_rows": DEPARTED_FIELDS,
    "ck_by_rep_rows": ["group", "customers", "high", "medium", "lost", "value_at_stake"],
    "ck_by_region_rows": ["group", "customers", "high", "medium", "lost", "value_at_stake"],
    "ck_win_back_rows": ["rank", "customer", "name", "core_class", "value_before_lapse", "lapsed_since",
                         "last_order_date", "main_products", "rep", "email"],
    "ck_monthly_rows": ["month", "active_customers", "new_customers", "churned_customers", "reactivated_customers",
                        "churn_rate", "revenue", "revenue_lost"],
    "ck_card_monthly_rows": ["month", "amount", "orders", "value"],
    "ck_card_lines_rows": ["date", "order", "product", "category", "quantity", "amount"],
    "ck_backtest_rules_rows": RULE_COLUMNS,
    **{f"ck_backtest_{family}_rows": THRESHOLD_COLUMNS for family in FAMILIES},
    "ck_backtest_calibration_rows": CALIBRATION_COLUMNS,
}
CARD_FIELDS = {"customer": "customer", "name": "name", "core_class": "core_class", "value_last_12m": "value_last_12m",
               "value_at_stake": "value_at_stake", "last_order": "last_order_date", "first_month": "first_month",
               "rep": "rep", "region": "region", "email": "email", "months_down": "decline_streak",
               "low_months": "low_streak", "months_without_orders": "months_without_orders"}
BREAKDOWNS = {"ck_by_rep_rows": "rep", "ck_by_region_rows": "region"}
"""The breakdown blocks and the customer field each one groups by."""
SECTIONS = {"ck_by_rep_section": "ck_by_rep_rows", "ck_by_region_section": "ck_by_region_rows"}
"""The areas that go with a breakdown (its heading, column headers and block), left out of the report with it."""
HEADLINES = ("customers", "high", "medium", "lost", "low", "at_risk", "core_at_risk", "value_at_stake", "lost_value",
             "core_lost", "active", "churned", "churn_rate", "churn_rate_previous", "new_12m", "churned_12m",
             "reactivated_12m", "revenue_lost_12m")


class ReportData:
    """The values of one report: ``analysis``'s orders, narrowed to ``model`` (e.g. one rep's customers)."""

    def __init__(self, analysis: Analysis, model: ChurnModel, lang: str, customer: str | None = None,
                 rep: str | None = None, now: dt.datetime | None = None):
        self.analysis, self.model, self.lang, self.customer, self.rep = analysis, model, lang, customer, rep
        self.now = (now or dt.datetime.now()).replace(microsecond=0)
        self.words = WORDS[lang]["report"]

    # --- single cells ------------------------------------------------------------
    def value(self, name: str) -> Any:
        return cell_value(CELLS[name](self))

    @functools.cached_property
    def kpis(self) -> pd.DataFrame:
        return churn_kpis(self.model)

    @functools.cached_property
    def headlines(self) -> dict[str, Any]:
        return headline_figures(self.model, self.kpis)

    @functools.cached_property
    def card(self) -> CustomerHistory:
        if self.customer is None:
            raise UserError("This template is a customer card: say which customer with --customer KEY.")
        try:
            return customer_history(self.model, self.customer, self.lang)
        except UnknownCustomerError:
            raise UserError(f"No customer '{self.customer}' is scored in {self.analysis.path.name} (as of "
                            f"{self.model.as_of_label}); the key must match the workbook exactly.") from None

    @functools.cached_property
    def backtest(self) -> BacktestFigures:
        """The rules checked on the whole order book's history (a backtest is never of one rep's customers)."""
        return BacktestFigures(backtest_of(self.analysis), self.analysis.model.settings, self.lang)

    def scope(self) -> str:
        return self.words["all"] if self.rep is None else self.words["rep"].format(rep=self.rep)

    def source(self) -> str:
        return f"{self.analysis.path.name} · " + ", ".join(self.analysis.read.sheets)

    # --- blocks ------------------------------------------------------------------
    def rows(self, name: str, width: int) -> list[list[Any]]:
        """The rows of a block ``width`` columns wide (a row saying there is nothing, when empty)."""
        rows = [[cell_value(v) for v in row] for row in BLOCKS[name](self, width)]
        return rows or [[self.words["none"]]]

    def at_risk_rows(self) -> list[list[Any]]:
        c = self.analysis.forecast.of(self.model.customers.assign(reasons=self.model.reasons(self.lang)))
        c = most_valuable_first(c[c["risk"].isin(AT_RISK)])
        c = c.assign(risk=c["risk"].map(RISK_LABELS[self.lang]))
        return c[BLOCK_COLUMNS["ck_at_risk_rows"]].to_numpy(object).tolist()

    def departed_rows(self) -> list[list[Any]]:
        """The customers of departed reps (docs/spec.md "Rep turnover"), as the Departed Reps sheet lists them."""
        customers = self.model.customers
        return departed_rep_customers(self.model, customers, self.lang).to_numpy(object).tolist()

    def left_out(self, block: str) -> bool:
        """A breakdown by a field no customer has (the orders have no such column, or it is empty) is left out:
        it would be one "(not given)" row."""
        return block in BREAKDOWNS and bool(self.model.customers[BREAKDOWNS[block]].isna().all())

    def breakdown_rows(self, field: str) -> list[list[Any]]:
        frame = risk_breakdown(self.model, field)
        frame["group"] = frame["group"].fillna(self.words["no_group"])
        return frame[BLOCK_COLUMNS["ck_by_rep_rows"]].to_numpy(object).tolist()

    def win_back_rows(self) -> list[list[Any]]:
        frame = winback_list(self.model)
        frame.insert(0, "rank", np.arange(1, len(frame) + 1))
        fields = BLOCK_COLUMNS["ck_win_back_rows"]
        return frame.reindex(columns=fields).to_numpy(object).tolist()

    def monthly_rows(self) -> list[list[Any]]:
        """The monthly KPIs of the last ``REPORT_MONTHS`` months (the first month of the data counts every
        customer as new, so a review of a long book leaves it out)."""
        return self.kpis[BLOCK_COLUMNS["ck_monthly_rows"]].tail(REPORT_MONTHS).to_numpy(object).tolist()

    def cohort_rows(self, width: int) -> list[list[Any]]:
        return cohort_retention(self.model, months_since=max(width - 3, 0)).to_numpy(object).tolist()

    def card_value(self, field: str) -> Any:
        return self.card.summary[CARD_FIELDS[field]]

    def card_monthly_rows(self) -> list[list[Any]]:
        return self.card.monthly[BLOCK_COLUMNS["ck_card_monthly_rows"]].to_numpy(object).tolist()

    def card_lines_rows(self) -> list[list[Any]]:
        return self.card.lines.reindex(columns=BLOCK_COLUMNS["ck_card_lines_rows"]).to_numpy(object).tolist()


CELLS: dict[str, Callable[[ReportData], Any]] = {
    "ck_as_of": lambda d: d.model.as_of_label,
    "ck_source": ReportData.source,
    "ck_scope": ReportData.scope,
    "ck_generated": lambda d: d.now.date(),
    **{f"ck_headline_{key}": (lambda d, key=key: d.headlines[key]) for key in HEADLINES},
    **{f"ck_card_{field}": (lambda d, field=field: d.card_value(field)) for field in CARD_FIELDS},
    "ck_card_risk": lambda d: RISK_LABELS[d.lang][d.card.summary["risk"]],
    "ck_card_reasons": lambda d: d.card.summary["reasons"],
    "ck_backtest_horizon": lambda d: d.backtest.result.horizon_months,
    "ck_backtest_months": lambda d: len(d.backtest.result.months),
    "ck_backtest_period": lambda d: d.backtest.period(),
    "ck_backtest_scored": lambda d: d.backtest.result.scored,
    "ck_backtest_churned": lambda d: d.backtest.result.churned,
    "ck_backtest_base_rate": lambda d: d.backtest.result.base_rate,
    "ck_backtest_history": lambda d: d.backtest.history(),
    "ck_backtest_why": lambda d: d.backtest.why(),
    **{f"ck_backtest_recommended_{family}": (lambda d, family=family: d.backtest.recommended(family))
       for family in FAMILIES},
    **{f"ck_backtest_verdict_{figure}": (lambda d, figure=figure: d.backtest.verdicts(figure))
       for figure in ("precision", "recall", "lift", "balanced_accuracy")},
    "ck_backtest_auroc": lambda d: d.backtest.model_figure("auroc"),
    "ck_backtest_brier": lambda d: d.backtest.model_figure("brier"),
    "ck_backtest_model_customers": lambda d: d.backtest.model_figure("customers"),
    "ck_backtest_model_churned": lambda d: d.backtest.model_figure("churned"),
    "ck_backtest_model_note": lambda d: d.backtest.model_note(),
}
BLOCKS: dict[str, Callable[[ReportData, int], list[list[Any]]]] = {
    "ck_at_risk_rows": lambda d, width: d.at_risk_rows(),
    **{name: (lambda d, width, field=field: d.breakdown_rows(field)) for name, field in BREAKDOWNS.items()},
    "ck_win_back_rows": lambda d, width: d.win_back_rows(),
    "ck_departed_rows": lambda d, width: d.departed_rows(),
    "ck_monthly_rows": lambda d, width: d.monthly_rows(),
    "ck_cohort_rows": ReportData.cohort_rows,
    "ck_card_monthly_rows": lambda d, width: d.card_monthly_rows(),
    "ck_card_lines_rows": lambda d, width: d.card_lines_rows(),
    "ck_backtest_rules_rows": lambda d, width: d.backtest.rule_rows(),
    **{f"ck_backtest_{family}_rows": (lambda d, width, family=family: d.backtest.threshold_rows(family))
       for family in FAMILIES},
    "ck_backtest_calibration_rows": lambda d, width: d.backtest.calibration_rows(),
}
