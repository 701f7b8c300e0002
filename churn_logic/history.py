"""One customer's history: the monthly trend and the order lines behind the verdict (SPEC "Where the rules come from", 3)."""
from __future__ import annotations

import dataclasses

import pandas as pd

from . import money
from .model import ChurnModel
from .periods import month_label


class UnknownCustomerError(KeyError):
    """No scored customer has that key."""


@dataclasses.dataclass
class CustomerHistory:
    summary: dict              # the customer's row of the model, with reasons
    monthly: pd.DataFrame      # month, value (the measure), amount, orders — first order month to A
    lines: pd.DataFrame        # the customer's order lines up to A, oldest first


def customer_history(model: ChurnModel, customer: str, lang: str = "en") -> CustomerHistory:
    """The history of the customer with exactly this key."""
    row = model.position(customer)
    if row is None:
        raise UnknownCustomerError(customer)
    series = model.series
    start = int(series.start[row])
    columns = range(start, series.values.shape[1])
    monthly = pd.DataFrame({
        "month": [month_label(series.first_month + col) for col in columns],
        "value": series.shown_values(row, slice(start, None)),
        "amount": money.shown(series.amount[row, start:]),
        "orders": series.orders[row, start:].astype(int),
    })
    summary = model.customers.iloc[row].to_dict()
    summary["reasons"] = model.reason(row, lang)
    lines = model.lines[model.lines["customer"] == customer] if model.months is None else \
        model.months.lines_of(customer, model.as_of)
    lines = lines.sort_values("date", kind="stable")
    return CustomerHistory(summary, monthly, lines.reset_index(drop=True))
