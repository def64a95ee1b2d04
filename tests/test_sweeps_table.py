"""Reading a sweep back: the tidy table, loss tables for fits, LossCurves, summary and plot."""

from __future__ import annotations

import json

import numpy as np
import pytest

from scaling_dynamics import InvalidParameterError, LossCurves, Spectrum, simulate
from scaling_dynamics.cli import main
from scaling_dynamics.plots.sweeps import plot_sweep
from scaling_dynamics.scaling import LossTable
from scaling_dynamics.sweeps import load, load_grid, run_sweep, to_curves, to_loss_table

GRID = """
command = "simulate"
[options]
M = 60
P = 40
seeds = 2
times = "1,10,100"
[axes]
N = [10, 20, 40]
a = [1.5, 2.0]
"""


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sweep")
    grid = folder / "grid.toml"
    grid.write_text(GRID)
    run_sweep(grid, folder / "store", jobs=1)
    return folder / "store", load_grid(grid)


def test_the_table_is_tidy_and_holds_what_simulate_computes(store):
    path, grid = store
    frame = load(path)
    assert len(frame) == grid.n_points * 3 and frame["point"].nunique() == grid.n_points
    for col in ("N", "a", "M", "P", "seeds", "seed", "b", "sigma", "optimizer", "time",
                "test_loss", "test_loss_sem", "train_loss", "version"):
        assert col in frame.columns, col
    assert "wall_time_s" not in frame.columns
    assert frame.attrs["parameters"] == ["M", "P", "seeds", "times", "N", "a", "seed"]
    # rows sorted by parameters, then time
    assert list(frame["N"].iloc[:6]) == [10] * 6 and list(frame["time"].iloc[:3]) == [1, 10, 100]
    # the stored numbers are those of the library called directly with the point's seed
    row = frame[(frame["N"] == 20) & (frame["a"] == 2.0)]
    direct = simulate(Spectrum.power_law(2.0, 1.25, 60), 20, 40, [1, 10, 100], n_seeds=2,
                      seed=int(row["seed"].iloc[0]))
    np.testing.assert_array_equal(row["test_loss"].to_numpy(), direct.test_loss)
    np.testing.assert_array_equal(row["train_loss_sem"].to_numpy(), direct.train_loss_sem)
    timed = load(path, timings=True)
    assert (timed["elapsed_s"] > 0).all()


def test_to_loss_table_gives_the_scaling_fits_their_input(store):
    path, _ = store
    table = to_loss_table(path, where={"a": 1.5})
    assert isinstance(table, LossTable)
    assert table.n_points == 9
    frame = load(path)
    sub = frame[frame["a"] == 1.5].sort_values(["N", "time"])
    np.testing.assert_array_equal(table.model_size, sub["N"].to_numpy(dtype=float))
    np.testing.assert_array_equal(table.steps, sub["time"].to_numpy())
    np.testing.assert_array_equal(table.loss, sub["test_loss"].to_numpy())
    np.testing.assert_array_equal(table.compute, table.model_size * table.steps)
    assert "where {'a': 1.5}" in table.source
    with pytest.raises(InvalidParameterError, match=r"also varies a \(a: 1.5, 2.0\)"):
        to_loss_table(path)
    with pytest.raises(InvalidParameterError, match="no point has a = 1.7"):
        to_loss_table(path, where={"a": 1.7})
    with pytest.raises(InvalidParameterError, match="`size` must be a column"):
        to_loss_table(path, size="width", where={"a": 1.5})


def test_to_curves_rebuilds_loss_curves(store):
    path, grid = store
    curves = to_curves(path, where={"N": 40})
    assert len(curves) == 2 and all(isinstance(c, LossCurves) for c in curves)
    frame = load(path)
    for c in curves:
        rows = frame[frame["point"] == c.diagnostics["sweep_point"]]
        np.testing.assert_array_equal(c.test_loss, rows["test_loss"].to_numpy())
        assert c.params["N"] == 40 and c.source == "simulation" and c.seed == rows["seed"].iloc[0]
    assert len(to_curves(path)) == grid.n_points


def test_summary_and_plot_from_the_command_line(store, capsys, tmp_path):
    path, grid = store
    assert main(["sweep", str(path), "--summary", "--format", "json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["n_ok"] == grid.n_points and summary["n_failed"] == 0
    assert summary["parameters"]["N"] == [10, 20, 40] and summary["n_computations"] == 6
    assert main(["sweep", str(path)]) == 0
    out = capsys.readouterr().out
    assert "points: 6 ok, 0 failed" in out and "a: 1.5, 2.0" in out
    png = tmp_path / "loss.png"
    assert main(["sweep", str(path), "--plot", str(png), "--where", "a=1.5"]) == 0
    assert png.stat().st_size > 10_000
    code = main(["sweep", str(path), "--plot", str(png)])
    err = capsys.readouterr().err
    assert code == 2 and "also varies a" in err and "--where a=VALUE" in err


def test_plot_sweep_labels_what_it_shows(store):
    path, _ = store
    frame = load(path)
    fig = plot_sweep(frame, where={"a": 2.0})
    ax = fig.axes[0]
    assert ax.get_xlabel() == "N" and ax.get_ylabel() == "test loss"
    assert ax.get_legend().get_title().get_text() == "time"
    assert len(ax.get_lines()) == 3 and "against N" in ax.get_title()
    assert ax.get_xscale() == "log"
    fig = plot_sweep(frame, x="time", hue="a", where={"N": 10})
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == ["a = 1.5", "a = 2"]


def test_dry_run_counts_without_running(store, tmp_path, capsys):
    path, grid = store
    bigger = tmp_path / "bigger.toml"
    bigger.write_text(GRID.replace("N = [10, 20, 40]", "N = [10, 20, 40, 80]"))
    assert main(["sweep", str(bigger), "--store", str(path), "--dry-run", "--format", "json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert (info["n_points"], info["n_present"], info["n_to_compute"]) == (8, 6, 2)
    assert len(load(path)["point"].unique()) == 6


def test_a_sweep_feeds_the_chinchilla_fit(store):
    from scaling_dynamics.scaling import fit_chinchilla

    path, _ = store
    table = to_loss_table(path, where={"a": 2.0})
    fit = fit_chinchilla(table.model_size, table.steps, table.loss, n_bootstrap=0,
                         holdout_fraction=None, n_starts=2)
    assert fit.n_points == 9 and np.isfinite(fit.rmse_log)


def test_tables_without_pandas_name_the_extra(store, monkeypatch):
    import sys

    from scaling_dynamics import MissingDependencyError

    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(MissingDependencyError, match=r"scaling-dynamics\[sweeps\]"):
        load(store[0])
