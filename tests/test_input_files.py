"""Input files never hang and are never read without end (issue 17 §2).

Every reader of a user's file (npz spectra and data sets, CSV loss data, saved loss
curves, grid files, store records) opens it through ``_validation.open_input``: a FIFO
with no writer, a character device such as /dev/zero, a directory, or a file over the
documented limit is refused in one line before any byte is read.
"""

from __future__ import annotations

import os
import sys
import threading

import numpy as np
import pytest

from scaling_dynamics import InvalidParameterError, Spectrum
from scaling_dynamics import _validation as validation
from scaling_dynamics.empirical import load_dataset
from scaling_dynamics.results import LossCurves
from scaling_dynamics.scaling import read_loss_table
from scaling_dynamics.sweeps import Store, load_grid, run_sweep

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="FIFOs and /dev/zero are POSIX")

#: reader, the file name it needs (suffix), the words naming the file in the message
READERS = [
    (Spectrum.load, "spectrum.npz", "spectrum file"),
    (load_dataset, "data.npz", "data file"),
    (read_loss_table, "losses.csv", "loss data file"),
    (LossCurves.load, "curves.json", "loss curves file"),
    (load_grid, "grid.toml", "grid file"),
]


def _no_hang(fn, *args):
    """Call fn(*args) in a thread; fail (rather than hang the suite) if it blocks."""
    box: dict[str, BaseException | object] = {}

    def target():
        try:
            box["value"] = fn(*args)
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            box["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(10)
    if thread.is_alive():
        # unblock the reader (open a writer end) so the thread can finish, then fail
        pytest.fail(f"{getattr(fn, '__qualname__', fn)} blocked on {args[0]!r}")
    return box


@pytest.mark.parametrize(("reader", "name", "what"), READERS)
def test_a_fifo_is_refused_without_blocking(tmp_path, reader, name, what):
    path = tmp_path / name
    os.mkfifo(path)  # no writer: opening it for reading the usual way blocks forever
    box = _no_hang(reader, str(path))
    error = box.get("error")
    assert isinstance(error, InvalidParameterError), box
    message = str(error)
    assert what in message and "named pipe (FIFO)" in message and "\n" not in message


@pytest.mark.parametrize(("reader", "name", "what"), READERS)
def test_dev_zero_is_refused(tmp_path, reader, name, what):
    if not os.path.exists("/dev/zero"):
        pytest.skip("no /dev/zero")
    path = tmp_path / name
    os.symlink("/dev/zero", path)  # readers that check the suffix see the right one
    box = _no_hang(reader, str(path))
    error = box.get("error")
    assert isinstance(error, InvalidParameterError), box
    assert "character device" in str(error) and what in str(error)


def test_a_file_over_the_limit_is_refused_with_the_limit(tmp_path, monkeypatch):
    path = tmp_path / "losses.csv"
    path.write_text("N,steps,loss\n" + "10,100,0.5\n" * 200)
    assert read_loss_table(path).loss.size == 200  # under the limit: read as before
    monkeypatch.setattr(validation, "MAX_TEXT_BYTES", 1000)
    with pytest.raises(InvalidParameterError) as info:
        read_loss_table(path)
    message = str(info.value)
    assert "over the limit of 1000 bytes" in message and str(path.stat().st_size) in message


def test_npz_over_the_limit_and_unpacking_over_it_are_refused(tmp_path, monkeypatch):
    path = tmp_path / "spectrum.npz"
    np.savez_compressed(path, eigenvalues=np.ones(5000), target_weights=np.ones(5000))
    assert Spectrum.load(path).M == 5000
    # compressed it is small; its arrays unpack to 80 kB: refused above the limit
    monkeypatch.setattr(validation, "MAX_INPUT_BYTES", 50_000)
    with pytest.raises(InvalidParameterError, match="unpack to .* over the limit"):
        Spectrum.load(path)
    monkeypatch.setattr(validation, "MAX_INPUT_BYTES", 100)
    with pytest.raises(InvalidParameterError, match="over the limit of 100 bytes"):
        Spectrum.load(path)


def test_a_directory_is_refused(tmp_path):
    (tmp_path / "d.csv").mkdir()
    with pytest.raises(InvalidParameterError, match="it is a directory"):
        read_loss_table(tmp_path / "d.csv")


def test_store_records_and_marker_that_are_fifos_do_not_block(tmp_path):
    grid = {"command": "exponents", "options": {"b": 1.3}, "axes": {"a": [1.5, 2.0]}}
    from scaling_dynamics.sweeps import parse_grid

    report = run_sweep(parse_grid(grid), tmp_path / "st", jobs=1, progress=False)
    st = Store.open(tmp_path / "st")
    assert report.n_computed == 2
    key = next(iter(st.scan().ok))
    os.unlink(st.point_path(key))
    os.mkfifo(st.point_path(key))
    box = _no_hang(st.read, key)
    record, reason = box["value"]
    assert record is None and "named pipe" in reason
    box = _no_hang(st.scan)
    assert len(box["value"].ok) == 1 and box["value"].skipped
    os.mkfifo(os.path.join(st.log_dir, "x.jsonl"))
    assert _no_hang(st.read_journals).get("value")
    os.unlink(os.path.join(st.path, "store.json"))
    os.mkfifo(os.path.join(st.path, "store.json"))
    box = _no_hang(Store.open, tmp_path / "st")
    assert isinstance(box.get("error"), InvalidParameterError)


def test_the_cli_refuses_a_fifo_in_one_line(tmp_path, capsys):
    from cli_helpers import run_cli

    fifo = tmp_path / "data.csv"
    os.mkfifo(fifo)
    box = _no_hang(run_cli, capsys, "fit", str(fifo))
    code, out, err = box["value"]
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "named pipe (FIFO)" in err and "Traceback" not in err
