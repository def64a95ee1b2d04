r"""Mean-field (DMFT) theory of the random-feature model trained by gradient flow.

Everything the simulator measures for gradient flow, predicted from the equations of
theory.md section 2 (Bordelon, Atanasov & Pehlevan, ICML 2024, arXiv:2402.01092), in
milliseconds and for any N, P, M (each may be infinite).

Loss curves
    :func:`predict` (a :class:`~scaling_dynamics.LossCurves`, like ``simulate``),
    :func:`limit_loss` (the end of training, directly), :func:`decompose_loss` and
    :func:`bias` (bias / data variance / projection variance, ensembles).
Building blocks
    :func:`solve_responses` (:math:`R_1, R_3` at complex z), :func:`transfer_functions`
    (:math:`H_k(t)`), :func:`timescale_density` (:math:`\rho_k(u)`), :func:`mode_set`
    (exact or compressed mode sums).
Inverse Laplace transforms
    :class:`ContourRule` (the contour interface), :func:`talbot_rule`,
    :func:`invert_laplace`, :func:`invert_laplace_2d`.

Other optimisers (``docs/optimizers.md``): ``predict(..., optimizer=...)`` takes every
registered optimiser (GradientDescent, Momentum, OnlineSGD, :class:`HeavyBallFlow`, the
continuous-time heavy ball), each choosing its route of the theory engine (:mod:`._engine`); :func:`spectral_edge` (the edge :math:`\mu_{max}` that sets the stability limits) and
:func:`sgd_limit` (late-time loss and stability of one-pass SGD, directly);
:func:`heavy_ball_trust` (whether discrete heavy ball's theory is trusted at finite N, P;
``predict`` warns with :class:`~scaling_dynamics.TheoryAccuracyWarning` where it is not).

>>> from scaling_dynamics import Spectrum
>>> from scaling_dynamics.theory import predict
>>> curves = predict(Spectrum.power_law(1.5, 1.25, M=1000), N=100, P=200, times=[1, 100])
>>> curves.test_loss.shape
(2,)
"""

from typing import TYPE_CHECKING

from .._lazy import lazy_attributes
from ..optimizers import HeavyBallFlow as HeavyBallFlow

if TYPE_CHECKING:  # the names below are imported on first use (``__getattr__``)
    from ._edge import SpectralEdge as SpectralEdge
    from ._edge import spectral_edge as spectral_edge
    from ._ensembles import LossDecomposition as LossDecomposition
    from ._ensembles import bias as bias
    from ._ensembles import decompose_loss as decompose_loss
    from ._inversion import ContourRule as ContourRule
    from ._inversion import invert_laplace as invert_laplace
    from ._inversion import invert_laplace_2d as invert_laplace_2d
    from ._inversion import talbot_rule as talbot_rule
    from ._limits import LimitLoss as LimitLoss
    from ._limits import limit_loss as limit_loss
    from ._modesums import ModeSet as ModeSet
    from ._modesums import mode_set as mode_set
    from ._predict import predict as predict
    from ._responses import Responses as Responses
    from ._responses import solve_responses as solve_responses
    from ._sgd import SGDLimit as SGDLimit
    from ._sgd import sgd_limit as sgd_limit
    from ._transfer import TimescaleDensity as TimescaleDensity
    from ._transfer import TransferFunctions as TransferFunctions
    from ._transfer import timescale_density as timescale_density
    from ._transfer import transfer_functions as transfer_functions
    from ._trust import TheoryTrust as TheoryTrust
    from ._trust import heavy_ball_trust as heavy_ball_trust

#: public name -> the submodule that defines it, imported on first use (PEP 562): a
#: gradient-flow curve needs ``_predict`` and what it imports, not the SGD, edge, limit or
#: ensemble modules (start-up of ``scaling-dynamics theory``, issue 18).
_LAZY = {
    "SpectralEdge": "_edge",
    "spectral_edge": "_edge",
    "LossDecomposition": "_ensembles",
    "bias": "_ensembles",
    "decompose_loss": "_ensembles",
    "ContourRule": "_inversion",
    "invert_laplace": "_inversion",
    "invert_laplace_2d": "_inversion",
    "talbot_rule": "_inversion",
    "LimitLoss": "_limits",
    "limit_loss": "_limits",
    "ModeSet": "_modesums",
    "mode_set": "_modesums",
    "predict": "_predict",
    "Responses": "_responses",
    "solve_responses": "_responses",
    "SGDLimit": "_sgd",
    "sgd_limit": "_sgd",
    "TimescaleDensity": "_transfer",
    "TransferFunctions": "_transfer",
    "timescale_density": "_transfer",
    "transfer_functions": "_transfer",
    "TheoryTrust": "_trust",
    "heavy_ball_trust": "_trust",
}


__getattr__, __dir__ = lazy_attributes(__name__, _LAZY, globals())


__all__ = [
    "predict",
    "limit_loss",
    "LimitLoss",
    "decompose_loss",
    "LossDecomposition",
    "bias",
    "solve_responses",
    "Responses",
    "transfer_functions",
    "TransferFunctions",
    "timescale_density",
    "TimescaleDensity",
    "mode_set",
    "ModeSet",
    "ContourRule",
    "talbot_rule",
    "invert_laplace",
    "invert_laplace_2d",
    "spectral_edge",
    "SpectralEdge",
    "sgd_limit",
    "SGDLimit",
    "HeavyBallFlow",
    "heavy_ball_trust",
    "TheoryTrust",
]
