"""Edges of the gradient-flow theory (issue 17, section 1): correct numbers or a refusal.

Every check compares the theory with something independent of it:

* the exact simulator, at small N (or small P) and late times with M > P (where the response
  equations have a second, spurious root that the solver used to land on: the old code
  printed negative losses of -1e14, or wrong positive ones, at t >= 1e9);
* the closed form :math:`L(t) = \\sum_k \\lambda_k (w^*_k)^2 e^{-2\\lambda_k t}` at
  ``N = P = inf``, summed here with mpmath (a head of exact terms plus the
  Euler-Maclaurin tail, whose integral is an incomplete gamma function), over a grid of
  a, b and t from 1e-2 to 1e20 (the old compressed sums stopped at mode 1e15 and gave
  2.9e-9 and 0 at t = 1e18, 1e20 for a = b = 1.01, where the sum is 65.5 and 62.6);
* basic laws over a grid of a, b, N, P, sigma and t: losses finite and >= 0, and at
  ``P = inf`` a test loss that never increases in t (gradient flow on the population loss).

The heavier grids are marked ``slow`` (they still run in CI).
"""

from __future__ import annotations

import itertools
import math

import mpmath as mp
import numpy as np
import pytest

from scaling_dynamics import InvalidParameterError, Spectrum, predict, simulate
from scaling_dynamics.cli.compare import deviations

INF = math.inf


# ---------------------------------------------------------------- independent closed form
def exact_loss(a: float, b: float, t: float, M: float = INF, head: int = 400) -> float:
    """:math:`\\sum_{k=1}^{M} k^{-a} e^{-2 k^{-b} t}` in mpmath (30 digits).

    Terms ``k < head`` are summed one by one; the rest by Euler-Maclaurin,
    :math:`\\sum_{k=K}^{M} f(k) = \\int_K^M f + (f(K) + f(M))/2 + [f'/12 - f'''/720]_K^M`, with
    :math:`\\int_K^M x^{-a}e^{-2tx^{-b}}dx = (2t)^{-s}/b\\,[\\gamma(s, 2tK^{-b}) - \\gamma(s, 2tM^{-b})]`,
    :math:`s = (a-1)/b`.
    """
    with mp.workdps(30):
        a_, b_, t_ = mp.mpf(a), mp.mpf(b), mp.mpf(t)
        K = mp.mpf(head)

        def f(x):
            return x ** (-a_) * mp.exp(-2 * t_ * x ** (-b_))

        total = mp.fsum(f(mp.mpf(k)) for k in range(1, head))
        s = (a_ - 1) / b_
        y_lo = 0 if math.isinf(M) else 2 * t_ * mp.mpf(M) ** (-b_)
        total += (2 * t_) ** (-s) / b_ * mp.gammainc(s, y_lo, 2 * t_ * K ** (-b_))
        total += f(K) / 2 - mp.diff(f, K) / 12 + mp.diff(f, K, 3) / 720
        if not math.isinf(M):
            Mm = mp.mpf(M)
            total += f(Mm) / 2 + mp.diff(f, Mm) / 12 - mp.diff(f, Mm, 3) / 720
        return float(total)


def test_exact_loss_is_a_plain_sum_where_one_can_be_done():
    # the helper itself, against a direct sum of all terms
    for a, b, t, M in [(1.5, 1.25, 3.0, 5000), (1.01, 1.01, 1e3, 20000), (3.0, 2.0, 0.01, 3000)]:
        k = np.arange(1, M + 1, dtype=np.float64)
        direct = float(np.sum(k**-a * np.exp(-2 * k**-b * t)))
        assert exact_loss(a, b, t, M) == pytest.approx(direct, rel=1e-12)


# ---------------------------------------------------------------- case 1: N << P, late times
@pytest.mark.parametrize("N", range(1, 9))
def test_small_model_late_times_match_simulation(N):
    """M > P makes the spurious root exist; only late times are asked (no warm start)."""
    spec = Spectrum.power_law(1.7, 1.3, M=800)
    times = np.array([1e9, 1e11])
    theory = predict(spec, N, 500, times)
    assert np.all(np.isfinite(theory.test_loss)) and np.all(theory.test_loss > 0)
    sim = simulate(spec, N, 500, times, n_seeds=48, seed=17)
    dev = deviations(theory, sim)
    for key in ("test_loss", "train_loss"):
        assert np.all(np.abs(dev[key]) < 3.5), (
            f"N = {N}: {key} theory {getattr(theory, key)} simulation {getattr(sim, key)} "
            f"({dev[key]} sem)"
        )
    # the loss at t = 1e11 cannot exceed the loss at t = 0 by any amount here
    assert np.all(theory.test_loss < spec.initial_loss)


@pytest.mark.slow
@pytest.mark.parametrize("N", range(1, 9))
def test_small_model_late_times_match_simulation_larger(N):
    spec = Spectrum.power_law(1.7, 1.3, M=2000)
    times = np.array([1e3, 1e9, 1e11])
    theory = predict(spec, N, 1500, times)
    sim = simulate(spec, N, 1500, times, n_seeds=64, seed=29)
    dev = deviations(theory, sim)
    for key in ("test_loss", "train_loss"):
        assert np.all(np.abs(dev[key]) < 3.5), (N, key, dev[key])


@pytest.mark.parametrize("N", range(1, 9))
def test_small_model_is_consistent_in_M(N):
    """The issue's case (P = 12000, t up to 1e11): M = 1e6, 1e7 and inf agree to 1 %."""
    times = np.array([1e9, 1e11])
    losses = {}
    for M in (1e6, 1e7, INF):
        c = predict(Spectrum.power_law(1.7, 1.3, M=M), N, 12000, times)
        losses[M] = np.stack([c.test_loss, c.train_loss])
        assert np.all(np.isfinite(losses[M])) and np.all(losses[M] > 0)
        # gradient flow from zero never raises the test loss above L(0) = 2.05 when N << P
        assert np.all(c.test_loss < Spectrum.power_law(1.7, 1.3, M=M).initial_loss)
    np.testing.assert_allclose(losses[1e6], losses[INF], rtol=0.01)
    np.testing.assert_allclose(losses[1e7], losses[INF], rtol=0.01)


@pytest.mark.parametrize("P", [1, 2, 4, 8])
def test_few_samples_large_model_late_times_match_simulation(P):
    """The mirror case P << N < M: the spurious root then has R3 -> 0, R1 -> 1 - N/P < 0."""
    spec = Spectrum.power_law(1.7, 1.3, M=800)
    times = np.array([1e9, 1e11])
    theory = predict(spec, 500, P, times)
    sim = simulate(spec, 500, P, times, n_seeds=48, seed=41)
    dev = deviations(theory, sim)
    for key in ("test_loss", "train_loss"):
        assert np.all(np.abs(dev[key]) < 3.5), (P, key, dev[key])


@pytest.mark.parametrize("P", [1, 2, 5])
def test_few_samples_is_consistent_in_M(P):
    times = np.array([1e9, 1e11])
    losses = [predict(Spectrum.power_law(1.7, 1.3, M=M), 12000, P, times).test_loss
              for M in (1e6, INF)]
    np.testing.assert_allclose(losses[0], losses[1], rtol=0.01)


def test_single_feature_with_many_samples_is_not_refused():
    # `theory --N 1 --P 10000 --M inf --times 1e10` used to raise "negative test loss"
    c = predict(Spectrum.power_law(1.5, 1.25, M=INF), 1, 10000, [1e4, 1e10])
    assert np.all(c.test_loss > 0) and np.all(c.test_loss < c.test_loss[0] * (1 + 1e-6))


# ---------------------------------------------------------------- case 2: slow decay, late times
@pytest.mark.parametrize("M", [INF, 1e12])
def test_slow_decay_follows_the_exact_sum_at_late_times(M):
    times = np.array([1e10, 1e12, 1e16, 1e18, 1e20])
    spec = Spectrum.power_law(1.01, 1.01, M=M)
    c = predict(spec, INF, INF, times)
    exact = np.array([exact_loss(1.01, 1.01, t, M) for t in times])
    L0 = spec.initial_loss
    np.testing.assert_allclose(c.test_loss, exact, rtol=1e-6, atol=1e-9 * L0)
    if math.isinf(M):
        assert c.test_loss[-1] > 60.0  # the number: still ~60 at t = 1e20


def test_times_beyond_the_compressed_sums_are_refused():
    spec = Spectrum.power_law(1.01, 1.01, M=INF)
    with pytest.raises(InvalidParameterError, match="`times`"):
        predict(spec, INF, INF, [1e30])


# ---------------------------------------------------------------- case 3: grids
A_GRID = (1.01, 1.5, 2.5, 5.0)
B_GRID = (1.01, 1.5, 2.5, 4.0)
T_GRID = np.geomspace(1e-2, 1e20, 12)


def _closed_form_case(a, b):
    spec = Spectrum.power_law(a, b, M=INF)
    c = predict(spec, INF, INF, T_GRID)
    exact = np.array([exact_loss(a, b, t) for t in T_GRID])
    np.testing.assert_allclose(c.test_loss, exact, rtol=1e-6, atol=1e-9 * spec.initial_loss,
                               err_msg=f"a = {a}, b = {b}")
    np.testing.assert_allclose(c.train_loss, c.test_loss)  # P = inf, sigma = 0


@pytest.mark.parametrize("a, b", [(1.01, 1.01), (1.5, 4.0), (5.0, 1.01), (2.5, 1.5)])
def test_closed_form_at_infinite_width_and_data(a, b):
    _closed_form_case(a, b)


@pytest.mark.slow
@pytest.mark.parametrize("a, b", list(itertools.product(A_GRID, B_GRID)))
def test_closed_form_at_infinite_width_and_data_full_grid(a, b):
    _closed_form_case(a, b)


N_GRID = (1, 3, 40, 1000, INF)
P_GRID = (1, 30, 12000, INF)
SIGMA_GRID = (0.0, 0.5)
FULL_GRID = [
    g for g in itertools.product((1.01, 1.7, 5.0), (1.01, 1.6, 4.0), N_GRID, P_GRID, SIGMA_GRID)
    if not (math.isinf(g[2]) and math.isinf(g[3]))  # the closed-form tests cover N = P = inf
]
# a fixed sample for the fast suite (every a, b, N, P and sigma of the grid appears)
FAST_GRID = [FULL_GRID[i] for i in np.random.default_rng(23).choice(len(FULL_GRID), 14, replace=False)]


def _laws(a, b, N, P, sigma):
    spec = Spectrum.power_law(a, b, M=INF, sigma=sigma)
    c = predict(spec, N, P, T_GRID)
    where = f"a={a}, b={b}, N={N}, P={P}, sigma={sigma}"
    assert np.all(np.isfinite(c.test_loss)) and np.all(np.isfinite(c.train_loss)), where
    assert np.all(c.test_loss >= 0) and np.all(c.train_loss >= 0), where
    if math.isinf(P):
        # fresh data: gradient flow on the population loss, test = train - sigma^2
        assert np.all(np.diff(c.test_loss) <= 1e-9 * spec.initial_loss), where
        np.testing.assert_allclose(c.train_loss, c.test_loss + sigma**2, rtol=1e-9, err_msg=where)
        assert np.all(c.test_loss <= spec.initial_loss * (1 + 1e-9)), where


@pytest.mark.parametrize("case", FAST_GRID, ids=str)
def test_losses_obey_basic_laws(case):
    _laws(*case)


@pytest.mark.slow
@pytest.mark.parametrize("case", FULL_GRID, ids=str)
def test_losses_obey_basic_laws_full_grid(case):
    _laws(*case)
