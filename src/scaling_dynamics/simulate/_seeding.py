"""Seeds: one root seed, an independent stream per simulated run.

Run ``i`` of a simulation with root seed ``s`` uses ``SeedSequence(s).spawn``'s
child ``i``, itself split into stable sub-streams (data, SGD batches, projection
of ensemble member ``e``). A child's index does not depend on how many were
spawned, so run ``i`` gives the same draws whether 4 or 400 seeds are asked for,
and on every backend.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._validation import check_int

__all__ = ["RunStreams", "run_streams", "normalize_seed"]

_DATA, _SGD, _PROJECTION0 = 0, 1, 2


def normalize_seed(seed: int | None) -> int:
    """An explicit non-negative integer seed; ``None`` draws a fresh one (recorded in results)."""
    if seed is None:
        return int(np.random.SeedSequence().generate_state(1, dtype=np.uint32)[0])
    return check_int("seed", seed, low=0)


@dataclass(frozen=True)
class RunStreams:
    """Random generators of one simulated run."""

    index: int
    data: np.random.Generator
    sgd: np.random.Generator
    projections: tuple[np.random.Generator, ...]


def run_streams(seed: int, n_runs: int, ensemble: int = 1) -> list[RunStreams]:
    """Independent generators for runs ``0 .. n_runs-1`` under root ``seed``."""
    out = []
    for i, child in enumerate(np.random.SeedSequence(seed).spawn(n_runs)):
        subs = child.spawn(_PROJECTION0 + ensemble)
        out.append(
            RunStreams(
                index=i,
                data=np.random.default_rng(subs[_DATA]),
                sgd=np.random.default_rng(subs[_SGD]),
                projections=tuple(np.random.default_rng(s) for s in subs[_PROJECTION0:]),
            )
        )
    return out
