"""Shared fixtures. Tests use fixed seeds so every run is deterministic."""

from __future__ import annotations

import os

# One BLAS thread per test process keeps timings stable when pytest-xdist runs workers side by side.
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20240201)
