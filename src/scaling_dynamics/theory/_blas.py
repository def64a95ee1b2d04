"""One BLAS thread for the theory's many small matrix products.

The theory's work is thousands of small products (18 x 36 node pairs times a few hundred
mode nodes per time). A multi-threaded OpenBLAS wakes its worker threads for each one;
on a busy machine (2 cores, load ~10) that made the correlation sums of one curve of 100
times take 1.56 s instead of 0.022 s with one thread (measured, the same products).
:func:`small_products` limits BLAS to one thread while the theory runs on a small mode
set, when ``threadpoolctl`` is installed (it comes with scikit-learn, the ``empirical``
extra); without it nothing changes. Huge exact spectra (many thousands of modes) keep
every thread: their products are large enough to gain from them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["small_products"]

#: Mode sets up to this many nodes run with one BLAS thread.
SMALL_MODE_SET = 5000


@contextmanager
def small_products(n_mode_nodes: int) -> Iterator[None]:
    if n_mode_nodes > SMALL_MODE_SET:
        yield
        return
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        yield
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield
