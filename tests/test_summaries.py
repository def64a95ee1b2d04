"""Results print as short summaries (shapes and key numbers), never as walls of arrays."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from scaling_dynamics import empirical, scaling

# Every result class a top-level call of scaling/ or empirical/ hands back.
RESULTS = [
    scaling.Frontier, scaling.ChinchillaFit, scaling.TheoryFit, scaling.ComputeAllocation,
    scaling.HoldoutScore, scaling.LossTable, scaling.ScalingExponents,
    scaling.FiniteSizeCorrections, scaling.TrainTestGap, scaling.WiderIsBetter,
    scaling.EarlyStopping, scaling.EnsembleVsWidth, scaling.ExponentSweep,
    scaling.BottleneckSweeps,
    empirical.Dataset, empirical.KernelMatrix, empirical.MeasuredSpectrum, empirical.ExponentFit,
    empirical.MeasuredExponents, empirical.LinearizedRun, empirical.NetworkRuns,
    empirical.ModelSizeFit, empirical.PredictionComparison,
]


def _filled(cls: type) -> object:
    """An instance whose every field is a 10,000-element array (the worst case to print)."""
    obj = cls.__new__(cls)
    for f in dataclasses.fields(cls):
        object.__setattr__(obj, f.name, np.linspace(0.0, 1.0, 10_000))
    return obj


@pytest.mark.parametrize("cls", RESULTS, ids=lambda c: c.__name__)
def test_repr_is_a_short_summary(cls: type) -> None:
    text = repr(_filled(cls))
    lines = text.splitlines()
    assert lines[0] == f"{cls.__name__}(" and lines[-1] == ")"
    assert len(lines) <= 16 and len(text) <= 1600, text
    assert "array(" not in text and "shape (10000,), 0 .. 1" in text


def test_frontier_summary_shows_the_key_numbers() -> None:
    spec = scaling.theory_loss.__globals__["Spectrum"].power_law(a=1.5, b=1.25, M=np.inf)
    fr = scaling.compute_optimal_frontier(spec, [1e4, 1e5, 1e6])
    text = repr(fr)
    assert "compute=[1e+04, 1e+05, 1e+06]" in text
    assert f"exponent_loss={fr.exponent_loss:.4g}" in text
    assert "grid_loss" not in text and len(text.splitlines()) <= 10
    assert max(map(len, text.splitlines())) <= 100


def test_chinchilla_summary(tmp_path) -> None:
    rng = np.random.default_rng(0)
    N = np.repeat([64.0, 128, 256, 512], 4)
    t = np.tile([10.0, 100, 1000, 10000], 4)
    loss = 0.1 + 3 * N**-0.5 + 2 * t**-0.4
    fit = scaling.fit_chinchilla(N, t, loss * np.exp(1e-3 * rng.standard_normal(N.size)),
                                 n_bootstrap=0, n_starts=4)
    text = repr(fit)
    assert f"alpha={fit.alpha:.4g}" in text and f"E={fit.E:.4g}" in text
    assert "holdout=HoldoutScore(n_test=" in text
    assert len(text.splitlines()) <= 8
