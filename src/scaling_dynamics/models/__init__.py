"""The models, and the two calls that dispatch to them: :func:`simulate` and :func:`predict`.

:data:`MODELS` maps a name to a model object (:class:`~._base.Model`); the random-feature
model is the first entry, the feature-learning model (richness ``gamma``) the second. ``simulate(spectrum, N, P, times, model=..., **options)`` and
``predict(...)`` look the model up and run its simulator or theory; the model's own
parameters (none for the random-feature model) go in ``options`` beside the shared ones.

Adding a model: one new package with its class, one entry in :data:`MODELS`, its docs
(``docs/architecture.md`` walks through it). Nothing else changes.

>>> from scaling_dynamics import Spectrum
>>> from scaling_dynamics.models import MODELS, predict
>>> list(MODELS)
['random-features', 'feature-learning']
>>> predict(Spectrum.power_law(1.5, 1.25, M=400), 100, 200, [1, 10]).test_loss.shape
(2,)
"""

from __future__ import annotations

from typing import Any

from .._validation import check_choice
from ..optimizers import check_optimizer
from ..results import LossCurves
from ..spectra import Spectrum, check_spectrum
from ._base import Model, Support
from .feature_learning import FeatureLearning
from .random_features import RandomFeatures

__all__ = ["MODELS", "Model", "Support", "get_model", "simulate", "predict", "DEFAULT_MODEL"]

#: The registry: name -> model.
MODELS: dict[str, Model] = {m.name: m for m in (RandomFeatures(), FeatureLearning())}
DEFAULT_MODEL = "random-features"


def get_model(name: str = DEFAULT_MODEL) -> Model:
    """The registered model called ``name`` (one-line error listing the names otherwise)."""
    return MODELS[check_choice("model", name, tuple(MODELS))]


def simulate(spectrum: Spectrum, N: Any, P: Any, times: Any, *, model: str = DEFAULT_MODEL,
             **options: Any) -> LossCurves:
    """Simulate ``model`` exactly (see :func:`scaling_dynamics.simulate.simulate` for options)."""
    chosen, spectrum = _checked(model, "simulation", spectrum, N, P, options)
    return chosen.simulate(spectrum, N, P, times, **options)


def predict(spectrum: Spectrum, N: Any, P: Any, times: Any, *, model: str = DEFAULT_MODEL,
            **options: Any) -> LossCurves:
    """Predict ``model``'s curves by its theory (see :func:`scaling_dynamics.theory.predict`)."""
    chosen, spectrum = _checked(model, "theory", spectrum, N, P, options)
    return chosen.predict(spectrum, N, P, times, **options)


def _checked(model: str, engine: str, spectrum: Any, N: Any, P: Any,
             options: dict[str, Any]) -> tuple[Model, Spectrum]:
    """The model, after its one-line refusal of unsupported limits and optimisers."""
    chosen = get_model(model)
    spectrum = check_spectrum(spectrum)
    optimizer = check_optimizer(options.get("optimizer"))
    P_used = P if optimizer.full_batch else None
    chosen.check_supported(engine, spectrum, N, P_used, optimizer)
    return chosen, spectrum
