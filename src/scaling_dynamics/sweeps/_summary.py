"""What a store holds, in a few lines: counts, parameter values, failures, problems."""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass
from typing import Any

from ..results import decode_params, encode_params
from ._store import Store
from ._table import _ordered, _sort_value

__all__ = ["StoreSummary", "summarize"]


@dataclass(frozen=True)
class StoreSummary:
    """A store at a glance.

    Attributes
    ----------
    store : str
    n_ok, n_failed : int
        Points stored successfully / recorded as failed (this package version).
    commands : dict of str to int
        Points per command.
    parameters : dict of str to list
        Every parameter and its distinct values, sorted.
    failures : list of dict
        ``{"key", "params", "error"}`` of each failed point.
    problems : list of str
        Files skipped (corrupted, foreign) and points of other versions.
    n_temporaries : int
        Temporary files left by killed writers (never read).
    n_runs : int
        Sweep processes that wrote to the store (journals in ``log/``).
    n_computations : int
        Successful computations recorded in the journals (equals ``n_ok`` when no
        point was ever computed twice).
    final : list of dict
        For curve results: each point's parameters with the loss at its last time.
    seed_derived : bool
        True when seeds were derived from the points' parameters.
    """

    store: str
    n_ok: int
    n_failed: int
    commands: dict[str, int]
    parameters: dict[str, list[Any]]
    failures: list[dict[str, Any]]
    problems: list[str]
    n_temporaries: int
    n_runs: int
    n_computations: int
    final: list[dict[str, Any]]
    seed_derived: bool = False

    def to_dict(self) -> dict[str, Any]:
        return encode_params(dict(self.__dict__))

    def format(self, *, max_rows: int = 20) -> str:
        """Plain text for people."""
        lines = [f"sweep store {self.store}"]
        cmds = ", ".join(f"{c} ({n})" for c, n in sorted(self.commands.items())) or "none"
        lines.append(f"  points: {self.n_ok} ok, {self.n_failed} failed; commands: {cmds}")
        lines.append(f"  runs: {self.n_runs}, computations logged: {self.n_computations}")
        if self.parameters:
            lines.append("  parameters:")
            for name, values in self.parameters.items():
                if name == "seed" and self.seed_derived and len(values) > 3:
                    lines.append(f"    seed: derived from each point's parameters "
                                 f"({len(values)} values)")
                    continue
                shown = ", ".join(str(v) for v in values[:10])
                more = f", ... ({len(values)} values)" if len(values) > 10 else ""
                lines.append(f"    {name}: {shown}{more}")
        varying = [k for k, v in self.parameters.items() if len(v) > 1 and k != "seed"]
        if self.final:
            loss_key = "test_loss" if "test_loss" in self.final[0] else None
            if loss_key:
                lines.append(f"  {loss_key} at the last time, by point:")
                head = [*varying, "time", loss_key]
                lines.append("    " + "  ".join(f"{h:>12}" for h in head))
                for row in self.final[:max_rows]:
                    cells = [row.get(h) for h in head]
                    lines.append("    " + "  ".join(
                        f"{c:>12.6g}" if isinstance(c, float) else f"{c!s:>12}" for c in cells))
                if len(self.final) > max_rows:
                    lines.append(f"    ... {len(self.final) - max_rows} more points")
        if self.failures:
            lines.append(f"  failed points ({len(self.failures)}):")
            for f in self.failures[:max_rows]:
                shown = " ".join(f"{k}={v}" for k, v in f["params"].items() if k in varying)
                lines.append(f"    {f['key']} {shown}: {f['error']}")
        if self.problems:
            lines.append(f"  skipped ({len(self.problems)}):")
            lines.extend(f"    {p}" for p in self.problems[:max_rows])
        if self.n_temporaries:
            lines.append(f"  {self.n_temporaries} temporary file(s) left by an interrupted "
                         f"writer (ignored)")
        return "\n".join(lines) + "\n"


def summarize(store: str | os.PathLike[str]) -> StoreSummary:
    """Summarise a store: counts, parameter values, failures, skipped files, journals."""
    st = Store.open(store)
    scan = st.scan()
    records = {**scan.ok, **scan.failed}
    ordered, names = _ordered(records)
    values: dict[str, set[Any]] = {n: set() for n in names}
    for rec in ordered:
        for k, v in decode_params(rec["params"]).items():
            values[k].add(v if not isinstance(v, list) else tuple(v))
    parameters = {n: sorted(vs, key=_sort_value) for n, vs in values.items()}
    failures = [{"key": r["key"], "params": decode_params(r["params"]),
                 "error": r.get("error", "")} for r in ordered if r["status"] != "ok"]
    final = []
    for rec in ordered:
        if rec["status"] != "ok":
            continue
        res = decode_params(rec["result"])
        times, loss = res.get("times"), res.get("test_loss")
        if isinstance(times, list) and isinstance(loss, list) and times and len(loss) == len(times):
            final.append({**decode_params(rec["params"]), "time": times[-1],
                          "test_loss": loss[-1]})
    events = st.read_journals()
    runs = {e.get("run") for e in events if e.get("event") == "start"}
    computations = sum(1 for e in events if e.get("event") == "stored" and e.get("status") == "ok")
    return StoreSummary(
        store=st.path,
        n_ok=len(scan.ok),
        n_failed=len(scan.failed),
        commands=dict(Counter(r["command"] for r in scan.ok.values())),
        parameters=parameters,
        failures=failures,
        problems=scan.problems(),
        n_temporaries=len(scan.temporaries),
        n_runs=len(runs),
        n_computations=computations,
        final=final,
        seed_derived=any(r.get("seed_derived") for r in ordered),
    )
