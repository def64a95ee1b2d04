"""Scaling laws of the model (theory.md section 5): exponents, frontier, corrections, fits.

Closed forms
    :func:`closed_form_exponents` (:class:`ScalingExponents`).
From the mean-field theory (gradient flow)
    :func:`measure_exponents`, :func:`time_sweep`, :func:`model_sweep`, :func:`data_sweep`
    (bottleneck sweeps and local exponents); :func:`compute_optimal_frontier`
    (:class:`Frontier`); :func:`finite_size_corrections`; :func:`train_test_gap`,
    :func:`wider_is_better`, :func:`early_stopping`; :func:`ensemble_vs_width`.
The feature-learning model (docs/feature-learning.md)
    :func:`feature_learning_frontier` (:class:`FeatureLearningFrontier`, the finite-N
    theory's frontier at richness gamma), :func:`crossover` (:class:`Crossover`, the
    measured lazy-to-rich crossover constant), :func:`crossover_time`.
Any loss surface
    :func:`optimize_frontier` (``loss(N, times)`` callable).
Measured data (your runs, or a sweep store)
    :func:`frontier_from_table` (frontier of sampled loss curves), :func:`loss_exponent`.
Fits of anyone's loss data (plain arrays of model size, steps and loss)
    :func:`fit_chinchilla` (:class:`ChinchillaFit`), :func:`fit_theory`
    (:class:`TheoryFit`), :func:`read_loss_table`, :func:`read_loss_tables` (several files).
"""

from typing import TYPE_CHECKING

from .._lazy import lazy_attributes

if TYPE_CHECKING:
    from ._allocation import ComputeAllocation as ComputeAllocation
    from ._allocation import HoldoutScore as HoldoutScore
    from ._data import LossTable as LossTable
    from ._data_frontier import frontier_from_table as frontier_from_table
    from ._data_frontier import loss_exponent as loss_exponent
    from ._ensembles import EnsembleVsWidth as EnsembleVsWidth
    from ._ensembles import ensemble_vs_width as ensemble_vs_width
    from ._exponents import ScalingExponents as ScalingExponents
    from ._exponents import closed_form_exponents as closed_form_exponents
    from ._feature_learning import Crossover as Crossover
    from ._feature_learning import FeatureLearningFrontier as FeatureLearningFrontier
    from ._feature_learning import crossover as crossover
    from ._feature_learning import crossover_time as crossover_time
    from ._feature_learning import feature_learning_frontier as feature_learning_frontier
    from ._finite_size import FiniteSizeCorrections as FiniteSizeCorrections
    from ._finite_size import finite_size_corrections as finite_size_corrections
    from ._fits import ChinchillaFit as ChinchillaFit
    from ._fits import fit_chinchilla as fit_chinchilla
    from ._forecast import Forecast as Forecast
    from ._frontier import Frontier as Frontier
    from ._frontier import optimize_frontier as optimize_frontier
    from ._generalization import EarlyStopping as EarlyStopping
    from ._generalization import TrainTestGap as TrainTestGap
    from ._generalization import WiderIsBetter as WiderIsBetter
    from ._generalization import early_stopping as early_stopping
    from ._generalization import train_test_gap as train_test_gap
    from ._generalization import wider_is_better as wider_is_better
    from ._layouts import read_loss_table as read_loss_table
    from ._layouts import read_loss_tables as read_loss_tables
    from ._measured import BottleneckSweeps as BottleneckSweeps
    from ._measured import ExponentSweep as ExponentSweep
    from ._measured import data_sweep as data_sweep
    from ._measured import measure_exponents as measure_exponents
    from ._measured import model_sweep as model_sweep
    from ._measured import time_sweep as time_sweep
    from ._theory_fit import TheoryFit as TheoryFit
    from ._theory_fit import fit_theory as fit_theory
    from ._theory_frontier import TheoryLoss as TheoryLoss
    from ._theory_frontier import compute_optimal_frontier as compute_optimal_frontier
    from ._theory_frontier import theory_loss as theory_loss

#: public name -> the submodule that defines it, imported on first use (PEP 562): the
#: fits need scipy.optimize/interpolate (~0.3 s to import), the frontier of the theory
#: does not, so ``compute-optimal`` starts without them.
_LAZY = {
    "ComputeAllocation": "_allocation",
    "HoldoutScore": "_allocation",
    "LossTable": "_data",
    "frontier_from_table": "_data_frontier",
    "loss_exponent": "_data_frontier",
    "EnsembleVsWidth": "_ensembles",
    "ensemble_vs_width": "_ensembles",
    "ScalingExponents": "_exponents",
    "closed_form_exponents": "_exponents",
    "Crossover": "_feature_learning",
    "FeatureLearningFrontier": "_feature_learning",
    "crossover": "_feature_learning",
    "crossover_time": "_feature_learning",
    "feature_learning_frontier": "_feature_learning",
    "FiniteSizeCorrections": "_finite_size",
    "finite_size_corrections": "_finite_size",
    "ChinchillaFit": "_fits",
    "fit_chinchilla": "_fits",
    "Forecast": "_forecast",
    "Frontier": "_frontier",
    "optimize_frontier": "_frontier",
    "EarlyStopping": "_generalization",
    "TrainTestGap": "_generalization",
    "WiderIsBetter": "_generalization",
    "early_stopping": "_generalization",
    "train_test_gap": "_generalization",
    "wider_is_better": "_generalization",
    "read_loss_table": "_layouts",
    "read_loss_tables": "_layouts",
    "BottleneckSweeps": "_measured",
    "ExponentSweep": "_measured",
    "data_sweep": "_measured",
    "measure_exponents": "_measured",
    "model_sweep": "_measured",
    "time_sweep": "_measured",
    "TheoryFit": "_theory_fit",
    "fit_theory": "_theory_fit",
    "TheoryLoss": "_theory_frontier",
    "compute_optimal_frontier": "_theory_frontier",
    "theory_loss": "_theory_frontier",
}


__getattr__, __dir__ = lazy_attributes(__name__, _LAZY, globals())


__all__ = [
    "Crossover",
    "crossover",
    "crossover_time",
    "FeatureLearningFrontier",
    "feature_learning_frontier",
    "ScalingExponents",
    "closed_form_exponents",
    "BottleneckSweeps",
    "ExponentSweep",
    "measure_exponents",
    "time_sweep",
    "model_sweep",
    "data_sweep",
    "Frontier",
    "optimize_frontier",
    "frontier_from_table",
    "loss_exponent",
    "compute_optimal_frontier",
    "theory_loss",
    "TheoryLoss",
    "FiniteSizeCorrections",
    "finite_size_corrections",
    "TrainTestGap",
    "train_test_gap",
    "WiderIsBetter",
    "wider_is_better",
    "EarlyStopping",
    "early_stopping",
    "EnsembleVsWidth",
    "ensemble_vs_width",
    "LossTable",
    "read_loss_table",
    "read_loss_tables",
    "ComputeAllocation",
    "Forecast",
    "HoldoutScore",
    "ChinchillaFit",
    "fit_chinchilla",
    "TheoryFit",
    "fit_theory",
]
