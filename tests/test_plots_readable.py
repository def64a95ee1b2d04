"""Figures a reader can read: no overlapping tick labels, titles without paths or dicts,
legend numbers rounded, smooth iso-compute curves.

The checks (tests/_figure_checks.py) run on every figure the commands save; the negative
controls show that each check fails on a figure that has the fault, and that
:func:`~scaling_dynamics.plots._tidy.tidy_figure` removes it.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os

import numpy as np
import pytest
from _figure_checks import (
    capture_saved_figures,
    figure_problems,
    long_numbers,
    significant_digits,
    title_problem,
)

from scaling_dynamics.cli import main
from scaling_dynamics.plots import new_figure
from scaling_dynamics.plots._base import log_smooth
from scaling_dynamics.plots._tidy import readable_text, round_numbers, tidy_figure


# ---------------------------------------------------------------------------- the text rules
@pytest.mark.parametrize("text, digits", [("1.77828", 6), ("12000", 2), ("0.05", 1),
                                          ("1.28e+06", 3), ("-0.4000", 4), ("400", 1)])
def test_significant_digits(text, digits):
    assert significant_digits(text) == digits


def test_round_numbers_keeps_three_digits_of_long_decimals_only():
    assert round_numbers("time = 1.77828") == "time = 1.78"
    assert round_numbers("C = 1.2345678e+06, N = 12345, t = 0.5") == "C = 1.23e+06, N = 12345, t = 0.5"
    assert round_numbers("slope -0.98765") == "slope -0.988"
    assert round_numbers("version 1.2.3 and C^-0.2218") == "version 1.2.3 and C^-0.2218"


def test_readable_text_drops_folders_and_dict_braces_but_not_mathtext():
    got = readable_text("measured: sweep store /tmp/abc/store where {'P': 400, 'a': 1.5}")
    assert got == "measured: sweep store store where P = 400, a = 1.5"
    assert readable_text("Fits of runs/2024/loss.csv") == "Fits of loss.csv"
    assert readable_text("gap ~ 1/N, t = C / N") == "gap ~ 1/N, t = C / N"
    assert readable_text("$x^{-0.4}$ closed form") == "$x^{-0.4}$ closed form"
    assert title_problem(got) is None and title_problem("L at t = 1.5") is None


# ---------------------------------------------------------------------------- negative controls
def _faulty_figure():
    """A figure with every fault: crowded tick labels, a path and a dict in the title,
    a legend number with six significant digits."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(3.0, 2.5))
    ax = fig.subplots()
    ax.plot([1, 2], [1, 2], label="time = 1.77828")
    ax.set_xticks(np.linspace(1, 2, 15))
    ax.xaxis.set_major_formatter("{x:.2f}")
    ax.set_title("frontier of /home/someone/runs/store where {'P': 400}")
    ax.legend()
    return fig


def test_the_checks_find_each_fault_and_tidy_removes_it():
    fig = _faulty_figure()
    problems = figure_problems(fig)
    assert any("tick labels" in p and "overlap" in p for p in problems)
    assert any("names a file path" in p for p in problems)
    assert any("legend" in p and "1.77828" in p for p in problems)
    tidy_figure(fig)
    assert figure_problems(fig) == []
    assert fig.axes[0].get_legend().get_texts()[0].get_text() == "time = 1.78"
    assert fig.axes[0].get_title() == "frontier of store where P = 400"


def test_a_dict_in_a_title_is_caught():
    assert title_problem("where {'P': 400}") == "shows a raw dict or set"
    assert long_numbers("C = 1.77828e+03 and N = 100") == ["1.77828e+03"]


def test_short_log_axes_get_plain_labels_that_do_not_crowd():
    fig, ax = new_figure()
    ax.loglog([50, 400], [1, 0.3])
    tidy_figure(fig)
    labels = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert labels and all("times" not in s and "^" not in s for s in labels)
    assert figure_problems(fig) == []


def test_log_smooth_passes_through_the_points_and_keeps_their_minimum():
    x = np.array([1.0, 10.0, 100.0, 1000.0])
    y = np.array([2.0, 0.5, 0.4, 3.0])
    xs, ys = log_smooth(x, y)
    assert xs.size >= 200 and xs[0] == pytest.approx(1.0) and xs[-1] == pytest.approx(1000.0)
    assert np.interp(np.log(x), np.log(xs), np.log(ys)) == pytest.approx(np.log(y), rel=1e-2)
    assert ys.min() == pytest.approx(0.4, rel=1e-9)  # monotone cubic: no dip below the data
    # the step between consecutive drawn points is small: a smooth curve, not a polyline
    assert np.max(np.abs(np.diff(np.log(ys)))) < 0.1
    xs2, ys2 = log_smooth([1.0, 2.0], [1.0, np.nan])
    assert xs2.tolist() == [1.0] and ys2.tolist() == [1.0]


# ---------------------------------------------------------------------------- the frontier
@pytest.fixture(scope="module")
def frontier():
    from scaling_dynamics.scaling import compute_optimal_frontier
    from scaling_dynamics.spectra import Spectrum

    return compute_optimal_frontier(Spectrum.power_law(1.5, 1.25, math.inf),
                                    np.geomspace(1e4, 1e8, 5), n_grid=7, progress=False)


def test_frontier_title_from_a_store_names_no_path_and_no_dict(frontier):
    from scaling_dynamics.plots.scaling import plot_frontier

    fr = dataclasses.replace(frontier, params={
        **frontier.params, "label": "measured: sweep store /tmp/x/y/store where {'P': 400}"})
    fig = plot_frontier(fr)
    assert figure_problems(fig) == []
    assert fig._suptitle.get_text() == ("Compute-optimal frontier (measured: sweep store store "
                                        "where P = 400)")


def test_frontier_iso_compute_curves_are_smooth_and_reach_the_optimum(frontier):
    from scaling_dynamics.plots.scaling import plot_frontier

    ax = plot_frontier(frontier).axes[0]
    curves = [ln for ln in ax.lines if ln.get_marker() in ("None", "", None)]
    assert len(curves) == frontier.compute.size
    for i, line in enumerate(curves):
        x, y = np.asarray(line.get_xdata()), np.asarray(line.get_ydata())
        assert x.size >= 100  # many more points than the 7 of the grid
        turn = np.abs(np.diff(np.diff(np.log(y)) / np.diff(np.log(x))))
        assert turn.max() < 0.5  # no corner: the slope changes little from point to point
        # the curve passes through the optimum (the star) and does not dip below it
        assert y.min() == pytest.approx(frontier.loss[i], rel=1e-6)


# ---------------------------------------------------------------------------- each command
def _figures_of(argv, capsys):
    with capture_saved_figures() as saved:
        code = main([*argv, "--no-progress"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert saved, f"{argv} saved no figure"
    return saved


def test_compute_optimal_figure_is_readable(tmp_path, capsys):
    saved = _figures_of(["compute-optimal", "--compute", "log:1e4:1e7:4", "--grid", "7",
                         "--out", str(tmp_path)], capsys)
    for path, fig in saved:
        assert figure_problems(fig, os.path.basename(path)) == []


def test_compute_optimal_from_a_store_names_no_folder_in_its_title(tmp_path, capsys):
    grid = tmp_path / "grid.toml"
    grid.write_text('name = "t"\ncommand = "theory"\n[options]\nM = 400\n'
                    'times = "log:1:1e4:9"\n[axes]\nN = [16, 32, 64, 128]\nP = [400]\n')
    store = tmp_path / "deep" / "folder" / "store"
    assert main(["sweep", str(grid), "--store", str(store), "--jobs", "1", "--no-progress"]) == 0
    capsys.readouterr()
    saved = _figures_of(["compute-optimal", "--store", str(store), "--where", "P=400",
                         "--out", str(tmp_path / "fr")], capsys)
    for path, fig in saved:
        assert figure_problems(fig, os.path.basename(path)) == []
        title = fig._suptitle.get_text()
        assert str(tmp_path) not in title and "{" not in title and "P = 400" in title


def test_fit_figure_is_readable(tmp_path, capsys):
    from scaling_dynamics import Spectrum, predict

    s = Spectrum.power_law(1.5, 1.25, 2000)
    rows = ["N,steps,loss"]
    for n in (16, 32, 64, 128):
        t = np.geomspace(1, 1e4, 10)
        for ti, li in zip(t, predict(s, n, math.inf, t).test_loss, strict=True):
            rows.append(f"{n},{ti:.6g},{li:.6g}")
    data = tmp_path / "deep" / "runs.csv"
    data.parent.mkdir()
    data.write_text("\n".join(rows) + "\n")
    saved = _figures_of(["fit", str(data), "--bootstrap", "0", "--out", str(tmp_path / "f")],
                        capsys)
    for path, fig in saved:
        assert figure_problems(fig, os.path.basename(path)) == []


def test_compare_figure_is_readable(tmp_path, capsys):
    saved = _figures_of(["compare", "--M", "200", "--N", "40", "--P", "80", "--seeds", "4",
                         "--times", "log:0.1:1e3:7", "--out", str(tmp_path)], capsys)
    for path, fig in saved:
        assert figure_problems(fig, os.path.basename(path)) == []
    assert json.loads((tmp_path / "theory.json").read_text())


# ---------------------------------------------------------------------------- full-size axes
def _finite_size_result(name, sizes, times):
    """A stand-in for FiniteSizeCorrections with the sizes of `scaling-figure finite-size`."""
    from types import SimpleNamespace

    x = np.asarray(sizes, float)
    t = np.asarray(times, float)
    slopes = np.linspace(1.0, 0.55, t.size)
    return SimpleNamespace(
        sizes=x, times=t, size_name=name, exponents=slopes,
        correction=np.array([0.3 * (x / x[0]) ** -s for s in slopes]),
        limit_correction=0.5 * (x / x[0]) ** -0.5, limit_exponent=0.5, late_closed_form=0.5,
        label="power law a=1.5, b=1.25, M=inf, P=inf")


@pytest.mark.parametrize("sizes", [(50, 100, 200, 400), (250, 500, 1000, 2000, 4000, 8000),
                                   (12, 20, 33, 50, 81, 130, 200, 330, 500, 800, 1300)])
def test_finite_size_figure_ticks_never_overlap(sizes):
    from scaling_dynamics.plots.scaling import plot_finite_size

    times = (0.1, 1.0, 10.0, 100.0, 1e3, 1e4, 1e5)
    fig = plot_finite_size([_finite_size_result("N", sizes, times),
                            _finite_size_result("P", sizes, times)])
    assert figure_problems(fig, "finite-size") == []
    labels = [t.get_text() for t in fig.axes[0].get_xticklabels() if t.get_text()]
    assert len(labels) >= 3 and all("times" not in s for s in labels)


@pytest.mark.parametrize("ns", [(25, 50, 100), (50, 100, 200, 400), (16, 23, 32, 45, 64, 90, 128)])
def test_wider_is_better_figure_ticks_never_overlap(ns):
    from types import SimpleNamespace

    from scaling_dynamics.plots.scaling import plot_wider_is_better

    t = np.geomspace(0.1, 1e6, 36)
    n = np.asarray(ns, float)
    rich = np.array([0.4 + 2.0 / (1 + t / 10) + 5 / k for k in n])
    res = SimpleNamespace(model_sizes=ns, times=t, rich_loss=rich, scarce_loss=rich * 1.1,
                          rich_P=math.inf, scarce_P=500, rich_final=rich[:, -1],
                          scarce_final=rich[:, -1] * 1.3, scarce_early_stopped=rich[:, -1] * 1.05,
                          label="power law a=1.5, b=1.25, M=inf, sigma=0.5")
    fig = plot_wider_is_better(res)
    assert figure_problems(fig, "wider-is-better") == []
