"""Reproduce the paper's figures of the model, theory over simulation, and a report to read.

Every figure of Bordelon, Atanasov & Pehlevan (ICML 2024, arXiv:2402.01092) about the
random-feature model is a registered function (:data:`FIGURES`) that takes an output
folder and a size preset, computes the mean-field theory and exact simulations, draws
theory lines over simulation points, and returns a :class:`FigureResult`: the PNG, a
caption with the parameters, the agreement of every theory curve with its simulation
points in standard errors (:class:`CurveAgreement`), and measured against predicted
scaling exponents (:class:`ExponentCheck`). :func:`write_report` gathers them into a
self-contained ``index.html``.

Six entries (``bottlenecks``, ``frontier``, ``finite-size``, ``train-test-gap``,
``wider-is-better``, ``ensembling``) also carry a theory-only variant sized for the
asymptotic regime (:class:`ScalingVariant`): :func:`make_scaling_figure` makes one
(``scaling-dynamics scaling-figure``); :data:`SCALING_FIGURES` names them.

Presets: ``tiny`` (seconds per figure, for tests), ``default`` (all figures in about a
minute on 2 quiet cores), ``full`` (the paper's sizes).

Command line::

    scaling-dynamics reproduce --list
    scaling-dynamics reproduce all --out report/          # then open report/index.html
    scaling-dynamics reproduce loss-dynamics --out report/ --full

>>> from scaling_dynamics.reproduce import FIGURES
>>> "loss-dynamics" in FIGURES and "frontier" in FIGURES
True
"""

from ._agreement import THEORY_ACCURACY as THEORY_ACCURACY
from ._agreement import compare_curve as compare_curve
from ._registry import FIGURES as FIGURES
from ._registry import figure_names as figure_names
from ._registry import make_figure as make_figure
from ._registry import make_figures as make_figures
from ._report import REPORT_NAME as REPORT_NAME
from ._report import load_results as load_results
from ._report import write_report as write_report
from ._scaling import SCALING_FIGURES as SCALING_FIGURES
from ._scaling import make_scaling_figure as make_scaling_figure
from ._scaling_figures import ScalingFigureResult as ScalingFigureResult
from ._types import AGREEMENT_THRESHOLD as AGREEMENT_THRESHOLD
from ._types import PRESETS as PRESETS
from ._types import CurveAgreement as CurveAgreement
from ._types import ExponentCheck as ExponentCheck
from ._types import FigureResult as FigureResult
from ._types import FigureSpec as FigureSpec
from ._types import ScalingVariant as ScalingVariant

__all__ = [
    "FIGURES",
    "PRESETS",
    "AGREEMENT_THRESHOLD",
    "THEORY_ACCURACY",
    "figure_names",
    "make_figure",
    "make_figures",
    "write_report",
    "load_results",
    "REPORT_NAME",
    "compare_curve",
    "FigureResult",
    "FigureSpec",
    "CurveAgreement",
    "ExponentCheck",
    "SCALING_FIGURES",
    "make_scaling_figure",
    "ScalingFigureResult",
    "ScalingVariant",
]
