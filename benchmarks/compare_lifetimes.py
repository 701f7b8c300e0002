"""Issue 13: churnkit's BG/NBD (churn_logic/bgnbd.py) beside lifetimes' BetaGeoFitter on the same histories.

    python benchmarks/compare_lifetimes.py [--customers 20000] [--peer-python PATH]

Two sets of (x, t_x, T): histories drawn from known parameters with ``bgnbd.simulate`` (seeded; T from 30
to 720 days; what each customer does in the 90 days after T is drawn too), and the CDNOW summary of Fader,
Hardie and Lee (2005) that lifetimes ships (2,357 customers, in weeks). Both fitters fit both sets. The
tables give the parameters (and the true ones), the mean log-likelihood, the fit's seconds, the largest
difference between the two in P(alive), and P(no purchase in the next t): lifetimes has no such function
for the BG/NBD, so it is churnkit's closed form at both fits' parameters, and, for the simulated set, set
beside what the simulated customers did (by tenths of the customers ordered by the probability).

The peer runs in ``benchmarks/.venv`` (``machine.peer_python``: made on first use, lifetimes installed
there, not a dependency of churnkit), or in the Python given by ``--peer-python``.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
from machine import machine, peer_python, table

from churn_logic import bgnbd

TRUE = (0.8, 40.0, 0.5, 4.0)        # r, alpha (days), a, b
HORIZON_DAYS = 90.0
CDNOW_WEEKS = 39.0                  # FHL's holdout period
PEER = """
import json, sys, time
import numpy as np
import lifetimes
from lifetimes import BetaGeoFitter
from lifetimes.datasets import load_cdnow_summary
out = {"version": lifetimes.__version__}
for name in ("simulated", "cdnow"):
    if name == "cdnow":
        data = load_cdnow_summary()
        x, t_x, T = (data[c].to_numpy(float) for c in ("frequency", "recency", "T"))
    else:
        given = np.load(sys.argv[1])
        x, t_x, T = given["x"], given["t_x"], given["T"]
    started = time.perf_counter()
    fitter = BetaGeoFitter().fit(x, t_x, T)
    seconds = time.perf_counter() - started
    out[name] = {"params": [float(fitter.params_[k]) for k in ("r", "alpha", "a", "b")], "seconds": seconds,
                 "p_alive": fitter.conditional_probability_alive(x, t_x, T).tolist(),
                 "x": x.tolist(), "t_x": t_x.tolist(), "T": T.tolist()}
print(json.dumps(out))
"""


def fitted(x, t_x, T) -> tuple[bgnbd.Fit, float]:
    started = time.perf_counter()
    fit = bgnbd.fit(x, t_x, T)
    return fit, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--peer-python", type=Path, help="a Python with lifetimes (default: benchmarks/.venv)")
    args = parser.parse_args()
    rng = np.random.default_rng(2026)
    x, t_x, T, bought_later = bgnbd.simulate(rng, TRUE, rng.integers(30, 721, args.customers).astype(float),
                                             HORIZON_DAYS)
    with tempfile.TemporaryDirectory() as folder:
        given = Path(folder) / "histories.npz"
        np.savez(given, x=x.astype(float), t_x=t_x, T=T)
        result = subprocess.run([str(args.peer_python or peer_python()), "-c", PEER, str(given)],
                                check=True, capture_output=True, text=True)
    peer = json.loads(result.stdout.splitlines()[-1])
    fits, rows, gaps = {}, [], []
    for name, horizon in (("simulated", HORIZON_DAYS), ("cdnow", CDNOW_WEEKS)):
        theirs = peer[name]
        data = [np.asarray(theirs[k], float) for k in ("x", "t_x", "T")]
        ours, seconds = fitted(*data)
        fits[name] = ours
        fitters = [("churnkit", ours.params, f"{seconds:.3f}"),
                   ("lifetimes", theirs["params"], f"{theirs['seconds']:.3f}")]
        for who, params, took in fitters + ([("true", TRUE, "")] if name == "simulated" else []):
            rows.append([name, who, *params, float(bgnbd.log_likelihood(params, *data).mean()), took])
        p_ours = bgnbd.p_no_purchase(ours.params, horizon, *data)
        p_theirs = bgnbd.p_no_purchase(theirs["params"], horizon, *data)
        gaps.append([name, f"{np.max(np.abs(bgnbd.p_alive(ours.params, *data) - theirs['p_alive'])):.2e}",
                     f"{np.max(np.abs(p_ours - p_theirs)):.2e}", f"{p_ours.mean():.4f}"])
    print(f"BG/NBD fitted by churnkit and by lifetimes {peer['version']} on the same histories: "
          f"{args.customers:,} simulated (days), and lifetimes' CDNOW summary (2,357 customers, weeks)")
    print(table(["data", "fitter", "r", "alpha", "a", "b", "mean log-lik.", "fit s"],
                [[row[0], row[1], *[f"{v:.5g}" for v in row[2:6]], f"{row[6]:.8g}", row[7]] for row in rows]))
    print()
    print(table(["data", "max |P(alive) churnkit − lifetimes|", "max |P(no purchase) at the two fits|",
                 "mean P(no purchase)"], gaps))
    p = bgnbd.p_no_purchase(fits["simulated"].params, HORIZON_DAYS, x, t_x, T)
    tenths = np.array_split(np.argsort(p, kind="stable"), 10)
    print(f"\nsimulated: P(no purchase in the next {HORIZON_DAYS:.0f} days) at churnkit's fit beside what the "
          "customers drawn did, by tenth of the probability")
    print(table(["tenth", "mean probability", "share who bought nothing", "customers"],
                [[str(i + 1), f"{p[g].mean():.4f}", f"{1 - bought_later[g].mean():.4f}", len(g)]
                 for i, g in enumerate(tenths)] +
                [["all", f"{p.mean():.4f}", f"{1 - bought_later.mean():.4f}", len(p)]]))
    print(machine())


if __name__ == "__main__":
    main()
