"""Visit rules in virtual trials: arms whose doses follow symptoms or switch on augmentation.

An arm of :func:`rlsmodel.virtual_trial` carries rules when its value is a regimen with rules
(``Regimen.with_policy(DosePolicy(...))``) or when ``policies={arm: rule}`` names it. Each
(patient, arm) of such an arm runs in segments between the trial's visits
(:mod:`rlsmodel.policy_runs`), and at each visit the rules read what the trial records:

* the **reported** weekly IRLS of the recall week ending at the visit (the patient's own
  reporting fluctuation and placebo offset, :meth:`rlsmodel.trial.TrialScorer.reported`);
* the verdicts the scorer adjudicates at that visit (MPI-positive, clinically relevant;
  :meth:`rlsmodel.trial.TrialScorer.mpi_flags` and :func:`rlsmodel.clinical.visit_verdict`),

so a rule decides on exactly the series the trial scores (:class:`ReportedObserver`). The
scorer's functions are prefix-consistent (the fluctuation of day ``d`` is drawn day by day,
the MPI flags of a day read only the week ending it), so a verdict read at a visit equals
the final adjudication's verdict at that visit.

Outputs (:func:`policy_outcome_names`, :func:`policy_summary`): ``dose_mg`` per (arm,
patient, ``visit_week``) -- the daily dose from the first dose after the visit ending that
week (week 0: the starting dose; mg, every drug summed, 0 during a washout) --, its median
per arm over eligible patients (``median_dose_mg``), ``day_switched`` (days since
randomisation of the visit that switched; NaN never) and ``switched_fraction``; the rules
in attrs (``policies``) and field by field per arm (``policy_threshold_irls``, ...), so arms
that differ only by a rule's fields are told apart.
"""
from __future__ import annotations

import json
import math
import warnings
from types import SimpleNamespace

import numpy as np

from . import clinical
from .pharmacology import DRUGS, Regimen, Schedule
from .pharmacology.policies import (DOSE_POLICY_FIELDS, AdaptiveRegimen, DosePolicy, SwitchPolicy, VisitReadout,
                                    as_policies, change_day, describe_policies, total_daily_dose)

#: DosePolicy fields recorded per arm as numbers (NaN: no dose rule, or the field's None).
DOSE_FIELDS = DOSE_POLICY_FIELDS


def split_arm(name, spec, policies: dict):
    """``(regimen spec, rules or ())`` of one arm: the rules of an arm given as
    ``Regimen.with_policy(...)`` or named in ``policies`` (not both)."""
    rules = ()
    if isinstance(spec, AdaptiveRegimen):
        rules, spec = spec.policies, spec.base
    if name in policies:
        if rules:
            raise ValueError(f"arm {name!r} has rules twice: in its regimen (with_policy) and in policies=; "
                             "give them once")
        try:
            rules = as_policies(policies[name])
        except ValueError as exc:
            raise ValueError(f"policies[{name!r}]: {exc}") from None
    return spec, rules


def check_policies(policies, arm_names) -> dict:
    """``policies`` (None or a mapping arm -> rule(s)) checked against the arm names."""
    if policies is None:
        return {}
    if not hasattr(policies, "items"):
        raise ValueError("policies must be None or a mapping arm name -> DosePolicy / SwitchPolicy (or a tuple of "
                         f"both); got {type(policies).__name__}")
    unknown = [a for a in policies if a not in arm_names]
    if unknown:
        raise ValueError(f"policies names arm(s) {unknown} that are not arms of the trial ({list(arm_names)})")
    return dict(policies)


def check_rules(name, regimen, rules, visit_every_weeks) -> None:
    """Refuse rules that cannot act on the arm's regimen (before any work)."""
    if not rules:
        return
    if not isinstance(regimen, Regimen) or len(regimen) == 0:
        raise ValueError(f"arm {name!r}: a policy needs a drug to adjust or switch from; the arm gives none")
    try:
        AdaptiveRegimen(regimen, rules, 0, visit_every_weeks)
    except ValueError as exc:
        raise ValueError(f"arm {name!r}: {exc}") from None


def adaptive(regimen_model_time, rules, start_day: int, visit_every_weeks: int, observer) -> AdaptiveRegimen:
    """The regimen of a policy arm for one point: visits at the trial's visits, read by ``observer``."""
    return AdaptiveRegimen(regimen_model_time, rules, start_day, visit_every_weeks).with_observer(observer)


class ReportedObserver:
    """Reads a trial visit from the reported series, as :class:`rlsmodel.trial.TrialScorer`
    adjudicates it (module docstring). One per (patient, arm) point."""

    def __init__(self, scorer, patient: int, noise_sd: float, placebo: float):
        self.scorer, self.patient, self.noise_sd, self.placebo = scorer, int(patient), float(noise_sd), float(placebo)

    def check(self, regimen) -> None:
        return None

    def readout(self, history, visit_day: int, regimen) -> VisitReadout:
        # a dose rule reads the recall week only (the other days stay NaN, and the reporting
        # terms are per day); the MPI verdicts of a switch read every day
        if regimen.switch_policy is None:
            history.score(visit_day - clinical.RECALL_DAYS)
        else:
            history.score()
        tab = history.table()
        dd = {k: SimpleNamespace(values=v) for k, v in tab.items()}     # what reported() reads: dd[name].values
        reported = self.scorer.reported(dd, self.patient, self.noise_sd, self.placebo)
        B = self.scorer.start_day
        week = (visit_day - B) // 7
        recall = clinical.treated_week(B, week)
        irls = float(np.mean(reported["irls"][recall.start:recall.stop]))
        if regimen.switch_policy is None:
            return VisitReadout(irls)
        positive, relevant = clinical.visit_verdict(self.scorer.mpi_flags(reported), week)
        return VisitReadout(irls, positive, relevant)


# ============================================================================================
# per-point outcomes (scalars inside the sweep) and their summary
# ============================================================================================
def dose_weeks(weeks: int, visit_every_weeks: int) -> list:
    """Weeks of the ``dose_mg`` coordinate: 0 (start) and every visit week."""
    return [0] + clinical.visit_weeks(weeks, visit_every_weeks)


def policy_outcome_names(weeks: int, visit_every_weeks: int) -> dict:
    """name -> (units, description) of the per-point policy outcomes."""
    out = {f"dose_mg_week_{w}": ("mg", f"daily dose from the first dose after the visit ending week {w} "
                                       "(week 0: the starting dose; every drug summed)")
           for w in dose_weeks(weeks, visit_every_weeks)}
    out["day_switched"] = ("day", "days since randomisation of the visit that switched the regimen (NaN: never)")
    return out


class PolicyOutcomes:
    """The per-point policy outcomes from a run's attrs: the regimen actually given
    (``regimen_realised``, else ``regimen``) and ``day_switched``."""

    def __init__(self, start_day: int, weeks: int, visit_every_weeks: int):
        self.start_day, self.weeks, self.visit_every_weeks = int(start_day), int(weeks), int(visit_every_weeks)

    def __call__(self, ds) -> dict:
        attrs = ds.attrs
        text = attrs.get("regimen_realised", attrs.get("regimen", "none"))
        regimen = _regimen_from_json(text)
        B = self.start_day
        out = {}
        for w in dose_weeks(self.weeks, self.visit_every_weeks):
            day = B + 7 * w
            out[f"dose_mg_week_{w}"] = 0.0 if regimen is None else total_daily_dose(regimen, change_day(day, 12.0))
        switched = attrs.get("day_switched", "none")
        out["day_switched"] = float("nan") if switched in ("none", None) else float(switched) - B
        return out


def regimen_given(ds):
    """The regimen a run actually gave (``regimen_realised``, else ``regimen`` in its attrs), or
    None for no drug."""
    attrs = ds.attrs
    return _regimen_from_json(attrs.get("regimen_realised", attrs.get("regimen", "none")))


def maximum_dose(regimen, arm_rules):
    """The daily dose a clinician cannot raise further under ``arm_rules`` (mg): the DosePolicy's
    ``maximum_mg``, else the label maximum of the regimen's first drug; None when the arm has no
    DosePolicy (a fixed dose is its own maximum)."""
    rule = next((r for r in arm_rules if isinstance(r, DosePolicy)), None)
    if rule is None:
        return None
    if rule.maximum_mg is not None:
        return float(rule.maximum_mg)
    drug = regimen.schedules[0].drug
    return float(DRUGS[drug].max_daily_dose_mg)


def _regimen_from_json(text):
    """The Regimen a run's attrs describe (None: no drug -- ``"none"``, or the placebo arm's text)."""
    if not text or not str(text).lstrip().startswith("{"):
        return None
    data = json.loads(text)
    return Regimen(tuple(Schedule(**s) for s in data.get("schedules", ())))


def policy_summary(grid, ok, names, arm_rules, weeks, visit_every_weeks) -> tuple:
    """``(data variables, coords, attrs)`` of the policy outputs; ``grid(var)`` -> (arm, patient)
    values of a per-point outcome; ``ok`` (arm, patient) eligible and successful."""
    vw = dose_weeks(weeks, visit_every_weeks)
    dose = np.stack([grid(f"dose_mg_week_{w}") for w in vw], axis=-1)             # arm, patient, week
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        median = np.nanmedian(np.where(ok[..., None], dose, np.nan), axis=1)
    switched = grid("day_switched")
    n_ok = ok.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        frac = np.sum(ok & np.isfinite(switched), axis=1) / n_ok
    data = {
        "dose_mg": (("arm", "patient", "visit_week"), dose,
                    {"units": "mg", "long_name": "daily dose from the visit on",
                     "description": "daily dose from the first dose after the visit ending visit_week (0: the "
                                    "starting dose); every drug summed, 0 during a washout"}),
        "median_dose_mg": (("arm", "visit_week"), median,
                           {"units": "mg", "long_name": "median dose_mg over eligible patients whose run succeeded"}),
        "day_switched": (("arm", "patient"), switched,
                         {"units": "day", "long_name": "day switched",
                          "description": "days since randomisation of the visit that switched the regimen "
                                         "(SwitchPolicy; NaN: never)"}),
        "switched_fraction": ("arm", frac, {"units": "1", "long_name": "fraction of patients switched"}),
        "policy": ("arm", np.array([describe_policies(arm_rules.get(a, ())) for a in names], dtype=str),
                   {"long_name": "visit rules of the arm (JSON; none: a fixed regimen)"}),
    }
    for f in DOSE_FIELDS:
        vals = []
        for a in names:
            rule = next((r for r in arm_rules.get(a, ()) if isinstance(r, DosePolicy)), None)
            v = None if rule is None else getattr(rule, f)
            vals.append(math.nan if v is None else float(v))
        data[f"policy_{f}"] = ("arm", np.array(vals), {"long_name": f"DosePolicy.{f} of the arm (NaN: none)"})
    washout = []
    for a in names:
        rule = next((r for r in arm_rules.get(a, ()) if isinstance(r, SwitchPolicy)), None)
        washout.append(math.nan if rule is None else float(rule.washout_days))
    data["policy_washout_days"] = ("arm", np.array(washout), {"units": "day",
                                                              "long_name": "SwitchPolicy.washout_days (NaN: none)"})
    coords = {"visit_week": ("visit_week", np.array(vw, dtype=int), {"units": "week",
                                                                    "long_name": "treated week of the visit"})}
    attrs = {"policies": json.dumps({a: json.loads(describe_policies(arm_rules[a])) for a in names
                                     if arm_rules.get(a)}, separators=(",", ":"))}
    return data, coords, attrs


__all__ = ["ReportedObserver", "PolicyOutcomes", "policy_outcome_names", "policy_summary", "split_arm",
           "check_policies", "check_rules", "adaptive", "dose_weeks", "DOSE_FIELDS"]
