"""Helpers shared by the figure modules: presets, runs, and writing a finished figure."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Sequence
from typing import Any

from .._errors import InvalidParameterError
from .._params import size_text
from .._validation import check_choice
from ..spectra import Spectrum
from ._panels import FigureData
from ._types import PRESETS, CurveAgreement, ExponentCheck, FigureResult

__all__ = [
    "A_PAPER",
    "B_PAPER",
    "ROOT_SEED",
    "T_INFINITY",
    "pick",
    "size_text",
    "power_law",
    "run_simulation",
    "footnote",
    "finish",
    "Timer",
]

#: The talk's and paper's main example (Bordelon et al. 2024, Fig. 2): a = 1.5, b = 1.25.
A_PAPER = 1.5
B_PAPER = 1.25
#: Root seed of every simulation in the reproduction (results are reproducible bit for bit).
ROOT_SEED = 2024
#: Gradient-flow time that stands for t = inf in simulations (every learnable mode is
#: learned: e^{-mu t} < e^{-1e4} for the smallest non-zero kernel eigenvalue at these sizes).
T_INFINITY = 1e12


def pick(preset: str, table: dict[str, Any]) -> Any:
    """The entry of ``table`` (keys tiny / default / full) for ``preset``."""
    check_choice("preset", preset, PRESETS)
    return table[preset]


def power_law(M: int | float, sigma: float = 0.0, a: float = A_PAPER,
              b: float = B_PAPER) -> Spectrum:
    """The power-law teacher of the figures."""
    return Spectrum.power_law(a, b, M, sigma)


def run_simulation(spectrum: Spectrum, N: float, P: float | None, times: Any, seeds: int,
                   **options: Any) -> Any:
    """``simulate`` with the reproduction's root seed and no progress bar of its own."""
    from ..simulate import simulate

    return simulate(spectrum, N, P, times, n_seeds=seeds, seed=ROOT_SEED, progress=False,
                    **options)


def footnote(seeds: int | None, extra: str = "") -> str:
    """The line under every figure saying what lines and points are."""
    text = "lines: mean-field theory (DMFT)"
    if seeds:
        text += f"; points: simulation mean ± 1 s.e. over {seeds} seeds"
    return text + (f"; {extra}" if extra else "")


class Timer:
    """Wall time since construction."""

    def __init__(self) -> None:
        self.start = time.perf_counter()

    def elapsed(self) -> float:
        return time.perf_counter() - self.start


def finish(
    *,
    name: str,
    title: str,
    out_dir: str | os.PathLike[str],
    preset: str,
    figure: FigureData,
    caption: str,
    params: dict[str, Any],
    agreement: Sequence[CurveAgreement],
    exponents: Sequence[ExponentCheck] = (),
    notes: Sequence[str] = (),
    timer: Timer | None = None,
) -> FigureResult:
    """Draw ``figure`` to ``<out_dir>/<name>.png``, write ``<name>.json``; return the result."""
    from ..plots.reproduce import draw_figure
    from ..results import encode_params

    out_dir = os.fspath(out_dir)
    try:
        os.makedirs(out_dir, exist_ok=True)
    except OSError as exc:
        raise InvalidParameterError(
            f"cannot create the output folder {out_dir!r}: {exc.strerror}."
        ) from None
    path = os.path.join(out_dir, f"{name}.png")
    data_path = os.path.join(out_dir, f"{name}.json")
    draw_figure(figure, path)
    result = FigureResult(
        name=name,
        title=title,
        path=path,
        data_path=data_path,
        caption=caption,
        params=params,
        agreement=tuple(agreement),
        exponents=tuple(exponents),
        preset=preset,
        wall_time_s=timer.elapsed() if timer is not None else 0.0,
        notes=tuple(notes),
    )
    record = encode_params({"result": result.to_dict(), "figure": figure.to_dict()})
    tmp = data_path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(record, fh, indent=1, allow_nan=False)
    os.replace(tmp, data_path)
    return result
