"""Named predictions: numbers a calibrated model predicts, for prediction bands and targets.

Each is ``f(model, **args) -> float`` and may be named in a spec's ``[[predictions]]``
(``ref = "irls_change"``) or used as a function target (``[[targets]] kind =
"function"``, ``ref = "virtual_trial_incidence"``). A user's own function with the same
signature is named ``"module:function"`` or ``"file.py:function"``.

* :func:`irls_change`: the median patient's IRLS change after ``weeks`` on a drug
  (deterministic, no placebo or reporting noise).
* :func:`time_to_augmentation`: days from the first dose until the median patient meets the
  augmentation criteria (:func:`rlsmodel.outcomes.augmentation`); NaN if never within ``weeks``.
* :func:`virtual_trial_incidence`: a virtual trial arm's augmentation incidence (or MPI tier,
  or placebo-corrected IRLS change), from :func:`rlsmodel.virtual_trial` with a fixed seed.

The median-patient runs follow :mod:`rlsmodel.clinical.protocol`: :data:`BASELINE_DAYS`
untreated days, the first dose on day ``BASELINE_DAYS`` at the drug table's clock hour unless
``clock_hour`` is given; the symptom day of the first dose is the first treated day, every
earlier one is baseline, and the last baseline week is the seven days before it.
"""
from __future__ import annotations

import json
import math

import numpy as np

from .. import clinical
from ..caching import LRUCache

#: Untreated days before the first dose in the median-patient predictions
#: (:data:`rlsmodel.clinical.protocol.BASELINE_DAYS`).
BASELINE_DAYS = clinical.BASELINE_DAYS


def _median_patient_run(model, drug, dose_mg, clock_hour, weeks, profile, sample_every_hours=None):
    """The median patient: :data:`BASELINE_DAYS` untreated, then daily ``drug`` (clock hour None:
    the drug table's) for ``weeks`` weeks and two days; ``(ds, first treated symptom day)``."""
    from ..pharmacology import Regimen
    hour = clinical.dose_hour(drug) if clock_hour is None else clock_hour
    reg = Regimen.daily(drug, dose_mg, hour, start_day=BASELINE_DAYS)
    kw = {} if sample_every_hours is None else {"sample_every_hours": sample_every_hours}
    ds = model.simulate(BASELINE_DAYS + 7 * weeks + 2, profile, regimen=reg, **kw)
    return ds, clinical.first_treated_day(BASELINE_DAYS, hour)


def irls_change(model, drug, dose_mg, clock_hour=None, weeks=12, profile="rls_genetic") -> float:
    """Mean IRLS-like score of the median patient in week ``weeks`` of daily ``drug`` minus
    that of the last untreated week (points; negative = better). ``clock_hour`` (0-24): None
    for the drug table's dose hour."""
    from .. import outcomes
    ds, first = _median_patient_run(model, drug, dose_mg, clock_hour, weeks, profile, sample_every_hours=1.0)
    daily = outcomes.daily(ds)
    d, irls = daily["day"].values, daily["irls"].values
    base = irls[np.isin(d, clinical.baseline_week(first))]
    last = irls[np.isin(d, clinical.treated_week(first, weeks))]
    return float(np.mean(last) - np.mean(base))


def time_to_augmentation(model, drug, dose_mg, clock_hour=None, weeks=52, profile="rls_genetic",
                         tier="clinically_relevant") -> float:
    """Days from the first dose until the median patient meets the augmentation criteria
    (``tier``: ``"clinically_relevant"`` or ``"mpi_positive"``); NaN if not within ``weeks``.
    ``clock_hour`` (0-24): None for the drug table's dose hour."""
    from .. import outcomes
    if tier not in ("clinically_relevant", "mpi_positive"):
        raise ValueError(f"tier must be 'clinically_relevant' or 'mpi_positive'; got {tier!r}")
    ds, first = _median_patient_run(model, drug, dose_mg, clock_hour, weeks, profile)
    verdict = outcomes.augmentation(ds, regimen_start_day=clinical.day_start(first))
    key = "day_met_clinically_relevant" if tier == "clinically_relevant" else "day_met"
    day = verdict.get(key)
    return math.nan if day is None else float(day - BASELINE_DAYS)


def virtual_trial_incidence(model, drug, dose_mg, clock_hour=None, weeks=52, n=100, seed=0,
                            measure="augmentation", profile="rls_genetic", min_baseline_irls=15.0,
                            workers=None, year=None) -> float:
    """One arm of a virtual trial (:func:`rlsmodel.virtual_trial`, fixed ``seed``).

    ``measure``: ``"augmentation"`` (clinically relevant incidence, a fraction),
    ``"mpi_positive"`` (fraction), ``"noise_free"`` (fraction of evaluated patients whose
    noise-free daily series meets the criteria, ``augmented_biological``), or ``"irls_change_week_12"`` / ``"irls_change_end"``
    (placebo-corrected mean change of the reported IRLS: the arm minus the placebo arm).
    ``clock_hour`` (0-24): None for the drug table's dose hour.
    ``year`` (an incidence measure only; 1 to ``weeks // 52``): instead of the incidence over the
    whole trial, the life-table rate of new cases in that year of treatment (patients whose first
    qualifying visit falls in it over those still free of the tier at its start; the annual rates
    of cohort papers, :func:`rlsmodel.validation.checks.long_term.yearly_counts`; NaN if nobody
    is at risk). Every year of one trial reads the same trial arm, run once per process.
    The result jumps by 1/n between parameter sets: fit it with a derivative-free optimizer
    (``options.optimizer = "Powell"``) or as a range target.
    """
    measures = ("augmentation", "mpi_positive", "noise_free", "irls_change_week_12", "irls_change_end")
    if measure not in measures:
        raise ValueError(f"measure must be one of {', '.join(measures)}; got {measure!r}")
    if year is not None:
        from ..validation.checks import long_term as checks
        years = int(weeks) * 7 // checks.DAYS_PER_YEAR
        if measure not in _YEARLY_TIER:
            raise ValueError(f"year applies to the incidence measures ({', '.join(_YEARLY_TIER)}); got {measure!r}")
        if isinstance(year, bool) or not isinstance(year, (int, np.integer)) or not 1 <= year <= years:
            raise ValueError(f"year must be a whole number from 1 to {years} (a {weeks}-week trial); got {year!r}")
    arm = f"{drug} {dose_mg:g} mg"
    hour = clinical.dose_hour(drug) if clock_hour is None else clock_hour
    common = dict(n=n, weeks=weeks, seed=seed, profile=profile, model=model, workers=workers,
                  min_baseline_irls=min_baseline_irls)
    ds = trial_arm({arm: {"drug": drug, "dose_mg": dose_mg, "clock_hour": hour}}, **common)
    if year is not None:
        new_cases, at_risk = checks.yearly_counts(ds, arm, _YEARLY_TIER[measure], int(year))
        return new_cases[-1] / at_risk[-1] if at_risk[-1] else math.nan
    if measure in ("augmentation", "mpi_positive", "noise_free"):
        return float(ds[f"{measure}_incidence"].sel(arm=arm))
    tp = "week_12" if measure == "irls_change_week_12" else "end"
    placebo = trial_arm({}, **common)
    return float(ds["irls_change"].sel(timepoint=tp, arm=arm) - placebo["irls_change"].sel(timepoint=tp, arm="placebo"))


#: Incidence measure -> the per-patient tier whose first day it counts (``year=``).
_YEARLY_TIER = {"augmentation": "augmented", "mpi_positive": "mpi_positive", "noise_free": "augmented_biological"}

#: One-arm trials kept per process (:func:`trial_arm`): the targets of one evaluation that
#: share an arm (a drug's incidence and its IRLS change, every IRLS change's placebo arm) run it once.
TRIAL_ARMS_CACHED = 16
_TRIAL_ARMS = LRUCache(TRIAL_ARMS_CACHED)


def trial_arm(arm, n, weeks, seed, profile, model, workers, min_baseline_irls):
    """The virtual trial of one arm (``arm``: ``{name: {"drug", "dose_mg", "clock_hour"}}``, or
    ``{}`` for the placebo arm alone), computed once per process for a given model (its
    :class:`~rlsmodel.ModelSpec`), population and design (``workers`` changes nothing in the
    result, :func:`rlsmodel.virtual_trial`). Every arm of a virtual trial is scored on its own
    (the patients and their reporting noise are the same in every arm, and each arm's
    summaries count its own patients), so an arm's numbers do not depend on which other arms
    ran beside it."""
    from ..trial import virtual_trial
    key = _arm_key(arm, n, weeks, seed, profile, model, min_baseline_irls)

    def run():
        return virtual_trial(arm, n=n, weeks=weeks, seed=seed, placebo=not arm, profile=profile, model=model,
                             workers=workers, min_baseline_irls=min_baseline_irls, progress=False)
    return _TRIAL_ARMS.get_or_compute(key, run)


def _arm_key(arm, n, weeks, seed, profile, model, min_baseline_irls):
    return (model.spec, model.compiled.structure_hash, json.dumps(arm, sort_keys=True), int(n), int(weeks), int(seed),
            str(profile), min_baseline_irls)


def _incidence_arms(model, drug, dose_mg, clock_hour=None, weeks=52, n=100, seed=0, measure="augmentation",
                    profile="rls_genetic", min_baseline_irls=15.0, workers=None, year=None):
    """``(design, arms)``: the one-arm trials :func:`virtual_trial_incidence` with these
    arguments reads (``{}`` for the placebo arm) and the design they share."""
    hour = clinical.dose_hour(drug) if clock_hour is None else clock_hour
    arms = [{f"{drug} {dose_mg:g} mg": {"drug": drug, "dose_mg": dose_mg, "clock_hour": hour}}]
    if measure in ("irls_change_week_12", "irls_change_end"):
        arms.append({})
    return (int(n), int(weeks), int(seed), str(profile), min_baseline_irls, workers), arms


def prefetch_trial_arms(model, calls) -> int:
    """Run, as one trial per design, the one-arm trials that :func:`virtual_trial_incidence`
    will read for each of ``calls`` (dicts of its keyword arguments, ``model`` left out), and
    keep them where :func:`trial_arm` finds them; return how many arms were run.

    Each result is exactly the one-arm trial's (:func:`rlsmodel.trial.virtual_trial_arms`), so
    the values of the targets do not change; run together, each patient's untreated baseline
    and start state are computed once for all arms, and the trials share one pool of workers
    (decision 49). ``CalibrationObjective`` calls it before evaluating a spec's targets. Calls
    whose arguments are not understood are left to :func:`virtual_trial_incidence`.
    """
    from ..trial import virtual_trial_arms
    designs = {}
    for call in calls:
        try:
            design, arms = _incidence_arms(model, **call)
        except (TypeError, ValueError, KeyError):
            continue          # virtual_trial_incidence itself names the problem
        todo = designs.setdefault(design, [])
        for arm in arms:
            n, weeks, seed, profile, min_irls, _ = design
            if arm not in todo and _TRIAL_ARMS.get(_arm_key(arm, n, weeks, seed, profile, model, min_irls)) is None:
                todo.append(arm)
    ran = 0
    for (n, weeks, seed, profile, min_irls, workers), arms in designs.items():
        drugs = [a for a in arms if a]
        names = [next(iter(a)) for a in drugs]
        if len(arms) < 2 or len(set(names)) < len(names):
            continue                           # nothing to share (or two arms of one name): one by one
        together = {name: spec for a in drugs for name, spec in a.items()}
        try:
            out = virtual_trial_arms(together, n=n, weeks=weeks, seed=seed, placebo={} in arms, profile=profile,
                                     model=model, workers=workers, min_baseline_irls=min_irls, progress=False)
        except Exception:       # each target then runs (and fails, or not) on its own, as before
            continue
        for arm in arms:
            name = next(iter(arm)) if arm else "placebo"
            _TRIAL_ARMS.put(_arm_key(arm, n, weeks, seed, profile, model, min_irls), out[name])
            ran += 1
    return ran


#: Name -> function, for ``ref = "<name>"`` in specs.
NAMED = {"irls_change": irls_change, "time_to_augmentation": time_to_augmentation,
         "virtual_trial_incidence": virtual_trial_incidence}

__all__ = ["irls_change", "time_to_augmentation", "virtual_trial_incidence", "trial_arm", "prefetch_trial_arms", "NAMED", "BASELINE_DAYS"]
