import json
import math

import numpy as np
import pytest

import scaling_dynamics as sd
from scaling_dynamics import InvalidParameterError, LossCurves, Spectrum, simulate


@pytest.fixture(scope="module")
def curves():
    spec = Spectrum.power_law(1.5, 1.25, 60, sigma=0.2)
    return simulate(spec, math.inf, 40, [0, 0.1, 1 / 3, 10, 1e6], n_seeds=3, seed=2, ensemble=1)


@pytest.mark.parametrize("suffix", [".json", ".csv"])
def test_save_load_is_lossless(curves, tmp_path, suffix):
    path = tmp_path / f"c{suffix}"
    curves.save(path)
    back = LossCurves.load(path)
    assert back.equals(curves)
    assert back.params["N"] == math.inf
    assert back.seed == 2 and back.version == sd.__version__ and back.backend == "numpy"
    np.testing.assert_array_equal(back.test_loss_seeds, curves.test_loss_seeds)


def test_json_is_standard_and_contains_the_metadata(curves):
    text = curves.to_json()
    d = json.loads(text)  # standard JSON: no NaN/Infinity literals
    assert "Infinity" not in text and "NaN" not in text
    assert d["params"]["N"] == "inf"
    for key in ("times", "test_loss", "test_loss_sem", "train_loss", "train_loss_sem", "params",
                "seed", "backend", "version"):
        assert key in d


def test_theory_like_curves_without_sem_round_trip(tmp_path):
    c = LossCurves(times=np.array([1.0, 2.0]), test_loss=np.array([0.5, 0.25]),
                   train_loss=np.array([0.4, 0.2]), source="theory", backend="theory",
                   extra={"bias": np.array([0.3, 0.1])}, params={"P": math.inf})
    for suffix in (".json", ".csv"):
        c.save(tmp_path / f"t{suffix}")
        assert LossCurves.load(tmp_path / f"t{suffix}").equals(c)


def test_bad_files_are_refused(tmp_path, curves):
    with pytest.raises(InvalidParameterError, match="suffix must be '.json' or '.csv'"):
        curves.save(tmp_path / "x.txt")
    (tmp_path / "bad.csv").write_text("a,b\n1,2\n")
    with pytest.raises(InvalidParameterError, match="not a scaling-dynamics CSV"):
        LossCurves.load(tmp_path / "bad.csv")
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(InvalidParameterError, match="not a valid LossCurves file"):
        LossCurves.load(tmp_path / "bad.json")
    (tmp_path / "other.json").write_text('{"hello": 1}')
    with pytest.raises(InvalidParameterError, match="missing key"):
        LossCurves.load(tmp_path / "other.json")
    with pytest.raises(InvalidParameterError, match="cannot read"):
        LossCurves.load(tmp_path / "nope.json")
    (tmp_path / "image.json").write_bytes(b"\x89PNG\r\n\x1a\n\x00")  # binary, not text
    with pytest.raises(InvalidParameterError, match="it is not text"):
        LossCurves.load(tmp_path / "image.json")


def test_shape_mismatch_is_refused():
    with pytest.raises(InvalidParameterError, match="`test_loss` must have the shape of `times`"):
        LossCurves(times=np.zeros(3), test_loss=np.zeros(2), train_loss=np.zeros(3))
