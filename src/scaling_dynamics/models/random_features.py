r"""The random-feature model of Bordelon, Atanasov & Pehlevan (ICML 2024): the first model.

Teacher :math:`y = \psi\cdot w^* + \sigma\epsilon` with :math:`\psi \sim N(0, \Lambda)`;
student :math:`f = w\cdot A\psi/\sqrt N` with a frozen Gaussian projection
:math:`A \in \mathbb R^{N\times M}`, trained from :math:`w = 0` on P samples.

* Simulator (:mod:`scaling_dynamics.simulate`): the error vector
  :math:`v = w^* - A^\top w/\sqrt N` of each draw, in closed form in the kernel's
  eigenbasis or step by step; N and P may be infinite, M must be finite.
* Theory (:mod:`scaling_dynamics.theory`): the DMFT correlations :math:`C_0, C_1` of
  theory.md section 2 and each optimiser's map onto them; N, P and M may be infinite.

No parameters beyond the shared ones.
"""

from __future__ import annotations

from typing import Any

from ..optimizers import OPTIMIZERS
from ..results import LossCurves
from ..spectra import Spectrum
from ._base import Model, Support

__all__ = ["RandomFeatures"]


class RandomFeatures(Model):
    """The random-feature model (lazy training of a linear readout on random projections)."""

    name = "random-features"
    summary = "random-feature model, linear readout on N random projections (ICML 2024)"
    parameters: dict[str, Any] = {}
    simulation = Support(
        infinite_N=True, infinite_P=True, infinite_M=False,
        optimizers=tuple(n for n, c in OPTIMIZERS.items() if c.simulation_methods),
    )
    theory = Support(infinite_N=True, infinite_P=True, infinite_M=True,
                     optimizers=tuple(OPTIMIZERS))

    def example_problem(self) -> dict[str, Any]:
        """The registry test's case: N = 250, P = 500, M = 1000, sigma = 0.2, 24 seeds."""
        return {"spectrum": Spectrum.power_law(a=1.5, b=1.25, M=1000, sigma=0.2), "N": 250,
                "P": 500, "n_seeds": 24, "options": {}, "rtol": 0.0}

    def simulate(self, spectrum: Spectrum, N: Any, P: Any, times: Any, **options: Any
                 ) -> LossCurves:
        """:func:`scaling_dynamics.simulate.simulate` (options as documented there)."""
        from ..simulate import simulate as simulate_random_features  # a theory run needs none

        return simulate_random_features(spectrum, N, P, times, **options)

    def predict(self, spectrum: Spectrum, N: Any, P: Any, times: Any, **options: Any
                ) -> LossCurves:
        """:func:`scaling_dynamics.theory.predict` (options as documented there)."""
        from ..theory import predict as predict_random_features  # a simulation needs none

        return predict_random_features(spectrum, N, P, times, **options)
