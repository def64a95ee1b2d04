"""Progress bars on standard error (tqdm), silent when stderr is not a terminal."""

from __future__ import annotations

import sys
from typing import Any


class _SilentBar:
    """What :func:`progress_bar` returns when no bar is shown: every call does nothing.

    Saves importing tqdm (and the standard-library modules it pulls in, ~30 ms) in
    scripts, pipes and worker processes, where a bar would not be drawn anyway.
    """

    def __enter__(self) -> _SilentBar:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def __getattr__(self, name: str) -> Any:  # update, close, set_postfix_str, ...
        return _nothing


def _nothing(*args: Any, **kwargs: Any) -> None:
    return None


def _stderr_is_terminal() -> bool:
    try:
        return bool(sys.stderr.isatty())
    except (AttributeError, ValueError):  # no stderr, or a closed one
        return False


def progress_bar(total: int, desc: str, enabled: bool | None = None, unit: str = "it") -> Any:
    """A tqdm bar on stderr. ``enabled=None`` shows it only on an interactive terminal."""
    if not (_stderr_is_terminal() if enabled is None else enabled):
        return _SilentBar()
    from tqdm import tqdm

    return tqdm(
        total=total,
        desc=desc,
        unit=unit,
        file=sys.stderr,
        leave=False,
        dynamic_ncols=True,
    )
