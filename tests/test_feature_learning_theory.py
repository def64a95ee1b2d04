"""The feature-learning theory at N = infinity (docs/feature-learning.md sections 2, 4, 5).

* the doc's N = M = infinity table of local slopes, to 4 decimals;
* its other facts: L(gamma = 1)/L(gamma = 100) at t = 1e10, the saturated gain of an
  easy task, the crossover-time exponent -1/(1 - beta);
* the numerics: step halving, node refinement and the k cut-off move L by < 2e-4;
* gamma = 0 is the random-feature theory; the theory's speed.
"""

from __future__ import annotations

import math
import time

import numpy as np
import pytest

from scaling_dynamics import InvalidParameterError, Spectrum
from scaling_dynamics.models import predict
from scaling_dynamics.models.feature_learning import Resolution, theory_nodes

FL = "feature-learning"
GRID = 10 ** (np.arange(0, 201) / 20)  # 20 per decade, t = 1 .. 1e10
AT = [1e1, 1e2, 1e4, 1e6, 1e8, 1e10]

# (alpha, beta, gamma): local slopes at AT, then the fit over [1e6, 1e9] (doc section 4)
TABLE = {
    (2.0, 0.3, 0.0): [0.3001, 0.3000, 0.3000, 0.3000, 0.3000, 0.3000, 0.3000],
    (2.0, 0.3, 0.01): [0.3066, 0.3266, 0.4192, 0.4565, 0.4611, 0.4615, 0.4604],
    (2.0, 0.3, 1.0): [0.4201, 0.4448, 0.4598, 0.4614, 0.4615, 0.4615, 0.4615],
    (2.0, 0.3, 100.0): [0.4645, 0.4615, 0.4615, 0.4615, 0.4615, 0.4615, 0.4615],
    (2.0, 0.5, 0.0): [0.5009, 0.5000, 0.5000, 0.5000, 0.5000, 0.5000, 0.5000],
    (2.0, 0.5, 0.01): [0.5074, 0.5189, 0.5818, 0.6401, 0.6604, 0.6653, 0.6566],
    (2.0, 0.5, 1.0): [0.6348, 0.6459, 0.6608, 0.6653, 0.6664, 0.6666, 0.6662],
    (2.0, 0.5, 100.0): [0.6779, 0.6679, 0.6665, 0.6666, 0.6667, 0.6667, 0.6666],
    (2.0, 1.5, 0.0): [1.5277, 1.5000, 1.5000, 1.5000, 1.5000, 1.5000, 1.5000],
    (2.0, 1.5, 1.0): [1.5617, 1.5192, 1.5017, 1.5002, 1.5000, 1.5000, 1.5000],
    (2.0, 1.5, 100.0): [1.5488, 1.5115, 1.5010, 1.5001, 1.5000, 1.5000, 1.5000],
    (1.5, 0.5, 1.0): [0.6473, 0.6515, 0.6619, 0.6655, 0.6664, 0.6666, 0.6663],
    (1.5, 0.3, 1.0): [0.4300, 0.4485, 0.4601, 0.4614, 0.4615, 0.4615, None],
}


def _spec(alpha, beta, M=math.inf):
    """The doc's instance: lambda_k = k^-alpha, lambda_k w*_k^2 = k^-(alpha beta + 1)."""
    return Spectrum.power_law(a=1.0 + alpha * beta, b=alpha, M=M)


def _curve(alpha, beta, gamma, times=GRID, **kw):
    return predict(_spec(alpha, beta), math.inf, math.inf, times, model=FL, gamma=gamma, **kw)


def _slopes(loss):
    """Local slope at GRID[i]: the finite difference from GRID[i-1] (doc's convention)."""
    return -np.diff(np.log(loss)) / np.diff(np.log(GRID))


@pytest.mark.parametrize("key", list(TABLE))
def test_local_slopes_reproduce_the_doc_table(key):
    loss = _curve(*key).test_loss
    slopes = _slopes(loss)
    mine = [slopes[int(round(20 * math.log10(t))) - 1] for t in AT]
    window = (GRID >= 1e6 * 0.999) & (GRID <= 1e9 * 1.001)
    mine.append(-np.polyfit(np.log(GRID[window]), np.log(loss[window]), 1)[0])
    for got, want in zip(mine, TABLE[key], strict=True):
        if want is not None:  # 4 decimals: rounding (5e-5) plus 5e-5 of numerics
            assert abs(got - want) < 1e-4, (key, np.round(mine, 5), TABLE[key])


@pytest.mark.parametrize(("beta", "ratio"), [(0.3, 2.895), (0.5, 4.643)])
def test_rich_loss_ratio_at_late_time(beta, ratio):
    """L(gamma = 1)/L(gamma = 100) at t = 1e10 is 100^(chi/2) (measured 2.8943, 4.6407)."""
    lo = _curve(2.0, beta, 1.0, [1e10]).test_loss[0]
    hi = _curve(2.0, beta, 100.0, [1e10]).test_loss[0]
    assert lo / hi == pytest.approx(ratio, rel=1e-3)


@pytest.mark.parametrize(("gamma", "gain"), [(1.0, 1.88), (100.0, 13.3)])
def test_easy_task_gain_saturates(gamma, gain):
    """beta = 1.5: m(t) saturates (measured 1.8766 and 13.335 at t = 1e10)."""
    m = _curve(2.0, 1.5, gamma, [1e8, 1e10]).extra["gain"]
    assert m[1] == pytest.approx(gain, abs=0.05) and abs(m[1] / m[0] - 1) < 1e-3


def test_hard_task_gain_grows_as_a_power_of_time():
    """beta = 0.5, gamma = 1: m(t) ~ t^((1 - beta)/(1 + beta)) = t^(1/3) late."""
    m = _curve(2.0, 0.5, 1.0, [1e8, 1e10]).extra["gain"]
    assert math.log(m[1] / m[0]) / math.log(100.0) == pytest.approx(1 / 3, abs=0.01)


@pytest.mark.parametrize(("beta", "doc_slope"), [(0.3, -1.435), (0.5, -2.023)])
def test_crossover_time_scales_as_doc(beta, doc_slope):
    """t_x (local slope reaches (beta + chi_rich)/2) ~ gamma^(-1/(1-beta)) (doc section 5)."""
    target = 0.5 * (beta + 2 * beta / (1 + beta))
    tx = []
    for gamma in (1e-4, 1e-3, 1e-2, 1e-1):
        slopes = _slopes(_curve(2.0, beta, gamma).test_loss)
        i = int(np.nonzero((GRID[1:] >= 10) & (slopes >= target))[0][0])
        frac = (target - slopes[i - 1]) / (slopes[i] - slopes[i - 1])
        tx.append(GRID[i] * (GRID[i + 1] / GRID[i]) ** frac)
    fitted = np.polyfit(np.log([1e-4, 1e-3, 1e-2, 1e-1]), np.log(tx), 1)[0]
    assert fitted == pytest.approx(doc_slope, abs=0.005)


@pytest.mark.parametrize(("alpha", "beta", "gamma"), [(1.5, 0.3, 100.0), (2.0, 1.5, 100.0)])
def test_numerics_are_converged(alpha, beta, gamma):
    """Step halving, finer nodes, a higher cut-off: each moves L by < 2e-4 relative
    (measured <= 6.7e-5, 9.2e-5 and 2.4e-7 over four cases, t in [0.1, 1e10])."""
    times = np.logspace(-1, 10, 60)
    base = _curve(alpha, beta, gamma, times).test_loss
    for res in (Resolution(rel_step=0.01), Resolution(exact_modes=1000, per_decade=48),
                Resolution(k_cut=1e32)):
        other = _curve(alpha, beta, gamma, times, resolution=res).test_loss
        assert np.max(np.abs(other / base - 1)) < 2e-4, res


def test_gamma_zero_is_the_random_feature_theory():
    spec = _spec(2.0, 0.5)
    times = np.logspace(-1, 8, 20)
    fl = predict(spec, math.inf, math.inf, times, model=FL, gamma=0.0).test_loss
    rf = predict(spec, math.inf, math.inf, times).test_loss
    assert np.max(np.abs(fl / rf - 1)) < 1e-4


def test_finite_M_matches_the_exact_mode_sum():
    """gamma = 0, M = 5000: L = sum_k lambda_k w*_k^2 exp(-2 lambda_k t) (binned nodes):
    < 1e-4 relative while t lambda_M < 1, 5.6e-4 at worst where every mode decays
    (t lambda_M ~ 1 - 10), exact again once only the bottom modes (kept exactly) are left."""
    spec = _spec(2.0, 0.3, M=5000)
    times = np.logspace(-1, 9, 30)
    lam, W = spec.eigenvalues, spec.eigenvalues * spec.target_weights**2
    exact = np.array([np.sum(W * np.exp(-2 * lam * t)) for t in times])
    fl = predict(spec, math.inf, math.inf, times, model=FL).test_loss
    err = np.abs(fl / exact - 1)
    assert np.max(err[times * spec.eigenvalues[-1] < 1]) < 1e-4 and np.max(err) < 1e-3
    assert theory_nodes(spec, Resolution(), 1e5).mu.size < 400  # compressed from 5000


def test_theory_is_fast():
    """100 times up to t = 1e10 at M = inf (about 0.1 s on a busy shared core)."""
    times = np.logspace(-1, 10, 100)
    _curve(2.0, 0.3, 1.0, times)
    start = time.perf_counter()
    _curve(2.0, 0.3, 1.0, times)
    assert time.perf_counter() - start < 1.0


def test_finite_N_theory_at_N_equal_M_is_refused():
    """At N = M the spectrum of A0^T A0/N reaches 0: no contour encloses it."""
    with pytest.raises(InvalidParameterError, match="`N` = 1000 equals M"):
        predict(_spec(2.0, 0.5, M=1000), 1000, math.inf, [1.0], model=FL, gamma=1.0)
