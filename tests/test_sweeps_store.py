"""The sweep store: atomic writes, corrupted and foreign files reported and skipped, two writers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading

import pytest

from scaling_dynamics import InvalidParameterError
from scaling_dynamics.cli import main
from scaling_dynamics.sweeps import (
    Store,
    StoreWarning,
    load,
    load_grid,
    point_key,
    run_sweep,
)
from scaling_dynamics.sweeps._store import POINT_FORMAT, check_record

TINY = """
command = "simulate"
[options]
M = 50
P = 30
seeds = 2
times = "1,10,100"
[axes]
N = [10, 20, 30, 40]
"""


@pytest.fixture
def swept(tmp_path):
    """A store holding the four tiny points of TINY (run serially in this process)."""
    grid = tmp_path / "grid.toml"
    grid.write_text(TINY)
    store = tmp_path / "store"
    report = run_sweep(grid, store, jobs=1)
    assert report.n_computed == 4 and report.n_failed == 0
    return grid, store, load_grid(grid)


def test_a_store_holds_one_sound_file_per_point(swept):
    _, store, grid = swept
    names = sorted(os.listdir(store / "points"))
    assert names == sorted(f"{k}.json" for k in grid.keys)
    for key in grid.keys:
        record = json.loads((store / "points" / f"{key}.json").read_text())
        assert check_record(record, key) is None
        assert record["format"] == POINT_FORMAT and record["status"] == "ok"
        assert record["key"] == point_key("simulate", record["params"], record["version"])


def test_corrupted_and_foreign_files_are_reported_and_skipped(swept, capsys):
    grid_path, store, grid = swept
    k_cut, k_edit, k_ok1, k_ok2 = grid.keys
    points = store / "points"
    sound = json.loads((points / f"{k_ok1}.json").read_text())
    other = dict(sound, version="0.0.1")  # a sound record of another version
    other["key"] = point_key(other["command"], other["params"], "0.0.1")
    (points / f"{other['key']}.json").write_text(json.dumps(other))
    text = (points / f"{k_cut}.json").read_text()
    (points / f"{k_cut}.json").write_text(text[: len(text) // 2])  # a truncated file
    record = json.loads((points / f"{k_edit}.json").read_text())
    record["result"]["test_loss"][0] *= 1.5  # an edited number, still valid JSON
    (points / f"{k_edit}.json").write_text(json.dumps(record))
    (points / "notes.txt").write_text("hello")  # a foreign file
    (points / ("0" * 24 + ".json")).write_text('{"format": "something else"}')
    (points / ".leftover.json.abc.tmp").write_text("{")  # a killed writer's temporary file

    with pytest.warns(StoreWarning) as caught:
        frame = load(store)
    message = str(caught[0].message)
    assert f"points/{k_cut}.json: not valid JSON" in message
    skipped = "\n".join(frame.attrs["skipped"])
    assert f"points/{k_edit}.json: the result does not match its checksum" in skipped
    assert "points/notes.txt: foreign file" in skipped
    assert "not a sweep point record" in skipped
    assert "1 point(s) computed by scaling-dynamics 0.0.1" in skipped
    assert sorted(frame["point"].unique()) == sorted([k_ok1, k_ok2])
    assert len(frame.attrs["skipped"]) == 5

    code = main(["sweep", str(store), "--summary"])
    out, err = capsys.readouterr()
    assert code == 0
    assert "points: 2 ok, 0 failed" in out and "skipped (5)" in out
    assert f"skipped points/{k_cut}.json" in err
    assert "1 temporary file(s)" in out

    # Re-running the grid recomputes exactly the two damaged points and reports them.
    report = run_sweep(grid_path, store, jobs=1)
    assert (report.n_present, report.n_computed) == (2, 2)
    assert {s.path for s in report.skipped} >= {f"points/{k_cut}.json", f"points/{k_edit}.json"}
    with pytest.warns(StoreWarning):
        frame = load(store)
    assert sorted(frame["point"].unique()) == sorted(grid.keys)


def test_a_failed_write_leaves_the_old_file_whole(swept, monkeypatch):
    _, store, grid = swept
    st = Store.open(store)
    key = grid.keys[0]
    before = (store / "points" / f"{key}.json").read_bytes()
    record = json.loads(before)

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        st.write(dict(record, elapsed_s=123.0))
    monkeypatch.undo()
    assert (store / "points" / f"{key}.json").read_bytes() == before
    assert not [n for n in os.listdir(store / "points") if n.endswith(".tmp")]


def test_readers_never_see_half_a_record_while_writers_race(tmp_path):
    st = Store.create(tmp_path / "store")
    big = {"test_loss": [0.1 * i for i in range(5000)]}  # ~100 kB per record
    from scaling_dynamics.sweeps._store import result_checksum

    def record(n):
        params = {"N": n}
        return {"format": POINT_FORMAT, "key": point_key("simulate", params), "version":
                __import__("scaling_dynamics").__version__, "command": "simulate",
                "params": params, "status": "ok", "result": big,
                "result_sha256": result_checksum(big)}

    records = [record(n) for n in range(2)]
    for r in records:
        st.write(r, durable=False)
    stop = threading.Event()
    bad: list[str] = []

    def writer():
        while not stop.is_set():
            for r in records:
                st.write(r, durable=False)

    def reader():
        for _ in range(40):
            for r in records:
                got, reason = st.read(r["key"])
                if got is None:
                    bad.append(reason)

    threads = [threading.Thread(target=writer) for _ in range(2)]
    for t in threads:
        t.start()
    try:
        reader()
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert bad == []


def test_two_sweeps_writing_one_store_at_once(tmp_path):
    """Two processes run overlapping grids into one store at the same time."""
    common = """
command = "simulate"
[options]
M = 1500
P = 800
seeds = 4
times = "1,10,100"
[axes]
"""
    a = tmp_path / "a.toml"
    b = tmp_path / "b.toml"
    a.write_text(common + "N = [50, 60, 70, 80, 90, 100, 110, 120]\n")
    b.write_text(common + "N = [120, 110, 100, 90, 80, 70, 60, 50, 40, 30]\n")
    store = tmp_path / "store"  # created by whichever sweep gets there first
    cmd = [sys.executable, "-m", "scaling_dynamics", "sweep"]
    procs = [subprocess.Popen([*cmd, str(g), "--store", str(store), "--jobs", "1"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for g in (a, b)]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    st = Store.open(store)
    # The runs really overlapped in time (else this test would prove nothing).
    events = st.read_journals()
    spans = {}
    for e in events:
        spans.setdefault(e["run"], []).append(e["at"])
    (s1, e1), (s2, e2) = [(min(v), max(v)) for v in spans.values()]
    assert s1 < e2 and s2 < e1
    scan = st.scan()
    assert scan.skipped == () and scan.temporaries == ()
    expected = set(load_grid(a).keys) | set(load_grid(b).keys)
    assert set(scan.ok) == expected and len(expected) == 10
    frame = load(store)
    assert frame.groupby("point").size().eq(3).all()  # three times per point, once each


def test_store_refuses_a_folder_of_other_things(tmp_path):
    (tmp_path / "mine.txt").write_text("x")
    with pytest.raises(InvalidParameterError, match="must be a new or empty directory"):
        Store.create(tmp_path)
    with pytest.raises(InvalidParameterError, match="has no store.json"):
        load(tmp_path)
