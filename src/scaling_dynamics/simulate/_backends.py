"""Array backends for the heavy linear algebra of the simulator.

Random numbers are always drawn with NumPy (so a seed gives the same draws on
every backend); the products and the eigendecomposition run on the backend.
Results leave as NumPy arrays.

``numpy``
    Default. LAPACK ``dsytrd`` + ``dstevd`` with the eigenvectors applied, not formed
    (:mod:`._tridiagonal`); every product in SciPy's BLAS too (:mod:`._one_blas`); uses
    every BLAS thread.
``torch``
    Optional (``pip install "scaling-dynamics[torch]"``); runs on the GPU when
    ``torch.cuda.is_available()``, else on the CPU, in float64; dense ``eigh``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._errors import InvalidParameterError, MissingDependencyError

__all__ = ["Backend", "get_backend", "BACKEND_NAMES"]

BACKEND_NAMES = ("numpy", "torch")


class Backend:
    """The few operations the simulator needs, for one array library and device."""

    name = "numpy"

    def asarray(self, x: np.ndarray) -> Any:
        return np.asarray(x, dtype=np.float64)

    def to_numpy(self, x: Any) -> np.ndarray:
        return np.asarray(x)

    def eigh_basis(self, x: Any) -> tuple[Any, Any]:
        """Eigenvalues (ascending) of symmetric ``x`` and a basis that applies its eigenvectors.

        NumPy: tridiagonal reduction, eigenvectors kept as reflectors (``_tridiagonal``);
        reads one triangle of ``x`` and may overwrite it.
        """
        from ._tridiagonal import tridiagonal_eigh

        return tridiagonal_eigh(x)

    def matmul(self, a: Any, b: Any) -> Any:
        """``a @ b`` (SciPy's BLAS, the library of the eigensolver: ``_one_blas``)."""
        from ._one_blas import matmul

        return matmul(a, b)

    def gram(self, a: Any, scale: float, *, transpose: bool, full: bool = False) -> Any:
        """``scale * a.T @ a`` (``transpose``) or ``scale * a @ a.T``; the lower triangle
        is what the eigensolver reads, the upper one is filled only when ``full``."""
        from ._one_blas import gram

        return gram(a, scale, transpose=transpose, full=full)

    def qr_r(self, x: Any) -> Any:
        """R of the economic QR factorisation (SciPy's LAPACK)."""
        from scipy.linalg import qr

        R = qr(x, mode="r", check_finite=False)[0]
        return R[: min(x.shape)]

    def sum_sq_weighted(self, weights: Any, v: Any) -> Any:
        """``sum_k weights[k] * v[k, j]**2`` over the first axis."""
        return np.einsum("k,kj->j", weights, v * v)

    def synchronize(self) -> None:
        """Wait for queued device work (a no-op on the CPU); used for honest timings."""

    def memory_available(self) -> int | None:
        """Bytes this backend can still allocate (``None`` if unknown)."""
        return _host_memory_available()

    @property
    def label(self) -> str:
        return self.name


class TorchBackend(Backend):
    name = "torch"

    def __init__(self, device: str | None = None) -> None:
        try:
            import torch
        except ImportError:
            raise MissingDependencyError(
                "the torch backend needs PyTorch: pip install 'scaling-dynamics[torch]'"
            ) from None
        self.torch = torch
        if device is None:
            device = "cuda" if torch.cuda.is_available() else "cpu"
        self.device = torch.device(device)
        if self.device.type == "cuda" and not torch.cuda.is_available():
            build = "a CPU-only build" if torch.version.cuda is None else f"CUDA {torch.version.cuda}"
            raise InvalidParameterError(
                f"backend 'torch:cuda' needs a CUDA GPU, and PyTorch ({torch.__version__}, "
                f"{build}) sees none; use 'torch' (the GPU when present, else the CPU), "
                "'torch:cpu' or 'numpy'."
            )

    def asarray(self, x: np.ndarray) -> Any:
        # np.require copies only read-only arrays (torch cannot wrap those safely)
        arr = np.require(np.asarray(x, dtype=np.float64), requirements="W")
        return self.torch.as_tensor(arr, device=self.device)

    def to_numpy(self, x: Any) -> np.ndarray:
        if isinstance(x, np.ndarray):
            return x
        return x.detach().cpu().numpy()

    def eigh_basis(self, x: Any) -> tuple[Any, Any]:
        from ._tridiagonal import DenseBasis

        mu, U = self.torch.linalg.eigh(x)
        return mu, DenseBasis(U)

    def matmul(self, a: Any, b: Any) -> Any:
        return a @ b

    def gram(self, a: Any, scale: float, *, transpose: bool, full: bool = False) -> Any:
        return (a.T @ a if transpose else a @ a.T) * scale

    def qr_r(self, x: Any) -> Any:
        return self.torch.linalg.qr(x, mode="r")[1]

    def sum_sq_weighted(self, weights: Any, v: Any) -> Any:
        return self.torch.einsum("k,kj->j", weights, v * v)

    def synchronize(self) -> None:
        if self.device.type == "cuda":
            self.torch.cuda.synchronize(self.device)

    def memory_available(self) -> int | None:
        if self.device.type == "cuda":
            free, _total = self.torch.cuda.mem_get_info(self.device)
            return int(free)
        return _host_memory_available()

    @property
    def label(self) -> str:
        return f"torch:{self.device.type}"


def _host_memory_available() -> int | None:
    """MemAvailable from /proc/meminfo, else total physical memory, else None."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        import os

        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        return None


def get_backend(name: str | Backend = "numpy") -> Backend:
    """Return the backend called ``name`` (``"numpy"``, ``"torch"``, ``"torch:cpu"``, ``"torch:cuda"``)."""
    if isinstance(name, Backend):
        return name
    base, _, device = str(name).partition(":")
    if base == "numpy" and not device:
        return Backend()
    if base == "torch":
        return TorchBackend(device or None)
    raise InvalidParameterError(
        f"`backend` must be one of 'numpy', 'torch', 'torch:cpu', 'torch:cuda'; got {name!r}."
    )
