"""Finite-size corrections, train-test gap, wider-is-better with early stopping, ensembles.

All from the theory with M infinite; sizes are stated in each test.
"""

import math

import numpy as np
import pytest

from scaling_dynamics import InvalidParameterError, Spectrum
from scaling_dynamics.scaling import (
    early_stopping,
    ensemble_vs_width,
    finite_size_corrections,
    train_test_gap,
    wider_is_better,
)

HARD = Spectrum.power_law(1.5, 1.25, math.inf)


@pytest.mark.parametrize("vary", ["N", "P"])
def test_corrections_are_universal_1_over_size_early_and_task_dependent_late(vary):
    # Sizes 1000..8000; t = 1 is "early", t = inf the bottleneck (closed form 0.5).
    r = finite_size_corrections(HARD, vary=vary, sizes=[1000, 2000, 4000, 8000],
                                times=[1.0, 10.0, 1e4])
    assert r.exponents[0] == pytest.approx(1.0, abs=0.05)
    assert r.limit_exponent == pytest.approx(0.5, abs=0.05)
    assert r.late_closed_form == 0.5
    # The exponent drifts from the universal to the task-dependent value over time.
    assert r.exponents[0] > r.exponents[1] > r.exponents[2] > r.limit_exponent
    assert np.all(r.correction > 0)


def test_easy_task_late_corrections_follow_the_bottleneck_exponents():
    easy = Spectrum.power_law(4.0, 1.25, math.inf)
    rn = finite_size_corrections(easy, vary="N", sizes=[1000, 2000, 4000, 8000], times=[1.0])
    rp = finite_size_corrections(easy, vary="P", sizes=[1000, 2000, 4000, 8000], times=[1.0])
    assert rn.exponents[0] == pytest.approx(1.0, abs=0.05)
    assert rn.limit_exponent == pytest.approx(1.25, abs=0.05)  # min(a-1, b)
    assert rp.limit_exponent == pytest.approx(2.5, abs=0.05)  # m = 2b


def test_train_test_gap_is_order_1_over_P_early_and_grows_with_reuse():
    noisy = Spectrum.power_law(1.5, 1.25, math.inf, sigma=0.5)
    g = train_test_gap(noisy, [200, 400, 800], np.geomspace(0.1, 1e4, 8))
    assert g.early_exponent == pytest.approx(1.0, abs=0.05)
    assert np.all(g.gap > 0) and np.all(g.growth > 5)
    assert np.all(np.diff(g.gap, axis=1) >= -1e-12)  # the gap never shrinks
    np.testing.assert_allclose(g.test_loss - g.train_loss, g.gap)


def test_wider_is_better_with_data_reversed_without_and_restored_by_early_stopping():
    noisy = Spectrum.power_law(1.5, 1.25, math.inf, sigma=0.5)
    w = wider_is_better(noisy, [25, 50, 100], scarce_P=150, times=np.geomspace(0.1, 1e5, 13))
    assert w.rich_monotone and w.scarce_reversed and w.early_stopped_monotone
    assert np.all(w.scarce_early_stopped <= w.scarce_loss.min(axis=1) + 1e-12)
    assert np.all(w.scarce_early_stopped < w.scarce_final)


def test_early_stopping_refines_between_grid_times():
    noisy = Spectrum.power_law(1.5, 1.25, math.inf, sigma=0.5)
    coarse = np.geomspace(0.1, 1e5, 7)
    es = early_stopping(noisy, 100, 150, coarse)
    from scaling_dynamics.theory import predict

    grid = predict(noisy, 100, 150, coarse).test_loss
    fine = predict(noisy, 100, 150, np.geomspace(0.1, 1e5, 200)).test_loss
    assert es.loss <= grid.min()
    assert es.loss == pytest.approx(fine.min(), rel=1e-3)


def test_one_wide_model_beats_an_ensemble_at_equal_compute():
    r = ensemble_vs_width(HARD, 50, ensemble_sizes=[1, 2, 4], times=np.geomspace(1, 1e4, 5))
    np.testing.assert_allclose(r.ensemble_loss[0], r.wide_loss[0])  # E = 1: the same model
    assert r.wider_wins.tolist() == [False, True, True]
    # Ensembling helps, but only down to the infinite-ensemble floor of size-N members.
    assert np.all(np.diff(r.ensemble_final) < 0)
    assert np.all(r.ensemble_final > r.infinite_ensemble[-1])


def test_bad_arguments_name_the_parameter():
    with pytest.raises(InvalidParameterError, match="`vary`"):
        finite_size_corrections(HARD, vary="M")
    with pytest.raises(InvalidParameterError, match="`sizes`"):
        finite_size_corrections(HARD, sizes=[100])
    with pytest.raises(InvalidParameterError, match="`scarce_P`"):
        wider_is_better(HARD, scarce_P=math.inf)
    with pytest.raises(InvalidParameterError, match="`N`"):
        ensemble_vs_width(HARD, 0)


def test_simulation_confirms_wider_beats_ensembling():
    # Exact gradient flow, M = 200, P = inf, 16 draws: 2 models of N = 20 vs 1 of N = 40.
    from scaling_dynamics import simulate

    spec = Spectrum.power_law(1.5, 1.25, 200)
    t = [1e3]
    ens = simulate(spec, 20, math.inf, t, ensemble=2, n_seeds=16, seed=3)
    wide = simulate(spec, 40, math.inf, t, n_seeds=16, seed=3)
    gap = ens.test_loss[0] - wide.test_loss[0]
    assert gap > 3 * math.hypot(ens.test_loss_sem[0], wide.test_loss_sem[0])
