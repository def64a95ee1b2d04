r"""The mean-field theory's routes for the random-feature model, one per kind of dynamics.

:func:`~scaling_dynamics.theory.predict` validates the problem, builds a
:class:`RandomFeatureTheory` and hands it to ``optimizer.predict_with(engine)``; the
optimiser calls the route that describes it:

* :meth:`~RandomFeatureTheory.gradient_flow`: the two-time correlations of theory.md
  section 2, inverted by hyperbolic contours shared by each decade of times (:mod:`._dmft`);
* :meth:`~RandomFeatureTheory.heavy_ball`: discrete GD (``beta = 0``) and heavy ball, the
  generating-function map :math:`z_m(r)` onto the gradient-flow correlations
  (:mod:`._discrete`), after checking the step against the theory's spectral edge, and
  warning (:class:`~scaling_dynamics.TheoryAccuracyWarning`, ``diagnostics["warning"]``)
  where the theory is known to be off at the sizes asked for (:mod:`._trust`);
* :meth:`~RandomFeatureTheory.heavy_ball_flow`: continuous heavy ball,
  :math:`\zeta = z + mz^2` (:mod:`._momentum_flow`);
* :meth:`~RandomFeatureTheory.online_sgd`: one-pass SGD's closed-form generating function
  (:mod:`._sgd`; no P, no ensembles; train loss = test loss + sigma^2).

Every route returns the same :class:`~scaling_dynamics.LossCurves`, made by
``LossCurves.from_theory``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._errors import ConvergenceError, TheoryAccuracyWarning
from .._params import describe_problem
from ..optimizers import Optimizer
from ..results import LossCurves
from ..spectra import Spectrum
from ._terms import TheoryTerms, clip_round_off

__all__ = ["TheoryProblem", "RandomFeatureTheory"]


@dataclass(frozen=True)
class TheoryProblem:
    """Validated inputs of one theory curve (``P`` is None for optimisers without a data set)."""

    spectrum: Spectrum
    N: float
    P: float | None
    times: np.ndarray
    ensemble: int
    n_nodes: int
    compress: str
    tol: float
    progress: bool | None


class RandomFeatureTheory:
    """The random-feature model's theory routes for one validated :class:`TheoryProblem`."""

    def __init__(self, problem: TheoryProblem) -> None:
        self.problem = problem

    # ------------------------------------------------------------------ routes
    def gradient_flow(self, optimizer: Optimizer) -> LossCurves:
        """Gradient flow: the 2-D inversion of the DMFT correlations (hyperbola per decade)."""
        from ._dmft import theory_terms

        p = self.problem
        terms = theory_terms(p.spectrum, p.N, p.P, p.times, n_nodes=p.n_nodes,
                             compress=p.compress, tol=p.tol, progress=p.progress)
        return self._full_batch_curves(optimizer, terms, {})

    def heavy_ball(self, optimizer: Optimizer, eta: float, beta: float) -> LossCurves:
        """Discrete heavy ball (GD at ``beta = 0``) at integer steps."""
        from ._discrete import discrete_terms
        from ._trust import heavy_ball_trust

        p = self.problem
        mu_max, kind = self._edge()
        optimizer.check_stability(mu_max, source="theory")
        diag: dict[str, Any] = {"edge_kind": kind}
        trust = heavy_ball_trust(p.spectrum, p.N, p.P, optimizer, mu_max=mu_max)
        if not trust.trusted:
            diag["warning"] = trust.reason
            # predict -> optimizer.predict_with -> here: point at the caller of predict
            warnings.warn(TheoryAccuracyWarning(trust.reason), stacklevel=4)
        terms = discrete_terms(p.spectrum, p.N, p.P, p.times, eta, beta, mu_max,
                               n_nodes=p.n_nodes, compress=p.compress, tol=p.tol,
                               progress=p.progress)
        return self._full_batch_curves(optimizer, terms, diag)

    def heavy_ball_flow(self, optimizer: Optimizer, mass: float) -> LossCurves:
        """Continuous heavy ball with mass ``m`` (the spectral edge places its contours)."""
        from ._momentum_flow import momentum_flow_terms

        p = self.problem
        mu_max, kind = self._edge()
        terms = momentum_flow_terms(p.spectrum, p.N, p.P, p.times, mass, mu_max,
                                    n_nodes=p.n_nodes, compress=p.compress, tol=p.tol,
                                    progress=p.progress)
        return self._full_batch_curves(optimizer, terms, {"edge_kind": kind})

    def online_sgd(self, optimizer: Optimizer, eta: float, batch: int) -> LossCurves:
        """One-pass SGD: test loss from its generating function; train = test + sigma^2."""
        from ._sgd import sgd_curves

        p = self.problem
        test, diag = sgd_curves(p.spectrum, p.N, p.times, eta, batch, compress=p.compress,
                                tol=p.tol, progress=p.progress)
        test = clip_round_off("test", test, p.spectrum)  # train = test + sigma^2: clipped too
        diag["note"] = ("sgd uses its own 1-D contours (a circle, then one hyperbola per decade of "
                      "steps); n_nodes is for 2-D rules")
        return LossCurves.from_theory(
            p.times, test, test + p.spectrum.sigma**2,
            describe_problem(p.spectrum, p.N, None, optimizer, p.ensemble),
            time_unit=optimizer.time_unit, diagnostics=diag,
        )

    # ------------------------------------------------------------------ shared steps
    def _edge(self) -> tuple[float, str]:
        """The theory's spectral edge :math:`\\mu_{max}` and how it was found."""
        from ._edge import edge_of_modes  # the routes with a step or a mass only
        from ._modesums import mode_set

        p = self.problem
        ms = mode_set(p.spectrum, min_scale=0.0, compress=p.compress)
        mu_max, kind, _ = edge_of_modes(ms, p.N, p.P)
        return mu_max, kind

    def _full_batch_curves(
        self, optimizer: Optimizer, terms: TheoryTerms, diag: dict[str, Any]
    ) -> LossCurves:
        r"""Ensemble losses :math:`C_0/E + (1-1/E)C_0^{ab}` and the bias/variance split."""
        p = self.problem
        E = p.ensemble
        test, train = terms.ensemble_test(E), terms.ensemble_train(E)
        if not (np.all(np.isfinite(test)) and np.all(np.isfinite(train))):
            # never expected: the correlation solvers raise first
            raise ConvergenceError("the theory produced non-finite losses.")  # pragma: no cover
        return LossCurves.from_theory(
            p.times,
            clip_round_off("test", test, p.spectrum),
            clip_round_off("train", train, p.spectrum),
            describe_problem(p.spectrum, p.N, p.P, optimizer, E),
            time_unit=optimizer.time_unit,
            extra={
                "bias": terms.bias,
                "variance_projection": terms.test - terms.test_cross,
                "variance_data": terms.test_cross - terms.bias,
            },
            diagnostics={**terms.diagnostics, **diag},
        )
