"""How right the rules were on the business's own history (SPEC "Backtest"), with the probability of no order
(SPEC "Probability of no order") scored the same way."""
from __future__ import annotations

from churn_logic import Backtest, backtest, probabilities_by_month

from .analysis import Analysis


def backtest_of(analysis: Analysis) -> Backtest:
    """Every rule alone and the verdicts, checked at every as-of month that has ``horizon_months`` later months
    in the data; ``p_no_order`` is scored over the latest of them."""
    return backtest(analysis.model, probability=probabilities_by_month)
