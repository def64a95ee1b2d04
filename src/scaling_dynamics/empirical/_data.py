r"""Data sets that ship offline: scikit-learn's digits, synthetic power-law data, user ``.npz``.

Nothing here downloads. Every data set is a :class:`Dataset`: inputs ``X`` of shape
(n_samples, n_features) (images are stored flattened, with ``image_shape`` telling a
convolutional network how to fold them back) and scalar targets ``y`` of shape (n_samples,).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._errors import InvalidParameterError
from .._validation import check_int, check_real, open_npz
from ..scaling._summary import summary_repr
from ._deps import require_sklearn_datasets

__all__ = [
    "Dataset",
    "load_digits_binary",
    "synthetic_power_law",
    "load_npz",
    "load_dataset",
    "DATASET_NAMES",
]

#: Built-in data set names accepted by :func:`load_dataset` (anything else is a path to ``.npz``).
DATASET_NAMES = ("digits", "synthetic")


@dataclass(frozen=True, eq=False)
class Dataset:
    """Inputs and scalar targets of a regression or binary (+1/-1) task.

    Attributes
    ----------
    X : ndarray, shape (n_samples, n_features)
        Inputs, float64; images flattened in C order.
    y : ndarray, shape (n_samples,)
        Targets, float64.
    name : str
        Short name used in labels (``"digits"``, ``"synthetic"``, the file name).
    image_shape : tuple of int or None
        ``(channels, height, width)`` when the inputs are images, else ``None``.
    info : dict
        How the data were made (preprocessing, seed, exponents of synthetic data...).
    """

    __repr__ = summary_repr

    X: np.ndarray
    y: np.ndarray
    name: str
    image_shape: tuple[int, int, int] | None = None
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def n_samples(self) -> int:
        return int(self.X.shape[0])

    @property
    def n_features(self) -> int:
        return int(self.X.shape[1])

    def subset(self, indices: Any) -> Dataset:
        """The samples at ``indices`` (in that order)."""
        idx = np.asarray(indices, dtype=np.int64)
        return Dataset(self.X[idx], self.y[idx], self.name, self.image_shape, dict(self.info))

    def split(self, n_train: int, n_test: int | None = None) -> tuple[Dataset, Dataset]:
        """First ``n_train`` samples for training, the next ``n_test`` (default: all the rest) for testing.

        The loaders already shuffle with their seed, so the split is random and reproducible.
        """
        n_train = check_int("n_train", n_train, low=1, high=self.n_samples - 1)
        rest = self.n_samples - n_train
        n_test = rest if n_test is None else check_int("n_test", n_test, low=1, high=rest)
        return (
            self.subset(np.arange(n_train)),
            self.subset(np.arange(n_train, n_train + n_test)),
        )


def _pick(n_total: int, n_samples: int | None, seed: int) -> np.ndarray:
    """A random order of ``n_samples`` of the ``n_total`` samples (all of them when None)."""
    rng = np.random.default_rng(seed)
    order = rng.permutation(n_total)
    if n_samples is None:
        return order
    n = check_int("n_samples", n_samples, low=2, high=n_total)
    return order[:n]


def load_digits_binary(n_samples: int | None = None, *, seed: int = 0) -> Dataset:
    r"""scikit-learn's handwritten digits (ships with scikit-learn), task: 0-4 against 5-9.

    The 1797 images of 8 x 8 pixels (values 0..16) are preprocessed in three fixed steps:
    divide by 16, subtract the mean image of the whole set, and scale every image to
    Euclidean norm :math:`\sqrt{64}` (so :math:`|x|^2/d = 1`, the scale the NTK
    parameterisation expects). Targets: :math:`y = +1` for digits 0-4, :math:`-1` for 5-9.

    Parameters
    ----------
    n_samples : int, optional
        How many samples to keep (2..1797, default all), drawn in a random order.
    seed : int
        Seed of the random order (so that :meth:`Dataset.split` gives a random split).

    Raises
    ------
    MissingDependencyError
        When scikit-learn is not installed.

    Examples
    --------
    >>> data = load_digits_binary(100, seed=0)   # doctest: +SKIP
    >>> data.X.shape, data.image_shape            # doctest: +SKIP
    ((100, 64), (1, 8, 8))
    """
    datasets = require_sklearn_datasets("the digits data set")
    seed = check_int("seed", seed, low=0)
    raw = datasets.load_digits()
    X = np.asarray(raw.data, dtype=np.float64) / 16.0
    X = X - X.mean(axis=0)
    X *= math.sqrt(X.shape[1]) / np.linalg.norm(X, axis=1, keepdims=True)
    y = np.where(np.asarray(raw.target) <= 4, 1.0, -1.0)
    idx = _pick(X.shape[0], n_samples, seed)
    return Dataset(
        X=X[idx],
        y=y[idx],
        name="digits",
        image_shape=(1, 8, 8),
        info={
            "task": "digits 0-4 (+1) against 5-9 (-1)",
            "preprocessing": "pixels/16, minus the mean image, each image scaled to norm sqrt(64)",
            "seed": seed,
        },
    )


def synthetic_power_law(
    n_samples: int,
    *,
    a: float = 1.5,
    b: float = 1.25,
    M: int = 1000,
    sigma: float = 0.0,
    seed: int = 0,
) -> Dataset:
    r"""Gaussian data whose linear kernel has a power-law spectrum and task power (theory.md section 1).

    :math:`X = Z\,\mathrm{diag}(\lambda)^{1/2}` with :math:`Z_{ik}` iid standard normal,
    :math:`\lambda_k = k^{-b}`, and :math:`y = X w^* + \sigma\epsilon` with
    :math:`w^*_k = k^{-(a-b)/2}`, so that the linear kernel :math:`K = X X^\top` has
    :math:`\mathrm{eig}(K)/P \to \lambda_k` and task power :math:`\lambda_k (w^*_k)^2 = k^{-a}`.

    Parameters
    ----------
    n_samples : int
        Number of samples P (>= 2).
    a, b : float
        Task-power and eigenvalue exponents (a > 1, b > 1).
    M : int
        Input dimension = number of teacher modes (>= 1).
    sigma : float
        Label-noise standard deviation (>= 0).
    seed : int
        Seed of the draw.
    """
    n = check_int("n_samples", n_samples, low=2)
    a = check_real("a", a, low=1.0, low_open=True)
    b = check_real("b", b, low=1.0, low_open=True)
    M = check_int("M", M, low=1)
    sigma = check_real("sigma", sigma, low=0.0)
    seed = check_int("seed", seed, low=0)
    if n * M > 200_000_000:
        raise InvalidParameterError(
            f"`n_samples` x `M` must be at most 2e8 (1.6 GB of inputs); got {n} x {M}."
        )
    rng = np.random.default_rng(seed)
    k = np.arange(1, M + 1, dtype=np.float64)
    lam = k ** (-b)
    w_star = k ** (-(a - b) / 2.0)
    X = rng.standard_normal((n, M)) * np.sqrt(lam)
    y = X @ w_star + sigma * rng.standard_normal(n)
    return Dataset(
        X=X,
        y=y,
        name="synthetic",
        image_shape=None,
        info={"a": a, "b": b, "M": M, "sigma": sigma, "seed": seed,
              "task": "y = X w*, X ~ N(0, diag(k^-b)), w*_k = k^-(a-b)/2"},
    )


def load_npz(path: str | os.PathLike[str], n_samples: int | None = None, *, seed: int = 0) -> Dataset:
    """User data from an ``.npz`` file with arrays ``X`` (inputs) and ``y`` (scalar targets).

    ``X`` may be (P, D) vectors, (P, H, W) single-channel images or (P, C, H, W) images;
    images are flattened and their shape kept in ``image_shape`` (so ``model="cnn"``
    works). ``y`` must have P finite entries (shape (P,) or (P, 1)).

    Parameters
    ----------
    path : str
        The ``.npz`` file.
    n_samples : int, optional
        Keep this many samples, in a random order (default all, shuffled).
    seed : int
        Seed of the random order.
    """
    path = os.fspath(path)
    seed = check_int("seed", seed, low=0)
    with open_npz(path, "data file", "write one with numpy.savez(path, X=..., y=...).") as f:
        missing = {"X", "y"} - set(f.files)
        if missing:
            raise InvalidParameterError(
                f"data file {path!r} lacks the array(s) {sorted(missing)}; it needs "
                "`X` (inputs, one row per sample) and `y` (one target per sample)."
            )
        X = np.asarray(f["X"])
        y = np.asarray(f["y"])
    if not (np.issubdtype(X.dtype, np.number) and np.issubdtype(y.dtype, np.number)):
        raise InvalidParameterError(
            f"`X` and `y` in {path!r} must be numeric arrays; got {X.dtype} and {y.dtype}."
        )
    if X.ndim not in (2, 3, 4):
        raise InvalidParameterError(
            f"`X` in {path!r} must have shape (P, D), (P, H, W) or (P, C, H, W); got {X.shape}."
        )
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1 or y.shape[0] != X.shape[0]:
        raise InvalidParameterError(
            f"`y` in {path!r} must have one scalar per sample, shape ({X.shape[0]},); got {y.shape}."
        )
    if X.shape[0] < 2:
        raise InvalidParameterError(f"{path!r} must hold at least 2 samples; got {X.shape[0]}.")
    image_shape = None
    if X.ndim == 3:
        image_shape = (1, int(X.shape[1]), int(X.shape[2]))
    elif X.ndim == 4:
        image_shape = (int(X.shape[1]), int(X.shape[2]), int(X.shape[3]))
    X = X.reshape(X.shape[0], -1).astype(np.float64)
    y = y.astype(np.float64)
    for name, arr in (("X", X), ("y", y)):
        if not np.all(np.isfinite(arr)):
            raise InvalidParameterError(f"`{name}` in {path!r} must contain only finite numbers.")
    idx = _pick(X.shape[0], n_samples, seed)
    return Dataset(
        X=X[idx],
        y=y[idx],
        name=os.path.basename(path),
        image_shape=image_shape,
        info={"path": path, "seed": seed, "preprocessing": "none"},
    )


def load_dataset(name: str, n_samples: int | None = None, *, seed: int = 0, **kwargs: Any) -> Dataset:
    """``"digits"``, ``"synthetic"`` (keywords ``a``, ``b``, ``M``, ``sigma``) or a path to an ``.npz``.

    ``n_samples`` defaults to all samples (digits, ``.npz``) or 1000 (synthetic).
    """
    if not isinstance(name, str) or not name:
        raise InvalidParameterError(
            f"`dataset` must be 'digits', 'synthetic' or a path to an .npz file; got {name!r}."
        )
    if name == "digits":
        return load_digits_binary(n_samples, seed=seed)
    if name == "synthetic":
        return synthetic_power_law(1000 if n_samples is None else n_samples, seed=seed, **kwargs)
    if not name.endswith(".npz"):
        raise InvalidParameterError(
            f"`dataset` must be 'digits', 'synthetic' or a path to an .npz file; got {name!r}."
        )
    if not os.path.exists(name):
        raise InvalidParameterError(f"`dataset` file {name!r} does not exist.")
    return load_npz(name, n_samples, seed=seed)
