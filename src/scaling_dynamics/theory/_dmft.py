r"""Loss curves of gradient flow from the mean-field theory (the gradient-flow route of :func:`predict`).

The test and train losses are the two-time correlations :math:`C_0(z, z')` and
:math:`C_1(z, z')` of theory.md section 2, inverted in both Laplace variables and read
on the diagonal :math:`t = t'`:

.. math::  L(t) = \mathcal L^{-1}_2[C_0](t, t), \qquad \hat L(t) = \mathcal L^{-1}_2[C_1](t, t).

Pipeline (each step in its own module):

1. :mod:`._modesums` -- the spectrum as nodes and weights (exact, or compressed for huge
   and infinite power laws);
2. :mod:`._inversion` -- one hyperbolic contour per decade of times
   (:func:`~._inversion.hyperbola_windows`, 24 nodes per variable by default), its nodes
   shared by every time of the decade;
3. :mod:`._responses` -- :math:`R_1, R_3` at every contour node (batched Newton, each
   window continued from the one before, :func:`solve_on_windows`);
4. :mod:`._correlations` -- the 2 x 2 correlation system at the node pairs of each window
   (one GEMM) and the 2-D quadrature sum of each of its times
   (:func:`~._correlations.shared_node_correlations`).

Conventions (``docs/conventions.md``): ``test_loss`` is the excess loss
:math:`\sum_k\lambda_k v_k^2` (noise floor :math:`\sigma^2` excluded); ``train_loss`` is
:math:`|\Psi v - \sigma\epsilon|^2/P` (noise included; :math:`L + \sigma^2` when
``P = inf``); time is gradient-flow time; training minimises :math:`\hat L/2`.
"""

from __future__ import annotations

import math
import time as _time
from typing import Any

import numpy as np

from .._blas import small_products
from .._errors import InvalidParameterError
from .._progress import progress_bar
from .._validation import check_int, check_real, check_size, check_times
from ..spectra import Spectrum
from ._correlations import shared_node_correlations
from ._inversion import (
    DEFAULT_NODES_2D,
    HYPERBOLA_PER_TALBOT,
    MAX_NODES,
    ContourRule,
    hyperbola_windows,
)
from ._modesums import ModeSet, expected_nodes
from ._newton import newton, physical
from ._problem import check_compress, check_spectrum
from ._responses import Responses, _inv, rdot, solve_on_modes, solve_with_valid_modes
from ._terms import TheoryTerms, clip_round_off

__all__ = ["theory_terms", "check_common", "TheoryTerms", "clip_round_off"]

_MAX_ITER = 15  # Newton iterations from a guess (2-9 when it is good; else halve the step)
_KEYS = ("test", "train", "test_cross", "train_cross", "bias")


def check_common(
    spectrum: Any, N: Any, P: Any, times: Any, n_nodes: Any, compress: Any, tol: Any
) -> tuple[Spectrum, float, float, np.ndarray, int, str, float]:
    """Validate the arguments shared by predict, bias and decompose_loss."""
    spectrum = check_spectrum(spectrum)
    N = check_size("N", N)
    if P is None:
        raise InvalidParameterError(
            "`P` must be a positive integer or inf for gradient flow; got None."
        )
    P = check_size("P", P)
    times_arr = check_times("times", times)
    n_nodes = check_int("n_nodes", n_nodes, low=8, high=MAX_NODES)
    compress = check_compress(compress)
    tol = check_real("tol", tol, low=1e-16, high=1e-6)
    return spectrum, N, P, times_arr, n_nodes, compress, tol


def _kappa_guess(ms: ModeSet, iN: float, iP: float, z_old: np.ndarray, kappa_old: np.ndarray,
                 z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r"""Starting responses at ``z`` from :math:`\kappa = z/\rho` solved at ``z_old`` (same index).

    In :math:`\kappa` the responses are :math:`R_3 = 1 - d/N`, :math:`R_1 = 1 - d/P` with
    :math:`d = \sum_k \lambda_k/(\lambda_k + \kappa)`, and :math:`\kappa` moves slowly:
    :math:`\kappa \approx z + \operatorname{tr}\Lambda (1/N + 1/P)` at large ``|z|``, a
    constant as :math:`z \to 0`; so :math:`\kappa_{old} + z - z_{old}` is the guess, but
    never smaller in modulus than :math:`\kappa_{old} z/z_{old}` (on the real axis
    :math:`\kappa` grows with ``z`` and :math:`\kappa/z = 1/\rho` shrinks). The old
    responses themselves (a factor of ``z`` away at late times) would let Newton fall onto
    the spurious root.
    """
    kappa = kappa_old + (z - z_old)
    low = kappa_old * (z / z_old)
    kappa = np.where(np.abs(kappa) < np.abs(low), low, kappa)
    lam = ms.eigenvalues
    d = rdot(lam[None, :] / (lam[None, :] + kappa[:, None]), ms.weights)
    return 1.0 - d * iP, 1.0 - d * iN


_MAX_HALVINGS = 4


def _continue(ms: ModeSet, iN: float, iP: float, z_old: np.ndarray, kappa_old: np.ndarray,
              z: np.ndarray, tol: float, depth: int = 0) -> tuple[np.ndarray, ...]:
    """Newton at ``z`` from the solution at ``z_old``; nodes that fail go in two half steps.

    Returns R1, R3, residual, iterations, ok (``ok`` False only where even
    ``_MAX_HALVINGS`` levels of halving the step in ``log z`` failed).
    """
    with np.errstate(all="ignore"):  # a failed stage is caught by `ok`, never used
        g1, g3 = _kappa_guess(ms, iN, iP, z_old, kappa_old, z)
        r1, r3, res, it, ok = newton(ms, iN, iP, z, g1, g3, tol, _MAX_ITER)
        ok &= np.isfinite(g1) & np.isfinite(g3) & physical(ms, z, r1, r3, iN, iP)
        bad = np.flatnonzero(~ok)
        if not (bad.size and depth < _MAX_HALVINGS):
            return r1, r3, res, it, ok
        zo, zb = z_old[bad], z[bad]
        zm = zo * np.sqrt(zb / zo)  # same node, half way in scale (the ratio is real)
        m1, m3, _, mit, mok = _continue(ms, iN, iP, zo, kappa_old[bad], zm, tol, depth + 1)
        km = np.where(mok, zm / (m1 * m3), kappa_old[bad])
        b1, b3, bres, bit, bok = _continue(ms, iN, iP, zm, km, zb, tol, depth + 1)
        bok &= mok
        r1[bad], r3[bad], res[bad], ok[bad] = b1, b3, bres, bok
        it[bad] += mit + bit
    return r1, r3, res, it, ok


def solve_on_windows(
    ms: ModeSet, N: float, P: float, windows: list[ContourRule], tol: float
) -> Responses:
    """Responses at the shared nodes of every window, concatenated window after window.

    Windows come in increasing time and have the same shape (the hyperbolas only rescale
    with the window's first time, so node ``k`` of one window is node ``k`` of the one
    before times a real factor). The first is solved from the large-``|z|`` limit; each
    later one by Newton from :func:`_kappa_guess` at the same node of the window before,
    halving the step in scale for the rare nodes where that fails; whatever still fails
    goes through all fallbacks of :func:`solve_on_modes`.
    """
    iN, iP = _inv(N), _inv(P)
    parts: list[Responses] = []
    prev: tuple[np.ndarray, np.ndarray] | None = None
    for rule in windows:
        z = np.asarray(rule.nodes[0])
        if prev is None or (iN == 0.0 and iP == 0.0):
            r = solve_on_modes(ms, N, P, z, tol=tol)
        else:
            r1, r3, res, it, ok = _continue(ms, iN, iP, prev[0], prev[1], z, tol)
            r = Responses(z, r1, r3, res, it, ok, ms.n_nodes)
            if not ok.all():
                bad = np.flatnonzero(~ok)
                again = solve_on_modes(ms, N, P, z[bad], tol=tol)
                r.R1[bad], r.R3[bad], r.residual[bad] = again.R1, again.R3, again.residual
                r.iterations[bad] += again.iterations
                r.converged[bad] = True
        parts.append(r)
        with np.errstate(all="ignore"):
            prev = (z, z / (r.R1 * r.R3))
    return Responses.concatenate(parts, ms.n_nodes)


def _solve_and_sum(spectrum, N, P, times, n_nodes, compress, tol, progress):
    """Responses on every window's hyperbola, then the correlations window by window."""
    n_hyp = math.ceil(HYPERBOLA_PER_TALBOT * n_nodes)
    windows = hyperbola_windows(times, n_hyp)
    rules = [rule for _, rule in windows]
    min_scale = min(float(np.abs(rule.nodes[0]).min()) for rule in rules)
    ms, resp = solve_with_valid_modes(spectrum, min_scale, compress,
                                      lambda ms: solve_on_windows(ms, N, P, rules, tol))
    out = {k: np.empty(times.size) for k in _KEYS}
    with progress_bar(times.size, "theory", progress, unit="time") as bar:
        for i, (idx, rule) in enumerate(windows):
            part = shared_node_correlations(ms, N, P, spectrum.sigma, rule,
                                            resp.rows(slice(i, i + 1), n_hyp))
            for key in _KEYS:
                out[key][idx] = getattr(part, key)
            bar.update(idx.size)
    return out, ms, resp, len(windows)


def theory_terms(
    spectrum: Spectrum,
    N: float,
    P: float,
    times: np.ndarray,
    *,
    n_nodes: int = DEFAULT_NODES_2D,
    compress: str = "auto",
    tol: float = 1e-13,
    progress: bool | None = None,
) -> TheoryTerms:
    """All curves at validated inputs (internal; the public functions validate first)."""
    started = _time.perf_counter()
    n_t = times.size
    out = {k: np.empty(n_t) for k in ("test", "train", "test_cross", "train_cross", "bias")}
    zero = times == 0
    L0 = spectrum.initial_loss
    sig2 = spectrum.sigma**2
    out["test"][zero] = L0
    out["test_cross"][zero] = L0
    out["bias"][zero] = L0
    out["train"][zero] = L0 + sig2
    out["train_cross"][zero] = L0 + sig2
    pos = np.flatnonzero(~zero)
    diag: dict[str, Any] = {"contour": "hyperbola", "n_contour_nodes": n_nodes,
                            "nodes_per_window": math.ceil(HYPERBOLA_PER_TALBOT * n_nodes)}
    if pos.size:
        with small_products(expected_nodes(spectrum, compress)):
            vals, ms, resp, n_windows = _solve_and_sum(spectrum, N, P, times[pos], n_nodes,
                                                       compress, tol, progress)
        for key in out:
            out[key][pos] = vals[key]
        diag.update(
            n_windows=n_windows,
            mode_sums=ms.method,
            n_mode_nodes=ms.n_nodes,
            newton_iterations_max=int(resp.iterations.max()),
            newton_residual_max=float(resp.residual.max()),
        )
    diag["wall_time_s"] = _time.perf_counter() - started
    return TheoryTerms(times=times, diagnostics=diag, **out)
