"""Command line of scaling-dynamics: a thin shell over the library.

Examples
--------
::

    scaling-dynamics simulate                       # built-in defaults, a table on stdout
    scaling-dynamics simulate --a 1.5 --b 1.25 --M 2000 --N 500 --P 1000 \\
        --seeds 16 --times 1,10,100,1000 --format json
    scaling-dynamics simulate --optimizer sgd --eta 0.5 --batch 8 --N 400 --times log:1:1e4:20

Every command accepts ``--format json`` (one JSON object on stdout, nothing else)
and reports bad options as one line on stderr with exit status 2. Progress bars
go to stderr. Each command lives in its own module with ``add_arguments(parser)``
and ``run(args) -> int``; all but ``sweep`` take both from their task in
``scaling_dynamics.tasks`` (options declared once there, the function called with
them, its table or JSON printed). Heavy imports happen inside the task functions,
so ``--help`` is instant.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from .._version import __version__

__all__ = ["main", "console", "COMMANDS"]

#: command name -> (module under scaling_dynamics.cli, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "simulate": ("simulate", "simulate the random-feature model (exact gradient flow, GD, momentum, SGD)"),
    "theory": ("theory", "predict loss curves with the mean-field theory (milliseconds; GF, GD, momentum, SGD; any N, P, M)"),
    "compare": ("compare", "run theory and simulation, print deviations in standard errors, plot both"),
    "exponents": ("exponents", "closed-form scaling exponents of the power-law family (time, data, model, compute-optimal)"),
    "compute-optimal": ("compute_optimal", "compute-optimal frontier N*, t*, L* of the theory for budgets C = N t"),
    "fit": ("fit", "fit scaling laws to loss data (Chinchilla-style law and this model's theory)"),
    "scaling-figure": ("scaling_figure", "make a scaling-law figure: bottlenecks, frontier, finite-size, train-test-gap, wider-is-better, ensembling"),
    "reproduce": ("reproduce", "reproduce the paper's figures (theory over simulation) and an HTML report"),
    "spectrum": ("spectrum", "measure a network's kernel spectrum and task power on data; fit the exponents a and b"),
    "predict": ("predict", "run the mean-field theory on a saved spectrum (e.g. one measured by `spectrum`)"),
    "sweep": ("sweep", "run a grid of any command into a resumable store (local processes or Dask); summarise or plot it"),
}

PROG = "scaling-dynamics"


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors: 'scaling-dynamics simulate: error: ... (see --help)'."""

    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(f"{self.prog}: error: {message} (see {self.prog} --help)\n")
        raise SystemExit(2)


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The full parser; with ``only``, the options of that one command alone are built.

    Every command is listed (for ``--help`` and for "invalid choice" messages), but a
    command's module is imported and its options added only when it is the one run,
    so start-up does not grow with the number of commands.
    """
    parser = _Parser(
        prog=PROG,
        description="Simulate, predict and explain neural scaling laws with the dynamical "
        "random-feature model of Bordelon, Atanasov & Pehlevan (ICML 2024).",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, (module, help_text) in COMMANDS.items():
        if only is not None and name != only:
            sub.add_parser(name, help=help_text, add_help=False)
            continue
        mod = importlib.import_module(f"{__name__}.{module}")
        p = sub.add_parser(
            name,
            help=help_text,
            description=(mod.__doc__ or help_text).strip(),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        mod.add_arguments(p)
        p.set_defaults(_module=mod)
    return parser


def _command_in(argv: Sequence[str]) -> str | None:
    """The command named by the first non-option word of ``argv``, if it is one."""
    for word in argv:
        if not word.startswith("-"):
            return word if word in COMMANDS else None
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 failure, 2 bad input)."""
    from .._errors import InvalidParameterError, ScalingDynamicsError

    argv = list(sys.argv[1:] if argv is None else argv)
    # Start-up (numpy and the command's modules imported, options parsed) creates ~20 000
    # long-lived objects and no garbage worth collecting: the collector's passes over them
    # cost ~5 ms of a 0.15 s `theory` run, so it waits until the command itself runs.
    collecting = gc.isenabled()
    gc.disable()
    try:
        parser = build_parser(only=_command_in(argv) or "")
        args = parser.parse_args(argv)
    finally:
        if collecting:
            gc.enable()
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    prog = f"{PROG} {args.command}"
    try:
        return int(args._module.run(args) or 0)
    except InvalidParameterError as exc:
        sys.stderr.write(f"{prog}: error: {exc}\n")
        return 2
    except ScalingDynamicsError as exc:
        sys.stderr.write(f"{prog}: error: {exc}\n")
        return 1
    except KeyboardInterrupt:
        sys.stderr.write(f"{prog}: interrupted\n")
        return 130
    except BrokenPipeError:
        return 0
    except OSError as exc:  # a file or folder that cannot be read or written
        where = f" {exc.filename!r}" if exc.filename else ""
        sys.stderr.write(f"{prog}: error: cannot use{where}: {exc.strerror or exc}\n")
        return 1
    except MemoryError:
        sys.stderr.write(f"{prog}: error: out of memory; reduce the sizes, seeds or times.\n")
        return 1
    except Exception as exc:  # a bug: one line, the traceback on request
        if os.environ.get("SCALING_DYNAMICS_TRACEBACK"):
            raise
        text = " ".join(str(exc).split())[:300]
        sys.stderr.write(f"{prog}: internal error: {type(exc).__name__}: {text} (please report "
                         "it; set SCALING_DYNAMICS_TRACEBACK=1 to see where)\n")
        return 1


def console() -> NoReturn:
    """The process's entry point (``scaling-dynamics``, ``python -m scaling_dynamics``).

    Runs :func:`main` and exits with its status. Before exiting it freezes the objects
    still alive (``gc.freeze``), so that the interpreter's garbage collections at exit do
    not walk numpy's and the library's modules again: 17 -> 5 ms of exit, a tenth of a
    ``theory`` run. What is still alive then is the modules and the parsers; files are
    closed by then and stdout is flushed at exit as always. (Not in :func:`main`, which
    in-process callers such as the tests run many times.)
    """
    status = main()
    gc.freeze()
    raise SystemExit(status)
