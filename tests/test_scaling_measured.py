"""Exponents measured along theory sweeps against the closed forms of theory.md section 5.

Sizes used (M infinite): time t in [1e3, 1e5] (N = P = inf); model size N in
[1e3, 1e4] at t = P = inf; samples P in [1e3, 1e4] at t = N = inf. The exponent is
the least-squares slope of log L over that last decade.
"""

import math

import numpy as np
import pytest

from scaling_dynamics import InvalidParameterError, Spectrum, simulate
from scaling_dynamics.scaling import measure_exponents, model_sweep, time_sweep

TIMES = np.geomspace(1e3, 1e5, 5)
SIZES = np.geomspace(1e3, 1e4, 4)


@pytest.fixture(scope="module")
def hard_task():
    # a - 1 = 0.5 < b: every closed form applies.
    return measure_exponents(1.5, 1.25, times=TIMES, model_sizes=SIZES, sample_sizes=SIZES)


@pytest.fixture(scope="module")
def easy_task():
    # a - 1 = 3 > 2b = 2.5: m = 2b.
    return measure_exponents(4.0, 1.25, times=TIMES, model_sizes=SIZES, sample_sizes=SIZES)


def test_hard_task_a_1p5_b_1p25_matches_every_closed_form(hard_task):
    r = hard_task
    assert r.time.fitted_exponent == pytest.approx(0.4, abs=0.05)  # (a-1)/b
    assert r.model.fitted_exponent == pytest.approx(0.5, abs=0.05)  # m = a-1
    assert r.data.fitted_exponent == pytest.approx(0.5, abs=0.05)  # m = a-1
    for s in (r.time, r.model, r.data):
        assert abs(s.error) < 0.05
        assert s.local_exponent.shape == (s.x.size - 1,)
    # The local exponent approaches the closed form from below as N grows.
    assert np.all(np.diff(r.model.local_exponent) > 0)
    assert abs(r.model.local_exponent[-1] - 0.5) < abs(r.model.local_exponent[0] - 0.5)


def test_easy_task_a_4_b_1p25_data_exponent_is_2b(easy_task):
    r = easy_task
    assert r.time.fitted_exponent == pytest.approx(2.4, abs=0.05)  # (a-1)/b = 3/1.25
    assert r.data.fitted_exponent == pytest.approx(2.5, abs=0.05)  # m = 2b


def test_easy_task_single_model_floor_is_min_a_minus_1_b_not_2b(easy_task):
    # Documented finding (docs/scaling.md): one model's loss at t = P = inf decays as
    # N^-min(a-1, b) = N^-1.25, the deterministic equivalent of a random projection,
    # not as N^-m = N^-2.5 (the paper's value, the decay of the bias).
    m = easy_task.model
    assert m.closed_form == pytest.approx(2.5) and m.alternative == pytest.approx(1.25)
    assert m.fitted_exponent == pytest.approx(1.25, abs=0.05)
    assert abs(m.fitted_exponent - m.closed_form) > 1.0


def test_model_floor_agrees_with_an_independent_deterministic_equivalent():
    # L(N) = sum_k lambda_k w_k^2 kappa / (lambda_k + kappa), sum_k lambda_k/(lambda_k+kappa) = N,
    # summed directly over M = 20000 modes (no theory code involved).
    from scipy.optimize import brentq

    M, a, b = 20000, 3.0, 1.25
    k = np.arange(1, M + 1.0)
    lam, tp = k**-b, k**-a
    sizes = np.array([100, 400])
    ref = []
    for n in sizes:
        kap = brentq(lambda x, n=n: np.sum(lam / (lam + x)) - n, 1e-14, 10.0, rtol=1e-13)
        ref.append(np.sum(tp * kap / (lam + kap)))
    got = model_sweep(Spectrum.power_law(a, b, M), sizes).loss
    np.testing.assert_allclose(got, ref, rtol=2e-3)


def test_simulation_confirms_the_sweeps_at_finite_M():
    spec = Spectrum.power_law(1.5, 1.25, 300)
    t = np.geomspace(1, 1e3, 4)
    ts = time_sweep(spec, t)
    # N = P = inf is exact in simulation: L(t) = sum_k k^-a exp(-2 k^-b t).
    exact = simulate(spec, math.inf, math.inf, t, n_seeds=1).test_loss
    np.testing.assert_allclose(ts.loss, exact, rtol=1e-8)
    r = measure_exponents(1.5, 1.25, times=t, model_sizes=[20, 40], sample_sizes=[20, 40],
                          M=300, simulate=True, simulated_M=300, n_seeds=6)
    for s in (r.model, r.data):
        assert s.simulated_loss.shape == (2,)
        np.testing.assert_allclose(s.simulated_theory, s.loss)  # same M here
        z = np.abs(s.simulated_loss - s.loss) / (s.simulated_sem + 0.02 * s.loss)
        assert np.all(z < 3), (s.name, s.simulated_loss, s.loss, s.simulated_sem)


def test_sweep_arguments_are_checked():
    with pytest.raises(InvalidParameterError, match="`times`"):
        measure_exponents(1.5, 1.25, times=[1.0])
    with pytest.raises(InvalidParameterError, match="`a`"):
        measure_exponents(0.5, 1.25)
    with pytest.raises(InvalidParameterError, match="`spectrum`"):
        time_sweep("power law", [1, 2])
