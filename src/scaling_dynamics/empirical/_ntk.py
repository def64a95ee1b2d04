r"""The empirical neural tangent kernel of any PyTorch module, by blocks of Jacobian rows.

:math:`K_{ij} = \nabla_\theta f(x_i)\cdot\nabla_\theta f(x_j)` of a module with one scalar
output per sample, at its current parameters, built block by block (``torch.func``) so that
at most a fixed budget of Jacobian rows is held in memory.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._errors import InvalidParameterError
from .._progress import progress_bar
from .._validation import check_choice, check_int
from ._deps import require_torch
from ._kernels import KernelMatrix, _inputs

__all__ = ["DEFAULT_MEMORY_LIMIT", "empirical_ntk"]

#: Default budget for the Jacobian rows held at once by :func:`empirical_ntk` (bytes).
DEFAULT_MEMORY_LIMIT = 1 << 30


def empirical_ntk(
    model: Any,
    X: Any,
    *,
    block_size: int | None = None,
    memory_limit: int = DEFAULT_MEMORY_LIMIT,
    dtype: str = "float64",
    progress: bool | None = None,
) -> KernelMatrix:
    r"""Empirical neural tangent kernel :math:`K_{ij} = \sum_p \partial_p f(x_i)\,\partial_p f(x_j)`.

    The per-sample gradients come from ``torch.func``: ``vmap(jacrev(f))`` of
    ``functional_call(model, params, x)`` over a block of samples gives a block
    :math:`J_b` (block x n_params) of the Jacobian, and :math:`K_{bc} = J_b J_c^\top`.
    Blocks are grouped in panels: the blocks of one panel stay in memory while the
    blocks after it are computed one at a time, so at most ``memory_limit`` bytes of
    Jacobian rows are alive (plus the P x P result). When the whole Jacobian fits, every
    block is computed once; otherwise later blocks are recomputed once per panel.

    Parameters
    ----------
    model : torch.nn.Module
        Any module mapping (batch, d) to one scalar per sample, (batch,) or (batch, 1).
        Its parameters with ``requires_grad`` are differentiated; it is not modified.
    X : array_like, shape (P, d)
        Inputs (flattened; the CNN of :func:`make_cnn` folds them back into images).
    block_size : int, optional
        Samples per Jacobian block (default: as many as fit in ``memory_limit / 8``).
    memory_limit : int
        Bytes of Jacobian rows that may be held at once (default 1 GiB; at least two blocks
        are always held).
    dtype : {"float64", "float32"}
        Precision of the computation (default float64: the spectrum's tail spans many decades).
    progress : bool or None
        Progress bar over Jacobian blocks on stderr (None: only on a terminal).

    Returns
    -------
    KernelMatrix
        ``kind="ntk"``; ``diagnostics`` records the blocking and the memory held.

    Raises
    ------
    MissingDependencyError
        When torch is not installed.
    InvalidParameterError
        When ``X`` is not a finite 2-d array or the model does not return one scalar per sample.

    Examples
    --------
    >>> from scaling_dynamics.empirical import make_mlp, empirical_ntk   # doctest: +SKIP
    >>> K = empirical_ntk(make_mlp(4, 64), np.eye(4)).matrix              # doctest: +SKIP
    """
    torch = require_torch("empirical_ntk")
    X = _inputs(X)
    n = X.shape[0]
    memory_limit = check_int("memory_limit", memory_limit, low=1)
    check_choice("dtype", dtype, ("float64", "float32"))
    if not isinstance(model, torch.nn.Module):
        raise InvalidParameterError(
            f"`model` must be a torch.nn.Module; got {type(model).__name__}."
        )
    tdtype = torch.float64 if dtype == "float64" else torch.float32
    started = time.perf_counter()
    jacobian_rows, n_params = _jacobian_rows(torch, model, X, tdtype)
    row_bytes = n_params * (8 if dtype == "float64" else 4)
    blocks = _Blocks.plan(n, row_bytes, block_size, memory_limit)
    with progress_bar(blocks.n_evals, "NTK Jacobian blocks", progress, unit="block") as bar:
        K, largest_alive = _fill_kernel(jacobian_rows, blocks, row_bytes, n, bar)
    return KernelMatrix(
        matrix=K,
        kind="ntk",
        n_params=n_params,
        diagnostics={
            "wall_time_s": time.perf_counter() - started,
            "block_size": int(blocks.block_size),
            "n_blocks": int(blocks.n_blocks),
            "blocks_held": int(blocks.held),
            "jacobian_evaluations": int(blocks.n_evals),
            "jacobian_bytes_held": int(largest_alive),
            "kernel_bytes": int(K.nbytes),
            "dtype": dtype,
        },
    )


def _jacobian_rows(torch: Any, model: Any, X: np.ndarray, tdtype: Any) -> tuple[Any, int]:
    """``rows(start, stop)``: the Jacobian rows of samples start..stop-1, and n_params.

    ``vmap(jacrev(f))`` of ``functional_call(model, params, x)`` over the trainable
    parameters; checks that the model returns one scalar per sample.
    """
    from torch.func import functional_call, jacrev, vmap

    n = X.shape[0]
    params = {k: v.detach().to(tdtype) for k, v in model.named_parameters() if v.requires_grad}
    if not params:
        raise InvalidParameterError("`model` has no trainable parameters (requires_grad=True).")
    frozen = {k: v.detach().to(tdtype) for k, v in model.named_parameters() if not v.requires_grad}
    buffers = {k: v.detach() for k, v in model.named_buffers()}
    buffers.update(frozen)
    names = list(params)
    n_params = int(sum(v.numel() for v in params.values()))
    x_all = torch.as_tensor(X, dtype=tdtype)

    with torch.no_grad():
        out = functional_call(model, (params, buffers), (x_all[:2],))
    if out.numel() != min(2, n):
        raise InvalidParameterError(
            "`model` must return one scalar per sample (shape (batch,) or (batch, 1)); "
            f"got output shape {tuple(out.shape)} for a batch of {min(2, n)}."
        )

    def f(p: dict[str, Any], x: Any) -> Any:
        return functional_call(model, (p, buffers), (x.unsqueeze(0),)).reshape(())

    jac = vmap(jacrev(f), in_dims=(None, 0))

    def rows(start: int, stop: int) -> Any:
        d = jac(params, x_all[start:stop])
        return torch.cat([d[k].reshape(stop - start, -1) for k in names], dim=1)

    return rows, n_params


@dataclass(frozen=True)
class _Blocks:
    """Jacobian blocks of ``block_size`` samples, grouped in panels of ``held`` blocks."""

    block_size: int
    n_blocks: int
    held: int
    starts: list[int]
    stops: list[int]
    panels: list[list[int]]
    n_evals: int

    @classmethod
    def plan(cls, n: int, row_bytes: int, block_size: int | None, memory_limit: int) -> _Blocks:
        """Blocks and panels holding at most ``memory_limit`` bytes of rows (+ one streamed)."""
        if block_size is None:
            block_size = max(1, min(n, memory_limit // (8 * row_bytes)))
        else:
            block_size = check_int("block_size", block_size, low=1)
            block_size = min(block_size, n)
        block_bytes = block_size * row_bytes
        n_blocks = math.ceil(n / block_size)
        if n * row_bytes <= memory_limit:
            held = n_blocks  # the whole Jacobian fits: every block is computed once
        else:
            held = max(1, min(n_blocks, memory_limit // block_bytes - 1))  # + 1 streamed block
        starts = [i * block_size for i in range(n_blocks)]
        stops = [min(s + block_size, n) for s in starts]
        panels = [list(range(p, min(p + held, n_blocks))) for p in range(0, n_blocks, held)]
        n_evals = n_blocks + sum(n_blocks - 1 - p[-1] for p in panels)
        return cls(block_size, n_blocks, held, starts, stops, panels, n_evals)


def _fill_kernel(rows: Any, blocks: _Blocks, row_bytes: int, n: int,
                 bar: Any) -> tuple[np.ndarray, int]:
    r""":math:`K_{bc} = J_b J_c^\top` panel by panel; returns K and the most row bytes alive."""
    starts, stops, n_blocks = blocks.starts, blocks.stops, blocks.n_blocks
    K = np.empty((n, n), dtype=np.float64)
    largest_alive = 0
    for panel in blocks.panels:
        kept = {}
        for b in panel:
            kept[b] = rows(starts[b], stops[b])
            bar.update(1)
            for c in panel:
                if c > b:
                    break
                blk = (kept[b] @ kept[c].T).cpu().numpy()
                K[starts[b]:stops[b], starts[c]:stops[c]] = blk
                K[starts[c]:stops[c], starts[b]:stops[b]] = blk.T
        alive = sum(stops[b] - starts[b] for b in kept) * row_bytes
        largest_alive = max(largest_alive, alive)
        for c in range(panel[-1] + 1, n_blocks):
            jc = rows(starts[c], stops[c])
            bar.update(1)
            largest_alive = max(largest_alive, alive + (stops[c] - starts[c]) * row_bytes)
            for b in panel:
                blk = (jc @ kept[b].T).cpu().numpy()
                K[starts[c]:stops[c], starts[b]:stops[b]] = blk
                K[starts[b]:stops[b], starts[c]:stops[c]] = blk.T
            del jc
        del kept
    return K, largest_alive
