r"""Kernels of networks on data: the kernel record, feature kernels, analytic references.

* :func:`~._ntk.empirical_ntk` (in :mod:`._ntk`): the empirical NTK of any PyTorch module.
* :func:`feature_kernel`: :math:`K = \Phi\Phi^\top` (optionally :math:`/N`) of a fixed feature map.
* :func:`two_layer_relu_ntk`: the same NTK as :func:`empirical_ntk` for a one-hidden-layer
  ReLU network, from its closed-form gradient, in NumPy (a torch-free cross-check).
* :func:`arccos_ntk`: the infinite-width NTK of the ReLU MLP of :func:`make_mlp`
  (arc-cosine kernels, Cho & Saul 2009; Jacot, Gabriel & Hongler 2018).
"""

from __future__ import annotations

import math
import sys
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._errors import InvalidParameterError
from .._validation import as_float_array, check_int, check_real
from ..scaling._summary import summary_repr

__all__ = [
    "KernelMatrix",
    "feature_kernel",
    "two_layer_relu_ntk",
    "arccos_ntk",
]


@dataclass(frozen=True, eq=False)
class KernelMatrix:
    """A kernel evaluated on a data set.

    Attributes
    ----------
    matrix : ndarray, shape (P, P)
        Symmetric positive semi-definite kernel matrix :math:`K_{ij} = K(x_i, x_j)`, float64.
    kind : str
        ``"ntk"`` (torch.func), ``"ntk-analytic"`` (NumPy two-layer), ``"arccos"``
        (infinite width) or ``"features"``.
    n_params : int or None
        Number of trainable parameters (NTK) or features (feature kernel).
    diagnostics : dict
        ``wall_time_s`` and, for :func:`empirical_ntk`, ``block_size``, ``n_blocks``,
        ``blocks_held``, ``jacobian_evaluations``, ``jacobian_bytes_held`` (the largest
        amount of Jacobian rows alive at once) and ``kernel_bytes``.
    """

    __repr__ = summary_repr

    matrix: np.ndarray
    kind: str
    n_params: int | None = None
    diagnostics: dict[str, Any] = field(default_factory=dict)

    @property
    def n_samples(self) -> int:
        return int(self.matrix.shape[0])


def _inputs(X: Any) -> np.ndarray:
    if hasattr(X, "detach"):
        X = X.detach().cpu().numpy()
    return as_float_array("X", X, ndim=2)


def feature_kernel(
    features: Any,
    X: Any = None,
    *,
    normalize: bool = False,
    block_size: int = 4096,
) -> KernelMatrix:
    r"""Plain kernel of a fixed feature map: :math:`K = \Phi\Phi^\top` (or :math:`\Phi\Phi^\top/N`).

    Parameters
    ----------
    features : array_like of shape (P, N), or callable
        The feature matrix :math:`\Phi`, or a map applied to row blocks of ``X`` returning
        (block, N) arrays (NumPy arrays or torch tensors; e.g. ``model.features`` of a network
        built by :func:`make_mlp`, run without gradients).
    X : array_like, shape (P, d), optional
        Inputs, needed when ``features`` is callable.
    normalize : bool
        Divide by the number of features N (the :math:`1/N` of a random-feature model).
    block_size : int
        Rows of ``X`` passed to ``features`` at a time.
    """
    started = time.perf_counter()
    block_size = check_int("block_size", block_size, low=1)
    if callable(features):
        if X is None:
            raise InvalidParameterError("`X` is required when `features` is a callable feature map.")
        X = _inputs(X)
        rows = []
        for s in range(0, X.shape[0], block_size):
            rows.append(_to_numpy(features, X[s:s + block_size]))
        phi = np.concatenate(rows, axis=0)
        phi = as_float_array("features(X)", phi, ndim=2)
    else:
        phi = as_float_array("features", features, ndim=2)
    K = phi @ phi.T
    if normalize:
        K /= phi.shape[1]
    return KernelMatrix(matrix=K, kind="features", n_params=int(phi.shape[1]),
                        diagnostics={"wall_time_s": time.perf_counter() - started})


def _to_numpy(fn: Any, x: np.ndarray) -> np.ndarray:
    """Apply a feature map: torch modules (or their methods) get a tensor, anything else NumPy."""
    torch = sys.modules.get("torch")
    owner = getattr(fn, "__self__", fn)
    if torch is not None and isinstance(owner, torch.nn.Module):
        dtype = next((p.dtype for p in owner.parameters()), torch.float64)
        with torch.no_grad():
            out = fn(torch.as_tensor(x, dtype=dtype))
    else:
        out = fn(x)
    if hasattr(out, "detach"):
        out = out.detach().cpu().numpy()
    return np.asarray(out, dtype=np.float64).reshape(x.shape[0], -1)


def two_layer_relu_ntk(
    X: Any,
    weights: Any = None,
    readout: Any = None,
    *,
    width: int | None = None,
    seed: int = 0,
) -> KernelMatrix:
    r"""NTK of :math:`f(x) = v\cdot\phi(Wx/\sqrt d)/\sqrt n` (ReLU, no biases) from its closed-form gradient.

    With :math:`H = XW^\top/\sqrt d` (P x n),

    .. math:: K = \frac1n\Big[\phi(H)\phi(H)^\top
              + \frac{XX^\top}{d}\odot\big(\phi'(H)\,\mathrm{diag}(v^2)\,\phi'(H)^\top\big)\Big],

    the first term from :math:`\partial f/\partial v`, the second from :math:`\partial f/\partial W`.
    This is the network of ``make_mlp(d, n, depth=1)`` (same formula, computed without torch).

    Parameters
    ----------
    X : array_like, shape (P, d)
    weights : array_like, shape (n, d), optional
        First-layer weights W; drawn iid standard normal (with ``width`` and ``seed``) when omitted.
    readout : array_like, shape (n,), optional
        Readout weights v (drawn with W when omitted).
    width : int, optional
        n, when the weights are drawn here.
    seed : int
        Seed of the drawn weights.
    """
    started = time.perf_counter()
    X = _inputs(X)
    d = X.shape[1]
    if weights is None:
        if width is None:
            raise InvalidParameterError("give either `weights` and `readout`, or `width` to draw them.")
        width = check_int("width", width, low=1)
        rng = np.random.default_rng(check_int("seed", seed, low=0))
        weights = rng.standard_normal((width, d))
        readout = rng.standard_normal(width)
    W = as_float_array("weights", weights, ndim=2)
    if readout is None:
        raise InvalidParameterError("`readout` is required when `weights` is given.")
    v = as_float_array("readout", readout)
    if W.shape[1] != d or v.shape[0] != W.shape[0]:
        raise InvalidParameterError(
            f"`weights` must have shape (n, {d}) and `readout` shape (n,); got {W.shape} and {v.shape}."
        )
    n = W.shape[0]
    H = X @ W.T / math.sqrt(d)
    act = np.maximum(H, 0.0)
    deriv = (H > 0).astype(np.float64) * v
    K = (act @ act.T + (X @ X.T / d) * (deriv @ deriv.T)) / n
    return KernelMatrix(matrix=K, kind="ntk-analytic", n_params=int(n * d + n),
                        diagnostics={"wall_time_s": time.perf_counter() - started})


def _relu_expectations(S: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r"""Arc-cosine kernels of order 1 and 0 for a covariance matrix S.

    :math:`E[\phi(u)\phi(u')] = \frac{\sqrt{qq'}}{2\pi}(\sin\theta + (\pi-\theta)\cos\theta)`,
    :math:`E[\phi'(u)\phi'(u')] = \frac{\pi-\theta}{2\pi}`, :math:`\cos\theta = S/\sqrt{qq'}`.
    """
    q = np.sqrt(np.clip(np.diag(S), 0.0, None))
    norm = np.outer(q, q)
    cos = np.divide(S, norm, out=np.zeros_like(S), where=norm > 0)
    cos = np.clip(cos, -1.0, 1.0)
    theta = np.arccos(cos)
    k1 = norm * (np.sqrt(1.0 - cos**2) + (math.pi - theta) * cos) / (2 * math.pi)
    k0 = (math.pi - theta) / (2 * math.pi)
    return k1, k0


def arccos_ntk(X: Any, *, depth: int = 1, bias_std: float = 0.0) -> KernelMatrix:
    r"""Infinite-width NTK of the ReLU MLP of :func:`make_mlp` (NTK parameterisation).

    Recursion over the ``depth`` = L hidden layers, with :math:`\beta` = ``bias_std``:

    .. math::
        \Sigma^1 = \Theta^1 = XX^\top/d + \beta^2, \qquad
        \Sigma^{l+1} = \kappa_1(\Sigma^l) + \beta^2, \qquad
        \Theta^{l+1} = \Sigma^{l+1} + \Theta^l \odot \kappa_0(\Sigma^l),

    and the readout (no bias) gives :math:`\Theta = \kappa_1(\Sigma^L) + \Theta^L\odot\kappa_0(\Sigma^L)`,
    where :math:`\kappa_1, \kappa_0` are the arc-cosine kernels of order 1 and 0
    (:math:`E[\phi\phi']` and :math:`E[\phi'\phi'']` for ReLU). For ``depth=1`` and no bias,
    :math:`\Theta(x,x') = \kappa_1 + (x\cdot x'/d)\,\kappa_0`, the limit of
    :func:`two_layer_relu_ntk` as the width grows (entries fluctuate as :math:`n^{-1/2}`).
    """
    started = time.perf_counter()
    X = _inputs(X)
    depth = check_int("depth", depth, low=1)
    beta2 = check_real("bias_std", bias_std, low=0.0) ** 2
    sigma = X @ X.T / X.shape[1] + beta2
    theta = sigma.copy()
    for layer in range(depth):
        k1, k0 = _relu_expectations(sigma)
        if layer < depth - 1:
            sigma = k1 + beta2
            theta = sigma + theta * k0
        else:
            theta = k1 + theta * k0
    theta = 0.5 * (theta + theta.T)
    return KernelMatrix(matrix=theta, kind="arccos", n_params=None,
                        diagnostics={"wall_time_s": time.perf_counter() - started, "depth": depth})
