"""One way for result objects to become plain data: :class:`Record` and :func:`to_plain`.

Every result type is a dataclass. ``Record.to_dict()`` turns its fields into plain Python
(arrays into lists, NumPy scalars into Python numbers, nested records into dicts), so no
result class writes its own ``to_dict``. A class that reports more than its fields (a
derived number, say) adds them in ``_dict_extra``; one that keeps a field out of its
record names it in ``_dict_exclude``. JSON encoding of infinities (``"inf"``) happens once,
where files are written (:func:`scaling_dynamics.results.write_json`).

>>> from dataclasses import dataclass
>>> import numpy as np
>>> @dataclass
... class Fit(Record):
...     slope: float
...     curve: np.ndarray
>>> Fit(np.float64(0.5), np.array([1.0, 2.0])).to_dict()
{'slope': 0.5, 'curve': [1.0, 2.0]}
"""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np

__all__ = ["Record", "to_plain", "encode_plain", "decode_plain", "write_json"]


def to_plain(value: Any) -> Any:
    """``value`` as plain Python data: dicts, lists, numbers, strings, booleans and None."""
    if isinstance(value, Record):
        return value.to_dict()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {k: to_plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    return value


class Record:
    """Mixin for dataclass results: ``to_dict()`` from the fields, with two hooks."""

    #: Fields left out of ``to_dict`` (e.g. large per-seed arrays or back references).
    _dict_exclude: ClassVar[tuple[str, ...]] = ()

    def _dict_extra(self) -> dict[str, Any]:
        """Entries beyond the fields (derived numbers); none by default."""
        return {}

    def to_dict(self) -> dict[str, Any]:
        """The fields (less ``_dict_exclude``) and ``_dict_extra()``, as plain data."""
        out = {
            f.name: to_plain(getattr(self, f.name))
            for f in dataclasses.fields(self)  # type: ignore[arg-type]
            if f.name not in self._dict_exclude
        }
        out.update(to_plain(self._dict_extra()))
        return out


def encode_plain(value: Any) -> Any:
    """JSON-safe copy: infinities become the string "inf", arrays become lists."""
    if isinstance(value, dict):
        return {str(k): encode_plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [encode_plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return [encode_plain(v) for v in value.tolist()]
    if isinstance(value, (np.floating, float)):
        x = float(value)
        if math.isinf(x):
            return "inf" if x > 0 else "-inf"
        if math.isnan(x):
            return "nan"
        return x
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def decode_plain(value: Any) -> Any:
    """Inverse of :func:`encode_plain`: the strings "inf", "-inf", "nan" become floats."""
    if isinstance(value, dict):
        return {k: decode_plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode_plain(v) for v in value]
    if value == "inf":
        return math.inf
    if value == "-inf":
        return -math.inf
    if value == "nan":
        return math.nan
    return value


def write_json(path: str | os.PathLike[str], obj: Any) -> None:
    """Write ``obj`` to ``path`` as indented JSON, encoded by :func:`encode_plain`."""
    import json  # here, not at the top: a command printing a table needs no json

    with open(path, "w") as f:
        json.dump(encode_plain(obj), f, indent=1, allow_nan=False)
