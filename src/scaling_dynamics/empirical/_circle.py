r"""The circle task: a real network that shows the feature-learning exponent (issue 16, item 6).

Inputs :math:`x = (\cos\theta, \sin\theta)` with :math:`\theta` uniform, target
:math:`y(\theta) = \sum_{k=1}^{K} k^{-q}\cos(k\theta)`, a fresh batch of angles every step.
A two-layer ReLU network with biases in the mean-field (muP) parameterisation with richness
:math:`\gamma_0` (readout :math:`1/(\gamma_0 n)`, step :math:`\eta\gamma_0^2 n`, output centred
at initialisation; :mod:`._circle_training`) is trained by one-pass SGD.

Exponents (shared docs, feature-learning.md section 9). The network's tangent kernel on the
circle is rotation invariant, with Fourier eigenvalues :math:`\lambda_k \sim k^{-\alpha}`,
:math:`\alpha = 2`; it is measured here from the initial NTK on a grid of angles (the sorted
eigenvalues of the seed-mean kernel matrix, fitted by :func:`fit_exponents`). The target
power of mode k is :math:`k^{-2q}`, so the library's :math:`a = 2q`, :math:`b = \alpha` and
the source exponent :math:`\beta = (a - 1)/b = q - 1/2` (for :math:`\alpha = 2`; the tail
power :math:`\sum_{l>k} l^{-2q} \sim k^{-\alpha\beta}`). Predicted late-time slopes of the test
loss: lazy :math:`\beta`, rich :math:`2\beta/(1+\beta)` for hard tasks (:math:`\beta < 1`),
:math:`\beta` for both otherwise (super-easy :math:`\beta > 2 - 1/\alpha` under SGD noise:
:math:`2 - 1/\alpha`).

The lazy reference is each network's linearisation at infinite time resolution: population
gradient flow with its own initial tangent kernel (finite width included), averaged over the
seeds (:func:`_lazy_curves`). A network with small :math:`\gamma_0` differs from it only by
SGD noise, the finite step and :math:`O(\gamma_0)`.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._errors import InvalidParameterError
from .._records import Record
from .._validation import check_choice, check_int, check_real
from ._circle_training import train_circle_networks
from ._deps import require_torch
from ._fits import fit_exponents
from ._models import make_mlp, network_seed
from ._spectrum import measure_spectrum

__all__ = ["CircleTaskResult", "circle_ntk", "circle_task", "predicted_circle_slopes"]


@dataclass(frozen=True, eq=False)
class CircleTaskResult(Record):
    r"""What :func:`circle_task` measured.

    Attributes
    ----------
    q, gamma0 : tuple of float
        Target decays and richnesses; configuration ``(i, j)`` is ``(q[i], gamma0[j])``.
    times : ndarray (n_q, n_gamma, n_records)
        Time :math:`t = \sum_s \eta_s` of each record (shared by the seeds).
    loss_mean, loss_sem : ndarray (n_q, n_gamma, n_records)
        Test loss (population MSE) over seeds: mean and standard error.
    slope_mean, slope_sem : ndarray (n_q, n_gamma)
        Late-time slope :math:`-d\log L/d\log t`, least squares per seed over ``window``
        (each configuration's last ``window_decades`` of time), mean and s.e. over seeds.
    common_slope_mean, common_slope_sem : ndarray (n_q, n_gamma)
        The same over ``common_window`` (the window of the shortest run), for a like-for-like
        comparison of lazy and rich.
    window : ndarray (n_q, n_gamma, 2)
    common_window : (float, float)
    alpha, alpha_ci : float, (float, float)
        Fitted decay of the initial NTK's eigenvalues (sorted, by mode index), with its
        bootstrap interval; ``alpha_modes`` the index range of the fit.
    ntk_eigenvalues : ndarray
        Eigenvalues of the seed-mean initial kernel matrix on the grid, divided by its size.
    fourier_eigenvalues : ndarray
        :math:`\lambda_k`, k = 0 .. grid/2 - 1, of the seed-mean kernel averaged along diagonals.
    beta : ndarray (n_q,)
        :math:`q - 1/2` (the convention above).
    beta_measured : ndarray (n_q,)
        :math:`(a - 1)/b` from the fitted task power and eigenvalues of the measured kernel.
    predicted_lazy, predicted_rich : ndarray (n_q,)
        :math:`\beta` and :math:`\beta\max(1, 2/(1+\beta))`.
    lazy_theory : ndarray (n_q, n_gamma, n_records)
        Gradient flow of the linearised networks at ``times`` (see the module notes).
    lazy_theory_slope : ndarray (n_q, n_gamma)
        Its slope over ``window``: the lazy prediction at this width and in this window
        (pre-asymptotic and finite-width effects included).
    settings : dict
        Width, batch, eta, K, steps, seeds, bias_std, grid sizes, dtype.
    """

    _dict_exclude = ("ntk_eigenvalues",)

    q: tuple[float, ...]
    gamma0: tuple[float, ...]
    times: np.ndarray
    loss_mean: np.ndarray
    loss_sem: np.ndarray
    slope_mean: np.ndarray
    slope_sem: np.ndarray
    common_slope_mean: np.ndarray
    common_slope_sem: np.ndarray
    window: np.ndarray
    common_window: tuple[float, float]
    alpha: float
    alpha_ci: tuple[float, float]
    alpha_modes: tuple[int, int]
    ntk_eigenvalues: np.ndarray
    fourier_eigenvalues: np.ndarray
    beta: np.ndarray
    beta_measured: np.ndarray
    predicted_lazy: np.ndarray
    predicted_rich: np.ndarray
    lazy_theory: np.ndarray
    lazy_theory_slope: np.ndarray
    settings: dict[str, Any] = field(default_factory=dict)
    wall_time_s: float = 0.0


def predicted_circle_slopes(q: float, alpha: float = 2.0) -> tuple[float, float, float]:
    r"""``(beta, lazy, rich)`` for the circle task: :math:`\beta = (2q - 1)/\alpha`,
    lazy :math:`\beta`, rich :math:`\beta\max(1, 2/(1+\beta))`."""
    beta = (2.0 * q - 1.0) / alpha
    return beta, beta, beta * max(1.0, 2.0 / (1.0 + beta))


def circle_task(
    q: Any = (1.0, 2.5),
    gamma0: Any = (0.01, 1.0),
    *,
    width: Any = 512,
    seeds: int = 4,
    steps: int = 6000,
    batch: int = 16,
    eta: float = 2.0,
    K: int = 1000,
    bias_std: float = 0.5,
    n_records: int = 30,
    window_decades: float = 1.0,
    ntk_grid: int = 256,
    n_test: int = 4096,
    seed: int = 0,
    dtype: str = "float64",
) -> CircleTaskResult:
    r"""Train muP ReLU networks online on the circle task; measure alpha and the late-time slopes.

    Parameters
    ----------
    q : float or sequence of float
        Target decays :math:`y = \sum_{k \le K} k^{-q}\cos k\theta` (> 0.5).
    gamma0 : float or sequence of float
        Richnesses (> 0); small is lazy (the network stays at its linearisation).
    width : int or sequence of int
        Hidden units n, or one per q (the networks of each q are then trained at their own
        width; the lazy finite-width leak falls as 1/n, so an easy target needs a wider
        network). alpha is measured on the kernel of the first q's width.
    seeds : int
        Networks per configuration (>= 2 for a standard error); seed s has the same initial
        weights in every configuration.
    steps : int
        SGD steps (each run takes the same number; a rich run covers less time, see
        :mod:`._circle_training`).
    batch : int
        Fresh angles per step.
    eta : float
        Step in kernel units (the largest; the rich runs' step shrinks as their kernel grows).
    K : int
        Highest frequency of the target.
    bias_std : float
        Bias multiplier :math:`\beta_b` (> 0: without biases the odd frequencies k >= 3 have
        no kernel eigenvalue).
    n_records : int
        Recorded steps, log-spaced.
    window_decades : float
        Slopes are fitted over the last this many decades of each run's time.
    ntk_grid : int
        Angles of the grid on which the initial NTK is measured.
    n_test : int
        Angles of the uniform test grid (> 2K: the test loss is the population loss).
    seed : int
    dtype : {"float64", "float32"}

    Returns
    -------
    CircleTaskResult

    Raises
    ------
    MissingDependencyError
        Without torch.
    InvalidParameterError
        For an option out of range (one line naming it).
    """
    torch = require_torch("circle_task")
    qs = _values("q", q, low=0.5)
    gammas = _values("gamma0", gamma0, low=0.0)
    widths = _widths(width, len(qs))
    seeds = check_int("seeds", seeds, low=2)
    steps = check_int("steps", steps, low=10)
    batch = check_int("batch", batch, low=1)
    eta = check_real("eta", eta, low=0.0, low_open=True, high=10.0)
    K = check_int("K", K, low=2, high=10_000)
    bias_std = check_real("bias_std", bias_std, low=0.0, low_open=True)
    n_records = check_int("n_records", n_records, low=5)
    window_decades = check_real("window_decades", window_decades, low=0.1, high=4.0)
    ntk_grid = check_int("ntk_grid", ntk_grid, low=32, high=4096)
    n_test = check_int("n_test", n_test, low=2 * K + 1, high=1 << 15)
    seed = check_int("seed", seed, low=0)
    check_choice("dtype", dtype, ("float64", "float32"))
    started = time.perf_counter()
    record_steps = np.unique(np.round(np.geomspace(1, steps, n_records)).astype(int))
    record_steps = np.concatenate([[0], record_steps])
    shape = (len(qs), len(gammas))
    times = np.empty((*shape, record_steps.size))
    loss = np.empty((*shape, seeds, record_steps.size))
    factor_end = np.empty(shape)
    lazy = np.empty((*shape, record_steps.size))
    spec_fits: list[Any] = [None] * len(qs)
    lam_k = fit = ntk = None
    for w in dict.fromkeys(widths):         # each width once, in the order of the q
        rows = [i for i, wi in enumerate(widths) if wi == w]
        inits, ntk_w = _initial_networks(torch, w, seeds, bias_std, seed, ntk_grid)
        lam_w, fit_w, fits_w = _kernel_spectrum(ntk_w, tuple(qs[i] for i in rows), K, ntk_grid)
        if ntk is None:
            lam_k, fit, ntk = lam_w, fit_w, ntk_w
        configs = [(qs[i], g) for i in rows for g in gammas]
        # the angles depend only on `seed` and the step: every group sees the same ones
        run = train_circle_networks(
            torch, inits, configs, seeds, width=w, K=K, bias_std=bias_std, batch=batch,
            eta=eta, steps=steps, record_steps=record_steps, n_test=n_test, seed=seed,
            dtype=torch.float64 if dtype == "float64" else torch.float32)
        sub = (len(rows), len(gammas))
        times[rows] = run.times.reshape(*sub, -1)
        loss[rows] = run.loss.reshape(*sub, seeds, -1)
        factor_end[rows] = run.step_factor[:, -1].reshape(sub)
        for r_i, i in enumerate(rows):
            spec_fits[i] = fits_w[r_i]
            lazy[i] = _lazy_curves(inits, bias_std, qs[i], K, times[i])
    slopes, windows = _slopes(times, loss, window_decades)
    t_end = float(times[..., -1].min())
    common = (t_end / 10**window_decades, t_end)
    common_slopes, _ = _slopes(times, loss, window_decades, fixed=common)
    preds = np.array([predicted_circle_slopes(qv, 2.0) for qv in qs])
    lazy_slopes = _slopes(times, lazy[:, :, None, :], window_decades)[0][:, :, 0]
    return CircleTaskResult(
        q=qs, gamma0=gammas, times=times, loss_mean=loss.mean(2),
        loss_sem=loss.std(2, ddof=1) / math.sqrt(seeds),
        slope_mean=slopes.mean(2), slope_sem=slopes.std(2, ddof=1) / math.sqrt(seeds),
        common_slope_mean=common_slopes.mean(2),
        common_slope_sem=common_slopes.std(2, ddof=1) / math.sqrt(seeds),
        window=windows, common_window=common, alpha=float(fit.b),
        alpha_ci=tuple(float(x) for x in fit.b_ci), alpha_modes=tuple(fit.modes_used),
        ntk_eigenvalues=ntk["eigenvalues"], fourier_eigenvalues=lam_k,
        beta=preds[:, 0], beta_measured=np.array([(f.a - 1.0) / f.b for f in spec_fits]),
        predicted_lazy=preds[:, 1], predicted_rich=preds[:, 2], lazy_theory=lazy,
        lazy_theory_slope=lazy_slopes,
        settings=dict(width=widths[0] if len(set(widths)) == 1 else list(widths),
                      seeds=seeds, steps=steps, batch=batch, eta=eta, K=K, bias_std=bias_std,
                      n_records=int(record_steps.size),
                      window_decades=window_decades, ntk_grid=ntk_grid, n_test=n_test,
                      seed=seed, dtype=dtype, depth=1, parameterization="mup",
                      step_factor_end=factor_end),
        wall_time_s=time.perf_counter() - started,
    )


def _values(name: str, value: Any, low: float) -> tuple[float, ...]:
    arr = np.atleast_1d(np.asarray(value, dtype=object))
    if arr.ndim != 1 or arr.size == 0:
        raise InvalidParameterError(f"`{name}` must be a number or a list of numbers; got {value!r}.")
    return tuple(check_real(name, v, low=low, low_open=True, high=1e3) for v in arr)


def _widths(width: Any, n_q: int) -> tuple[int, ...]:
    """One width per q: an int for all, or a sequence as long as ``q``."""
    if np.ndim(width) == 0:
        return (check_int("width", width, low=4),) * n_q
    vals = tuple(check_int("width", w, low=4) for w in np.ravel(np.asarray(width, dtype=object)))
    if len(vals) != n_q:
        raise InvalidParameterError(
            f"`width` must be one int or one per q ({n_q}); got {len(vals)} values.")
    return vals


def _initial_networks(torch: Any, width: int, seeds: int, bias_std: float, seed: int,
                      grid: int) -> tuple[list[dict[str, np.ndarray]], dict[str, Any]]:
    """Initial raw weights of each seed's network and the seed-mean initial NTK on the grid.

    The networks are :func:`make_mlp`'s (muP, one hidden layer, biases); the NTK is that of
    :func:`make_mlp` times its ``lr_scale`` (the kernel of the dynamics in units of eta, the
    same for every gamma0), in closed form (:func:`circle_ntk`; it equals
    :func:`empirical_ntk` of the same network, see the tests).
    """
    theta = 2 * np.pi * np.arange(grid) / grid
    X = np.stack([np.cos(theta), np.sin(theta)], 1)
    inits, K_sum = [], np.zeros((grid, grid))
    for s in range(seeds):
        net = make_mlp(2, width, depth=1, parameterization="mup", gamma0=1.0,
                       bias_std=bias_std, seed=network_seed(seed, width) + s, dtype="float64")
        w = {"W": net.weights[0].detach().numpy().copy(),
             "b": net.biases[0].detach().numpy().copy(),
             "v": net.readout.detach().numpy().copy()}
        inits.append(w)
        K_sum += circle_ntk(w, X, bias_std)
    K_mean = K_sum / seeds
    return inits, {"matrix": K_mean, "theta": theta,
                   "eigenvalues": np.linalg.eigvalsh(K_mean)[::-1] / grid}


def circle_ntk(weights: dict[str, np.ndarray], X: np.ndarray, bias_std: float) -> np.ndarray:
    r"""NTK times ``lr_scale`` of the one-hidden-layer muP network with raw ``weights``.

    .. math::
        K(x, x') = \frac1n\sum_i \big[\phi(h_i)\phi(h'_i)
        + v_i^2\phi'(h_i)\phi'(h'_i)(x\cdot x'/d + \beta_b^2)\big],
        \qquad h_i = W_i\cdot x/\sqrt d + \beta_b b_i.
    """
    W, b, v = weights["W"], weights["b"], weights["v"]
    n, d = W.shape
    h = X @ W.T / math.sqrt(d) + bias_std * b
    a, g = np.maximum(h, 0.0), (h > 0) * np.abs(v)
    return (a @ a.T + (g @ g.T) * (X @ X.T / d + bias_std**2)) / n


def _kernel_spectrum(ntk: dict[str, Any], qs: tuple[float, ...], K: int,
                     grid: int) -> tuple[np.ndarray, Any, list[Any]]:
    r"""Fourier eigenvalues of the kernel, the alpha fit, and per-q fits of (a, b).

    alpha: :func:`fit_exponents` on the sorted eigenvalues of the grid kernel over modes
    8 .. grid/8 (the cos/sin pairs of frequencies 4 .. grid/16: past the first few, and well
    below the grid's Nyquist frequency and the finite-width noise floor).
    """
    Km = ntk["matrix"]
    diag_mean = np.array([np.mean(np.diagonal(np.roll(Km, -d, axis=1))) for d in range(grid)])
    lam_k = np.real(np.fft.rfft(diag_mean))[: grid // 2] / grid
    modes = (8, max(16, grid // 8))
    theta = ntk["theta"]
    fits = []
    for qv in qs:
        y = np.cos(np.outer(theta, np.arange(1, K + 1))) @ np.arange(1, K + 1, dtype=float) ** -qv
        spec = measure_spectrum(Km, y, rtol=1e-10)
        fits.append(fit_exponents(spec, modes=modes, n_bootstrap=200))
    return lam_k, fits[0], fits


def _lazy_curves(inits: list[dict[str, np.ndarray]], bias_std: float, q: float, K: int,
                 times: np.ndarray) -> np.ndarray:
    r"""Seed mean of the test loss of each linearised network under population gradient flow.

    The network's tangent features :math:`\Phi = [\phi(h_i), \phi'(h_i) v_i x/\sqrt2,
    \phi'(h_i) v_i \beta_b]` (G x 4n, on a grid of G > 2K angles, so the target is exact)
    give :math:`K = \Phi\Phi^\top/n`. With :math:`M = \Phi^\top\Phi/(nG) = V\,
    \mathrm{diag}(m)V^\top` and :math:`c = V^\top\Phi^\top y/(nG)`, gradient flow on
    :math:`L/2` from :math:`f = 0` gives
    :math:`L(t) = |y|^2/G - n\sum_j c_j^2 (1 - e^{-2 m_j t})/m_j`
    (the part of y outside the features' span is never learned: the width floor).
    When the features outnumber the grid (4n > G) the same loss is computed from the
    G x G kernel instead, :math:`\Phi\Phi^\top/(nG) = U\,\mathrm{diag}(m)U^\top`,
    :math:`L(t) = \sum_j (u_j\cdot y)^2 e^{-2 m_j t}/G` (the nonzero m are the same; cost
    O(G^2 n + G^3) instead of O(G n^2 + n^3), which makes wide networks affordable).
    """
    G = 1 << int(math.ceil(math.log2(2 * K + 2)))
    theta = 2 * np.pi * np.arange(G) / G
    X = np.stack([np.cos(theta), np.sin(theta)], 1)
    y = np.cos(np.outer(theta, np.arange(1, K + 1))) @ np.arange(1, K + 1, dtype=float) ** -q
    out = np.zeros(times.shape)
    for w in inits:
        W, b, v = w["W"], w["b"], w["v"]
        n = W.shape[0]
        h = X @ W.T / math.sqrt(2.0) + bias_std * b
        g = (h > 0) * v
        Phi = np.concatenate([np.maximum(h, 0.0), g * X[:, :1] / math.sqrt(2.0),
                              g * X[:, 1:] / math.sqrt(2.0), g * bias_std], axis=1)
        if Phi.shape[1] > G:
            m, U = np.linalg.eigh(Phi @ Phi.T / (n * G))
            proj2 = (U.T @ y) ** 2 / G
            out += np.exp(-2.0 * np.multiply.outer(times, np.maximum(m, 0.0))) @ proj2
            continue
        m, V = np.linalg.eigh(Phi.T @ Phi / (n * G))
        c = V.T @ (Phi.T @ y) / (n * G)
        keep = m > 1e-12 * m[-1]
        m, c2 = m[keep], c[keep] ** 2
        learned = -np.expm1(-2.0 * np.multiply.outer(times, m)) / m
        out += float(y @ y) / G - n * (learned @ c2)
    return out / len(inits)


def _slopes(times: np.ndarray, loss: np.ndarray, decades: float,
            fixed: tuple[float, float] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Least-squares slope of -log L against log t per seed over each run's window."""
    nq, ng, ns, _ = loss.shape
    slopes = np.full((nq, ng, ns), math.nan)
    windows = np.zeros((nq, ng, 2))
    for i in range(nq):
        for j in range(ng):
            t = times[i, j]
            lo, hi = fixed if fixed is not None else (t[-1] / 10**decades, t[-1])
            sel = (t >= lo * (1 - 1e-12)) & (t <= hi * (1 + 1e-12)) & (t > 0)
            windows[i, j] = lo, hi
            if np.count_nonzero(sel) < 3:
                raise InvalidParameterError(
                    f"`n_records` gives fewer than 3 records in the slope window "
                    f"[{lo:.3g}, {hi:.3g}]; got {np.count_nonzero(sel)} (use more records "
                    "or steps).")
            x = np.log(t[sel])
            for s in range(ns):
                slopes[i, j, s] = -np.polyfit(x, np.log(loss[i, j, s, sel]), 1)[0]
    return slopes, windows
