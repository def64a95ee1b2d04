"""Exponents and compute frontiers of non-linear networks, one per parameterisation."""

from __future__ import annotations

from typing import Any

from ._predict import MeasuredExponents, _network_exponents
from ._training import NetworkRuns

__all__ = ["network_exponents"]


def network_exponents(networks: NetworkRuns, comparison: Any = None
                      ) -> dict[str, MeasuredExponents]:
    r"""Time, width and compute-frontier exponents of each parameterisation of ``networks``.

    For each of ``"ntk"`` and ``"mup"`` trained at two widths or more,
    :func:`measure_exponents` of its curves over every width: the frontier
    :math:`L^*(C) = \min_n L(n, C/n)`, C = width x steps, and its exponent. The time window
    is the comparison's (``comparison.info["time_window"]``) when given, else steps 10 to 100.
    """
    window = (10.0, 100.0)
    if comparison is not None and "time_window" in comparison.info:
        window = tuple(comparison.info["time_window"])  # the comparison table's window
    out: dict[str, MeasuredExponents] = {}
    for param in ("ntk", "mup"):
        e = _network_exponents(networks, param, window)
        if e is not None:
            out[param] = e
    return out
