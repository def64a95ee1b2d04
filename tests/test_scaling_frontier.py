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
    assert fr.grid_loss.shape == (fr.grid_model_size.size, 7) and fr.n_evaluations < 25 + 7 * 30
    # the table holds exactly the values the search evaluated, nan elsewhere
    n, i = np.nonzero(np.isfinite(fr.grid_loss))
    np.testing.assert_allclose(fr.grid_loss[n, i],
                               surface(fr.grid_model_size[n], C[i] / fr.grid_model_size[n]),
                               rtol=1e-14)
    assert np.isfinite(fr.grid_loss).sum(axis=0).min() >= 7  # a stencil and the final


def test_the_refinement_shares_its_calls_across_budgets():
    # 40 budgets over six decades: one call per lattice size serves every budget near it,
    # so the calls number far fewer than a separate search per budget (~8 calls each).
    C = np.geomspace(1e3, 1e9, 40)
    calls = []

    def counted(n, t):
        calls.append(np.size(t))
        return surface(n, t)

    fr = optimize_frontier(counted, C, loss_floor=E, n_grid=17, xatol=2e-3)
    G = (ALPHA * A / (BETA * B)) ** (1 / (ALPHA + BETA))
    np.testing.assert_allclose(fr.model_size, G * C ** (BETA / (ALPHA + BETA)), rtol=1e-3)
    assert fr.n_evaluations == len(calls) < 17 + 5 * C.size  # 146 here; Brent: 17 + ~8 * 40
    assert sum(calls) < 17 * C.size + 12 * C.size  # (N, t) points: grid, then ~10 per budget


def test_a_steep_surface_is_polished_to_its_minimum():
    # L = A N^-3 + B t^-2.5 changes threefold across a stencil: the degree-6 polynomial at
    # spacing 0.2 alone misses N* by ~5e-5 in log N (L* ~1e-8 high); the refit with the
    # value at its minimum finds it.
    alpha, beta = 3.0, 2.5

    def steep(n, t):
        return A * n**-alpha + B * np.asarray(t) ** -beta

    C = np.geomspace(1e4, 1e10, 7)
    n_star = (alpha * A / (beta * B)) ** (1 / (alpha + beta)) * C ** (beta / (alpha + beta))
    fr = optimize_frontier(steep, C, xatol=2e-3)
    np.testing.assert_allclose(fr.model_size, n_star, rtol=2e-6)
    assert np.all(fr.loss <= steep(n_star, C / n_star) * (1 + 1e-11))


class _Windowed:
    """A surface that, like the theory, computes times within a factor 10 for one price."""

    time_window = 10.0

    def __init__(self):
        self.calls = []

    def __call__(self, n, t):
        self.calls.append(np.sort(np.asarray(t)))
        return surface(n, t)


def test_calls_stay_in_one_window_and_take_every_budget_inside_it():
    C = np.geomspace(1e4, 1e12, 40)
    loss = _Windowed()
    from scaling_dynamics.scaling import closed_form_exponents

    # the closed forms of a = 1.5, b = 1.25 give this surface's slope 4/9 to start along
    fr = optimize_frontier(loss, C, xatol=2e-3, expected=closed_form_exponents(1.5, 1.25))
    G = (ALPHA * A / (BETA * B)) ** (1 / (ALPHA + BETA))
    np.testing.assert_allclose(fr.model_size, G * C ** (BETA / (ALPHA + BETA)), rtol=1e-4)
    spans = [t[-1] / t[0] for t in loss.calls]
    assert max(spans) <= 10.0  # every call one window: the lattice fits the frontier's slope
    # the budgets inside a lattice call's window came along (more than one per call)
    assert np.mean([t.size for t in loss.calls]) > 3
    assert len(loss.calls) < 3 * C.size


def test_iso_compute_adds_whole_curves_and_changes_nothing_else():
    C = np.geomspace(1e4, 1e8, 5)
    plain = optimize_frontier(surface, C, n_grid=9)
    full = optimize_frontier(surface, C, n_grid=9, iso_compute=True)
    assert full.to_dict() | {"wall_time_s": 0} == plain.to_dict() | {"wall_time_s": 0}
    grid = np.geomspace(1.0, 1e8, 9)
    rows = [int(np.argmin(abs(full.grid_model_size / g - 1))) for g in grid]
    allowed = C[None, :] / grid[:, None] >= 1
    np.testing.assert_allclose(full.grid_loss[rows][allowed],
                               surface(grid[:, None], C[None, :] / grid[:, None])[allowed],
                               rtol=1e-12)
    assert np.isnan(plain.grid_loss).any()


def test_whole_sizes_give_the_best_whole_size():
    # N* of the surface is 17.6 at C = 1e3 and 36.6 at C = 5e3: small enough to check
    # every whole size by brute force.
    C = np.array([1e3, 5e3])
    fr = optimize_frontier(surface, C, integer_sizes=True, loss_floor=E)
    for i, c in enumerate(C):
        sizes = np.arange(1.0, 200.0)
        best = sizes[np.argmin([surface(n, c / n) for n in sizes])]
        assert fr.model_size[i] == best
        assert fr.loss[i] == pytest.approx(surface(best, c / best), rel=1e-15)


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


# ---------------------------------------------------------------------------- theory
# Budgets C = N t from 1e4 to 1e10 (5 points), M infinite, P infinite, sigma = 0.
BUDGETS = np.geomspace(1e4, 1e10, 5)


@pytest.mark.parametrize("a,b", [(1.5, 1.25), (2.0, 1.5)])
def test_theory_frontier_exponents_match_the_closed_forms(a, b):
    from scaling_dynamics import Spectrum
    from scaling_dynamics.scaling import compute_optimal_frontier

    fr = compute_optimal_frontier(Spectrum.power_law(a, b, math.inf), BUDGETS, n_grid=9)
    assert not fr.at_bound.any()
    assert fr.expected.regime == "a-1<=b"
    for k, err in fr.exponent_errors.items():
        assert abs(err) < 0.05, (k, fr.fitted(), err)
    # Steps grow faster than parameters when b > 1 (the paper's asymmetry).
    assert fr.exponent_steps > fr.exponent_params


def test_theory_frontier_when_a_minus_1_exceeds_b_follows_the_single_model_forms():
    # Documented finding (docs/scaling.md): for a - 1 > b the frontier balances
    # t^-(a-1)/b against the finite-width term N^-1 t^-(1-1/b), giving
    # L* ~ C^-(a-1)/a, N* ~ C^(a-b)/a, t* ~ C^b/a; the paper's forms (m = 2b) miss.
    from scaling_dynamics import Spectrum
    from scaling_dynamics.scaling import compute_optimal_frontier

    fr = compute_optimal_frontier(Spectrum.power_law(4.0, 1.25, math.inf), BUDGETS, n_grid=9)
    assert fr.exponent_loss == pytest.approx(0.75, abs=0.05)
    assert fr.exponent_params == pytest.approx(0.6875, abs=0.05)
    assert fr.exponent_steps == pytest.approx(0.3125, abs=0.05)
    assert all(abs(e) < 0.05 for e in fr.exponent_errors_single.values())
    assert abs(fr.exponent_errors["compute_loss"]) > 0.3


def test_theory_frontier_optimum_beats_a_brute_force_grid_and_finite_P_bends_it():
    from scaling_dynamics import Spectrum
    from scaling_dynamics.scaling import compute_optimal_frontier, theory_loss

    spec = Spectrum.power_law(1.5, 1.25, math.inf)
    C = np.array([1e5, 1e7])
    fr = compute_optimal_frontier(spec, C, n_grid=9)
    loss = theory_loss(spec)
    for i, c in enumerate(C):
        grid = np.unique(np.round(np.geomspace(10, c / 10, 40)))
        brute = min(float(loss(n, np.array([c / n]))[0]) for n in grid)
        assert fr.loss[i] <= brute * (1 + 1e-6)
        assert fr.loss[i] >= brute * (1 - 0.01)  # the grid is fine enough to come close
    finite = compute_optimal_frontier(spec, C, P=1000, n_grid=9)
    assert np.all(finite.loss > fr.loss)
    assert finite.loss[1] / finite.loss[0] > fr.loss[1] / fr.loss[0]  # data run out


def test_the_table_says_per_budget_where_there_is_no_interior_optimum():
    from scaling_dynamics.tasks.compute_optimal import _table

    C = np.geomspace(1e4, 1e8, 5)
    fr = optimize_frontier(surface, C, model_size_range=(1.0, 50.0), loss_floor=E,
                           params={"a": 1.5, "b": 1.25, "M": math.inf, "P": math.inf,
                                   "sigma": 0.0})
    text = _table(fr)
    rows = [line for line in text.splitlines() if line.strip()[:1].isdigit()]
    assert [r.rstrip().endswith("yes") for r in rows] == [False, True, True, True, True]
    assert "no interior optimum at that budget" in text


def test_a_tight_tolerance_still_finds_a_minimum_far_from_the_grids_middle():
    """xatol = 1e-7 asks for a fine lattice; the walk must still reach an optimum two
    decades below the middle of the allowed sizes (closed form of A N^-a + B t^-b)."""
    A, a, B, b = 20.0, 0.4, 30.0, 0.3
    C = np.geomspace(1e5, 1e9, 4)
    fr = optimize_frontier(lambda n, t: 0.5 + A * n**-a + B * t**-b, C, xatol=1e-7)
    # d/dN [A N^-a + B (C/N)^-b] = 0  ->  N* = (a A / (b B))^(1/(a+b)) C^(b/(a+b))
    n_star = (a * A / (b * B)) ** (1 / (a + b)) * C ** (b / (a + b))
    np.testing.assert_allclose(fr.model_size, n_star, rtol=1e-5)
