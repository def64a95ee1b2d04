"""The faster contours of the discrete optimisers' theory (issue 18) keep every number.

Two kinds of reference:

* the values the code produced before the speed-up, recorded by
  ``tests/data/make_discrete_theory_reference.py`` from the checkout before it
  (``tests/data/discrete_theory_base.json``): heavy ball at beta = 0.5 .. 0.99, GD, one-pass
  SGD (noise, near the stability edge, M = inf), 1e-4 relative is the acceptance criterion of
  the issue; they agree to about 1e-9;
* the slow routes, still reachable, computed here on smaller problems: the circle against
  the box (heavy ball's early steps), plain against low-rank pair sums, the Talbot rule at
  every step against the hyperbola windows (SGD), the step-by-step Newton scan against the
  closed-form spectral edge and real responses.
"""

from __future__ import annotations

import json
import math
import os
import sys

import numpy as np
import pytest

from scaling_dynamics import Spectrum
from scaling_dynamics._errors import ConvergenceError
from scaling_dynamics.theory._discrete import discrete_terms, early_contour
from scaling_dynamics.theory._edge import edge_of_modes, edge_of_modes_scan, real_responses
from scaling_dynamics.theory._lowrank_pairs import shared_node_terms
from scaling_dynamics.theory._modesums import mode_set
from scaling_dynamics.theory._real_branch import fold_edge, real_branch_responses
from scaling_dynamics.theory._responses import solve_on_modes
from scaling_dynamics.theory._sgd import sgd_curves
from scaling_dynamics.theory._sgd_resolvents import _real_R3_newton, real_R3

DATA = os.path.join(os.path.dirname(__file__), "data")
sys.path.insert(0, DATA)
from make_discrete_theory_reference import CASES, run  # noqa: E402

with open(os.path.join(DATA, "discrete_theory_base.json"), encoding="utf-8") as _fh:
    BASE = json.load(_fh)

FAST = CASES


def _rel(a, b) -> float:
    """Largest relative difference, values below 1e-6 of the largest counting as that size
    (a train loss that decays to 5e-9 of 2.5 is compared to 2.5e-6: both routes are at
    round-off there, 4e-14 apart)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    floor = 1e-6 * float(np.max(np.abs(b)))
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), floor)))


@pytest.mark.parametrize("case", FAST, ids=[c[0] for c in FAST])
def test_matches_the_values_before_the_speed_up(case):
    got = run(case)
    for key in ("test", "train"):
        assert _rel(got[key], BASE[case[0]][key]) < 1e-6, (case[0], key)


@pytest.mark.parametrize("eta, beta", [(1.2, 0.0), (0.5, 0.6), (0.01, 0.95)])
def test_late_hyperbola_windows_match_talbot_at_every_step(eta, beta):
    s = Spectrum.power_law(1.5, 1.25, 200, sigma=0.3)
    N, P = 50, 100
    ms = mode_set(s, min_scale=0.0, compress="auto")
    mu = edge_of_modes(ms, N, P)[0]
    times = np.unique(np.round(np.geomspace(1, 1e5, 30)))
    fast = discrete_terms(s, N, P, times, eta, beta, mu)
    slow = discrete_terms(s, N, P, times, eta, beta, mu, late="talbot")
    assert "hyperbola windows in log r" in fast.diagnostics["contour"]
    assert "talbot in log r" in slow.diagnostics["contour"]
    for k in ("test", "train", "test_cross", "train_cross", "bias"):
        assert _rel(getattr(fast, k), getattr(slow, k)) < 1e-8, k


def test_the_box_is_used_where_it_pays_and_matches_the_circle():
    s = Spectrum.power_law(1.5, 1.25, 200, sigma=0.3)
    N, P, eta, beta = 50, 100, 0.01, 0.97
    ms = mode_set(s, min_scale=0.0, compress="auto")
    mu = edge_of_modes(ms, N, P)[0]
    times = np.array([1, 3, 10, 30, 100, 200, 2000], dtype=float)
    assert early_contour(times, 200.0, eta, beta, mu)[1]["early_contour"] == "box in log r"
    assert early_contour(times, 200.0, 0.5, 0.5, mu)[1]["early_contour"] == "circle"
    box = discrete_terms(s, N, P, times, eta, beta, mu, early="box")
    circle = discrete_terms(s, N, P, times, eta, beta, mu, early="circle")
    assert box.diagnostics["contour"] == "box in log r + hyperbola windows in log r"
    assert box.diagnostics["n_box_nodes"] < circle.diagnostics["n_circle_nodes"] / 4
    for k in ("test", "train", "test_cross", "train_cross", "bias"):
        assert _rel(getattr(box, k), getattr(circle, k)) < 1e-9, k


def test_low_rank_pair_sums_equal_the_plain_products():
    s = Spectrum.power_law(1.5, 1.25, 800, sigma=0.3)
    N, P, eta, beta = 100, 200, 0.01, 0.99
    ms = mode_set(s, min_scale=0.0, compress="auto")
    mu = edge_of_modes(ms, N, P)[0]
    times = np.array([1.0, 10.0, 100.0, 1000.0])
    rule, _ = early_contour(times, 1000.0, eta, beta, mu)
    resp = solve_on_modes(ms, N, P, rule.nodes[0])
    low, rank = shared_node_terms(ms, N, P, s.sigma, rule, resp)
    full, none = shared_node_terms(ms, N, P, s.sigma, rule, resp, low_rank=False)
    assert 0 < rank < rule.n_nodes / 3 and none == 0
    for k in low:
        assert _rel(low[k], full[k]) < 1e-10, k


@pytest.mark.parametrize("M, N, eta, batch, sigma", [(6400, 1600, 0.25, 8, 0.0),
                                                     (1000, 100, 1.2, 32, 0.0),
                                                     (math.inf, 1000, 0.5, 4, 0.3)])
def test_sgd_windows_match_talbot_at_every_step(M, N, eta, batch, sigma):
    s = Spectrum.power_law(1.5, 1.25, M, sigma=sigma)
    t = np.unique(np.round(np.geomspace(1, 1e5, 40)))
    fast, diag = sgd_curves(s, N, t, eta, batch)
    slow, _ = sgd_curves(s, N, t, eta, batch, contour="talbot")
    assert "hyperbola" in diag["contour"]
    assert _rel(fast, slow) < 1e-8


@pytest.mark.parametrize("spec, N, P", [
    (Spectrum.power_law(1.5, 1.25, 1000), 100, 200),
    (Spectrum.power_law(1.5, 1.25, 6400), 1600, math.inf),
    (Spectrum.power_law(2.8, 1.2, 1500), 240, 1500),
    (Spectrum.from_arrays([1.0] * 400, [0.05] * 400), 200, 300),
    (Spectrum.power_law(1.5, 1.25, 1000), math.inf, 400),
])
def test_closed_form_edge_matches_the_newton_scan(spec, N, P):
    ms = mode_set(spec, min_scale=0.0, compress="auto")
    fast = edge_of_modes(ms, N, P)
    slow = edge_of_modes_scan(ms, N, P)
    assert abs(fast[0] / slow[0] - 1.0) < 1e-9  # the scan bisects to 1e-10
    assert fast[1] == slow[1]
    assert fold_edge(ms, N, P)[0] == fast[0]
    # the branch's responses right of the edge solve the equations (Newton stays put);
    # left of the edge Newton finds no real solution from the edge's responses
    x_star = fold_edge(ms, N, P)[1]
    u = fast[0] * (1 + 1e-3)
    branch = real_branch_responses(ms, N, P, u, x_star)
    newton = real_responses(ms, N, P, u, branch)
    assert newton is not None and np.allclose(newton, branch, rtol=1e-10)
    at_edge = real_branch_responses(ms, N, P, fast[0] * (1 + 1e-12), x_star)
    assert real_responses(ms, N, P, fast[0] * (1 - 1e-3), at_edge) is None


def test_isotropic_edge_is_marchenko_pastur():
    iso = Spectrum.from_arrays([1.0] * 400, [0.05] * 400)
    ms = mode_set(iso, min_scale=0.0, compress="auto")
    assert edge_of_modes(ms, 100, math.inf)[0] == pytest.approx(9.0, rel=1e-12)


def test_real_responses_of_the_branch_match_newton():
    s = Spectrum.power_law(1.5, 1.25, 1000)
    ms = mode_set(s, min_scale=0.0, compress="auto")
    mu = edge_of_modes(ms, 100, math.inf)[0]
    for u in (1.01 * mu, 2.0 * mu, 40.0):
        assert real_R3(ms, 100, u, None) == pytest.approx(_real_R3_newton(ms, 100, u, None),
                                                          rel=1e-11)
    with pytest.raises(ConvergenceError):
        real_R3(ms, 100, 0.99 * mu, None)
