"""The BG/NBD closed forms against numerical integration and simulation, and the fit on simulated histories."""
from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, optimize

from churn_logic import bgnbd

PARAMS = (0.8, 40.0, 0.5, 4.0)           # r, alpha (days), a, b
HISTORIES = [(0, 0.0, 200.0), (3, 100.0, 300.0), (12, 290.0, 300.0), (1, 5.0, 700.0)]


def _integrated(x, t_x, T, horizon=0.0):
    """The likelihood of (x, t_x, T), and the shares of it with no purchase in (T, T + horizon] and with the
    customer alive at T, by integrating FHL eq. (3) over λ ~ Gamma(r, α) and p ~ Beta(a, b) numerically (each
    term of eq. (3) is a function of λ times one of p, so each is a product of two integrals)."""
    r, alpha, a, b = PARAMS
    log_gamma = r * math.log(alpha) - math.lgamma(r)
    log_beta = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)

    def quad(f, lo, hi):
        return integrate.quad(f, lo, hi, limit=200, epsabs=0, epsrel=1e-11)[0]

    def over_rate(power, time):
        """∫ λ^power e^(−λ time) Gamma(λ; r, α) dλ."""
        def f(lam):
            return math.exp(log_gamma + (r - 1 + power) * math.log(lam) - (alpha + time) * lam)
        top = 100 * (r + power + 1) / (alpha + time)           # the integrand is nil beyond this
        return quad(f, 0, top / 1e3) + quad(f, top / 1e3, top)

    def over_drop(dropped):
        """∫ p^dropped (1−p)^(x−dropped) Beta(p; a, b) dp."""
        def f(p):
            return math.exp(log_beta + (a - 1 + dropped) * math.log(p) + (b - 1 + x - dropped) * math.log1p(-p))
        return quad(f, 0, 1)

    alive = over_drop(0) * over_rate(x, T)
    alive_then_none = over_drop(0) * over_rate(x, T + horizon)
    gone = over_drop(1) * over_rate(x, t_x) if x else 0.0
    total = alive + gone
    return total, (alive_then_none + gone) / total, alive / total


@pytest.mark.parametrize("x, t_x, T", HISTORIES)
def test_closed_forms_equal_the_integrals_they_come_from(x, t_x, T):
    likelihood, no_purchase, alive = _integrated(x, t_x, T, horizon=90.0)
    assert bgnbd.log_likelihood(PARAMS, [x], [t_x], [T])[0] == pytest.approx(math.log(likelihood), abs=1e-6)
    assert bgnbd.p_no_purchase(PARAMS, 90.0, [x], [t_x], [T])[0] == pytest.approx(no_purchase, rel=1e-6)
    assert bgnbd.p_alive(PARAMS, [x], [t_x], [T])[0] == pytest.approx(alive, rel=1e-6)


def test_the_gradient_is_the_derivative_of_the_likelihood():
    rng = np.random.default_rng(3)
    x, t_x, T, _ = bgnbd.simulate(rng, PARAMS, rng.uniform(30, 720, 500))
    histories = bgnbd._Histories(x, t_x / 720, T / 720)
    value = lambda p: bgnbd._mean_log_likelihood_and_gradient(p, histories)[0]       # noqa: E731
    gradient = lambda p: bgnbd._mean_log_likelihood_and_gradient(p, histories)[1]    # noqa: E731
    for point in (np.zeros(4), np.log([0.3, 0.1, 2.0, 0.7])):
        assert np.allclose(gradient(point), optimize.approx_fprime(point, value, 1e-7), rtol=1e-4, atol=1e-6)


def test_the_fit_recovers_the_parameters_of_simulated_histories():
    rng = np.random.default_rng(11)
    x, t_x, T, _ = bgnbd.simulate(rng, PARAMS, rng.integers(90, 720, 20_000).astype(float))
    fit = bgnbd.fit(x, t_x, T)
    assert fit.converged
    within = np.array([0.04, 0.05, 0.13, 0.18])       # 3 standard errors (from the Hessian) at this size
    assert np.all(np.abs(np.log(np.array(fit.params) / PARAMS)) < within), fit


def test_p_no_purchase_matches_what_simulated_customers_did():
    """Customers drawn with the model's parameters: among those given a probability of about q, a share of
    about q buy nothing in the next 90 days (per tenth of the customers, within four standard errors)."""
    rng = np.random.default_rng(7)
    x, t_x, T, bought_later = bgnbd.simulate(rng, PARAMS, rng.integers(90, 720, 20_000).astype(float), 90.0)
    p = bgnbd.p_no_purchase(PARAMS, 90.0, x, t_x, T)
    groups = np.array_split(np.argsort(p), 10)
    for group in groups:
        predicted, observed = p[group].mean(), 1 - bought_later[group].mean()
        error = math.sqrt(max(predicted * (1 - predicted), 1e-4) / len(group))
        assert abs(observed - predicted) < 4 * error, (predicted, observed)
    assert p[x == 0].min() > 0 and p.max() < 1


def test_no_purchase_is_certain_over_no_time_and_less_likely_over_more():
    x, t_x, T = np.array([0, 2, 5]), np.array([0.0, 30.0, 200.0]), np.array([50.0, 100.0, 210.0])
    assert np.allclose(bgnbd.p_no_purchase(PARAMS, 0.0, x, t_x, T), 1.0)
    assert np.all(np.diff([bgnbd.p_no_purchase(PARAMS, t, x, t_x, T) for t in (30, 90, 365)], axis=0) < 0)
    assert bgnbd.p_alive(PARAMS, x, t_x, T)[0] == 1.0     # P(alive) of a one-time buyer: why it is never shown


def test_customers_with_the_same_history_are_fitted_as_one_history_weighted():
    """Purchase days in whole days repeat histories: the mean log-likelihood over the distinct ones, weighted,
    is that over the customers, twice the customers give the same fit, and so do they in any order."""
    rng = np.random.default_rng(5)
    x, t_x, T, _ = bgnbd.simulate(rng, PARAMS, rng.integers(60, 64, 5_000).astype(float))
    t_x = np.floor(t_x)
    histories = bgnbd._Histories(x, t_x / 120, T / 120)
    assert len(histories.x) < len(x) / 3
    point = np.log([0.3, 0.1, 2.0, 0.7])
    value = bgnbd._mean_log_likelihood_and_gradient(point, histories)[0]
    assert value == pytest.approx(bgnbd.log_likelihood(np.exp(point), x, t_x / 120, T / 120).mean(), rel=1e-12)
    once, twice = bgnbd.fit(x, t_x, T), bgnbd.fit(np.tile(x, 2), np.tile(t_x, 2), np.tile(T, 2))
    assert np.allclose(once.params, twice.params, rtol=1e-9)
    shuffled = rng.permutation(len(x))                      # the customers in another order: the very same fit
    assert bgnbd.fit(x[shuffled], t_x[shuffled], T[shuffled]) == once
