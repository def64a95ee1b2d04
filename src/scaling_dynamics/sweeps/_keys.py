"""Canonical text, point keys and derived seeds of sweep points.

Canonical parameters and keys
-----------------------------
A point is the command plus the options the grid sets, each converted by the
task's own converter (so ``N = 2000``, ``N = 2e3`` and ``N = "2000"`` are one
point). Its key is ``sha256(command, canonical parameters, package version)``;
options the grid does not set take the command's defaults of that version.

Seeds
-----
For commands with a ``--seed`` option the seed is part of the point. If the grid
sets ``seed`` (in ``[options]``: one seed shared by every point, i.e. common
random numbers; as an axis: replicates) it is used as written. Otherwise each
point gets ``seed = derive_seed(command, parameters)``: a 52-bit integer from a
hash of its other canonical parameters. It depends on nothing else (not the
worker, the scheduler, the order of the grid or the package version), so a point
gives the same numbers however the sweep is run, and points differing in any
parameter use independent random streams.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from .._version import __version__

__all__ = ["canonical_json", "point_key", "derive_seed", "jsonable"]


def jsonable(value: Any) -> Any:
    """Plain JSON data: infinities as "inf", numpy scalars as Python numbers."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        x = float(value)
        if math.isinf(x):
            return "inf" if x > 0 else "-inf"
        if math.isnan(x):
            return "nan"
        return x
    if value is None or isinstance(value, str):
        return value
    return str(value)


def canonical_json(obj: Any) -> str:
    """Compact JSON with sorted keys: the text that keys and seeds hash.

    Floats are written with Python's shortest round-trip ``repr``, so the text of a
    value is the same on every platform.
    """
    return json.dumps(jsonable(obj), sort_keys=True, separators=(",", ":"), allow_nan=False)


def point_key(command: str, params: Mapping[str, Any], version: str = __version__) -> str:
    """Key of a point: the first 24 hex digits of ``sha256(command, params, version)``.

    ``params`` are the canonical parameters (seed included); ``version`` is the package
    version, so a new version never reuses an old result.
    """
    text = canonical_json({"command": command, "params": dict(params), "version": version})
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def derive_seed(command: str, params: Mapping[str, Any]) -> int:
    """Seed of a point: ``sha256(command, params without "seed")`` cut to 52 bits.

    52 bits keep the seed exact through any float conversion (a float64 holds
    integers up to 2^53 exactly) while collisions stay negligible (about n^2 / 2^53
    for n points).
    """
    rest = {k: v for k, v in params.items() if k != "seed"}
    text = canonical_json({"command": command, "params": rest, "purpose": "seed"})
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big") >> 12
