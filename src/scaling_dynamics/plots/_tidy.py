"""The last pass over every figure before it is shown or saved: readable text, readable ticks.

Figures are built from result objects whose labels carry full-precision numbers
(``time = 1.77828``), the folder a table came from (``/home/me/runs/store``) or a filter as a
Python dict (``{'P': 400}``): right in a JSON record, noise in a figure. :func:`tidy_figure`
rewrites what a reader sees, never the data drawn:

* titles name a file by its base name and a filter as ``P = 400``;
* numbers in titles and legends with more than 4 significant digits are shown with 3;
* log axes spanning under two decades get plain 1-2-5 labels (``20``, ``50``; finer where that
  leaves fewer than three) instead of
  crowded ``3 x 10^2``-style minor labels; longer ones lose their minor labels;
* after the layout is drawn, tick labels of one axis that would overlap are thinned
  (every other one kept, repeatedly) until none do.
"""

from __future__ import annotations

import ast
import math
import os
import re
from typing import Any

__all__ = ["drawn_renderer", "readable_text", "round_numbers", "tidy_figure"]

#: A number as it appears in a label (not part of a word or a dotted version string).
_NUMBER = re.compile(r"(?<![\w.])([-+]?)(\d+\.\d*|\.\d+|\d+)([eE][-+]?\d+)?(?![\w.])")
#: A path: an absolute or home/dot-relative one, or two or more slash-separated parts.
_PATH = re.compile(r"(?<![\w$^])(?:~|\.{1,2})?/[\w.+@-]+(?:/[\w.+@-]*)*|"
                   r"(?<![\w$^/])[\w.+@-]+/[\w.+@-]+(?:/[\w.+@-]*)+")
_DICT = re.compile(r"\{([^{}$]*)\}")
_MATH = re.compile(r"(\$[^$]*\$)")


def _significant(mantissa: str) -> int:
    if "." in mantissa:
        digits = mantissa.replace(".", "").lstrip("0")
        return len(digits) if digits else 1
    return max(1, len(mantissa.lstrip("0").rstrip("0")))


def round_numbers(text: str, keep: int = 3, limit: int = 4) -> str:
    """``text`` with every number of more than ``limit`` significant digits shown with ``keep``.

    Whole numbers are left alone (``N = 12000``, ``seed 12345``): only decimals and
    numbers in scientific notation are rounded (``time = 1.77828`` -> ``time = 1.78``).
    """
    def one(m: re.Match[str]) -> str:
        sign, mantissa, exponent = m.group(1), m.group(2), m.group(3) or ""
        if ("." not in mantissa and not exponent) or _significant(mantissa) <= limit:
            return m.group(0)
        value = float(sign + mantissa + exponent)
        if not math.isfinite(value):
            return m.group(0)
        return f"{value:.{keep}g}"

    return _NUMBER.sub(one, text)


def _readable_dict(m: re.Match[str]) -> str:
    try:
        value = ast.literal_eval("{" + m.group(1) + "}")
    except (ValueError, SyntaxError):
        return m.group(1).replace("'", "").replace('"', "")
    if isinstance(value, dict):
        return ", ".join(f"{k} = {v}" for k, v in value.items())
    if isinstance(value, (set, frozenset)):
        return ", ".join(str(v) for v in sorted(value, key=str))
    return m.group(1)


def _base_name(m: re.Match[str]) -> str:
    return os.path.basename(m.group(0).rstrip("/")) or m.group(0)


def readable_text(text: str) -> str:
    """A title as a reader wants it: no folders of a path, no dict braces, numbers rounded.

    Mathtext (``$...$``) is left as it is.
    """
    parts = _MATH.split(text)
    for i in range(0, len(parts), 2):  # the even parts lie outside $...$
        plain = _DICT.sub(_readable_dict, parts[i])
        plain = _PATH.sub(_base_name, plain)
        parts[i] = round_numbers(plain)
    return "".join(parts)


def _titles(fig: Any) -> list[Any]:
    texts = [t for t in (getattr(fig, "_suptitle", None),) if t is not None]
    for ax in fig.axes:
        texts += [ax.title, getattr(ax, "_left_title", None), getattr(ax, "_right_title", None)]
    return [t for t in texts if t is not None and t.get_text()]


def _tidy_text(fig: Any) -> None:
    for t in _titles(fig):
        t.set_text(readable_text(t.get_text()))
    for ax in fig.axes:
        legend = ax.get_legend()
        for t in ([] if legend is None else legend.get_texts()):
            t.set_text(round_numbers(t.get_text()))


def _tidy_log_axis(axis: Any, lim: tuple[float, float]) -> None:
    """1-2-5 plain labels on a log axis spanning under two decades; no minor labels on others.

    Only axes that still use matplotlib's default log formatter are changed (a figure that
    chose its own ticks keeps them).
    """
    from matplotlib.ticker import FuncFormatter, LogFormatterSciNotation, LogLocator, NullFormatter

    if axis.get_scale() != "log" or not isinstance(axis.get_major_formatter(),
                                                   LogFormatterSciNotation):
        return
    lo, hi = sorted(lim)
    if not (lo > 0 and math.isfinite(hi)):
        return
    if hi / lo < 100:
        subs: tuple[float, ...] = (1.0, 2.0, 5.0)
        decades = range(math.floor(math.log10(lo)), math.ceil(math.log10(hi)) + 1)
        if sum(lo <= m * 10.0**d <= hi for d in decades for m in subs) < 3:
            subs = (1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0)  # under 3 labels: finer (thinned if crowded)
        axis.set_major_locator(LogLocator(base=10, subs=subs))
        axis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:g}"))
    axis.set_minor_formatter(NullFormatter())


def _label_boxes(axis: Any, renderer: Any, minor: bool) -> list[tuple[float, Any]]:
    lo, hi = sorted(axis.get_view_interval())
    out = []
    ticks = axis.get_minor_ticks() if minor else axis.get_major_ticks()
    for tick in ticks:
        loc = tick.get_loc()
        if loc is None or not (lo <= loc <= hi):
            continue
        for label in (tick.label1, tick.label2):
            if label.get_visible() and label.get_text().strip():
                out.append((loc, label.get_window_extent(renderer)))
    return out


def _overlap(a: Any, b: Any, pad: float = 1.0) -> bool:
    return (min(a.x1, b.x1) - max(a.x0, b.x0) > -pad
            and min(a.y1, b.y1) - max(a.y0, b.y0) > -pad)


def drawn_renderer(fig: Any) -> Any:
    """Lay out and draw ``fig`` off screen (an Agg canvas where it has none); its renderer."""
    from matplotlib.backend_bases import FigureCanvasBase

    if type(fig.canvas) is FigureCanvasBase:
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        FigureCanvasAgg(fig)
    fig.canvas.draw()
    return fig.canvas.get_renderer()


def _thin_ticks(fig: Any, rounds: int = 4) -> None:
    """Drop tick labels until no two of one axis overlap (minor labels go first)."""
    from matplotlib.ticker import FixedLocator, NullFormatter

    for _ in range(rounds):
        renderer = drawn_renderer(fig)
        changed = False
        for ax in fig.axes:
            if not ax.get_visible():
                continue
            for axis in (ax.xaxis, ax.yaxis):
                major = _label_boxes(axis, renderer, minor=False)
                minor = _label_boxes(axis, renderer, minor=True)
                boxes = sorted(major + minor, key=lambda lb: lb[0])
                if not any(_overlap(a[1], b[1]) for a, b in zip(boxes, boxes[1:], strict=False)):
                    continue
                changed = True
                if minor:
                    axis.set_minor_formatter(NullFormatter())
                    continue
                locs = [loc for loc, _ in sorted(major, key=lambda lb: lb[0])]
                axis.set_major_locator(FixedLocator(locs[::2] if len(locs) > 2 else locs[:1]))
        if not changed:
            return


def tidy_figure(fig: Any) -> Any:
    """Readable titles, legends and ticks for ``fig`` (see the module notes); returns ``fig``."""
    _tidy_text(fig)
    for ax in fig.axes:
        _tidy_log_axis(ax.xaxis, ax.get_xlim())
        _tidy_log_axis(ax.yaxis, ax.get_ylim())
    _thin_ticks(fig)
    return fig
