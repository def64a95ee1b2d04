"""The HTML report of a reproduction: ``DIR/index.html``, self-contained, opens offline.

One page with every figure found in ``DIR`` (each PNG embedded in the page as a base64
``data:`` URI, so that ``index.html`` alone can be sent to someone; the PNGs stay next to
it), its caption and parameters, the statement of whether theory and simulation agree
within 3 standard errors (and, where not, which curve and where), a table of every
measured exponent against its closed form, and a summary table at the top. Styles are
inline; there is no script and nothing is fetched from the network or read from another
file.
"""

from __future__ import annotations

import base64
import datetime as _dt
import html
import json
import math
import os
from collections.abc import Sequence
from typing import Any

from .._errors import InvalidParameterError
from .._version import __version__
from ._types import AGREEMENT_THRESHOLD, FigureResult

__all__ = ["write_report", "load_results", "REPORT_NAME"]

REPORT_NAME = "index.html"

_CSS = """
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 0;
       color: #1d2327; background: #fafafa; line-height: 1.45; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 28px 60px; }
h1 { font-size: 1.55em; margin-bottom: 0.2em; }
h2 { font-size: 1.25em; margin-top: 2.2em; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
h3 { font-size: 1.02em; margin: 1.2em 0 0.4em; }
.meta { color: #555; font-size: 0.92em; }
table { border-collapse: collapse; margin: 0.6em 0 1em; font-size: 0.88em; background: #fff; }
th, td { border: 1px solid #d9d9d9; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f0f2f4; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.ok { color: #14632d; font-weight: 600; }
.bad { color: #a4161a; font-weight: 600; }
.none { color: #666; font-weight: 600; }
figure { margin: 0.8em 0; background: #fff; border: 1px solid #e3e3e3; padding: 8px; }
figure img { width: 100%; height: auto; display: block; }
figcaption { font-size: 0.92em; color: #333; margin-top: 6px; }
.verdict { padding: 6px 10px; border-left: 4px solid #bbb; background: #fff; }
.verdict.ok { border-color: #2b8a3e; }
.verdict.bad { border-color: #c92a2a; }
details { margin: 0.4em 0 1em; }
code { background: #eef0f2; padding: 1px 4px; border-radius: 3px; }
nav a { margin-right: 0.9em; }
"""


def _e(x: Any) -> str:
    return html.escape(str(x), quote=True)


def _fmt(x: Any) -> str:
    if isinstance(x, bool) or x is None:
        return str(x)
    if isinstance(x, (int,)):
        return str(x)
    if isinstance(x, float):
        if math.isinf(x):
            return "inf" if x > 0 else "-inf"
        if math.isnan(x):
            return "nan"
        return f"{x:.6g}"
    if isinstance(x, (list, tuple)):
        items = [_fmt(v) for v in x]
        if len(items) > 12:
            items = items[:5] + ["...", *items[-3:]] + [f"({len(x)} values)"]
        return ", ".join(items)
    return str(x)


def load_results(out_dir: str | os.PathLike[str]) -> list[FigureResult]:
    """The figure results saved in ``out_dir`` (``<name>.json`` of registered figures),
    in registry order."""
    from ._registry import FIGURES

    out_dir = os.fspath(out_dir)
    results = []
    for name in FIGURES:
        path = os.path.join(out_dir, f"{name}.json")
        if not os.path.isfile(path):
            continue
        with open(path, encoding="utf-8") as fh:
            record = json.load(fh)
        if "result" not in record:
            continue
        results.append(FigureResult.from_dict(record["result"]))
    return results


def _verdict_class(r: FigureResult) -> str:
    if not r.agreement:
        return "none"
    return "ok" if r.agrees else "bad"


def _summary_table(results: Sequence[FigureResult]) -> str:
    rows = []
    for r in results:
        cls = _verdict_class(r)
        word = {"ok": "agree", "bad": "deviate", "none": "theory only"}[cls]
        n_bad = sum(not a.agrees for a in r.agreement)
        max_dev = "" if not r.agreement else f"{r.max_abs_deviation:.2f}"
        rows.append(
            f"<tr><td><a href=\"#{_e(r.name)}\">{_e(r.name)}</a></td><td>{_e(r.title)}</td>"
            f"<td class=\"{cls}\">{word}</td>"
            f"<td class=\"num\">{len(r.agreement) - n_bad} / {len(r.agreement)}</td>"
            f"<td class=\"num\">{max_dev}</td><td>{_e(r.preset)}</td>"
            f"<td class=\"num\">{r.wall_time_s:.1f}</td></tr>"
        )
    return (
        "<table><tr><th>figure</th><th>what it shows</th>"
        f"<th>theory vs simulation (&le; {AGREEMENT_THRESHOLD:g} s.e.)</th>"
        "<th>curves within</th><th>max |dev| (s.e.)</th><th>preset</th><th>time (s)</th></tr>"
        + "".join(rows) + "</table>"
    )


def _exponent_table(results: Sequence[FigureResult]) -> str:
    rows = []
    for r in results:
        for e in r.exponents:
            rows.append(
                f"<tr><td><a href=\"#{_e(r.name)}\">{_e(r.name)}</a></td><td>{_e(e.quantity)}</td>"
                f"<td class=\"num\">{e.measured:.4f}</td><td class=\"num\">{e.predicted:.4f}</td>"
                f"<td class=\"num\">{e.difference:+.4f}</td><td>{_e(e.source)}</td></tr>"
            )
    if not rows:
        return "<p>No exponents were measured in these figures.</p>"
    return (
        "<table><tr><th>figure</th><th>exponent</th><th>measured</th><th>predicted</th>"
        "<th>difference</th><th>measured from</th></tr>" + "".join(rows) + "</table>"
    )


_MIME = {".png": "image/png", ".svg": "image/svg+xml", ".jpg": "image/jpeg",
         ".jpeg": "image/jpeg"}


def _data_uri(path: str) -> str | None:
    """The image at ``path`` as a ``data:`` URI (base64), or None when it is not there."""
    mime = _MIME.get(os.path.splitext(path)[1].lower())
    if mime is None or not os.path.isfile(path):
        return None
    with open(path, "rb") as fh:
        return f"data:{mime};base64,{base64.b64encode(fh.read()).decode('ascii')}"


def _figure_section(r: FigureResult, out_dir: str) -> str:
    png = os.path.basename(r.path)
    parts = [f"<section id=\"{_e(r.name)}\"><h2>{_e(r.title)} <small>"
             f"(<code>{_e(r.name)}</code>)</small></h2>"]
    uri = _data_uri(os.path.join(out_dir, png))
    if uri is not None:
        parts.append(f"<figure><img src=\"{uri}\" alt=\"{_e(r.title)}\" "
                     f"title=\"{_e(png)}\"><figcaption>{_e(r.caption)}</figcaption></figure>")
    else:
        parts.append(f"<p class=\"bad\">The image {_e(png)} is missing from this folder.</p>"
                     f"<p>{_e(r.caption)}</p>")
    cls = _verdict_class(r)
    parts.append(f"<p class=\"verdict {cls}\">{_e(r.agreement_statement())}</p>")
    for note in r.notes:
        parts.append(f"<p class=\"meta\">Note: {_e(note)}</p>")
    if r.agreement:
        rows = "".join(
            f"<tr><td>{_e(a.label)}</td><td class=\"num\">{a.n_points}</td>"
            f"<td class=\"num\">{a.n_seeds}</td>"
            f"<td class=\"num {'ok' if a.agrees else 'bad'}\">{a.max_abs_deviation:.2f}</td>"
            f"<td>{_e(a.x_name)} = {a.worst_x:.3g}</td>"
            f"<td>{_e(', '.join(f'{x:.3g}' for x in a.above_threshold) or '-')}</td></tr>"
            for a in r.agreement
        )
        parts.append(
            "<details><summary>Agreement of each curve</summary><table><tr><th>curve</th>"
            "<th>points</th><th>seeds</th><th>max |dev| (s.e.)</th><th>at</th>"
            f"<th>beyond {AGREEMENT_THRESHOLD:g} s.e. at</th></tr>{rows}</table></details>"
        )
    if r.exponents:
        parts.append("<h3>Exponents</h3>" + _exponent_table([r]))
    prow = "".join(f"<tr><th>{_e(k)}</th><td>{_e(_fmt(v))}</td></tr>" for k, v in r.params.items())
    parts.append(f"<details><summary>Parameters</summary><table>{prow}</table></details>")
    parts.append(f"<p class=\"meta\">Made in {r.wall_time_s:.1f} s (preset {_e(r.preset)}); "
                 f"numbers behind every curve: <code>{_e(os.path.basename(r.data_path))}"
                 "</code>.</p></section>")
    return "".join(parts)


def write_report(results: Sequence[FigureResult], out_dir: str | os.PathLike[str], *,
                 command: str | None = None) -> str:
    """Write ``<out_dir>/index.html`` for ``results``; return its path.

    Each PNG (which must lie in ``out_dir``, where the figure functions write them) is
    embedded in the page, so the one file shows every figure wherever it is opened.
    """
    out_dir = os.fspath(out_dir)
    if not os.path.isdir(out_dir):
        raise InvalidParameterError(f"`out_dir` must be an existing folder; got {out_dir!r}.")
    results = list(results)
    n_ok = sum(r.agrees for r in results if r.agreement)
    n_cmp = sum(1 for r in results if r.agreement)
    stamp = _dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    presets = sorted({r.preset for r in results})
    head = (
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        "<link rel=\"icon\" href=\"data:,\">"
        "<title>Reproduction: A Dynamical Model of Neural Scaling Laws</title>"
        f"<style>{_CSS}</style></head><body><main>"
    )
    intro = (
        "<h1>A Dynamical Model of Neural Scaling Laws: the figures, reproduced</h1>"
        "<p class=\"meta\">Bordelon, Atanasov &amp; Pehlevan, ICML 2024 (arXiv:2402.01092). "
        f"Made by scaling-dynamics {_e(__version__)} on {_e(stamp)}; preset "
        f"{_e(', '.join(presets) or '-')}"
        + (f"; command <code>{_e(command)}</code>" if command else "") + ".</p>"
        "<p>Every figure puts the mean-field (DMFT) theory, drawn as lines, over exact "
        "simulations of the random-feature model, drawn as points with error bars of one "
        "standard error over independent draws of data and projection. A theory curve "
        f"<em>agrees</em> when it lies within {AGREEMENT_THRESHOLD:g} standard errors of every "
        "simulation point on it; where it does not, the figure says which curve and where. "
        f"Here {n_ok} of {n_cmp} figures with simulations agree everywhere.</p>"
        "<nav>" + "".join(f"<a href=\"#{_e(r.name)}\">{_e(r.name)}</a>" for r in results)
        + "</nav>"
        "<h2>Summary</h2>" + _summary_table(results)
        + "<h2>Measured against predicted exponents</h2>"
        "<p>Predictions are the closed forms of the paper (Eq. 14 and 17; "
        "m = min(a-1, 2b)); measurements are least-squares slopes of the theory's curves over "
        "the range named in the last column (the simulations check those curves point by "
        "point in the figures below).</p>"
        + _exponent_table(results)
    )
    body = "".join(_figure_section(r, out_dir) for r in results)
    page = head + intro + body + "</main></body></html>\n"
    path = os.path.join(out_dir, REPORT_NAME)
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(page)
    os.replace(tmp, path)
    return path
