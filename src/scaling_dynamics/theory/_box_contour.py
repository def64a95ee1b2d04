r"""Early steps of heavy ball on a box around its roots in :math:`s = \log r` (Gauss-Legendre panels).

The step-``t`` losses of GD and heavy ball are contour integrals
:math:`\frac{1}{2\pi i}\oint Q(r)\,C(z_m(r))\,r^{t-1}\,dr` around every characteristic root
(:mod:`._contours`). The circle :math:`|r| = 1 + 4/T` needs :math:`6T` nodes because
:math:`r^t` turns ``T`` times around it. In :math:`s = \log r` (:math:`r^{t-1}dr = e^{st}ds`)
the roots of heavy ball with :math:`\beta` near 1 occupy a small cross:

* overdamped modes, :math:`\eta\mu \le (1-\sqrt\beta)^2`: both roots real in
  :math:`[\beta, 1]`, i.e. :math:`s \in [\log\beta, 0]` (the pole of the noise term at
  :math:`r = 1` included);
* underdamped modes: :math:`r = \sqrt\beta e^{\pm i\theta}`,
  :math:`\cos\theta = (1 + \beta - \eta\mu)/(2\sqrt\beta)`, i.e. the vertical segment
  :math:`\operatorname{Re}s = \log\sqrt\beta`, :math:`|\operatorname{Im}s| \le \theta(\mu_{max})`.

Only the part of the circle near :math:`r = 1` (angles up to :math:`\theta(\mu_{max})`, e.g.
0.12 of :math:`\pi` at :math:`\eta = 0.01, \beta = 0.99`) is needed. The box

.. math::  \operatorname{Re}s = \sigma_R = 4/T\ \ (\text{right}), \qquad
           \operatorname{Im}s = \pm Y\ \ (\text{top, bottom}), \qquad
           \operatorname{Re}s = \sigma_L < \log\beta\ \ (\text{left})

encloses the cross; on it :math:`|e^{st}| \le e^{4}` for every :math:`t \le T` (no
cancellation, as on the circle), and the integrand is analytic between the box and the
cross (:math:`z_m` maps the upper half of the strip :math:`|\operatorname{Im}s| < \pi` into
the upper half plane). Each side is cut into panels of :data:`PANEL_NODES`-point
Gauss-Legendre quadrature, each panel no longer than twice the distance from it to the
cross (the quadrature then converges at least like :math:`(1+\sqrt2)^{-2n}`) and than
:math:`\omega/t_*` (:math:`e^{ist}` has at most :math:`\omega = 36` radians on a panel, which
24 nodes integrate to 1e-12; :math:`t_* = \min(T, 40/|\operatorname{Re}s|)` is the latest
step at which the kernel there is above :math:`e^{-40}`). The node count grows like
:math:`T\,Y`, not like :math:`T`: 1.5 nodes per radian of :math:`e^{iYT}` instead of the
circle's 6 per turn of :math:`r^T`.

The rule has the form of :class:`~scaling_dynamics.theory.ContourRule` in the
gradient-flow variable :math:`z = z_m(e^s)`, with :math:`Q(r)` and the kernel in the weights
(upper half of the box; the lower half is its mirror image).
"""

from __future__ import annotations

import math

import numpy as np

from ._inversion import ContourRule

__all__ = ["box_rule", "box_fits", "underdamped_angle", "PANEL_NODES"]

#: Gauss-Legendre nodes per panel.
PANEL_NODES = 24
_OMEGA = 36.0  # radians of e^{i s t} per panel
_RADIUS = 4.0  # sigma_R = _RADIUS / T
_DECAY = 40.0  # the kernel e^{s t} below e^{-_DECAY} does not need resolving
_DISTANCE = 3.0  # panel length <= _DISTANCE x its distance to the cross
_SIDE_GAP = 0.5  # Y = theta_top + _SIDE_GAP * (theta_top - theta_edge) + right-side gap


def underdamped_angle(eta: float, beta: float, mu: float) -> float:
    r""":math:`\theta(\mu)`: the angle of the complex roots (0 when overdamped, :math:`\pi` beyond)."""
    sb = math.sqrt(beta)
    if beta <= 0.0:
        return 0.0 if eta * mu <= 1.0 else math.pi
    c = (1.0 + beta - eta * mu) / (2.0 * sb)
    if c >= 1.0:
        return 0.0
    if c <= -1.0:
        return math.pi
    return math.acos(c)


def _sides(T: float, beta: float, theta_edge: float, theta_top: float):
    """The box's upper half as three segments (start, end) and the cross it must enclose."""
    s_lo = math.log(beta)
    s_mid = 0.5 * s_lo
    sigma_r = _RADIUS / T
    Y = theta_top + _SIDE_GAP * (theta_top - theta_edge) + (sigma_r - s_mid)
    sigma_l = min(2.0 * s_lo, max(-8.0 * _DECAY / T, -5.0))
    corners = [complex(sigma_r, 0.0), complex(sigma_r, Y), complex(sigma_l, Y), complex(sigma_l, 0.0)]
    return corners, (s_lo, s_mid, theta_edge)


def _distance(s: np.ndarray, cross: tuple[float, float, float]) -> np.ndarray:
    """Distance from points ``s`` to the cross: ``[s_lo, 0]`` and ``s_mid + i[-theta, theta]``."""
    s_lo, s_mid, theta = cross
    x, y = s.real, np.abs(s.imag)
    d_real = np.hypot(np.clip(x, s_lo, 0.0) - x, y)
    d_arc = np.hypot(x - s_mid, np.maximum(y - theta, 0.0))
    return np.minimum(d_real, d_arc)


def _allowed(p: complex, q: complex, T: float, cross) -> float:
    """Longest panel allowed on ``p -> q``: the distance rule and the oscillation rule."""
    pts = p + (q - p) * np.linspace(0.0, 1.0, 9)
    d = float(_distance(pts, cross).min())
    re = float(pts.real.max())
    t_star = T if re >= 0.0 else min(T, _DECAY / -re)
    return max(min(_DISTANCE * d, _OMEGA / t_star), 1e-14)


def _panels(a: complex, b: complex, T: float, cross) -> list[tuple[complex, complex]]:
    """Split the segment ``a -> b`` until every panel meets the two length rules."""
    out = []
    stack = [(a, b)]
    while stack:
        p, q = stack.pop()
        length = abs(q - p)
        allowed = _allowed(p, q, T, cross)
        if length <= allowed:
            out.append((p, q))
            continue
        # cut off the longest first piece that satisfies the rules, then go on
        f = 0.8
        for _ in range(200):
            m = p + (q - p) * f
            if abs(m - p) <= _allowed(p, m, T, cross):
                break
            f *= 0.8
        stack.append((m, q))
        out.append((p, m))
    return out


def box_fits(T: float, beta: float, theta_edge: float, theta_top: float) -> bool:
    """Whether the box stays inside the strip ``|Im s| < 0.9 pi`` (where ``z_m`` is one-to-one)."""
    corners, _ = _sides(T, beta, theta_edge, theta_top)
    return 0.0 < beta < 1.0 and corners[1].imag < 0.9 * math.pi


def box_rule(
    times: np.ndarray, T: float, eta: float, beta: float, theta_edge: float, theta_top: float
) -> tuple[ContourRule, dict]:
    r"""The box of the module notes for every step ``t <= T``; one node row for all steps.

    ``theta_edge`` is the angle of the roots at the spectral edge, ``theta_top`` that at the
    enlarged edge (the box passes above it).
    """
    corners, cross = _sides(T, beta, theta_edge, theta_top)
    x, w = np.polynomial.legendre.leggauss(PANEL_NODES)
    nodes, dsw = [], []
    for a, b in zip(corners[:-1], corners[1:], strict=True):
        for p, q in _panels(a, b, T, cross):
            half = 0.5 * (q - p)
            nodes.append(0.5 * (p + q) + half * x)
            dsw.append(half * w)
    s = np.concatenate(nodes)
    ds = np.concatenate(dsw)
    rm1 = np.expm1(s)
    r = rm1 + 1.0
    z = rm1 * (r - beta) / (eta * r)
    Q = (r - beta) / eta
    t = np.asarray(times, dtype=np.float64)
    # (1/2 pi i) int F e^{st} ds over both halves = Re[(1/(pi i)) int_upper F e^{st} ds]
    wts = (1.0 / (math.pi * 1j)) * (ds * Q)[None, :] * np.exp(t[:, None] * s[None, :])
    rule = ContourRule(times=t, nodes=np.broadcast_to(z, (t.size, z.size)), weights=wts,
                       name="box in log r")
    return rule, {"box_corners": [complex(c) for c in corners], "n_box_nodes": int(s.size)}
