r""":func:`~scaling_dynamics.theory.predict` for GD, heavy ball (discrete and continuous) and one-pass SGD.

``predict(..., optimizer=...)`` hands these optimisers to :func:`predict_optimizer`, which
validates as :func:`~scaling_dynamics.simulate` does and returns the same
:class:`~scaling_dynamics.LossCurves` (``time_unit="steps"`` for the discrete optimisers,
``params`` from ``describe_problem``):

* :class:`~scaling_dynamics.GradientDescent` / :class:`~scaling_dynamics.Momentum`:
  :mod:`._discrete` (generating-function map onto the gradient-flow correlations), after
  checking the step against the theory's spectral edge (:mod:`._edge`);
* :class:`~scaling_dynamics.OnlineSGD`: :mod:`._sgd` (closed-form generating function,
  ``P`` ignored and recorded as ``None`` as in the simulator, no ensembles);
* :class:`HeavyBallFlow`: :mod:`._momentum_flow` (continuous time).
"""

from __future__ import annotations

from typing import Any

from .._errors import InvalidParameterError
from .._params import describe_problem
from .._validation import check_int, check_real, check_size, check_times
from .._version import __version__
from ..optimizers import GradientDescent, Momentum, OnlineSGD
from ..results import LossCurves
from ._dmft import clip_round_off
from ._edge import check_theory_stability, edge_of_modes
from ._inversion import MAX_NODES
from ._modesums import mode_set
from ._momentum_flow import HeavyBallFlow
from ._problem import check_compress, check_spectrum

__all__ = ["handles", "predict_optimizer"]


def handles(optimizer: Any) -> bool:
    """Whether ``optimizer`` is one of the optimisers this module predicts."""
    return isinstance(optimizer, (GradientDescent, Momentum, OnlineSGD, HeavyBallFlow))


def predict_optimizer(
    spectrum: Any,
    N: Any,
    P: Any,
    times: Any,
    *,
    optimizer: Any,
    ensemble: Any = 1,
    n_nodes: Any = 18,
    compress: Any = "auto",
    tol: Any = 1e-13,
    progress: bool | None = None,
) -> LossCurves:
    """The body of ``predict`` for the optimisers of :func:`handles` (see that docstring)."""
    from ._discrete import discrete_terms
    from ._momentum_flow import momentum_flow_terms
    from ._sgd import sgd_curves

    spectrum = check_spectrum(spectrum)
    is_sgd = isinstance(optimizer, OnlineSGD)
    N = check_size("N", N)
    if not is_sgd:
        if P is None:
            raise InvalidParameterError(
                f"`P` must be a positive integer or inf for {optimizer.name}; got None."
            )
        P = check_size("P", P)
    times_arr = check_times("times", times, integer=optimizer.discrete)
    n_nodes = check_int("n_nodes", n_nodes, low=8, high=MAX_NODES)
    compress = check_compress(compress)
    tol = check_real("tol", tol, low=1e-16, high=1e-6)
    E = check_int("ensemble", ensemble, low=1)
    if is_sgd:
        if E > 1:
            raise InvalidParameterError(
                "`ensemble` > 1 is only available for full-batch optimisers (gf, gd, momentum); "
                f"got ensemble = {E} with sgd."
            )
        test, diag = sgd_curves(
            spectrum, N, times_arr, optimizer.eta, optimizer.batch_size, compress=compress,
            tol=tol, progress=progress,
        )
        test = clip_round_off("test", test, spectrum)  # train = test + sigma^2: clipped too
        diag["note"] = "sgd uses the 1-D Talbot rule with 32 nodes; n_nodes is for 2-D rules"
        return LossCurves(
            times=times_arr,
            test_loss=test,
            train_loss=test + spectrum.sigma**2,
            params=describe_problem(spectrum, N, None, optimizer, E),
            source="theory",
            seed=None,
            backend="theory",
            version=__version__,
            time_unit="steps",
            diagnostics=diag,
        )
    ms = mode_set(spectrum, min_scale=0.0, compress=compress)
    mu_max, kind, _ = edge_of_modes(ms, N, P)
    if isinstance(optimizer, HeavyBallFlow):
        terms = momentum_flow_terms(
            spectrum, N, P, times_arr, optimizer.mass, mu_max, n_nodes=n_nodes,
            compress=compress, tol=tol, progress=progress,
        )
    else:
        check_theory_stability(optimizer, mu_max)
        beta = optimizer.beta if isinstance(optimizer, Momentum) else 0.0
        terms = discrete_terms(
            spectrum, N, P, times_arr, optimizer.eta, beta, mu_max, n_nodes=n_nodes,
            compress=compress, tol=tol, progress=progress,
        )
    test = terms.ensemble_test(E)
    train = terms.ensemble_train(E)
    diag = dict(terms.diagnostics)
    diag["edge_kind"] = kind
    return LossCurves(
        times=times_arr,
        test_loss=clip_round_off("test", test, spectrum),
        train_loss=clip_round_off("train", train, spectrum),
        params=describe_problem(spectrum, N, P, optimizer, E),
        source="theory",
        seed=None,
        backend="theory",
        version=__version__,
        time_unit="steps" if optimizer.discrete else "time",
        extra={
            "bias": terms.bias,
            "variance_projection": terms.test - terms.test_cross,
            "variance_data": terms.test_cross - terms.bias,
        },
        diagnostics=diag,
    )
