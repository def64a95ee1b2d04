"""Limits of the theory against independent closed forms and references.

* N, P -> inf: L(t) = sum_k lambda_k w*_k^2 exp(-2 lambda_k t) exactly.
* t -> inf: gradient flow from zero ends at the minimum-norm least-squares solution; its
  loss is checked against (i) that solution computed directly (numpy lstsq) on random
  draws, (ii) the deterministic equivalent of ridgeless regression on the projected
  features (Hastie, Montanari, Rosset & Tibshirani, Ann. Statist. 2022; Bach, SIAM J.
  Math. Data Sci. 2024) averaged over projections, and (iii) the closed form
  sigma^2 M / (P - M) when the model can represent every mode.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
from scipy.optimize import brentq

from scaling_dynamics import Spectrum, predict
from scaling_dynamics.theory import limit_loss

TIMES = np.geomspace(1e-2, 1e7, 15)


def test_infinite_model_and_data_is_the_mode_sum():
    s = Spectrum.power_law(1.5, 1.25, 1000, sigma=0.3)
    c = predict(s, math.inf, math.inf, TIMES)
    exact = np.array([np.sum(s.task_power * np.exp(-2 * s.eigenvalues * t)) for t in TIMES])
    np.testing.assert_allclose(c.test_loss, exact, rtol=1e-8, atol=1e-13)
    np.testing.assert_allclose(c.train_loss, exact + 0.09, rtol=1e-8)
    np.testing.assert_allclose(c.extra["bias"], exact, rtol=1e-8, atol=1e-13)
    np.testing.assert_allclose(c.extra["variance_data"], 0, atol=1e-10)


def test_infinite_power_law_against_mpmath_series():
    # M = inf (compressed mode sums) against a direct head plus mpmath's Euler-Maclaurin tail
    s = Spectrum.power_law(1.5, 1.25, math.inf)
    t = np.array([0.3, 30.0, 3000.0])
    c = predict(s, math.inf, math.inf, t)
    k = np.arange(1, 20_000, dtype=float)
    for i, ti in enumerate(t):
        head = np.sum(k**-1.5 * np.exp(-2 * ti * k**-1.25))
        tail = mpmath.nsum(lambda j, ti=ti: j**-1.5 * mpmath.exp(-2 * ti * j**-1.25),
                           [20_000, mpmath.inf], method="euler-maclaurin")
        assert abs(c.test_loss[i] / (head + float(tail)) - 1) < 1e-8


def test_huge_finite_sizes_approach_the_mode_sum_like_one_over_n():
    s = Spectrum.power_law(1.5, 1.25, 1000)
    t = np.array([1.0, 100.0, 1e4])
    exact = np.array([np.sum(s.task_power * np.exp(-2 * s.eigenvalues * x)) for x in t])
    err8 = predict(s, 1e8, 1e8, t).test_loss / exact - 1
    err10 = predict(s, 1e10, 1e10, t).test_loss / exact - 1
    assert np.all(np.abs(err10) < 2e-6)
    np.testing.assert_allclose(err8 / err10, 100, rtol=0.02)


def _min_norm_losses(spec, N, P, seeds, rng):
    """Test loss of the minimum-norm least-squares student on random draws (mean, sem)."""
    lam, w, sig = spec.eigenvalues, spec.target_weights, spec.sigma
    M = lam.size
    out = []
    for _ in range(seeds):
        A = rng.standard_normal((N, M))
        X = rng.standard_normal((P, M)) * np.sqrt(lam)
        y = X @ w + sig * rng.standard_normal(P)
        wh = np.linalg.lstsq(X @ A.T / math.sqrt(N), y, rcond=None)[0]
        v = w - A.T @ wh / math.sqrt(N)
        out.append(np.sum(lam * v * v))
    out = np.array(out)
    return out.mean(), out.std(ddof=1) / math.sqrt(seeds)


def _deterministic_equivalent(spec, N, P, draws, rng):
    """Ridgeless regression on x = A psi / sqrt(N), averaged over the data analytically.

    Given A: best linear predictor beta (irreducible loss L*), effective noise
    s2 = L* + sigma^2; with Sigma = A Lambda A^T / N = sum_i s_i u_i u_i^T of rank r,
    excess = s2 r / (P - r) if r < P, else with sum_i s_i/(s_i + k) = P and
    g = sum_i s_i^2 / (s_i + k)^2 / P: excess = (k^2 sum_i s_i b_i^2/(s_i + k)^2 + s2 g)/(1 - g).
    """
    lam, w, sig2 = spec.eigenvalues, spec.target_weights, spec.sigma**2
    vals = []
    for _ in range(draws):
        A = rng.standard_normal((N, lam.size)) / math.sqrt(N)
        s, U = np.linalg.eigh((A * lam) @ A.T)
        keep = s > 1e-10 * s.max()
        s, U = s[keep], U[:, keep]
        beta = (U.T @ (A @ (lam * w))) / s
        L_star = np.sum(lam * w * w) - np.sum(s * beta**2)
        s2, r = L_star + sig2, s.size
        if r < P:
            excess = s2 * r / (P - r)
        else:
            k = brentq(lambda k, s=s: np.sum(s / (s + k)) - P, 1e-300, 1e6 * s.max(), rtol=1e-15)
            g = np.sum(s**2 / (s + k) ** 2) / P
            excess = (k**2 * np.sum(s * beta**2 / (s + k) ** 2) + s2 * g) / (1 - g)
        vals.append(L_star + excess)
    vals = np.array(vals)
    return vals.mean(), vals.std(ddof=1) / math.sqrt(draws)


@pytest.mark.parametrize(
    "N,P,sigma",
    [(100, 200, 0.0), (200, 100, 0.0), (100, 200, 0.5), (200, 100, 0.5), (300, 150, 0.3)],
)
def test_end_of_training_matches_min_norm_regression(N, P, sigma):
    rng = np.random.default_rng(1000 + N + 7 * P)
    s = Spectrum.power_law(1.5, 1.25, 2 * max(N, P), sigma=sigma)
    lim = limit_loss(s, N, P)
    mean, sem = _min_norm_losses(s, N, P, 48, rng)
    assert abs(lim.test_loss - mean) < 3 * sem, (lim.test_loss, mean, sem)
    mean, sem = _deterministic_equivalent(s, N, P, 16, rng)
    assert abs(lim.test_loss - mean) < 3 * sem, (lim.test_loss, mean, sem)


def test_full_rank_model_gives_least_squares_noise():
    # M < min(N, P): every mode is learned; only the noise is fitted:
    # L(inf) = sigma^2 M / (P - M), train = sigma^2 (1 - M / P) (asymptotic OLS)
    s = Spectrum.power_law(1.5, 1.25, 200, sigma=0.3)
    lim = limit_loss(s, 1000, 800)
    assert abs(lim.test_loss - 0.09 * 200 / 600) < 1e-9
    assert abs(lim.train_loss - 0.09 * (1 - 200 / 800)) < 1e-9


@pytest.mark.parametrize("N,P,sigma", [(100, 300, 0.0), (300, 100, 0.5), (math.inf, 200, 0.5)])
def test_limit_matches_the_tail_of_the_curve(N, P, sigma):
    s = Spectrum.power_law(1.5, 1.25, math.inf, sigma=sigma)
    lim = limit_loss(s, N, P)
    c = predict(s, N, P, [1e9])
    assert abs(c.test_loss[0] / lim.test_loss - 1) < 1e-7
    assert abs(c.train_loss[0] - lim.train_loss) < 1e-7 * (lim.train_loss + 1e-3)
    assert abs(lim.bias + lim.variance_data + lim.variance_projection - lim.test_loss) < 1e-12


def test_degrees_of_freedom_parameter():
    s = Spectrum.power_law(1.5, 1.25, 500)
    lim = limit_loss(s, 100, 300)
    lam = s.eigenvalues
    kappa = brentq(lambda k: np.sum(lam * k / (1 + lam * k)) - 100, 1e-3, 1e12, rtol=1e-14)
    assert abs(lim.kappa / kappa - 1) < 1e-6


def test_interpolation_threshold_diverges():
    s = Spectrum.power_law(1.5, 1.25, 600)
    lim = limit_loss(s, 200, 200)
    assert math.isinf(lim.test_loss)
    assert abs(lim.train_loss) < 1e-8
    # ... and the curve grows without bound, like t^(1/2)
    c = predict(s, 200, 200, [1e6, 1e8])
    assert 9.0 < c.test_loss[1] / c.test_loss[0] < 11.0


def test_ensemble_limit():
    s = Spectrum.power_law(1.5, 1.25, 600, sigma=0.5)
    one, four = limit_loss(s, 100, 300), limit_loss(s, 100, 300, ensemble=4)
    expected = one.bias + one.variance_data + one.variance_projection / 4
    assert abs(four.test_loss - expected) < 1e-12
    c = predict(s, 100, 300, [1e9], ensemble=4)
    assert abs(c.test_loss[0] / four.test_loss - 1) < 1e-7


@pytest.mark.parametrize("optimizer", [None, "gd"])
def test_interpolating_train_loss_reaches_exactly_zero_never_below(optimizer):
    """N > P, sigma = 0: the train loss converges to 0; round-off below 0 is set to 0."""
    from scaling_dynamics import GradientDescent

    s = Spectrum.power_law(1.5, 1.25, 1000)
    kwargs = {} if optimizer is None else {"optimizer": GradientDescent(eta=0.5)}
    times = [0, 100, 10_000, 1_000_000, 10_000_000]
    c = predict(s, 2000, 500, times, **kwargs)
    assert np.all(c.train_loss >= 0) and np.all(c.test_loss >= 0)
    assert c.train_loss[-1] < 1e-12 * s.initial_loss
    assert c.train_loss[1] > 1e-3  # still training at t = 100: nothing was clipped there


def test_a_loss_negative_beyond_round_off_is_refused():
    from scaling_dynamics import ConvergenceError
    from scaling_dynamics.theory._terms import clip_round_off

    s = Spectrum.power_law(1.5, 1.25, 100)
    ok = clip_round_off("train", np.array([0.5, -1e-17]), s)
    assert ok[1] == 0.0 and ok[0] == 0.5
    with pytest.raises(ConvergenceError, match="negative train loss"):
        clip_round_off("train", np.array([0.5, -1e-3]), s)


def test_diverging_limit_is_inf_not_nan_for_one_model_and_for_ensembles():
    """P = M with label noise: sigma^2 M / (P - M) diverges, so L(t -> inf) = inf.

    The single-model limit used to come out as nan (inf * 0 in the ensemble formula).
    """
    s = Spectrum.power_law(1.5, 1.25, 100, sigma=0.5)
    for E in (1, 2):
        assert limit_loss(s, 200, 100, ensemble=E).test_loss == math.inf
    late = predict(s, 200, 100, [1e3, 1e6]).test_loss
    assert late[1] > 10 * late[0]  # the finite-time curve keeps growing
