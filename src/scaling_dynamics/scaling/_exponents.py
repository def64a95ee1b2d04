r"""Closed-form scaling exponents of the power-law family (theory.md section 5).

For :math:`\lambda_k = k^{-b}` and task power :math:`\lambda_k (w^*_k)^2 = k^{-a}`
(``a > 1``, ``b > 1``) and :math:`m = \min(a - 1, 2b)`, Bordelon, Atanasov & Pehlevan
(2024, Eq. 17) give

=================  ==========================================  =========================
bottleneck          loss                                        field
=================  ==========================================  =========================
time (N, P = inf)   :math:`L \sim t^{-(a-1)/b}`                  ``time``
data (t, N = inf)   :math:`L \sim P^{-m}`                        ``data``
model (t, P = inf)  :math:`L \sim N^{-m}`                        ``model``
compute C = N t     :math:`L^* \sim C^{-(a-1)m/(a-1+bm)}`        ``compute_loss``
                    :math:`N^* \sim C^{(a-1)/(a-1+bm)}`          ``compute_params``
                    :math:`t^* \sim C^{bm/(a-1+bm)}`             ``compute_steps``
=================  ==========================================  =========================

Loss exponents are *decay rates* (positive numbers r with L ~ x^-r); the
allocation exponents ``compute_params`` and ``compute_steps`` are *growth* rates
and add up to one (C = N t).

The compute-optimal exponents follow from the additive ansatz
:math:`L(N, t) \approx c_t t^{-(a-1)/b} + c_N N^{-m}` minimised at fixed
:math:`C = N t`: the two terms balance when :math:`N^{m} \propto (C/N)^{(a-1)/b}`.

A caveat this package measured (``docs/scaling.md``): the model bottleneck of a
*single* model at :math:`t, P = \infty` is the Lambda-orthogonal projection onto
the span of the random features, whose deterministic equivalent is
:math:`L = \sum_k \lambda_k (w^*_k)^2 \kappa / (\lambda_k + \kappa)` with
:math:`\sum_k \lambda_k / (\lambda_k + \kappa) = N`, :math:`\kappa \sim N^{-b}`.
It decays as :math:`N^{-\min(a-1,\,b)}` (``model_single``), which differs from
:math:`N^{-m}` when :math:`a - 1 > b`; :math:`N^{-m}` is the decay of the bias
(the infinite-ensemble predictor). Paquette et al. (2024) find the same
:math:`d^{-\min(a-1, b)}` floor for one-pass SGD. In that regime the leading
finite-width correction at finite time, :math:`N^{-1} t^{-(1-1/b)}`, balances the
time term :math:`t^{-(a-1)/b}` on the frontier, so a single model's compute-optimal
exponents are (``*_single`` fields; equal to the paper's when :math:`a - 1 \le b`)

.. math:: L^* \sim C^{-(a-1)/a},\qquad N^* \sim C^{(a-b)/a},\qquad t^* \sim C^{b/a}
          \qquad (a - 1 > b),

both measured from the theory's frontier (``tests/test_scaling_frontier.py``).

References
----------
B. Bordelon, A. Atanasov, C. Pehlevan, "A Dynamical Model of Neural Scaling Laws",
ICML 2024, arXiv:2402.01092, section 4 and Eq. 17.
E. Paquette, C. Paquette, L. Xiao, J. Pennington, "4+3 Phases of Compute-Optimal
Neural Scaling Laws", arXiv:2405.15074 (2024).
"""

from __future__ import annotations

from dataclasses import dataclass

from .._records import Record
from .._validation import check_real
from ._summary import summary_repr

__all__ = ["ScalingExponents", "closed_form_exponents"]


@dataclass(frozen=True)
class ScalingExponents(Record):
    r"""Closed-form exponents of the power-law family for one ``(a, b)``.

    Attributes
    ----------
    a, b : float
        Task-power and eigenvalue exponents.
    m : float
        :math:`\min(a - 1, 2b)`, the data and model bottleneck exponent.
    time : float
        :math:`(a-1)/b`: :math:`L \sim t^{-\text{time}}` with N, P infinite.
    data : float
        :math:`m`: :math:`L \sim P^{-\text{data}}` with t, N infinite.
    model : float
        :math:`m`: :math:`L \sim N^{-\text{model}}` with t, P infinite (paper, Eq. 17; the
        decay of the bias, see ``model_single``).
    compute_loss : float
        :math:`(a-1)m/(a-1+bm)`: :math:`L^* \sim C^{-\text{compute\_loss}}`.
    compute_params : float
        :math:`(a-1)/(a-1+bm)`: :math:`N^* \sim C^{\text{compute\_params}}`.
    compute_steps : float
        :math:`bm/(a-1+bm)`: :math:`t^* \sim C^{\text{compute\_steps}}`.
    model_single : float
        :math:`\min(a-1, b)`: the decay of one model's loss with N at t, P infinite
        (deterministic equivalent of the random projection; equals ``model`` when
        :math:`a - 1 \le b`).
    compute_loss_single, compute_params_single, compute_steps_single : float
        Compute-optimal exponents of a single model: the paper's when :math:`a-1 \le b`,
        else :math:`(a-1)/a`, :math:`(a-b)/a`, :math:`b/a` (see the module notes).
    regime : str
        ``"a-1<=b"`` (every closed form above applies to single models),
        ``"b<a-1<=2b"`` or ``"a-1>2b"`` (the model bottleneck of a single model is
        ``model_single``, not ``model``; the compute-optimal forms assume ``model``).
    """

    __repr__ = summary_repr
    _repr_fields = ("a b m regime", "time data model model_single",
                    "compute_loss compute_params compute_steps",
                    "compute_loss_single compute_params_single compute_steps_single")

    a: float
    b: float
    m: float
    time: float
    data: float
    model: float
    compute_loss: float
    compute_params: float
    compute_steps: float
    model_single: float
    compute_loss_single: float
    compute_params_single: float
    compute_steps_single: float
    regime: str


def closed_form_exponents(a: float, b: float) -> ScalingExponents:
    r"""Time, data, model and compute-optimal exponents for the power-law family.

    With :math:`m = \min(a-1, 2b)` (theory.md section 5; Bordelon et al. 2024, Eq. 17):

    .. math::
        L \sim t^{-(a-1)/b},\quad L \sim P^{-m},\quad L \sim N^{-m},\quad
        L^* \sim C^{-\frac{(a-1)m}{a-1+bm}},\quad N^* \sim C^{\frac{a-1}{a-1+bm}},\quad
        t^* \sim C^{\frac{bm}{a-1+bm}}.

    Parameters
    ----------
    a : float
        Task-power exponent, :math:`\lambda_k (w^*_k)^2 = k^{-a}`, ``a > 1``.
    b : float
        Eigenvalue exponent, :math:`\lambda_k = k^{-b}`, ``b > 1``.

    Returns
    -------
    ScalingExponents
        Loss exponents as positive decay rates; allocation exponents as growth rates.

    Raises
    ------
    InvalidParameterError
        If ``a <= 1`` or ``b <= 1`` (or either is not a finite number).

    Notes
    -----
    For ``a - 1 < 2b`` the compute-optimal forms reduce to
    :math:`L^* \sim C^{-(a-1)/(1+b)}`, :math:`N^* \sim C^{1/(1+b)}`,
    :math:`t^* \sim C^{b/(1+b)}`: steps grow faster than parameters when ``b > 1``.
    See the module docstring for ``model_single``.

    Examples
    --------
    >>> e = closed_form_exponents(1.5, 1.25)
    >>> round(e.time, 4), e.model, round(e.compute_loss, 4), round(e.compute_params, 4)
    (0.4, 0.5, 0.2222, 0.4444)
    """
    a = check_real("a", a, low=1.0, low_open=True)
    b = check_real("b", b, low=1.0, low_open=True)
    m = min(a - 1.0, 2.0 * b)
    denom = a - 1.0 + b * m
    if a - 1.0 <= b:
        regime = "a-1<=b"
    elif a - 1.0 <= 2.0 * b:
        regime = "b<a-1<=2b"
    else:
        regime = "a-1>2b"
    paper = ((a - 1.0) * m / denom, (a - 1.0) / denom, b * m / denom)
    single = paper if a - 1.0 <= b else ((a - 1.0) / a, (a - b) / a, b / a)
    return ScalingExponents(
        a=a,
        b=b,
        m=m,
        time=(a - 1.0) / b,
        data=m,
        model=m,
        compute_loss=paper[0],
        compute_params=paper[1],
        compute_steps=paper[2],
        model_single=min(a - 1.0, b),
        compute_loss_single=single[0],
        compute_params_single=single[1],
        compute_steps_single=single[2],
        regime=regime,
    )
