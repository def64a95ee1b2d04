r"""Figure ``timescales``: the density of timescales :math:`\rho_k(u)` for several N and P.

:math:`H_k(t) = a_k + \int \rho_k(u) e^{-ut} du` (theory.md section 2): at N = P = inf mode k
is learned at the single rate :math:`u = \lambda_k`; a finite model or finite data spread
that rate into a density and leave a fraction :math:`a_k` of the mode unlearned (an atom at
u = 0). The theory's :math:`\rho_k = -\frac1\pi\operatorname{Im} H_k(-u + i0)`
(:func:`scaling_dynamics.theory.timescale_density`) is compared with histograms of the exact
spectral weights of random draws (:mod:`._spectral`), bin by bin: the theory is integrated
over each bin, so the check does not depend on how finely the line is drawn.

Panels show :math:`u\rho_k(u)` (the density per unit :math:`\log u`); simulation points are the
mean weight of each bin divided by its width in :math:`\log u`.
"""

from __future__ import annotations

import math

import numpy as np

from ._agreement import compare_curve
from ._common import (
    A_PAPER,
    B_PAPER,
    ROOT_SEED,
    Timer,
    finish,
    footnote,
    pick,
    power_law,
)
from ._panels import FigureData, Panel, points, theory
from ._spectral import sample_timescales
from ._types import FigureResult

NAME = "timescales"
TITLE = "Densities of timescales rho_k(u) for several N and P"
SUMMARY = "rho_k(u) of one mode for several N (P = inf) and several P (N fixed), and the atom at 0"

_SIZES = {
    "tiny": dict(M=200, mode=5, Ns=(20, 60), N0=40, Ps=(20, 100), seeds=8,
                 u_range=(1e-4, 10.0), bins_per_decade=3, n_u=200),
    "default": dict(M=1000, mode=10, Ns=(50, 100, 200, 400), N0=200, Ps=(100, 400, 1000, 3000),
                    seeds=32, u_range=(1e-5, 10.0), bins_per_decade=5, n_u=400),
    "full": dict(M=4000, mode=10, Ns=(50, 100, 200, 400, 800, 1600), N0=400,
                 Ps=(100, 200, 800, 1600, 6400), seeds=64, u_range=(1e-6, 10.0),
                 bins_per_decade=6, n_u=900),
}


def _bin_masses(u: np.ndarray, rho: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Integral of the density over each bin (trapezoid rule on the fine grid ``u``)."""
    cdf = np.concatenate([[0.0], np.cumsum(0.5 * (rho[1:] + rho[:-1]) * np.diff(u))])
    return np.diff(np.interp(edges, u, cdf))


def make(out_dir: str, preset: str = "default", progress: bool | None = None) -> FigureResult:
    from .._progress import progress_bar
    from ..theory import timescale_density

    timer = Timer()
    cfg = pick(preset, _SIZES)
    M, k, seeds = cfg["M"], cfg["mode"], cfg["seeds"]
    spec = power_law(M)
    lam_k = float(spec.eigenvalues[k - 1])
    lo, hi = cfg["u_range"]
    n_bins = int(round(cfg["bins_per_decade"] * math.log10(hi / lo)))
    edges = np.geomspace(lo, hi, n_bins + 1)
    centres = np.sqrt(edges[1:] * edges[:-1])
    dlog = np.diff(np.log(edges))
    u = np.geomspace(lo, hi, cfg["n_u"])
    configs = [("N", n, math.inf) for n in cfg["Ns"]] + [("P", cfg["N0"], p) for p in cfg["Ps"]]
    series = {"N": [], "P": []}
    atoms = {"N": [], "P": []}
    agreement = []
    with progress_bar(len(configs), NAME, progress, unit="case") as bar:
        for idx, (vary, n, p) in enumerate(configs):
            group = [c for c in configs if c[0] == vary]
            i = group.index((vary, n, p))
            fam = (i, len(group))
            d = timescale_density(spec, n, p, u, modes=[k], compress="off")
            rho = d.density[0]
            th_mass = _bin_masses(u, rho, edges)
            s = sample_timescales(spec, n, p, k, edges, seeds, ROOT_SEED + idx)
            label = f"N = {n}" if vary == "N" else f"P = {p}"
            ok = s.mass_sem > 0  # bins no draw ever reached carry no information
            series[vary] += [theory(u, u * rho, label, family=fam),
                             points(centres[ok], s.mass[ok] / dlog[ok], s.mass_sem[ok] / dlog[ok],
                                    family=fam)]
            other = "P = inf" if vary == "N" else f"N = {n}"
            agreement.append(compare_curve(f"rho_k binned, {label}, {other}", centres[ok],
                                           th_mass[ok] / dlog[ok], s.mass[ok] / dlog[ok],
                                           s.mass_sem[ok] / dlog[ok], x_name="u",
                                           n_seeds=seeds))
            atoms[vary].append((n if vary == "N" else p, float(d.atom_at_zero[0]), s.atom,
                                s.atom_sem))
            bar.update()
    series_c = []
    for vary, color, other in (("N", "C0", "P = inf"), ("P", "C3", f"N = {cfg['N0']}")):
        a = np.array(atoms[vary])
        series_c += [theory(a[:, 0], a[:, 1], f"against {vary} ({other})", color=color),
                     points(a[:, 0], a[:, 2], a[:, 3], color=color)]
        agreement.append(compare_curve(f"atom at u = 0 against {vary} ({other})", a[:, 0],
                                       a[:, 1], a[:, 2], a[:, 3], x_name=vary, n_seeds=seeds))
    ymax = 2.0 * max(float(np.max(s.y)) for grp in series.values() for s in grp)
    fig = FigureData(
        title=f"Density of timescales of mode k = {k} (lambda_k = {lam_k:.3g}; a = {A_PAPER}, "
              f"b = {B_PAPER}, M = {M})",
        panels=(
            Panel("several N, P = inf", "rate u (1 / timescale)", "u rho_k(u)",
                  tuple(series["N"]), ylim=(1e-4 * ymax, ymax)),
            Panel(f"several P, N = {cfg['N0']}", "rate u (1 / timescale)", "u rho_k(u)",
                  tuple(series["P"]), ylim=(1e-4 * ymax, ymax)),
            Panel("atom at u = 0: fraction never learned", "N or P",
                  "a_k = H_k(t = inf)", tuple(series_c)),
        ),
        footnote=footnote(seeds, "points: exact spectral weights of random draws, histogram "
                                 f"with {cfg['bins_per_decade']} bins per decade"),
    )
    caption = (
        f"With N = P = inf mode k = {k} is learned at the single rate u = lambda_k = {lam_k:.3g}. "
        f"A finite model (left, N = {', '.join(map(str, cfg['Ns']))}, P = inf) or finite data "
        f"(middle, P = {', '.join(map(str, cfg['Ps']))}, N = {cfg['N0']}) spreads this rate "
        "into a density of timescales rho_k(u) (drawn as u rho_k(u), the density per unit "
        "log u) and leaves a fraction of the mode never learned (right: the atom of rho_k at "
        f"u = 0) (a = {A_PAPER}, b = {B_PAPER}, M = {M}). Points: the exact spectral weights of "
        f"{seeds} random draws of the projection and data, histogrammed; the agreement check "
        "integrates the theory over the same bins."
    )
    params = dict(a=A_PAPER, b=B_PAPER, M=M, mode=k, N=list(cfg["Ns"]), N_fixed=cfg["N0"],
                  P=list(cfg["Ps"]), seeds=seeds, u_range=[lo, hi],
                  bins_per_decade=cfg["bins_per_decade"])
    return finish(name=NAME, title=TITLE, out_dir=out_dir, preset=preset, figure=fig,
                  caption=caption, params=params, agreement=agreement, timer=timer)
