"""Heavy-ball momentum in continuous time, m v'' + v' = -F (G v - b)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from scaling_dynamics import GradientFlow, InvalidParameterError, Momentum, Spectrum
from scaling_dynamics.theory import HeavyBallFlow, predict, spectral_edge
from scaling_dynamics.theory._momentum_flow import flow_switch_time, momentum_flow_terms

TIMES = [0, 0.1, 0.5, 1, 2, 5, 10, 20, 40, 60, 100, 300, 1000, 1e4]


def _exact_population(spec: Spectrum, m: float, times) -> np.ndarray:
    """N = P = inf: v_k(t) = w*_k p_t(lambda_k), p the solution of m x'' + x' + lambda x = 0."""
    lam = np.asarray(spec.eigenvalues)
    out = []
    for t in times:
        r = (-1 + np.sqrt((1 - 4 * m * lam).astype(complex))) / (2 * m)  # slow root
        s = (-1 - np.sqrt((1 - 4 * m * lam).astype(complex))) / (2 * m)  # fast root
        p = np.real((r * np.exp(s * t) - s * np.exp(r * t)) / (r - s))
        out.append((lam * spec.target_weights**2) @ p**2)
    return np.array(out)


@pytest.mark.parametrize("mass", [0.1, 1.0, 5.0])  # overdamped, mildly and strongly underdamped
def test_population_limit_is_the_exact_per_mode_solution(mass):
    spec = Spectrum.power_law(1.5, 1.25, 300, sigma=0.3)
    c = predict(spec, math.inf, math.inf, TIMES, optimizer=HeavyBallFlow(mass))
    ref = _exact_population(spec, mass, TIMES)
    assert np.all(np.abs(c.test_loss - ref) <= 1e-9 * ref + 1e-11 * spec.initial_loss)
    assert c.time_unit == "time" and c.params["optimizer"] == "momentum-flow"
    assert c.params["mass"] == mass


def test_ellipse_and_talbot_agree_where_both_apply():
    spec = Spectrum.power_law(1.5, 1.25, 150, sigma=0.3)
    N, P, m = 50, 80, 2.0
    mu = spectral_edge(spec, N, P).mu_max
    T1 = flow_switch_time(m, mu)
    times = np.array([1.1 * T1, 1.5 * T1])
    talbot = momentum_flow_terms(spec, N, P, times, m, mu)
    ellipse = momentum_flow_terms(spec, N, P, times, m, mu, switch=2 * T1)
    for key in ("test", "train", "test_cross", "bias"):
        assert np.max(np.abs(getattr(talbot, key) / getattr(ellipse, key) - 1)) < 1e-8, key


def test_small_step_discrete_momentum_approaches_the_flow_linearly():
    """beta = 1 - sqrt(eta/m), step t = tau / h with h = sqrt(eta m): the gap shrinks like h."""
    spec = Spectrum.power_law(1.5, 1.25, 120, sigma=0.3)
    N, P, m = 40, 80, 1.0
    tau = np.array([2.0, 5.0, 20.0])
    flow = predict(spec, N, P, tau, optimizer=HeavyBallFlow(m))
    gap = {}
    for h in (0.2, 0.1):
        eta = h * h / m
        disc = predict(spec, N, P, np.round(tau / h), optimizer=Momentum(eta, 1 - h / m))
        gap[h] = np.concatenate([disc.test_loss - flow.test_loss, disc.train_loss - flow.train_loss])
    np.testing.assert_allclose(gap[0.2] / gap[0.1], 2.0, rtol=0.15)
    assert np.max(np.abs(gap[0.1])) < 0.03 * spec.initial_loss


def test_small_mass_is_gradient_flow():
    spec = Spectrum.power_law(1.5, 1.25, 150, sigma=0.3)
    t = [0.5, 5.0, 50.0]
    gf = predict(spec, 50, 80, t, optimizer=GradientFlow())
    hb = predict(spec, 50, 80, t, optimizer=HeavyBallFlow(1e-3))
    np.testing.assert_allclose(hb.test_loss, gf.test_loss, rtol=5e-3)


def test_mass_is_validated():
    with pytest.raises(InvalidParameterError, match="`mass` must be a number > 0"):
        HeavyBallFlow(0.0)
