"""Command line: `scaling-dynamics theory` and `scaling-dynamics compare`."""

from __future__ import annotations

import json

import numpy as np
import pytest
from cli_helpers import run_cli

from scaling_dynamics import LossCurves

MODEL = ["--M", "300", "--N", "80", "--P", "160", "--sigma", "0.3", "--times", "0,1,10,100"]


def test_theory_json_has_the_simulate_keys_without_sem(capsys):
    code, out, _ = run_cli(capsys, "theory", *MODEL, "--format", "json")
    assert code == 0
    th = json.loads(out)
    code, out, _ = run_cli(capsys, "simulate", *MODEL, "--seeds", "2", "--format", "json")
    sim = json.loads(out)
    assert set(th) == set(sim) - {"test_loss_sem", "train_loss_sem"}
    assert th["times"] == sim["times"]
    assert th["params"]["source"] == "theory" and th["params"]["backend"] == "theory"
    shared = set(sim["params"]) - {"seeds", "method", "seed", "source", "backend", "wall_time_s"}
    assert {k: th["params"][k] for k in shared} == {k: sim["params"][k] for k in shared}
    assert th["test_loss"][0] == pytest.approx(sim["test_loss"][0], rel=1e-14)  # L(0) in both


def test_theory_infinite_sizes_table_and_out_file(capsys, tmp_path):
    path = tmp_path / "t.csv"
    code, out, err = run_cli(capsys, "theory", "--M", "inf", "--N", "inf", "--P", "500",
                             "--times", "log:0.01:1e7:5", "--out", str(path))
    assert code == 0, err
    assert out.startswith("# theory: a=1.5, b=1.25, M=inf, N=inf, P=500")
    assert len(out.strip().splitlines()) == 2 + 5
    back = LossCurves.load(path)
    assert back.source == "theory" and "bias" in back.extra


def test_compare_writes_png_and_prints_deviations(capsys, tmp_path):
    out_dir = tmp_path / "cmp"
    code, out, err = run_cli(capsys, "compare", *MODEL, "--seeds", "8", "--out", str(out_dir))
    assert code == 0, err
    lines = out.strip().splitlines()
    assert lines[0].startswith("# compare theory with simulation: a=1.5")
    assert lines[1] == "# deviation = (theory - simulation mean) / sem"
    assert len(lines) == 3 + 4 + 1 and lines[-1].startswith("# max |deviation|")
    png = (out_dir / "comparison.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20_000
    assert LossCurves.load(out_dir / "simulation.json").source == "simulation"
    assert LossCurves.load(out_dir / "theory.json").source == "theory"

    code, out, err = run_cli(capsys, "compare", *MODEL, "--seeds", "8", "--out", str(out_dir),
                             "--format", "json")
    d = json.loads(out)
    assert code == 0
    th, sim = d["test_loss_theory"], d["test_loss_simulation"]
    dev = (np.array(th) - np.array(sim)) / np.maximum(d["test_loss_sem"], 1e-300)
    assert np.allclose(np.array(d["test_deviation"])[1:], dev[1:], rtol=1e-6)
    assert d["test_deviation"][0] == pytest.approx(0, abs=1e-3)  # t = 0: sem 0, exact in both
    assert d["max_abs_test_deviation"] == max(abs(x) for x in d["test_deviation"])
    assert set(d["files"]) == {"figure", "simulation", "theory"}


@pytest.mark.parametrize(
    "argv,needle",
    [
        (["theory", "--N", "0"], "`N` must be a positive integer"),
        (["theory", "--optimizer", "sgd", "--eta", "0.1"], "needs `batch`"),
        (["theory", "--nodes", "99"], "`n_nodes` must be an integer"),
        (["theory", "--nodes", "many"], "invalid int value"),
        (["theory", "--times", "1,x"], "`times` must be a comma list"),
        (["theory", "--compress", "maybe"], "invalid choice"),
        (["theory", "--M", "inf", "--compress", "off"], "needs a finite M"),
        (["compare", "--seeds", "1"], "at least 2"),
        (["compare", "--optimizer", "gd"], "needs `eta`"),
    ],
)
def test_bad_options_exit_2_with_one_line(capsys, argv, needle):
    code, out, err = run_cli(capsys, *argv)
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1 and needle in err
    assert "Traceback" not in err
