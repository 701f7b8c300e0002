"""Issue 13: p_no_order on real retail orders — the CDNOW panel that lifetimes ships — scored as churnkit would.

    python benchmarks/evaluate_cdnow.py PATH [--pareto-nbd]

PATH is a virtual environment with lifetimes installed (``benchmarks/.venv``, or e.g. ``/tmp/lt`` made with
``python -m venv /tmp/lt && /tmp/lt/bin/pip install lifetimes``), or the file ``CDNOW_master.txt`` itself;
the data is not part of churnkit. CDNOW_master.txt holds the 69,659 order lines (customer, day, CDs,
dollars) of the 23,570 customers who first bought at CDNOW in the first quarter of 1997, up to June 1998.

The lines become churnkit's order lines (customer, date, amount). For the issue's two settings — 12 months
of history and a 6-month horizon (as of 1997-12), 9 months and 9 (as of 1997-09) — ``forecast_quality.evaluate``
scores every customer as of A from the lines up to A only, and compares ``p_no_order`` with "no order line
with a positive amount in A+1 … A+K": AUROC and Brier score, against the issue's targets. Beside it, on the
same customers: the model's probability before the calibration, 1 − P(alive) (to show why it is never used),
churnkit's own fields as scores (the streaks, the verdict) and as yes/no lists, and with ``--pareto-nbd``
the Pareto/NBD's P(no purchase), fitted by lifetimes in PATH's Python (a minute).
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from machine import machine, table

from churn_logic import Settings, analyse, bgnbd
from churn_logic.forecast_quality import auroc, brier, evaluate
from churn_logic.no_order import forecast
from churn_logic.periods import month_index, month_label
from churn_logic.purchase_days import PurchaseDays, days_of, month_end_day

SETTINGS = [(12, 6, 0.80, 0.132), (9, 9, 0.765, 0.168)]      # history months, horizon, AUROC ≥, Brier ≤
RISK_SCORE = {"LOW": 0, "MEDIUM": 1, "HIGH": 2, "LOST": 3}
PARETO_NBD = """
import json, sys
import numpy as np
from lifetimes import ParetoNBDFitter
given = np.load(sys.argv[1])
x, t_x, T, t = given["x"], given["t_x"] / 7, given["T"] / 7, float(given["t"]) / 7     # weeks, as lifetimes likes
fitter = ParetoNBDFitter().fit(x, t_x, T)
p = [fitter.conditional_probability_of_n_purchases_up_to_time(0, t, *h) for h in zip(x, t_x, T)]
print(json.dumps({"p": [float(v) for v in p], "params": [float(v) for v in fitter.params_]}))
"""


def cdnow_file(path: Path) -> Path:
    if path.is_file():
        return path
    found = sorted(path.glob("lib/python*/site-packages/lifetimes/datasets/CDNOW_master.txt"))
    if not found:
        raise SystemExit(f"no lifetimes/datasets/CDNOW_master.txt under {path}")
    return found[0]


def order_lines(path: Path) -> pd.DataFrame:
    raw = pd.read_csv(path, sep=r"\s+", header=0, names=["customer", "date", "cds", "amount"],
                      dtype={"customer": str, "date": str})
    return pd.DataFrame({"customer": raw["customer"], "date": pd.to_datetime(raw["date"], format="%Y%m%d"),
                         "amount": raw["amount"].astype(float)})


def pareto_nbd(python: Path, x, t_x, T, horizon_days: int) -> np.ndarray:
    with tempfile.TemporaryDirectory() as folder:
        given = Path(folder) / "histories.npz"
        np.savez(given, x=x.astype(float), t_x=t_x.astype(float), T=T.astype(float), t=horizon_days)
        done = subprocess.run([str(python), "-c", PARETO_NBD, str(given)], check=True, capture_output=True, text=True)
    return np.array(json.loads(done.stdout.splitlines()[-1])["p"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path, help="a virtual environment with lifetimes, or CDNOW_master.txt")
    parser.add_argument("--pareto-nbd", action="store_true", help="also lifetimes' Pareto/NBD (in PATH's Python)")
    args = parser.parse_args()
    lines = order_lines(cdnow_file(args.path))
    print(f"CDNOW: {len(lines):,} order lines, {lines['customer'].nunique():,} customers, "
          f"{lines['date'].min():%Y-%m-%d} to {lines['date'].max():%Y-%m-%d}")
    for months, horizon, auroc_target, brier_target in SETTINGS:
        as_of = month_index(1997, 1) + months - 1
        result = evaluate(lines, Settings(), as_of, horizon)
        model = analyse(lines, dataclasses.replace(Settings(), as_of=as_of))
        probability = forecast(model, horizon)
        known = np.isfinite(probability.p_no_order)
        purchases = PurchaseDays(np.asarray(model.line_rows), days_of(model.lines["date"]),
                                 model.lines["amount"].to_numpy(float), len(model.series.keys))
        history = purchases.summary(month_end_day(as_of))
        x, t_x, T = history.x[known], history.t_x[known], history.T[known]
        later = PurchaseDays(*_rows_days_amounts(lines, model.series.keys), len(model.series.keys))
        outcome = ~later.bought_between(month_end_day(as_of), month_end_day(as_of + horizon))[known]
        c = model.customers[known]
        flagged = (c["risk"] != "LOW").to_numpy()
        scores = [
            ("p_no_order (calibrated)", probability.p_no_order[known], True),
            ("the BG/NBD model alone", probability.p_model[known], True),
            ("1 − P(alive) (never shown)", 1 - bgnbd.p_alive(probability.fit.params, x, t_x, T), False),
            ("months_without_orders Z", c["months_without_orders"].to_numpy(), False),
            ("low_streak L", c["low_streak"].to_numpy(), False),
            ("decline_streak D", c["decline_streak"].to_numpy(), False),
            ("days since the last order", (T - t_x).astype(float), False),
            ("the verdict (LOW < MEDIUM < HIGH < LOST)", c["risk"].map(RISK_SCORE).to_numpy(), False),
            ("list: at risk (MEDIUM, HIGH, LOST) = 1", flagged.astype(float), True),
            ("list: LOST = 1", (c["risk"] == "LOST").to_numpy(float), True),
        ]
        if args.pareto_nbd:
            horizon_days = month_end_day(as_of + horizon) - month_end_day(as_of)
            scores.insert(2, ("Pareto/NBD (lifetimes), uncalibrated", pareto_nbd(args.path / "bin" / "python"
                          if args.path.is_dir() else Path("python"), x, t_x, T, horizon_days), True))
        assert result.customers == len(outcome) and result.no_order == int(outcome.sum())    # the same outcome
        print(f"\n{months} months of history (as of {month_label(as_of)}), {horizon}-month horizon: "
              f"{result.customers:,} customers with a probability ({result.unscored} without: no positive order), "
              f"{result.no_order / result.customers:.1%} ordered nothing in {month_label(as_of + 1)} … "
              f"{month_label(as_of + horizon)}; {probability.calibration_words()}")
        rows = [[name, f"{auroc(score, outcome):.4f}", f"{brier(score, outcome):.4f}" if is_probability else ""]
                for name, score, is_probability in scores]
        rows.insert(0, ["target (issue 13)", f"≥ {auroc_target}", f"≤ {brier_target}"])
        print(table(["score", "AUROC", "Brier"], rows))
        print("calibration of p_no_order, by tenths of the probability:")
        print(table(["mean p_no_order", "share who ordered nothing", "customers"],
                    [[f"{row['predicted']:.3f}", f"{row['observed']:.3f}", row["customers"]]
                     for row in result.calibration]))
    print(machine())


def _rows_days_amounts(lines: pd.DataFrame, keys: np.ndarray):
    """Every line's customer row (among ``keys``; lines of other customers dropped), day and amount."""
    rows = pd.Index(keys).get_indexer(lines["customer"])
    known = rows >= 0
    return rows[known], days_of(lines["date"])[known], lines["amount"].to_numpy(float)[known]


if __name__ == "__main__":
    main()
