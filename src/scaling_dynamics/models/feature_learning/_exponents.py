r"""Closed-form exponents of the feature-learning model (docs/feature-learning.md section 8).

In the talk's notation :math:`\alpha = b` (capacity) and :math:`\beta = (a-1)/b` (source):

* time: :math:`L \sim t^{-\chi}`, lazy :math:`\chi = \beta`, rich (:math:`\gamma > 0`)
  :math:`\chi = \beta\max(1, 2/(1+\beta))`, i.e. :math:`2\beta/(1+\beta)` for hard tasks;
* regime: hard :math:`\beta < 1`, easy :math:`1 \le \beta \le 2 - 1/\alpha`, super-easy
  :math:`\beta > 2 - 1/\alpha` (easy and super-easy are unchanged by :math:`\gamma`);
* width bottleneck :math:`N^{-\alpha\min(\beta, 2)}`, unchanged by feature learning;
* compute-optimal (C = N t, hard tasks): :math:`L^* \sim C^{-\alpha\beta\chi/(\alpha\beta+\chi)}`,
  lazy :math:`(a-1)/(b+1)`, rich :math:`2(a-1)/(a+b+1)`; rich
  :math:`N^* \sim C^{2/(\alpha(1+\beta)+2)}`, lazy :math:`N^* \sim C^{1/(b+1)}`;
* crossover time :math:`t_\times \sim \gamma^{-1/(1-\beta)}` (hard tasks).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..._records import Record
from ..._validation import check_real

__all__ = ["FeatureLearningExponents", "feature_learning_exponents"]


@dataclass(frozen=True)
class FeatureLearningExponents(Record):
    """The closed-form exponents of one (a, b, gamma); None where the doc derives none."""

    a: float
    b: float
    gamma: float
    alpha: float
    beta: float
    regime: str
    chi_lazy: float
    chi_rich: float
    chi: float
    width_exponent: float
    loss_compute_exponent: float | None
    width_compute_exponent: float | None
    crossover_gamma_exponent: float | None


def feature_learning_exponents(a: float, b: float, gamma: float = 0.0) -> FeatureLearningExponents:
    r"""The exponents of the module notes for the library's (a, b) and richness gamma.

    >>> e = feature_learning_exponents(a=2.0, b=2.0, gamma=1.0)   # alpha = 2, beta = 0.5
    >>> e.regime, round(e.chi, 4), round(e.loss_compute_exponent, 4)
    ('hard', 0.6667, 0.4)
    """
    a = check_real("a", a, low=1.0, low_open=True)
    b = check_real("b", b, low=1.0, low_open=True)
    gamma = check_real("gamma", gamma, low=0.0)
    alpha, beta = b, (a - 1.0) / b
    chi_lazy = beta
    chi_rich = beta * max(1.0, 2.0 / (1.0 + beta))
    chi = chi_rich if gamma > 0 else chi_lazy
    if beta < 1.0:
        regime = "hard"
    elif beta <= 2.0 - 1.0 / alpha:
        regime = "easy"
    else:
        regime = "super-easy"
    hard = regime == "hard"
    loss_c = alpha * beta * chi / (alpha * beta + chi) if hard else None
    width_c = None
    if hard:
        width_c = 2.0 / (alpha * (1.0 + beta) + 2.0) if gamma > 0 else 1.0 / (b + 1.0)
    return FeatureLearningExponents(
        a=a, b=b, gamma=gamma, alpha=alpha, beta=beta, regime=regime, chi_lazy=chi_lazy,
        chi_rich=chi_rich, chi=chi, width_exponent=alpha * min(beta, 2.0),
        loss_compute_exponent=loss_c, width_compute_exponent=width_c,
        crossover_gamma_exponent=-1.0 / (1.0 - beta) if hard else None,
    )
