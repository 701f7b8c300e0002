"""Turning the cells of order sheets into clean order lines (SPEC "Input: order lines").

A row whose date, customer or value cannot be read is not dropped silently: it is
returned in ``skipped`` with its sheet, Excel row number and what was wrong. Blank rows
and totals rows (``Total``, ``合计``, ``总计``) are not order lines and are not errors.
"""
from __future__ import annotations

import dataclasses
from typing import Sequence

import numpy as np
import pandas as pd

from .parsing import as_text, parse_dates, parse_values
from .settings import Settings

TOTALS_WORDS = {"total", "totals", "grand total", "sum", "subtotal", "合计", "总计", "小计", "总合计"}
TEXT_FIELDS = ("name", "order", "product", "category", "rep", "region", "email")
SKIPPED_COLUMNS = ["sheet", "row", "reason"]


@dataclasses.dataclass
class RawSheet:
    """One sheet's order cells as text: ``cells[field]`` lines up with ``rows`` (Excel row numbers)."""
    sheet: str
    rows: np.ndarray
    cells: dict[str, pd.Series]


@dataclasses.dataclass
class OrderBook:
    """Clean order lines, the rows that could not be read, and how many were left out on purpose."""
    lines: pd.DataFrame
    skipped: pd.DataFrame
    ignored_rows: int = 0

    @property
    def fields(self) -> set[str]:
        return {f for f in (*TEXT_FIELDS, "quantity") if f in self.lines.columns}


def normalise(sheets: Sequence[RawSheet], settings: Settings) -> OrderBook:
    """Order lines from raw sheets: customer (text, exact), date, amount, optional fields."""
    frames, skipped, ignored = [], [], 0
    required = ("date", "customer", "amount", *(("quantity",) if settings.measure == "quantity" else ()))
    for raw in sheets:
        frame, bad, left_out = _normalise_sheet(raw, settings, required)
        frames.append(frame)
        skipped.append(bad)
        ignored += left_out
    lines = pd.concat(frames, ignore_index=True) if frames else _empty_lines()
    bad_rows = pd.concat(skipped, ignore_index=True) if skipped else pd.DataFrame(columns=SKIPPED_COLUMNS)
    return OrderBook(lines=lines, skipped=bad_rows, ignored_rows=ignored)


def _empty_lines() -> pd.DataFrame:
    return pd.DataFrame({"customer": pd.Series(dtype=object), "date": pd.Series(dtype="datetime64[ns]"),
                         "amount": pd.Series(dtype=float), "sheet": pd.Series(dtype=object),
                         "row": pd.Series(dtype=np.int64)})


def _normalise_sheet(raw: RawSheet, settings: Settings, required: tuple[str, ...]
                     ) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    index = pd.RangeIndex(len(raw.rows))
    text = {field: as_text(series.reset_index(drop=True)) for field, series in raw.cells.items()}
    present = [text[f].notna() for f in ("date", "customer", "amount") if f in text]
    blank = ~np.logical_or.reduce([p.to_numpy(bool) for p in present]) if present else np.ones(len(index), bool)
    totals = np.logical_or.reduce([_is_totals_word(cells) for cells in text.values()])
    keep = ~(blank | totals)

    dates = parse_dates(text["date"], settings.date_format)
    amounts = parse_values(text["amount"], settings.decimal_comma)
    quantity = parse_values(text["quantity"], settings.decimal_comma) if "quantity" in text else None
    parsed = {"date": dates, "customer": text["customer"], "amount": amounts, "quantity": quantity}
    problems = pd.Series("", index=index)
    for field in required:
        value = parsed[field]
        if value is None:
            continue
        empty = text[field].isna()
        unreadable = value.isna() & ~empty
        problems = _add(problems, empty & keep, f"{field} is empty")
        if field != "customer":
            kind = "a date" if field == "date" else "a number"
            words = "'" + text[field][unreadable].astype(str) + f"' is not {kind}"
            problems = _add(problems, unreadable & keep, f"{field} " + words)
    bad = keep & (problems != "").to_numpy()
    good = keep & ~bad

    lines = pd.DataFrame({"customer": text["customer"][good].to_numpy(object, na_value=None),
                          "date": dates[good].to_numpy("datetime64[ns]"),
                          "amount": amounts[good].to_numpy(float)})
    if quantity is not None:
        lines["quantity"] = quantity[good].to_numpy(float)
    for field in TEXT_FIELDS:
        if field in text:
            lines[field] = text[field][good].to_numpy(object, na_value=None)
    lines["sheet"] = raw.sheet
    lines["row"] = np.asarray(raw.rows)[good]
    skipped = pd.DataFrame({"sheet": raw.sheet, "row": np.asarray(raw.rows)[bad],
                            "reason": problems[bad].to_numpy(object)}, columns=SKIPPED_COLUMNS)
    return lines, skipped, int((totals & ~blank).sum())


def _is_totals_word(cells: pd.Series) -> np.ndarray:
    """True where a cell says Total / 合计 (any case, a trailing colon allowed)."""
    words = cells.str.lower().str.rstrip(":：").str.strip()
    return words.isin(TOTALS_WORDS).fillna(False).to_numpy(bool)


def _add(problems: pd.Series, mask: pd.Series, words) -> pd.Series:
    """Append a problem description to the rows in ``mask``."""
    mask = pd.Series(np.asarray(mask, bool), index=problems.index)
    if not mask.any():
        return problems
    if isinstance(words, pd.Series):
        words = words.reindex(problems.index)[mask]
    joined = problems[mask].where(problems[mask] == "", problems[mask] + "; ") + words
    problems = problems.copy()
    problems[mask] = joined
    return problems
