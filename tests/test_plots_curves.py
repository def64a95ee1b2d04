"""Figures of loss curves: theory lines, simulation points with error bars, log-log axes."""

from __future__ import annotations

import numpy as np
import pytest

from scaling_dynamics import LossCurves, Spectrum, predict, simulate
from scaling_dynamics.plots.curves import comparison_figure, plot_curves

T = np.array([0.0, 1.0, 10.0, 100.0])


@pytest.fixture(scope="module")
def curves():
    s = Spectrum.power_law(1.5, 1.25, 200, sigma=0.2)
    theory = [predict(s, n, 100, T) for n in (25, 50, 100)]
    sim = simulate(s, 50, 100, T, n_seeds=4)
    return theory, sim


def test_several_curves_with_labels_and_error_bars(curves, tmp_path):
    theory, sim = curves
    path = tmp_path / "f.png"
    fig = plot_curves([*theory, sim], keys=("test_loss", "train_loss"),
                      labels=["N=25", "N=50", "N=100", "simulation N=50"],
                      title="test and train loss", path=path)
    ax = fig.axes[0]
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    assert ax.get_xlabel() == "t (gradient-flow time)" and ax.get_ylabel() == "loss"
    assert ax.get_title() == "test and train loss"
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "N=25: test loss" in texts and "simulation N=50: train loss" in texts
    assert len(ax.containers) == 2  # error bars: the simulation's test and train
    assert len(ax.lines) >= 6  # three theory results x two curves
    assert path.read_bytes()[:4] == b"\x89PNG"


def test_extra_curves_and_zero_values_on_log_axes(curves):
    theory, _ = curves
    fig = plot_curves(theory[:1], keys=("bias",), ylabel="bias B(t)")
    line = fig.axes[0].lines[0]
    assert len(line.get_xdata()) == 3  # t = 0 is left out of the log axis
    with pytest.raises(KeyError, match="not found"):
        plot_curves(theory[:1], keys=("nonsense",))


def test_linear_axes_and_given_axes(curves):
    theory, _ = curves
    from scaling_dynamics.plots import new_figure

    fig, ax = new_figure()
    out = plot_curves(theory, ax=ax, loglog=False, legend=False)
    assert out is fig and ax.get_xscale() == "linear"
    assert len(ax.lines[0].get_xdata()) == 4


def test_comparison_figure_has_deviation_panels(curves, tmp_path):
    theory, sim = curves
    dev = {k: (getattr(theory[1], k) - getattr(sim, k)) / np.maximum(getattr(sim, k + "_sem"), 1e-9)
           for k in ("test_loss", "train_loss")}
    fig = comparison_figure(theory[1], sim, deviations=dev, path=tmp_path / "c.png")
    assert len(fig.axes) == 4
    assert fig.axes[2].get_ylabel() == "(theory - sim) / sem"
    assert (tmp_path / "c.png").exists()


def test_single_theory_curve_from_dict():
    c = LossCurves(times=np.array([1.0, 2.0]), test_loss=np.array([1.0, 0.5]),
                   train_loss=np.array([0.9, 0.4]), source="theory")
    fig = plot_curves([c])
    assert fig.axes[0].get_ylabel() == "test loss"
