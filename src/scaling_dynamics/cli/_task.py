"""One command of the command line over one task: options from its spec, output printed.

:func:`task_command` gives a command module its ``add_arguments(parser)`` (the
task's options, declared once in ``scaling_dynamics.tasks``) and ``run(args)``
(call the task function, print its table or its JSON, notes on stderr).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from .._errors import captured_warnings
from ._common import print_json

__all__ = ["task_command"]


def task_command(name: str) -> tuple[Callable[[argparse.ArgumentParser], None],
                                     Callable[[argparse.Namespace], int]]:
    """``(add_arguments, run)`` of the command that runs task ``name``."""

    def add_arguments(parser: argparse.ArgumentParser) -> None:
        from ..tasks import TASKS

        TASKS[name].spec.add_to(parser)

    def run(args: argparse.Namespace) -> int:
        from ..tasks import TASKS

        task = TASKS[name]
        if getattr(args, "store", None):
            from .. import sweeps  # noqa: F401 - registers the store reader of the tasks
        with captured_warnings() as warned:
            out = task.function(**{k: getattr(args, k) for k in task.spec.params})
        for line in warned:
            sys.stderr.write(f"scaling-dynamics {name}: warning: {line}\n")
        if args.format == "json":
            print_json(out.to_dict())
        else:
            sys.stdout.write(out.format())
            for line in out.table_notes:
                sys.stderr.write(line + "\n")
        for line in out.notes:
            sys.stderr.write(line + "\n")
        return out.status

    return add_arguments, run
