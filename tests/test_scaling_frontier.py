"""Compute-optimal frontier: the optimiser against an analytic surface with a known frontier,
then the theory's frontier against the closed forms of theory.md section 5."""

import math

import numpy as np
import pytest

from scaling_dynamics import InvalidParameterError
from scaling_dynamics.scaling._frontier import optimize_frontier

# L = E + A N^-alpha + B t^-beta with C = N t has N* = G C^(beta/(alpha+beta)),
# G = (alpha A / (beta B))^(1/(alpha+beta)): an independent reference for the optimiser.
E, A, ALPHA, B, BETA = 0.1, 2.0, 0.5, 3.0, 0.4


def surface(n, t):
    return E + A * n**-ALPHA + B * np.asarray(t) ** -BETA


def test_optimiser_finds_the_analytic_frontier_and_its_exponents():
    C = np.geomspace(1e4, 1e10, 7)
    fr = optimize_frontier(surface, C, loss_floor=E)
    G = (ALPHA * A / (BETA * B)) ** (1 / (ALPHA + BETA))
    np.testing.assert_allclose(fr.model_size, G * C ** (BETA / (ALPHA + BETA)), rtol=2e-3)
    np.testing.assert_allclose(fr.steps * fr.model_size, C, rtol=1e-12)
    assert not fr.at_bound.any()
    assert fr.exponent_params == pytest.approx(BETA / (ALPHA + BETA), abs=1e-3)
    assert fr.exponent_steps == pytest.approx(ALPHA / (ALPHA + BETA), abs=1e-3)
    assert fr.exponent_loss == pytest.approx(ALPHA * BETA / (ALPHA + BETA), abs=1e-3)
    np.testing.assert_allclose(fr.local_exponents["compute_params"], 4 / 9, atol=2e-3)
    assert fr.grid_loss.shape == (25, 7) and fr.n_evaluations < 25 + 7 * 30


def test_optimum_outside_the_range_is_flagged_and_left_out_of_the_fit():
    C = np.geomspace(1e4, 1e8, 5)
    fr = optimize_frontier(surface, C, model_size_range=(1.0, 50.0), loss_floor=E)
    # N*(1e4) = 49 lies inside (1, 50); the larger budgets want N* > 50.
    assert fr.at_bound.tolist() == [False, True, True, True, True]
    assert fr.model_size[-1] == pytest.approx(50.0, rel=1e-2)
    assert math.isnan(fr.exponent_params)  # one usable budget cannot give a slope


def test_invalid_frontier_arguments_are_refused():
    with pytest.raises(InvalidParameterError, match="`compute`"):
        optimize_frontier(surface, [1e4, -1])
    with pytest.raises(InvalidParameterError, match="`model_size_range`"):
        optimize_frontier(surface, [1e4], model_size_range=(10, 1))
    with pytest.raises(InvalidParameterError, match="non-finite"):
        optimize_frontier(lambda n, t: np.full(np.shape(t), np.nan), [1e4, 1e5])
