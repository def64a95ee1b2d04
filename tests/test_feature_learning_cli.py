"""The feature-learning model on the command line: --gamma/--model on simulate, theory and
compare, exponents --gamma, and gamma as a sweep axis (issue 16 items 1 and 5)."""

import json
import math

import numpy as np
import pytest
from cli_helpers import run_cli

from scaling_dynamics import Spectrum
from scaling_dynamics.cli import main
from scaling_dynamics.models import predict, simulate
from scaling_dynamics.models.feature_learning import feature_learning_exponents

INF = ["--N", "inf", "--P", "inf", "--M", "inf"]
SIM = ["--N", "100", "--P", "inf", "--M", "400", "--seeds", "2", "--times", "1,10,100"]


def _json(capsys, *argv):
    code, out, err = run_cli(capsys, *argv, "--format", "json")
    assert code == 0, err
    return json.loads(out)


def test_theory_gamma_prints_the_library_curve(capsys):
    d = _json(capsys, "theory", "--gamma", "1", *INF, "--times", "1,10,100,1000")
    loss = np.array(d["test_loss"])
    assert np.all(np.isfinite(loss)) and np.all(np.diff(loss) < 0)
    lib = predict(Spectrum.power_law(1.5, 1.25, math.inf), math.inf, math.inf,
                  [1, 10, 100, 1000], model="feature-learning", gamma=1.0)
    np.testing.assert_allclose(loss, lib.test_loss, rtol=1e-12)
    assert d["params"]["gamma"] == 1.0 and d["params"]["model"] == "feature-learning"


def test_simulate_gamma_equals_the_library_call_with_the_same_seed(capsys):
    d = _json(capsys, "simulate", "--gamma", "1", *SIM, "--seed", "3")
    lib = simulate(Spectrum.power_law(1.5, 1.25, 400), 100, math.inf, [1, 10, 100],
                   model="feature-learning", gamma=1.0, n_seeds=2, seed=3)
    np.testing.assert_allclose(d["test_loss"], lib.test_loss, rtol=1e-12)
    np.testing.assert_allclose(d["test_loss_sem"], lib.test_loss_sem, rtol=1e-12)


def test_model_option_runs_feature_learning_at_any_gamma(capsys):
    d = _json(capsys, "theory", "--model", "feature-learning", *INF, "--times", "1,10")
    assert d["params"]["gamma"] == 0.0 and d["params"]["model"] == "feature-learning"


@pytest.mark.parametrize("command", ["simulate", "theory"])
def test_gamma_zero_is_the_random_feature_output(capsys, command):
    base = ["--M", "80", "--N", "20", "--P", "30", "--times", "0,1,10"]
    if command == "simulate":
        base += ["--seeds", "2"]
    plain = _json(capsys, command, *base)
    zero = _json(capsys, command, *base, "--gamma", "0")
    named = _json(capsys, command, *base, "--model", "random-features")
    for d in (plain, zero, named):
        d["params"].pop("wall_time_s", None)
    assert plain == zero == named
    assert "gamma" not in plain["params"]


@pytest.mark.parametrize("argv, words", [
    (["theory", "--model", "random-features", "--gamma", "1"], "needs the feature-learning"),
    (["theory", "--gamma", "1", "--N", "100", "--M", "100", "--P", "inf"], "`N` = 100 equals M"),
    (["theory", "--gamma", "1e7", "--N", "inf", "--P", "inf"], "[0, 1e+06]"),
    (["compute-optimal", "--gamma", "1e9", "--compute", "1e4,1e5"], "`gamma`"),
    (["theory", "--gamma", "1", "--N", "inf", "--P", "500"], "`P` = 500"),
    (["simulate", "--gamma", "1", "--N", "100", "--P", "500"], "`P` = 500"),
    (["simulate", "--gamma", "1", "--N", "100", "--P", "inf", "--M", "inf"], "`M` must be"),
    (["theory", "--gamma", "1", *INF, "--optimizer", "gd", "--eta", "0.5"], "'gd'"),
    (["simulate", "--gamma", "1", *SIM, "--ensemble", "2"], "`ensemble` = 2"),
    (["simulate", "--gamma", "1", *SIM, "--backend", "torch"], "`backend`"),
    (["simulate", "--gamma", "1", *SIM, "--method", "sample"], "method"),
    (["theory", "--gamma", "-1"], "gamma"),
    (["exponents", "--gamma", "1", "--store", "nowhere"], "gamma"),
])
def test_refusals_are_one_line_with_status_2(capsys, argv, words):
    code, out, err = run_cli(capsys, *argv)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and words in err, err


def test_compare_gamma_agrees_within_the_theory_accuracy(capsys, tmp_path):
    d = _json(capsys, "compare", "--gamma", "1", "--N", "inf", "--P", "inf", "--M", "400",
              "--seeds", "2", "--times", "1,10,100", "--out", str(tmp_path))
    assert d["max_abs_test_deviation"] < 1.0
    assert d["params"]["gamma"] == 1.0


@pytest.mark.parametrize("a, b, gamma", [(2.0, 2.0, 1.0), (1.5, 1.25, 0.0), (4.0, 1.2, 2.0)])
def test_exponents_gamma_prints_the_library_values(capsys, a, b, gamma):
    args = ["exponents", "--a", str(a), "--b", str(b)]
    d = _json(capsys, *args, "--gamma", str(gamma))
    crossover = d["feature_learning"].pop("crossover", None)
    assert d["feature_learning"] == feature_learning_exponents(a, b, gamma).to_dict()
    assert (crossover is not None) == ((a - 1) / b < 1)  # hard tasks only
    plain = _json(capsys, *args)
    assert "feature_learning" not in plain
    assert {k: v for k, v in d.items() if k != "feature_learning"} == plain
    code, out, err = run_cli(capsys, *args, "--gamma", str(gamma))
    fl = feature_learning_exponents(a, b, gamma)
    assert code == 0 and f"regime {fl.regime}" in out
    assert f"{'chi_rich':>24}  {fl.chi_rich:10.6g}" in out


def test_exponents_table_without_gamma_is_unchanged(capsys):
    code, out, _ = run_cli(capsys, "exponents", "--a", "2", "--b", "2")
    assert code == 0 and "feature-learning" not in out


def test_a_sweep_grid_with_a_gamma_axis_validates(tmp_path, capsys):
    grid = tmp_path / "rich.toml"
    grid.write_text('name = "rich"\ncommand = "theory"\n[options]\nN = "inf"\nP = "inf"\n'
                    'M = "inf"\ntimes = "1,10,100"\n[axes]\ngamma = [0.1, 1, 10]\n')
    code = main(["sweep", str(grid), "--store", str(tmp_path / "store"), "--dry-run"])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert "3 points of `theory`" in out.out and "gamma (3 values)" in out.out
    bad = tmp_path / "bad.toml"
    bad.write_text(grid.read_text().replace("[0.1, 1, 10]", "[-1, 1]"))
    try:
        code = main(["sweep", str(bad), "--store", str(tmp_path / "bad"), "--dry-run"])
    except SystemExit as exc:
        code = exc.code
    assert code == 2 and "gamma" in capsys.readouterr().err
