"""Order lines drawn from the BG/NBD model, for the tests of ``p_no_order``: customers whose first order falls
in the first months, then buy as a Poisson process (a rate per day) and drop out after a purchase."""
from __future__ import annotations

import numpy as np
import pandas as pd


def order_lines(seed: int, customers: int, first: str = "2022-01-01", last: str = "2023-12-31",
                params=(0.8, 40.0, 0.5, 4.0), joining_days: int = 180) -> pd.DataFrame:
    """Lines (customer, date, amount) from ``first`` to ``last``: one per purchase day, a few with a second line
    and a few credit notes on a purchase day (negative lines, which are not purchases)."""
    rng = np.random.default_rng(seed)
    r, alpha, a, b = params
    start, end = np.datetime64(first), np.datetime64(last)
    span = int((end - start) / np.timedelta64(1, "D"))
    rows = []

    def buy(k: int, day: float) -> None:
        rows.append((k, int(day), float(rng.integers(10, 500))))
        if rng.random() < 0.1:
            rows.append((k, int(day), -5.0))

    for k in range(customers):
        rate, drop = rng.gamma(r, 1 / alpha), rng.beta(a, b)
        day = float(rng.integers(0, joining_days))
        buy(k, day)
        while True:
            day += rng.exponential(1 / rate)
            if day > span:
                break
            buy(k, day)
            if rng.random() < drop:
                break
    keys, days, amounts = zip(*rows)
    return pd.DataFrame({"customer": [f"K{k:04d}" for k in keys],
                         "date": (start + np.array(days)).astype("datetime64[ns]"),
                         "amount": np.array(amounts)})
