"""Pharmacology: the drug table, declared PK modules and dosing regimens.

* :data:`DRUGS` (:mod:`.drugs`): PK, receptor pharmacology, RLS doses and sources per drug.
* :func:`drug_modules` (:mod:`.modules`): one declared module per drug; every
  :class:`rlsmodel.Model` includes them, so drug amounts and plasma concentrations are
  ordinary states and observables.
* :class:`Regimen` (:mod:`.regimen`): doses as data, applied as exact events.
* :class:`DosePolicy`, :class:`SwitchPolicy` (:mod:`.policies`): visit rules as data;
  ``Regimen.with_policy(policy)`` gives a regimen whose doses change at visits
  (:class:`~.policies.AdaptiveRegimen`, run in segments by :mod:`rlsmodel.policy_runs`).
* :func:`reference_regimen` (:mod:`.reference`): each drug's reference ("typical") dose
  and clock time from the table, the one every scorecard row, experiment and test uses.
"""
from .drugs import DRUGS, RECEPTORS, Drug, absorption_rate_from_tmax, get_drug
from .modules import DOSE_TARGETS, clearance_l_per_h, drug_modules, linear_compartments
from .regimen import Regimen, Schedule
from .policies import AdaptiveRegimen, DosePolicy, SwitchPolicy, VisitReadout, with_policy as _with_policy
from .reference import arm_name, dose_text, is_single_dose, reference_dose, reference_doses, reference_regimen

# Regimen.with_policy lives with the rules (policies.py builds on regimen.py, not the reverse)
Regimen.with_policy = _with_policy

__all__ = ["AdaptiveRegimen", "DosePolicy", "SwitchPolicy", "VisitReadout", "DRUGS", "DOSE_TARGETS", "Drug", "RECEPTORS", "Regimen", "Schedule",
           "absorption_rate_from_tmax", "clearance_l_per_h", "drug_modules", "get_drug",
           "reference_dose", "reference_doses", "reference_regimen", "dose_text", "arm_name", "is_single_dose",
           "linear_compartments"]
