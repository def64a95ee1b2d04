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
from dataclasses import dataclass
from typing import Any

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
                 u_range=(1e-4, 10.0), bins_per_decade=3, per_bin=8),
    "default": dict(M=1000, mode=10, Ns=(50, 100, 200, 400), N0=200, Ps=(100, 400, 1000, 3000),
                    seeds=32, u_range=(1e-5, 10.0), bins_per_decade=5, per_bin=12),
    "full": dict(M=4000, mode=10, Ns=(50, 100, 200, 400, 800, 1600), N0=400,
                 Ps=(100, 200, 800, 1600, 6400), seeds=64, u_range=(1e-6, 10.0),
                 bins_per_decade=6, per_bin=16),
}


@dataclass(frozen=True, eq=False)
class _BinnedDensity:
    """The theory's rho_k integrated over bins, and the grid it was evaluated on."""

    mass: np.ndarray
    u: np.ndarray
    density: np.ndarray
    atom: float


def _theory_bins(spectrum: Any, N: float, P: float, mode: int, edges: np.ndarray,
                 per_bin: int, rtol: float = 1e-3, atol: float = 1e-6,
                 max_refinements: int = 3) -> _BinnedDensity:
    r"""Integrate :math:`\rho_k` over each bin, refining the bins where it is not resolved.

    Each bin gets ``per_bin`` log-spaced intervals; the trapezoid rule in :math:`\log u`
    (integrand :math:`u\rho_k(u)`) on all points is compared with the rule on every other
    point, and bins whose difference exceeds ``max(atol, rtol * mass)`` are evaluated again
    with four times as many points (up to ``max_refinements`` times). Near-atoms (a mode
    learned at almost a single rate when N or P is large) need this.
    """
    from ..theory import timescale_density

    n_bins = edges.size - 1
    m = np.full(n_bins, 2 * (per_bin // 2))
    todo = np.arange(n_bins)
    mass = np.zeros(n_bins)
    grids: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    atom = math.nan
    for _ in range(max_refinements + 1):
        parts = [np.geomspace(edges[i], edges[i + 1], m[i] + 1) for i in todo]
        u = np.concatenate(parts)
        d = timescale_density(spectrum, N, P, u, modes=[mode], compress="off")
        atom = float(d.atom_at_zero[0])
        y = u * d.density[0]
        again = []
        start = 0
        for i, grid in zip(todo, parts, strict=True):
            yi = y[start:start + grid.size]
            start += grid.size
            lg = np.log(grid)
            fine = float(np.sum(0.5 * (yi[1:] + yi[:-1]) * np.diff(lg)))
            coarse = float(np.sum(0.5 * (yi[2::2] + yi[:-2:2]) * np.diff(lg[::2])))
            mass[i] = fine
            grids[i] = (grid, yi)
            if abs(fine - coarse) / 3.0 > max(atol, rtol * abs(fine)):
                again.append(i)
        if not again:
            break
        todo = np.array(again)
        m[todo] *= 4
    u_all = np.concatenate([grids[i][0] for i in range(n_bins)])
    y_all = np.concatenate([grids[i][1] for i in range(n_bins)])
    order = np.argsort(u_all, kind="stable")
    u_all, y_all = u_all[order], y_all[order]
    keep = np.concatenate([[True], np.diff(u_all) > 0])
    return _BinnedDensity(mass, u_all[keep], y_all[keep] / u_all[keep], atom)


def make(out_dir: str, preset: str = "default", progress: bool | None = None) -> FigureResult:
    timer = Timer()
    cfg = pick(preset, _SIZES)
    M, k, seeds = cfg["M"], cfg["mode"], cfg["seeds"]
    spec = power_law(M)
    lam_k = float(spec.eigenvalues[k - 1])
    lo, hi = cfg["u_range"]
    n_bins = int(round(cfg["bins_per_decade"] * math.log10(hi / lo)))
    edges = np.geomspace(lo, hi, n_bins + 1)
    configs = [("N", n, math.inf) for n in cfg["Ns"]] + [("P", cfg["N0"], p) for p in cfg["Ps"]]
    series, atoms, agreement = _density_runs(spec, k, edges, configs, cfg["per_bin"], seeds,
                                             progress)
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
    params = dict(a=A_PAPER, b=B_PAPER, M=M, mode=k, N=list(cfg["Ns"]), N_fixed=cfg["N0"],
                  P=list(cfg["Ps"]), seeds=seeds, u_range=[lo, hi],
                  bins_per_decade=cfg["bins_per_decade"],
                  theory_points_per_bin=f"{cfg['per_bin']} (refined x4 where unresolved)")
    return finish(name=NAME, title=TITLE, out_dir=out_dir, preset=preset, figure=fig,
                  caption=_caption(cfg, k, lam_k, M), params=params, agreement=agreement,
                  timer=timer)


def _density_runs(spec: Any, k: int, edges: np.ndarray, configs: list, per_bin: int,
                  seeds: int, progress: bool | None) -> tuple[dict, dict, list]:
    """Binned theory and sampled timescales of mode ``k`` for each (vary, N, P) of ``configs``.

    Returns the density series per varied size, the atoms (size, theory, mean, sem) per
    varied size, and the agreement of the binned densities.
    """
    from .._progress import progress_bar

    centres = np.sqrt(edges[1:] * edges[:-1])
    dlog = np.diff(np.log(edges))
    series = {"N": [], "P": []}
    atoms = {"N": [], "P": []}
    agreement = []
    with progress_bar(len(configs), NAME, progress, unit="case") as bar:
        for idx, (vary, n, p) in enumerate(configs):
            group = [c for c in configs if c[0] == vary]
            i = group.index((vary, n, p))
            fam = (i, len(group))
            d = _theory_bins(spec, n, p, k, edges, per_bin)
            th_mass = d.mass
            s = sample_timescales(spec, n, p, k, edges, seeds, ROOT_SEED + idx)
            label = f"N = {n}" if vary == "N" else f"P = {p}"
            ok = s.mass_sem > 0  # bins no draw ever reached carry no information
            series[vary] += [theory(d.u, d.u * d.density, label, family=fam),
                             points(centres[ok], s.mass[ok] / dlog[ok], s.mass_sem[ok] / dlog[ok],
                                    family=fam)]
            other = "P = inf" if vary == "N" else f"N = {n}"
            agreement.append(compare_curve(f"rho_k binned, {label}, {other}", centres[ok],
                                           th_mass[ok] / dlog[ok], s.mass[ok] / dlog[ok],
                                           s.mass_sem[ok] / dlog[ok], x_name="u",
                                           n_seeds=seeds))
            atoms[vary].append((n if vary == "N" else p, d.atom, s.atom,
                                s.atom_sem))
            bar.update()
    return series, atoms, agreement


def _caption(cfg: dict, k: int, lam_k: float, M: int) -> str:
    seeds = cfg["seeds"]
    return (
        f"With N = P = inf mode k = {k} is learned at the single rate u = lambda_k = {lam_k:.3g}. "
        f"A finite model (left, N = {', '.join(map(str, cfg['Ns']))}, P = inf) or finite data "
        f"(middle, P = {', '.join(map(str, cfg['Ps']))}, N = {cfg['N0']}) spreads this rate "
        "into a density of timescales rho_k(u) (drawn as u rho_k(u), the density per unit "
        "log u) and leaves a fraction of the mode never learned (right: the atom of rho_k at "
        f"u = 0) (a = {A_PAPER}, b = {B_PAPER}, M = {M}). Points: the exact spectral weights of "
        f"{seeds} random draws of the projection and data, histogrammed; the agreement check "
        "integrates the theory over the same bins (refined until each bin is resolved)."
    )
