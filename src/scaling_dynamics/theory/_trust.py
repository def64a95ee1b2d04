r"""Where the mean-field theory of discrete heavy ball can be trusted at finite size.

The theory is the :math:`N, P, M \to \infty` limit. For heavy ball it replaces the top
mode of a power-law spectrum by a deterministic band, while a finite draw has one top
eigenvalue :math:`\mu_1` that fluctuates by :math:`O(\mu_1\sqrt{2/N + 2/P})` from draw to
draw (the theory's band edge lies well above the draws' top eigenvalue: 1.35 against
1.08 +- 0.18 at N = 60). When that mode is underdamped its error oscillates with a phase
:math:`t\,\theta(\eta\mu_1)` that depends on :math:`\mu_1`, and the average over draws
dephases differently from the theory's band: measured, the theory's troughs are too deep
and its peaks too high over the first oscillations, and the gap grows with the top mode's
share of the loss, not with the steepness of the spectrum. The gap is large only when all
of the following hold (measured in ``docs/optimizers.md``, "Where the heavy-ball theory
can be trusted"):

1. the top mode oscillates, and long enough to be seen: with :math:`\theta` the angle of
   its characteristic roots :math:`r = \sqrt\beta e^{\pm i\theta}`,
   :math:`\cos\theta = (1 + \beta - \eta\mu_{max})/(2\sqrt\beta)` (underdamped,
   :math:`(1-\sqrt\beta)^2 < \eta\mu_{max} < (1+\sqrt\beta)^2`), the mode's loss
   :math:`\propto \beta^t` still holds the fraction :math:`D = \beta^{\pi/\theta} \ge 0.1`
   after half a period of its error (beyond :math:`(1+\sqrt\beta)^2` the roots are
   negative, of modulus :math:`\rho`, and :math:`D = \rho^2`); :math:`\mu_{max}` is the
   theory's spectral edge. GD (:math:`\beta = 0`) is not covered: its loss does not
   oscillate below the limit (its finite-size gaps are in ``docs/optimizers.md`` section 6);
2. the top mode carries at least half of the initial loss,
   :math:`\lambda_1 (w^*_1)^2 \ge L(0)/2` (for a power law :math:`1/\zeta_M(a) \ge 1/2`,
   i.e. :math:`a \gtrsim 1.9`);

3. the effective size :math:`n = (1/N + 1/P)^{-1}` is below :data:`TRUSTED_SIZE` (the
   relative gap shrinks slowly: 14 %, 12 %, 7 % at N = 60, 240, 960 with
   N : P : M = 1 : 4 : 4; 2000 is extrapolated, not measured).

Inside that region the theory was 6-19 % off simulation at single early steps (3-7
standard errors with 128-512 draws); outside it, within the finite-size gap every
optimiser has at these sizes (2-4 % at N = 60, within 2 standard errors).

:func:`heavy_ball_trust` decides; ``predict`` calls it on the heavy-ball route and, inside
the region, records ``diagnostics["warning"]`` and emits a
:class:`~scaling_dynamics.TheoryAccuracyWarning`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._records import Record
from .._validation import check_size
from ..optimizers import Optimizer, check_optimizer
from ..spectra import Spectrum
from ._problem import check_spectrum

__all__ = [
    "TheoryTrust",
    "heavy_ball_trust",
    "oscillation_persistence",
    "PERSISTENCE_MIN",
    "TOP_SHARE_MIN",
    "TRUSTED_SIZE",
]

#: Persistence :math:`D` (module notes) from which the top mode's oscillation is seen.
PERSISTENCE_MIN = 0.1
#: Share of the initial loss in the top mode from which its oscillation dominates the loss.
TOP_SHARE_MIN = 0.5
#: Effective size :math:`(1/N + 1/P)^{-1}` from which the rule trusts the theory again.
TRUSTED_SIZE = 2000.0

_DOC = 'docs/optimizers.md, "Where the heavy-ball theory can be trusted"'


@dataclass(frozen=True)
class TheoryTrust(Record):
    """Whether the mean-field theory is trusted for one (spectrum, N, P, optimizer).

    Attributes
    ----------
    trusted : bool
        False inside the region where the theory was measured to be off simulation.
    reason : str
        One sentence: why it is trusted, or what puts the problem in the region.
    checks : dict
        The numbers the rule looked at: ``beta``, ``eta_mu_max``, ``persistence``
        (:math:`D`), ``top_share``, ``effective_size``.
    """

    trusted: bool
    reason: str
    checks: dict[str, Any] = field(default_factory=dict)


def oscillation_persistence(eta: float, beta: float, mu: float) -> float:
    r""":math:`D`: the share of a mode's loss left after half a period of its error (module notes).

    0 for an overdamped mode (no oscillation), :math:`\beta^{\pi/\theta}` for an
    underdamped one, :math:`\rho^2` when the roots are negative (period two), at most 1.
    """
    u = eta * mu
    sb = math.sqrt(beta)
    if beta <= 0.0 or u <= (1.0 - sb) ** 2:
        return 0.0
    if u < (1.0 + sb) ** 2:
        cos = min(1.0, max(-1.0, (1.0 + beta - u) / (2.0 * sb)))
        theta = math.acos(cos)
        return beta ** (math.pi / theta) if theta > 0.0 else 0.0
    a = u - 1.0 - beta  # negative roots r = (-a -+ sqrt(a^2 - 4 beta)) / 2
    rho = 0.5 * (a + math.sqrt(max(a * a - 4.0 * beta, 0.0)))
    return min(rho * rho, 1.0)  # 1 at the stability limit (rho = 1), which predict refuses


def top_mode_share(spectrum: Spectrum) -> float:
    r"""Share of the initial loss in the mode with the largest eigenvalue, :math:`\lambda_1 (w^*_1)^2/L(0)`.

    A power law has :math:`\lambda_1 (w^*_1)^2 = 1` (any M, no arrays built); a spectrum
    given by arrays uses its largest eigenvalue (ties: the largest of their powers).
    """
    L0 = float(spectrum.initial_loss)
    if L0 <= 0.0:
        return 0.0
    if spectrum.is_power_law:
        return 1.0 / L0
    lam = np.asarray(spectrum.eigenvalues, dtype=np.float64)
    power = np.asarray(spectrum.task_power, dtype=np.float64)
    top = lam == lam.max()
    return float(power[top].max()) / L0


def heavy_ball_trust(
    spectrum: Spectrum,
    N: int | float,
    P: int | float,
    optimizer: Optimizer,
    *,
    mu_max: float | None = None,
) -> TheoryTrust:
    r"""Decide whether discrete heavy ball's theory is trusted at these sizes (module notes).

    Parameters
    ----------
    spectrum : Spectrum
    N, P : int or math.inf
    optimizer : Optimizer
        Only discrete heavy ball (``Momentum``) can be untrusted; every other optimiser,
        GD (``beta = 0``) included, returns ``trusted=True``.
    mu_max : float, optional
        The theory's spectral edge (:func:`~scaling_dynamics.theory.spectral_edge`);
        computed when not given.

    Returns
    -------
    TheoryTrust

    Examples
    --------
    >>> from scaling_dynamics import Spectrum, Momentum
    >>> from scaling_dynamics.theory import heavy_ball_trust
    >>> s = Spectrum.power_law(2.8, 1.2, M=1500, sigma=0.5)
    >>> heavy_ball_trust(s, 240, 1500, Momentum(0.8, 0.7)).trusted
    False
    >>> heavy_ball_trust(s, 240, 1500, Momentum(0.8, 0.3)).trusted
    True
    """
    spectrum = check_spectrum(spectrum)
    N = check_size("N", N)
    P = check_size("P", P)
    optimizer = check_optimizer(optimizer)
    form = getattr(optimizer, "heavy_ball_form", None)
    if form is None or not optimizer.discrete or not optimizer.full_batch:
        return TheoryTrust(True, f"the rule covers discrete heavy ball only, not {optimizer.name}.")
    eta, beta = form
    if mu_max is None:
        from ._edge import spectral_edge

        mu_max = spectral_edge(spectrum, N, P).mu_max
    inverse = sum(1.0 / n for n in (N, P) if math.isfinite(n))
    size = 1.0 / inverse if inverse > 0.0 else math.inf
    persistence = oscillation_persistence(eta, beta, mu_max)
    checks = {
        "beta": beta,
        "eta_mu_max": eta * mu_max,
        "persistence": persistence,
        "top_share": top_mode_share(spectrum),
        "effective_size": size,
    }
    if beta == 0.0:
        return TheoryTrust(True, "GD (beta = 0): its loss does not oscillate below the limit.",
                           checks)
    if persistence < PERSISTENCE_MIN:
        why = (f"the top mode's oscillation dies out: D = {persistence:.3g} < {PERSISTENCE_MIN:g} "
               f"(eta mu_max = {eta * mu_max:.3g}, beta = {beta:g}).")
        return TheoryTrust(True, why, checks)
    if checks["top_share"] < TOP_SHARE_MIN:
        why = (f"the top mode holds {checks['top_share']:.2f} < {TOP_SHARE_MIN:g} of the initial "
               "loss: its oscillation does not dominate the loss.")
        return TheoryTrust(True, why, checks)
    if size >= TRUSTED_SIZE:
        why = f"(1/N + 1/P)^-1 = {size:.4g} >= {TRUSTED_SIZE:g}: large enough."
        return TheoryTrust(True, why, checks)
    why = (
        f"heavy ball (eta = {eta:g}, beta = {beta:g}) whose top mode oscillates "
        f"(eta mu_max = {eta * mu_max:.3g}, persistence D = {persistence:.2f} >= "
        f"{PERSISTENCE_MIN:g}) and holds {checks['top_share']:.2f} of the initial loss, at "
        f"(1/N + 1/P)^-1 = {size:.4g} < {TRUSTED_SIZE:g}: the mean-field theory misses the "
        "finite-size dephasing of that oscillation and was measured 6-19 % off simulation "
        f"at single steps of the first oscillations (3-7 standard errors); see {_DOC}."
    )
    return TheoryTrust(False, why, checks)
