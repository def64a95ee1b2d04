"""Start-up stays lean (issue 18): what each entry point imports, checked without timing it.

Each check runs a fresh interpreter and lists the heavy modules it loaded: the command
line's import and ``--help`` load no numerical module at all; a theory run loads no
plotting, no torch, no progress-bar library (stderr is not a terminal) and no
scipy.optimize; the compute-optimal frontier no scipy.optimize or scipy.interpolate
(the fits' dependencies). The helpers that replaced imported ones (the Hurwitz zeta
function, the silent progress bar, the cached BLAS controller) are checked against the
originals.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

SRC = str(Path(__file__).resolve().parent.parent / "src")
HEAVY = ("numpy", "scipy", "matplotlib", "torch", "tqdm", "threadpoolctl", "pandas")


def _loaded_after(code: str) -> set[str]:
    """Top-level names (and scipy/numpy submodules) of the heavy modules ``code`` imports."""
    probe = (
        f"{code}\nimport sys, json\n"
        f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r})))"
    )
    env = dict(os.environ, PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         env=env, stdin=subprocess.DEVNULL, check=True)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def _cli(*argv: str) -> str:
    """Code that runs the command line in-process with stdout silenced."""
    return ("import contextlib, io\nfrom scaling_dynamics.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            f"    try:\n        main({list(argv)!r})\n    except SystemExit:\n        pass")


def test_importing_the_package_and_its_command_line_loads_no_numerical_module():
    assert _loaded_after("import scaling_dynamics, scaling_dynamics.cli") == set()


def test_help_loads_no_numerical_module():
    assert _loaded_after(_cli("--help")) == set()


def test_a_theory_run_loads_only_what_it_computes_with():
    loaded = _loaded_after(_cli("theory", "--M", "400", "--N", "100", "--P", "200",
                                "--times", "1,10,100"))
    assert "numpy" in loaded  # the probe can see what a run loads
    tops = {m.split(".")[0] for m in loaded}
    assert not tops & {"matplotlib", "torch", "tqdm", "pandas"}, sorted(loaded)
    assert not {m for m in loaded if m.startswith(("scipy.optimize", "scipy.interpolate"))}


def _modules_after(code: str) -> set[str]:
    """Every module ``code`` imports (in a fresh interpreter)."""
    probe = f"{code}\nimport sys\nloaded = sorted(sys.modules)\nimport json\nprint(json.dumps(loaded))"
    env = dict(os.environ, PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         env=env, stdin=subprocess.DEVNULL, check=True)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


#: What a gradient-flow `theory` run must not import: the other tasks and commands, the
#: other model, the simulator, the layers above the theory, and the theory's other routes.
NOT_FOR_A_THEORY_RUN = (
    "scaling_dynamics.models.feature_learning",
    "scaling_dynamics.simulate",
    "scaling_dynamics.scaling",
    "scaling_dynamics.empirical",
    "scaling_dynamics.plots",
    "scaling_dynamics.reproduce",
    "scaling_dynamics.sweeps",
    "scaling_dynamics.theory._sgd",
    "scaling_dynamics.theory._discrete",
    "scaling_dynamics.theory._momentum_flow",
    "scaling_dynamics.theory._ensembles",
    "scaling_dynamics.theory._transfer",
    "scaling_dynamics.theory._edge",
)


def test_a_theory_run_imports_only_its_own_task_model_and_route():
    loaded = _modules_after(_cli("theory", "--M", "1e4", "--N", "100", "--P", "200",
                                 "--times", "1,10,100"))
    own = {m for m in loaded if m.startswith("scaling_dynamics")}
    assert "scaling_dynamics.theory._dmft" in own  # the probe sees the run's imports
    tasks = {m for m in own if m.startswith("scaling_dynamics.tasks.")
             and not m.rsplit(".", 1)[1].startswith("_")}
    commands = {m for m in own if m.startswith("scaling_dynamics.cli.")
                and not m.rsplit(".", 1)[1].startswith("_")}
    assert tasks == {"scaling_dynamics.tasks.theory"}, sorted(tasks)
    assert commands == {"scaling_dynamics.cli.theory"}, sorted(commands)
    unwanted = {m for m in own if m.startswith(NOT_FOR_A_THEORY_RUN)}
    assert not unwanted, sorted(unwanted)
    # a table needs no json or csv
    assert not loaded & {"json", "csv"}, sorted(loaded & {"json", "csv"})


def test_lazy_registries_list_without_importing_and_load_what_they_list():
    own = _modules_after("from scaling_dynamics.models import MODELS\n"
                         "from scaling_dynamics.tasks import TASKS\n"
                         "assert len(list(MODELS)) == 2 and 'theory' in TASKS")
    assert not {m for m in own if m.startswith("scaling_dynamics.models.")
                and not m.endswith("._base")}, sorted(own)
    assert not {m for m in own if m.startswith("scaling_dynamics.tasks.")
                and not m.rsplit(".", 1)[1].startswith("_")}, sorted(own)
    from scaling_dynamics.models import MODELS
    from scaling_dynamics.tasks import TASKS

    for name, (_, summary) in MODELS.entries.items():  # the light line says what the class says
        assert MODELS[name].name == name and MODELS[name].summary == summary
    for name, task in TASKS.items():
        assert task.name == name and task.spec is not None
    with pytest.raises(KeyError):
        MODELS["no-such-model"]  # noqa: B018
    from scaling_dynamics import theory

    assert set(theory.__all__) <= set(dir(theory))
    assert all(callable(getattr(theory, name)) for name in theory.__all__)


def test_the_compute_optimal_frontier_loads_none_of_the_fits_dependencies():
    loaded = _loaded_after(_cli("compute-optimal", "--compute", "1e4,1e5", "--grid", "5"))
    assert {m.split(".")[0] for m in loaded} & {"matplotlib", "torch", "tqdm"} == set()
    assert not {m for m in loaded if m.startswith(("scipy.optimize", "scipy.interpolate"))}


def test_lazy_names_resolve_and_the_simulate_function_is_not_hidden_by_its_subpackage():
    import importlib

    import scaling_dynamics as sd

    importlib.import_module("scaling_dynamics.simulate._engine")  # binds the subpackage
    assert callable(sd.simulate) and sd.simulate.__module__.startswith("scaling_dynamics.models")
    assert sd.Spectrum.__name__ == "Spectrum" and sd.theory.__name__ == "scaling_dynamics.theory"
    assert {"simulate", "predict", "Spectrum", "theory"} <= set(dir(sd))
    with pytest.raises(AttributeError):
        sd.no_such_name  # noqa: B018
    from scaling_dynamics import scaling

    assert scaling.fit_chinchilla.__name__ == "fit_chinchilla"
    with pytest.raises(AttributeError):
        scaling.no_such_name  # noqa: B018


def test_hurwitz_zeta_matches_scipy():
    from scipy.special import zeta

    from scaling_dynamics._special import hurwitz_zeta

    for s in (1.001, 1.25, 1.5, 2.0, 3.7, 12.0, 60.0):
        for q in (0.5, 1.0, 2.0, 101.0, 2049.0, 1e7 + 1, 1e13):
            assert hurwitz_zeta(s, q) == pytest.approx(float(zeta(s, q)), rel=1e-14, abs=0)
    assert hurwitz_zeta(math.inf, 1.0) == 1.0 and hurwitz_zeta(2.0, math.inf) == 0.0
    with pytest.raises(ValueError, match="s > 1"):
        hurwitz_zeta(1.0)


def test_silent_progress_bar_takes_every_call():
    from scaling_dynamics._progress import progress_bar

    with progress_bar(3, "x", enabled=False) as bar:
        bar.update()
        bar.update(2)
        bar.set_postfix_str("y")
    bar.close()
    shown = progress_bar(3, "x", enabled=True)
    assert type(shown).__module__.startswith("tqdm")
    shown.close()


def test_one_blas_thread_holds_for_libraries_loaded_after_the_first_limit():
    from threadpoolctl import threadpool_info

    from scaling_dynamics._blas import single_blas_thread

    with single_blas_thread():
        np.ones((4, 4)) @ np.ones((4, 4))
    import scipy.linalg  # noqa: F401 - may load another BLAS after the controller was made

    with single_blas_thread():
        threads = {i["filepath"]: i["num_threads"] for i in threadpool_info()
                   if i["user_api"] == "blas"}
    assert threads and set(threads.values()) == {1}, threads
