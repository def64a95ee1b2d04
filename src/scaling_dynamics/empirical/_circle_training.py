r"""Online SGD of two-layer ReLU networks on the circle task, many networks at once.

The network of :func:`~scaling_dynamics.empirical.make_mlp` with one hidden layer, biases and
the mean-field (muP) readout,

.. math::
    f(\theta) = \frac{1}{\gamma_0 n} \sum_{i=1}^n v_i\,\phi(h_i), \qquad
    h_i = W_i\cdot x/\sqrt 2 + \beta_b b_i, \qquad x = (\cos\theta, \sin\theta),

centred at initialisation (:math:`\tilde f = f - f_0`), trained by one-pass SGD on
:math:`\frac{1}{2B}\sum_\mu (\tilde f(\theta_\mu) - y(\theta_\mu))^2` with fresh angles every
step and step :math:`\eta_s \gamma_0^2 n` on the raw parameters (``lr_scale``). Every
(configuration, seed) pair is one *slot* of batched tensors, so all networks advance in the
same few torch calls per step (the cost per step is dominated by call overhead at these
sizes). Seed s starts from the same weights and sees the same angles in every configuration
(common random numbers), so differences between configurations are not masked by noise.

Step size. A rich network's tangent kernel grows as it learns (the feature-learning model's
gain :math:`m(t)`), so a fixed step that is stable at the start becomes unstable later (loss
spikes). The step is therefore :math:`\eta_s = \eta \min_c \min(1, D_c(0)/D_c(s))`, with
:math:`D_c` the seed mean of the kernel's diagonal
:math:`\frac1n\sum_i[\phi(h_i)^2 + v_i^2\phi'(h_i)(|x|^2/2 + \beta_b^2)]` averaged over a
probe grid of angles (evaluated every ``probe_every`` steps), and the minimum over the
configurations c with the same target q: lazy and rich networks of one target take the same
steps, so they share their times :math:`t = \sum_s \eta_s` (gradient-flow time in units of
the kernel) and their SGD noise per unit time, and differ only by :math:`\gamma_0`. A lazy
network's :math:`D_c` stays put.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._errors import ConvergenceError

__all__ = ["TrainingRun", "train_circle_networks", "TABLE_SIZE"]

#: Angles are drawn uniformly from a grid of this many points, where the target is tabulated
#: exactly (the target's highest frequency K is far below it).
TABLE_SIZE = 1 << 16


@dataclass(frozen=True, eq=False)
class TrainingRun:
    """Test losses of every slot at the recorded steps.

    ``loss[c, s, j]``: configuration c, seed s, record j; ``times[c, j]``: the time of
    configuration c at record j; ``steps[j]``: the step counts.
    """

    steps: np.ndarray
    times: np.ndarray
    loss: np.ndarray
    step_factor: np.ndarray


def target_table(q: float, K: int, size: int = TABLE_SIZE) -> np.ndarray:
    r""":math:`y(\theta_j) = \sum_{k=1}^K k^{-q}\cos(k\theta_j)` on :math:`\theta_j = 2\pi j/\text{size}`."""
    coef = np.zeros(size // 2 + 1)
    coef[1:K + 1] = np.arange(1, K + 1, dtype=float) ** (-q)
    return np.fft.irfft(coef, size) * (size / 2.0)


def train_circle_networks(
    torch: Any,
    init: list[dict[str, np.ndarray]],
    configs: list[tuple[float, float]],
    n_seeds: int,
    *,
    width: int,
    K: int,
    bias_std: float,
    batch: int,
    eta: float,
    steps: int,
    record_steps: np.ndarray,
    n_test: int,
    seed: int,
    dtype: Any,
    probe_every: int = 10,
) -> TrainingRun:
    """Train ``len(configs) * n_seeds`` networks; slot ``c * n_seeds + s`` starts from ``init[s]``.

    ``configs`` are ``(q, gamma0)`` pairs; ``init[s]`` holds the raw weights of seed s
    (``W`` (n, 2), ``b`` (n,), ``v`` (n,)), shared by every configuration.
    """
    C = len(configs)
    S = C * n_seeds
    n = width
    scale_w = 1.0 / math.sqrt(2.0)

    def stack(key: str, factor: float) -> Any:
        arr = np.stack([init[s][key] for _ in range(C) for s in range(n_seeds)]) * factor
        return torch.as_tensor(arr, dtype=dtype)

    W, b, v = stack("W", scale_w), stack("b", bias_std), stack("v", 1.0)
    W0, b0, v0 = W.clone(), b.clone(), v.clone()
    gamma0 = np.repeat([g for _, g in configs], n_seeds)
    c_out = torch.as_tensor(1.0 / (gamma0 * n), dtype=dtype)            # readout 1/(gamma0 n)
    lr_base = torch.as_tensor(eta * gamma0**2 * n, dtype=dtype)        # eta * lr_scale
    qs = sorted({q for q, _ in configs})
    tables = torch.as_tensor(np.stack([target_table(q, K) for q in qs]), dtype=dtype)
    slot_table = torch.as_tensor(np.repeat([qs.index(q) for q, _ in configs], n_seeds))
    gen = torch.Generator()
    gen.manual_seed(int(seed))

    def inputs(theta: Any) -> Any:
        return torch.stack([torch.cos(theta), torch.sin(theta)], -1)

    def forward(x: Any, W: Any, b: Any, v: Any) -> tuple[Any, Any, Any]:
        h = torch.baddbmm(b[:, None, :], x, W.transpose(1, 2))
        a = torch.relu(h)
        return h, a, torch.bmm(a, v[:, :, None])[..., 0] * c_out[:, None]

    # the test grid (exact population loss of a trigonometric polynomial of degree < n_test/2)
    idx_test = torch.arange(n_test) * (TABLE_SIZE // n_test)
    x_test = inputs(idx_test.to(dtype) * (2 * math.pi / TABLE_SIZE)).expand(S, n_test, 2)
    y_test = tables[:, idx_test][slot_table]
    f0_test = forward(x_test, W0, b0, v0)[2]
    x_probe = inputs(torch.arange(64, dtype=dtype) * (2 * math.pi / 64)).expand(S, 64, 2)

    def diagonal() -> Any:
        h, a, _ = forward(x_probe, W, b, v)
        d = (a * a).mean(1).sum(1) + ((h > 0).to(dtype).mean(1) * v * v).sum(1) * (
            0.5 + bias_std**2)
        return (d / n).reshape(C, n_seeds).mean(1)

    # configurations with the same target share their step (the smallest of the group): lazy
    # and rich runs then see the same times and the same SGD noise per step
    group = torch.as_tensor([qs.index(q) for q, _ in configs])
    d_start = diagonal()
    factor = torch.ones(C, dtype=dtype)
    t = np.zeros(C)
    record = {int(s): j for j, s in enumerate(record_steps)}
    loss = np.empty((C, n_seeds, len(record_steps)))
    times = np.empty((C, len(record_steps)))
    factors = np.empty((C, len(record_steps)))
    last = int(max(record_steps))
    for step in range(last + 1):
        if step in record:
            j = record[step]
            with torch.no_grad():
                f = forward(x_test, W, b, v)[2]
                lj = ((f - f0_test - y_test) ** 2).mean(1).reshape(C, n_seeds).numpy()
            if not np.all(np.isfinite(lj)):
                raise ConvergenceError(f"circle-task training diverged by step {step} "
                                       f"(eta = {eta:g}); use a smaller `eta`.")
            loss[:, :, j], times[:, j], factors[:, j] = lj, t, factor.numpy()
        if step == last:
            break
        if step % probe_every == 0 and step > 0:
            ratio = torch.clamp(d_start / diagonal(), max=1.0)
            factor = torch.stack([ratio[group == gq].min() for gq in group])
        # common random numbers: seed s sees the same angles in every configuration
        idx = torch.randint(0, TABLE_SIZE, (n_seeds, batch), generator=gen).repeat(C, 1)
        x = inputs(idx.to(dtype) * (2 * math.pi / TABLE_SIZE))
        y = tables[slot_table[:, None], idx]
        f0 = forward(x, W0, b0, v0)[2]
        h, a, f = forward(x, W, b, v)
        r = (f - f0 - y) * (c_out[:, None] / batch)          # d(loss)/d(f) times the readout
        g_v = torch.bmm(r[:, None, :], a)[:, 0]
        g_h = r[:, :, None] * v[:, None, :] * (h > 0)
        g_W = torch.bmm(g_h.transpose(1, 2), x)
        g_b = g_h.sum(1)
        lr = lr_base * factor.repeat_interleave(n_seeds)
        # steps on the raw parameters of make_mlp: W = W_raw/sqrt(2), b = bias_std * b_raw
        v.sub_(lr[:, None] * g_v)
        W.sub_((lr * 0.5)[:, None, None] * g_W)
        b.sub_((lr * bias_std**2)[:, None] * g_b)
        t += eta * factor.numpy()
    return TrainingRun(steps=np.asarray(record_steps, float), times=times, loss=loss,
                       step_factor=factors)
