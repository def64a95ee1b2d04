"""Response functions R1, R3: closed forms, symmetries, branch, small-z limit, failures."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.optimize import brentq

from scaling_dynamics import ConvergenceError, InvalidParameterError, Spectrum
from scaling_dynamics.theory import mode_set, solve_responses, talbot_rule
from scaling_dynamics.theory._responses import solve_on_modes

SPEC = Spectrum.power_law(1.5, 1.25, 400)
# every Talbot node of 60 times from 1e-2 to 1e8: right and left half plane, |z| 1e-8..1e3
GRID = talbot_rule(np.geomspace(1e-2, 1e8, 60), 18).nodes.ravel()


def test_isotropic_projection_matches_marchenko_pastur():
    # lambda_k = 1 for all M modes and P = inf: R3 solves R3 = 1/(1 + (M/N)/(z + R3)),
    # i.e. R3^2 + (z - 1 + M/N) R3 - z = 0 (Marchenko-Pastur); pick the root with
    # Re R3 > 0 on the real axis and continue it (the sqrt branch along the contour).
    M, N = 300, 120
    s = Spectrum.from_arrays(np.ones(M), np.ones(M))
    z = np.array([2.0, 0.5 + 0.3j, -0.4 + 0.8j, 0.01 + 0.02j, -3 + 0.1j])
    r = solve_responses(s, N, math.inf, z)
    c = M / N
    bq = z - 1 + c
    disc = np.sqrt(bq * bq + 4 * z)
    roots = np.stack([(-bq + disc) / 2, (-bq - disc) / 2])
    # the physical root: Im(z H) has the sign of Im z, with H = 1/(z + R3)
    err = np.min(np.abs(roots - r.R3[None, :]), axis=0)
    assert np.all(err < 1e-12)
    assert np.all(r.R1 == 1)


def test_converges_on_the_whole_contour_grid():
    for N, P in [(100, 200), (200, 100), (150, 150), (math.inf, 150), (100, math.inf), (50, 10**6)]:
        r = solve_responses(SPEC, N, P, GRID)
        assert r.converged.all()
        assert np.all(r.residual <= 1e-13)
        assert np.all(np.isfinite(r.R1)) and np.all(np.isfinite(r.R3))


def test_physical_branch_stieltjes_signs():
    # H_k(z) = 1/(z + lambda_k rho) is a Stieltjes transform: Im H Im z <= 0 and
    # Im(z H) Im z >= 0 for every mode.
    r = solve_responses(SPEC, 100, 200, GRID)
    H = r.transfer(SPEC.eigenvalues)
    sgn = np.sign(GRID.imag)[:, None]
    assert np.all(sgn * H.imag <= 1e-12 * np.abs(H))
    assert np.all(sgn * (GRID[:, None] * H).imag >= -1e-12 * np.abs(GRID[:, None] * H))


def test_symmetries():
    z = GRID[::7]
    a = solve_responses(SPEC, 120, 300, z)
    b = solve_responses(SPEC, 300, 120, z)  # the equations are symmetric in (N, R3) <-> (P, R1)
    np.testing.assert_allclose(a.R1, b.R3, rtol=1e-11)
    np.testing.assert_allclose(a.R3, b.R1, rtol=1e-11)
    c = solve_responses(SPEC, 120, 300, z.conj())  # real functions: R(conj z) = conj R(z)
    np.testing.assert_allclose(c.R1, a.R1.conj(), rtol=1e-12)


def test_large_z_expansion():
    # R1 = 1 - t1/(P z) + [t1^2/(N P) + t2/P + t1^2/P^2]/z^2 + O(z^-3), t_p = sum lambda^p:
    # the remainder must be small and fall like z^-3 (ratio 8 when z doubles).
    N, P = 100, 200
    z = np.array([1e3, 2e3, 1e3 * (1 + 1j)])
    r = solve_responses(SPEC, N, P, z)
    t1, t2 = SPEC.eigenvalues.sum(), (SPEC.eigenvalues**2).sum()
    series = 1 - t1 / (P * z) + (t1**2 / (N * P) + t2 / P + t1**2 / P**2) / z**2
    err = np.abs(r.R1 - series)
    assert np.all(err < 1e-10)
    assert 7.0 < err[0] / err[1] < 9.0


@pytest.mark.parametrize("N,P", [(100, 300), (300, 100), (100, math.inf)])
def test_small_z_limit_is_the_degrees_of_freedom_equation(N, P):
    # rho(z) = R1 R3 ~ kappa z as z -> 0, with sum_k lambda kappa / (1 + lambda kappa) = min(N, P)
    lam = SPEC.eigenvalues
    n = min(N, P)
    kappa = brentq(lambda k: np.sum(lam * k / (1 + lam * k)) - n, 1e-6, 1e12, xtol=1e-14, rtol=1e-14)
    r = solve_responses(SPEC, N, P, [1e-12])
    assert abs(r.rho[0].real / 1e-12 / kappa - 1) < 1e-6


def test_compressed_sums_give_the_same_responses():
    s = Spectrum.power_law(1.5, 1.25, 20_000)
    exact = solve_responses(s, 200, 400, GRID[::5], compress="off")
    comp = solve_responses(s, 200, 400, GRID[::5], compress="on")
    assert comp.n_nodes < 300 < exact.n_nodes
    np.testing.assert_allclose(comp.R1, exact.R1, rtol=1e-9)
    np.testing.assert_allclose(comp.R3, exact.R3, rtol=1e-9)
    inf = solve_responses(Spectrum.power_law(1.5, 1.25, math.inf), 200, 400, GRID[::5])
    assert inf.converged.all()


def test_invalid_z_and_arguments():
    with pytest.raises(InvalidParameterError, match="negative real axis"):
        solve_responses(SPEC, 100, 200, [-1.0])
    with pytest.raises(InvalidParameterError, match="negative real axis"):
        solve_responses(SPEC, 100, 200, [0.0])
    with pytest.raises(InvalidParameterError, match="`z` must be finite"):
        solve_responses(SPEC, 100, 200, [np.nan])
    with pytest.raises(InvalidParameterError, match="`N` must be a positive integer"):
        solve_responses(SPEC, 0, 200, [1.0])
    with pytest.raises(InvalidParameterError, match="`spectrum` must be a Spectrum"):
        solve_responses("power law", 100, 200, [1.0])
    with pytest.raises(InvalidParameterError, match="at least one point"):
        solve_responses(SPEC, 100, 200, [])


def test_non_convergence_raises_and_says_where():
    ms = mode_set(SPEC)
    with pytest.raises(ConvergenceError, match=r"z = .*residual .* Newton iterations"):
        solve_on_modes(ms, 100, 200, np.array([1e-6 + 1e-6j]), max_iter=1, tol=1e-16)
    r = solve_on_modes(ms, 100, 200, np.array([1e-6 + 1e-6j]), max_iter=1, tol=1e-16, throw=False)
    assert not r.converged[0]
    assert np.isfinite(r.residual[0])
