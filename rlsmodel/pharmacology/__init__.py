"""Pharmacology: the drug table, declared PK modules and dosing regimens.

* :data:`DRUGS` (:mod:`.drugs`): PK, receptor pharmacology, RLS doses and sources per drug.
* :func:`drug_modules` (:mod:`.modules`): one declared module per drug; every
  :class:`rlsmodel.Model` includes them, so drug amounts and plasma concentrations are
  ordinary states and observables.
* :class:`Regimen` (:mod:`.regimen`): doses as data, applied as exact events.
"""
from .drugs import DRUGS, RECEPTORS, Drug, absorption_rate_from_tmax, get_drug
from .modules import DOSE_TARGETS, clearance_l_per_h, drug_modules, linear_compartments
from .regimen import Regimen, Schedule

__all__ = ["DRUGS", "DOSE_TARGETS", "Drug", "RECEPTORS", "Regimen", "Schedule",
           "absorption_rate_from_tmax", "clearance_l_per_h", "drug_modules", "get_drug",
           "linear_compartments"]
