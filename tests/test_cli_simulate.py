"""The command line: JSON contract, files, one-line errors."""

import json
import subprocess
import sys

import numpy as np
import pytest
from cli_helpers import run_cli

from scaling_dynamics import LossCurves

SMALL = ["--M", "80", "--N", "20", "--P", "30", "--seeds", "3", "--times", "0,1,10"]


def test_json_output_is_exactly_one_object_with_the_promised_keys(capsys):
    code, out, err = run_cli(capsys, "simulate", *SMALL, "--sigma", "0.1", "--format", "json")
    assert code == 0
    d = json.loads(out)  # exactly one JSON document on stdout
    assert set(d) == {"times", "test_loss", "test_loss_sem", "train_loss", "train_loss_sem",
                      "params"}
    assert d["times"] == [0.0, 1.0, 10.0]
    assert len(d["test_loss"]) == 3 and len(d["train_loss_sem"]) == 3
    p = d["params"]
    assert (p["a"], p["b"], p["M"], p["N"], p["P"], p["sigma"]) == (1.5, 1.25, 80, 20, 30, 0.1)
    assert p["seeds"] == 3 and p["optimizer"] == "gf" and p["seed"] == 0
    assert p["version"] and p["backend"] == "numpy"


def test_every_optimizer_runs_from_the_command_line(capsys):
    for extra in (["--optimizer", "gd", "--eta", "0.5"],
                  ["--optimizer", "momentum", "--eta", "0.3", "--beta", "0.5"],
                  ["--optimizer", "sgd", "--eta", "0.3", "--batch", "4"],
                  ["--ensemble", "3"], ["--N", "inf"], ["--P", "inf"]):
        code, out, err = run_cli(capsys, "simulate", *SMALL, *extra, "--format", "json")
        assert code == 0, err
        assert json.loads(out)["test_loss"][0] == pytest.approx(
            float(np.sum(np.arange(1, 81) ** -1.5)))


def test_table_output_and_out_file(capsys, tmp_path):
    path = tmp_path / "r.csv"
    code, out, err = run_cli(capsys, "simulate", *SMALL, "--out", str(path))
    assert code == 0
    assert out.startswith("# simulation: a=1.5, b=1.25, M=80, N=20, P=30")
    assert "test_loss" in out and len(out.strip().splitlines()) == 2 + 3
    back = LossCurves.load(path)
    assert back.test_loss_seeds.shape == (3, 3)


def test_log_times(capsys):
    code, out, _ = run_cli(capsys, "simulate", *SMALL[:-2], "--times", "log:1:1e6:7",
                           "--format", "json")
    assert code == 0
    np.testing.assert_allclose(json.loads(out)["times"], np.logspace(0, 6, 7))


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--a", "0.9"], "`a` must be a number > 1; got 0.9"),
        (["--b", "1"], "`b` must be a number > 1; got 1.0"),
        (["--M", "0"], "`M` must be a positive integer or inf; got 0"),
        (["--N", "-4"], "`N` must be a positive integer or inf; got -4"),
        (["--N", "abc"], "`N` must be a positive integer or inf; got 'abc'"),
        (["--P", "1.5"], "`P` must be a positive integer or inf; got 1.5"),
        (["--sigma", "-1"], "`sigma` must be a number >= 0; got -1.0"),
        (["--seeds", "0"], "`seeds` must be an integer >= 1; got 0"),
        (["--times", "1,x"], "`times` must be a comma list"),
        (["--times=-1,2"], "`times` must contain only non-negative numbers"),
        (["--times", "log:0:10:3"], "needs 0 < START <= STOP"),
        (["--optimizer", "gd"], "optimizer 'gd' needs `eta`"),
        (["--optimizer", "adam"], "invalid choice: 'adam'"),
        (["--optimizer", "gd", "--eta", "0.1", "--times", "1.5"], "whole numbers of steps"),
        (["--optimizer", "gd", "--eta", "100"], "is unstable for this draw"),
        (["--eta", "0.1"], "optimizer 'gf' does not use `eta`"),
        (["--ensemble", "0"], "`ensemble` must be an integer >= 1; got 0"),
        (["--backend", "tpu"], "`backend` must be one of"),
        (["--spectrum", "/nonexistent.npz"], "cannot read spectrum file"),
        (["--format", "xml"], "invalid choice: 'xml'"),
        (["--frobnicate"], "unrecognized arguments: --frobnicate"),
        (["--M", "100000", "--N", "100000", "--P", "100000"], "GiB of memory but only"),
    ],
)
def test_bad_options_give_one_line_and_nonzero_exit(capsys, argv, message):
    code, out, err = run_cli(capsys, "simulate", *SMALL, *argv)
    assert code == (1 if "GiB" in message else 2)  # 2: invalid input, 1: cannot be done here
    assert out == ""
    assert message in err, err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_an_output_file_that_cannot_be_written_is_one_line(capsys, tmp_path):
    target = tmp_path / "no-such-folder" / "run.json"
    code, out, err = run_cli(capsys, "simulate", *SMALL, "--out", str(target))
    assert code == 1
    assert "cannot use" in err and "No such file or directory" in err, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_console_script_and_help_in_a_subprocess(tmp_path):
    help_text = subprocess.run([sys.executable, "-m", "scaling_dynamics", "simulate", "--help"],
                               capture_output=True, text=True, check=True).stdout
    for option in ("--a", "--b", "--M", "--N", "--P", "--sigma", "--optimizer", "--eta", "--beta",
                   "--batch", "--ensemble", "--seeds", "--times", "--format", "--out"):
        assert option in help_text
    bad = subprocess.run([sys.executable, "-m", "scaling_dynamics", "simulate", "--N", "0"],
                         capture_output=True, text=True)
    assert bad.returncode == 2 and bad.stdout == ""
    assert bad.stderr.strip().count("\n") == 0 and "Traceback" not in bad.stderr
