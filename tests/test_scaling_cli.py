"""Command line of the scaling laws: fit, compute-optimal, scaling-figure (JSON, files, errors)."""

import json

import numpy as np
import pytest
from cli_helpers import run_cli


def one_line_error(code, out, err):
    return code == 2 and out == "" and len(err.strip().splitlines()) == 1 and "error" in err


@pytest.fixture
def runs_csv(tmp_path):
    rng = np.random.default_rng(5)
    N, t = np.meshgrid(np.geomspace(1e2, 1e4, 5), np.geomspace(1e2, 1e5, 6))
    N, t = N.ravel(), t.ravel()
    L = (0.3 + 40 * N**-0.45 + 25 * t**-0.35) * np.exp(0.01 * rng.standard_normal(N.size))
    p = tmp_path / "runs.csv"
    p.write_text("params,tokens,loss\n"
                 + "".join(f"{a},{b},{c}\n" for a, b, c in zip(N, t, L, strict=True)))
    return p


def test_fit_json_and_files(capsys, runs_csv, tmp_path):
    out_dir = tmp_path / "fit"
    code, out, err = run_cli(capsys, "fit", str(runs_csv), "--bootstrap", "10", "--format",
                             "json", "--out", str(out_dir), "--compute", "1e9,1e10")
    assert code == 0, err
    d = json.loads(out)
    assert {"data", "chinchilla", "chinchilla_allocation"} <= set(d)
    ch = d["chinchilla"]
    assert ch["alpha"] == pytest.approx(0.45, abs=0.05) and "alpha" in ch["intervals"]
    assert d["chinchilla_allocation"]["compute"] == [1e9, 1e10]
    assert ch["holdout"]["n_test"] >= 1
    assert (out_dir / "fit.png").stat().st_size > 10_000
    assert json.loads((out_dir / "fit.json").read_text())["data"]["n_points"] == 30


def test_fit_table_output(capsys, runs_csv):
    code, out, err = run_cli(capsys, "fit", str(runs_csv), "--bootstrap", "0")
    assert code == 0, err
    assert "Chinchilla-style fit" in out and "held out" in out and "N*" in out


def test_fit_refuses_bad_files_and_options_with_one_line(capsys, tmp_path, runs_csv):
    bad = tmp_path / "bad.csv"
    bad.write_text("N,steps,loss\n1,2,0.5\n2,3,-1\n")
    assert one_line_error(*run_cli(capsys, "fit", str(bad)))
    few = tmp_path / "few.csv"
    few.write_text("N,steps,loss\n1,2,0.5\n2,3,0.4\n")
    code, out, err = run_cli(capsys, "fit", str(few))
    assert one_line_error(code, out, err) and "too few points" in err
    nocol = tmp_path / "nocol.csv"
    nocol.write_text("N,loss\n1,0.5\n")
    code, out, err = run_cli(capsys, "fit", str(nocol))
    assert one_line_error(code, out, err) and "missing a column" in err
    assert one_line_error(*run_cli(capsys, "fit", str(tmp_path / "absent.csv")))
    assert one_line_error(*run_cli(capsys, "fit", str(runs_csv), "--bootstrap", "-1"))
    assert one_line_error(*run_cli(capsys, "fit", str(runs_csv), "--compute", "1e9,abc"))


def test_fit_with_the_theory_reports_both_fits_and_their_hold_out(capsys, tmp_path):
    import math

    from scaling_dynamics import Spectrum
    from scaling_dynamics.theory import predict

    spec = Spectrum.power_law(2.0, 1.5, math.inf)
    rows = []
    for n in np.geomspace(1e3, 1e5, 4):
        t = np.geomspace(10, 1e4, 5)
        L = 0.1 + 2.0 * predict(spec, int(round(0.1 * n)), math.inf, 10 * t).test_loss
        rows += [f"{n},{ti},{li}\n" for ti, li in zip(t, L, strict=True)]
    p = tmp_path / "theory.csv"
    p.write_text("N,steps,loss\n" + "".join(rows))
    code, out, err = run_cli(capsys, "fit", str(p), "--theory", "--theory-evaluations", "3",
                             "--bootstrap", "0", "--format", "json", "--out", str(tmp_path / "o"),
                             "--compute", "1e8,1e9,1e10")
    assert code == 0, err
    d = json.loads(out)
    th = d["theory"]
    assert {"a", "b", "sigma", "model_scale", "time_scale", "loss_scale", "floor",
            "holdout"} <= set(th)
    assert th["holdout"]["n_test"] >= 1 and th["rmse_log"] < 0.05
    assert len(d["theory_allocation"]["model_size"]) == 3
    assert (tmp_path / "o" / "fit.png").exists()
    assert one_line_error(*run_cli(capsys, "fit", str(p), "--theory", "--theory-evaluations",
                                   "0"))


def test_compute_optimal_json_table_and_plot(capsys, tmp_path):
    code, out, err = run_cli(capsys, "compute-optimal", "--a", "1.5", "--b", "1.25",
                             "--compute", "1e4,1e6,1e8", "--grid", "7", "--format", "json")
    assert code == 0, err
    d = json.loads(out)
    assert d["compute"] == [1e4, 1e6, 1e8] and len(d["model_size"]) == 3
    assert set(d["fitted"]) == {"compute_loss", "compute_params", "compute_steps"}
    assert abs(d["exponent_errors"]["compute_params"]) < 0.05
    assert d["closed_form"]["compute_params"] == pytest.approx(4 / 9)
    code, out, err = run_cli(capsys, "compute-optimal", "--P", "1000", "--compute",
                             "log:1e4:1e6:3", "--grid", "5", "--out", str(tmp_path / "fr"))
    assert code == 0, err
    assert "N*" in out and "P=1000" in out
    assert (tmp_path / "fr" / "frontier.png").stat().st_size > 20_000
    assert json.loads((tmp_path / "fr" / "frontier.json").read_text())["params"]["P"] == 1000


@pytest.mark.parametrize("bad", [["--compute", "1e4,-5"], ["--compute", "abc"], ["--a", "1"],
                                 ["--P", "0"], ["--grid", "2"], ["--min-steps", "0"]])
def test_compute_optimal_bad_options_exit_2_with_one_line(capsys, bad):
    assert one_line_error(*run_cli(capsys, "compute-optimal", *bad))


def test_scaling_figure_command(capsys, tmp_path):
    code, out, err = run_cli(capsys, "scaling-figure", "ensembling", "--quick", "--out",
                             str(tmp_path), "--format", "json")
    assert code == 0, err
    d = json.loads(out)
    assert d["figures"][0]["name"] == "ensembling"
    assert (tmp_path / "ensembling.png").exists()
    assert one_line_error(*run_cli(capsys, "scaling-figure", "nope"))
    assert one_line_error(*run_cli(capsys, "scaling-figure", "frontier", "--a", "0.5"))


def test_scaling_commands_are_registered():
    from scaling_dynamics.cli import COMMANDS

    for name in ("exponents", "compute-optimal", "fit", "scaling-figure"):
        assert name in COMMANDS
