"""`scaling-dynamics spectrum`: JSON contract, files written, user data, one-line errors."""

import json

import numpy as np
import pytest
from cli_helpers import run_cli

from scaling_dynamics import Spectrum

PROMISED = {"a", "b", "a_ci", "b_ci", "modes_used"}


def test_linear_kernel_of_synthetic_data_gives_the_json_keys_and_the_exponents(capsys):
    code, out, err = run_cli(capsys, "spectrum", "--dataset", "synthetic", "--model", "linear",
                             "--samples", "600", "--M", "1200", "--a", "1.6", "--b", "1.4",
                             "--bootstrap", "100", "--format", "json")
    assert code == 0, err
    d = json.loads(out)
    assert PROMISED <= set(d)
    assert abs(d["a"] - 1.6) < 0.08 and abs(d["b"] - 1.4) < 0.08
    assert len(d["a_ci"]) == 2 and d["b_ci"][0] <= d["b"] <= d["b_ci"][1]
    lo, hi = d["modes_used"]
    assert 1 <= lo < hi <= 600 and d["samples"] == 600


def test_network_spectrum_writes_figure_spectrum_and_summary(capsys, tmp_path):
    pytest.importorskip("torch")
    pytest.importorskip("sklearn")
    code, out, err = run_cli(capsys, "spectrum", "--dataset", "digits", "--model", "mlp",
                             "--width", "32", "--samples", "300", "--bootstrap", "50",
                             "--modes", "3:100", "--out", str(tmp_path))
    assert code == 0, err
    assert "b = " in out and "a = " in out and "modes used: 3..100 (given)" in out
    for name in ("spectrum.npz", "spectrum.png", "spectrum.json"):
        assert (tmp_path / name).stat().st_size > 0
    spec = Spectrum.load(str(tmp_path / "spectrum.npz"))
    assert spec.M == 300 and spec.initial_loss == pytest.approx(1.0)
    summary = json.loads((tmp_path / "spectrum.json").read_text())
    assert summary["modes_used"] == [3, 100] and summary["n_params"] == 32 * 65
    code, out, err = run_cli(capsys, "spectrum", "--dataset", "digits", "--model", "cnn",
                             "--width", "48", "--samples", "120", "--kernel", "features",
                             "--bootstrap", "20", "--format", "json")
    assert code == 0, err
    assert json.loads(out)["kernel"] == "features"


def test_user_npz_data_through_the_command_line(capsys, tmp_path, rng):
    X = rng.standard_normal((200, 40)) * np.arange(1, 41) ** -0.7
    np.savez(tmp_path / "mine.npz", X=X, y=X @ np.ones(40))
    code, out, err = run_cli(capsys, "spectrum", "--dataset", str(tmp_path / "mine.npz"),
                             "--model", "linear", "--bootstrap", "20", "--format", "json")
    assert code == 0, err
    d = json.loads(out)
    assert d["dataset"] == "mine.npz" and d["n_modes"] == 40


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--modes", "5"], "expected FIRST:LAST"),
        (["--modes", "9:3"], "expected 1 <= FIRST < LAST"),
        (["--model", "rnn"], "invalid choice"),
        (["--dataset", "nowhere.npz"], "does not exist"),
        (["--dataset", "cifar"], "'digits', 'synthetic' or a path"),
        (["--dataset", "synthetic", "--model", "cnn"], "needs image data"),
        (["--dataset", "synthetic", "--model", "linear", "--samples", "6"], "too short"),
        (["--dataset", "synthetic", "--model", "linear", "--a", "0.5"], "`a` must be"),
        (["--dataset", "synthetic", "--model", "mlp", "--width", "0", "--samples", "20"],
         "`width` must be"),
    ],
)
def test_bad_options_exit_2_with_one_line(capsys, argv, message):
    if "--model" not in argv or "mlp" in argv or "cnn" in argv:
        pytest.importorskip("torch")
    if "synthetic" not in argv and "--dataset" not in argv:
        pytest.importorskip("sklearn")
    code, out, err = run_cli(capsys, "spectrum", *argv)
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1 and message in err, err


def test_predict_runs_the_theory_on_a_saved_measured_spectrum(capsys, tmp_path):
    code, _, err = run_cli(capsys, "spectrum", "--dataset", "synthetic", "--model", "linear",
                           "--samples", "300", "--M", "400", "--bootstrap", "20",
                           "--out", str(tmp_path), "--format", "json")
    assert code == 0, err
    path = str(tmp_path / "spectrum.npz")
    code, out, err = run_cli(capsys, "predict", "--spectrum", path, "--N", "100", "--P", "150",
                             "--times", "0,1,10,100", "--format", "json")
    assert code == 0, err
    d = json.loads(out)
    assert {"times", "test_loss", "train_loss", "params"} <= set(d)
    from scaling_dynamics.theory import predict

    spec = Spectrum.load(path)
    ref = predict(spec, 100, 150, [0, 1, 10, 100])
    np.testing.assert_allclose(d["test_loss"], ref.test_loss, rtol=1e-12)
    assert d["test_loss"][0] == pytest.approx(spec.initial_loss)
    assert d["params"]["M"] == spec.M and d["params"]["source"] == "theory"
    code, out, err = run_cli(capsys, "predict", "--N", "10")
    assert code == 2 and out == "" and "--spectrum" in err and len(err.splitlines()) == 1
    code, out, err = run_cli(capsys, "predict", "--spectrum", str(tmp_path / "none.npz"))
    assert code == 2 and "cannot read spectrum file" in err and len(err.splitlines()) == 1
