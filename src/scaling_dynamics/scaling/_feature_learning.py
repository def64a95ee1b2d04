r"""Scaling of the feature-learning model measured from its theory (docs/feature-learning.md).

* :func:`feature_learning_frontier`: the compute-optimal frontier (C = N t) of the
  finite-N theory (deterministic-equivalent nodes, P = inf, gradient flow), fitted
  exponents beside the closed forms of
  :func:`~scaling_dynamics.models.feature_learning.feature_learning_exponents`
  (hard tasks: :math:`L^* \sim C^{-\alpha\beta\chi/(\alpha\beta+\chi)}`, i.e. lazy
  :math:`(a-1)/(b+1)`, rich :math:`2(a-1)/(a+b+1)`; rich :math:`N^* \sim C^{2/(a+b+1)}`).
* :func:`crossover`: the lazy-to-rich crossover time and its constant,

  .. math:: t_\times(\gamma) = \min\{t \ge 10 :\ -\frac{d\log L}{d\log t} \ge
            \tfrac12(\beta + \chi_{rich})\}, \qquad t_\times \simeq c\,\gamma^{-1/(1-\beta)},

  measured on the N = M = infinity theory: the local slope is the finite difference
  between neighbouring points of the 20-per-decade grid :math:`t = 10^{k/20}`, placed at
  their geometric midpoint, the crossing is interpolated linearly in :math:`\log t`
  (this reproduces the shared doc's section 5 table), and :math:`c = t_\times(\gamma_{ref})\gamma_{ref}^{1/(1-\beta)}`
  at the reference richness :math:`\gamma_{ref} = 10^{-4(1-\beta)}`, where the closed form
  puts :math:`t_\times` near :math:`10^4` (far enough from t = 10 that the slope starts
  lazy, and the constant drifts only slowly with :math:`\gamma`: the measured exponent is
  -1.435 for -1/(1 - beta) = -1.4286 at beta = 0.3).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._blas import one_blas_thread
from .._errors import InvalidParameterError
from .._records import Record
from .._validation import check_real
from ..spectra import Spectrum
from ._frontier import Frontier, optimize_frontier

__all__ = ["FeatureLearningLoss", "FeatureLearningFrontier", "feature_learning_frontier",
           "Crossover", "crossover", "crossover_time"]

_PER_DECADE = 20
_T_START = 10.0
_T_REF = 1e4  # the crossover time the reference richness is chosen for


@dataclass(frozen=True, eq=False)
class FeatureLearningLoss:
    """The feature-learning theory's test loss ``loss(N, times)`` at richness ``gamma`` (N rounded)."""

    spectrum: Spectrum
    gamma: float

    def __call__(self, N: float, times: Any) -> np.ndarray:
        from ..models import predict

        n = max(1, int(round(N)))
        return predict(self.spectrum, n, math.inf, np.asarray(times, dtype=np.float64),
                       model="feature-learning", gamma=self.gamma).test_loss


@dataclass(frozen=True, eq=False)
class FeatureLearningFrontier(Record):
    r"""The frontier of the feature-learning theory and its closed forms.

    Attributes
    ----------
    gamma : float
    frontier : Frontier
        :math:`N^*, t^*, L^*` per budget and the fitted exponents.
    closed_form : dict
        ``compute_loss``, ``compute_params``, ``compute_steps`` of the model at this gamma
        (rich when gamma > 0; None outside the hard regime, where none is derived).
    closed_form_lazy : dict
        The same at gamma = 0: ``(a-1)/(b+1)``, ``1/(b+1)``, ``b/(b+1)``.
    regime : str
    """

    gamma: float
    frontier: Frontier
    closed_form: dict[str, float | None]
    closed_form_lazy: dict[str, float | None]
    regime: str
    params: dict[str, Any] = field(default_factory=dict)

    def _dict_extra(self) -> dict[str, Any]:
        return {"fitted": self.frontier.fitted()}


def _closed(a: float, b: float, gamma: float) -> tuple[dict[str, float | None], str]:
    from ..models.feature_learning import feature_learning_exponents

    e = feature_learning_exponents(a, b, gamma)
    w = e.width_compute_exponent
    return ({"compute_loss": e.loss_compute_exponent, "compute_params": w,
             "compute_steps": None if w is None else 1.0 - w}, e.regime)


@one_blas_thread
def feature_learning_frontier(
    spectrum: Spectrum, compute: Any, gamma: float, *, min_steps: float = 1.0,
    n_grid: int = 17, xatol: float = 2e-3, progress: bool | None = None,
) -> FeatureLearningFrontier:
    r"""Compute-optimal :math:`N^*, t^*, L^*` of the feature-learning theory at richness gamma.

    .. math:: N^*(C) = \operatorname*{arg\,min}_N L_\gamma(N, t = C/N), \quad t^* = C/N^*

    with :math:`L_\gamma(N, t)` the finite-N theory (P = inf, gradient flow, N rounded;
    N = M is skipped by the theory, so keep M infinite or far from the sizes searched).

    Examples
    --------
    >>> from scaling_dynamics import Spectrum
    >>> import math
    >>> fr = feature_learning_frontier(Spectrum.power_law(2.0, 2.0, math.inf), [1e3, 1e4], 1.0, n_grid=5)
    >>> fr.regime, round(fr.closed_form["compute_loss"], 4)   # rich hard: 2(a-1)/(a+b+1)
    ('hard', 0.4)
    """
    from ..models.feature_learning import MAX_THEORY_GAMMA

    gamma = check_real("gamma", gamma, low=0.0, high=MAX_THEORY_GAMMA)
    if not spectrum.is_power_law:
        raise InvalidParameterError(
            "`spectrum` must be a power law (Spectrum.power_law) for the feature-learning "
            f"frontier's closed forms; got {spectrum.label}.")
    a, b = float(spectrum.a), float(spectrum.b)
    closed, regime = _closed(a, b, gamma)
    lazy, _ = _closed(a, b, 0.0)
    params = {"label": f"{spectrum.label}, P=inf, feature learning gamma={gamma:g}",
              "spectrum": spectrum.label, "a": a, "b": b, "M": spectrum.M, "P": math.inf,
              "sigma": spectrum.sigma, "gamma": gamma, "model": "feature-learning",
              "optimizer": "gf", "source": "theory"}
    fr = optimize_frontier(FeatureLearningLoss(spectrum, gamma), compute, min_steps=min_steps,
                           n_grid=n_grid, xatol=xatol, integer_sizes=True, params=params,
                           progress=progress)
    return FeatureLearningFrontier(gamma=gamma, frontier=fr, closed_form=closed,
                                   closed_form_lazy=lazy, regime=regime, params=params)


@dataclass(frozen=True)
class Crossover(Record):
    r"""The lazy-to-rich crossover of a hard task (module notes for the definition).

    Attributes
    ----------
    a, b, alpha, beta : float
    gamma : float
        The richness asked about.
    constant : float
        :math:`c = t_\times(\gamma_{ref})\gamma_{ref}^{1/(1-\beta)}`.
    reference_gamma : float
        :math:`\gamma_{ref} = 10^{-4(1-\beta)}`.
    exponent : float
        :math:`-1/(1-\beta)`.
    predicted_time : float
        :math:`c\,\gamma^{-1/(1-\beta)}` (inf at gamma = 0).
    measured_time : float or None
        :math:`t_\times(\gamma)` measured directly, when it lies in [10, 1e12]; None when the
        slope is already past the midpoint at t = 10 (large gamma) or gamma = 0.
    target_slope : float
        :math:`(\beta + \chi_{rich})/2`.
    definition : str
    """

    a: float
    b: float
    alpha: float
    beta: float
    gamma: float
    constant: float
    reference_gamma: float
    exponent: float
    predicted_time: float
    measured_time: float | None
    target_slope: float
    definition: str = ("first t >= 10 where the local slope -dlog L/dlog t of the N = M = inf "
                       "theory (finite differences on t = 10^(k/20), at their midpoints, "
                       "interpolated in log t) reaches (beta + chi_rich)/2; c = t_x(gamma_ref) "
                       "gamma_ref^(1/(1-beta)), gamma_ref = 10^(-4(1-beta))")


@one_blas_thread
def crossover_time(a: float, b: float, gamma: float, *, t_max: float = 1e12) -> float | None:
    r""":math:`t_\times(\gamma)` from the N = M = inf theory (module notes); None when the local
    slope already exceeds the midpoint at t = 10, or never reaches it by ``t_max``."""
    from ..models import predict

    beta = (a - 1.0) / b
    if not beta < 1.0:
        raise InvalidParameterError(
            f"the crossover time needs a hard task, beta = (a-1)/b < 1; got beta = {beta:g} "
            f"(a = {a:g}, b = {b:g}).")
    target = 0.5 * (beta + 2.0 * beta / (1.0 + beta))
    spec = Spectrum.power_law(a, b, M=math.inf)
    for stop in (6.0, math.log10(t_max)):  # most crossings lie below 1e6
        k = np.arange(_PER_DECADE - 2, int(round(stop * _PER_DECADE)) + 1)
        t = 10.0 ** (k / _PER_DECADE)  # the doc's 20-per-decade grid, from t = 10^0.9
        loss = predict(spec, math.inf, math.inf, t, model="feature-learning",
                       gamma=gamma).test_loss
        slope = -np.diff(np.log(loss)) / np.diff(np.log(t))
        mid = np.sqrt(t[:-1] * t[1:])  # each finite difference belongs to its midpoint
        late = mid >= _T_START * (1 - 1e-12)
        hit = np.flatnonzero(late & (slope >= target))
        if hit.size:
            j = int(hit[0])
            if j == int(np.flatnonzero(late)[0]):  # already past the midpoint at t = 10
                return None
            frac = (target - slope[j - 1]) / (slope[j] - slope[j - 1])
            return float(mid[j - 1] * (mid[j] / mid[j - 1]) ** frac)
    return None


def crossover(a: float, b: float, gamma: float = 0.0) -> Crossover:
    r"""The measured crossover constant and time of a hard task (module notes).

    >>> x = crossover(a=2.0, b=2.0, gamma=0.01)   # alpha = 2, beta = 0.5
    >>> round(x.constant, 2), round(x.measured_time / x.predicted_time, 2)
    (1.04, 1.0)
    """
    a = check_real("a", a, low=1.0, low_open=True)
    b = check_real("b", b, low=1.0, low_open=True)
    gamma = check_real("gamma", gamma, low=0.0)
    beta = (a - 1.0) / b
    if not beta < 1.0:
        raise InvalidParameterError(
            f"the crossover needs a hard task, beta = (a-1)/b < 1; got beta = {beta:g}.")
    expo = -1.0 / (1.0 - beta)
    g_ref = 10.0 ** (math.log10(_T_REF) / expo)
    t_ref = crossover_time(a, b, g_ref)
    if t_ref is None:
        raise InvalidParameterError(
            f"the crossover of a = {a:g}, b = {b:g} was not found at gamma_ref = {g_ref:.3g} "
            "(t in [10, 1e12]).")
    c = t_ref * g_ref ** (-expo)
    measured = None
    if gamma > 0:
        measured = g_ref == gamma and t_ref or crossover_time(a, b, gamma)
    return Crossover(a=a, b=b, alpha=b, beta=beta, gamma=gamma, constant=c,
                     reference_gamma=g_ref, exponent=expo,
                     predicted_time=c * gamma**expo if gamma > 0 else math.inf,
                     measured_time=measured, target_slope=0.5 * (beta + 2 * beta / (1 + beta)))
