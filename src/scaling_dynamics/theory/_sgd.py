r"""One-pass SGD from the mean-field theory: closed-form generating function, Talbot in :math:`-\log x`.

One-pass SGD with step :math:`\eta` and batch :math:`B` (every sample fresh, Gaussian
features) has, in the eigenbasis of :math:`S = \Lambda^{1/2}F\Lambda^{1/2}` and averaged over
the batches, a closed recursion for the mode energies :math:`D_i` (``docs/optimizers.md``
section 3):

.. math::  D_i \leftarrow p(\mu_i) D_i + a\,\mu_i^2 (L + \sigma^2), \qquad
           p(\mu) = (1-\eta\mu)^2 + \frac{\eta^2\mu^2}{B}, \qquad a = \frac{\eta^2}{B},

so the test loss solves the Volterra equation

.. math::  L_t = L_{det}(t) + a\sum_{s<t} K(t-1-s)(L_s + \sigma^2), \qquad
           L_{det}(t) = \sum_i D_i(0)\, p(\mu_i)^t, \quad K(u) = \sum_i \mu_i^2 p(\mu_i)^u.

Averaged over the projection the two spectral sums become one-point resolvents of the
mean-field theory with :math:`P = \infty`: :math:`H_k = 1/(z + \lambda_k R_3)`,
:math:`h_0 = \sum_k\lambda_k (w^*_k)^2 H_k` and
:math:`g_1(z) = \sum_k z^2 H_k - Mz = -R_3\operatorname{tr}\Lambda + R_3^2\sum_k\lambda_k^2 H_k`
(finite for :math:`M = \infty`; the dropped polynomial :math:`Mz` integrates to zero).
With :math:`c = (B+1)/B`, :math:`y = 1/x` and the two roots of :math:`p(\mu) = y`,
:math:`\mu_{a,b} = [1 \pm \sqrt{1 - c(1-y)}]/(c\eta)`, partial fractions give

.. math::  J_0 = -\frac{h_0(-\mu_a) - h_0(-\mu_b)}{c\eta^2(\mu_a - \mu_b)}, \qquad
           J_1 = -\frac{g_1(-\mu_a) - g_1(-\mu_b)}{c\eta^2(\mu_a - \mu_b)}, \qquad
           \sum_t L_t x^t = \frac{y J_0 + a J_1\sigma^2/(1-x)}{1 - a J_1}.

The Volterra convolution is solved exactly in the generating function; no :math:`O(T^2)`
sum is needed. Inversion: every singularity of the generating function in
:math:`s = -\log x` is real (:math:`p \in [1/(B+1), 1]`, and zeros of :math:`1 - aJ_1` lie
on the real axis), so the fixed Talbot rule in ``s`` (32 nodes) is valid at every step
:math:`t > 2n/5`; steps :math:`t \le 16` use the circle :math:`|1/x| = 1 + 4/T` of
:mod:`._contours` (:math:`6T` nodes, at least 122; aliasing :math:`e^{-24}`), as for GD.
Cost per step: 64 scalar response solves.

Late-time value and stability, directly (:func:`sgd_limit`): with :math:`\xi = 2/(c\eta)`,

.. math::  A_K = a\sum_u K(u) = \frac{\eta}{B}\int\nu_1(d\mu)\frac{\mu}{2 - c\eta\mu}
           = -\frac{\eta}{2B} g_1(-\xi), \qquad
           L_\infty = \frac{L_{null} + A_K\sigma^2}{1 - A_K},

stable iff :math:`\eta\mu_{max} < 2B/(B+1)` (every mode contracts) and :math:`A_K < 1`
(the noise fed back by the batches does not blow up), and
:math:`L_{null} = \sum_k \lambda_k (w^*_k)^2/(1 + \lambda_k\kappa)`,
:math:`\sum_k\lambda_k\kappa/(1+\lambda_k\kappa) = N` (``N < M``; else 0) the part of the
target outside the model's span. There is no train/test gap: every batch is fresh, so the
expected batch loss (the train loss reported by the simulator) is :math:`L_t + \sigma^2`.
"""

from __future__ import annotations

import math
import time as _time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._errors import ConvergenceError, InvalidParameterError
from .._progress import progress_bar
from ..spectra import Spectrum
from ._contours import circle_nodes
from ._edge import edge_of_modes, real_responses
from ._inversion import talbot_rule
from ._modesums import ModeSet, mode_set
from ._responses import rdot, solve_on_modes

__all__ = [
    "SGDLimit",
    "sgd_limit",
    "sgd_curves",
    "sgd_volterra",
    "sgd_generating_function",
    "SGD_TALBOT_NODES",
    "SGD_CIRCLE_STEPS",
]

#: Talbot nodes in s = -log x (1-D inversion).
SGD_TALBOT_NODES = 32
#: Steps t <= this use the circle |1/x| = 1 + 4/T (Talbot in -log x needs t > 2n/5).
SGD_CIRCLE_STEPS = 16


@dataclass(frozen=True)
class SGDLimit:
    r"""Late-time value and stability of one-pass SGD from the mean-field theory.

    Attributes
    ----------
    test_loss : float
        :math:`L_\infty = (L_{null} + A_K\sigma^2)/(1 - A_K)` (excess over :math:`\sigma^2`;
        ``inf`` when unstable).
    train_loss : float
        :math:`L_\infty + \sigma^2` (expected loss of a fresh batch: no train/test gap).
    null_loss : float
        :math:`L_{null}`: the part of the target the model cannot represent (0 when
        :math:`N \ge M`).
    noise_gain : float
        :math:`A_K = (\eta/B)\int\nu_1(d\mu)\,\mu/(2 - c\eta\mu)`; stability needs :math:`A_K < 1`.
    mu_max : float
        Spectral edge of :math:`\Lambda^{1/2}F\Lambda^{1/2}` (mean field).
    eta_max_modes : float
        :math:`2B/((B+1)\mu_{max})`: the largest step at which every mode contracts.
    stable : bool
    kappa : float
        :math:`\kappa` of the null-space equation (``inf`` when ``N >= M`` or ``N = inf``).
    """

    test_loss: float
    train_loss: float
    null_loss: float
    noise_gain: float
    mu_max: float
    eta_max_modes: float
    stable: bool
    kappa: float
    diagnostics: dict[str, Any] = field(default_factory=dict, compare=False)


# --------------------------------------------------------------------------- resolvents
def _responses_R3(
    ms: ModeSet, N: float, z: np.ndarray, left: tuple[float, float] | None, tol: float,
    guess: np.ndarray | None = None,
) -> np.ndarray:
    """:math:`R_3(z)` with :math:`P = \\infty` at every ``z`` (real points left of the spectrum too).

    Complex points use the batched Newton solver of :mod:`._responses`, started from
    ``guess`` (e.g. the solution at the previous step's nodes) where given, else from the
    real solution left of the spectrum for points there and from 1 elsewhere; real negative
    points, which that solver refuses, use the real-axis Newton of :mod:`._edge`.
    """
    z = np.asarray(z, dtype=np.complex128)
    shape = z.shape
    z = z.ravel()
    R3 = np.ones(z.size, dtype=np.complex128)
    if math.isinf(N) or z.size == 0:
        return R3.reshape(shape)
    real_left = (z.imag == 0.0) & (z.real < 0.0)
    cplx = np.flatnonzero(~real_left)
    if cplx.size:
        zc = z[cplx]
        g = np.ones(zc.size, dtype=np.complex128)
        if guess is not None:
            g = np.asarray(guess, dtype=np.complex128).ravel()[cplx]
        elif left is not None:
            # points left of the spectrum start from the real solution there
            g = np.where(zc.real < -left[0], left[1], 1.0).astype(np.complex128)
        r = solve_on_modes(ms, N, math.inf, zc, tol=tol, guess=(np.ones_like(g), g))
        R3[cplx] = r.R3
    for i in np.flatnonzero(real_left):
        R3[i] = _real_R3(ms, N, -float(z[i].real), None if left is None else left[1])
    return R3.reshape(shape)


def _real_R3(ms: ModeSet, N: float, u: float, guess: float | None) -> float:
    """Real :math:`R_3(-u)` left of the spectrum, by continuation from large ``u`` if needed."""
    if guess is not None:
        sol = real_responses(ms, N, math.inf, u, (1.0, guess))
        if sol is not None:
            return sol[1]
    top = 4.0 * (ms.max_eigenvalue + 4.0 * ms.trace / N) + 2.0 * u
    g = (1.0, 1.0)
    steps = max(2, int(math.ceil(math.log(top / u) / math.log(1.25))))
    for v in np.geomspace(top, u, steps):
        sol = real_responses(ms, N, math.inf, float(v), g)
        if sol is None:
            raise ConvergenceError(
                f"no real response at z = {-v:.6g} on the way to z = {-u:.6g}: the point is not "
                "left of the spectrum (the step is beyond the stability limit)."
            )
        g = sol
    return g[1]


def _one_point(ms: ModeSet, z: np.ndarray, R3: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r""":math:`h_0(z)` and :math:`g_1(z) = -R_3\operatorname{tr}\Lambda + R_3^2\sum_k\lambda_k^2 H_k`."""
    lam = ms.eigenvalues
    shape = z.shape
    zf, rf = z.ravel(), R3.ravel()
    H = 1.0 / (zf[:, None] + rf[:, None] * lam[None, :])
    h0 = rdot(H, lam * ms.task_weights)
    s2 = rdot(H, lam * lam * ms.weights)
    g1 = -rf * ms.trace + rf * rf * s2
    return h0.reshape(shape), g1.reshape(shape)


@dataclass(frozen=True, eq=False)
class _Roots:
    """The two roots of p(mu) = y as gradient-flow points z = -mu and their difference."""

    z_a: np.ndarray
    z_b: np.ndarray
    diff: np.ndarray  # mu_a - mu_b


def _roots(em1: np.ndarray, eta: float, c: float) -> _Roots:
    r"""Roots for :math:`y - 1 =` ``em1`` (passed exactly, e.g. ``expm1(s)``)."""
    D = 1.0 + c * em1
    sq = np.sqrt(D)
    mu_a = (1.0 + sq) / (c * eta)
    mu_b = -em1 / ((1.0 + sq) * eta)  # (1 - sq)/(c eta) without cancellation
    return _Roots(z_a=-mu_a, z_b=-mu_b, diff=2.0 * sq / (c * eta))


def sgd_generating_function(
    ms: ModeSet,
    N: float,
    eta: float,
    batch: int,
    sigma: float,
    em1: np.ndarray,
    *,
    left: tuple[float, float] | None = None,
    tol: float = 1e-13,
    guess: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    r"""The generating functions at :math:`y = 1/x = 1 +` ``em1``: :math:`yJ_0`, :math:`J_1` and the loss.

    Returns ``{"det": y J0, "kernel": J1, "loss": sum_t L_t x^t, "R3": R3 at (z_a, z_b)}``
    (the first three with the shape of ``em1``); ``guess`` = starting ``R3`` of that shape
    plus a leading axis of 2.
    """
    c = (batch + 1.0) / batch
    a = eta * eta / batch
    em1 = np.asarray(em1, dtype=np.complex128)
    roots = _roots(em1, eta, c)
    zz = np.stack([roots.z_a, roots.z_b])
    R3 = _responses_R3(ms, N, zz, left, tol, guess)
    h0, g1 = _one_point(ms, zz, R3)
    scale = c * eta * eta * roots.diff
    J0 = -(h0[0] - h0[1]) / scale
    J1 = -(g1[0] - g1[1]) / scale
    y = 1.0 + em1
    # 1/(1-x) = y/(y-1)
    noise = sigma * sigma * y / em1
    det = y * J0
    loss = (det + a * J1 * noise) / (1.0 - a * J1)
    return {"det": det, "kernel": J1, "loss": loss, "R3": R3}


# --------------------------------------------------------------------------- inversion
def _circle(times: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Nodes ``em1 = y - 1`` and weights (n_t, n/2) of the circle :math:`|y| = 1 + 4/T`.

    The same circle as for GD (:func:`._contours.circle_nodes`, ``T`` the largest step):
    :math:`y^t` is at most :math:`e^4` on it and the aliasing is below :math:`e^{-24}`.
    """
    y, _, n = circle_nodes(float(np.max(times)))
    # coefficient of x^t: (1/n) sum F(x_j) x_j^{-t} = (1/n) sum F y_j^t; upper half doubled
    w = (2.0 / n) * np.exp(np.asarray(times, dtype=np.float64)[:, None] * np.log(y)[None, :])
    return y - 1.0, w


def _invert(
    ms: ModeSet, N: float, eta: float, batch: int, sigma: float, times: np.ndarray,
    n_nodes: int, left: tuple[float, float] | None, tol: float, key: str, shift: int = 0,
    bar=None,
) -> np.ndarray:
    """Coefficient of :math:`x^{t+shift}` of one generating function at each ``t`` (``t + shift >= 1``)."""
    tt = np.asarray(times, dtype=np.float64) + shift
    out = np.empty(tt.size)
    early = np.flatnonzero(tt <= SGD_CIRCLE_STEPS)
    late = np.flatnonzero(tt > SGD_CIRCLE_STEPS)
    if early.size:
        em1, w = _circle(tt[early])
        gf = sgd_generating_function(ms, N, eta, batch, sigma, em1, left=left, tol=tol)
        out[early] = np.real(w @ gf[key])
        if bar is not None:
            bar.update(early.size)
    if late.size:
        # step by step in increasing order: the Talbot nodes only rescale with 1/t, so each
        # step's responses start Newton from the previous step's (a few iterations each)
        order = late[np.argsort(tt[late])]
        guess = None
        for i in order:
            rule = talbot_rule(tt[i : i + 1], n_nodes)
            # x = e^{-s}: y - 1 = expm1(s)
            gf = sgd_generating_function(
                ms, N, eta, batch, sigma, np.expm1(rule.nodes[0]), left=left, tol=tol,
                guess=guess,
            )
            guess = gf["R3"]
            out[i] = np.real(np.sum(rule.weights[0] * gf[key]))
            if bar is not None:
                bar.update(1)
    return out


def _stability(
    ms: ModeSet, N: float, eta: float, batch: int, mu_max: float
) -> tuple[float, float | None]:
    """Noise gain :math:`A_K` and the real :math:`R_3(-\\xi)`; raises beyond either stability limit."""
    c = (batch + 1.0) / batch
    limit = 2.0 * batch / (batch + 1.0)
    if eta * mu_max >= limit:
        raise InvalidParameterError(
            f"`eta` = {eta:g} is beyond the stability limit of sgd: the theory's spectral edge "
            f"is mu_max = {mu_max:.6g}, and one-pass SGD with batch {batch} needs "
            f"eta * mu_max < 2B/(B+1) = {limit:g}, i.e. eta < {limit / mu_max:.6g}."
        )
    xi = 2.0 / (c * eta)
    R3 = None if math.isinf(N) else _real_R3(ms, N, xi, None)
    lam = ms.eigenvalues
    r3 = 1.0 if R3 is None else R3
    H = 1.0 / (-xi + r3 * lam)
    g1 = -r3 * ms.trace + r3 * r3 * float(H @ (lam * lam * ms.weights))
    gain = -eta * g1 / (2.0 * batch)
    return float(gain), R3


def _check_gain(eta: float, batch: int, gain: float) -> None:
    if gain >= 1.0:
        raise InvalidParameterError(
            f"`eta` = {eta:g} is beyond the stability limit of sgd with batch {batch}: the "
            f"batch-noise gain A_K = (eta/B) int mu/(2 - c eta mu) dnu_1 = {gain:.6g} must be "
            "< 1 (the noise each step feeds back would grow without bound); reduce `eta` or "
            "increase `batch`."
        )


def _kappa(spectrum: Spectrum, N: float, compress: str) -> tuple[float, ModeSet | None]:
    r""":math:`\kappa` with :math:`\sum_k\lambda_k\kappa/(1+\lambda_k\kappa) = N` (``inf`` if ``N >= M``)."""
    from scipy.optimize import brentq

    if math.isinf(N) or (spectrum.is_finite and N >= spectrum.M):
        return math.inf, None
    if spectrum.is_power_law:
        guess = float(N) ** float(spectrum.b)
    else:
        guess = 1.0 / float(spectrum.eigenvalues[min(int(N), spectrum.eigenvalues.size) - 1])
    ms = mode_set(spectrum, min_scale=1e-4 / guess, compress=compress)
    for _ in range(4):

        def f(logk: float, lam: np.ndarray = ms.eigenvalues, cw: np.ndarray = ms.weights) -> float:
            k = math.exp(logk)
            return float(cw @ (lam * k / (1.0 + lam * k))) - N

        lo, hi = math.log(guess) - 5.0, math.log(guess) + 5.0
        while f(lo) > 0:
            lo -= 5.0
        while f(hi) < 0:
            hi += 5.0
        kappa = math.exp(brentq(f, lo, hi, xtol=1e-14, rtol=1e-14))
        if ms.valid_for(1.0 / kappa):
            return kappa, ms
        ms = mode_set(spectrum, min_scale=0.5 / kappa, compress=compress)
    return kappa, ms  # pragma: no cover


def sgd_limit_terms(
    spectrum: Spectrum, N: float, eta: float, batch: int, *, compress: str = "auto"
) -> SGDLimit:
    """:func:`sgd_limit` on validated input (internal); unstable steps give ``stable=False``."""
    ms = mode_set(spectrum, min_scale=0.0, compress=compress)
    mu_max, _, _ = edge_of_modes(ms, N, math.inf)
    limit = 2.0 * batch / (batch + 1.0)
    eta_max = limit / mu_max
    kappa, ms_k = _kappa(spectrum, N, compress)
    if math.isinf(kappa):
        null = 0.0
    else:
        lam = ms_k.eigenvalues
        null = float(ms_k.task_weights @ (lam / (1.0 + lam * kappa)))
    sig2 = spectrum.sigma**2
    if eta * mu_max >= limit:
        return SGDLimit(math.inf, math.inf, null, math.nan, mu_max, eta_max, False, kappa)
    gain, _ = _stability(ms, N, eta, batch, mu_max)
    stable = gain < 1.0
    L = (null + gain * sig2) / (1.0 - gain) if stable else math.inf
    return SGDLimit(L, L + sig2, null, gain, mu_max, eta_max, stable, kappa)


def sgd_curves(
    spectrum: Spectrum,
    N: float,
    times: np.ndarray,
    eta: float,
    batch: int,
    *,
    n_nodes: int = SGD_TALBOT_NODES,
    compress: str = "auto",
    tol: float = 1e-13,
    progress: bool | None = None,
) -> tuple[np.ndarray, dict[str, Any]]:
    """Mean-field test loss of one-pass SGD at validated integer steps (internal); and diagnostics."""
    started = _time.perf_counter()
    sigma = spectrum.sigma
    out = np.empty(times.size)
    zero = times == 0
    out[zero] = spectrum.initial_loss
    pos = np.flatnonzero(~zero)
    ms0 = mode_set(spectrum, min_scale=0.0, compress=compress)
    mu_max, _, _ = edge_of_modes(ms0, N, math.inf)
    gain, R3_xi = _stability(ms0, N, eta, batch, mu_max)
    left = None if R3_xi is None else (mu_max, R3_xi)
    _check_gain(eta, batch, gain)
    diag: dict[str, Any] = {
        "mu_max": mu_max,
        "noise_gain": gain,
        "contour": f"circle |1/x| = 1 + 4/T for t <= {SGD_CIRCLE_STEPS}, talbot in -log x",
        "n_contour_nodes": n_nodes,
    }
    if pos.size:
        # the smallest |z| met is about |s|/(2 eta) at the latest step
        t_max = float(times[pos].max())
        min_z = 0.05 / (eta * max(t_max, 1.0))
        ms = mode_set(spectrum, min_scale=min_z, compress=compress)
        with progress_bar(pos.size, "theory sgd", progress, unit="time") as bar:
            out[pos] = _invert(
                ms, N, eta, batch, sigma, times[pos], n_nodes, left, tol, "loss", bar=bar
            )
        diag["mode_sums"] = ms.method
        diag["n_mode_nodes"] = ms.n_nodes
    if not np.all(np.isfinite(out)):
        raise ConvergenceError(  # pragma: no cover - the solvers raise first
            f"the SGD theory produced non-finite losses (eta = {eta}, batch = {batch}, N = {N})."
        )
    diag["wall_time_s"] = _time.perf_counter() - started
    return out, diag


def sgd_volterra(
    spectrum: Spectrum,
    N: float,
    eta: float,
    batch: int,
    T: int,
    *,
    n_nodes: int = SGD_TALBOT_NODES,
    compress: str = "auto",
    tol: float = 1e-13,
) -> np.ndarray:
    r"""The same mean-field loss at steps ``0..T`` by the explicit :math:`O(T^2)` Volterra sum.

    :math:`L_{det}(t)` and :math:`K(u)` are inverted one by one (the coefficients of
    :math:`yJ_0` and :math:`J_1 = x\hat K`), then
    :math:`L_t = L_{det}(t) + a\sum_{s<t}K(t-1-s)(L_s+\sigma^2)` is summed step by step.
    A check of the closed form (which solves this convolution algebraically); not used by
    :func:`predict`.
    """
    ms = mode_set(spectrum, min_scale=0.05 / (eta * max(T, 1)), compress=compress)
    mu_max, _, _ = edge_of_modes(ms, N, math.inf)
    _, R3_xi = _stability(ms, N, eta, batch, mu_max)
    left = None if R3_xi is None else (mu_max, R3_xi)
    sigma = spectrum.sigma
    steps = np.arange(1, T + 1, dtype=np.float64)
    det = np.empty(T + 1)
    det[0] = spectrum.initial_loss
    det[1:] = _invert(ms, N, eta, batch, sigma, steps, n_nodes, left, tol, "det")
    # K(u) is the coefficient of x^{u+1} of J1
    K = _invert(ms, N, eta, batch, sigma, np.arange(T, dtype=np.float64), n_nodes, left,
                tol, "kernel", shift=1)
    a = eta * eta / batch
    L = np.empty(T + 1)
    L[0] = det[0]
    for t in range(1, T + 1):
        L[t] = det[t] + a * float(K[:t][::-1] @ (L[:t] + sigma**2))
    return L


def sgd_limit(
    spectrum: Spectrum,
    N: int | float,
    eta: float,
    batch_size: int,
    *,
    compress: str = "auto",
) -> SGDLimit:
    r"""Late-time loss and stability of one-pass SGD, computed directly (no time stepping).

    .. math::  L_\infty = \frac{L_{null} + A_K\sigma^2}{1 - A_K}, \qquad
               A_K = \frac{\eta}{B}\int\nu_1(d\mu)\,\frac{\mu}{2 - c\eta\mu}
               = -\frac{\eta}{2B}\,g_1\Big(-\frac{2}{c\eta}\Big), \qquad c = \frac{B+1}{B},

    stable iff :math:`\eta\mu_{max} < 2B/(B+1)` and :math:`A_K < 1` (module notes).
    Batch noise adds the variance :math:`A_K(L_{null} + \sigma^2)/(1 - A_K)` on top of
    :math:`L_{null}` but no plateau of its own: with :math:`\sigma = 0` and
    :math:`N \ge M` the loss goes to zero.

    Parameters
    ----------
    spectrum : Spectrum
        Teacher spectrum and label noise (``M`` may be ``math.inf`` for a power law).
    N : int or math.inf
        Model size.
    eta : float
        Step size (> 0).
    batch_size : int
        Batch size B (>= 1).
    compress : {"auto", "on", "off"}
        Compression of the mode sums.

    Returns
    -------
    SGDLimit
        ``stable=False`` (and infinite losses) beyond either stability limit.

    Examples
    --------
    >>> from scaling_dynamics import Spectrum
    >>> from scaling_dynamics.theory import sgd_limit
    >>> lim = sgd_limit(Spectrum.power_law(1.5, 1.25, M=1000, sigma=0.3), N=100, eta=0.5,
    ...                 batch_size=8)
    >>> lim.stable, lim.null_loss < lim.test_loss
    (True, True)
    """
    from .._validation import check_int, check_real, check_size
    from ._problem import check_compress, check_spectrum

    spectrum = check_spectrum(spectrum)
    N = check_size("N", N)
    eta = check_real("eta", eta, low=0.0, low_open=True)
    batch_size = check_int("batch_size", batch_size, low=1)
    compress = check_compress(compress)
    return sgd_limit_terms(spectrum, N, eta, batch_size, compress=compress)
