"""Command line of the scaling laws: fit, compute-optimal, scaling-figure (JSON, files, errors)."""

import json

import numpy as np
import pytest

from scaling_dynamics.cli import main


def run_cli(capsys, *argv):
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = exc.code
    out = capsys.readouterr()
    return code, out.out, out.err


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
