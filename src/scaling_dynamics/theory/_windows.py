r"""One hyperbolic contour for a whole window of times (Weideman & Trefethen 2007).

The fixed Talbot rule of :mod:`._inversion` scales its nodes with ``1/t``, so every time
needs its own transform values. A hyperbola

.. math::  s(u) = \mu\,(1 + \sin(iu - \alpha)), \qquad u_k = kh, \quad k = -K..K, \qquad
           \mu = q/t_0,

serves every :math:`t \in [t_0, \Lambda t_0]` with one node set, for transforms whose
singularities lie on the negative real axis:

.. math::  f(t) \approx \operatorname{Re}\sum_{k=0}^{K} w_k(t) F(s_k), \qquad
           w_k = \frac{h}{\pi i}\, s'(u_k)\, e^{s_k t}\ (k \ge 1), \qquad w_0 = \tfrac12 (\ldots).

Parameters for :math:`\Lambda = 10`, :math:`K = 28` (:data:`WINDOW_NODES` + 1 nodes on
the upper half): :math:`\alpha = 1.14`, :math:`q = 4.287`, :math:`h = 2.75/K`, chosen by a
search that minimised the largest error over 25 times of the window on eight transforms
with known inverses (poles at 0, 1e-3, 0.1, 1, 10; :math:`s^{-1/2}`,
:math:`1/(s\sqrt{s+1})`, :math:`\log(1 + 1/s)`): 3.3e-12 relative (to
:math:`\max(|f|, 10^{-3})`). On it :math:`|e^{st}| \le e^{q\Lambda(1-\sin\alpha)} = e^{3.9}`
(round-off amplification), and :math:`|\operatorname{Im} s| \le 13.9/t_0` (so that a
contour in :math:`s = \log r` stays in the strip :math:`|\operatorname{Im} s| < \pi` for
:math:`t_0 \ge 16`).
"""

from __future__ import annotations

import math

import numpy as np

from ._inversion import ContourRule

__all__ = ["window_rule", "window_starts", "WINDOW_RATIO", "WINDOW_NODES", "WINDOW_IM_EXTENT"]

#: Ratio of the last to the first time of one window.
WINDOW_RATIO = 10.0
#: K: nodes u_1..u_K above the real node u_0.
WINDOW_NODES = 28
_ALPHA = 1.14
_Q = 4.287
_H = 2.75 / WINDOW_NODES
#: max |Im s| on the contour times t_0.
WINDOW_IM_EXTENT = _Q * math.sinh(WINDOW_NODES * _H) * math.cos(_ALPHA)


def window_starts(times: np.ndarray, first: float) -> np.ndarray:
    """Window index of each time ``>= first``: window ``j`` holds ``[first 10^j, first 10^(j+1)]``."""
    t = np.asarray(times, dtype=np.float64)
    return np.floor(np.log(t / first) / math.log(WINDOW_RATIO) + 1e-12).astype(np.int64)


def window_rule(times: np.ndarray, t0: float) -> ContourRule:
    r"""The hyperbola of the module notes for ``t0 <= times <= 10 t0``; one node row for all times."""
    t = np.asarray(times, dtype=np.float64)
    mu = _Q / t0
    u = np.arange(WINDOW_NODES + 1) * _H
    s = mu * (1.0 + np.sin(1j * u - _ALPHA))
    ds = 1j * mu * np.cos(1j * u - _ALPHA)
    w = (_H / (math.pi * 1j)) * ds[None, :] * np.exp(np.outer(t, s))
    w[:, 0] *= 0.5  # the real node carries its own weight only
    nodes = np.broadcast_to(s, (t.size, s.size))
    return ContourRule(times=t, nodes=nodes, weights=w, name="hyperbola window")
