"""Checks of a drawn matplotlib figure that a reader would otherwise catch by eye.

* no two tick labels of one axis overlap (after drawing, in display coordinates);
* titles (each panel's and the figure's) name no file path and show no raw dict or set
  (no ``{`` outside mathtext);
* no number in a legend or a title has more than 4 significant digits
  (``time = 1.77828`` is noise to a reader; ``1.78`` is the value).

:func:`figure_problems` lists every violation as a sentence (empty when the figure is clean);
:func:`capture_saved_figures` records every figure saved while it is active, so a test can run
a whole command and then check each figure it wrote.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import Any

_NUMBER = re.compile(r"(?<![\w.])[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?(?![\w.])")
_PATH = re.compile(r"(?:^|[\s(\[='\"])(?:~|\.{1,2})?/[\w.-]|[\w.-]+/[\w.-]+/[\w.-]")
_MATH = re.compile(r"\$[^$]*\$")


def significant_digits(number: str) -> int:
    """Significant digits of a number as written: ``1.77828`` -> 6, ``12000`` -> 2, ``0.05`` -> 1."""
    mantissa = re.split(r"[eE]", number.lstrip("+-"))[0]
    if "." in mantissa:
        digits = mantissa.replace(".", "").lstrip("0")
        return len(digits) if digits else 1
    digits = mantissa.lstrip("0").rstrip("0")
    return max(1, len(digits))


def long_numbers(text: str, limit: int = 4) -> list[str]:
    """The numbers in ``text`` written with more than ``limit`` significant digits."""
    return [m.group(0) for m in _NUMBER.finditer(text) if significant_digits(m.group(0)) > limit]


def title_problem(text: str) -> str | None:
    """Why ``text`` is not a good title (a path, a raw dict), or None."""
    if _PATH.search(text):
        return "names a file path"
    if "{" in _MATH.sub("", text) or "}" in _MATH.sub("", text):
        return "shows a raw dict or set"
    return None


def _overlaps(boxes: list[tuple[str, Any]]) -> list[tuple[str, str]]:
    out = []
    for i in range(len(boxes)):
        for j in range(i + 1, len(boxes)):
            (ti, bi), (tj, bj) = boxes[i], boxes[j]
            # overlapping by more than half a pixel in both directions
            if (min(bi.x1, bj.x1) - max(bi.x0, bj.x0) > 0.5
                    and min(bi.y1, bj.y1) - max(bi.y0, bj.y0) > 0.5):
                out.append((ti, tj))
    return out


def tick_label_boxes(ax: Any, axis: str, renderer: Any) -> list[tuple[str, Any]]:
    """(text, window extent) of every visible, non-empty tick label of ``ax.xaxis``/``yaxis``."""
    ax_obj = ax.xaxis if axis == "x" else ax.yaxis
    lo, hi = sorted(ax_obj.get_view_interval())
    boxes = []
    for tick in [*ax_obj.get_major_ticks(), *ax_obj.get_minor_ticks()]:
        loc = tick.get_loc()
        if loc is None or not (lo - 1e-12 * abs(lo) <= loc <= hi + 1e-12 * abs(hi)):
            continue
        for label in (tick.label1, tick.label2):
            if label.get_visible() and label.get_text().strip():
                boxes.append((label.get_text(), label.get_window_extent(renderer)))
    return boxes


def figure_problems(fig: Any, name: str = "figure") -> list[str]:
    """Every overlapping tick-label pair, bad title and over-long number in ``fig``."""
    from scaling_dynamics.plots._tidy import drawn_renderer

    renderer = drawn_renderer(fig)
    problems = []
    titles = []
    if fig._suptitle is not None:
        titles.append(fig._suptitle.get_text())
    for k, ax in enumerate(fig.axes):
        if not ax.get_visible():
            continue
        where = f"{name}, panel {k} ({ax.get_title()!r})"
        for axis in ("x", "y"):
            for a, b in _overlaps(tick_label_boxes(ax, axis, renderer)):
                problems.append(f"{where}: {axis} tick labels {a!r} and {b!r} overlap")
        titles += [ax.get_title(loc) for loc in ("left", "center", "right")]
        legend = ax.get_legend()
        for text in ([] if legend is None else legend.get_texts()):
            for number in long_numbers(text.get_text()):
                problems.append(f"{where}: legend {text.get_text()!r} has {number}")
    for title in filter(None, titles):
        why = title_problem(title)
        if why:
            problems.append(f"{name}: title {title!r} {why}")
        for number in long_numbers(title):
            problems.append(f"{name}: title {title!r} has {number}")
    return problems


@contextlib.contextmanager
def capture_saved_figures() -> Iterator[list[tuple[str, Any]]]:
    """Record ``(path, figure)`` for every ``Figure.savefig`` call inside the block."""
    from matplotlib.figure import Figure

    saved: list[tuple[str, Any]] = []
    original = Figure.savefig

    def savefig(self: Any, fname: Any, *args: Any, **kwargs: Any) -> Any:
        saved.append((str(fname), self))
        return original(self, fname, *args, **kwargs)

    Figure.savefig = savefig  # type: ignore[method-assign]
    try:
        yield saved
    finally:
        Figure.savefig = original  # type: ignore[method-assign]
