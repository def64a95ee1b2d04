r"""The feature-learning theory at finite width N (P = infinity): complex contour nodes.

The reduced dynamics (:mod:`._reduction`) see one draw of :math:`A_0` only through the
weighted spectral measure :math:`\nu = \sum_i W_i\delta_{\mu_i}` of
:math:`K = \Lambda^{1/2}A_0^\top A_0\Lambda^{1/2}/N` (weights :math:`W_i = z_i^2`, the target's
components on the eigenvectors). The theory replaces :math:`\nu` by its deterministic
equivalent, whose Stieltjes transform is the random-feature theory's resolvent at P = inf:

.. math::  \sum_i \frac{W_i}{\zeta + \mu_i} \;\to\; \sum_k \lambda_k w_k^{*2} H_k(\zeta), \qquad
           H_k(\zeta) = \frac{1}{\zeta + \lambda_k R_3(\zeta)}, \quad
           R_3 = \Big(1 + \frac1N\sum_k \lambda_k H_k\Big)^{-1}

(:func:`~scaling_dynamics.theory.solve_responses`). For N < M, :math:`\nu` has an atom at
:math:`\mu = 0` (the width floor :math:`L_{floor}`); the rest lies in a band
:math:`[u_-, u_+]` with :math:`u_- > 0`.

Every sum the dynamics need is :math:`\int G(\mu)\,\nu(d\mu)` with :math:`G` analytic off
:math:`\mu = 0` (:math:`\phi`, :math:`\psi` are entire in :math:`\mu`; :math:`q` has
:math:`\psi^2/\mu`). By Cauchy's formula, on a contour :math:`\Gamma` around the band
that leaves out 0,

.. math::  \int G\,d\nu = \frac{1}{2\pi i}\oint_\Gamma G(z)\,S(z)\,dz, \qquad
           S(z) = \sum_i \frac{W_i}{z - \mu_i} = -\sum_k \lambda_k w_k^{*2} H_k(-z).

:math:`\Gamma` is an ellipse in :math:`\omega = \log z` with foci at :math:`\log u_-` and
:math:`\log u_+` and semi-minor axis :math:`\pi/4` (so :math:`\operatorname{Re} z > 0` and
:math:`|e^{-zt}| \le 1` on it), sampled by the trapezoidal rule at n points; it converges
geometrically, :math:`\sim e^{-n\tau_0}` with :math:`\tau_0 \approx (\pi/4)/` half the
band's log-length, and n is chosen for :math:`n\tau_0 \ge 40`. The result is a set of
complex nodes :math:`z_j` and weights :math:`c_j` (upper half, conjugates folded in:
every sum is :math:`\operatorname{Re}\sum_j c_j G(z_j)`), on which the same reduced
equations run. The floor is the rest of the mass, :math:`\sum_k\lambda_k w_k^{*2} - \operatorname{Re}\sum_j c_j`.

Checks on every call: the contour mass equals :math:`\sum_k \lambda_k w_k^{*2}/(1+\lambda_k\kappa)`
subtracted from the total (the atom, from :func:`~scaling_dynamics.theory.limit_loss`),
to 1e-8 relative; otherwise the band guess is widened, and then the call is refused.
Tests: at :math:`\gamma = 0` the nodes give the random-feature theory's loss (Talbot
inversion) to 1e-9; at :math:`\gamma > 0`, the seed mean of the exact simulation
(``benchmarks/results/feature_learning_finite_n.md``).
"""

from __future__ import annotations

import math

import numpy as np

from ..._blas import one_blas_thread
from ..._errors import ConvergenceError, InvalidParameterError
from ...spectra import Spectrum
from ...theory import limit_loss, mode_set, solve_responses, spectral_edge
from ._reduction import Nodes

__all__ = ["ContourNodes", "finite_width_nodes"]

#: semi-minor axis of the contour in log z: halfway between the band and Re z = 0
_ANGLE = math.pi / 4
#: n tau_0 reached by the node count (the trapezoidal error is about e^-40)
_DECAY = 40.0
_MASS_RTOL = 1e-8


class ContourNodes(Nodes):
    r"""Complex nodes :math:`z_j` and weights :math:`c_j` (upper half of a conjugate-symmetric
    contour, weights doubled): every sum of the reduction is :math:`\operatorname{Re}\sum_j c_jG(z_j)`."""

    def __init__(self, z: np.ndarray, c: np.ndarray, floor: float) -> None:
        self.mu = np.ascontiguousarray(z, dtype=np.complex128)
        self.W = np.ascontiguousarray(c, dtype=np.complex128)
        self.W_over_mu = self.W / self.mu
        self.floor = float(floor)

    def gains(self, phi: np.ndarray, psi: np.ndarray, gamma: float) -> tuple[float, float]:
        if gamma == 0.0:
            return 1.0, 0.0
        D = float(np.dot(self.W * psi, phi).real)
        q = max(float(np.dot(self.W_over_mu * psi, psi).real), 0.0)
        s = 2.0 * q / (1.0 + math.sqrt(1.0 + 4.0 * gamma * q))
        m = 1.0 + gamma * s
        return m, gamma * D / m

    def loss(self, phi: np.ndarray) -> float:
        return self.floor + float(np.dot(self.W * phi, phi).real)


def _band_guess(spectrum: Spectrum, N: float, kappa: float) -> tuple[float, float]:
    """A bracket of the band [u-, u+] of nonzero eigenvalues (checked by the mass afterwards)."""
    hi = 1.05 * spectral_edge(spectrum, N, math.inf).mu_max
    if math.isfinite(kappa) and kappa > 0:  # N < M: the band starts near 1/kappa
        return 1e-2 / kappa, hi
    lam_min = float(np.min(spectrum.eigenvalues))  # N > M: finite M, full rank
    return 0.01 * lam_min * (1.0 - math.sqrt(spectrum.M / N)) ** 2, hi


def _contour(spectrum: Spectrum, N: float, lo: float, hi: float):
    """Nodes, weights and total mass of the trapezoidal rule on the log-ellipse around [lo, hi]."""
    l0, l1 = math.log(lo), math.log(hi)
    half = 0.5 * (l1 - l0)
    tau0 = math.asinh(_ANGLE / half)
    n = 2 * math.ceil(0.5 * max(64.0, _DECAY / tau0))
    A = math.sqrt(half**2 + _ANGLE**2)
    th = (np.arange(n // 2) + 0.5) * (2.0 * math.pi / n)  # the upper half, none on the axis
    w = 0.5 * (l0 + l1) + A * np.cos(th) + 1j * _ANGLE * np.sin(th)
    dw = -A * np.sin(th) + 1j * _ANGLE * np.cos(th)
    z = np.exp(w)
    zeta = -z
    R3 = solve_responses(spectrum, N, math.inf, zeta).R3
    ms = mode_set(spectrum, min_scale=0.5 * float(np.min(np.abs(zeta / R3))))
    lam = ms.eigenvalues
    # S(z) = -sum_k lambda_k w*_k^2 H_k(-z); ModeSet.sum(task=True) sums (w*_k)^2 f(lambda_k)
    S = -ms.sum(lam[None, :] / (zeta[:, None] + lam[None, :] * R3[:, None]), task=True)
    c = 2.0 * S * z * dw / (1j * n)
    return z, c, ms.initial_loss


@one_blas_thread  # small products: threads only wait on a busy machine (_blas)
def finite_width_nodes(spectrum: Spectrum, N: float) -> ContourNodes:
    r"""The deterministic-equivalent nodes of width ``N`` (P = inf), see the module notes.

    Raises :class:`InvalidParameterError` when N = M (the band reaches 0) and
    :class:`ConvergenceError` when the contour's mass check fails.
    """
    if spectrum.is_finite and N == spectrum.M:
        raise InvalidParameterError(
            f"`N` = {N:g} equals M: the feature-learning theory at finite N needs N != M "
            "(at N = M the spectrum of A0^T A0/N reaches 0); use N < M or N > M.")
    kappa = limit_loss(spectrum, N, math.inf).kappa
    lo, hi = _band_guess(spectrum, N, kappa)
    for _ in range(3):
        z, c, total = _contour(spectrum, N, lo, hi)
        mass = float(np.sum(c).real)
        atom = 0.0
        if math.isfinite(kappa):  # N < M: sum_k lambda_k w*_k^2 / (1 + lambda_k kappa)
            ms = mode_set(spectrum)
            lam = ms.eigenvalues
            atom = float(ms.sum(lam / (1.0 + lam * kappa), task=True))
        if abs(mass - (total - atom)) <= _MASS_RTOL * total:
            return ContourNodes(z, c, total - mass)
        lo *= 1e-2
    raise ConvergenceError(
        f"the finite-N feature-learning theory could not enclose the spectrum at N = {N:g}, "
        f"M = {spectrum.M}: contour mass {mass:.6g} vs {total - atom:.6g}; use N = inf.")
