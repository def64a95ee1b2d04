r"""Numerical inverse Laplace transforms in one and two variables (contour quadrature).

The theory gives its answers as Laplace transforms :math:`F(z) = \int_0^\infty e^{-zt} f(t)\,dt`
known only pointwise; the loss is a two-variable transform :math:`C(z, z')` read on the
diagonal :math:`t = t'` (theory.md sections 2-3). This module turns such pointwise
transforms into functions of time.

The contour interface
---------------------
A :class:`ContourRule` holds, for each requested time :math:`t_i`, nodes :math:`s_{ij}`
in the closed upper half plane and complex weights :math:`w_{ij}` such that, for a
real-valued :math:`f` (so :math:`F(\bar s) = \overline{F(s)}`),

.. math::  f(t_i) \approx \operatorname{Re} \sum_j w_{ij}\, F(s_{ij}).

Only the upper half of a contour symmetric about the real axis is stored; a real node
(if any) carries its full weight, every other node half of the pair's. Any rule of this
form works with :func:`invert_laplace` and :func:`invert_laplace_2d`, so a new contour
(a hyperbola shared by a window of times, a contour in another variable such as
:math:`s = \log(1 + \eta z)` for discrete time) only has to produce nodes and weights.

In two variables, with rules :math:`(p_j, w_j)` for ``t`` and :math:`(q_k, v_k)` for ``t'``,
the full double sum over both contours reduces exactly (using
:math:`C(\bar p, \bar q) = \overline{C(p, q)}`) to the upper half in ``p`` and *both*
halves in ``q``:

.. math::  f(t, t') \approx \tfrac12 \operatorname{Re} \sum_{j,k}
           \big[ w_j v_k\, C(p_j, q_k) + w_j \bar v_k\, C(p_j, \bar q_k) \big].

Using the upper halves only would drop the second term and give a wrong answer.

Fixed Talbot rule (default)
---------------------------
Abate & Whitt (2006): with :math:`n` nodes, :math:`r = 2n/5`, :math:`\theta_k = k\pi/n`,

.. math::  s_k = \frac{r\theta_k(\cot\theta_k + i)}{t}\ (s_0 = r/t), \quad
           w_0 = \frac{r e^{r}}{2nt}, \quad
           w_k = \frac{r}{nt} e^{t s_k}\big[1 + i\theta_k(1 + \cot^2\theta_k) - i\cot\theta_k\big].

The contour wraps the negative real axis, where the transforms of this model have all
their singularities (the spectrum of the training operator and the pole at 0).

Accuracy and the cancellation trap: the factors :math:`e^{t s_k}` reach :math:`e^{r}` on
the contour, so round-off in :math:`F` is amplified by about :math:`e^{r}/n` in one
variable and by its square in two. In float64 the best node count is 16-24 per variable:
measured errors on transforms with known inverses are about 1e-12 (1-D, n = 24) and 1e-10
(2-D, n = 18), and they grow again beyond (see ``tests/test_theory_inversion.py`` and
``benchmarks/results/theory_inversion.md``); 48 nodes return garbage.

References
----------
J. Abate and W. Whitt, "A unified framework for numerically inverting Laplace transforms",
INFORMS J. Computing 18 (2006) 408-421.
J. A. C. Weideman and L. N. Trefethen, "Parabolic and hyperbolic contours for computing the
Bromwich integral", Math. Comp. 76 (2007) 1341-1356.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._errors import InvalidParameterError
from .._validation import as_float_array, check_int

__all__ = [
    "ContourRule",
    "talbot_rule",
    "hyperbola_windows",
    "invert_laplace",
    "invert_laplace_2d",
    "DEFAULT_NODES_1D",
    "DEFAULT_NODES_2D",
    "MAX_NODES",
]

#: Default node counts: near the float64 optimum of each dimension.
DEFAULT_NODES_1D = 24
DEFAULT_NODES_2D = 18
#: More nodes than this only amplify round-off in float64.
MAX_NODES = 40

#: Hyperbolic window rule: ratio of the last to the first time one contour serves, and the
#: contour's shape (Weideman & Trefethen 2007) for ``n`` upper-half nodes: angle ``alpha``,
#: node spacing ``h = _HYP_SPAN / n`` and scale ``mu = _HYP_MU n / t0``.
WINDOW_RATIO = 10.0
_HYP_ALPHA = 1.0
_HYP_SPAN = 3.0
_HYP_MU = 0.12
#: Nodes of the hyperbola per node of a per-time Talbot rule, for the same accuracy.
HYPERBOLA_PER_TALBOT = 4.0 / 3.0


@dataclass(frozen=True, eq=False)
class ContourRule:
    r"""Nodes and weights of a quadrature for the Bromwich integral, one row per time.

    :math:`f(t_i) \approx \operatorname{Re}\sum_j` ``weights[i, j]`` :math:`F(`\ ``nodes[i, j]``:math:`)`.

    Attributes
    ----------
    times : ndarray, shape (n_times,)
        Positive times.
    nodes : ndarray of complex, shape (n_times, n_nodes)
        Upper half of a contour symmetric about the real axis (``Im >= 0``).
    weights : ndarray of complex, shape (n_times, n_nodes)
        A real node carries its full weight; complex nodes half the weight of their pair.
    name : str
        Which rule produced it (``"talbot"``...).
    """

    times: np.ndarray
    nodes: np.ndarray
    weights: np.ndarray
    name: str = "talbot"

    @property
    def n_nodes(self) -> int:
        return int(self.nodes.shape[1])

    def full_second_variable(self) -> tuple[np.ndarray, np.ndarray]:
        """Nodes and weights of both halves, shape (n_times, 2 n_nodes), for the second variable."""
        return (
            np.concatenate([self.nodes, self.nodes.conj()], axis=1),
            np.concatenate([self.weights, self.weights.conj()], axis=1),
        )

    def subset(self, index: Any) -> ContourRule:
        """The rule restricted to some times (rows)."""
        return ContourRule(self.times[index], self.nodes[index], self.weights[index], self.name)


def _check_times(times: Any) -> np.ndarray:
    t = as_float_array("times", np.atleast_1d(np.asarray(times, dtype=object)).tolist(), positive=True)
    return t


def talbot_rule(times: Any, n_nodes: int = DEFAULT_NODES_1D) -> ContourRule:
    r"""The fixed Talbot rule of Abate & Whitt at each time (nodes scale with ``1/t``).

    Parameters
    ----------
    times : array_like
        Positive times.
    n_nodes : int
        Nodes on the upper half contour (2..40; 16-24 is the float64 optimum).

    Returns
    -------
    ContourRule

    Examples
    --------
    >>> import numpy as np
    >>> rule = talbot_rule([1.0, 2.0], n_nodes=20)
    >>> f = np.real((rule.weights * (1 / (rule.nodes + 1))).sum(axis=1))
    >>> np.allclose(f, np.exp(-np.array([1.0, 2.0])), rtol=1e-10)
    True
    """
    t = _check_times(times)
    n = check_int("n_nodes", n_nodes, low=2, high=MAX_NODES)
    r = 2.0 * n / 5.0
    theta = np.arange(1, n) * math.pi / n
    cot = 1.0 / np.tan(theta)
    delta = np.empty(n, dtype=np.complex128)
    gamma = np.empty(n, dtype=np.complex128)
    delta[0] = r
    gamma[0] = 0.5 * math.exp(r)
    delta[1:] = r * theta * (cot + 1j)
    gamma[1:] = np.exp(delta[1:]) * (1.0 + 1j * theta * (1.0 + cot**2) - 1j * cot)
    nodes = delta[None, :] / t[:, None]
    weights = (r / n) * gamma[None, :] / t[:, None]
    return ContourRule(times=t, nodes=nodes, weights=weights, name="talbot")


def hyperbola_windows(times: Any, n_nodes: int = 24) -> list[tuple[np.ndarray, ContourRule]]:
    r"""Windows of times, each served by one hyperbolic contour with a shared node set.

    The times (sorted) are cut into windows :math:`[t_0, \Lambda t_0]` with
    :math:`\Lambda` = :data:`WINDOW_RATIO` (a decade); each window gets the hyperbola of
    Weideman & Trefethen (2007),

    .. math::  z(u) = \mu\,(1 + \sin(iu - \alpha)), \qquad u_k = kh,\ k = 0..n-1,
               \qquad f(t) \approx \operatorname{Re}\sum_k c_k e^{z_k t} F(z_k),

    with :math:`c_0 = h z'(0)/(2\pi i)`, :math:`c_k = h z'(u_k)/(\pi i)` (the pair
    :math:`k, -k` merged), :math:`\alpha = 1`, :math:`h = 3.2/n`, :math:`\mu = 0.11\,n/t_0`.
    These parameters were chosen by minimising the error of two-variable inversions of sums
    of exponentials with rates spread over 13 decades plus a constant, over every time of the
    window: about 1e-10 of :math:`f(0)` at ``n = 18`` (``docs/theory.md`` section 6).
    Every time of a window shares the nodes, so a transform is evaluated at ``n`` nodes per
    decade of times instead of ``n`` per time.

    Parameters
    ----------
    times : array_like
        Positive times (any order).
    n_nodes : int
        Nodes on the upper half of each hyperbola (2..64; default 24, about 3e-11).

    Returns
    -------
    list of (index, ContourRule)
        ``index`` into ``times`` of the window's times, and a rule whose ``nodes`` have the
        same row for every time of the window (the window's first time sets the scale).

    Examples
    --------
    >>> import numpy as np
    >>> t = np.geomspace(0.1, 100, 7)
    >>> f = np.empty(t.size)
    >>> for idx, rule in hyperbola_windows(t):
    ...     f[idx] = np.real((rule.weights / (rule.nodes + 1)).sum(axis=1))
    >>> np.allclose(f, np.exp(-t), rtol=0, atol=1e-10)
    True
    """
    t = _check_times(times)
    n = check_int("n_nodes", n_nodes, low=2, high=64)
    h = _HYP_SPAN / n
    u = np.arange(n) * h
    shape = 1.0 + np.sin(1j * u - _HYP_ALPHA)  # z / mu
    dshape = 1j * np.cos(1j * u - _HYP_ALPHA)  # z'(u) / mu
    coef = h * dshape / (math.pi * 1j)
    coef[0] *= 0.5
    order = np.argsort(t, kind="stable")
    out: list[tuple[np.ndarray, ContourRule]] = []
    start = 0
    while start < order.size:
        t0 = t[order[start]]
        stop = start + int(np.searchsorted(t[order[start:]], WINDOW_RATIO * t0, side="right"))
        idx = order[start:stop]
        mu = _HYP_MU * n / t0
        z = mu * shape
        tw = t[idx]
        weights = (mu * coef)[None, :] * np.exp(tw[:, None] * z[None, :])
        nodes = np.broadcast_to(z, (idx.size, n))
        out.append((idx, ContourRule(times=tw, nodes=nodes, weights=weights, name="hyperbola")))
        start = stop
    return out


def invert_laplace(
    F: Callable[[np.ndarray], Any],
    times: Any,
    *,
    n_nodes: int = DEFAULT_NODES_1D,
    rule: ContourRule | None = None,
) -> np.ndarray:
    r"""Inverse Laplace transform :math:`f(t)` of a transform known pointwise.

    .. math::  f(t) = \frac{1}{2\pi i}\int_{\mathcal C} e^{zt} F(z)\,dz
               \approx \operatorname{Re}\sum_j w_j(t) F(s_j(t)).

    Parameters
    ----------
    F : callable
        Vectorised transform: takes a complex array (any shape) and returns an array of
        the same shape. ``F`` must satisfy :math:`F(\bar z) = \overline{F(z)}` (real ``f``)
        and be analytic off the negative real axis.
    times : array_like
        Positive times.
    n_nodes : int
        Talbot nodes (default 24) when ``rule`` is not given.
    rule : ContourRule, optional
        Any rule of the contour interface (then ``times`` must equal ``rule.times``).

    Returns
    -------
    ndarray, shape (n_times,)

    Examples
    --------
    >>> import numpy as np
    >>> t = np.array([0.5, 1.0, 4.0])
    >>> f = invert_laplace(lambda s: s ** -1.5, t)  # t^{1/2} / Gamma(3/2)
    >>> np.allclose(f, np.sqrt(t) / 0.886226925452758, rtol=1e-10)
    True
    """
    if rule is None:
        rule = talbot_rule(times, n_nodes)
    values = np.asarray(F(rule.nodes))
    if values.shape != rule.nodes.shape:
        raise InvalidParameterError(
            f"`F` must return an array of the shape of its argument {rule.nodes.shape}; "
            f"got {values.shape}."
        )
    return np.real(np.sum(rule.weights * values, axis=1))


def invert_laplace_2d(
    F: Callable[[np.ndarray, np.ndarray], Any],
    times: Any,
    second_times: Any | None = None,
    *,
    n_nodes: int = DEFAULT_NODES_2D,
) -> np.ndarray:
    r"""Two-variable inverse Laplace transform :math:`f(t_i, s_i)` (default: the diagonal ``s = t``).

    .. math::  f(t, s) \approx \tfrac12\operatorname{Re}\sum_{j,k}
               \big[w_j v_k F(p_j, q_k) + w_j \bar v_k F(p_j, \bar q_k)\big]

    with Talbot rules :math:`(p, w)` at ``t`` and :math:`(q, v)` at ``s`` (module notes).

    Parameters
    ----------
    F : callable
        ``F(p, q)`` on broadcastable complex arrays; ``p`` has shape (n_times, n, 1) and
        ``q`` shape (n_times, 1, 2n). It must satisfy
        :math:`F(\bar p, \bar q) = \overline{F(p, q)}`.
    times : array_like
        Positive first times ``t``.
    second_times : array_like, optional
        Positive second times ``s`` (same length); default ``times``.
    n_nodes : int
        Talbot nodes per variable (default 18; 16-24 is the float64 optimum).

    Returns
    -------
    ndarray, shape (n_times,)

    Examples
    --------
    >>> import numpy as np
    >>> t = np.array([0.3, 1.0, 3.0])
    >>> f = invert_laplace_2d(lambda p, q: 1 / ((p + 1) * (q + 2)), t)
    >>> np.allclose(f, np.exp(-3 * t), rtol=1e-8)
    True
    """
    rule_t = talbot_rule(times, n_nodes)
    rule_s = rule_t if second_times is None else talbot_rule(second_times, n_nodes)
    if rule_s.times.shape != rule_t.times.shape:
        raise InvalidParameterError(
            f"`second_times` must have the length of `times` ({rule_t.times.size}); "
            f"got {rule_s.times.size}."
        )
    q, v = rule_s.full_second_variable()
    values = np.asarray(F(rule_t.nodes[:, :, None], q[:, None, :]))
    expected = (rule_t.times.size, rule_t.n_nodes, q.shape[1])
    if values.shape != expected:
        raise InvalidParameterError(
            f"`F` must return an array of the broadcast shape {expected}; got {values.shape}."
        )
    return combine_2d(rule_t.weights, v, values)


def combine_2d(w: np.ndarray, v_full: np.ndarray, values: np.ndarray) -> np.ndarray:
    r"""The 2-D quadrature sum :math:`\tfrac12\operatorname{Re}\sum_{jk} w_j V_k C_{jk}`.

    ``w``: (n_times, n) weights of the first variable; ``v_full``: (n_times, 2n) weights of
    both halves of the second; ``values``: (..., n_times, n, 2n) transform values (leading
    axes are kept, e.g. several correlation functions at once).
    """
    return 0.5 * np.real(np.einsum("tj,...tjk,tk->...t", w, values, v_full))
