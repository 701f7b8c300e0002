"""Who is on which list, and in which order (SPEC "Verdicts"; README "The lists in your workbook").

- *Flagged*: every customer a rule fired for (LOST, HIGH, MEDIUM): what ``scan`` and
  ``=AT_RISK_LIST()`` show, most urgent first (risk, then core class, then value at stake).
- *At risk*: HIGH and MEDIUM — still buying, but less or only token amounts: the At-Risk
  sheet and the reports' at-risk figures. LOST customers go to the win-back list instead.
- The sheets and reports put the most valuable first: core class (A, B, C), then value
  (value at stake; for the win-back list, what the customer bought before lapsing), then key.
- The reports look back ``REPORT_MONTHS`` months (monthly KPIs, cohorts).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .verdicts import RISK_ORDER, RISKS

FLAGGED = RISKS[:3]                   # LOST, HIGH, MEDIUM
AT_RISK = ("HIGH", "MEDIUM")
CLASS_ORDER = {"A": 0, "B": 1, "C": 2}
REPORT_MONTHS = 24


def most_valuable_first(frame: pd.DataFrame, value: str = "value_at_stake") -> pd.DataFrame:
    """Rows by core class (A first), then ``value`` (largest first), then customer key."""
    return frame.iloc[np.lexsort((_text_order(frame["customer"]), -frame[value].to_numpy(),
                                  _places(frame["core_class"], CLASS_ORDER)))]


def most_urgent_first(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows by risk (LOST, HIGH, MEDIUM, LOW), then core class, value at stake and key."""
    return frame.iloc[np.lexsort((_text_order(frame["customer"]), -frame["value_at_stake"].to_numpy(),
                                  _places(frame["core_class"], CLASS_ORDER), _places(frame["risk"], RISK_ORDER)))]


def _places(column: pd.Series, order: dict[str, int]) -> np.ndarray:
    """Each value's place in ``order`` (looked up a column at a time, not value by value)."""
    return np.asarray(list(order.values()))[pd.Index(list(order)).get_indexer(column)]


def _text_order(texts: pd.Series) -> np.ndarray:
    """A sort key ordering the texts as Python compares them (by code point): their ranks, which Arrow finds far
    faster than Python compares texts, since UTF-8's bytes order as the code points do."""
    return pc.rank(pa.array(texts.astype(str)), tiebreaker="first").to_numpy()
