"""Running sweeps: identical tables serially, on processes and on Dask; failures; kill and resume."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from scaling_dynamics.cli import main
from scaling_dynamics.sweeps import Store, load, load_grid, run_sweep, summarize

TINY = """
command = "simulate"
[options]
M = 50
P = 30
seeds = 2
times = "1,10,100"
[axes]
N = [10, 20, 40]
b = [1.25, 1.5]
"""


def records(store):
    return {r["key"]: r for r in Store.open(store).scan().ok.values()}


def test_serial_processes_and_dask_give_bit_identical_tables(tmp_path):
    pd = pytest.importorskip("pandas")
    distributed = pytest.importorskip("distributed")
    grid = tmp_path / "grid.toml"
    grid.write_text(TINY)
    serial = run_sweep(grid, tmp_path / "serial", jobs=1)
    procs = run_sweep(grid, tmp_path / "procs", jobs=2)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        dask = run_sweep(grid, tmp_path / "dask", scheduler=cluster.scheduler_address)
    assert (serial.executor, procs.executor, dask.executor) == ("serial", "processes", "dask")
    assert (procs.workers, dask.workers) == (2, 2)
    assert serial.n_computed == procs.n_computed == dask.n_computed == 6
    tables = [load(tmp_path / name) for name in ("serial", "procs", "dask")]
    assert len(tables[0]) == 6 * 3
    for other in tables[1:]:
        pd.testing.assert_frame_equal(tables[0], other, check_exact=True)
    # the numbers were computed in worker processes, not in this one, and not copied
    here = os.getpid()
    assert {r["pid"] for r in records(tmp_path / "serial").values()} == {here}
    for name in ("procs", "dask"):
        assert here not in {r["pid"] for r in records(tmp_path / name).values()}
    # and each result is what the command prints when run alone with the stored argv
    rec = next(iter(records(tmp_path / "dask").values()))
    from contextlib import redirect_stdout
    from io import StringIO

    buf = StringIO()
    with redirect_stdout(buf):
        assert main(rec["argv"]) == 0
    alone = json.loads(buf.getvalue())
    alone["params"].pop("wall_time_s")
    rec["result"]["params"].pop("wall_time_s")
    assert alone == rec["result"]


def test_a_failing_point_is_recorded_and_the_rest_go_on(tmp_path, capsys):
    grid = tmp_path / "grid.toml"
    grid.write_text(TINY.replace("b = [1.25, 1.5]", 'optimizer = ["gd"]\neta = [0.5, 1e6]'))
    store = tmp_path / "store"
    code = main(["sweep", str(grid), "--store", str(store), "--jobs", "1"])
    out, err = capsys.readouterr()
    assert code == 1
    assert "3 computed, 3 failed" in out
    assert "3 of 6 points failed" in err
    summary = summarize(store)
    assert (summary.n_ok, summary.n_failed) == (3, 3)
    assert all(f["params"]["eta"] == 1e6 for f in summary.failures)
    assert all("`eta` = 1e+06 is unstable" in f["error"] for f in summary.failures)
    frame = load(store, include_failed=True)
    failed = frame[frame["status"] == "failed"]
    assert len(failed) == 3 and failed["error"].str.contains("unstable").all()
    assert set(frame.loc[frame["status"] == "ok", "eta"]) == {0.5}
    # a re-run retries the failed points only
    report = run_sweep(grid, store, jobs=1)
    assert (report.n_present, report.n_computed, report.n_failed) == (3, 0, 3)


SLOW = """
command = "simulate"
[options]
M = 800
P = 500
seeds = 2
times = "1,10,100,1000"
[axes]
N = [100, 120, 140, 160, 180, 200, 220, 240, 260, 280]
"""


def test_a_killed_sweep_resumes_without_recomputing(tmp_path):
    grid_path = tmp_path / "grid.toml"
    grid_path.write_text(SLOW)
    grid = load_grid(grid_path)
    store = tmp_path / "store"
    points = store / "points"
    proc = subprocess.Popen(
        [sys.executable, "-m", "scaling_dynamics", "sweep", str(grid_path), "--store", str(store),
         "--jobs", "2"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            done = [n for n in os.listdir(points) if n.endswith(".json")] if points.exists() else []
            if len(done) >= 3 or proc.poll() is not None:
                break
            time.sleep(0.01)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the sweep and its workers, like a lost job
        proc.wait()
    before = {n: (points / n).read_bytes() for n in os.listdir(points) if n.endswith(".json")}
    assert 3 <= len(before) < grid.n_points, "the sweep was not killed part-way"

    report = run_sweep(grid, store, jobs=1)
    assert report.n_present == len(before)
    assert report.n_computed == grid.n_points - len(before) and report.n_failed == 0

    # every point present exactly once, sound; the first run's files untouched
    after = sorted(n for n in os.listdir(points) if n.endswith(".json"))
    assert after == sorted(f"{k}.json" for k in grid.keys)
    assert Store.open(store).scan().skipped == ()
    for name, data in before.items():
        assert (points / name).read_bytes() == data
    # the journals show no point computed twice, and the re-run computed only the missing ones
    stored = [e for e in Store.open(store).read_journals() if e["event"] == "stored"]
    per_key = {}
    for e in stored:
        per_key[e["key"]] = per_key.get(e["key"], 0) + 1
    assert max(per_key.values()) == 1
    rerun = {e["key"] for e in stored if e["run"] == report.run_id}
    assert rerun == set(grid.keys) - {n[:-5] for n in before}
    frame = load(store)
    assert frame.groupby("point").size().eq(4).all() and frame["point"].nunique() == 10


# --------------------------------------------------------------------------- files of points
def test_points_of_a_folder_writing_command_each_write_their_own_folder(tmp_path, monkeypatch):
    """compare writes into --out (default ./compare): in a sweep every point gets its own
    folder in the store, never the current directory, and the record says which."""
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    grid = tmp_path / "grid.toml"
    grid.write_text('command = "compare"\n[options]\nM = 50\nP = 30\nseeds = 2\n'
                    'times = "1,10"\n[axes]\nN = [10, 20]\n')
    report = run_sweep(grid, tmp_path / "store", jobs=1, progress=False)
    assert report.n_computed == 2 and report.n_failed == 0
    assert os.listdir(cwd) == []
    folders = set()
    for key, rec in records(tmp_path / "store").items():
        assert rec["out"] == f"outputs/{key}"
        folder = tmp_path / "store" / rec["out"]
        assert sorted(os.listdir(folder)) == ["comparison.png", "simulation.json", "theory.json"]
        assert set(rec["result"]["files"].values()) == {
            str(folder / n) for n in ("comparison.png", "simulation.json", "theory.json")}
        assert rec["argv"][-2:] == ["--out", str(folder)]
        folders.add(folder)
    assert len(folders) == 2
    # the two points' files differ: they were not overwritten by one another
    sims = {json.loads((f / "simulation.json").read_text())["params"]["N"] for f in folders}
    assert sims == {10, 20}


def test_commands_that_write_folders_are_the_ones_the_sweep_gives_folders():
    """Every task whose --out defaults to a folder declares writes_folder (and no other)."""
    from scaling_dynamics.tasks import TASKS

    for task in TASKS.values():
        out = task.spec.params.get("out")
        assert task.writes_folder == (out is not None and out.default is not None), task.name
    assert {n for n, t in TASKS.items() if t.writes_folder} == {
        "compare", "reproduce", "scaling-figure"}


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_store_files_follow_the_umask(tmp_path, umask, mode):
    from scaling_dynamics.sweeps import parse_grid

    grid = parse_grid({"command": "exponents", "options": {"b": 1.3}, "axes": {"a": [1.5, 2]}},
                      text="# a grid file\n")
    old = os.umask(umask)
    try:
        run_sweep(grid, tmp_path / "store", jobs=1, progress=False)
    finally:
        os.umask(old)
    store = tmp_path / "store"
    files = [store / "store.json", *store.glob("points/*.json"), *store.glob("grids/*.toml"),
             *store.glob("log/*.jsonl")]
    assert len(files) == 5
    for path in files:
        assert path.stat().st_mode & 0o777 == mode, path
