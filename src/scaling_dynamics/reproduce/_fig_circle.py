r"""Figure ``circle-task``: a real network, lazy against rich (issue 16, item 6).

Two-layer ReLU networks in the mean-field (muP) parameterisation, trained online on
:math:`y(\theta) = \sum_{k \le K} k^{-q}\cos k\theta` (:func:`scaling_dynamics.empirical.circle_task`):

(a), (b) test loss against time for a lazy (small :math:`\gamma_0`) and a rich network, for
    q = 1 (hard, :math:`\beta = 1/2`) and q = 2.5 (super-easy, :math:`\beta = 2`), with the
    lazy prediction from the measured initial NTK (gradient flow with its spectrum) and the
    closed-form slopes;
(c) the initial NTK's spectrum on a grid of angles and the fitted :math:`k^{-\alpha}`;
(d) the late-time slopes (mean and s.e. over seeds) against the closed forms.

Needs torch (optional): without it the figure fails with the one-line install hint.
"""

from __future__ import annotations

import math

import numpy as np

from ._agreement import compare_curve
from ._common import Timer, finish, pick
from ._panels import FigureData, Panel, guide, hline, points, theory
from ._types import ExponentCheck, FigureResult

NAME = "circle-task"
TITLE = "Circle task: a muP ReLU network, lazy against rich"
SUMMARY = ("online-trained two-layer ReLU network on y = sum k^-q cos(k theta): NTK alpha, "
           "lazy and rich late-time slopes against beta and 2 beta/(1 + beta)")

_SIZES = {
    "tiny": dict(width=32, seeds=2, steps=200, batch=8, eta=2.0, K=64, n_test=256,
                 ntk_grid=64, n_records=10),
    "default": dict(width=128, seeds=4, steps=2000, batch=16, eta=2.0, K=300, n_test=1024,
                    ntk_grid=128, n_records=20),
    # q = 2.5 at width 4096: at 256 the lazy network's finite-width leak (falling as 1/width)
    # flattens its slope to ~1.0 (docs/feature-learning.md section 8)
    "full": dict(width=(256, 4096), seeds=4, steps=4000, batch=16, eta=2.0, K=500, n_test=2048,
                 ntk_grid=256, n_records=24),
}
_Q = (1.0, 2.5)
_GAMMA0 = (0.01, 1.0)


def make(out_dir: str, preset: str = "default", progress: bool | None = None) -> FigureResult:
    from ..empirical import circle_task

    timer = Timer()
    cfg = pick(preset, _SIZES)
    r = circle_task(_Q, _GAMMA0, **cfg)
    panels, agreement = [], []
    for i, q in enumerate(r.q):
        series = []
        for j, g in enumerate(r.gamma0):
            t, L, se = r.times[i, j, 1:], r.loss_mean[i, j, 1:], r.loss_sem[i, j, 1:]
            kind = "lazy" if j == 0 else "rich"
            series.append(points(t, L, se, f"{kind}, gamma0 = {g:g}", color=f"C{3 * j}",
                                 style="o" if j == 0 else "s"))
            if j == 0:
                th = r.lazy_theory[i, j, 1:]
                series.append(theory(t, th, "lazy theory (initial NTK)", color="C0"))
                agreement.append(compare_curve(
                    f"q = {q:g}: lazy network (gamma0 = {g:g}) vs gradient flow with its "
                    "initial NTK", t, th, L, se, n_seeds=int(r.settings["seeds"])))
        t_all = r.times[i, 0, 1:]
        L_end = r.loss_mean[i, 0, -1]
        series.append(guide(t_all, 2 * L_end, t_all[-1], -r.predicted_lazy[i],
                            f"t^-{r.predicted_lazy[i]:.3g} (beta)"))
        if r.predicted_rich[i] != r.predicted_lazy[i]:
            series.append(guide(t_all, 0.5 * L_end, t_all[-1], -r.predicted_rich[i],
                                f"t^-{r.predicted_rich[i]:.3g} (rich)", color="C3"))
        hard = "hard" if r.beta[i] < 1 else "super-easy" if r.beta[i] > 1.5 else "easy"
        panels.append(Panel(f"({'ab'[i]}) q = {q:g}: beta = {r.beta[i]:g} ({hard})", "time t",
                            "test loss", tuple(series)))
    lam = r.ntk_eigenvalues
    j = np.arange(1, lam.size + 1)
    keep = lam > 0
    lo, hi = r.alpha_modes
    panels.append(Panel("(c) initial NTK spectrum on the angle grid", "mode index j",
                        "eigenvalue lambda_j",
                        (theory(j[keep], lam[keep], "NTK eigenvalues (seed mean)"),
                         guide(j[lo - 1:hi], 2 * lam[lo - 1], lo, -r.alpha,
                               f"fit j^-{r.alpha:.2f} (j = {lo}..{hi})"))))
    slope_series = []
    x = np.array(r.gamma0)
    for i, q in enumerate(r.q):
        slope_series += [
            points(x, r.slope_mean[i], r.slope_sem[i], f"q = {q:g}, measured", color=f"C{i}"),
            hline(r.predicted_lazy[i], f"q = {q:g}: lazy {r.predicted_lazy[i]:.3g}",
                  color=f"C{i}")]
        if r.predicted_rich[i] != r.predicted_lazy[i]:
            slope_series.append(hline(r.predicted_rich[i],
                                      f"q = {q:g}: rich {r.predicted_rich[i]:.3g}",
                                      color=f"C{i}", style="--"))
    panels.append(Panel("(d) late-time slope (last decade of each run)", "richness gamma0",
                        "-dlog L / dlog t", tuple(slope_series), yscale="linear"))
    exponents = [ExponentCheck("NTK eigenvalue decay alpha", r.alpha, 2.0,
                               f"initial NTK (seed mean) on {r.settings['ntk_grid']} angles, "
                               f"modes {lo}..{hi}")]
    for i, q in enumerate(r.q):
        for jj, g in enumerate(r.gamma0):
            kind = "lazy" if jj == 0 else "rich"
            pred = r.predicted_lazy[i] if jj == 0 else r.predicted_rich[i]
            w = r.window[i, jj]
            exponents.append(ExponentCheck(
                f"q = {q:g} {kind} (gamma0 = {g:g}) late-time slope", float(r.slope_mean[i, jj]),
                float(pred), f"network, {r.settings['seeds']} seeds (s.e. "
                f"{r.slope_sem[i, jj]:.3f}), fit over t in [{w[0]:.3g}, {w[1]:.3g}]"))
            if jj == 0:
                exponents.append(ExponentCheck(
                    f"q = {q:g} lazy slope against its linearisation (same window)",
                    float(r.slope_mean[i, jj]), float(r.lazy_theory_slope[i, jj]),
                    "predicted: gradient flow with each network's initial tangent kernel, "
                    f"fit over t in [{w[0]:.3g}, {w[1]:.3g}]"))
    s = r.settings
    fig = FigureData(
        title=f"Circle task: muP ReLU network, width {_width_text(r)}, batch {s['batch']}, "
              f"K = {s['K']}", panels=tuple(panels), ncols=2,
        footnote=(f"points: mean ± 1 s.e. over {s['seeds']} networks; line: gradient flow "
                  "with the measured initial NTK; dotted: closed-form slopes"))
    params = dict(q=list(r.q), gamma0=list(r.gamma0), a=[2 * q for q in r.q], b=2.0,
                  alpha_measured=r.alpha, alpha_ci=list(r.alpha_ci),
                  beta=list(r.beta), beta_measured=list(r.beta_measured),
                  slopes=r.slope_mean.tolist(), slope_sems=r.slope_sem.tolist(),
                  common_window=list(r.common_window),
                  common_slopes=r.common_slope_mean.tolist(),
                  common_slope_sems=r.common_slope_sem.tolist(),
                  **{k: v for k, v in s.items() if k != "step_factor_end"},
                  step_factor_end=np.asarray(s["step_factor_end"]).tolist())
    caption = _caption(r)
    return finish(name=NAME, title=TITLE, out_dir=out_dir, preset=preset, figure=fig,
                  caption=caption, params=params, agreement=agreement, exponents=exponents,
                  timer=timer, notes=_notes(r))


def _width_text(r) -> str:
    """The width, or the width of each q when the preset gives one per q."""
    w = r.settings["width"]
    if isinstance(w, int):
        return str(w)
    return ", ".join(f"{wi} for q = {q:g}" for wi, q in zip(w, r.q, strict=True))


def _caption(r) -> str:
    s = r.settings
    parts = [
        f"Two-layer ReLU networks (width {_width_text(r)}, biases x {s['bias_std']:g}) in the "
        "mean-field / muP parameterisation (readout 1/(gamma0 n), step eta gamma0^2 n, output "
        f"centred at initialisation), trained by one-pass SGD (batch {s['batch']}, eta = "
        f"{s['eta']:g}, {s['steps']} steps) on y = sum_(k <= {s['K']}) k^-q cos(k theta) with "
        "fresh angles every step. The initial NTK's eigenvalues decay as k^-alpha with "
        f"alpha = {r.alpha:.3f} (expected 2), so the library's b = alpha, a = 2q (a = "
        f"{2 * r.q[0]:g} for q = {r.q[0]:g}) and beta = q - 1/2."]
    for i, q in enumerate(r.q):
        parts.append(
            f"q = {q:g} (beta = {r.beta[i]:g}): lazy slope {r.slope_mean[i, 0]:.3f} ± "
            f"{r.slope_sem[i, 0]:.3f} (predicted {r.predicted_lazy[i]:.3g}), rich "
            f"{r.slope_mean[i, -1]:.3f} ± {r.slope_sem[i, -1]:.3f} (predicted "
            f"{r.predicted_rich[i]:.3g}).")
    for i, q in enumerate(r.q):
        parts.append(f"The lazy network's own linearisation (gradient flow with its initial "
                     f"NTK) has slope {r.lazy_theory_slope[i, 0]:.3f} over the same window "
                     f"for q = {q:g}.")
    parts.append("Steps shrink as the rich network's kernel grows (lazy and rich runs of one q "
                 "take the same steps); slopes are fitted over the last decade of time.")
    return " ".join(parts)


def _notes(r) -> tuple[str, ...]:
    notes = []
    for i, q in enumerate(r.q):
        lo, hi = r.common_window
        notes.append(
            f"q = {q:g}, common window t in [{lo:.3g}, {hi:.3g}]: lazy "
            f"{r.common_slope_mean[i, 0]:.3f} ± {r.common_slope_sem[i, 0]:.3f}, rich "
            f"{r.common_slope_mean[i, -1]:.3f} ± {r.common_slope_sem[i, -1]:.3f}.")
    if not math.isfinite(r.alpha):
        notes.append("alpha could not be fitted.")
    return tuple(notes)
