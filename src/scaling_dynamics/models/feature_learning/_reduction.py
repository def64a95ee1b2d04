r"""The reduced dynamics of the feature-learning model: O(nodes) per step, shared by simulation and theory.

Gradient flow on :math:`(w, B)` from :math:`w = 0, B = I` conserves
:math:`BB^\top - (\gamma/N) ww^\top = I`, and the error in the eigenbasis of
:math:`\Lambda^{1/2}A_0^\top A_0\Lambda^{1/2}/N` (eigenvalues :math:`\mu_i`, target
components :math:`z_i`) is :math:`e_i = z_i\phi(\mu_i, t)` with one scalar pair
:math:`(m, r)` for all modes (docs/feature-learning.md section 2):

.. math::
    \dot\phi = -(m\mu - r)\phi - r, \quad \phi(0) = 1, \qquad
    \dot\psi = m\mu - (m\mu - r)\psi, \quad \psi = 1 - \phi,

    D = \sum_i W_i\psi_i\phi_i, \quad q = \sum_i W_i\psi_i^2/\mu_i, \quad
    s = \frac{2q}{1 + \sqrt{1 + 4\gamma q}}, \quad m = 1 + \gamma s, \quad r = \gamma D/m,

    L = L_{floor} + \sum_i W_i\phi_i^2, \qquad W_i = z_i^2.

Both :math:`\phi` and :math:`\psi = 1 - \phi` are carried: :math:`q` needs
:math:`\psi^2/\mu` for :math:`\mu` down to 1e-48, where :math:`1 - \phi` has no digits left.

The nodes :math:`(\mu_i, W_i)` are one draw's eigenpairs (simulation at finite N),
the teacher's modes (N = infinity), or compressed bins of them (the theory).
"""

from __future__ import annotations

import math

import numpy as np

from ...optimizers import slots_by_step

__all__ = ["Nodes", "flow_losses", "gd_losses", "flow_grid"]


class Nodes:
    """Eigenvalues ``mu`` (> 0), weights ``W`` (>= 0) and the width floor of one reduced problem."""

    def __init__(self, mu: np.ndarray, W: np.ndarray, floor: float = 0.0) -> None:
        keep = mu > 0
        self.mu = np.ascontiguousarray(mu[keep], dtype=np.float64)
        self.W = np.ascontiguousarray(W[keep], dtype=np.float64)
        self.W_over_mu = self.W / self.mu
        self.floor = float(floor) + float(np.sum(W[~keep]))  # dead modes never learn

    def gains(self, phi: np.ndarray, psi: np.ndarray, gamma: float) -> tuple[float, float]:
        r"""The gain :math:`m = 1 + \gamma s` and rank-one rate :math:`r = \gamma D/m` of a state."""
        if gamma == 0.0:
            return 1.0, 0.0
        D = float(np.dot(self.W * psi, phi))
        q = float(np.dot(self.W_over_mu * psi, psi))
        s = 2.0 * q / (1.0 + math.sqrt(1.0 + 4.0 * gamma * q))
        m = 1.0 + gamma * s
        return m, gamma * D / m

    def loss(self, phi: np.ndarray) -> float:
        """:math:`L = L_{floor} + \\sum_i W_i\\phi_i^2`."""
        return self.floor + float(np.dot(self.W * phi, phi))


class _Stepper:
    r"""Exact steps of length h with (m, r) frozen, in preallocated buffers:
    :math:`\kappa = m\mu - r`, :math:`F = (1 - e^{-\kappa h})/\kappa` (= h where
    :math:`\kappa = 0`), :math:`\phi \leftarrow e^{-\kappa h}\phi - rF`,
    :math:`\psi \leftarrow e^{-\kappa h}\psi + m\mu F`."""

    def __init__(self, mu: np.ndarray) -> None:
        self.mu = mu
        self.kappa, self.E, self.F, self.tmp = (np.empty_like(mu) for _ in range(4))

    def step(self, phi, psi, m: float, r: float, h: float, out_phi, out_psi) -> None:
        kappa, E, F, tmp = self.kappa, self.E, self.F, self.tmp
        np.multiply(self.mu, m, out=kappa)
        kappa -= r
        np.multiply(kappa, -h, out=tmp)
        np.expm1(tmp, out=tmp)
        np.add(tmp, 1.0, out=E)
        F.fill(-h)
        np.divide(tmp, kappa, out=F, where=kappa != 0.0)  # -F
        np.multiply(E, phi, out=out_phi)
        np.multiply(F, r, out=tmp)
        out_phi += tmp
        np.multiply(E, psi, out=out_psi)
        np.multiply(F, self.mu, out=tmp)
        tmp *= m
        out_psi -= tmp


def flow_grid(times: np.ndarray, rel_step: float, first_step: float) -> np.ndarray:
    """Step end points: uniform ``first_step`` to ``10 first_step``, then ``h = rel_step * t``,
    with every requested time inserted (the integrator lands on each)."""
    t_max = float(np.max(times)) if times.size else 0.0
    if t_max <= 0.0:
        return np.zeros(1)
    t0 = 10.0 * first_step
    early = np.arange(0.0, min(t0, t_max) + 0.5 * first_step, first_step)
    late = t0 * np.exp(np.arange(1, int(math.log(t_max / t0) / math.log1p(rel_step)) + 2)
                       * math.log1p(rel_step)) if t_max > t0 else np.zeros(0)
    grid = np.union1d(np.union1d(early, late[late < t_max]), times)
    return grid[grid <= t_max]


def flow_losses(nodes: Nodes, gamma: float, times: np.ndarray, *, rel_step: float = 0.01,
                first_step: float = 1e-3, with_gains: bool = False):
    r"""Gradient-flow losses at ``times`` by the exponential integrator.

    Each step freezes :math:`(m, r)` at their midpoint values (a half step with the
    start values predicts the midpoint state), so the scheme is second order in the
    step and exact for :math:`\gamma = 0`. Returns the losses (and, with
    ``with_gains``, the gain :math:`m` at each time).
    """
    times = np.asarray(times, dtype=np.float64)
    grid = flow_grid(times, rel_step, first_step)
    want: dict[float, list[int]] = {}
    for j, t in enumerate(times):
        want.setdefault(float(t), []).append(j)
    phi, psi = np.ones_like(nodes.mu), np.zeros_like(nodes.mu)
    half_phi, half_psi = np.empty_like(phi), np.empty_like(phi)
    new_phi, new_psi = np.empty_like(phi), np.empty_like(phi)
    stepper = _Stepper(nodes.mu)
    loss, gain = np.empty(times.size), np.empty(times.size)
    for k, t in enumerate(grid.tolist()):
        if k > 0:
            h = t - grid[k - 1]
            m, r = nodes.gains(phi, psi, gamma)
            if gamma != 0.0:
                stepper.step(phi, psi, m, r, 0.5 * h, half_phi, half_psi)
                m, r = nodes.gains(half_phi, half_psi, gamma)
            stepper.step(phi, psi, m, r, h, new_phi, new_psi)
            phi, new_phi, psi, new_psi = new_phi, phi, new_psi, psi
        slots = want.get(t)
        if slots:
            value, m_now = nodes.loss(phi), nodes.gains(phi, psi, gamma)[0]
            for j in slots:
                loss[j], gain[j] = value, m_now
    return (loss, gain) if with_gains else loss


def gd_losses(nodes: Nodes, gamma: float, eta: float, steps: np.ndarray) -> np.ndarray:
    r"""Discrete GD in the reduced coordinates: with (m, r) of the current state,
    :math:`\phi \leftarrow (1 - \eta\kappa)\phi - \eta r`, :math:`\psi \leftarrow (1 - \eta\kappa)\psi + \eta m\mu`.

    At :math:`\gamma = 0` this is GD exactly (:math:`\phi_n = (1-\eta\mu)^n`); at
    :math:`\gamma > 0` it differs from GD on :math:`(w, B)` by O(eta), because a discrete
    step breaks the conservation law at O(eta^2).
    """
    want = slots_by_step(steps)
    phi = np.ones_like(nodes.mu)
    psi = np.zeros_like(nodes.mu)
    loss = np.empty(len(steps))
    last = int(max(want)) if want else 0
    for n in range(last + 1):
        if n in want:
            value = nodes.loss(phi)
            for j in want[n]:
                loss[j] = value
        if n == last:
            break
        m, r = nodes.gains(phi, psi, gamma)
        contract = 1.0 - eta * (m * nodes.mu - r)
        phi, psi = contract * phi - eta * r, contract * psi + (eta * m) * nodes.mu
    return loss
