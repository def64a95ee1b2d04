"""What runs on a worker: one point is one call of the command line, in-process.

:func:`compute_point` calls ``scaling_dynamics.cli.main(argv)`` with stdout and
stderr captured, so any command that prints one JSON object with ``--format json``
can be swept without the sweep knowing anything about it. It never raises for a
failed point: a non-zero exit status, an exception or output that is not one JSON
object comes back as ``{"status": "failed", "error": ...}``.

BLAS runs one thread per worker (``threadpoolctl`` limits the libraries already
loaded; the ``*_NUM_THREADS`` variables, set before local workers start, cover
those loaded later), so J workers use J cores, and every point is computed with
the same single-threaded BLAS whatever the executor: results are bit-identical.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import socket
import sys
import time
import traceback
from typing import Any

from .._blas import THREAD_VARIABLES
from .._version import __version__

__all__ = ["compute_point", "THREAD_VARIABLES", "worker_version"]

_MAX_STDERR = 4000


_controller: Any = None
_modules_seen = -1


def _one_blas_thread() -> contextlib.AbstractContextManager[Any]:
    """Limit every loaded BLAS/OpenMP library to one thread for the duration of a point.

    Finding the loaded libraries costs ~2 ms, so the controller is kept and only
    rebuilt when new modules (possibly bringing new libraries) have been imported.
    """
    global _controller, _modules_seen
    from threadpoolctl import ThreadpoolController

    if _controller is None or len(sys.modules) != _modules_seen:
        _controller = ThreadpoolController()
        _modules_seen = len(sys.modules)
    return _controller.limit(limits=1)


def _last_line(text: str) -> str:
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    return lines[-1] if lines else ""


def worker_version() -> str:
    """The package version a worker runs (checked against the client's)."""
    return __version__


def compute_point(argv: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """Run ``scaling-dynamics *argv`` in this process and return its JSON result.

    Returns
    -------
    dict
        ``status`` ("ok" or "failed"), ``result`` (the parsed JSON object) or
        ``error`` (one line) and ``exit_code``, plus ``stderr`` (trimmed),
        ``elapsed_s``, ``version``, ``host`` and ``pid``.

    Raises
    ------
    KeyboardInterrupt
        When the command was interrupted (the point is not a failure; it is retried).
    """
    from ..cli import main

    out, err = io.StringIO(), io.StringIO()
    info: dict[str, Any] = {"version": __version__, "host": socket.gethostname(), "pid": os.getpid()}
    start = time.perf_counter()
    code: int | None
    try:
        with _one_blas_thread(), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(list(argv))
    except SystemExit as exc:  # argparse errors exit
        code = exc.code if isinstance(exc.code, int) else 2
    except Exception as exc:  # noqa: BLE001 - a bug in a command must not stop the sweep
        info["elapsed_s"] = time.perf_counter() - start
        message = _last_line(f"{type(exc).__name__}: {exc}")
        return {**info, "status": "failed", "error": message, "exit_code": None,
                "stderr": (err.getvalue() + traceback.format_exc())[-_MAX_STDERR:]}
    info["elapsed_s"] = time.perf_counter() - start
    stderr = err.getvalue()
    info["stderr"] = stderr[-_MAX_STDERR:]
    if code == 130:
        raise KeyboardInterrupt
    if code != 0:
        message = _last_line(stderr) or f"exit status {code}"
        return {**info, "status": "failed", "error": message, "exit_code": code}
    text = out.getvalue().strip()
    try:
        result = json.loads(text)
    except ValueError:
        result = None
    if not isinstance(result, dict):
        shown = text[:80] + ("..." if len(text) > 80 else "")
        return {**info, "status": "failed", "exit_code": code,
                "error": f"the command did not print one JSON object on stdout; got {shown!r}"}
    return {**info, "status": "ok", "result": result, "exit_code": 0}
