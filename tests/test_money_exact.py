"""Amounts behave as the decimals written in the source (SPEC "Periods"), on a real file and in the rules."""
import datetime as dt

import numpy as np

from churn_logic import money
from conftest import write_orders


def test_float_sums_that_are_not_exact_give_the_specs_streaks(churnkit, tmp_path):
    """27.94 + 15.96 is 43.900000000000006 in binary: July equals August, it is no decrease; and a month whose
    sales are fully returned (27.94 + 15.96 − 43.90) is a month without orders, not one of 7e-15."""
    rows = [[dt.datetime(2024, 1, 5), "K1", "Kay", 80.0, "A1"], [dt.datetime(2024, 6, 5), "K1", "Kay", 60.0, "A2"],
            [dt.datetime(2024, 7, 3), "K1", "Kay", 27.94, "A3"], [dt.datetime(2024, 7, 9), "K1", "Kay", 15.96, "A4"],
            [dt.datetime(2024, 8, 2), "K1", "Kay", 43.90, "A5"],
            [dt.datetime(2024, 1, 5), "K2", "Em", 500.0, "B1"],
            [dt.datetime(2024, 2, 3), "K2", "Em", 27.94, "B2"], [dt.datetime(2024, 2, 9), "K2", "Em", 15.96, "B3"],
            [dt.datetime(2024, 2, 20), "K2", "Em", -43.90, "B4"]]
    path = write_orders(tmp_path / "orders.xlsx", rows)
    result = churnkit("scan", path, "--all", "--format", "json", "--as-of", "2024-08").json()
    by_key = {c["customer"]: c for c in result["customers"]}
    assert by_key["K1"]["decline_streak"] == 0          # Jul 43.90 → Aug 43.90: equal
    assert by_key["K1"]["value_last_12m"] == 227.8       # 80 + 60 + 27.94 + 15.96 + 43.90, exactly
    assert by_key["K2"]["months_without_orders"] == 7   # Feb nets to exactly 0: Feb … Aug
    assert by_key["K2"]["risk"] == "LOST"
    assert churnkit("scan", path, "--all", "--format", "json", "--as-of", "2024-08",
                    "--low-threshold", "43.9").json()["customers"][0]["low_streak"] >= 1


def test_sums_of_units_are_exact_integers_at_any_size():
    rng = np.random.default_rng(7)
    units = rng.integers(-10**13, 10**13, 200_000)           # up to a billion per line: sums beyond 2^53
    cells = rng.integers(0, 50, len(units))
    exact = [sum(int(u) for u in units[cells == cell]) for cell in range(50)]
    assert money.unit_sums(cells, units, 50).tolist() == exact
    assert money.to_units(np.array([27.94, 15.96, -43.9, 0.1, 0.2])).sum() == 3000


def test_comparisons_with_settings_are_exact():
    assert money.at_most(0.3) == 3000 and money.at_most(43.9) == 439000 and money.at_most(0.00005) == 0
    now, before = np.array([900_000, 899_999, 0]), np.array([1_000_000, 1_000_000, 0])
    assert money.fell_by(now, before, 10.0).tolist() == [False, True, False]    # 90 is not below 100 × 0.9
    assert money.fell_by(now, before, 0.0).tolist() == [True, True, False]
    big = np.array([9 * 10**17]), np.array([10**18])
    assert money.fell_by(*big, 10.0).tolist() == [False]                       # a tie far beyond float precision
    assert money.below_pct(np.array([79, 80]), np.array([100, 100]), 80.0).tolist() == [True, False]
