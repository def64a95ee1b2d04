import math

import numpy as np
import pytest

from scaling_dynamics import InvalidParameterError, Spectrum


def test_power_law_values():
    s = Spectrum.power_law(a=1.5, b=1.25, M=5, sigma=0.2)
    k = np.arange(1, 6)
    np.testing.assert_allclose(s.eigenvalues, k**-1.25)
    np.testing.assert_allclose(s.task_power, k**-1.5)
    np.testing.assert_allclose(s.target_weights, k ** (-(1.5 - 1.25) / 2))
    assert s.initial_loss == pytest.approx(np.sum(k**-1.5))
    assert s.sigma == 0.2 and s.M == 5 and s.is_power_law


def test_infinite_power_law_initial_loss_is_zeta():
    from scipy.special import zeta

    s = Spectrum.power_law(a=2.0, b=1.5, M=math.inf)
    assert s.initial_loss == pytest.approx(zeta(2.0))
    with pytest.raises(InvalidParameterError, match="infinite spectrum"):
        _ = s.eigenvalues


def test_from_arrays_sorts_descending_and_keeps_pairs():
    s = Spectrum.from_arrays([0.1, 1.0, 0.5], [3.0, 1.0, 2.0], sigma=0.1)
    np.testing.assert_array_equal(s.eigenvalues, [1.0, 0.5, 0.1])
    np.testing.assert_array_equal(s.target_weights, [1.0, 2.0, 3.0])
    assert not s.is_power_law and s.M == 3


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"a": 1.0, "b": 1.5, "M": 10}, r"`a` must be a number > 1; got 1.0"),
        ({"a": 0.5, "b": 1.5, "M": 10}, r"`a` must be a number > 1; got 0.5"),
        ({"a": 1.5, "b": 1.0, "M": 10}, r"`b` must be a number > 1; got 1.0"),
        ({"a": float("nan"), "b": 1.5, "M": 10}, r"`a` must be .*finite.*nan"),
        ({"a": float("inf"), "b": 1.5, "M": 10}, r"`a` must be .*finite.*inf"),
        ({"a": 1.5, "b": 1.5, "M": 0}, r"`M` must be a positive integer or inf; got 0"),
        ({"a": 1.5, "b": 1.5, "M": 2.5}, r"`M` must be a positive integer or inf; got 2.5"),
        ({"a": 1.5, "b": 1.5, "M": 10, "sigma": -0.1}, r"`sigma` must be a number >= 0; got -0.1"),
        ({"a": "x", "b": 1.5, "M": 10}, r"`a` must be a number > 1; got 'x'"),
    ],
)
def test_power_law_refuses_bad_input(kwargs, message):
    with pytest.raises(InvalidParameterError, match=message):
        Spectrum.power_law(**kwargs)


@pytest.mark.parametrize(
    "lam, w, message",
    [
        ([1.0, 0.0], [1.0, 1.0], r"`eigenvalues` must contain only positive numbers; entry 1 is 0.0"),
        ([1.0, -2.0], [1.0, 1.0], r"`eigenvalues` must contain only positive numbers; entry 1"),
        ([1.0, np.inf], [1.0, 1.0], r"`eigenvalues` must contain only finite numbers; entry 1 is inf"),
        ([1.0, 0.5], [1.0, np.nan], r"`target_weights` must contain only finite numbers; entry 1"),
        ([1.0, 0.5, 0.2], [1.0, 1.0], r"same length; got 3 and 2"),
        ([], [], r"`eigenvalues` must have at least 1 entry; got 0"),
        ([1.0, 0.5], [0.0, 0.0], r"must not be all zero"),
        ([[1.0, 0.5]], [[1.0, 1.0]], r"`eigenvalues` must be a 1-dimensional array"),
    ],
)
def test_from_arrays_refuses_bad_input(lam, w, message):
    with pytest.raises(InvalidParameterError, match=message):
        Spectrum.from_arrays(lam, w)


def test_save_and_load_round_trip(tmp_path):
    s = Spectrum.from_arrays([1.0, 0.3, 0.01], [0.5, -1.0, 2.0], sigma=0.25, label="mine")
    path = tmp_path / "s.npz"
    s.save(path)
    t = Spectrum.load(path)
    np.testing.assert_array_equal(t.eigenvalues, s.eigenvalues)
    np.testing.assert_array_equal(t.target_weights, s.target_weights)
    assert t.sigma == 0.25 and t.label == "mine"


def test_load_refuses_missing_arrays(tmp_path):
    path = tmp_path / "bad.npz"
    np.savez(path, X=np.ones(3))
    with pytest.raises(InvalidParameterError, match="lacks the array"):
        Spectrum.load(path)
    with pytest.raises(InvalidParameterError, match="cannot read spectrum file"):
        Spectrum.load(tmp_path / "missing.npz")


@pytest.mark.parametrize("kind", ["npy", "json"])
def test_load_refuses_a_file_that_is_not_an_npz_archive(tmp_path, kind):
    path = tmp_path / f"spectrum.{kind}"
    if kind == "npy":
        np.save(path, np.arange(3.0))  # np.load would return a bare array
    else:
        path.write_text('{"a": 1.5}')  # np.load would try to unpickle it
    with pytest.raises(InvalidParameterError, match="is not an .npz archive"):
        Spectrum.load(path)


def test_dict_round_trip():
    s = Spectrum.power_law(1.7, 1.3, math.inf, sigma=0.1)
    t = Spectrum.from_dict(s.to_dict())
    assert (t.a, t.b, t.M, t.sigma) == (1.7, 1.3, math.inf, 0.1)
