"""Describe the machine a benchmark ran on, for the recorded tables."""

from __future__ import annotations

import os
import platform
from datetime import date


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def describe() -> str:
    """One line: date, CPU, cores, Python and library versions."""
    import numpy
    import scipy

    parts = [
        str(date.today()),
        cpu_model(),
        f"{os.cpu_count()} cores",
        f"Python {platform.python_version()}",
        f"numpy {numpy.__version__}",
        f"scipy {scipy.__version__}",
    ]
    try:
        import torch

        parts.append(f"torch {torch.__version__}")
    except ImportError:
        pass
    return ", ".join(parts)


def load_line() -> str:
    """The machine's load average now, so a reader can tell a quiet run from a busy one."""
    try:
        one, five, fifteen = os.getloadavg()
    except OSError:
        return "Load average: unavailable on this platform."
    return (
        f"Load average (1, 5, 15 min) when the table was written: "
        f"{one:.1f}, {five:.1f}, {fifteen:.1f} on {os.cpu_count()} cores."
    )


def write_result(name: str, title: str, body: str) -> str:
    """Write ``benchmarks/results/<name>.md`` with the machine line; return the path.

    The load average is added unless the body already reports it.
    """
    folder = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, f"{name}.md")
    load = "" if "Load average" in body else f"{load_line()}\n\n"
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(f"# {title}\n\nMachine: {describe()}\n\n{load}{body.rstrip()}\n")
    return path
