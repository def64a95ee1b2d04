"""Result types shared by simulation and theory, with lossless JSON and CSV files.

Simulation and theory both return :class:`LossCurves`, so comparison, fits and
plots are written once. Loss conventions (``docs/conventions.md``):

* ``test_loss`` is the *excess* population loss :math:`L = \\sum_k \\lambda_k v_k^2`,
  i.e. the expected squared error on a fresh sample minus the noise floor
  :math:`\\sigma^2`;
* ``train_loss`` is the plain mean squared error on the training set,
  :math:`\\hat L = |\\Psi v - \\sigma\\epsilon|^2/P` (it includes the noise, and goes to
  zero when the model interpolates). With ``P = inf`` and for one-pass SGD it
  equals the population loss :math:`L + \\sigma^2` in expectation.
"""

from __future__ import annotations

import io
import math
import os
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from ._errors import InvalidParameterError
from ._records import decode_plain, encode_plain, write_json
from ._validation import read_input_text
from ._version import __version__

__all__ = ["LossCurves", "encode_params", "decode_params", "write_json"]

#: The JSON encoding of plain data (infinities as "inf"), under the names used across the library.
encode_params = encode_plain
decode_params = decode_plain

_FORMAT_TAG = "scaling-dynamics LossCurves v1"
_CURVE_KEYS = ("test_loss", "test_loss_sem", "train_loss", "train_loss_sem")


@dataclass(frozen=True, eq=False, repr=False)
class LossCurves:
    """Test and train loss over time, from simulation or theory.

    Attributes
    ----------
    times : ndarray, shape (n_times,)
        Gradient-flow time, or step count for discrete optimisers (see ``time_unit``).
    test_loss, train_loss : ndarray, shape (n_times,)
        Mean over seeds (simulation) or the mean-field prediction (theory).
    test_loss_sem, train_loss_sem : ndarray or None
        Standard error of the mean over seeds (``None`` for theory or one seed).
    test_loss_seeds, train_loss_seeds : ndarray or None, shape (n_seeds, n_times)
        Per-seed curves (simulation only).
    params : dict
        Everything that defines the experiment: spectrum (a, b, M, sigma), N, P,
        optimiser and its hyper-parameters, ensemble size, seeds, method.
    source : {"simulation", "theory"}
    seed : int or None
        Root seed of a simulation (seed ``i`` of a run is independent of ``n_seeds``).
    backend : str
        ``"numpy"``, ``"torch:cpu"``, ``"torch:cuda"``, or ``"theory"``.
    version : str
        Package version that produced the result.
    time_unit : str
        ``"time"`` (gradient flow) or ``"steps"``.
    extra : dict of str to ndarray
        Further named curves of shape (n_times,) (e.g. theory's bias and variance).
    diagnostics : dict
        Solver facts (wall time, route, iterations...). Informative only.
    """

    times: np.ndarray
    test_loss: np.ndarray
    train_loss: np.ndarray
    test_loss_sem: np.ndarray | None = None
    train_loss_sem: np.ndarray | None = None
    test_loss_seeds: np.ndarray | None = None
    train_loss_seeds: np.ndarray | None = None
    params: dict[str, Any] = field(default_factory=dict)
    source: str = "simulation"
    seed: int | None = None
    backend: str = "numpy"
    version: str = __version__
    time_unit: str = "time"
    extra: dict[str, np.ndarray] = field(default_factory=dict)
    diagnostics: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        n = np.asarray(self.times).shape
        for name in ("test_loss", "train_loss", "test_loss_sem", "train_loss_sem"):
            arr = getattr(self, name)
            if arr is not None and np.asarray(arr).shape != n:
                raise InvalidParameterError(
                    f"`{name}` must have the shape of `times` {n}; got {np.asarray(arr).shape}."
                )

    # ------------------------------------------------------------------ builders
    @classmethod
    def from_theory(
        cls,
        times: np.ndarray,
        test_loss: np.ndarray,
        train_loss: np.ndarray,
        params: dict[str, Any],
        *,
        time_unit: str,
        extra: dict[str, np.ndarray] | None = None,
        diagnostics: dict[str, Any] | None = None,
    ) -> LossCurves:
        """The one way theory results are made (``source="theory"``, no seed, no sem)."""
        return cls(
            times=times, test_loss=test_loss, train_loss=train_loss, params=params,
            source="theory", seed=None, backend="theory", version=__version__,
            time_unit=time_unit, extra=dict(extra or {}), diagnostics=dict(diagnostics or {}),
        )

    @classmethod
    def from_seeds(
        cls,
        times: np.ndarray,
        test_seeds: np.ndarray,
        train_seeds: np.ndarray,
        params: dict[str, Any],
        *,
        seed: int,
        backend: str,
        time_unit: str,
        diagnostics: dict[str, Any] | None = None,
    ) -> LossCurves:
        r"""The one way simulation results are made: mean and standard error over seeds.

        .. math:: \bar L = \frac1S\sum_s L_s, \qquad
                  \mathrm{sem} = \sqrt{\frac{\sum_s (L_s - \bar L)^2}{S(S-1)}} \ (S > 1).
        """
        n_seeds = test_seeds.shape[0]
        sem_test = sem_train = None
        if n_seeds > 1:
            sem_test = test_seeds.std(axis=0, ddof=1) / math.sqrt(n_seeds)
            sem_train = train_seeds.std(axis=0, ddof=1) / math.sqrt(n_seeds)
        return cls(
            times=times, test_loss=test_seeds.mean(axis=0), train_loss=train_seeds.mean(axis=0),
            test_loss_sem=sem_test, train_loss_sem=sem_train, test_loss_seeds=test_seeds,
            train_loss_seeds=train_seeds, params=params, source="simulation", seed=seed,
            backend=backend, version=__version__, time_unit=time_unit,
            diagnostics=dict(diagnostics or {}),
        )

    def __repr__(self) -> str:
        """A short summary: where it came from, the problem, and the curves' ends (no arrays).

        >>> import numpy as np
        >>> LossCurves(np.array([1.0, 10.0]), np.array([0.5, 0.25]), np.array([0.4, 0.1]),
        ...            params={"optimizer": "gf", "N": 100, "P": 200, "M": 1000})
        LossCurves(simulation: optimizer=gf, N=100, P=200, M=1000; 2 times in [1, 10] (time); test 0.5 -> 0.25, train 0.4 -> 0.1)
        """
        keys = ("optimizer", "N", "P", "M", "sigma", "ensemble", "seeds")
        problem = ", ".join(f"{k}={self.params[k]}" for k in keys if k in self.params)
        n = int(np.asarray(self.times).size)
        if n == 0:
            return f"LossCurves({self.source}: {problem}; no times)"
        ends = (f"test {self.test_loss[0]:.4g} -> {self.test_loss[-1]:.4g}, "
                f"train {self.train_loss[0]:.4g} -> {self.train_loss[-1]:.4g}")
        span = f"{n} times in [{np.min(self.times):g}, {np.max(self.times):g}] ({self.time_unit})"
        return f"LossCurves({self.source}: {problem}; {span}; {ends})"

    # ------------------------------------------------------------------ conveniences
    @property
    def n_seeds(self) -> int | None:
        return None if self.test_loss_seeds is None else int(self.test_loss_seeds.shape[0])

    def with_params(self, **updates: Any) -> LossCurves:
        return replace(self, params={**self.params, **updates})

    def to_dict(self, *, include_seeds: bool = True) -> dict[str, Any]:
        """Plain-data form (what the command line prints with ``--format json``).

        Keys: ``times``, ``test_loss``, ``train_loss``, ``test_loss_sem`` and
        ``train_loss_sem`` (simulation only), ``params``, and metadata. Infinite
        sizes are written as the string ``"inf"`` so the JSON stays standard.
        """
        d: dict[str, Any] = {"times": self.times, "test_loss": self.test_loss}
        if self.test_loss_sem is not None:
            d["test_loss_sem"] = self.test_loss_sem
        d["train_loss"] = self.train_loss
        if self.train_loss_sem is not None:
            d["train_loss_sem"] = self.train_loss_sem
        d["params"] = self.params
        d["source"] = self.source
        d["seed"] = self.seed
        d["backend"] = self.backend
        d["version"] = self.version
        d["time_unit"] = self.time_unit
        if self.extra:
            d["extra"] = self.extra
        if include_seeds and self.test_loss_seeds is not None:
            d["test_loss_seeds"] = self.test_loss_seeds
            d["train_loss_seeds"] = self.train_loss_seeds
        if self.diagnostics:
            d["diagnostics"] = self.diagnostics
        return encode_plain(d)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> LossCurves:
        """Inverse of :meth:`to_dict`."""
        d = decode_plain(d)
        missing = {"times", "test_loss", "train_loss"} - set(d)
        if missing:
            raise InvalidParameterError(
                f"not a LossCurves record: missing key(s) {sorted(missing)}."
            )

        def arr(key: str) -> np.ndarray | None:
            return None if d.get(key) is None else np.asarray(d[key], dtype=np.float64)

        return cls(
            times=arr("times"),
            test_loss=arr("test_loss"),
            train_loss=arr("train_loss"),
            test_loss_sem=arr("test_loss_sem"),
            train_loss_sem=arr("train_loss_sem"),
            test_loss_seeds=arr("test_loss_seeds"),
            train_loss_seeds=arr("train_loss_seeds"),
            params=d.get("params", {}),
            source=d.get("source", "simulation"),
            seed=d.get("seed"),
            backend=d.get("backend", "numpy"),
            version=d.get("version", "unknown"),
            time_unit=d.get("time_unit", "time"),
            extra={k: np.asarray(v, dtype=np.float64) for k, v in d.get("extra", {}).items()},
            diagnostics=d.get("diagnostics", {}),
        )

    # ------------------------------------------------------------------ JSON
    def to_json(self, *, indent: int | None = None) -> str:
        """Standard JSON (no NaN or Infinity literals); floats round-trip exactly."""
        import json  # here, not at the top: a command printing a table needs no json

        return json.dumps(self.to_dict(), indent=indent, allow_nan=False)

    @classmethod
    def from_json(cls, text: str) -> LossCurves:
        import json

        return cls.from_dict(json.loads(text))

    # ------------------------------------------------------------------ CSV
    def to_csv(self) -> str:
        """CSV with one row per time; metadata as a JSON comment line at the top.

        Columns: ``times``, the mean and sem curves, every ``extra`` curve, and the
        per-seed curves as ``test_loss_seed<i>`` / ``train_loss_seed<i>``. Floats are
        written with ``repr`` so reading them back is exact.
        """
        import csv
        import json

        meta = self.to_dict(include_seeds=False)
        for key in ("times", *_CURVE_KEYS, "extra"):
            meta.pop(key, None)
        meta["extra_keys"] = list(self.extra)
        columns: dict[str, np.ndarray] = {"times": self.times}
        for key in _CURVE_KEYS:
            val = getattr(self, key)
            if val is not None:
                columns[key] = val
        for key, val in self.extra.items():
            columns[f"extra:{key}"] = val
        if self.test_loss_seeds is not None:
            for i, row in enumerate(self.test_loss_seeds):
                columns[f"test_loss_seed{i}"] = row
            for i, row in enumerate(self.train_loss_seeds):
                columns[f"train_loss_seed{i}"] = row
        buf = io.StringIO()
        buf.write(f"# {_FORMAT_TAG}\n")
        buf.write("# " + json.dumps(meta, allow_nan=False) + "\n")
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(list(columns))
        for i in range(len(self.times)):
            writer.writerow([repr(float(col[i])) for col in columns.values()])
        return buf.getvalue()

    @classmethod
    def from_csv(cls, text: str) -> LossCurves:
        import csv
        import json

        lines = text.splitlines()
        if len(lines) < 3 or lines[0] != f"# {_FORMAT_TAG}" or not lines[1].startswith("# "):
            raise InvalidParameterError(
                f"not a scaling-dynamics CSV: the first line must be '# {_FORMAT_TAG}'."
            )
        meta = decode_plain(json.loads(lines[1][2:]))
        reader = csv.reader(lines[2:])
        header = next(reader)
        rows = [[float(x) for x in row] for row in reader if row]
        data = np.array(rows, dtype=np.float64).reshape(len(rows), len(header))
        cols = {name: data[:, j] for j, name in enumerate(header)}
        seeds_test = sorted(
            (k for k in cols if k.startswith("test_loss_seed")), key=lambda k: int(k[14:])
        )
        seeds_train = sorted(
            (k for k in cols if k.startswith("train_loss_seed")), key=lambda k: int(k[15:])
        )
        return cls(
            times=cols["times"],
            test_loss=cols["test_loss"],
            train_loss=cols["train_loss"],
            test_loss_sem=cols.get("test_loss_sem"),
            train_loss_sem=cols.get("train_loss_sem"),
            test_loss_seeds=np.array([cols[k] for k in seeds_test]) if seeds_test else None,
            train_loss_seeds=np.array([cols[k] for k in seeds_train]) if seeds_train else None,
            params=meta.get("params", {}),
            source=meta.get("source", "simulation"),
            seed=meta.get("seed"),
            backend=meta.get("backend", "numpy"),
            version=meta.get("version", "unknown"),
            time_unit=meta.get("time_unit", "time"),
            extra={k: cols[f"extra:{k}"] for k in meta.get("extra_keys", [])},
            diagnostics=meta.get("diagnostics", {}),
        )

    # ------------------------------------------------------------------ files
    def save(self, path: str | os.PathLike[str]) -> None:
        """Write to ``path``; the format follows the suffix (``.json`` or ``.csv``)."""
        path = os.fspath(path)
        suffix = os.path.splitext(path)[1].lower()
        if suffix == ".json":
            text = self.to_json(indent=1)
        elif suffix == ".csv":
            text = self.to_csv()
        else:
            raise InvalidParameterError(
                f"cannot tell the format of {path!r}: the suffix must be '.json' or '.csv'."
            )
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> LossCurves:
        """Read a file written by :meth:`save`."""
        path = os.fspath(path)
        suffix = os.path.splitext(path)[1].lower()
        text = read_input_text(path, "loss curves file", not_text=(
            "it is not text (expected the .json or .csv that LossCurves.save writes)"))
        try:
            if suffix == ".json":
                return cls.from_json(text)
            if suffix == ".csv":
                return cls.from_csv(text)
        except (KeyError, ValueError) as exc:  # json.JSONDecodeError is a ValueError
            if isinstance(exc, InvalidParameterError):
                raise
            raise InvalidParameterError(f"{path!r} is not a valid LossCurves file: {exc}") from None
        raise InvalidParameterError(
            f"cannot tell the format of {path!r}: the suffix must be '.json' or '.csv'."
        )

    def equals(self, other: LossCurves) -> bool:
        """Exact equality of every array and of the metadata (used to test round trips)."""
        if not isinstance(other, LossCurves):
            return False
        for name in (
            "times",
            *_CURVE_KEYS,
            "test_loss_seeds",
            "train_loss_seeds",
        ):
            x, y = getattr(self, name), getattr(other, name)
            if (x is None) != (y is None):
                return False
            if x is not None and not np.array_equal(np.asarray(x), np.asarray(y)):
                return False
        if set(self.extra) != set(other.extra) or any(
            not np.array_equal(self.extra[k], other.extra[k]) for k in self.extra
        ):
            return False
        return (
            encode_plain(self.params) == encode_plain(other.params)
            and (self.source, self.seed, self.backend, self.version, self.time_unit)
            == (other.source, other.seed, other.backend, other.version, other.time_unit)
        )
