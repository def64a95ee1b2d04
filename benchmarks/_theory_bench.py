"""Helpers shared by the theory benchmarks."""

from __future__ import annotations

import os


def load_note() -> str:
    """The load average when the table was written: other work on the machine inflates wall times."""
    one, five, fifteen = os.getloadavg()
    return (
        f"Load average (1, 5, 15 min) when the table was written: {one:.1f}, {five:.1f}, "
        f"{fifteen:.1f} on {os.cpu_count()} cores.\n\n"
    )
