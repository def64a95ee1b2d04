"""The sweep store: one file per point, written atomically, checked when read.

Layout of a store directory::

    DIR/store.json             marks the directory as a store (format, created by)
    DIR/points/<key>.json      one record per point (the key names the file)
    DIR/log/<run>.jsonl        one journal per sweep process: each line a point it stored
    DIR/grids/<sha>.toml       the grid files that were run into the store
    DIR/outputs/<key>/         the files of a point whose command writes a folder
                               (compare, reproduce, scaling-figure): its --out

A record is written to a temporary file in ``points/``, flushed and ``fsync``-ed,
then renamed over ``<key>.json`` with ``os.replace``, which is atomic: a reader (or
a re-run after a kill) sees either no file or a whole one, never half of one.
Only one process ever writes a given journal, so two sweeps writing the same store
at once never interleave inside a file; if both compute the same point, both write
the same numbers and the last rename wins.

The ``points/`` directory is the index: the file name is the key, so finding a
point, listing the sweep and resuming it need no shared index file that
concurrent writers could corrupt. Every record carries its key, its parameters,
the package version and a checksum of its result; a file that fails any of these
checks is reported and skipped, never used.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import socket
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .._errors import InvalidParameterError
from .._records import Record
from .._validation import read_input_text
from .._version import __version__
from ._grid import canonical_json, point_key

__all__ = ["Store", "StoreScan", "SkippedFile", "STORE_FORMAT", "POINT_FORMAT"]

STORE_FORMAT = "scaling-dynamics sweep store v1"
POINT_FORMAT = "scaling-dynamics sweep point v1"
_KEY_FILE = re.compile(r"^([0-9a-f]{24})\.json$")
_STATUSES = ("ok", "failed")
_MAX_MARKER_BYTES = 1 << 16


def result_checksum(result: Any) -> str:
    """sha256 of the canonical JSON of a result (detects edited or damaged records)."""
    return hashlib.sha256(canonical_json(result).encode()).hexdigest()


def _umask() -> int:
    """The process's umask, read without changing it where /proc tells it (os.umask can
    only be read by setting it, which would race with other threads creating files)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _write_atomic(folder: str, name: str, text: str, *, durable: bool = True) -> str:
    """Write ``text`` to ``folder/name`` atomically (temporary file, fsync, os.replace).

    The file gets the mode any tool would give a new file, ``0o666 & ~umask`` (the
    temporary file ``mkstemp`` makes is private, ``0o600``, until it is complete).
    """
    final = os.path.join(folder, name)
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
    try:
        if hasattr(os, "fchmod"):  # POSIX (Windows has no modes to follow)
            os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            if durable:
                os.fsync(fh.fileno())
        os.replace(tmp, final)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return final


def _fsync_dir(folder: str) -> None:
    """Make renames in ``folder`` durable (a no-op where directories cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@dataclass(frozen=True)
class SkippedFile(Record):
    """A file in the store that was not used, and why (``to_dict()``: path, reason)."""

    path: str
    reason: str


@dataclass(frozen=True)
class StoreScan:
    """What a store holds, after checking every file.

    Attributes
    ----------
    ok : dict of key to record
        Points computed successfully (by the selected package versions).
    failed : dict of key to record
        Points whose computation failed, with the error (re-run to retry them).
    skipped : tuple of SkippedFile
        Corrupted or foreign files, reported and not used.
    other_versions : dict of str to int
        Number of valid records from other package versions (not used unless asked).
    temporaries : tuple of str
        Temporary files left by a killed writer (harmless; never read).
    """

    ok: dict[str, dict[str, Any]] = field(default_factory=dict)
    failed: dict[str, dict[str, Any]] = field(default_factory=dict)
    skipped: tuple[SkippedFile, ...] = ()
    other_versions: dict[str, int] = field(default_factory=dict)
    temporaries: tuple[str, ...] = ()

    def problems(self) -> list[str]:
        """One line per thing a user should know about (skipped files, other versions)."""
        lines = [f"{s.path}: {s.reason}" for s in self.skipped]
        for version, n in sorted(self.other_versions.items()):
            lines.append(
                f"{n} point(s) computed by scaling-dynamics {version} (this is {__version__}) "
                f"were left out; re-run the sweep, or load them with versions='all'."
            )
        return lines


def check_record(record: Any, key: str) -> str | None:
    """Why ``record`` (read from ``<key>.json``) cannot be used, or None if it is sound."""
    if not isinstance(record, dict):
        return "not a sweep point record (not a JSON object)"
    if record.get("format") != POINT_FORMAT:
        return f"not a sweep point record (format is {record.get('format')!r})"
    for name in ("key", "version", "command", "params", "status"):
        if name not in record:
            return f"damaged record: `{name}` is missing"
    if record["key"] != key:
        return f"the record's key {record['key']!r} does not match its file name"
    if not isinstance(record["params"], dict) or not isinstance(record["command"], str):
        return "damaged record: `params` or `command` has the wrong type"
    try:
        expected = point_key(record["command"], record["params"], str(record["version"]))
    except (TypeError, ValueError):
        return "damaged record: its parameters cannot be hashed"
    if expected != key:
        return "its parameters do not hash to its key (edited, or written by another program)"
    if record["status"] not in _STATUSES:
        return f"damaged record: unknown status {record['status']!r}"
    if record["status"] == "ok":
        if "result" not in record or "result_sha256" not in record:
            return "damaged record: the result or its checksum is missing"
        if result_checksum(record["result"]) != record["result_sha256"]:
            return "the result does not match its checksum (edited or damaged)"
    return None


class Store:
    """A sweep store directory (see the module docstring for its layout).

    Use :meth:`create` to make (or reopen) one for writing and :meth:`open` to read
    an existing one.
    """

    def __init__(self, path: str) -> None:
        self.path = os.path.abspath(path)
        self.points_dir = os.path.join(self.path, "points")
        self.log_dir = os.path.join(self.path, "log")
        self.grids_dir = os.path.join(self.path, "grids")
        self.outputs_dir = os.path.join(self.path, "outputs")

    # ----------------------------------------------------------------- opening
    @classmethod
    def create(cls, path: str | os.PathLike[str]) -> Store:
        """Create the store at ``path`` (or reopen it); refuses a folder that is something else."""
        path = os.fspath(path)
        if os.path.exists(path) and not os.path.isdir(path):
            raise InvalidParameterError(f"`store` must be a directory; {path!r} is a file.")
        store = cls(path)
        marker = os.path.join(store.path, "store.json")
        if os.path.isdir(store.path) and not os.path.exists(marker):
            # a store that another sweep is creating right now has only these folders
            ours = {"points", "log", "grids", "outputs"}
            entries = [e for e in os.listdir(store.path) if not e.startswith(".") and e not in ours]
            if entries:
                raise InvalidParameterError(
                    f"`store` must be a new or empty directory, or an existing sweep store; "
                    f"{path!r} holds other files ({', '.join(sorted(entries)[:3])}...)."
                )
        for folder in (store.path, store.points_dir, store.log_dir, store.grids_dir):
            os.makedirs(folder, exist_ok=True)
        if not os.path.exists(marker):
            text = json.dumps({"format": STORE_FORMAT, "created_by": __version__}, indent=1)
            _write_atomic(store.path, "store.json", text + "\n")
        else:
            store._check_marker()
        return store

    @classmethod
    def open(cls, path: str | os.PathLike[str]) -> Store:
        """Open an existing store for reading."""
        path = os.fspath(path)
        store = cls(path)
        if not os.path.isdir(store.path):
            raise InvalidParameterError(f"`store` must be an existing sweep store; {path!r} "
                                        f"is not a directory.")
        if not os.path.exists(os.path.join(store.path, "store.json")):
            raise InvalidParameterError(
                f"`store` must be a sweep store; {path!r} has no store.json "
                f"(create one with `scaling-dynamics sweep GRID.toml --store {path}`)."
            )
        store._check_marker()
        return store

    def _check_marker(self) -> None:
        marker = os.path.join(self.path, "store.json")
        try:
            info = json.loads(read_input_text(marker, "store marker", limit=_MAX_MARKER_BYTES))
        except ValueError:  # InvalidParameterError included: unreadable, too big, not JSON
            info = None
        if not isinstance(info, dict) or info.get("format") != STORE_FORMAT:
            raise InvalidParameterError(
                f"`store` must be a sweep store; {marker!r} is not a store marker "
                f"(expected format {STORE_FORMAT!r})."
            )

    # ----------------------------------------------------------------- points
    def point_path(self, key: str) -> str:
        return os.path.join(self.points_dir, f"{key}.json")

    def output_dir(self, key: str) -> str:
        """The folder of the files point ``key`` writes (its ``--out``; made by the task)."""
        return os.path.join(self.outputs_dir, key)

    def write(self, record: dict[str, Any], *, durable: bool = True) -> str:
        """Write one point record atomically; returns its path."""
        text = json.dumps(record, allow_nan=False, separators=(",", ":"))
        return _write_atomic(self.points_dir, f"{record['key']}.json", text, durable=durable)

    def sync(self) -> None:
        """Make the renames of this process durable (one directory fsync)."""
        _fsync_dir(self.points_dir)
        _fsync_dir(self.log_dir)

    def read(self, key: str) -> tuple[dict[str, Any] | None, str | None]:
        """``(record, None)`` for a sound record, ``(None, reason)`` otherwise."""
        path = self.point_path(key)
        if not os.path.lexists(path):
            return None, "missing"
        try:
            text = read_input_text(path, "point record")
        except InvalidParameterError as exc:  # a FIFO, too big, not UTF-8, vanished...
            if not os.path.lexists(path):
                return None, "missing"
            return None, f"cannot be read ({str(exc).split(': ', 1)[-1].rstrip('.')})"
        try:
            record = json.loads(text)
        except ValueError as exc:
            return None, f"not valid JSON (truncated or damaged: {exc})"
        reason = check_record(record, key)
        return (None, reason) if reason else (record, None)

    def _entries(self) -> Iterator[os.DirEntry[str]]:
        try:
            with os.scandir(self.points_dir) as it:
                yield from it
        except FileNotFoundError:
            return

    def scan(self, *, versions: str = "current") -> StoreScan:
        """Read and check every file in ``points/``.

        Parameters
        ----------
        versions : {"current", "all"}
            ``"current"`` keeps only records written by this package version (the
            others are counted in ``other_versions``); ``"all"`` keeps every sound record.
        """
        if versions not in ("current", "all"):
            raise InvalidParameterError(
                f"`versions` must be one of 'current', 'all'; got {versions!r}."
            )
        ok: dict[str, dict[str, Any]] = {}
        failed: dict[str, dict[str, Any]] = {}
        skipped: list[SkippedFile] = []
        other: dict[str, int] = {}
        temporaries: list[str] = []
        for entry in sorted(self._entries(), key=lambda e: e.name):
            rel = os.path.join("points", entry.name)
            if entry.name.startswith(".") and entry.name.endswith(".tmp"):
                temporaries.append(rel)
                continue
            match = _KEY_FILE.match(entry.name)
            if not match or not entry.is_file():
                skipped.append(SkippedFile(rel, "foreign file: not a point record name (<key>.json)"))
                continue
            record, reason = self.read(match.group(1))
            if record is None:
                if reason != "missing":  # "missing": removed since listed
                    skipped.append(SkippedFile(rel, reason or "unreadable"))
                continue
            if versions == "current" and record["version"] != __version__:
                other[str(record["version"])] = other.get(str(record["version"]), 0) + 1
                continue
            (ok if record["status"] == "ok" else failed)[record["key"]] = record
        return StoreScan(ok, failed, tuple(skipped), other, tuple(temporaries))

    # ----------------------------------------------------------------- grids and journals
    def keep_grid(self, text: str) -> str | None:
        """Keep a copy of a grid file's text (named by its hash); returns its path."""
        if not text:
            return None
        name = hashlib.sha256(text.encode()).hexdigest()[:16] + ".toml"
        path = os.path.join(self.grids_dir, name)
        if not os.path.exists(path):
            _write_atomic(self.grids_dir, name, text)
        return path

    def journal(self) -> Journal:
        """A new journal for this process (its own file, so writers never share one)."""
        return Journal(self.log_dir)

    def read_journals(self) -> list[dict[str, Any]]:
        """Every line of every journal (damaged lines are skipped), oldest file first."""
        events: list[dict[str, Any]] = []
        try:
            names = sorted(n for n in os.listdir(self.log_dir) if n.endswith(".jsonl"))
        except FileNotFoundError:
            return events
        for name in names:
            try:
                text = read_input_text(os.path.join(self.log_dir, name), "journal")
            except InvalidParameterError:
                continue  # unreadable: journals are evidence, never needed to load results
            for line in text.splitlines():
                try:
                    event = json.loads(line)
                except ValueError:
                    continue  # a line cut by a kill
                if isinstance(event, dict):
                    event.setdefault("run", name[:-6])
                    events.append(event)
        return events


class Journal:
    """An append-only log of one sweep process: a ``start`` line, one line per stored
    point (key, status, seconds) and an ``end`` line. Evidence of what was computed
    when; never needed to load results."""

    def __init__(self, folder: str) -> None:
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
        host = re.sub(r"[^A-Za-z0-9_.-]", "_", socket.gethostname())[:40] or "host"
        self.run_id = f"{stamp}-{host}-{os.getpid()}-{os.urandom(3).hex()}"
        self.path = os.path.join(folder, f"{self.run_id}.jsonl")
        self._fh = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 - closed in close()

    def log(self, event: str, **fields: Any) -> None:
        line = {"event": event, "at": time.time(), **fields}
        self._fh.write(json.dumps(line, allow_nan=False, default=str) + "\n")
        self._fh.flush()

    def close(self) -> None:
        if not self._fh.closed:
            self._fh.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
