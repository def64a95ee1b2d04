"""The windowed hyperbolic contour (issue 18) keeps the gradient-flow curves where they were.

`tests/data/theory_reference.json` holds, for a fixed set of cases (M = 400 exact, 1e4, 1e7
and inf compressed; N < P, N > P, N = P, P = inf, N = inf; label noise; ensembles), the
test and train curves at 33 log times from 1e-2 to 1e6 computed by the code *before* the
change (per-time Talbot contours, 18 nodes) and by a slow reference (Talbot with 24 nodes
per variable and, for M <= 1e4, exact mode sums), recorded by
`tests/data/theory_reference.py`. Today's curves must agree with both to 1e-4 relative.

Relative to what: a train loss that decays to 1e-14 after interpolation is pure round-off
in every method (the inversions are accurate to about 1e-10 of the loss scale
L(0) + sigma^2, `docs/theory.md` section 6), so the error is measured relative to
max(|value|, floor x scale), with floor = 1e-8 against the old default and 1e-6 against the
24-node reference (whose own round-off, measured against the old default, reaches 4e-12 of
the scale on those curves).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

DATA = Path(__file__).resolve().parent / "data"
sys.path.insert(0, str(DATA))
import theory_reference  # noqa: E402

REFERENCE = json.loads((DATA / "theory_reference.json").read_text())
RTOL = 1e-4
FLOORS = {"default": 1e-8, "slow": 1e-6}


def relative_error(got, want, scale, floor):
    got, want = np.asarray(got), np.asarray(want)
    return float(np.max(np.abs(got - want) / np.maximum(np.abs(want), floor * scale)))


@pytest.mark.parametrize("name", sorted(theory_reference.CASES))
def test_curves_match_the_old_default_and_the_slow_reference(name):
    np.testing.assert_array_equal(theory_reference.TIMES, REFERENCE["times"])
    got = theory_reference.curves(*theory_reference.CASES[name])
    for which, floor in FLOORS.items():
        want = REFERENCE["cases"][name][which]
        for key in ("test", "train"):
            err = relative_error(got[key], want[key], want["scale"], floor)
            assert err <= RTOL, f"{name} {key} vs {which}: relative error {err:.2e}"


def test_the_comparison_can_fail():
    """A curve off by 2e-4 relative at one time fails."""
    want = REFERENCE["cases"]["M1e4_N<P"]["default"]
    bad = np.array(want["test"])
    bad[5] *= 1 + 2e-4
    assert relative_error(bad, want["test"], want["scale"], 1e-8) > RTOL
