r"""The linearised network in closed form: one NTK per width gives every training run.

The first-order Taylor expansion around the initialisation :math:`\theta_0`, with the
initial function subtracted so that :math:`f = 0` at :math:`t = 0` (as the model's
:math:`w(0) = 0`), is :math:`f_{\rm lin}(x;\theta) = \nabla_\theta f(x;\theta_0)\cdot(\theta-\theta_0)`.
Full-batch gradient descent with step :math:`\eta` on :math:`\hat L/2 = |f - y|^2/(2P)` moves
the function exactly as kernel gradient descent with the network's NTK :math:`K`:

.. math::
    f_{\rm tr}(t) = \big(I - (I - \eta K_{\rm tr}/P)^t\big)\,y_{\rm tr}, \qquad
    f_{\rm te}(t) = \frac{K_{\rm te,tr}}{P}\, U\,\mathrm{diag}\Big(\frac{1-(1-\eta\mu)^t}{\mu}\Big)U^\top y_{\rm tr},

with :math:`K_{\rm tr}/P = U\mathrm{diag}(\mu)U^\top`. So one NTK per width gives the whole
training run, at any step, for every training-set size (a subset of the kernel's rows).

Losses follow ``docs/conventions.md``: test loss = mean squared error on held-out samples
(labels of real data are noise-free, :math:`\sigma = 0`), train loss = mean squared error on
the training samples; time counts steps.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._errors import InvalidParameterError
from .._progress import progress_bar
from .._validation import as_float_array, check_int, check_real, check_times
from .._version import __version__
from ..results import LossCurves
from ..scaling._summary import summary_repr
from ._data import Dataset
from ._kernels import KernelMatrix
from ._models import make_model, network_seed
from ._ntk import DEFAULT_MEMORY_LIMIT, empirical_ntk
from ._spectrum import MeasuredSpectrum, measure_spectrum
from ._time_map import decay, network_optimizer

__all__ = ["LinearizedRun", "linearized_learning_curves", "train_linearized"]


def linearized_learning_curves(
    kernel: KernelMatrix | Any,
    y: Any,
    train_indices: Any,
    test_indices: Any,
    steps: Any,
    eta: float,
    *,
    optimizer: str = "gd",
    params: dict[str, Any] | None = None,
) -> LossCurves:
    r"""Test and train loss of the linearised network trained from :math:`f = 0` by full-batch GD.

    Parameters
    ----------
    kernel : KernelMatrix or array_like, shape (n, n)
        The network's NTK on all samples (train and test).
    y : array_like, shape (n,)
        Targets of all samples.
    train_indices, test_indices : array_like of int
        Rows of the kernel used for training (P of them) and for the test loss.
    steps : array_like
        Step counts t at which to record (whole numbers >= 0).
    eta : float
        Step size :math:`\eta` (> 0). Modes with :math:`\eta\mu > 2` diverge: refused.
    optimizer : {"gd", "gf"}
        ``gd``: :math:`(1-\eta\mu)^t` (what the network does); ``gf``: gradient flow at time
        :math:`\eta t`, the small-step limit.
    params : dict, optional
        Extra parameters stored in the result (width, data set...).

    Returns
    -------
    LossCurves
        ``source="measurement"``, ``time_unit="steps"``.
    """
    K, y, tr, te = _check_kernel_rows(kernel, y, train_indices, test_indices)
    eta = check_real("eta", eta, low=0.0, low_open=True)
    opt = network_optimizer(optimizer, eta)
    t = check_times("steps", steps, integer=opt.discrete)
    P = tr.size
    mu, U = np.linalg.eigh(K[np.ix_(tr, tr)] / P)
    mu = np.clip(mu, 0.0, None)
    if opt.discrete and eta * mu[-1] >= 2.0:
        raise InvalidParameterError(
            f"`eta` = {eta:g} is beyond the stability limit 2/mu_max = {2.0 / mu[-1]:.4g} of this "
            f"kernel (mu_max = {mu[-1]:.4g}); gradient descent would diverge."
        )
    c = U.T @ y[tr]
    Kte = K[np.ix_(te, tr)] @ U / P
    dec = decay(mu, t, eta, opt)
    small = mu <= 1e-14 * max(mu[-1], 1e-300)
    safe_mu = np.where(small, 1.0, mu)
    gain = np.where(small, eta * t[:, None], (1.0 - dec) / safe_mu)
    f_test = (gain * c) @ Kte.T
    test_loss = np.mean((f_test - y[te]) ** 2, axis=1)
    train_loss = np.sum((dec * c) ** 2, axis=1) / P
    d: dict[str, Any] = {"P": int(P), "n_test": int(te.size), "eta": eta, "optimizer": opt.name,
                         "model": "linearised network"}
    d.update(params or {})
    return LossCurves(
        times=t,
        test_loss=test_loss,
        train_loss=train_loss,
        params=d,
        source="measurement",
        seed=None,
        backend="numpy",
        version=__version__,
        time_unit="steps" if opt.discrete else "time",
    )


def _check_kernel_rows(kernel: KernelMatrix | Any, y: Any, train_indices: Any,
                       test_indices: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(K, y, train rows, test rows), checked: K square, one target per row, rows in range."""
    K = kernel.matrix if isinstance(kernel, KernelMatrix) else as_float_array("kernel", kernel, ndim=2)
    y = as_float_array("y", y)
    n = K.shape[0]
    if K.shape != (n, n) or y.shape[0] != n:
        raise InvalidParameterError(
            f"`kernel` must be square with one row per target; got {K.shape} and {y.shape[0]} targets."
        )
    tr = np.asarray(train_indices, dtype=np.int64)
    te = np.asarray(test_indices, dtype=np.int64)
    if tr.size < 1 or te.size < 1 or tr.min() < 0 or te.min() < 0 or max(tr.max(), te.max()) >= n:
        raise InvalidParameterError(f"`train_indices` and `test_indices` must be rows 0..{n - 1}.")
    return K, y, tr, te


@dataclass(frozen=True, eq=False)
class LinearizedRun:
    """Loss curves of linearised networks at several widths and training-set sizes.

    Attributes
    ----------
    curves : dict of (width, P) to LossCurves
        Measured test/train loss against steps.
    widths, sample_counts : tuple of int
    steps : ndarray
    eta : float
        GD step (kernel units: the function moves by :math:`-\\eta K (f-y)/P`).
    spectrum : MeasuredSpectrum
        Spectrum and task power of the widest network's NTK on the training pool (the
        estimate of the infinite-width kernel).
    spectra : dict of width to MeasuredSpectrum
        The same for every width (for the convergence figure).
    n_pool, n_test : int
        Samples in the training pool and in the test set.
    diagnostics : dict
        Kernel wall times and memory per width.
    """

    __repr__ = summary_repr

    curves: dict[tuple[int, int], LossCurves]
    widths: tuple[int, ...]
    sample_counts: tuple[int, ...]
    steps: np.ndarray
    eta: float
    spectrum: MeasuredSpectrum
    spectra: dict[int, MeasuredSpectrum]
    n_pool: int
    n_test: int
    info: dict[str, Any] = field(default_factory=dict)
    diagnostics: dict[str, Any] = field(default_factory=dict)

    @property
    def widest(self) -> int:
        return max(self.widths)


def train_linearized(
    dataset: Dataset,
    *,
    model: str = "mlp",
    widths: Any = (16, 64, 256, 1024),
    sample_counts: Any = (100, 200, 400),
    n_test: int = 500,
    steps: Any = None,
    eta: float | None = None,
    step_scale: float = 0.25,
    depth: int | None = None,
    seed: int = 0,
    memory_limit: int = DEFAULT_MEMORY_LIMIT,
    progress: bool | None = None,
) -> LinearizedRun:
    r"""Linearised networks of several widths trained by GD on several training-set sizes.

    The data set is split into a training pool (the first ``n - n_test`` samples; training
    sets are its first P samples, so they are nested) and a test set (the last ``n_test``).
    For every width a fresh network (seed :func:`network_seed`) gives its NTK on all samples
    (:func:`empirical_ntk`); :func:`linearized_learning_curves` then gives every curve.

    Parameters
    ----------
    dataset : Dataset
    model : {"mlp", "cnn"}
    widths : sequence of int
        Network widths; the widest one's NTK on the pool is the infinite-width estimate.
    sample_counts : sequence of int
        Training-set sizes P (each at most the pool size).
    n_test : int
        Held-out samples for the test loss.
    steps : array_like, optional
        GD steps to record (default 30 log-spaced from 1 to 1e5, and 0).
    eta : float, optional
        GD step; default ``step_scale`` :math:`/\mu_1`, with :math:`\mu_1` the top eigenvalue of
        the widest kernel on the pool.
    step_scale : float
        :math:`\eta\mu_1` when ``eta`` is not given (default 0.25). For the linearised network
        the step only rescales time (stable up to 2); the default leaves room for the
        non-linear networks trained with the same step (:func:`train_networks`), whose
        kernel grows while they learn features: at :math:`\eta\mu_1 = 1` the mean-field ones
        on the digits show loss spikes (catapults), at 0.25 none.
    depth : int, optional
        Hidden layers (MLP, default 1) or convolutions (CNN, default 2).
    seed : int
        Seed of the networks' initialisations.
    memory_limit : int
        Jacobian memory budget of :func:`empirical_ntk`.
    progress : bool or None
        Progress bar over widths on stderr.
    """
    if not isinstance(dataset, Dataset):
        raise InvalidParameterError(f"`dataset` must be a Dataset; got {type(dataset).__name__}.")
    widths_t = tuple(sorted({check_int("widths", w, low=1) for w in np.atleast_1d(widths)}))
    n_test = check_int("n_test", n_test, low=1, high=dataset.n_samples - 2)
    n_pool = dataset.n_samples - n_test
    counts = tuple(sorted({check_int("sample_counts", p, low=1, high=n_pool)
                           for p in np.atleast_1d(sample_counts)}))
    if steps is None:
        steps = np.concatenate([[0.0], np.unique(np.round(np.geomspace(1, 1e5, 30)))])
    steps_arr = check_times("steps", steps, integer=True)
    seed = check_int("seed", seed, low=0)
    pool = np.arange(n_pool)
    test = np.arange(n_pool, dataset.n_samples)
    kernels, spectra, diag = _kernels_per_width(dataset, model, widths_t, n_pool, depth=depth,
                                                seed=seed, memory_limit=memory_limit,
                                                progress=progress)
    spectrum = spectra[max(widths_t)]
    if eta is None:
        step_scale = check_real("step_scale", step_scale, low=0.0, high=2.0, low_open=True,
                                high_open=True)
        eta = step_scale / float(spectrum.eigenvalues[0])
    eta = check_real("eta", eta, low=0.0, low_open=True)
    curves: dict[tuple[int, int], LossCurves] = {}
    for w in widths_t:
        for P in counts:
            curves[(w, P)] = linearized_learning_curves(
                kernels[w], dataset.y, pool[:P], test, steps_arr, eta,
                params={"width": w, "dataset": dataset.name, "network": model},
            )
    return LinearizedRun(
        curves=curves,
        widths=widths_t,
        sample_counts=counts,
        steps=steps_arr,
        eta=eta,
        spectrum=spectrum,
        spectra=spectra,
        n_pool=n_pool,
        n_test=n_test,
        info={"dataset": dataset.name, "model": model, "depth": depth, "seed": seed},
        diagnostics=diag,
    )


def _kernels_per_width(dataset: Dataset, model: str, widths: tuple[int, ...], n_pool: int, *,
                       depth: int | None, seed: int, memory_limit: int, progress: bool | None,
                       ) -> tuple[dict[int, np.ndarray], dict[int, MeasuredSpectrum], dict]:
    """The NTK of a fresh network of every width on all samples, its spectrum on the pool.

    Widest first. Returns (kernels, spectra, diagnostics) keyed by width.
    """
    pool = np.arange(n_pool)
    kernels: dict[int, np.ndarray] = {}
    spectra: dict[int, MeasuredSpectrum] = {}
    diag: dict[str, Any] = {}
    with progress_bar(len(widths), "NTK per width", progress, unit="width") as bar:
        for w in sorted(widths, reverse=True):
            net = make_model(model, dataset, w, depth=depth, seed=network_seed(seed, w))
            K = empirical_ntk(net, dataset.X, memory_limit=memory_limit)
            kernels[w] = K.matrix
            spectra[w] = measure_spectrum(
                K.matrix[np.ix_(pool, pool)], dataset.y[pool],
                label=f"{model} width {w}, {dataset.name}, P={n_pool}",
                info={"model": model, "width": w, "n_params": K.n_params, "dataset": dataset.name},
            )
            diag[f"width_{w}"] = {"n_params": K.n_params, **K.diagnostics}
            bar.update(1)
    return kernels, spectra, diag
