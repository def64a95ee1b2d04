r"""Heavy-ball momentum in continuous time: :math:`m\ddot v + \dot v = -F(Gv - b)`.

The small-step limit of discrete heavy ball. With step :math:`\eta`, momentum
:math:`\beta` and :math:`h = \eta/(1-\beta)` the update
:math:`(v_{t+1} - v_t) - \beta(v_t - v_{t-1}) = -\eta F(Gv_t - b)` reads
:math:`(1-\beta)h\,\dot v + h^2\ddot v = -\eta F(Gv - b) + O(h^3)`; dividing by
:math:`\eta`, time :math:`\tau = th` and mass

.. math::  m = \frac{\eta}{(1-\beta)^2}

give the flow :math:`m\ddot v + \dot v = -F(Gv - b)`, :math:`v(0) = w^*`, :math:`\dot v(0) = 0`
(the discrete start :math:`v_{-1} = v_0`). :math:`m = 0` is gradient flow.

Laplace domain. With :math:`V(z) = \int_0^\infty e^{-z\tau}v\,d\tau`,
:math:`m(z^2V - zv_0) + (zV - v_0) = -FGV + Fb/z`, i.e. with :math:`\zeta = z + mz^2`,

.. math::  (\zeta + FG)V = (1 + mz)\Big(v_0 + \frac{Fb}{\zeta}\Big) \quad\Longrightarrow\quad
           V(z) = (1 + mz)\, v_{GF}(\zeta(z)),

noise included (:math:`z(1+mz) = \zeta`). Every gradient-flow correlation carries over:
:math:`L(\tau) = \mathcal L^{-1}_2[(1+mz)(1+mz')C_0(\zeta(z), \zeta(z'))](\tau, \tau)`, the
continuous analogue of the discrete map :math:`z_m(r)` (indeed :math:`z_m(e^{hz})
\to z + mz^2` in the limit above).

Where the singularities are. :math:`\zeta(z) = -\mu` has roots
:math:`z = -\frac{1}{2m} \pm \omega`, :math:`\omega = \sqrt{1 - 4m\mu}/(2m)`: real in
:math:`[-1/m, 0]` for overdamped modes (:math:`4m\mu \le 1`), on the vertical segment
:math:`\operatorname{Re} z = -1/(2m)`, :math:`|\operatorname{Im} z| \le Y = \sqrt{4m\mu_{max} - 1}/(2m)`
for underdamped ones, which oscillate and decay like :math:`e^{-\tau/(2m)}`.

Contours (the continuous analogue of the discrete circle / Talbot split):

* :math:`\tau > T_1 = 2m\log(10^9)`, or every mode overdamped: the fixed Talbot rule in
  :math:`z` (the underdamped singularities it leaves out contribute :math:`< 10^{-9}`);
* :math:`\tau \le T_1`: an ellipse centred at :math:`-1/(2m)`, horizontal semi-axis
  :math:`a = 1/(2m) + 4/T_1`, vertical semi-axis :math:`b = \sqrt{a^2 + (1.1Y)^2}`. It encloses
  every singularity, and :math:`\operatorname{Re} z \le 4/T_1` on it, so the kernel
  :math:`e^{z\tau}` is at most :math:`e^4` for every :math:`\tau \le T_1`: one node set
  serves all early times. Its foci :math:`-\frac1{2m} \pm i\sqrt{b^2-a^2}` lie beyond the
  underdamped segment, and the trapezoidal rule converges like :math:`e^{-4n/(bT_1)}` (the
  pole at :math:`z = 0` sits :math:`4/T_1` inside the tip), so :math:`n = 6bT_1` nodes give about
  :math:`e^{-24}`.

Checks (``tests/test_theory_momentum_flow.py``): :math:`N = P = \infty` against the exact
per-mode solution :math:`\sum_k\lambda_k(w^*_k)^2 p_\tau(\lambda_k)^2`,
:math:`p_\tau(\mu) = e^{-\tau/(2m)}[\cosh\omega\tau + \sinh(\omega\tau)/(2m\omega)]`; ellipse
against Talbot where both apply; and discrete heavy ball at small :math:`\eta` with
:math:`\beta = 1 - \sqrt{\eta/m}`, step :math:`t = \tau/\sqrt{\eta m}`, whose difference from
the flow shrinks linearly in :math:`h = \sqrt{\eta m}`.
"""

from __future__ import annotations

import math
import time as _time
from typing import Any

import numpy as np

from ..spectra import Spectrum
from ._inversion import ContourRule, talbot_rule
from ._terms import TheoryTerms
from ._two_contour import two_contour_terms

__all__ = ["momentum_flow_terms", "flow_switch_time", "FLOW_SWITCH_TOL"]

FLOW_SWITCH_TOL = 1e-9
_RADIUS = 4.0  # kernel at most e^4 on the ellipse
_NODES_PER_WIDTH = 6.0


def _underdamped_height(mass: float, mu_max: float) -> float:
    """:math:`Y`: largest |Im z| of a singularity (0 when every mode is overdamped)."""
    mu = 1.05 * mu_max
    d = 4.0 * mass * mu - 1.0
    return math.sqrt(d) / (2.0 * mass) if d > 0.0 else 0.0


def flow_switch_time(mass: float, mu_max: float) -> float:
    """:math:`T_1`: the last time computed on the ellipse (0 when every mode is overdamped)."""
    if _underdamped_height(mass, mu_max) == 0.0:
        return 0.0
    return 2.0 * mass * math.log(1.0 / FLOW_SWITCH_TOL)


def _ellipse_rule(times: np.ndarray, T: float, mass: float, Y: float) -> tuple[ContourRule, dict]:
    """The ellipse of the module notes in the HB variable, mapped to :math:`\\zeta = z + mz^2`."""
    z0 = -0.5 / mass
    a = 0.5 / mass + _RADIUS / T
    b = math.sqrt(a * a + (1.1 * Y) ** 2)
    n = max(_NODES_PER_WIDTH * b * T, 64.0)
    n = int(math.ceil(n / 4.0)) * 4  # n = 0 mod 4: no node at theta = pi/2 (real zeta)
    theta = 2.0 * math.pi * (np.arange(n // 2) + 0.5) / n
    z = z0 + a * np.cos(theta) + 1j * b * np.sin(theta)
    dz = -a * np.sin(theta) + 1j * b * np.cos(theta)
    t = np.asarray(times, dtype=np.float64)
    # (1/2 pi i) oint F e^{z t} dz ~ (1/(i n)) sum F e^{z t} z'; rule weight = 2 x that
    w = (2.0 / (1j * n)) * (dz * (1.0 + mass * z))[None, :] * np.exp(t[:, None] * z[None, :])
    zeta = z + mass * z * z
    rule = ContourRule(
        times=t, nodes=np.broadcast_to(zeta, (t.size, zeta.size)), weights=w, name="ellipse"
    )
    return rule, {"ellipse_semi_axes": (a, b), "n_ellipse_nodes": n}


def _talbot_flow_rule(times: np.ndarray, n_nodes: int, mass: float) -> ContourRule:
    base = talbot_rule(times, n_nodes)
    z = base.nodes
    return ContourRule(
        times=base.times, nodes=z + mass * z * z, weights=base.weights * (1.0 + mass * z),
        name="talbot-momentum-flow",
    )


def momentum_flow_terms(
    spectrum: Spectrum,
    N: float,
    P: float,
    times: np.ndarray,
    mass: float,
    mu_max: float,
    *,
    n_nodes: int = 18,
    compress: str = "auto",
    tol: float = 1e-13,
    progress: bool | None = None,
    switch: float | None = None,
) -> TheoryTerms:
    """All curves of continuous heavy ball at validated times (internal; ``switch`` overrides T1)."""
    started = _time.perf_counter()
    Y = _underdamped_height(mass, mu_max)
    T1 = flow_switch_time(mass, mu_max) if switch is None else float(switch)
    diag: dict[str, Any] = {"mu_max": mu_max, "switch_time": T1, "underdamped_height": Y}

    def early_rule(t: np.ndarray, Tc: float) -> tuple[ContourRule, dict[str, Any]]:
        # the ellipse must enclose the underdamped segment even if Y is tiny
        return _ellipse_rule(t, Tc, mass, Y)

    def late_rule(t: np.ndarray) -> ContourRule:
        return _talbot_flow_rule(t, n_nodes, mass)

    out = two_contour_terms(
        spectrum, N, P, times, T1, early_rule, late_rule, diag,
        compress=compress, tol=tol, progress=progress,
        what=f"momentum-flow theory (mass = {mass})",
        names=("ellipse", "talbot"),
    )
    diag["wall_time_s"] = _time.perf_counter() - started
    return TheoryTerms(times=times, diagnostics=diag, **out)
