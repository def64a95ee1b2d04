"""Correctness at the edges of the discrete optimisers (issue 17, section 6).

* Heavy ball: where the mean-field theory is off at finite size (``theory/_trust.py``,
  ``docs/optimizers.md`` "Where the heavy-ball theory can be trusted"): the rule flags the
  issue's case and not cases well inside, ``predict`` warns exactly there, and the gap the
  rule is about exists at small N and shrinks as N grows at fixed ratios.
* Discrete GD at step 1: E[L_1] over data and projection has a closed form (Gaussian
  moments). The theory equals its N, P -> inf limit to round-off, so the theory's first
  step is exact in the mean-field limit, and the -0.7 % seen at step 1 is the O(1/N + 1/P)
  finite-size correction, which the closed form gives and the simulator confirms.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from scaling_dynamics import (
    GradientDescent,
    GradientFlow,
    Momentum,
    OnlineSGD,
    Spectrum,
    TheoryAccuracyWarning,
    simulate,
)
from scaling_dynamics.theory import TheoryTrust, heavy_ball_trust, predict

ISSUE = Spectrum.power_law(2.8, 1.2, M=1500, sigma=0.5)  # the case of issue 17, section 6
ISSUE_HB = Momentum(0.8, 0.7)  # 32 % of the stability limit 2 (1 + beta)


# --------------------------------------------------------------------- the rule
@pytest.mark.parametrize("N", [60, 240])
def test_rule_flags_the_issue_case(N):
    trust = heavy_ball_trust(ISSUE, N, 1500, ISSUE_HB)
    assert isinstance(trust, TheoryTrust) and not trust.trusted
    assert "beta = 0.7" in trust.reason and "optimizers.md" in trust.reason
    assert trust.checks["persistence"] > 0.3
    assert trust.checks["top_share"] > 0.5 and trust.checks["eta_mu_max"] > 0.9
    assert trust.to_dict()["trusted"] is False


@pytest.mark.parametrize(
    ("spectrum", "N", "P", "optimizer", "why"),
    [
        (ISSUE, 240, 1500, Momentum(0.8, 0.3), "oscillation dies out"),
        (ISSUE, 240, 1500, GradientDescent(0.8), "GD (beta = 0)"),
        (Spectrum.power_law(1.5, 1.25, M=400), 100, 200, Momentum(0.4, 0.5), "dies out"),  # golden
        (Spectrum.power_law(1.5, 1.2, M=1500), 60, 1500, ISSUE_HB, "top mode holds 0.39"),
        (ISSUE, 20_000, 1e5, ISSUE_HB, "large enough"),
        (ISSUE, math.inf, math.inf, ISSUE_HB, "large enough"),
        (Spectrum.power_law(2.8, 1.2, M=1500), 60, 1500, Momentum(0.05, 0.5), "D = 0 <"),
    ],
)
def test_rule_trusts_cases_well_inside(spectrum, N, P, optimizer, why):
    trust = heavy_ball_trust(spectrum, N, P, optimizer)
    assert trust.trusted and why in trust.reason


@pytest.mark.parametrize("optimizer", [GradientFlow(), OnlineSGD(0.5, 4)])
def test_rule_covers_discrete_heavy_ball_only(optimizer):
    assert heavy_ball_trust(ISSUE, 60, 1500, optimizer).trusted


def test_rule_uses_the_top_mode_of_an_array_spectrum():
    lam = np.array([1.0, 0.1, 0.05, 0.01])
    steep = Spectrum.from_arrays(lam, np.sqrt(np.array([0.9, 0.05, 0.03, 0.02]) / lam))
    flat = Spectrum.from_arrays(lam, np.sqrt(np.array([0.1, 0.3, 0.3, 0.3]) / lam))
    assert not heavy_ball_trust(steep, 60, 240, ISSUE_HB).trusted
    assert heavy_ball_trust(flat, 60, 240, ISSUE_HB).trusted


def test_predict_warns_inside_the_region_and_records_it():
    with pytest.warns(TheoryAccuracyWarning, match="optimizers.md") as record:
        curves = predict(ISSUE, 240, 1500, [1, 4], optimizer=ISSUE_HB)
    assert record[0].filename == __file__  # stacklevel points at the caller of predict
    assert curves.diagnostics["warning"] == heavy_ball_trust(ISSUE, 240, 1500, ISSUE_HB).reason


@pytest.mark.parametrize(
    ("spectrum", "optimizer"),
    [
        (Spectrum.power_law(1.5, 1.25, M=400), Momentum(0.4, 0.5)),  # the golden cases' HB
        (Spectrum.power_law(1.5, 1.25, M=400), GradientDescent(0.5)),
        (ISSUE, Momentum(0.8, 0.3)),
    ],
)
def test_predict_is_silent_outside_the_region(spectrum, optimizer):
    with warnings.catch_warnings():
        warnings.simplefilter("error", TheoryAccuracyWarning)
        curves = predict(spectrum, 100, 200, [1, 4], optimizer=optimizer)
    assert "warning" not in curves.diagnostics


# ------------------------------------------------ the gap the rule is about, and N
def _worst_gap(N: int, seeds: int) -> tuple[float, float]:
    """max over steps 1..16 of |theory - simulation| / L(0) at N : P : M = 1 : 4 : 4, and its s.e."""
    spec = Spectrum.power_law(2.8, 1.2, M=4 * N, sigma=0.5)
    steps = list(range(1, 17))
    sim = simulate(spec, N, 4 * N, steps, optimizer=ISSUE_HB, n_seeds=seeds, seed=11)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TheoryAccuracyWarning)
        th = predict(spec, N, 4 * N, steps, optimizer=ISSUE_HB)
    gap = np.abs(th.test_loss - sim.test_loss) / spec.initial_loss
    k = int(np.argmax(gap))
    return float(gap[k]), float(sim.test_loss_sem[k] / spec.initial_loss)


@pytest.mark.slow
def test_heavy_ball_gap_is_real_at_small_n_and_shrinks_with_n():
    """Measured (docs): 2.4 % of L(0) at N = 30 (6.8 s.e.), 0.9 % at N = 120; 0.3 % at 960."""
    small, small_se = _worst_gap(30, 512)
    large, _ = _worst_gap(120, 256)
    assert small > 5 * small_se  # the theory is off at N = 30: the rule is about something
    assert large < 0.6 * small  # ... and less so at four times the size


# ------------------------------------------------------------- GD at step one
def _gd_step_one(spec: Spectrum, N: float, P: float, eta: float, *, limit: bool = False) -> float:
    r"""E[L_1] of GD from w = 0 over data X (P x M) and projection A (N x M), exactly.

    v_1 = w* - eta F (G w* - b), F = A^T A / N, G = X^T X / P, b = X^T sigma eps / P.
    Wishart moments E[F B F] = (1 + 1/N) B + tr(B)/N I (B symmetric) and
    E[G C G] = (1 + 1/P) Lam C Lam + tr(C Lam) Lam / P give, with S_j = sum lam^j w*^2
    and T_j = sum lam^j,

        E[L_1] = S_1 - 2 eta S_2 + eta^2 [(1 + 1/P)((1 + 1/N) S_3 + T_1 S_2/N)
                                          + (S_1 + sigma^2)((1 + 1/N) T_2 + T_1^2/N)/P].

    ``limit=True``: the N, P -> inf limit at fixed M/N, M/P (drop the 1/N, 1/P that do not
    multiply a trace), S_3 + T_1 S_2/N + (S_1 + sigma^2)(T_2 + T_1^2/N)/P.
    """
    lam = np.asarray(spec.eigenvalues)
    w2 = np.asarray(spec.target_weights) ** 2
    S = [float(np.sum(lam**j * w2)) for j in range(4)]
    T = [float(np.sum(lam**j)) for j in range(3)]
    iN = 0.0 if math.isinf(N) else 1.0 / N
    iP = 0.0 if math.isinf(P) else 1.0 / P
    s2 = spec.sigma**2
    if limit:
        quad = S[3] + T[1] * S[2] * iN + (S[1] + s2) * (T[2] + T[1] ** 2 * iN) * iP
    else:
        quad = ((1 + iP) * ((1 + iN) * S[3] + T[1] * S[2] * iN)
                + (S[1] + s2) * ((1 + iN) * T[2] + T[1] ** 2 * iN) * iP)
    return S[1] - 2 * eta * S[2] + eta**2 * quad


@pytest.mark.parametrize(
    ("N", "P"), [(50, 100), (200, 400), (math.inf, 100), (50, math.inf), (math.inf, math.inf)]
)
def test_gd_step_one_is_the_mean_field_limit_of_the_closed_form(N, P):
    """The theory's first step is exact for N, P -> inf: it equals the limit form to 1e-11."""
    spec = Spectrum.power_law(1.5, 1.25, M=400, sigma=0.3)
    th = predict(spec, N, P, [1], optimizer=GradientDescent(0.5)).test_loss[0]
    assert th == pytest.approx(_gd_step_one(spec, N, P, 0.5, limit=True), rel=1e-11)
    if math.isinf(N) and math.isinf(P):
        assert th == pytest.approx(_gd_step_one(spec, N, P, 0.5), rel=1e-11)


def test_gd_step_one_gap_is_a_finite_size_correction_falling_like_one_over_n():
    """theory / exact - 1 = -O(1/N + 1/P): measured -5.5e-3, -1.4e-3, -3.4e-4 (factor 4 per 4 N)."""
    gaps = []
    for N in (50, 200, 800):
        spec = Spectrum.power_law(1.5, 1.25, M=8 * N, sigma=0.3)
        th = predict(spec, N, 2 * N, [1], optimizer=GradientDescent(0.5)).test_loss[0]
        gaps.append(th / _gd_step_one(spec, N, 2 * N, 0.5) - 1.0)
    assert all(g < 0 for g in gaps)  # the theory is below the finite system's mean
    assert gaps[0] / gaps[1] == pytest.approx(4.0, rel=0.1)
    assert gaps[1] / gaps[2] == pytest.approx(4.0, rel=0.1)


@pytest.mark.slow
def test_gd_step_one_closed_form_matches_simulation():
    """The issue's -0.7 % at step 1: the closed form is within 3 s.e. of 2000 draws; the theory
    is about 3 s.e. below them (measured: exact -0.94 s.e., theory -3.15 s.e., -0.78 %)."""
    spec = Spectrum.power_law(1.5, 1.25, M=400, sigma=0.3)
    sim = simulate(spec, 50, 100, [1], optimizer=GradientDescent(0.5), n_seeds=2000, seed=3)
    mean, sem = sim.test_loss[0], sim.test_loss_sem[0]
    exact = _gd_step_one(spec, 50, 100, 0.5)
    th = predict(spec, 50, 100, [1], optimizer=GradientDescent(0.5)).test_loss[0]
    assert abs(exact - mean) < 3 * sem
    assert th / exact - 1 == pytest.approx(-5.5e-3, rel=0.05)


def test_cli_prints_the_warning_as_one_line_and_succeeds(capsys):
    from cli_helpers import run_cli

    code, out, err = run_cli(
        capsys, "theory", "--optimizer", "momentum", "--eta", "0.8", "--beta", "0.7", "--a", "2.8",
        "--b", "1.2", "--M", "1500", "--N", "240", "--P", "1500", "--sigma", "0.5",
        "--times", "1,2,4", "--format", "json")
    assert code == 0 and out.strip().startswith("{")
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("scaling-dynamics theory: warning: heavy ball")
    assert "Traceback" not in err
