"""Golden outputs: every number of a broad set of CLI and Python calls stays as recorded.

The recording (tests/golden/recorded.json) was made before the redesign of issue 15 moved
any code; a refactor must leave every number within 1e-6 relative of it and every JSON key
in place. Re-record (``python tests/golden/cases.py --record``) only for a deliberate,
explained change of results.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "golden"))
import cases  # noqa: E402

RECORDED = json.loads(cases.RECORDING.read_text())


@pytest.mark.parametrize("group", [cases.cli_cases, cases.python_cases, cases.reproduce_cases],
                         ids=["cli", "python", "reproduce"])
def test_outputs_match_the_recording(group):
    got = cases.scrub(cases._jsonable(group()))
    problems = []
    for name, value in got.items():
        assert name in RECORDED, f"case {name!r} has no recording"
        problems += [f"{name}{p}" for p in cases.differences(value, RECORDED[name])]
    assert not problems, f"{len(problems)} differences:\n" + "\n".join(problems[:30])


def test_the_comparison_can_fail():
    want = {"a": [1.0, 2.0], "b": "x"}
    assert cases.differences({"a": [1.0, 2.0 * (1 + 1e-5)], "b": "x"}, want)
    assert cases.differences({"a": [1.0, 2.0], "b": "y"}, want)
    assert cases.differences({"a": [1.0, 2.0]}, want)
    assert not cases.differences({"a": [1.0, 2.0 * (1 + 1e-8)], "b": "x"}, want)
