"""Output shared by the commands: exactly one JSON object on stdout."""

from __future__ import annotations

import sys
from typing import Any

__all__ = ["print_json"]


def print_json(obj: Any) -> None:
    """Exactly one JSON object on stdout (standard JSON: no NaN or Infinity)."""
    import json  # here, not at the top: a command printing a table needs no json

    from ..results import encode_params

    sys.stdout.write(json.dumps(encode_params(obj), allow_nan=False) + "\n")
