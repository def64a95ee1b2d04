r"""Real networks on real data: kernel spectra, task power, fitted exponents, predictions.

The bridge from the random-feature model to practice (Bordelon, Atanasov & Pehlevan 2024,
sections 4-5): measure a network's kernel spectrum :math:`\lambda_k` and task power
:math:`\lambda_k (w^*_k)^2` on data, fit :math:`b` and :math:`a`, feed the measured spectrum to
the model (theory or simulation), and compare with networks actually trained.

torch and scikit-learn are optional (``pip install "scaling-dynamics[empirical]"``); they
are imported only inside the functions that need them.

Data
    :class:`Dataset`, :func:`load_digits_binary`, :func:`synthetic_power_law`,
    :func:`load_npz`, :func:`load_dataset`
Models
    :func:`make_mlp`, :func:`make_cnn`, :func:`make_model` (NTK or mean-field/muP)
Kernels
    :class:`KernelMatrix`, :func:`empirical_ntk`, :func:`feature_kernel`,
    :func:`two_layer_relu_ntk`, :func:`arccos_ntk`
Spectra and fits
    :class:`MeasuredSpectrum`, :func:`measure_spectrum`, :class:`ExponentFit`,
    :func:`fit_exponents`, :func:`select_mode_range`
Training
    :func:`linearized_learning_curves`, :func:`train_linearized`, :class:`LinearizedRun`,
    :func:`train_network`, :func:`train_networks`, :class:`NetworkRuns`
The circle task (feature learning in a real network)
    :func:`circle_task`, :class:`CircleTaskResult`, :func:`circle_ntk`,
    :func:`predicted_circle_slopes`
Prediction against reality
    :func:`model_curves`, :func:`fit_model_size`, :func:`measure_exponents`,
    :func:`compare_with_prediction`, :class:`PredictionComparison`, :func:`network_exponents`
"""

from ._circle import CircleTaskResult as CircleTaskResult
from ._circle import circle_ntk as circle_ntk
from ._circle import circle_task as circle_task
from ._circle import predicted_circle_slopes as predicted_circle_slopes
from ._data import DATASET_NAMES as DATASET_NAMES
from ._data import Dataset as Dataset
from ._data import load_dataset as load_dataset
from ._data import load_digits_binary as load_digits_binary
from ._data import load_npz as load_npz
from ._data import synthetic_power_law as synthetic_power_law
from ._exponents import MeasuredExponents as MeasuredExponents
from ._exponents import measure_exponents as measure_exponents
from ._fits import ExponentFit as ExponentFit
from ._fits import fit_exponents as fit_exponents
from ._fits import select_mode_range as select_mode_range
from ._frontiers import network_exponents as network_exponents
from ._kernels import KernelMatrix as KernelMatrix
from ._kernels import arccos_ntk as arccos_ntk
from ._kernels import feature_kernel as feature_kernel
from ._kernels import two_layer_relu_ntk as two_layer_relu_ntk
from ._linearized import LinearizedRun as LinearizedRun
from ._linearized import linearized_learning_curves as linearized_learning_curves
from ._linearized import train_linearized as train_linearized
from ._model_curves import ModelSizeFit as ModelSizeFit
from ._model_curves import fit_model_size as fit_model_size
from ._model_curves import model_curves as model_curves
from ._models import MODEL_NAMES as MODEL_NAMES
from ._models import make_cnn as make_cnn
from ._models import make_mlp as make_mlp
from ._models import make_model as make_model
from ._models import network_seed as network_seed
from ._ntk import empirical_ntk as empirical_ntk
from ._predict import ExponentRow as ExponentRow
from ._predict import PredictionComparison as PredictionComparison
from ._predict import compare_with_prediction as compare_with_prediction
from ._spectrum import MeasuredSpectrum as MeasuredSpectrum
from ._spectrum import measure_spectrum as measure_spectrum
from ._training import NetworkRuns as NetworkRuns
from ._training import train_network as train_network
from ._training import train_networks as train_networks

__all__ = [
    "Dataset",
    "DATASET_NAMES",
    "load_digits_binary",
    "synthetic_power_law",
    "load_npz",
    "load_dataset",
    "MODEL_NAMES",
    "make_mlp",
    "make_cnn",
    "make_model",
    "KernelMatrix",
    "empirical_ntk",
    "feature_kernel",
    "two_layer_relu_ntk",
    "arccos_ntk",
    "MeasuredSpectrum",
    "measure_spectrum",
    "ExponentFit",
    "fit_exponents",
    "select_mode_range",
    "linearized_learning_curves",
    "LinearizedRun",
    "train_linearized",
    "train_network",
    "train_networks",
    "NetworkRuns",
    "network_seed",
    "model_curves",
    "ModelSizeFit",
    "fit_model_size",
    "MeasuredExponents",
    "measure_exponents",
    "ExponentRow",
    "PredictionComparison",
    "compare_with_prediction",
    "network_exponents",
    "circle_task",
    "CircleTaskResult",
    "circle_ntk",
    "predicted_circle_slopes",
]
