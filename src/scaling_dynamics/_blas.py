"""One BLAS thread while the theory and the scaling functions run many small computations.

The theory's work is thousands of small products (18 x 36 node pairs times a few hundred
mode nodes per time); scipy's L-BFGS-B calls LAPACK on 20 x 20 matrices every iteration.
A multi-threaded OpenBLAS wakes its worker threads for each call, and on a busy machine
(2 cores, load ~10) each call waits for them. Measured with and without the limit, the
same computations: the correlation sums of one theory curve of 100 times, 1.56 s against
0.022 s; a Chinchilla fit with 100 bootstrap resamples, 72 s against 5 s; a 9-budget
theory frontier, 15 s against 1.3 s.

:func:`single_blas_thread` (a context manager), :func:`one_blas_thread` (a decorator)
and :func:`small_products` (the limit only for small mode sets: huge exact spectra of
many thousands of modes keep every thread, their products gain from them) use
``threadpoolctl``, a core dependency. Finding the loaded BLAS libraries costs 3-15 ms
(threadpoolctl reads the process's shared objects), more than a whole frontier evaluation;
it is done once and again only when modules were imported since (a new extension may have
loaded another BLAS), so a limit inside a loop of theory calls costs ~20 us.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

__all__ = [
    "SMALL_MODE_SET",
    "THREAD_VARIABLES",
    "one_blas_thread",
    "single_blas_thread",
    "single_thread_environment",
    "small_products",
]

F = TypeVar("F", bound=Callable[..., Any])

#: Environment variables that cap the threads of BLAS/OpenMP libraries.
THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
)

#: Mode sets up to this many nodes run with one BLAS thread.
SMALL_MODE_SET = 5000


#: (number of imported modules when it was made, the threadpoolctl controller)
_controller: tuple[int, Any] | None = None


def _blas_controller() -> Any:
    """threadpoolctl's view of the loaded BLAS libraries, rebuilt after new imports."""
    global _controller
    n_modules = len(sys.modules)
    if _controller is None or _controller[0] != n_modules:
        from threadpoolctl import ThreadpoolController

        _controller = (n_modules, ThreadpoolController())
    return _controller[1]


@contextmanager
def single_blas_thread() -> Iterator[None]:
    """Limit the loaded BLAS libraries to one thread inside the ``with`` block."""
    with _blas_controller().limit(limits=1, user_api="blas"):
        yield


@contextmanager
def small_products(n_mode_nodes: int) -> Iterator[None]:
    """One BLAS thread when the mode set has at most :data:`SMALL_MODE_SET` nodes."""
    if n_mode_nodes > SMALL_MODE_SET:
        yield
        return
    with single_blas_thread():
        yield


def one_blas_thread(func: F) -> F:
    """Decorator: run ``func`` inside :func:`single_blas_thread`."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with single_blas_thread():
            return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


@contextmanager
def single_thread_environment() -> Iterator[None]:
    """Set the :data:`THREAD_VARIABLES` to 1 inside the block, then restore them.

    For starting worker processes: their libraries read the variables when loaded, so each
    worker runs one thread and J workers use J cores.
    """
    saved = {var: os.environ.get(var) for var in THREAD_VARIABLES}
    os.environ.update({var: "1" for var in THREAD_VARIABLES})
    try:
        yield
    finally:
        for var, value in saved.items():
            if value is None:
                os.environ.pop(var, None)
            else:
                os.environ[var] = value
