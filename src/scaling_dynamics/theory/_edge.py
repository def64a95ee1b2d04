r"""The spectral edge :math:`\mu_{max}` of the training operator and the stability limits.

A discrete optimiser is stable when every eigenvalue :math:`\mu` of the operator it
iterates (:math:`FG` for full-batch GD and heavy ball, :math:`S = \Lambda^{1/2}F\Lambda^{1/2}`
for one-pass SGD) satisfies :math:`\eta\mu < \ell`, with the limit

.. math::  \ell_{GD} = 2, \qquad \ell_{HB} = 2(1+\beta), \qquad \ell_{SGD} = \frac{2B}{B+1}.

The mean-field theory replaces the random spectrum by its deterministic equivalent, whose
resolvent is :math:`\sum_k H_k(z)`, :math:`H_k = 1/(z + \lambda_k R_1R_3)`. Its largest point
:math:`\mu_{max}` is found on the real axis :math:`z = -u`: to the left of the spectrum
(:math:`u > \mu_{max}`) the responses are real and positive, and coming from
:math:`u = \infty` (where :math:`R_1 = R_3 = 1`) the real solution branch ends at
:math:`u = \mu_{max}` in one of two ways:

* a *band edge*: the real solution folds (two real solutions merge and become a complex
  pair), so Newton's method stops converging from the solution just to the right;
* an *outlier*: the pole of the top mode's transfer function is reached,
  :math:`u = \lambda_1 R_1R_3(-u)` with real responses.

The scan walks ``u`` down a geometric grid from a point where the real solution is easy,
warm starting each solve from the last, and bisects the first failure to 1e-10 relative.

Independent checks (``tests/test_theory_edge.py``): :math:`N = P = \infty` gives
:math:`\lambda_1`; the isotropic case :math:`\lambda_k = 1`, :math:`P = \infty` is the
Marchenko-Pastur edge :math:`(1 + \sqrt{M/N})^2`; for power laws the edge lies within the
spread of the top sample eigenvalue of simulated draws. The norm bound
:math:`\lambda_1(1+\sqrt{M/N})^2(1+\sqrt{M/P})^2` is a true upper bound but far too loose
to be useful (``docs/optimizers.md``).

Finite-size warning: for power laws the top eigenvalue of a draw is an outlier with
:math:`O(N^{-1/2})` fluctuations, so a step with :math:`\eta\mu_{max}` within a few per cent
of the limit can be stable for the theory and unstable for a given draw (the simulator
checks each draw's own top eigenvalue).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from .._errors import ConvergenceError
from .._validation import check_size
from ..spectra import Spectrum
from ._modesums import ModeSet, mode_set
from ._problem import check_compress, check_spectrum
from ._real_branch import GRID_POINTS, fold_edge
from ._responses import _inv

__all__ = [
    "SpectralEdge",
    "spectral_edge",
    "edge_of_modes",
    "edge_of_modes_scan",
    "real_responses",
]

_GRID_RATIO = 0.97  # geometric step of the downward scan in u
_BISECT_RTOL = 1e-10
_NEWTON_TOL = 1e-13
_NEWTON_ITER = 60


@dataclass(frozen=True)
class SpectralEdge:
    r"""The largest point :math:`\mu_{max}` of the mean-field spectrum of the training operator.

    Attributes
    ----------
    mu_max : float
        Edge of the deterministic-equivalent spectrum of :math:`FG` (of
        :math:`\Lambda^{1/2}F\Lambda^{1/2}` when ``P = inf``).
    kind : {"band", "outlier", "atom"}
        How the real solution ends: a fold (band edge), the pole of the top mode's
        transfer function (outlier), or ``N = P = inf`` where :math:`FG = \Lambda` and the
        edge is the atom :math:`\lambda_1`.
    norm_bound : float
        :math:`\lambda_1(1+\sqrt{M/N})^2(1+\sqrt{M/P})^2` (``inf`` when ``M = inf``), the
        product of the norms of the two Wishart factors: an upper bound, for reference.
    N, P : int or float
    diagnostics : dict
        Scan facts (grid points visited, bisection steps).
    """

    mu_max: float
    kind: str
    norm_bound: float
    N: float
    P: float
    diagnostics: dict[str, Any] = field(default_factory=dict, compare=False)


def real_responses(
    ms: ModeSet, N: float, P: float, u: float, guess: tuple[float, float] = (1.0, 1.0)
) -> tuple[float, float] | None:
    r"""Real responses :math:`R_1, R_3` at :math:`z = -u` left of the spectrum, or None.

    Newton's method in :math:`(\log R_1, \log R_3)` on
    :math:`G_1 = R_1^{-1} - 1 - R_3A/P`, :math:`G_2 = R_3^{-1} - 1 - R_1A/N`,
    :math:`A = \sum_k c_k\lambda_k/(-u + \lambda_k\rho)`, started from ``guess``. Returns
    None when it does not converge to a solution with every :math:`-u + \lambda_k\rho < 0`
    (i.e. ``u`` is not left of the spectrum, or ``guess`` is too far).
    """
    iN, iP = _inv(N), _inv(P)
    lam = ms.eigenvalues
    lc = lam * ms.weights
    l2c = lam * lc
    x1, x3 = math.log(guess[0]), math.log(guess[1])
    lam_top = float(lam.max())

    def residual(y1: float, y3: float):
        r1, r3 = math.exp(y1), math.exp(y3)
        rho = r1 * r3
        den = -u + lam * rho
        if lam_top * rho - u >= 0.0:
            return None
        H = 1.0 / den
        A = float(lc @ H)
        B = float(l2c @ (H * H))
        g1 = 1.0 / r1 - 1.0 - r3 * A * iP
        g2 = 1.0 / r3 - 1.0 - r1 * A * iN
        return r1, r3, rho, A, B, g1, g2

    state = residual(x1, x3)
    if state is None:
        return None
    for _ in range(_NEWTON_ITER):
        r1, r3, rho, A, B, g1, g2 = state
        size = max(abs(r1 * g1), abs(r3 * g2))
        if size <= _NEWTON_TOL:
            return r1, r3
        j11 = -1.0 / r1 + r3 * rho * B * iP
        j12 = -r3 * A * iP + r3 * rho * B * iP
        j21 = -r1 * A * iN + r1 * rho * B * iN
        j22 = -1.0 / r3 + r1 * rho * B * iN
        if iN == 0.0:
            d1, d3 = -g1 / j11, 0.0
        elif iP == 0.0:
            d1, d3 = 0.0, -g2 / j22
        else:
            det = j11 * j22 - j12 * j21
            if det == 0.0 or not math.isfinite(det):
                return None
            d1 = -(g1 * j22 - j12 * g2) / det
            d3 = -(j11 * g2 - j21 * g1) / det
        if not (math.isfinite(d1) and math.isfinite(d3)):
            return None
        alpha = min(1.0, 0.5 / max(abs(d1), abs(d3), 1e-300))
        merit = g1 * g1 + g2 * g2
        for _h in range(40):
            trial = residual(x1 + alpha * d1, x3 + alpha * d3)
            if trial is not None and trial[5] ** 2 + trial[6] ** 2 < merit:
                break
            alpha *= 0.5
        else:
            return None
        x1, x3 = x1 + alpha * d1, x3 + alpha * d3
        state = trial
    r1, r3, rho, A, B, g1, g2 = state
    if max(abs(r1 * g1), abs(r3 * g2)) <= 1e3 * _NEWTON_TOL:
        return r1, r3
    return None


def _norm_bound(spectrum: Spectrum, N: float, P: float) -> float:
    if not spectrum.is_finite:
        return math.inf
    M = float(spectrum.M)
    lam1 = float(spectrum.eigenvalues[0])
    fN = 1.0 if math.isinf(N) else (1.0 + math.sqrt(M / N)) ** 2
    fP = 1.0 if math.isinf(P) else (1.0 + math.sqrt(M / P)) ** 2
    return lam1 * fN * fP


def edge_of_modes(ms: ModeSet, N: float, P: float) -> tuple[float, str, dict[str, Any]]:
    """The edge ``(mu_max, kind, diagnostics)`` for a prepared mode set (internal, no checks).

    The fold of the explicit real branch (:mod:`._real_branch`); the step-by-step scan
    (:func:`edge_of_modes_scan`) only where that finds no fold.
    """
    lam1 = ms.max_eigenvalue
    if math.isinf(N) and math.isinf(P):
        return lam1, "atom", {"grid_points": 0, "bisections": 0}
    fold = fold_edge(ms, N, P)
    if fold is None:
        return edge_of_modes_scan(ms, N, P)
    mu, _, rho, n_bisect = fold
    kind = "outlier" if lam1 * rho >= mu * (1.0 - 1e-6) else "band"
    return mu, kind, {"grid_points": GRID_POINTS, "bisections": n_bisect, "rho_at_edge": rho}


def edge_of_modes_scan(ms: ModeSet, N: float, P: float) -> tuple[float, str, dict[str, Any]]:
    """The edge by walking ``u`` down with a Newton solve per point (reference and fallback)."""
    lam1 = ms.max_eigenvalue
    if math.isinf(N) and math.isinf(P):
        return lam1, "atom", {"grid_points": 0, "bisections": 0}
    # start far right: the sums A = O(trace) make the responses close to 1
    u = 2.0 * (lam1 + 4.0 * ms.trace * (_inv(N) + _inv(P))) + 1e-300
    good = None
    for _ in range(60):
        good = real_responses(ms, N, P, u)
        if good is not None:
            break
        u *= 2.0
    if good is None:  # pragma: no cover - the start is far right of any spectrum
        raise ConvergenceError(
            f"no real solution of the response equations left of the spectrum (N = {N}, P = {P})."
        )
    visited = 0
    lo = None
    while True:
        visited += 1
        nxt = u * _GRID_RATIO
        sol = real_responses(ms, N, P, nxt, good)
        if sol is None:
            lo = nxt
            break
        u, good = nxt, sol
        if visited > 5000:  # pragma: no cover
            raise ConvergenceError("the spectral-edge scan did not end (degenerate spectrum?).")
    hi = u  # real solution exists at hi, not at lo
    n_bis = 0
    while hi - lo > _BISECT_RTOL * hi:
        mid = 0.5 * (lo + hi)
        sol = real_responses(ms, N, P, mid, good)
        n_bis += 1
        if sol is None:
            lo = mid
        else:
            hi, good = mid, sol
    rho = good[0] * good[1]
    # outlier: the top mode's pole u = lambda_1 rho is what stopped the branch
    kind = "outlier" if lam1 * rho >= hi * (1.0 - 1e-6) else "band"
    return hi, kind, {"grid_points": visited, "bisections": n_bis, "rho_at_edge": rho}


def spectral_edge(
    spectrum: Spectrum, N: int | float, P: int | float, *, compress: str = "auto"
) -> SpectralEdge:
    r"""The edge :math:`\mu_{max}` of the mean-field spectrum of :math:`FG` (module notes).

    The largest :math:`u` at which the real solution of the response equations at
    :math:`z = -u`, continued from :math:`u = \infty`, ends: a fold of the branch (band
    edge) or the pole :math:`u = \lambda_1 R_1R_3(-u)` of the top mode (outlier).

    Parameters
    ----------
    spectrum : Spectrum
        Teacher spectrum (``M`` may be ``math.inf`` for a power law).
    N, P : int or math.inf
        Model size and number of samples (``P = inf`` for one-pass SGD, whose operator is
        :math:`\Lambda^{1/2}F\Lambda^{1/2}`).
    compress : {"auto", "on", "off"}
        Compression of the mode sums (see :func:`~scaling_dynamics.theory.mode_set`).

    Returns
    -------
    SpectralEdge

    Examples
    --------
    >>> from scaling_dynamics import Spectrum
    >>> from scaling_dynamics.theory import spectral_edge
    >>> iso = Spectrum.from_arrays([1.0] * 400, [0.05] * 400)
    >>> round(spectral_edge(iso, N=100, P=float("inf")).mu_max, 6)  # (1 + sqrt(4))^2
    9.0
    """
    spectrum = check_spectrum(spectrum)
    N = check_size("N", N)
    P = check_size("P", P)
    compress = check_compress(compress)
    ms = mode_set(spectrum, min_scale=0.0, compress=compress)
    mu, kind, diag = edge_of_modes(ms, N, P)
    return SpectralEdge(
        mu_max=float(mu), kind=kind, norm_bound=_norm_bound(spectrum, N, P), N=N, P=P,
        diagnostics=diag,
    )
