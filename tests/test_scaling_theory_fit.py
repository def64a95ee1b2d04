"""Fit of this model's theory to loss data: recovers a, b and predicts held-out points.

Synthetic data: L = E + s_L L_theory(s_N N, s_t t; a=2, b=1.5), P = inf, M = inf, with
N in [1e3, 1e5], t in [10, 1e4], s_N = 0.1, s_t = 10, s_L = 2, E = 0.1, and 1 % noise.
"""

import math

import numpy as np
import pytest

from scaling_dynamics import InvalidParameterError, Spectrum
from scaling_dynamics.scaling import fit_theory
from scaling_dynamics.theory import predict

A, B, S_N, S_T, S_L, E = 2.0, 1.5, 0.1, 10.0, 2.0, 0.1


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(11)
    spec = Spectrum.power_law(A, B, math.inf)
    rows = []
    for n in np.geomspace(1e3, 1e5, 4):
        t = np.geomspace(10, 1e4, 6)
        L = E + S_L * predict(spec, int(round(n * S_N)), math.inf, t * S_T).test_loss
        rows += [(n, ti, li) for ti, li in zip(t, L * np.exp(0.01 * rng.standard_normal(6)),
                                               strict=True)]
    return np.array(rows).T


def test_recovers_the_exponents_and_the_floor(data):
    # Default starts (generic + Chinchilla-implied), coarse table only, 14 candidates.
    N, t, L = data
    fit = fit_theory(N, t, L, coarse_evaluations=14, fine_evaluations=0, holdout_fraction=None)
    assert fit.a == pytest.approx(A, abs=0.1)
    assert fit.b == pytest.approx(B, abs=0.1)
    assert (fit.a - 1) / fit.b == pytest.approx((A - 1) / B, abs=0.03)  # time exponent
    assert fit.floor == pytest.approx(E, abs=0.01)
    assert fit.rmse_log < 0.015  # the noise is 0.01
    # The fitted law reproduces the data-generating law where the data are.
    np.testing.assert_allclose(fit.predict(N, t), L, rtol=0.04)
    # The allocation exponents follow the fitted exponents' closed forms.
    alloc = fit.allocation(np.geomspace(1e7, 1e10, 4))
    assert alloc.exponent_params == pytest.approx(fit.exponents.compute_params_single, abs=0.06)
    d = fit.to_dict()
    assert {"a", "b", "sigma", "model_scale", "time_scale", "loss_scale", "floor"} <= set(d)


def test_refuses_data_it_cannot_fit(data):
    N, t, L = data
    with pytest.raises(InvalidParameterError, match="too few points"):
        fit_theory(N[:3], t[:3], L[:3])
    bad = L.copy()
    bad[2] = -1.0
    with pytest.raises(InvalidParameterError, match="loss"):
        fit_theory(N, t, bad)
    with pytest.raises(InvalidParameterError, match="`coarse_evaluations`"):
        fit_theory(N, t, L, coarse_evaluations=0, fine_evaluations=0)
    with pytest.raises(InvalidParameterError, match="`fine_table`"):
        fit_theory(N, t, L, fine_table=(3,))
