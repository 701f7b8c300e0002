"""The Customer History sheet: one customer's verdict, monthly trend (with a chart) and order lines."""
from __future__ import annotations

from churn_logic import RISK_LABELS, ChurnModel, CustomerHistory

from ..ooxml.worksheet import cell_value
from .model import Chart, Column, SheetContent, Table
from .sheet_kinds import KINDS
from .words import WORDS

SHEET_NAMES = KINDS["history"].names


def history_sheet(model: ChurnModel, history: CustomerHistory, lang: str = "en") -> SheetContent:
    """The sheet for one customer's history (see ``churn_logic.customer_history``)."""
    words = WORDS[lang]["history"]
    s = history.summary
    heading = [
        (words["name"], cell_value(s.get("name"))), (words["risk"], RISK_LABELS[lang][s["risk"]]),
        (words["reasons"], s["reasons"]), (words["class"], s["core_class"]),
        (words["streaks"], f"{s['decline_streak']} / {s['low_streak']} / {s['months_without_orders']}"),
        (words["value"], float(s["value_last_12m"])), (words["as_of"], model.as_of_label),
    ]
    monthly = Table("ChurnHistoryMonths", [Column(words["monthly"][0], width=10), Column(words["monthly"][1], "money"),
                                           Column(words["monthly"][2], "money"), Column(words["monthly"][3], "int", 9)],
                    history.monthly[["month", "value", "amount", "orders"]].values.tolist())
    lines = history.lines
    line_rows = [[cell_value(r["date"]), cell_value(r.get("order")), cell_value(r.get("product")), cell_value(r.get("quantity")),
                  float(r["amount"]), r["sheet"], int(r["row"])] for r in lines.to_dict("records")]
    kinds = ("date", "text", "text", "int", "money", "text", "int")
    widths = (12, 12, 24, 9, 13, 12, 7)
    order_lines = Table("ChurnHistoryLines", [Column(h, k, w) for h, k, w in zip(words["lines"], kinds, widths)],
                        line_rows)
    return SheetContent(SHEET_NAMES[lang], KINDS["history"].titles[lang] + s["customer"], heading,
                        [monthly, order_lines], [Chart(words["chart"], table=0, category=0, values=(2,))],
                        tab_color="FF2E75B6")
