"""Mean-field theory of one-pass SGD: exact limits, the closed form, and simulation.

References: the exact per-mode recursion at N = inf (matrix powers, independent of the
theory's contour machinery), the explicit O(T^2) Volterra convolution, full-batch GD and
gradient flow in their limits, and the simulator (``method="expected"``: the exact average
over batches given each projection, averaged over projections; ``method="sample"`` for
single runs).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from scaling_dynamics import (
    GradientDescent,
    GradientFlow,
    InvalidParameterError,
    OnlineSGD,
    Spectrum,
    simulate,
)
from scaling_dynamics.cli.compare import deviations
from scaling_dynamics.theory import _sgd, predict, sgd_limit, spectral_edge
from scaling_dynamics.theory._sgd import sgd_curves, sgd_volterra

STEPS = [0, 1, 2, 3, 5, 8, 13, 17, 20, 35, 60, 100, 200, 500, 1000, 3000]


def _recursion(spec: Spectrum, eta: float, B: int, times) -> np.ndarray:
    """N = inf: C_k <- p_k C_k + eta^2 lambda_k (sum_j lambda_j C_j + sigma^2) / B, by matrix powers."""
    lam = np.asarray(spec.eigenvalues)
    M = lam.size
    p = (1 - eta * lam) ** 2 + eta**2 * lam**2 / B
    A = np.zeros((M + 1, M + 1))
    A[:M, :M] = np.diag(p) + (eta**2 / B) * np.outer(lam, lam)
    A[:M, M] = (eta**2 / B) * lam * spec.sigma**2
    A[M, M] = 1.0
    x0 = np.append(spec.target_weights**2, 1.0)
    return np.array([lam @ (np.linalg.matrix_power(A, int(t)) @ x0)[:M] for t in times])


@pytest.mark.parametrize("eta,B,sigma", [(0.2, 1, 0.3), (0.5, 4, 0.0), (1.2, 32, 0.5)])
def test_infinite_model_equals_the_exact_recursion_up_to_a_million_steps(eta, B, sigma):
    spec = Spectrum.power_law(1.5, 1.25, 200, sigma=sigma)
    times = [*STEPS, 10_000, 100_000, 1_000_000]
    c = predict(spec, math.inf, None, times, optimizer=OnlineSGD(eta, B))
    ref = _recursion(spec, eta, B, times)
    # relative 1e-6, or 1e-12 L(0) once everything is learned (sigma = 0, L -> 0)
    assert np.all(np.abs(c.test_loss - ref) <= 1e-6 * ref + 1e-12 * spec.initial_loss)
    assert c.time_unit == "steps" and c.params["P"] is None


def test_closed_form_equals_the_explicit_volterra_convolution():
    spec = Spectrum.power_law(1.5, 1.25, 300, sigma=0.3)
    N, eta, B, T = 50, 0.8, 8, 120
    explicit = sgd_volterra(spec, N, eta, B, T)
    closed, _ = sgd_curves(spec, N, np.arange(T + 1, dtype=float), eta, B)
    assert np.max(np.abs(explicit / closed - 1)) < 1e-8


def test_circle_and_talbot_agree_where_both_apply(monkeypatch):
    spec = Spectrum.power_law(1.5, 1.25, 300, sigma=0.3)
    times = np.array([17.0, 25.0, 40.0])
    talbot, _ = sgd_curves(spec, 60, times, 0.5, 4)
    monkeypatch.setattr(_sgd, "SGD_CIRCLE_STEPS", 40)
    circle, _ = sgd_curves(spec, 60, times, 0.5, 4)
    assert np.max(np.abs(talbot / circle - 1)) < 1e-9


# name, M, N, eta (as eta * mu_max), B, sigma
GRID = [
    ("small model, B = 4, noise", 300, 50, 0.5, 4, 0.3),
    ("B = 1, noise", 300, 100, 0.25, 1, 0.3),
    ("B = 32 near the mode limit", 300, 100, 1.5, 32, 0.0),
    ("N > M", 150, 200, 0.6, 8, 0.3),
]


@pytest.mark.parametrize("name,M,N,eta_mu,B,sigma", GRID, ids=[g[0] for g in GRID])
def test_theory_matches_the_exact_batch_average_within_3_sem(name, M, N, eta_mu, B, sigma):
    spec = Spectrum.power_law(1.5, 1.25, M, sigma=sigma)
    eta = eta_mu / spectral_edge(spec, N, math.inf).mu_max
    opt = OnlineSGD(eta, B)
    th = predict(spec, N, None, STEPS, optimizer=opt)
    sim = simulate(spec, N, None, STEPS, optimizer=opt, n_seeds=32, seed=5, method="expected")
    dev = deviations(th, sim)
    assert np.max(np.abs(dev["test_loss"])) < 3.0, dev["test_loss"]


def test_single_runs_agree_and_there_is_no_train_test_gap():
    """Sampled SGD: theory within 3 sem; batch loss minus test loss is sigma^2 within 3 sem."""
    spec = Spectrum.power_law(1.5, 1.25, 200, sigma=0.5)
    opt = OnlineSGD(0.4, 4)
    th = predict(spec, 60, None, STEPS, optimizer=opt)
    np.testing.assert_allclose(th.train_loss - th.test_loss, 0.25, rtol=1e-12)
    sim = simulate(spec, 60, None, STEPS, optimizer=opt, n_seeds=200, seed=3, method="sample")
    assert np.max(np.abs(deviations(th, sim)["test_loss"])) < 3.0
    # every batch is fresh, so batch loss - test loss has conditional mean sigma^2 at each step
    # independently: pool all steps and runs
    gap = (sim.train_loss_seeds - sim.test_loss_seeds).ravel()
    assert abs(gap.mean() - 0.25) < 3 * gap.std(ddof=1) / math.sqrt(gap.size)


def test_large_batch_is_full_batch_gd_on_the_population():
    """B -> inf: p(mu) -> (1 - eta mu)^2 and the noise term vanishes like 1/B."""
    spec = Spectrum.power_law(1.5, 1.25, 300, sigma=0.3)
    gd = predict(spec, 80, math.inf, STEPS, optimizer=GradientDescent(0.6))
    gap = {}
    for B in (1_000, 10_000):
        sgd = predict(spec, 80, None, STEPS, optimizer=OnlineSGD(0.6, B))
        gap[B] = np.abs(sgd.test_loss[1:] / gd.test_loss[1:] - 1)
    assert gap[10_000].max() < 2e-4
    np.testing.assert_allclose(gap[1_000] / gap[10_000], 10.0, rtol=0.05)


def test_small_steps_are_gradient_flow_on_the_population_with_a_linear_difference():
    spec = Spectrum.power_law(1.5, 1.25, 300, sigma=0.3)
    tau = np.array([1.0, 10.0, 100.0])
    gf = predict(spec, 80, math.inf, tau, optimizer=GradientFlow())
    diff = {}
    for eta in (0.1, 0.05):
        sgd = predict(spec, 80, None, np.round(tau / eta), optimizer=OnlineSGD(eta, 2))
        diff[eta] = sgd.test_loss - gf.test_loss
    np.testing.assert_allclose(diff[0.1] / diff[0.05], 2.0, rtol=0.1)
    assert np.max(np.abs(diff[0.05] / gf.test_loss)) < 0.1


def test_batch_noise_adds_variance_but_no_plateau():
    """sigma = 0 and N >= M: SGD sits above GD at every step yet goes to zero."""
    spec = Spectrum.power_law(1.5, 1.25, 150)
    times = [1, 10, 100, 1000, 10_000, 100_000, 10_000_000]
    sgd = predict(spec, 200, None, times, optimizer=OnlineSGD(0.3, 1))
    gd = predict(spec, 200, math.inf, times, optimizer=GradientDescent(0.3))
    assert np.all(sgd.test_loss[:-1] > gd.test_loss[:-1])
    assert np.all(np.diff(sgd.test_loss[:-1]) < 0)
    lim = sgd_limit(spec, 200, 0.3, 1)
    assert lim.stable and lim.test_loss == 0.0 and lim.null_loss == 0.0
    assert abs(sgd.test_loss[-1]) < 1e-6 * spec.initial_loss  # t = 1e7: zero up to round-off


def test_late_time_value_and_stability_directly():
    spec = Spectrum.power_law(1.5, 1.25, 300, sigma=0.3)
    N, eta, B = 50, 0.5, 4
    lim = sgd_limit(spec, N, eta, B)
    assert lim.stable and 0 < lim.noise_gain < 1 and lim.null_loss > 0
    assert lim.test_loss == pytest.approx(
        (lim.null_loss + lim.noise_gain * 0.09) / (1 - lim.noise_gain), rel=1e-14
    )
    assert lim.eta_max_modes == pytest.approx(1.6 / lim.mu_max)
    far = predict(spec, N, None, [10_000_000], optimizer=OnlineSGD(eta, B))
    assert far.test_loss[0] == pytest.approx(lim.test_loss, rel=1e-6)
    sim = simulate(spec, N, None, [20_000], optimizer=OnlineSGD(eta, B), n_seeds=32, seed=2,
                   method="expected")
    assert abs(sim.test_loss[0] - lim.test_loss) < 3 * sim.test_loss_sem[0]
    # beyond the limits: reported, not raised, by sgd_limit
    assert not sgd_limit(spec, N, 2.0 / lim.mu_max, B).stable
    unstable = sgd_limit(spec, math.inf, 0.7, 1)
    assert not unstable.stable and unstable.noise_gain > 1 and math.isinf(unstable.test_loss)


def test_sgd_arguments():
    spec = Spectrum.power_law(1.5, 1.25, 200, sigma=0.3)
    c = predict(spec, 50, 123, [0, 5], optimizer=OnlineSGD(0.5, 4))  # P is ignored
    assert c.params["P"] is None and c.test_loss[0] == spec.initial_loss
    with pytest.raises(InvalidParameterError, match="`ensemble` > 1 is only available"):
        predict(spec, 50, None, [1], optimizer=OnlineSGD(0.5, 4), ensemble=2)
    with pytest.raises(InvalidParameterError, match="`batch_size` must be an integer >= 1"):
        sgd_limit(spec, 50, 0.5, 0)
    with pytest.raises(InvalidParameterError, match="`eta` must be a number > 0"):
        sgd_limit(spec, 50, -0.5, 4)
