"""Exact and step-by-step simulation of the random-feature model (theory.md section 1)."""

from ._backends import BACKEND_NAMES as BACKEND_NAMES
from ._backends import get_backend as get_backend
from ._budget import estimate_memory as estimate_memory
from ._budget import estimate_seconds as estimate_seconds
from ._eigen import route_costs as route_costs
from ._run import METHODS as METHODS
from ._run import simulate as simulate

__all__ = ["simulate", "estimate_memory", "estimate_seconds", "route_costs", "get_backend", "BACKEND_NAMES", "METHODS"]
