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

import sys
import types
from typing import TYPE_CHECKING

from ._errors import ConvergenceError as ConvergenceError
from ._errors import InvalidParameterError as InvalidParameterError
from ._errors import MissingDependencyError as MissingDependencyError
from ._errors import ProblemTooLargeError as ProblemTooLargeError
from ._errors import ScalingDynamicsError as ScalingDynamicsError
from ._errors import TheoryAccuracyWarning as TheoryAccuracyWarning
from ._version import __version__ as __version__

if TYPE_CHECKING:  # the names below are imported on first use (``__getattr__``)
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

#: public name -> the module it lives in. Importing the package stays cheap (no numpy):
#: the command line's ``--help`` and option parsing need none of the numerical modules.
_LAZY = {
    "predict": "models",
    "simulate": "models",
    "GradientDescent": "optimizers",
    "GradientFlow": "optimizers",
    "HeavyBallFlow": "optimizers",
    "Momentum": "optimizers",
    "OnlineSGD": "optimizers",
    "make_optimizer": "optimizers",
    "LossCurves": "results",
    "Spectrum": "spectra",
}

#: Subpackages reachable as attributes (``sd.theory``) without importing them first.
_SUBPACKAGES = ("cli", "empirical", "models", "optimizers", "plots", "reproduce", "results",
                "scaling", "simulate", "spectra", "sweeps", "tasks", "theory")


def __getattr__(name: str) -> object:
    """Import a public name (or a subpackage) the first time it is used (PEP 562)."""
    import importlib

    if name in _LAZY:
        value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    elif name in _SUBPACKAGES:
        value = importlib.import_module(f".{name}", __name__)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY) | set(_SUBPACKAGES))


class _Package(types.ModuleType):
    """This package's module type: a subpackage never hides a public name it shares.

    Importing the subpackage ``scaling_dynamics.simulate`` makes the import system set the
    package attribute ``simulate`` to that module; the public ``simulate`` is the function
    ``models.simulate`` (as when it was imported eagerly), so that binding is skipped and
    ``__getattr__`` resolves the function.
    """

    def __setattr__(self, name: str, value: object) -> None:
        if name in _LAZY and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


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
