r"""Sampled densities of timescales: the simulation side of :func:`theory.timescale_density`.

The mean error of mode k decays as :math:`\langle v_k(t)\rangle = H_k(t)\,w^*_k` with

.. math:: H_k(t) = \mathbb E\big[(e^{-FGt})_{kk}\big] = a_k + \int \rho_k(u)\,e^{-ut}\,du,
          \qquad F = A^\top A/N,\ G = \Psi^\top\Psi/P

(off-diagonal entries average to zero by the sign symmetry of A and :math:`\Psi`). For one
draw, with the kernel :math:`K = A G A^\top/N = \sum_j \mu_j u_j u_j^\top`
(:math:`N\times N`),

.. math:: (e^{-FGt})_{kk} = 1 - \sum_j \frac{1 - e^{-\mu_j t}}{\mu_j}\,
          \frac{(A^\top u_j)_k\,(G A^\top u_j)_k}{N},

so the draw puts weight :math:`c_{jk} = (A^\top u_j)_k (G A^\top u_j)_k / (N\mu_j)` at the rate
:math:`u = \mu_j` and :math:`1 - \sum_j c_{jk}` at :math:`u = 0` (the part of mode k that is
never learned). With :math:`N = \infty` (F = I) the :math:`P\times P` Gram matrix
:math:`\Psi\Psi^\top/P = \sum_j \mu_j v_j v_j^\top` gives :math:`c_{jk} = (\Psi^\top v_j)_k^2/(P\mu_j)`.
Averaging histograms of these weights over independent draws estimates
:math:`\rho_k` (and the atom :math:`a_k`) with a standard error, independently of the
theory's equations. Eigenvalues below ``1e-9`` of the largest belong to the null space of
K; their weight vanishes exactly (numerator and denominator are both zero) and is dropped.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..spectra import Spectrum
from ._agreement import seed_statistics

__all__ = ["SampledTimescales", "sample_timescales"]


@dataclass(frozen=True, eq=False)
class SampledTimescales:
    """Histogram of the timescale weights of one mode over independent draws.

    Attributes
    ----------
    edges : ndarray, shape (n_bins + 1,)
        Bin edges in u (rates).
    mass, mass_sem : ndarray, shape (n_bins,)
        Mean weight per bin over draws, and its standard error.
    atom, atom_sem : float
        Mean weight at u = 0 (never learned) and its standard error.
    n_draws : int
    """

    edges: np.ndarray
    mass: np.ndarray
    mass_sem: np.ndarray
    atom: float
    atom_sem: float
    n_draws: int


def _weights(spec: Spectrum, N: float, P: float, k: int,
             rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    lam = np.asarray(spec.eigenvalues, float)
    M = lam.size
    X = None
    if math.isfinite(P):
        X = rng.standard_normal((int(P), M)) * np.sqrt(lam)
    if not math.isfinite(N):
        mu, V = np.linalg.eigh(X @ X.T / P)
        keep = mu > 1e-9 * mu.max()
        proj = X[:, k - 1] @ V[:, keep]
        return mu[keep], proj**2 / (P * mu[keep])
    A = rng.standard_normal((int(N), M))
    if X is None:
        GA = A.T * lam[:, None]  # G A^T with G = Lambda (P = inf)
    else:
        GA = X.T @ (X @ A.T) / P
    mu, U = np.linalg.eigh(A @ GA / N)
    keep = mu > 1e-9 * mu.max()
    U = U[:, keep]
    left = A[:, k - 1] @ U  # (A^T u_j)_k
    right = GA[k - 1] @ U  # (G A^T u_j)_k
    return mu[keep], left * right / (N * mu[keep])


def sample_timescales(spectrum: Spectrum, N: float, P: float, mode: int, edges: np.ndarray,
                      n_draws: int, seed: int) -> SampledTimescales:
    """Average the timescale weights of ``mode`` (1-based) over ``n_draws`` random draws."""
    edges = np.asarray(edges, float)
    masses = np.empty((n_draws, edges.size - 1))
    atoms = np.empty(n_draws)
    for i, child in enumerate(np.random.SeedSequence(seed).spawn(n_draws)):
        mu, c = _weights(spectrum, N, P, mode, np.random.default_rng(child))
        masses[i], _ = np.histogram(mu, edges, weights=c)
        atoms[i] = 1.0 - c.sum()
    mass, sem = seed_statistics(masses)
    atom, atom_sem = seed_statistics(atoms)
    return SampledTimescales(edges, mass, sem, float(atom), float(atom_sem), n_draws)
