"""Spectrum and task power of a kernel: definitions, invariants, the Spectrum it becomes."""

import numpy as np
import pytest

from scaling_dynamics import InvalidParameterError, Spectrum, simulate
from scaling_dynamics.empirical import (
    feature_kernel,
    fit_exponents,
    measure_spectrum,
    synthetic_power_law,
)


def test_spectrum_of_a_linear_kernel_matches_the_feature_covariance(rng):
    """eig(X X^T / P) = eig(X^T X / P) (an M x M computation), and the task power follows."""
    P, M = 400, 30
    X = rng.standard_normal((P, M)) * np.arange(1, M + 1) ** -0.6
    w = rng.standard_normal(M)
    y = X @ w
    spec = measure_spectrum(feature_kernel(X), y)
    cov = X.T @ X / P
    mu, V = np.linalg.eigh(cov)
    mu, V = mu[::-1], V[:, ::-1]
    assert spec.n_modes == M  # the P - M null modes are dropped
    np.testing.assert_allclose(spec.eigenvalues, mu, rtol=1e-9)
    # y = X w: its power on mode k is mu_k (V^T w)_k^2
    np.testing.assert_allclose(spec.task_power, mu * (V.T @ w) ** 2, rtol=1e-7, atol=1e-12)
    assert spec.total_power == pytest.approx(np.mean(y**2), rel=1e-12)
    assert spec.residual_power < 1e-20
    assert spec.cumulative_task_power[-1] == pytest.approx(1.0)


def test_task_power_sums_to_the_mean_squared_target(rng):
    X = rng.standard_normal((50, 8))
    K = np.exp(-0.1 * np.sum((X[:, None] - X[None]) ** 2, axis=-1))
    y = rng.standard_normal(50)
    spec = measure_spectrum(K, y)
    assert np.all(np.diff(spec.eigenvalues) <= 0)
    assert spec.total_power == pytest.approx(np.mean(y**2), rel=1e-12)
    np.testing.assert_allclose(spec.task_power, spec.eigenvalues * spec.target_weights**2,
                               rtol=1e-12)


def test_measured_spectrum_becomes_a_spectrum_that_saves_and_simulates(tmp_path):
    data = synthetic_power_law(300, a=1.5, b=1.3, M=200, seed=3)
    spec = measure_spectrum(feature_kernel(data.X), data.y, label="synthetic test")
    model_spec = spec.to_spectrum()
    assert model_spec.M == spec.n_modes
    assert model_spec.initial_loss == pytest.approx(spec.total_power, rel=1e-12)
    path = spec.save(tmp_path / "s.npz", a=1.5, modes_used=(1, 10))
    loaded = Spectrum.load(path)
    np.testing.assert_array_equal(loaded.eigenvalues, model_spec.eigenvalues)
    np.testing.assert_array_equal(np.abs(loaded.target_weights), np.abs(model_spec.target_weights))
    assert loaded.label == "synthetic test"
    with np.load(path) as f:
        assert float(f["a"]) == 1.5 and list(f["modes_used"]) == [1, 10]
        np.testing.assert_array_equal(f["task_power"], spec.task_power)
    curves = simulate(loaded, N=50, P=60, times=[0, 10], n_seeds=2)
    assert curves.test_loss[0] == pytest.approx(spec.total_power)


def test_power_law_tail_extension_continues_the_fit():
    data = synthetic_power_law(400, a=1.5, b=1.3, M=600, seed=4)
    spec = measure_spectrum(feature_kernel(data.X), data.y)
    fit = fit_exponents(spec, n_bootstrap=20)
    ext = spec.to_spectrum(extend_to=5000, fit=fit)
    last = fit.modes_used[1]
    assert ext.M == 5000
    k = np.arange(last + 1, 5001)
    tail_lam, tail_power = fit.b_amplitude * k**-fit.b, fit.a_amplitude * k**-fit.a
    # Spectrum sorts modes by eigenvalue; the junction may interleave a few of them
    expected = np.sort(np.concatenate([spec.eigenvalues[:last], tail_lam]))[::-1]
    np.testing.assert_allclose(ext.eigenvalues, expected, rtol=1e-12)
    assert ext.initial_loss == pytest.approx(
        spec.task_power[:last].sum() + tail_power.sum(), rel=1e-12)
    with pytest.raises(InvalidParameterError, match="`fit`"):
        spec.to_spectrum(extend_to=5000)


def test_bad_kernels_are_refused(rng):
    with pytest.raises(InvalidParameterError, match="square"):
        measure_spectrum(np.ones((3, 4)), np.ones(3))
    with pytest.raises(InvalidParameterError, match="symmetric"):
        measure_spectrum(np.array([[1.0, 0.5], [0.0, 1.0]]), np.ones(2))
    with pytest.raises(InvalidParameterError, match="positive semi-definite"):
        measure_spectrum(np.array([[1.0, 2.0], [2.0, 1.0]]), np.ones(2))
    with pytest.raises(InvalidParameterError, match="one target per kernel row"):
        measure_spectrum(np.eye(3), np.ones(2))
