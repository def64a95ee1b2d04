"""Packaging promises: a light core import, the version, optional dependencies stay optional."""

import subprocess
import sys

import scaling_dynamics as sd


def test_version_is_exposed():
    assert isinstance(sd.__version__, str) and sd.__version__.count(".") == 2


def test_core_import_does_not_load_optional_or_heavy_modules():
    code = (
        "import sys, scaling_dynamics, scaling_dynamics.cli;"
        "heavy = [m for m in ('torch', 'sklearn', 'pandas', 'dask', 'matplotlib', 'jax')"
        " if m in sys.modules];"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_core_dependencies_are_small_and_pure():
    """NumPy, SciPy, matplotlib, and two pure-Python helpers (progress bars, BLAS threads)."""
    from importlib.metadata import requires

    core = [r for r in requires("scaling-dynamics") if "extra ==" not in r]
    names = sorted(r.split(">")[0].split("=")[0].split("<")[0].strip().lower() for r in core)
    assert names == ["matplotlib", "numpy", "scipy", "threadpoolctl", "tqdm"]
