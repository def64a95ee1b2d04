"""Inverse Laplace transforms in one and two variables, on transforms with known inverses."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest

from scaling_dynamics import InvalidParameterError, Spectrum
from scaling_dynamics.theory import (
    ContourRule,
    invert_laplace,
    invert_laplace_2d,
    solve_responses,
    talbot_rule,
    transfer_functions,
)

TIMES = np.geomspace(1e-2, 1e7, 19)


@pytest.mark.parametrize("a", [0.0, 0.3, 2.0])
def test_exponential_pair_1d(a):
    # 1/(s + a) <-> exp(-a t), at the default 24 nodes
    f = invert_laplace(lambda s: 1.0 / (s + a), TIMES)
    np.testing.assert_allclose(f, np.exp(-a * TIMES), rtol=0, atol=1e-12)


@pytest.mark.parametrize("nu", [0.3, 1.0, 1.5, 2.5])
def test_power_law_pair_1d(nu):
    # s^-nu <-> t^(nu-1) / Gamma(nu): the scaling regime of the model
    f = invert_laplace(lambda s: s ** (-nu), TIMES)
    exact = TIMES ** (nu - 1) / math.gamma(nu)
    np.testing.assert_allclose(f, exact, rtol=1e-11)


def test_product_pair_2d():
    # 1/((p + a)(q + b)) <-> exp(-a t - b s), on the diagonal and off it
    a, b = 0.7, 0.05
    t = TIMES
    s = TIMES[::-1]
    diag = invert_laplace_2d(lambda p, q: 1.0 / ((p + a) * (q + b)), t)
    np.testing.assert_allclose(diag, np.exp(-(a + b) * t), rtol=0, atol=5e-11)
    off = invert_laplace_2d(lambda p, q: 1.0 / ((p + a) * (q + b)), t, s)
    np.testing.assert_allclose(off, np.exp(-a * t - b * s), rtol=0, atol=5e-11)


def test_power_law_product_2d():
    # p^-0.7 q^-1.6 <-> t^-0.3 s^0.6 / (Gamma(0.7) Gamma(1.6))
    f = invert_laplace_2d(lambda p, q: p**-0.7 * q**-1.6, TIMES)
    exact = TIMES**-0.3 * TIMES**0.6 / (math.gamma(0.7) * math.gamma(1.6))
    np.testing.assert_allclose(f, exact, rtol=1e-9)


def test_upper_halves_only_would_be_wrong():
    # The 2-D rule needs both halves of the second contour: dropping them is a real error.
    a, b = 0.5, 1.5
    rule = talbot_rule([1.0], 18)
    p = rule.nodes[0][:, None]
    q = rule.nodes[0][None, :]
    values = 1.0 / ((p + a) * (q + b))
    upper_only = np.real(rule.weights[0] @ values @ rule.weights[0])
    assert abs(upper_only - math.exp(-a - b)) > 1e-3
    both = invert_laplace_2d(lambda p, q: 1.0 / ((p + a) * (q + b)), [1.0])
    assert abs(both[0] - math.exp(-a - b)) < 1e-10


def test_accuracy_is_best_near_16_to_24_nodes():
    # float64 cancellation: error falls with n until ~20 nodes, then rises (theory.md section 3)
    def err(n):
        f = invert_laplace_2d(lambda p, q: 1.0 / ((p + 0.5) * (q + 1.5)), TIMES, n_nodes=n)
        return np.max(np.abs(f - np.exp(-2.0 * TIMES)))

    e10, e18, e40 = err(10), err(18), err(40)
    assert e18 < 1e-10
    assert e10 > 10 * e18
    assert e40 > 10 * e18


def test_against_mpmath_on_a_branch_cut_transform():
    # 1/(sqrt(s) + 1) has a branch cut on the negative axis; mpmath's de Hoog method
    # (a vertical line, a different contour) is the reference.
    t = [0.05, 1.0, 20.0]
    ref = [float(mpmath.invertlaplace(lambda s: 1 / (mpmath.sqrt(s) + 1), x, method="dehoog"))
           for x in t]
    f = invert_laplace(lambda s: 1.0 / (np.sqrt(s) + 1.0), t)
    np.testing.assert_allclose(f, ref, rtol=1e-9)


def test_transfer_function_against_mpmath():
    # H_k(t) of the theory (Talbot) against mpmath's de Hoog inversion of H_k(z), each
    # mpmath node solving the response equations at that z.
    s = Spectrum.power_law(1.5, 1.25, 300)
    N, P, k = 60, 120, 5
    lam = k**-1.25

    def Hz(z):
        r = solve_responses(s, N, P, [complex(z)])
        return mpmath.mpc(1.0 / (complex(z) + lam * complex(r.rho[0])))

    t = [0.5, 8.0]
    ref = [float(mpmath.invertlaplace(Hz, x, method="dehoog")) for x in t]
    H = transfer_functions(s, N, P, t, modes=[k]).values[0]
    np.testing.assert_allclose(H, ref, rtol=1e-7)


def test_contour_interface_accepts_any_rule():
    # a rule made by hand (Talbot at 30 nodes, then subset) works through invert_laplace
    rule = talbot_rule([0.5, 2.0, 8.0], 30).subset(slice(1, 3))
    assert isinstance(rule, ContourRule) and rule.n_nodes == 30
    f = invert_laplace(lambda s: 1.0 / (s + 1.0), rule.times, rule=rule)
    np.testing.assert_allclose(f, np.exp(-rule.times), atol=1e-9)
    nodes, weights = rule.full_second_variable()
    assert nodes.shape == (2, 60) and np.all(rule.nodes.imag >= 0)


def test_inversion_errors():
    with pytest.raises(InvalidParameterError, match="`times` must contain only positive"):
        invert_laplace(lambda s: 1 / s, [0.0, 1.0])
    with pytest.raises(InvalidParameterError, match="`n_nodes` must be an integer"):
        talbot_rule([1.0], 100)
    with pytest.raises(InvalidParameterError, match="must return an array of the shape"):
        invert_laplace(lambda s: np.ones(3), [1.0])
    with pytest.raises(InvalidParameterError, match="`second_times` must have the length"):
        invert_laplace_2d(lambda p, q: p * q, [1.0, 2.0], [1.0])
