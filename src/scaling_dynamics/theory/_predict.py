r"""The public entry point of the mean-field theory: :func:`predict`.

Validates the problem once (:func:`check_problem`), then lets the optimiser choose its
route of the random-feature model's theory engine (:mod:`._engine`) by double dispatch:
``optimizer.predict_with(RandomFeatureTheory(problem))``.
"""

from __future__ import annotations

from typing import Any

from .._errors import InvalidParameterError
from .._validation import check_int, check_real, check_size, check_times
from ..optimizers import Optimizer, check_optimizer, full_batch_names
from ..results import LossCurves
from ..spectra import Spectrum
from ._engine import RandomFeatureTheory, TheoryProblem
from ._inversion import DEFAULT_NODES_2D, MAX_NODES
from ._problem import check_compress, check_spectrum

__all__ = ["predict", "check_problem"]


def predict(
    spectrum: Spectrum,
    N: int | float,
    P: int | float,
    times: Any,
    *,
    optimizer: Optimizer | None = None,
    ensemble: int = 1,
    n_nodes: int = DEFAULT_NODES_2D,
    compress: str = "auto",
    tol: float = 1e-13,
    progress: bool | None = None,
) -> LossCurves:
    r"""Test and train loss curves predicted by the mean-field theory (any optimiser).

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
        Gradient flow (default), or any registered optimiser
        (:data:`~scaling_dynamics.optimizers.OPTIMIZERS`), which picks its route of
        :class:`~._engine.RandomFeatureTheory` (``docs/optimizers.md``): time then counts steps
        (``time_unit="steps"``; continuous-time ``HeavyBallFlow`` keeps ``"time"``), a step
        beyond the stability limit of the theory's spectral edge raises
        :class:`InvalidParameterError` stating the limit, and for OnlineSGD ``P`` is ignored.
    ensemble : int
        Number E of models that share the data and average their predictions.
    n_nodes : int
        Contour nodes per Laplace variable (default 18; 8..40): of the Talbot contour per
        time for the discrete optimisers, while gradient flow uses ``ceil(4 n_nodes / 3)``
        nodes (24 by default) on one hyperbola per decade of times, the same accuracy.
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
        For invalid arguments, or a step beyond the optimiser's stability limit.
    ConvergenceError
        If the response equations cannot be solved at some contour node.

    Notes
    -----
    Accuracy: the inversion in two variables is accurate to about 1e-10 relative on
    smooth transforms at the default nodes (``docs/theory.md`` section 6); the theory itself is exact for
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
    optimizer = check_optimizer(optimizer)
    problem = check_problem(spectrum, N, P, times, optimizer, ensemble, n_nodes, compress, tol,
                            progress)
    return optimizer.predict_with(RandomFeatureTheory(problem))


def check_problem(
    spectrum: Any, N: Any, P: Any, times: Any, optimizer: Optimizer, ensemble: Any,
    n_nodes: Any, compress: Any, tol: Any, progress: bool | None,
) -> TheoryProblem:
    """Validate what every route needs; the optimiser says whether P and ensembles apply."""
    spectrum = check_spectrum(spectrum)
    N = check_size("N", N)
    if optimizer.full_batch:
        if P is None:
            raise InvalidParameterError(
                f"`P` must be a positive integer or inf for {optimizer.label}; got None."
            )
        P = check_size("P", P)
    else:
        P = None
    times_arr = check_times("times", times, integer=optimizer.discrete)
    n_nodes = check_int("n_nodes", n_nodes, low=8, high=MAX_NODES)
    compress = check_compress(compress)
    tol = check_real("tol", tol, low=1e-16, high=1e-6)
    E = check_int("ensemble", ensemble, low=1)
    if E > 1 and not optimizer.full_batch:
        raise InvalidParameterError(
            "`ensemble` > 1 is only available for full-batch optimisers "
            f"({', '.join(full_batch_names())}); got ensemble = {E} with {optimizer.name}."
        )
    return TheoryProblem(spectrum, N, P, times_arr, E, n_nodes, compress, tol, progress)
