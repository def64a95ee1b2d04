"""Data that ships offline: digits, synthetic power-law data, user .npz files."""

import numpy as np
import pytest

from scaling_dynamics import InvalidParameterError
from scaling_dynamics.empirical import load_dataset, load_npz, synthetic_power_law


def test_digits_binary_task_and_preprocessing():
    pytest.importorskip("sklearn")
    from sklearn.datasets import load_digits

    from scaling_dynamics.empirical import load_digits_binary

    data = load_digits_binary()
    raw = load_digits()
    assert data.X.shape == (1797, 64) and data.image_shape == (1, 8, 8)
    assert set(np.unique(data.y)) == {-1.0, 1.0}
    assert int(np.sum(data.y == 1)) == int(np.sum(raw.target <= 4))
    np.testing.assert_allclose(np.linalg.norm(data.X, axis=1), 8.0)
    sub = load_digits_binary(100, seed=7)
    again = load_digits_binary(100, seed=7)
    other = load_digits_binary(100, seed=8)
    assert sub.n_samples == 100
    np.testing.assert_array_equal(sub.X, again.X)
    assert not np.array_equal(sub.X, other.X)
    train, test = sub.split(60)
    assert (train.n_samples, test.n_samples) == (60, 40)
    np.testing.assert_array_equal(train.X, sub.X[:60])
    with pytest.raises(InvalidParameterError, match="`n_samples` must be an integer >= 2"):
        load_digits_binary(1)


def test_synthetic_data_has_the_stated_covariance():
    data = synthetic_power_law(20000, a=1.6, b=1.2, M=5, seed=1)
    lam = np.arange(1, 6) ** -1.2
    np.testing.assert_allclose(data.X.var(axis=0), lam, rtol=0.05)
    np.testing.assert_allclose(data.y, data.X @ np.arange(1, 6) ** (-(1.6 - 1.2) / 2))
    assert data.image_shape is None and data.info["a"] == 1.6
    with pytest.raises(InvalidParameterError, match="`a` must be"):
        synthetic_power_law(10, a=0.9)


@pytest.mark.parametrize(
    ("shape", "image_shape"),
    [((30, 12), None), ((30, 4, 3), (1, 4, 3)), ((30, 2, 3, 2), (2, 3, 2))],
)
def test_user_npz_data_in_every_layout(tmp_path, rng, shape, image_shape):
    X = rng.standard_normal(shape)
    y = rng.standard_normal((30, 1))
    path = tmp_path / "mine.npz"
    np.savez(path, X=X, y=y)
    data = load_npz(path)
    assert data.X.shape == (30, 12) and data.image_shape == image_shape
    assert data.name == "mine.npz"
    # shuffled, but every sample is there with its own target
    order = np.lexsort(data.X.T)
    ref = np.lexsort(X.reshape(30, -1).T)
    np.testing.assert_array_equal(data.X[order], X.reshape(30, -1)[ref])
    np.testing.assert_array_equal(data.y[order], y[ref, 0])
    assert load_dataset(str(path), 10).n_samples == 10


def test_bad_npz_files_are_refused(tmp_path):
    def write(**arrays):
        path = tmp_path / "bad.npz"
        np.savez(path, **arrays)
        return str(path)

    with pytest.raises(InvalidParameterError, match=r"lacks the array\(s\) \['y'\]"):
        load_npz(write(X=np.ones((3, 2))))
    with pytest.raises(InvalidParameterError, match="one scalar per sample"):
        load_npz(write(X=np.ones((3, 2)), y=np.ones(4)))
    with pytest.raises(InvalidParameterError, match="only finite numbers"):
        load_npz(write(X=np.full((3, 2), np.inf), y=np.ones(3)))
    with pytest.raises(InvalidParameterError, match="must have shape"):
        load_npz(write(X=np.ones(3), y=np.ones(3)))
    with pytest.raises(InvalidParameterError, match="does not exist"):
        load_dataset(str(tmp_path / "missing.npz"))
    with pytest.raises(InvalidParameterError, match="'digits', 'synthetic' or a path"):
        load_dataset("cifar10")
    (tmp_path / "junk.npz").write_text("not a zip")
    with pytest.raises(InvalidParameterError, match="cannot read data file"):
        load_npz(tmp_path / "junk.npz")
    np.save(tmp_path / "array.npy", np.ones(3))  # np.load would return a bare array
    (tmp_path / "array.npy").rename(tmp_path / "array.npz")
    with pytest.raises(InvalidParameterError, match="is not an .npz archive"):
        load_npz(tmp_path / "array.npz")
