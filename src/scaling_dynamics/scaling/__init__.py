"""Scaling laws of the model: closed-form exponents, fits of loss data (theory.md section 5)."""

from ._allocation import ComputeAllocation as ComputeAllocation
from ._allocation import HoldoutScore as HoldoutScore
from ._data import LossTable as LossTable
from ._data import read_loss_table as read_loss_table
from ._exponents import ScalingExponents as ScalingExponents
from ._exponents import closed_form_exponents as closed_form_exponents
from ._fits import ChinchillaFit as ChinchillaFit
from ._fits import fit_chinchilla as fit_chinchilla

__all__ = [
    "ScalingExponents",
    "closed_form_exponents",
    "LossTable",
    "read_loss_table",
    "ComputeAllocation",
    "HoldoutScore",
    "ChinchillaFit",
    "fit_chinchilla",
]
