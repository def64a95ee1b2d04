r"""Loss curves of gradient flow from the mean-field theory (the gradient-flow route of :func:`predict`).

The test and train losses are the two-time correlations :math:`C_0(z, z')` and
:math:`C_1(z, z')` of theory.md section 2, inverted in both Laplace variables and read
on the diagonal :math:`t = t'`:

.. math::  L(t) = \mathcal L^{-1}_2[C_0](t, t), \qquad \hat L(t) = \mathcal L^{-1}_2[C_1](t, t).

Pipeline (each step in its own module):

1. :mod:`._modesums` -- the spectrum as nodes and weights (exact, or compressed for huge
   and infinite power laws);
2. :mod:`._inversion` -- a Talbot contour per time (18 nodes per variable by default);
3. :mod:`._responses` -- :math:`R_1, R_3` at every contour node (batched Newton, warm
   started from the previous time);
4. :mod:`._correlations` -- the 2 x 2 correlation system at all node pairs (one batched
   GEMM per block of times) and the 2-D quadrature sum.

Conventions (``docs/conventions.md``): ``test_loss`` is the excess loss
:math:`\sum_k\lambda_k v_k^2` (noise floor :math:`\sigma^2` excluded); ``train_loss`` is
:math:`|\Psi v - \sigma\epsilon|^2/P` (noise included; :math:`L + \sigma^2` when
``P = inf``); time is gradient-flow time; training minimises :math:`\hat L/2`.
"""

from __future__ import annotations

import time as _time
from typing import Any

import numpy as np

from .._blas import small_products
from .._errors import InvalidParameterError
from .._progress import progress_bar
from .._validation import check_int, check_real, check_size, check_times
from ..spectra import Spectrum
from ._correlations import DiagonalCorrelations, diagonal_correlations, solve_on_rule
from ._inversion import DEFAULT_NODES_2D, MAX_NODES, ContourRule, talbot_rule
from ._modesums import ModeSet, expected_nodes
from ._problem import check_compress, check_spectrum
from ._responses import Responses, solve_with_valid_modes
from ._terms import TheoryTerms, clip_round_off

__all__ = ["theory_terms", "check_common", "TheoryTerms", "clip_round_off"]

_TIMES_PER_BLOCK = 25


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


def _responses_with_valid_modes(
    spectrum: Spectrum, N: float, P: float, rule: ContourRule, compress: str, tol: float
) -> tuple[ModeSet, Responses]:
    """Solve on a mode set built for the contour; rebuild it if the scale assumption fails."""
    return solve_with_valid_modes(spectrum, float(np.abs(rule.nodes).min()), compress,
                                  lambda ms: solve_on_rule(ms, N, P, rule, tol=tol))


def _solve_and_sum(spectrum, N, P, rule, compress, tol, progress):
    """Responses on the contour, then the correlations block by block of times."""
    n_nodes = rule.n_nodes
    n_pos = rule.times.size
    ms, resp = _responses_with_valid_modes(spectrum, N, P, rule, compress, tol)
    blocks = range(0, n_pos, _TIMES_PER_BLOCK)
    parts: list[DiagonalCorrelations] = []
    with progress_bar(n_pos, "theory", progress, unit="time") as bar:
        for s in blocks:
            sl = slice(s, min(n_pos, s + _TIMES_PER_BLOCK))
            sub_rule = rule.subset(sl)
            n_sub = sub_rule.times.size
            parts.append(diagonal_correlations(ms, N, P, spectrum.sigma, sub_rule,
                                               resp.rows(sl, n_nodes)))
            bar.update(n_sub)
    return parts, ms, resp


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
    diag: dict[str, Any] = {"contour": "talbot", "n_contour_nodes": n_nodes}
    if pos.size:
        rule = talbot_rule(times[pos], n_nodes)
        with small_products(expected_nodes(spectrum, compress)):
            parts, ms, resp = _solve_and_sum(spectrum, N, P, rule, compress, tol, progress)
        for key in out:
            out[key][pos] = np.concatenate([getattr(p, key) for p in parts])
        diag.update(
            mode_sums=ms.method,
            n_mode_nodes=ms.n_nodes,
            newton_iterations_max=int(resp.iterations.max()),
            newton_residual_max=float(resp.residual.max()),
        )
    diag["wall_time_s"] = _time.perf_counter() - started
    return TheoryTerms(times=times, diagnostics=diag, **out)
