r"""Loss curves of gradient flow from the mean-field theory: :func:`predict`.

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
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._blas import small_products
from .._errors import ConvergenceError, InvalidParameterError
from .._params import describe_problem
from .._progress import progress_bar
from .._validation import check_int, check_real, check_size, check_times
from .._version import __version__
from ..results import LossCurves
from ..spectra import Spectrum
from ._correlations import DiagonalCorrelations, diagonal_correlations, solve_on_rule
from ._inversion import DEFAULT_NODES_2D, MAX_NODES, ContourRule, talbot_rule
from ._modesums import ModeSet, expected_nodes
from ._problem import check_compress, check_optimizer, check_spectrum
from ._responses import Responses, solve_with_valid_modes

__all__ = ["predict", "TheoryTerms", "theory_terms", "check_common", "clip_round_off"]

#: Losses below zero by less than this fraction of the loss scale are round-off.
ROUND_OFF = 1e-9


def clip_round_off(name: str, loss: np.ndarray, spectrum: Spectrum) -> np.ndarray:
    """Set round-off below zero to zero; refuse a loss that is negative beyond round-off.

    A converged train loss is a difference of nearly equal sums and can come out as
    -1e-17; losses are non-negative, so values in ``[-ROUND_OFF * scale, 0)`` with
    ``scale = L(0) + sigma^2`` become 0 (log plots and exponent fits stay defined).
    Anything more negative is a failure of the numerics and raises.
    """
    scale = spectrum.initial_loss + spectrum.sigma**2
    worst = float(np.min(loss)) if loss.size else 0.0
    if worst < -ROUND_OFF * scale:
        raise ConvergenceError(
            f"the theory produced a negative {name} loss ({worst:.3g}, loss scale "
            f"{scale:.3g}); try more contour nodes (n_nodes) or report the problem."
        )
    return np.maximum(loss, 0.0)

_TIMES_PER_BLOCK = 25


@dataclass(frozen=True, eq=False)
class TheoryTerms:
    """Every curve the theory computes at ``times`` (t = 0 included, filled exactly)."""

    times: np.ndarray
    test: np.ndarray
    train: np.ndarray
    test_cross: np.ndarray
    train_cross: np.ndarray
    bias: np.ndarray
    diagnostics: dict[str, Any] = field(default_factory=dict)

    def ensemble_test(self, E: int) -> np.ndarray:
        r"""Test loss of an ensemble of ``E`` models: :math:`C_0/E + (1 - 1/E) C_0^{ab}`."""
        return self.test / E + (1.0 - 1.0 / E) * self.test_cross

    def ensemble_train(self, E: int) -> np.ndarray:
        return self.train / E + (1.0 - 1.0 / E) * self.train_cross


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
            sub_resp = Responses(
                z=resp.z.reshape(-1, n_nodes)[sl].ravel(),
                R1=resp.R1.reshape(-1, n_nodes)[sl].ravel(),
                R3=resp.R3.reshape(-1, n_nodes)[sl].ravel(),
                residual=resp.residual.reshape(-1, n_nodes)[sl].ravel(),
                iterations=resp.iterations.reshape(-1, n_nodes)[sl].ravel(),
                converged=resp.converged.reshape(-1, n_nodes)[sl].ravel(),
                n_nodes=resp.n_nodes,
            )
            parts.append(
                diagonal_correlations(ms, N, P, spectrum.sigma, sub_rule, sub_resp)
            )
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


def predict(
    spectrum: Spectrum,
    N: int | float,
    P: int | float,
    times: Any,
    *,
    optimizer: Any = None,
    ensemble: int = 1,
    n_nodes: int = DEFAULT_NODES_2D,
    compress: str = "auto",
    tol: float = 1e-13,
    progress: bool | None = None,
) -> LossCurves:
    r"""Test and train loss curves of gradient flow predicted by the mean-field theory.

    .. math::  L(t) = \mathcal L^{-1}_2[C_0](t,t), \qquad
               \hat L(t) = \mathcal L^{-1}_2[C_1](t,t), \qquad
               L_E(t) = \frac{C_0}{E} + \Big(1 - \frac1E\Big) C_0^{ab}

    with the correlations :math:`C_0, C_1` (one model) and :math:`C_0^{ab}` (two models
    that share the data but not the projection) of theory.md section 2.

    Parameters
    ----------
    spectrum : Spectrum
        Teacher spectrum and label noise ``spectrum.sigma``. ``M`` may be huge or
        ``math.inf`` for a power law (the mode sums are then compressed).
    N : int or math.inf
        Model size (``inf``: the student uses the teacher's features).
    P : int or math.inf
        Number of training samples (``inf``: population gradient).
    times : array_like
        Gradient-flow times ``>= 0`` (any range; 1e-2 to 1e7 and beyond).
    optimizer : GradientFlow, GradientDescent, Momentum, OnlineSGD or HeavyBallFlow, optional
        Gradient flow (default). The others are handed to
        :mod:`._predict_optimizers` (``docs/optimizers.md``): time then counts steps
        (``time_unit="steps"``; continuous-time ``HeavyBallFlow`` keeps ``"time"``), a step
        beyond the stability limit of the theory's spectral edge raises
        :class:`InvalidParameterError` stating the limit, and for OnlineSGD ``P`` is ignored.
    ensemble : int
        Number E of models that share the data and average their predictions.
    n_nodes : int
        Talbot nodes per Laplace variable (default 18, the float64 optimum; 8..40).
    compress : {"auto", "on", "off"}
        Compression of the mode sums (:func:`~scaling_dynamics.theory.mode_set`).
    tol : float
        Relative residual of the response solve (default 1e-13).
    progress : bool or None
        Progress bar on stderr (``None``: only on an interactive terminal).

    Returns
    -------
    LossCurves
        ``source="theory"``, ``backend="theory"``, ``time_unit="time"``, ``params`` as
        :func:`~scaling_dynamics.simulate` builds them (without ``seeds``/``method``), and
        ``extra`` curves of one model: ``bias`` :math:`B(t)`, ``variance_projection``
        :math:`C_0 - C_0^{ab}` and ``variance_data`` :math:`C_0^{ab} - B`, so that the
        ensemble's test loss is ``bias + variance_data + variance_projection / E``;
        ``diagnostics`` has the solver facts and wall time.

    Raises
    ------
    InvalidParameterError
        For invalid arguments or a discrete optimiser.
    ConvergenceError
        If the response equations cannot be solved at some contour node.

    Notes
    -----
    Accuracy: the inversion in two variables is accurate to about 1e-10 relative on
    smooth transforms at 18 nodes (``docs/theory.md``); the theory itself is exact for
    N, P, M -> infinity at fixed ratios, and agrees with finite simulations within their
    standard errors for N, P of a hundred and more (``tests/test_theory_vs_simulation.py``).

    Examples
    --------
    >>> from scaling_dynamics import Spectrum, predict
    >>> s = Spectrum.power_law(a=1.5, b=1.25, M=1000)
    >>> curves = predict(s, N=100, P=200, times=[0, 1, 10, 100])
    >>> bool(curves.test_loss[0] == s.initial_loss), curves.source
    (True, 'theory')
    """
    from ._predict_optimizers import handles, predict_optimizer

    if handles(optimizer):
        return predict_optimizer(
            spectrum, N, P, times, optimizer=optimizer, ensemble=ensemble, n_nodes=n_nodes,
            compress=compress, tol=tol, progress=progress,
        )
    optimizer = check_optimizer(optimizer)
    spectrum, N, P, times_arr, n_nodes, compress, tol = check_common(
        spectrum, N, P, times, n_nodes, compress, tol
    )
    ensemble = check_int("ensemble", ensemble, low=1)
    terms = theory_terms(
        spectrum, N, P, times_arr, n_nodes=n_nodes, compress=compress, tol=tol, progress=progress
    )
    E = ensemble
    test = terms.ensemble_test(E)
    train = terms.ensemble_train(E)
    params = describe_problem(spectrum, N, P, optimizer, E)
    extra = {
        "bias": terms.bias,
        "variance_projection": terms.test - terms.test_cross,
        "variance_data": terms.test_cross - terms.bias,
    }
    diagnostics = dict(terms.diagnostics)
    if not (np.all(np.isfinite(test)) and np.all(np.isfinite(train))):
        # never expected: the correlation solver raises first
        raise InvalidParameterError("the theory produced non-finite losses.")  # pragma: no cover
    return LossCurves(
        times=times_arr,
        test_loss=clip_round_off("test", test, spectrum),
        train_loss=clip_round_off("train", train, spectrum),
        params=params,
        source="theory",
        seed=None,
        backend="theory",
        version=__version__,
        time_unit="time",
        extra=extra,
        diagnostics=diagnostics,
    )
