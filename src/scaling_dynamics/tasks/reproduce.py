"""Task ``reproduce``: the paper's figures (theory over simulation) and an HTML report."""

from __future__ import annotations

import os
import shlex
from typing import Any

from .._errors import InvalidParameterError
from ._base import Output, bind
from ._convert import positive_int
from ._curves import add_format_argument, add_progress_arguments
from ._spec import Spec

__all__ = ["SPEC", "reproduce", "make_all"]


def declare(parser: Any) -> None:
    parser.add_argument("name", metavar="NAME", nargs="?", default=None,
                        help="a figure name (see --list) or 'all'")
    parser.add_argument("--list", action="store_true",
                        help="list the figures, one line each, and exit")
    parser.add_argument("--out", metavar="DIR", default="reproduce",
                        help="folder for the PNGs, their JSON and index.html "
                        "(created; default %(default)s)")
    sizes = parser.add_mutually_exclusive_group()
    sizes.add_argument("--full", action="store_true",
                       help="the paper's sizes (slow: tens of minutes)")
    sizes.add_argument("--preset", choices=("tiny", "default", "full"), default=None,
                       help="size preset (default: default; --full is --preset full)")
    parser.add_argument("--jobs", type=positive_int, default=None, metavar="J",
                        help="figures made at once in worker processes with one BLAS thread "
                        "each (default: the number of CPU cores; 1: one after the other in "
                        "this process)")
    parser.add_argument("--no-report", action="store_true",
                        help="do not (re)write DIR/index.html")
    add_format_argument(parser)
    add_progress_arguments(parser, bars="progress bars")


SPEC = Spec()
declare(SPEC)


def make_all(names: list[str] | None, out: str, preset: str, *, progress: bool | None,
             failures: list[tuple[str, str]], jobs: int) -> list[Any]:
    """The one way to the figure code: ``scaling_dynamics.reproduce.make_figures``."""
    from ..reproduce import make_figures

    return make_figures(names, out, preset, progress=progress, failures=failures, jobs=jobs)


def _listing() -> Output:
    from ..reproduce import FIGURES

    width = max(len(n) for n in FIGURES)
    text = "".join(f"{name:<{width}}  {spec.summary}\n" for name, spec in FIGURES.items())
    data = {"figures": [{"name": n, "title": s.title, "summary": s.summary}
                        for n, s in FIGURES.items()]}
    return Output(data, text)


def _check(args: Any) -> str:
    """The preset, after checking NAME and creating the folder."""
    from ..reproduce import FIGURES

    if args.name is None:
        raise InvalidParameterError(
            "`NAME` is required: a figure name or 'all' (see scaling-dynamics reproduce --list)."
        )
    if args.name != "all" and args.name not in FIGURES:
        raise InvalidParameterError(
            f"`NAME` must be 'all' or one of {', '.join(FIGURES)}; got {args.name!r} "
            "(see --list)."
        )
    try:
        os.makedirs(args.out, exist_ok=True)
    except OSError as exc:
        raise InvalidParameterError(
            f"cannot create --out folder {args.out!r}: {exc.strerror}."
        ) from None
    return "full" if args.full else (args.preset or "default")


def _text(results: list[Any], report: str | None) -> str:
    lines = []
    for r in results:
        lines.append(f"{r.name}: {r.path} ({r.wall_time_s:.1f} s)")
        lines.append(f"  {r.agreement_statement()}")
        for e in r.exponents:
            lines.append(f"  {e.quantity}: measured {e.measured:.4f}, predicted "
                         f"{e.predicted:.4f} ({e.source})")
    if report:
        lines.append(f"report: {report}")
    return "\n".join(lines) + "\n"


def reproduce(**options: Any) -> Output:
    """Make figure ``name`` (or 'all') in ``out`` and the report; status 1 if one failed."""
    from ..reproduce import load_results, write_report

    args = bind("reproduce", SPEC, options)
    if args.list:
        return _listing()
    preset = _check(args)
    failures: list[tuple[str, str]] = []
    jobs = args.jobs if args.jobs is not None else max(1, os.cpu_count() or 1)
    results = make_all(None if args.name == "all" else [args.name], args.out, preset,
                       progress=args.progress, failures=failures, jobs=jobs)
    report, notes = None, []
    if not args.no_report:
        command = f"scaling-dynamics reproduce {args.name} --out {shlex.quote(args.out)}"
        if preset != "default":
            command += " --full" if preset == "full" else f" --preset {preset}"
        report = write_report(load_results(args.out), args.out, command=command)
        notes.append(f"report: {report}")
    notes += [f"scaling-dynamics reproduce: figure {n} failed: {m}" for n, m in failures]
    data = {"figures": [r.to_dict() for r in results], "report": report,
            "all_agree": all(r.agrees for r in results),
            "failed": [{"name": n, "error": m} for n, m in failures]}
    return Output(data, _text(results, report), notes=tuple(notes),
                  status=1 if failures else 0, value=results)
