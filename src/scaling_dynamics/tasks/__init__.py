"""Tasks: one typed function per sweepable command, and the registry of their options.

A task is a library call described by data: ``TASKS[name].function(**options)``
takes the command's options as keyword arguments (names are the long options with
'-' -> '_'; Python values or their command-line text; the others at their defaults)
and returns an :class:`Output` whose ``to_dict()`` is exactly what
``scaling-dynamics NAME --format json`` prints. The command line (``cli``) and the
sweeps (``sweeps``) are thin layers over this registry: the CLI builds its options
from ``TASKS[name].spec`` and prints the output; a sweep point is a task name plus
keyword arguments, validated against the same spec and run in-process.

>>> from scaling_dynamics.tasks import TASKS
>>> out = TASKS["exponents"].function(a=1.5, b=1.25)
>>> round(out.to_dict()["model"], 6)
0.5

Heavy imports happen inside the functions, and a task's module is imported the first
time its name is looked up in :data:`TASKS`, so importing this package is cheap.
"""

from __future__ import annotations

from .._lazy import LazyRegistry
from ._base import Output as Output
from ._base import Task as Task
from ._spec import Param as Param
from ._spec import Spec as Spec

__all__ = ["TASKS", "Task", "Output", "Param", "Spec"]


def _task(name: str, entry: tuple[str, str, bool], fn: object) -> Task:
    """The task of one registry line (its module, imported now, holds the function and SPEC)."""
    import sys

    module = sys.modules[f"{__name__}.{entry[0].partition(':')[0]}"]
    spec: Spec = module.SPEC  # type: ignore[attr-defined]
    fn.__signature__ = spec.signature()  # type: ignore[attr-defined]
    return Task(name, fn, spec, entry[1], takes_seed="seed" in spec.params,  # type: ignore[arg-type]
                writes_folder=entry[2])


#: task name (the command's name) -> Task, in the order the command line lists them. Each
#: line: "module:function" (the module, with its SPEC, is imported on first lookup: a
#: command imports only its own task), the one-line help, whether it writes a folder.
TASKS: LazyRegistry[Task, tuple[str, str, bool]] = LazyRegistry(__name__, {
    "simulate": ("simulate:simulate", "simulate the random-feature model (exact gradient "
                 "flow, GD, momentum, SGD)", False),
    "theory": ("theory:theory", "predict loss curves with the mean-field theory "
               "(milliseconds; GF, GD, momentum, SGD; any N, P, M)", False),
    "compare": ("compare:compare", "run theory and simulation, print deviations in standard "
                "errors, plot both", True),
    "exponents": ("exponents:exponents", "closed-form scaling exponents of the power-law "
                  "family (time, data, model, compute-optimal)", False),
    "compute-optimal": ("compute_optimal:compute_optimal", "compute-optimal frontier N*, t*, "
                        "L* of the theory for budgets C = N t", False),
    "fit": ("fit:fit", "fit scaling laws to loss data (Chinchilla-style law and this model's "
            "theory)", False),
    "scaling-figure": ("scaling_figure:scaling_figure", "make a scaling-law figure: "
                       "bottlenecks, frontier, finite-size, train-test-gap, wider-is-better, "
                       "ensembling", True),
    "reproduce": ("reproduce:reproduce", "reproduce the paper's figures (theory over "
                  "simulation) and an HTML report", True),
    "spectrum": ("spectrum:spectrum", "measure a network's kernel spectrum and task power on "
                 "data; fit the exponents a and b", False),
    "predict": ("predict:predict", "run the mean-field theory on a saved spectrum (e.g. one "
                "measured by `spectrum`)", False),
}, _task)
