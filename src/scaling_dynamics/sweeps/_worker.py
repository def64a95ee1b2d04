"""What runs on a worker: one point is one call of a task function, in-process.

:func:`compute_point` calls ``TASKS[command].function(**kwargs)``
(``scaling_dynamics.tasks``) with stdout and stderr captured and keeps the plain
JSON form of its result: exactly what ``scaling-dynamics COMMAND --format json``
prints. It never raises for a failed point: an error, an exception or a task that
reports a partial failure comes back as ``{"status": "failed", "error": ...}``, with
the one-line message and exit status the command line would give.

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
from collections.abc import Mapping
from typing import Any

from .._blas import THREAD_VARIABLES
from .._errors import captured_warnings
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


def _error_line(command: str, exc: BaseException) -> tuple[str, int | None]:
    """The command line's one-line message and exit status for ``exc`` (cli.main's rules)."""
    from .._errors import InvalidParameterError, ScalingDynamicsError

    prog = f"scaling-dynamics {command}"
    if isinstance(exc, InvalidParameterError):
        return f"{prog}: error: {exc}", 2
    if isinstance(exc, ScalingDynamicsError):
        return f"{prog}: error: {exc}", 1
    if isinstance(exc, OSError):
        where = f" {exc.filename!r}" if exc.filename else ""
        return f"{prog}: error: cannot use{where}: {exc.strerror or exc}", 1
    return _last_line(f"{type(exc).__name__}: {exc}"), None


def _plain(data: Any) -> Any:
    """The JSON form as it is printed and read back (no NaN; infinities as "inf")."""
    from ..results import encode_params

    return json.loads(json.dumps(encode_params(data), allow_nan=False))


def compute_point(command: str, kwargs: Mapping[str, Any]) -> dict[str, Any]:
    """Run task ``command`` with keyword arguments ``kwargs`` here; return its plain result.

    Returns
    -------
    dict
        ``status`` ("ok" or "failed"), ``result`` (the JSON object the command prints)
        or ``error`` (one line) and ``exit_code``, plus ``stderr`` (trimmed),
        ``elapsed_s``, ``version``, ``host`` and ``pid``.

    Raises
    ------
    KeyboardInterrupt
        When the task was interrupted (the point is not a failure; it is retried).
    """
    from ..tasks import TASKS

    out, err = io.StringIO(), io.StringIO()
    info: dict[str, Any] = {"version": __version__, "host": socket.gethostname(), "pid": os.getpid()}
    start = time.perf_counter()
    try:
        with _one_blas_thread(), contextlib.redirect_stdout(out), \
                contextlib.redirect_stderr(err), captured_warnings() as warned:
            output = TASKS[command].function(**kwargs)
            result = _plain(output.to_dict())
    except Exception as exc:  # noqa: BLE001 - a failed point must not stop the sweep
        info["elapsed_s"] = time.perf_counter() - start
        message, code = _error_line(command, exc)
        trace = "" if code is not None else traceback.format_exc()
        return {**info, "status": "failed", "error": message, "exit_code": code,
                "stderr": (err.getvalue() + trace + message + "\n")[-_MAX_STDERR:]}
    info["elapsed_s"] = time.perf_counter() - start
    stderr = err.getvalue() + "".join(
        line + "\n" for line in (*output.notes, *(f"warning: {w}" for w in warned)))
    info["stderr"] = stderr[-_MAX_STDERR:]
    if output.status != 0:
        message = _last_line(stderr) or f"exit status {output.status}"
        return {**info, "status": "failed", "error": message, "exit_code": output.status}
    return {**info, "status": "ok", "result": result, "exit_code": 0}
