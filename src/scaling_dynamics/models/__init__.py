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

from .._lazy import LazyRegistry
from .._validation import check_choice
from ..optimizers import check_optimizer
from ..results import LossCurves
from ..spectra import Spectrum, check_spectrum
from ._base import Model, Support

__all__ = ["MODELS", "Model", "Support", "get_model", "simulate", "predict", "DEFAULT_MODEL"]


def _model(name: str, entry: tuple[str, str], cls: type[Model]) -> Model:
    """The registered model, after checking its class against its registry line."""
    if cls.name != name or cls.summary != entry[1]:
        raise TypeError(f"models.MODELS[{name!r}]: the registry line and {cls.__name__}'s "
                        f"name/summary differ ({cls.name!r}, {cls.summary!r})")
    return cls()


#: The registry: name -> model. Each line is ``"module:Class"`` (imported on first
#: lookup: a run imports only the model it uses) and the class's one-line summary (for
#: listings such as ``--help``, which import no model; the class must say the same).
MODELS: LazyRegistry[Model, tuple[str, str]] = LazyRegistry(__name__, {
    "random-features": ("random_features:RandomFeatures", "random-feature model, linear "
                        "readout on N random projections (ICML 2024)"),
    "feature-learning": ("feature_learning:FeatureLearning", "feature-learning model, "
                         "trained w and N x N B with richness gamma (ICLR 2025)"),
}, _model)
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
