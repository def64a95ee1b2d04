"""scaling-dynamics: the dynamical model of neural scaling laws, simulated and predicted.

Bordelon, Atanasov & Pehlevan, "A Dynamical Model of Neural Scaling Laws",
ICML 2024, arXiv:2402.01092.

>>> import scaling_dynamics as sd
>>> spec = sd.Spectrum.power_law(a=1.5, b=1.25, M=500)
>>> curves = sd.simulate(spec, N=100, P=200, times=[1, 10, 100], n_seeds=2)
>>> curves.test_loss.shape
(3,)
>>> theory = sd.predict(spec, N=100, P=200, times=[1, 10, 100])   # the mean-field theory
>>> theory.source
'theory'
"""

from ._errors import ConvergenceError as ConvergenceError
from ._errors import InvalidParameterError as InvalidParameterError
from ._errors import MissingDependencyError as MissingDependencyError
from ._errors import ProblemTooLargeError as ProblemTooLargeError
from ._errors import ScalingDynamicsError as ScalingDynamicsError
from ._errors import TheoryAccuracyWarning as TheoryAccuracyWarning
from ._version import __version__ as __version__
from .models import predict as predict
from .models import simulate as simulate
from .optimizers import GradientDescent as GradientDescent
from .optimizers import GradientFlow as GradientFlow
from .optimizers import HeavyBallFlow as HeavyBallFlow
from .optimizers import Momentum as Momentum
from .optimizers import OnlineSGD as OnlineSGD
from .optimizers import make_optimizer as make_optimizer
from .results import LossCurves as LossCurves
from .spectra import Spectrum as Spectrum

__all__ = [
    "__version__",
    "Spectrum",
    "LossCurves",
    "simulate",
    "predict",
    "GradientFlow",
    "GradientDescent",
    "Momentum",
    "OnlineSGD",
    "HeavyBallFlow",
    "make_optimizer",
    "ScalingDynamicsError",
    "TheoryAccuracyWarning",
    "InvalidParameterError",
    "ProblemTooLargeError",
    "ConvergenceError",
    "MissingDependencyError",
]
