"""Fits, frontier and exponents read a sweep store (issue 9: 'use of the results')."""

import json
import math

import numpy as np
import pytest

pytest.importorskip("pandas")

from cli_helpers import run_cli  # noqa: E402

from scaling_dynamics import Spectrum, simulate  # noqa: E402
from scaling_dynamics.scaling import LossTable, optimize_frontier  # noqa: E402
from scaling_dynamics.scaling._data_frontier import frontier_from_table, loss_exponent  # noqa: E402
from scaling_dynamics.sweeps import parse_grid, run_sweep  # noqa: E402


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = tmp_path_factory.mktemp("store")
    grid = parse_grid({
        "command": "simulate",
        "options": {"a": 1.5, "b": 1.25, "M": 300, "P": "inf", "seeds": 4,
                    "times": "log:1:1e4:17"},
        "axes": {"N": {"log": [8, 256], "num": 11}},
    })
    run_sweep(grid, path, jobs=1, progress=False)
    return str(path)


def test_data_frontier_matches_the_frontier_of_the_same_surface():
    """Sampled on a fine grid, an analytic surface's data frontier equals its exact frontier."""
    def surface(n, t):
        return 2.0 * np.asarray(n, float) ** -0.5 + 3.0 * np.asarray(t, float) ** -0.4

    sizes = np.geomspace(10, 1e5, 41)
    times = np.geomspace(1, 1e6, 61)
    n, t = np.meshgrid(sizes, times, indexing="ij")
    table = LossTable(n.ravel(), t.ravel(), surface(n, t).ravel())
    budgets = np.geomspace(1e4, 1e8, 5)
    measured = frontier_from_table(table, budgets)
    exact = optimize_frontier(surface, budgets)
    assert not measured.at_bound.any()
    np.testing.assert_allclose(measured.loss, exact.loss, rtol=2e-3)
    np.testing.assert_allclose(measured.model_size, exact.model_size, rtol=0.1)
    assert measured.exponent_params == pytest.approx(exact.exponent_params, abs=0.02)


def test_loss_exponent_recovers_a_power_law():
    x = np.geomspace(10, 1e4, 12)
    r, se = loss_exponent(x, 5 * x**-0.7)
    assert r == pytest.approx(0.7, abs=1e-12) and se < 1e-10


def test_compute_optimal_reads_a_store_and_puts_the_theory_beside_it(capsys, store, tmp_path):
    code, out, err = run_cli(capsys, "compute-optimal", "--store", store, "--format", "json",
                             "--out", str(tmp_path / "fr"))
    assert code == 0, err
    d = json.loads(out)
    measured, theory = d["measured"], d["theory"]
    assert theory["params"]["M"] == 300 and theory["params"]["P"] == "inf"
    np.testing.assert_allclose(measured["compute"], theory["compute"])
    # Simulation (4 seeds) and theory at the same M agree on L* where the optimum is interior,
    # within 12 %: the minimum over noisy estimates is biased low, the sweep's grid of N and t
    # is coarse, and at N ~ 10-30 the mean-field theory itself is a few per cent off. (The
    # frontier's own accuracy is tested above on an analytic surface, to 0.2 %.)
    inner = ~np.array(measured["at_bound"])
    assert inner.sum() >= 4
    ratio = np.array(measured["loss"])[inner] / np.array(theory["loss"])[inner]
    assert np.all(np.abs(ratio - 1) < 0.12), ratio
    assert (tmp_path / "fr" / "frontier.png").stat().st_size > 10_000


def test_exponents_and_fit_read_a_store(capsys, store):
    code, out, err = run_cli(capsys, "exponents", "--store", store, "--x", "N", "--at-time",
                             "1", "--format", "json")
    assert code == 0, err
    d = json.loads(out)
    assert d["closed_form"] == 0.5 and d["n_points"] == 11
    # at t = 1 every size has barely learned: the loss hardly depends on N
    assert abs(d["measured"]) < 0.1
    code, out, err = run_cli(capsys, "fit", "--store", store, "--bootstrap", "0",
                             "--holdout", "0", "--format", "json")
    assert code == 0, err
    fit = json.loads(out)
    assert fit["data"]["n_points"] == 11 * 17 and fit["chinchilla"]["beta"] > 0


def test_the_theory_agrees_with_the_stored_simulation(store):
    """The store's points are the simulator's: N = 64 equals simulate() with its seed."""
    from scaling_dynamics.sweeps import to_curves

    curves = {c.params["N"]: c for c in to_curves(store)}
    c = curves[64]
    again = simulate(Spectrum.power_law(1.5, 1.25, 300), 64, math.inf, c.times,
                     n_seeds=4, seed=c.seed)
    np.testing.assert_array_equal(again.test_loss, c.test_loss)


@pytest.mark.parametrize(
    "argv, message",
    [
        (["fit"], "give either DATA files or --store DIR"),
        (["fit", "x.csv", "--store", "."], "give either DATA files or --store DIR"),
        (["exponents", "--where", "P=1"], "give --store DIR"),
        (["compute-optimal", "--where", "P=1"], "give --store DIR"),
        # --where used to be ignored silently when fit read a CSV file
        (["fit", "runs.csv", "--where", "P=1"], "give --store DIR"),
        (["compute-optimal", "--store", ".", "--where", "P"], "`where` must look like K=V"),
    ],
)
def test_store_options_are_checked(capsys, argv, message):
    code, out, err = run_cli(capsys, *argv)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1


def test_where_on_an_unknown_column_is_reported(capsys, store):
    code, _, err = run_cli(capsys, "exponents", "--store", store, "--where", "Q=3")
    assert code == 2 and "`where` names `Q`" in err
