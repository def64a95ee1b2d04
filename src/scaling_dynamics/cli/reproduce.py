"""Reproduce the paper's figures of the model: theory lines over simulation points, and a report.

Makes each figure (PNG and the JSON of its numbers) in DIR and writes DIR/index.html, a
self-contained page with every figure found in DIR, its caption and parameters, whether
theory and simulation agree within 3 standard errors (and where not), and a table of
measured against predicted exponents. Progress goes to stderr.

presets:
  default   every figure within about 10 minutes on 2 cores
  --full    the paper's sizes (larger M, N, P, more seeds; tens of minutes)
  --preset tiny   seconds per figure (smoke tests; few seeds)

examples:
  scaling-dynamics reproduce --list
  scaling-dynamics reproduce all --out report/
  scaling-dynamics reproduce loss-dynamics --out report/
  scaling-dynamics reproduce frontier --out report/ --full
  scaling-dynamics reproduce all --out report/ --format json
"""

from __future__ import annotations

import argparse
import shlex
import sys

from .._errors import InvalidParameterError
from ._common import add_format_argument, add_progress_arguments


def add_arguments(parser: argparse.ArgumentParser) -> None:
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
    parser.add_argument("--jobs", type=_jobs, default=None, metavar="J",
                        help="figures made at once in worker processes with one BLAS thread "
                        "each (default: the number of CPU cores; 1: one after the other in "
                        "this process)")
    parser.add_argument("--no-report", action="store_true",
                        help="do not (re)write DIR/index.html")
    add_format_argument(parser)
    add_progress_arguments(parser, bars="progress bars")


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer; got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer; got {text!r}")
    return value


def _list() -> str:
    from ..reproduce import FIGURES

    width = max(len(n) for n in FIGURES)
    return "".join(f"{name:<{width}}  {spec.summary}\n" for name, spec in FIGURES.items())


def run(args: argparse.Namespace) -> int:
    import os

    from ..reproduce import FIGURES, load_results, make_figures, write_report
    from ._common import print_json

    if args.list:
        if args.format == "json":
            print_json({"figures": [{"name": n, "title": s.title, "summary": s.summary}
                                    for n, s in FIGURES.items()]})
        else:
            sys.stdout.write(_list())
        return 0
    if args.name is None:
        raise InvalidParameterError(
            "`NAME` is required: a figure name or 'all' (see scaling-dynamics reproduce --list)."
        )
    if args.name != "all" and args.name not in FIGURES:
        raise InvalidParameterError(
            f"`NAME` must be 'all' or one of {', '.join(FIGURES)}; got {args.name!r} "
            "(see --list)."
        )
    preset = "full" if args.full else (args.preset or "default")
    try:
        os.makedirs(args.out, exist_ok=True)
    except OSError as exc:
        raise InvalidParameterError(
            f"cannot create --out folder {args.out!r}: {exc.strerror}."
        ) from None
    names = None if args.name == "all" else [args.name]
    failures: list[tuple[str, str]] = []
    jobs = args.jobs if args.jobs is not None else max(1, os.cpu_count() or 1)
    results = make_figures(names, args.out, preset, progress=args.progress, failures=failures,
                           jobs=jobs)
    report = None
    if not args.no_report:
        command = f"scaling-dynamics reproduce {args.name} --out {shlex.quote(args.out)}"
        if preset != "default":
            command += " --full" if preset == "full" else f" --preset {preset}"
        report = write_report(load_results(args.out), args.out, command=command)
        sys.stderr.write(f"report: {report}\n")
    status = 1 if failures else 0
    for name, message in failures:
        sys.stderr.write(f"scaling-dynamics reproduce: figure {name} failed: {message}\n")
    if args.format == "json":
        print_json({"figures": [r.to_dict() for r in results], "report": report,
                    "all_agree": all(r.agrees for r in results),
                    "failed": [{"name": n, "error": m} for n, m in failures]})
        return status
    lines = []
    for r in results:
        lines.append(f"{r.name}: {r.path} ({r.wall_time_s:.1f} s)")
        lines.append(f"  {r.agreement_statement()}")
        for e in r.exponents:
            lines.append(f"  {e.quantity}: measured {e.measured:.4f}, predicted "
                         f"{e.predicted:.4f} ({e.source})")
    if report:
        lines.append(f"report: {report}")
    sys.stdout.write("\n".join(lines) + "\n")
    return status
