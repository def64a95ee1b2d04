"""Run a grid of any command into a resumable store, locally or on a Dask cluster; summarise it.

A grid file (TOML, schema in docs/sweeps.md) names a command, its fixed options and
the axes to vary. Each point is stored in its own file in the store, keyed by a
hash of its parameters and the package version, so re-running the sweep computes
only the missing points (and retries failed ones). Points run in parallel local
processes (one BLAS thread each), or on a dask.distributed cluster with
--scheduler. Seeds are derived from each point's parameters: the numbers are the
same however the sweep is run.

examples:
  scaling-dynamics sweep examples/sweep_simulate.toml --store out/sim
  scaling-dynamics sweep examples/sweep_simulate.toml --store out/sim --jobs 8
  scaling-dynamics sweep examples/sweep_simulate.toml --store out/sim --scheduler tcp://head:8786  # not run: needs a Dask scheduler
  scaling-dynamics sweep examples/sweep_simulate.toml --store out/sim --dry-run
  scaling-dynamics sweep out/sim --summary
  scaling-dynamics sweep out/sim --plot out/sim.png --x N --where P=2048
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from typing import Any

from ..tasks._convert import count
from ..tasks._curves import add_format_argument, add_progress_arguments
from ..tasks._inputs import parse_where
from ._common import print_json


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("target", metavar="GRID.toml|DIR",
                        help="a grid file to run, or a store directory to summarise or plot")
    r = parser.add_argument_group("running a grid")
    r.add_argument("--store", metavar="DIR", default=None,
                   help="the store directory (created if needed; required with a grid file)")
    r.add_argument("--jobs", type=count("jobs", 1, 4096), default=None,
                   help="local worker processes, one BLAS thread each; 1 runs the points in "
                   "this process (default: the number of cores)")
    r.add_argument("--scheduler", metavar="ADDRESS", default=None,
                   help="run on the dask.distributed cluster whose scheduler is at ADDRESS "
                   "(e.g. tcp://host:8786; needs the 'sweeps' extra)")
    r.add_argument("--dry-run", action="store_true",
                   help="check the grid and count the points to compute; run nothing")
    r.add_argument("--max-points", type=count("max-points", 1, 10**12), default=None, metavar="N",
                   help="the largest grid accepted: a grid of more points is refused with its "
                   "count before it is expanded (default 100000)")
    v = parser.add_argument_group("reading a store")
    v.add_argument("--summary", action="store_true",
                   help="print what the store holds: points, parameters, failures, skipped "
                   "files (the default for a directory)")
    v.add_argument("--plot", metavar="FILE", default=None,
                   help="plot a loss against a swept parameter to FILE (.png, .pdf, .svg)")
    v.add_argument("--x", default=None,
                   help="horizontal axis of --plot (default: the first swept parameter)")
    v.add_argument("--y", default="test_loss",
                   help="column plotted by --plot (default %(default)s)")
    v.add_argument("--hue", default=None,
                   help="one line per value of this column (default: time, or the other "
                   "swept parameter)")
    v.add_argument("--where", metavar="KEY=VALUE", action="append", default=[],
                   help="keep only the points with KEY=VALUE (repeatable)")
    o = parser.add_argument_group("output")
    add_format_argument(o)
    add_progress_arguments(o)


def _dry_run(args: argparse.Namespace, grid: Any) -> int:
    """Count the points of ``grid`` that the store holds and those left to compute."""
    from ..sweeps import Store

    present = 0
    if os.path.isdir(args.store):
        scan = Store.open(args.store).scan()
        present = sum(1 for key in grid.keys if key in scan.ok)
    info = {"grid": args.target, "command": grid.command, "n_points": grid.n_points,
            "n_present": present, "n_to_compute": grid.n_points - present,
            "axes": {k: list(v) for k, v in grid.axes.items()}, "n_cases": len(grid.cases)}
    if args.format == "json":
        print_json(info)
    else:
        sys.stdout.write(
            f"{args.target}: {grid.n_points} points of `{grid.command}` "
            f"({present} stored, {grid.n_points - present} to compute)\n"
        )
        for name, values in grid.axes.items():
            shown = [str(v) for v in values[:6]]
            if len(values) > 8:
                shown[-1:] = ["...", str(values[-1])]
            else:
                shown = [str(v) for v in values]
            sys.stdout.write(f"  {name} ({len(values)} values): {', '.join(shown)}\n")
    return 0


def _run_grid(args: argparse.Namespace) -> int:
    from .._errors import InvalidParameterError
    from ..sweeps import MAX_POINTS, load_grid, run_sweep

    if args.store is None:
        raise InvalidParameterError(
            "`store` is required to run a grid: add --store DIR (the folder of results)."
        )
    grid = load_grid(args.target,
                     max_points=MAX_POINTS if args.max_points is None else args.max_points)
    if args.dry_run:
        return _dry_run(args, grid)
    try:
        report = run_sweep(grid, args.store, jobs=args.jobs, scheduler=args.scheduler,
                           progress=args.progress)
    except KeyboardInterrupt:
        sys.stderr.write(
            "scaling-dynamics sweep: interrupted; the points finished so far are stored, and "
            "running the same command again computes only the rest\n"
        )
        return 130
    if args.format == "json":
        print_json({
            "store": report.store, "command": report.command, "n_points": report.n_points,
            "n_present": report.n_present, "n_computed": report.n_computed,
            "n_failed": report.n_failed, "failures": [f.to_dict() for f in report.failures],
            "skipped": [s.to_dict() for s in report.skipped], "executor": report.executor,
            "workers": report.workers, "wall_time_s": report.wall_time_s,
            "compute_time_s": report.compute_time_s, "run": report.run_id,
        })
    else:
        sys.stdout.write(
            f"sweep {report.store}: {report.n_points} points of `{report.command}`: "
            f"{report.n_present} already stored, {report.n_computed} computed, "
            f"{report.n_failed} failed ({report.executor}, {report.workers} worker(s), "
            f"{report.wall_time_s:.1f} s)\n"
        )
        for f in report.failures[:20]:
            shown = " ".join(f"{k}={v}" for k, v in f.params.items())
            sys.stdout.write(f"  failed {f.key} {shown}: {f.error}\n")
    for s in report.skipped:
        sys.stderr.write(f"scaling-dynamics sweep: skipped {s.path}: {s.reason}\n")
    if args.summary or args.plot:
        _read_store(args, report.store)
    if report.n_failed:
        sys.stderr.write(
            f"scaling-dynamics sweep: {report.n_failed} of {report.n_points} points failed "
            f"(recorded in the store; re-run to retry them)\n"
        )
        return 1
    return 0


def _read_store(args: argparse.Namespace, path: str) -> int:
    from ..sweeps import summarize

    if args.plot:
        import warnings

        from ..plots import save_figure
        from ..plots.sweeps import plot_sweep
        from ..sweeps import StoreWarning, load

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", StoreWarning)
            frame = load(path)
        for w in caught:
            sys.stderr.write(f"scaling-dynamics sweep: {w.message}\n")
        where = parse_where(args.where, "KEY=VALUE (e.g. N=256)")
        fig = plot_sweep(frame, x=args.x, y=args.y, hue=args.hue, where=where)
        save_figure(fig, args.plot)
        sys.stderr.write(f"saved {args.plot}\n")
        if not args.summary:
            return 0
    summary = summarize(path)
    if args.format == "json":
        print_json(summary.to_dict())
    else:
        sys.stdout.write(summary.format())
    for line in summary.problems:
        sys.stderr.write(f"scaling-dynamics sweep: skipped {line}\n")
    return 0


#: Figure formats of --plot (matplotlib's, by the file's suffix).
_PLOT_SUFFIXES = (".png", ".pdf", ".svg", ".jpg", ".jpeg", ".eps", ".ps", ".tif", ".tiff",
                  ".webp", ".svgz", ".pgf", ".gif")
#: A dask scheduler address: [protocol://]host:port.
_ADDRESS = re.compile(r"(?:[a-z][a-z0-9+.-]*://)?[A-Za-z0-9._\-\[\]]+:[0-9]{1,5}")


def _check_outputs(args: argparse.Namespace) -> None:
    """Refuse, before any work, a --plot file of no known format or a malformed --scheduler."""
    from .._errors import InvalidParameterError

    if args.plot is not None and not args.plot.lower().endswith(_PLOT_SUFFIXES):
        raise InvalidParameterError(
            f"`plot` must be a file name ending in {', '.join(_PLOT_SUFFIXES[:3])} (or another "
            f"matplotlib format); got {args.plot!r}."
        )
    if args.scheduler is not None and not _ADDRESS.fullmatch(args.scheduler):
        raise InvalidParameterError(
            "`scheduler` must be a dask scheduler address like tcp://host:8786; got "
            f"{args.scheduler!r}."
        )


def run(args: argparse.Namespace) -> int:
    from .._errors import InvalidParameterError

    _check_outputs(args)
    target = args.target
    if os.path.isdir(target):
        if args.store is not None and os.path.abspath(args.store) != os.path.abspath(target):
            raise InvalidParameterError(
                f"`store` is given twice: {target!r} and --store {args.store!r}."
            )
        for flag, value in (("--jobs", args.jobs), ("--scheduler", args.scheduler),
                            ("--dry-run", args.dry_run or None),
                            ("--max-points", args.max_points)):
            if value is not None:
                raise InvalidParameterError(
                    f"`{flag.lstrip('-')}` applies to running a grid file; {target!r} is a store "
                    f"(use --summary or --plot)."
                )
        return _read_store(args, target)
    if not os.path.exists(target):
        raise InvalidParameterError(
            f"`target` must be a grid file (GRID.toml) or a store directory; {target!r} does not "
            f"exist."
        )
    return _run_grid(args)
