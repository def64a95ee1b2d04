"""Sweeps: grids of any command, resumable, on local processes or a Dask cluster.

>>> import tempfile
>>> from scaling_dynamics import sweeps
>>> grid = sweeps.parse_grid({"command": "simulate",
...                           "options": {"M": 50, "P": 30, "seeds": 2, "times": "1,10"},
...                           "axes": {"N": [10, 20]}})    # or sweeps.load_grid("grid.toml")
>>> store = tempfile.mkdtemp()
>>> sweeps.run_sweep(grid, store, jobs=1).n_computed
2
>>> sweeps.run_sweep(grid, store, jobs=1).n_computed   # resumed: nothing left to do
0
>>> len(sweeps.load(store))                            # one row per point and time
4
>>> sweeps.to_loss_table(store).compute.tolist()       # (N, t, loss) rows for the fits
[10.0, 100.0, 20.0, 200.0]

A grid file (TOML) names a task (a command of the command line), its fixed options
and the axes to vary; each point is the task name plus keyword arguments, checked
against the task's parameter spec, and runs as ``TASKS[name].function(**kwargs)``
(``scaling_dynamics.tasks``) in a worker process; the store keeps the JSON form of
its result, what ``scaling-dynamics NAME --format json`` prints. The store holds one atomically written file per point,
keyed by a hash of its canonical parameters and the package version: re-running a
sweep computes only what is missing, and two sweeps can write one store at once.
Local runs use ``concurrent.futures`` processes (one BLAS thread each); with a
scheduler address they use ``dask.distributed``. Seeds are derived from the
point's parameters, so results are bit-identical however the sweep is run.
Schema and examples: ``docs/sweeps.md``.
"""

from ..tasks._inputs import register_store_reader as _register_store_reader
from ._grid import MAX_POINTS as MAX_POINTS
from ._grid import Grid as Grid
from ._grid import Point as Point
from ._grid import derive_seed as derive_seed
from ._grid import load_grid as load_grid
from ._grid import parse_grid as parse_grid
from ._grid import point_key as point_key
from ._run import PointFailure as PointFailure
from ._run import SweepReport as SweepReport
from ._run import default_jobs as default_jobs
from ._run import run_sweep as run_sweep
from ._store import SkippedFile as SkippedFile
from ._store import Store as Store
from ._store import StoreScan as StoreScan
from ._summary import StoreSummary as StoreSummary
from ._summary import summarize as summarize
from ._table import StoreWarning as StoreWarning
from ._table import load as load
from ._table import select as select
from ._table import store_input as _store_input
from ._table import to_curves as to_curves
from ._table import to_loss_table as to_loss_table
from ._worker import compute_point as compute_point

_register_store_reader(_store_input)

__all__ = [
    "Grid",
    "Point",
    "load_grid",
    "parse_grid",
    "point_key",
    "derive_seed",
    "MAX_POINTS",
    "run_sweep",
    "SweepReport",
    "PointFailure",
    "default_jobs",
    "compute_point",
    "Store",
    "StoreScan",
    "SkippedFile",
    "load",
    "to_loss_table",
    "to_curves",
    "StoreWarning",
    "select",
    "summarize",
    "StoreSummary",
]
