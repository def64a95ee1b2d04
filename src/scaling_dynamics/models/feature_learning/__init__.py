r"""The feature-learning model (Bordelon, Atanasov & Pehlevan, ICLR 2025): the second model.

:math:`f(x) = \frac1N w^\top B A_0\psi(x)` with a frozen Gaussian :math:`A_0` (N x M), a
trainable :math:`B` (N x N) from :math:`I` and a readout :math:`w` from 0; richness
:math:`\gamma \ge 0` scales the B step, :math:`\gamma = 0` is the random-feature model
(docs/feature-learning.md).

* Simulation (:mod:`._simulate`), P = infinity: the exact reduction (one SVD, O(N) per
  step) for gradient flow and GD, literal (w, B) updates for GD and one-pass SGD.
* Theory (:mod:`._theory`): N = infinity, M finite or infinite, the continuum equations;
  finite N (:mod:`._finite_width`), the same equations on the deterministic equivalent
  of the weighted spectrum (contour nodes).
* Exponents (:mod:`._exponents`): :func:`feature_learning_exponents`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..._errors import InvalidParameterError
from ..._params import describe_problem
from ..._validation import check_choice, check_int, check_real, check_size, check_times
from ...optimizers import check_optimizer
from ...results import LossCurves
from ...simulate._seeding import normalize_seed, run_streams
from ...spectra import Spectrum, check_spectrum
from .._base import Model, Support
from ._exponents import FeatureLearningExponents, feature_learning_exponents
from ._reduction import Nodes, flow_losses, gd_losses
from ._simulate import FeatureLearningSimulator, FLProblem, draw_nodes, literal_gd, literal_sgd
from ._theory import FeatureLearningTheory, Resolution, theory_nodes

__all__ = ["FeatureLearning", "MAX_THEORY_GAMMA", "FeatureLearningExponents", "feature_learning_exponents",
           "Nodes", "Resolution", "draw_nodes", "flow_losses", "gd_losses", "literal_gd",
           "literal_sgd", "theory_nodes"]

#: Simulation methods per optimiser of the model (the default first).
#: Largest richness the theory is run at: up to 1e7 halving its step changes L by < 1e-4
#: relative (hard tasks, N = 64 and inf); at 1e8 by 5-16 % and finite N overflows to nan.
MAX_THEORY_GAMMA = 1e6

_METHODS = {"gf": ("exact",), "gd": ("exact", "literal"), "sgd": ("literal",)}


class FeatureLearning(Model):
    """The feature-learning model: readout w and an N x N first-layer factor B, richness gamma."""

    name = "feature-learning"
    summary = "feature-learning model, trained w and N x N B with richness gamma (ICLR 2025)"
    parameters: dict[str, Any] = {"gamma": 0.0}
    simulation = Support(infinite_N=True, infinite_P=True, infinite_M=False,
                         optimizers=("gf", "gd", "sgd"))
    theory = Support(infinite_N=True, infinite_P=True, infinite_M=True, optimizers=("gf",))

    def example_problem(self) -> dict[str, Any]:
        """The registry test's case: N = P = infinity, M = 1000, where the theory is exact."""
        return {"spectrum": Spectrum.power_law(a=2.0, b=2.0, M=1000), "N": math.inf,
                "P": math.inf, "n_seeds": 1, "options": {"gamma": 1.0}, "rtol": 1e-3}

    def simulate(self, spectrum: Spectrum, N: Any, P: Any, times: Any, *, gamma: float = 0.0,
                 optimizer: Any = None, n_seeds: int = 8, seed: int | None = 0,
                 method: str = "auto", rel_step: float = 0.005) -> LossCurves:
        r"""Simulate the model at population level (P = inf) over ``n_seeds`` draws of :math:`A_0`.

        ``method``: ``exact`` (the reduction; gradient flow integrated with steps
        :math:`h = \rho t`, ``rel_step`` :math:`\rho`) or ``literal`` ((w, B) updated word
        for word: GD, and one-pass SGD, its only method). N = inf means
        :math:`A_0^\top A_0/N = I` (exact method only).
        """
        spectrum = check_spectrum(spectrum)
        optimizer = check_optimizer(optimizer)
        gamma = check_real("gamma", gamma, low=0.0)
        N = check_size("N", N)
        if optimizer.full_batch:
            _require_infinite_P(P, "simulation")
        allowed = _METHODS[optimizer.name]
        method = allowed[0] if method == "auto" else check_choice("method", method, allowed)
        if method == "literal" and math.isinf(N):
            raise InvalidParameterError("`method` 'literal' needs a finite N (got N = inf); "
                                        "the exact method simulates N = inf.")
        times_arr = check_times("times", times, integer=optimizer.discrete)
        n_seeds = check_int("seeds", n_seeds, low=1)
        seed = normalize_seed(seed)
        problem = FLProblem(
            eigenvalues=np.asarray(spectrum.eigenvalues, dtype=np.float64),
            target_weights=np.asarray(spectrum.target_weights, dtype=np.float64),
            sigma=spectrum.sigma, gamma=gamma, N=N, times=times_arr, method=method,
            streams=run_streams(seed, n_seeds),
            rel_step=check_real("rel_step", rel_step, low=0.0, high=0.1, low_open=True),
        )
        test, train, diag = optimizer.simulate_with(FeatureLearningSimulator(problem))
        if not (np.all(np.isfinite(test)) and np.all(np.isfinite(train))):
            raise InvalidParameterError(
                f"the simulation diverged (non-finite loss) at gamma = {gamma:g}: reduce eta.")
        params = describe_problem(spectrum, N, P if optimizer.full_batch else None, optimizer,
                                  seeds=n_seeds, method=method, model=self.name, gamma=gamma)
        return LossCurves.from_seeds(times_arr, test, train, params, seed=seed, backend="numpy",
                                     time_unit=optimizer.time_unit, diagnostics=diag)

    def predict(self, spectrum: Spectrum, N: Any, P: Any, times: Any, *, gamma: float = 0.0,
                optimizer: Any = None, resolution: Resolution | None = None) -> LossCurves:
        """The theory (gradient flow; P = inf): at N = inf on the teacher's modes (M finite or
        infinite), at finite N on the deterministic equivalent of the weighted spectrum of
        :math:`\\Lambda^{1/2}A_0^\\top A_0\\Lambda^{1/2}/N` (contour nodes, N != M).
        ``extra["gain"]`` is m(t)."""
        spectrum = check_spectrum(spectrum)
        optimizer = check_optimizer(optimizer)
        gamma = check_real("gamma", gamma, low=0.0, high=MAX_THEORY_GAMMA)
        N = check_size("N", N)
        _require_infinite_P(P, "theory")
        times_arr = check_times("times", times)
        engine = FeatureLearningTheory(spectrum, gamma, times_arr, resolution or Resolution(), N)
        loss, extra = optimizer.predict_with(engine)
        params = describe_problem(spectrum, N, P, optimizer, model=self.name, gamma=gamma)
        return LossCurves.from_theory(times_arr, loss, loss + spectrum.sigma**2, params,
                                      time_unit=optimizer.time_unit,
                                      extra={"gain": extra["gain"]},
                                      diagnostics={"nodes": extra["nodes"]})


def _require_infinite_P(P: Any, engine: str) -> None:
    """Refuse finite data: P < infinity with gamma > 0 is not derived."""
    if P is None or not math.isinf(check_size("P", P)):
        raise InvalidParameterError(
            f"`P` = {P} is not supported by the feature-learning {engine}: only P = inf "
            "(population gradient) is derived; finite data with gamma > 0 is not.")
