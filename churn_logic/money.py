"""Amounts as exact decimals (SPEC "Periods": sums and comparisons are exact).

Binary floating point cannot hold 27.94: added up, 27.94 + 15.96 is 43.900000000000006, a
little more than 43.90, and 27.94 + 15.96 − 43.90 is 7e-15, "an order". So every amount
(and quantity) is counted in units of 0.0001 — four decimals, more than any currency has —
as an integer: each line's value is rounded to that once, as it is read, and every sum and
comparison the rules make is then integer arithmetic. A sum is shown as the float nearest to
the exact decimal, which is exact wherever a sum is below 2^53 units (900 billion).
"""
from __future__ import annotations

import decimal

import numpy as np

DECIMALS = 4
SCALE = 10 ** DECIMALS               # units per 1 (of the currency, or of a quantity)
_SPLIT = 1 << 26                     # a unit count is added up as its high and low parts, each exactly
_EXACT_FLOAT = 1 << 53               # below it, every float sum of integers is exact
_LARGEST_TOTAL = float(1 << 62)      # unit counts stay below this, so int64 holds every sum


class AmountTooLargeError(ValueError):
    """A sum of amounts beyond what the rules count exactly (over 460 trillion)."""


def to_units(values: np.ndarray, scale: int = SCALE) -> np.ndarray:
    """Values (floats as read from the cells) as whole units, rounded once to ``1 / scale``."""
    return np.rint(np.asarray(values, float) * scale).astype(np.int64)


def shown(units: np.ndarray, scale: int = SCALE) -> np.ndarray:
    """Units as the floats nearest to the decimals they are."""
    return np.asarray(units) / scale


def unit_sums(cells: np.ndarray, units: np.ndarray, size: int) -> np.ndarray:
    """Per cell (``cells``: each line's cell number below ``size``), the exact sum of its lines' units.

    ``np.bincount`` adds floats; it adds integers exactly as long as each total stays below 2^53: when
    all the units together stay below half of that, in one pass, else as two parts that each stay there:
    ``high · 2^26 + low``.
    """
    magnitude = np.abs(units).sum(dtype=float)
    if magnitude >= _LARGEST_TOTAL:
        raise AmountTooLargeError("the amounts add up to more than churnkit counts exactly (460 trillion)")
    if magnitude < _EXACT_FLOAT // 2:     # every running sum is an integer a float holds: one pass is exact
        return np.bincount(cells, weights=units, minlength=size).astype(np.int64)
    if len(units) >= _EXACT_FLOAT // _SPLIT:       # so many lines that the low parts could pass 2^53
        totals = np.zeros(size, np.int64)
        np.add.at(totals, cells, units)
        return totals
    high, low = np.divmod(units, _SPLIT)
    return (np.bincount(cells, weights=high, minlength=size).astype(np.int64) * _SPLIT
            + np.bincount(cells, weights=low, minlength=size).astype(np.int64))


def exact_sum(values: np.ndarray) -> float:
    """The exact decimal sum of amounts that are already exact to four decimals, as a float."""
    units = to_units(values)
    return float(units.sum()) / SCALE if len(units) else 0.0


def at_most(threshold: float, scale: int = SCALE) -> int:
    """The largest unit count that is at or below ``threshold`` (a setting, as the decimal it was written)."""
    return int((_decimal(threshold) * scale).to_integral_value(decimal.ROUND_FLOOR))


def fell_by(now: np.ndarray, before: np.ndarray, pct: float) -> np.ndarray:
    """Where ``now < before × (1 − pct / 100)`` (SPEC "Decline streak D"), exactly."""
    if not pct:
        return now < before
    return below_pct(now, before, decimal.Decimal(100) - _decimal(pct))


def below_pct(part: np.ndarray, whole: np.ndarray, pct: float | decimal.Decimal) -> np.ndarray:
    """Where ``part < whole × pct / 100``, exactly: with ``pct`` written as ``P / 10^k``, in integers
    ``part · 100 · 10^k < whole · P`` (floats where they are exact, Python's integers near a tie)."""
    share = _decimal(pct)
    places = max(0, -share.as_tuple().exponent)
    hundred, kept = 100 * 10 ** places, int(share * 10 ** places)
    part, whole = np.broadcast_arrays(np.asarray(part), np.asarray(whole))
    left, right = part.astype(float) * hundred, whole.astype(float) * kept
    result = left < right
    inexact = np.maximum(np.abs(left), np.abs(right)) >= _EXACT_FLOAT
    for index in zip(*np.nonzero(inexact & (np.abs(left - right) <= 1e-9 * np.abs(right) + 1))):
        result[index] = int(part[index]) * hundred < int(whole[index]) * kept
    return result


def _decimal(value: float | decimal.Decimal) -> decimal.Decimal:
    """A setting as the decimal it was written as (``12.5``, not the binary fraction nearest to it)."""
    return value if isinstance(value, decimal.Decimal) else decimal.Decimal(repr(float(value)))
