"""`theory` and `compare` with --optimizer gd | momentum | sgd (time in steps)."""

from __future__ import annotations

import json

import pytest
from cli_helpers import run_cli

MODEL = ["--M", "200", "--N", "60", "--P", "120", "--sigma", "0.3", "--times", "0,1,10,100,1000"]


@pytest.mark.parametrize(
    "opt",
    [["--optimizer", "gd", "--eta", "0.8"],
     ["--optimizer", "momentum", "--eta", "0.5", "--beta", "0.5"],
     ["--optimizer", "sgd", "--eta", "0.5", "--batch", "4"]],
)
def test_theory_json_for_each_optimiser_matches_simulate_params(capsys, opt):
    code, out, err = run_cli(capsys, "theory", *MODEL, *opt, "--format", "json")
    assert code == 0, err
    th = json.loads(out)
    assert th["params"]["time_unit"] == "steps" and th["params"]["optimizer"] == opt[1]
    code, out, _ = run_cli(capsys, "simulate", *MODEL, *opt, "--seeds", "2", "--format", "json")
    sim = json.loads(out)
    shared = set(sim["params"]) - {"seeds", "method", "seed", "source", "backend", "wall_time_s"}
    assert {k: th["params"][k] for k in shared} == {k: sim["params"][k] for k in shared}
    assert th["times"] == sim["times"] and th["test_loss"][0] == pytest.approx(sim["test_loss"][0])
    if opt[1] == "sgd":
        assert th["params"]["P"] is None
        assert th["train_loss"] == pytest.approx([x + 0.09 for x in th["test_loss"]], rel=1e-12)


def test_compare_momentum_prints_small_deviations(capsys, tmp_path):
    code, out, err = run_cli(capsys, "compare", *MODEL, "--optimizer", "momentum", "--eta", "0.5",
                             "--beta", "0.5", "--seeds", "16", "--out", str(tmp_path / "c"),
                             "--format", "json")
    assert code == 0, err
    d = json.loads(out)
    assert d["max_abs_test_deviation"] < 3 and d["max_abs_train_deviation"] < 3
    assert d["params"]["optimizer"] == "momentum"


@pytest.mark.parametrize(
    "argv,needle",
    [
        (["--optimizer", "gd", "--eta", "5"], "gd needs eta * mu_max < 2, i.e. eta < "),
        (["--optimizer", "sgd", "--eta", "3", "--batch", "2"], "2B/(B+1) = 1.33333, i.e. eta < "),
        (["--optimizer", "gd", "--eta", "0.5", "--times", "1.5"], "whole numbers of steps"),
    ],
)
def test_unstable_or_bad_steps_exit_2_with_the_limit(capsys, argv, needle):
    model = [a for a in MODEL if a not in ("--times", "0,1,10,100,1000")]
    code, out, err = run_cli(capsys, "theory", *model, *argv)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and needle in err, err
