"""Progress bars on standard error (tqdm), silent when stderr is not a terminal."""

from __future__ import annotations

import sys
from typing import Any


def progress_bar(total: int, desc: str, enabled: bool | None = None, unit: str = "it") -> Any:
    """A tqdm bar on stderr. ``enabled=None`` shows it only on an interactive terminal."""
    from tqdm import tqdm

    return tqdm(
        total=total,
        desc=desc,
        unit=unit,
        file=sys.stderr,
        leave=False,
        dynamic_ncols=True,
        disable=None if enabled is None else not enabled,
    )
