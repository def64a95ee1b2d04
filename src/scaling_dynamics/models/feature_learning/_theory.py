r"""The feature-learning theory, gradient flow: N = infinity (M finite or infinite) here,
finite N (P = infinity) on the contour nodes of :mod:`._finite_width`.

At N = infinity, :math:`A_0^\top A_0/N = I`: the reduced equations of :mod:`._reduction`
run on the teacher's modes, :math:`\mu_k = \lambda_k`, :math:`W_k = \lambda_k w_k^{*2}`,
and there is no width floor. Nothing is random, so this is the theory; its cost is set
by the number of nodes, which are compressed:

* modes :math:`k \le K_0` exactly (``exact_modes``, default 200);
* beyond, bins log-spaced in k (``per_decade`` per decade, default 16) up to M, or for an
  infinite power law up to ``k_cut`` (default 1e24) plus one tail bin to infinity. A bin
  is one node with the bin's total weight :math:`\sum W` and its W-weighted mean
  :math:`\bar\mu = \sum W\mu/\sum W` (integrated exactly for a power law), so sums that
  are linear in :math:`\mu` (every slow mode, where :math:`\psi \approx \mu Y(t)`) are exact.

Time: exponential integrator, uniform steps to ``10 first_step`` then :math:`h = \rho t`
(``rel_step`` :math:`\rho`, default 0.02), landing on every requested time.
Checked (tests/test_feature_learning_theory.py, docs/feature-learning.md): halving the
step, refining the nodes and raising the cut-off each move L by < 1e-4 relative.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ...optimizers import Optimizer
from ...spectra import Spectrum
from ._finite_width import finite_width_nodes
from ._reduction import Nodes, flow_losses

__all__ = ["Resolution", "theory_nodes", "FeatureLearningTheory"]


@dataclass(frozen=True)
class Resolution:
    """Numerical resolution of the N = infinity theory (defaults reach 1e-4 relative)."""

    exact_modes: int = 200
    per_decade: int = 16
    k_cut: float = 1e24
    rel_step: float = 0.02
    first_step: float = 1e-3


def _power_integral(p: float, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    r""":math:`\int_{lo}^{hi} x^{-p}\,dx` (``hi`` may be inf when p > 1)."""
    if abs(p - 1.0) < 1e-12:
        return np.log(hi / lo)
    return (np.power(lo, 1.0 - p) - np.power(hi, 1.0 - p)) / (p - 1.0)


def _log_edges(k0: int, k_end: float, per_decade: int) -> np.ndarray:
    """Bin edges from k0 + 1/2 to k_end, ``per_decade`` per decade."""
    lo = k0 + 0.5
    n = max(1, math.ceil(per_decade * math.log10(k_end / lo)))
    return lo * np.power(k_end / lo, np.arange(n + 1) / n)


def _gauss2(moments: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    r"""Two-point Gauss rule of each bin from its moments :math:`m_j = \sum W\mu^j`, j = 0..3.

    Nodes and weights reproduce all four moments, so every bin sum of a cubic in
    :math:`\mu` is exact. Computed in :math:`y = \mu/\bar\mu` (no cancellation beyond
    the bin's relative variance); a bin of one distinct :math:`\mu` gets one node.
    """
    m0, m1, m2, m3 = moments
    mean = m1 / m0
    c2 = m2 / (m0 * mean**2) - 1.0  # relative variance
    c3 = m3 / (m0 * mean**3) - 3.0 * c2 - 1.0  # third central moment / mean^3
    single = c2 <= 1e-14
    c2s = np.where(single, 1.0, c2)
    skew = c3 / c2s  # y1 + y2 - 2 for the centred nodes y - 1
    disc = np.sqrt(skew**2 + 4.0 * c2s)
    d1, d2 = 0.5 * (skew - disc), 0.5 * (skew + disc)  # centred nodes, d1 < 0 < d2
    w2 = -d1 / (d2 - d1)
    y1 = np.where(single, 1.0, 1.0 + d1)
    y2 = np.where(single, 1.0, 1.0 + d2)
    p2 = np.where(single, 0.0, w2)
    mu = np.concatenate([mean * y1, mean * y2])
    W = np.concatenate([m0 * (1.0 - p2), m0 * p2])
    return mu, W


def _power_law_nodes(a: float, b: float, res: Resolution, M: float) -> Nodes:
    r"""Nodes of :math:`\lambda_k = k^{-b}`, :math:`W_k = k^{-a}`, k = 1..M (M = inf here)."""
    k = np.arange(1, res.exact_modes + 1, dtype=np.float64)
    k = k[k <= M]
    mu, W = [k**-b], [k**-a]
    if M > res.exact_modes:
        end = M + 0.5 if math.isfinite(M) else res.k_cut
        edges = _log_edges(res.exact_modes, end, res.per_decade)
        if not math.isfinite(M):
            edges = np.append(edges, math.inf)
        lo, hi = edges[:-1], edges[1:]
        bin_mu, bin_W = _gauss2([_power_integral(a + j * b, lo, hi) for j in range(4)])
        mu.append(bin_mu)
        W.append(bin_W)
    return Nodes(np.concatenate(mu), np.concatenate(W))


def _array_nodes(lam: np.ndarray, W: np.ndarray, res: Resolution, t_max: float) -> Nodes:
    r"""Nodes of explicit modes: the largest ``exact_modes`` exactly, the rest binned by rank,
    except, when :math:`\mu_{min}t_{max} \ge 1/2`, the bottom modes
    :math:`\mu \le \mu_{min} + 20/t_{max}` (kept exactly: once every
    mode has decayed, L is the sum of the slowest exponentials and a bin cannot stand in
    for them)."""
    order = np.argsort(-lam, kind="stable")
    lam, W = lam[order], W[order]
    k0 = min(res.exact_modes, lam.size)
    k1 = lam.size
    if lam[-1] * t_max >= 0.5:  # the slowest mode decays within the run
        k1 = max(k0, int(np.searchsorted(-lam, -(lam[-1] + 20.0 / t_max), side="left")))
    if k1 - k0 < 2:
        return Nodes(lam, W)
    edges = _log_edges(k0, k1 + 0.5, res.per_decade)
    rank = np.arange(k0 + 1, k1 + 1, dtype=np.float64)
    bins = np.searchsorted(edges, rank, side="right") - 1
    Wt, lt = W[k0:k1], lam[k0:k1]
    moments = [np.bincount(bins, weights=Wt * lt**j) for j in range(4)]
    used = moments[0] > 0
    bin_mu, bin_W = _gauss2([m[used] for m in moments])
    return Nodes(np.concatenate([lam[:k0], bin_mu, lam[k1:]]),
                 np.concatenate([W[:k0], bin_W, W[k1:]]))


def theory_nodes(spectrum: Spectrum, res: Resolution, t_max: float = 0.0) -> Nodes:
    """The compressed N = infinity nodes of ``spectrum`` up to time ``t_max``: an infinite
    power law integrated exactly in its bins, finite M binned from its arrays."""
    if not spectrum.is_finite:
        return _power_law_nodes(float(spectrum.a), float(spectrum.b), res, math.inf)
    lam = np.asarray(spectrum.eigenvalues, dtype=np.float64)
    return _array_nodes(lam, lam * np.asarray(spectrum.target_weights) ** 2, res, t_max)


class FeatureLearningTheory:
    """Theory routes of the feature-learning model (gradient flow only): N = infinity on the
    compressed teacher modes, finite N on the deterministic-equivalent contour nodes
    (:mod:`._finite_width`)."""

    def __init__(self, spectrum: Spectrum, gamma: float, times: np.ndarray,
                 resolution: Resolution, N: float = math.inf) -> None:
        self.spectrum, self.gamma, self.times, self.resolution = spectrum, gamma, times, resolution
        self.N = N

    def gradient_flow(self, optimizer: Optimizer) -> tuple[np.ndarray, dict[str, Any]]:
        """Test losses and the gain m(t) at the requested times."""
        res = self.resolution
        t_max = float(self.times.max()) if self.times.size else 0.0
        if math.isinf(self.N):
            nodes = theory_nodes(self.spectrum, res, t_max)
        else:
            nodes = finite_width_nodes(self.spectrum, self.N)
        loss, gain = flow_losses(nodes, self.gamma, self.times, rel_step=res.rel_step,
                                 first_step=res.first_step, with_gains=True)
        return loss, {"gain": gain, "nodes": int(nodes.mu.size)}
