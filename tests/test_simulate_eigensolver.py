"""The simulator's eigensolver: eigenvectors applied as Householder reflectors (issue 18).

``simulate/_tridiagonal.py`` never forms the eigenvectors U of the kernel; it applies
:math:`U = QW` to the blocks the simulator needs. Checked against NumPy's dense ``eigh``
(an independent LAPACK path) through sign-free invariants, and in the simulator against
the same run with U formed (a grid of times wider than half the kernel).
"""

from __future__ import annotations

import numpy as np
import pytest

from scaling_dynamics import Spectrum, simulate
from scaling_dynamics.simulate._tridiagonal import TRIDIAGONAL, tridiagonal_eigh


def _symmetric(n: int, seed: int, decay: float = 0.0) -> np.ndarray:
    """A random symmetric matrix; ``decay`` > 0 gives power-law eigenvalues k^-decay."""
    rng = np.random.default_rng(seed)
    Qm, _ = np.linalg.qr(rng.standard_normal((n, n)))
    ev = np.arange(1, n + 1, dtype=float) ** -decay if decay else rng.standard_normal(n)
    return (Qm * ev) @ Qm.T


@pytest.mark.parametrize("n, decay", [(1, 0.0), (2, 0.0), (7, 0.0), (60, 0.0), (200, 2.5)])
def test_matches_dense_eigh_through_invariants(n, decay):
    K = _symmetric(n, seed=n, decay=decay)
    mu_ref, U = np.linalg.eigh(K)
    mu, basis = tridiagonal_eigh(K.copy())
    scale = np.abs(mu_ref).max()
    np.testing.assert_allclose(mu, mu_ref, rtol=0, atol=1e-12 * scale)
    rng = np.random.default_rng(1)
    g = rng.standard_normal(n)
    # U f(mu) U^T g, a smooth f as in the simulator, depends neither on the eigenvectors'
    # signs nor on their rotation inside a cluster of nearly equal eigenvalues
    times = np.logspace(-1, 6, 5) if decay else np.array([0.1, 0.5, 1.0, 2.0, 3.0])
    F, F_ref = (np.exp(-np.outer(m, times)) for m in (mu, mu_ref))
    want = U @ (F_ref * (U.T @ g)[:, None])
    got = basis.apply(F * basis.apply_t(g)[:, None])
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-11 * np.abs(want).max())
    Ud = basis.dense()
    np.testing.assert_allclose(Ud.T @ Ud, np.eye(n), atol=1e-12)
    np.testing.assert_allclose((Ud * mu) @ Ud.T, K, atol=1e-12 * scale)
    # once formed, U serves both applications
    np.testing.assert_allclose(basis.apply(F), Ud @ F, atol=1e-12)
    np.testing.assert_allclose(basis.apply_t(F), Ud.T @ F, atol=1e-12)


def test_applying_leaves_the_inputs_untouched():
    """LAPACK overwrites its block; a vector or a column view must not be that block."""
    _, basis = tridiagonal_eigh(_symmetric(30, seed=3))
    rng = np.random.default_rng(2)
    inputs = [rng.standard_normal(30), rng.standard_normal((30, 1)),
              np.asfortranarray(rng.standard_normal((30, 4))), rng.standard_normal((30, 4))]
    for x in inputs:
        keep = x.copy()
        basis.apply_t(x)
        basis.apply(x)
        np.testing.assert_array_equal(x, keep)


@pytest.mark.parametrize("N, P, route", [(80, 120, "primal"), (80, 120, "dual"),
                                         (150, 100, "modes"), (80, float("inf"), "primal")])
def test_implicit_and_formed_eigenvectors_give_the_same_curves(N, P, route):
    """Five times apply U implicitly; a grid of 200 (wider than r/2) forms U first."""
    spec = Spectrum.power_law(1.5, 1.25, 120, sigma=0.2)
    few = np.array([0.5, 3.0, 40.0, 1e3, 1e5])
    many = np.unique(np.concatenate([few, np.logspace(-2, 6, 195)]))
    a = simulate(spec, N, P, few, n_seeds=2, seed=4, route=route, ensemble=2)
    b = simulate(spec, N, P, many, n_seeds=2, seed=4, route=route, ensemble=2)
    at = np.searchsorted(many, few)
    np.testing.assert_allclose(a.test_loss_seeds, b.test_loss_seeds[:, at], rtol=1e-10)
    np.testing.assert_allclose(a.train_loss_seeds, b.train_loss_seeds[:, at], rtol=1e-9,
                               atol=1e-14)
    assert a.diagnostics["eigensolver"] == TRIDIAGONAL


def _layouts(a: np.ndarray) -> list[np.ndarray]:
    """The same matrix C-ordered, Fortran-ordered and as a strided view."""
    wide = np.zeros((a.shape[0], 2 * a.shape[1]))
    wide[:, ::2] = a
    return [np.ascontiguousarray(a), np.asfortranarray(a), wide[:, ::2]]


def test_products_in_scipys_blas_equal_numpys_for_every_memory_order():
    from scaling_dynamics.simulate._one_blas import gram, matmul

    rng = np.random.default_rng(5)
    a, b, x = rng.standard_normal((7, 5)), rng.standard_normal((5, 3)), rng.standard_normal(5)
    for aa in _layouts(a):
        np.testing.assert_allclose(matmul(aa, x), a @ x, rtol=1e-13)
        for bb in _layouts(b):
            np.testing.assert_allclose(matmul(aa, bb), a @ b, rtol=1e-13)
        for transpose, want in ((True, a.T @ a), (False, a @ a.T)):
            full = gram(aa, 0.5, transpose=transpose, full=True)
            np.testing.assert_allclose(full, 0.5 * want, rtol=1e-13, atol=1e-15)
            lower = gram(aa, 0.5, transpose=transpose)
            np.testing.assert_allclose(np.tril(lower), np.tril(0.5 * want), rtol=1e-13,
                                       atol=1e-15)
    assert matmul(np.zeros((3, 0)), np.zeros((0, 2))).shape == (3, 2)
