"""The course of patients around a switch of drug: simulated and scored day by day.

Used by the switching experiment (:mod:`rlsmodel.experiments.switching`) and the switching rows of
the scorecard (:mod:`rlsmodel.validation`). A virtual trial (:func:`rlsmodel.virtual_trial`)
reports one number per patient and arm; how fast augmentation resolves after a switch needs the
days after it. This module runs chosen patients of a virtual population in arms that stop one
drug on a given day and start another after a washout (:func:`switch_regimens`, plain
:class:`rlsmodel.Regimen` schedules: no new dosing mechanism), and scores each course with the
trial's own reporting and MPI scoring (:class:`rlsmodel.trial.TrialScorer`: the same patient
has the same day-to-day fluctuations as in the trial):

* ``days_to_mpi_off``: days after the first day off the old drug until the MPI criteria (recall
  week ending on each day, against the pre-treatment baseline) stop holding and stay off for
  :data:`SUSTAINED_DAYS` days (NaN: never within the follow-up);
* ``days_to_irls_below_baseline``: the same for the weekly IRLS falling below the pre-treatment
  baseline week;
* ``augmented_after`` / ``mpi_positive_after``: clinically relevant augmentation / MPI criteria
  at a 4-weekly visit from week :data:`FOLLOW_VISITS_FROM_WEEK` after the switch (earlier visits
  still recall the old drug);
* the weekly IRLS and onset hour from :data:`WEEKS_BEFORE` weeks before the switch to the end
  of the follow-up (week 0 = the last week on the old drug).
"""
from __future__ import annotations

import json
import warnings

import numpy as np
import xarray as xr

from . import clinical, outcomes
from .pharmacology import Regimen, arm_name, reference_dose

#: Arm names of the controls (the source drug's name is filled in).
CONTINUE, STOP = "continue", "stop"
#: Days a resolution must last to count (a month: the persistence window of the clinically
#: relevant tier, rlsmodel.clinical.persistence.PERSISTENT_DAYS).
SUSTAINED_DAYS = clinical.PERSISTENT_DAYS
#: First follow-up visit (weeks after the switch) scored for augmentation on the new drug:
#: the week-4 visit's 28-day persistence window still reaches back to the source drug.
FOLLOW_VISITS_FROM_WEEK = 8
#: Visit spacing (weeks), as in the trials.
VISIT_EVERY_WEEKS = 4
#: Weeks of the IRLS read-outs after the switch: week 5 (the cross-titration study's read-out)
#: and week 12 (Trenkwalder et al. 2013's primary end point).
READOUT_WEEKS = (5, 12)
#: Weeks before the switch shown in the course.
WEEKS_BEFORE = 8
#: Inclusion criterion (baseline weekly IRLS), as in the other virtual trials.
MIN_BASELINE_IRLS = 15.0


# ============================================================================================
# design
# ============================================================================================
def source_arm_name(drug, dose) -> str:
    return arm_name(drug, dose)


def arm_names(source_drug, source_dose, targets) -> dict:
    """``{role: arm name}``: ``continue``, ``stop`` and each target drug."""
    src = source_arm_name(source_drug, source_dose)
    names = {CONTINUE: f"continue {src}", STOP: f"stop {src}, no drug"}
    names.update({t: f"switch to {arm_name(t)}" for t in targets})
    return names


def switch_regimens(switch_day: int, washout_days: int, source_drug, source_dose, targets) -> dict:
    """``{role: Regimen}`` in trial time (day 0 = randomisation): the source drug daily to
    ``switch_day`` (exclusive), then nothing for ``washout_days``, then the target at its
    reference dose and clock hour; ``continue`` keeps the source drug, ``stop`` gives nothing after it."""
    _, hour = reference_dose(source_drug)
    before = Regimen.daily(source_drug, source_dose, hour, stop_day=switch_day)
    out = {CONTINUE: Regimen.daily(source_drug, source_dose, hour), STOP: before}
    for t in targets:
        dose, t_hour = reference_dose(t)
        out[t] = before + Regimen.daily(t, dose, t_hour, start_day=switch_day + washout_days)
    return out


# ============================================================================================
# scoring one patient's course
# ============================================================================================
def first_sustained(flags, sustained: int = SUSTAINED_DAYS) -> float:
    """Index of the first day from which ``flags`` hold on ``sustained`` consecutive days
    (NaN: never within the series; the run must fit in it)."""
    from .clinical.persistence import run_lengths
    run = run_lengths(np.asarray(flags, dtype=bool))
    hit = np.flatnonzero(run >= sustained)
    return float(hit[0]) if hit.size else float("nan")


class SwitchScorer:
    """Scores one (patient, arm) course: the trial's reported series (same fluctuations as
    :func:`rlsmodel.virtual_trial` for that patient and seed) around the switch.

    ``start_day``: randomisation day (model days), ``switch_week``: treated weeks on the source
    drug, ``follow_weeks``: weeks after the switch.
    """

    def __init__(self, seed, start_day, switch_week, follow_weeks):
        from .trial import TrialScorer
        self.seed, self.start_day = int(seed), int(start_day)
        self.switch_week, self.follow_weeks = int(switch_week), int(follow_weeks)
        self.trial = TrialScorer(self.seed, self.start_day, self.switch_week + self.follow_weeks, VISIT_EVERY_WEEKS)

    def names(self) -> tuple:
        weeks = self.course_weeks()
        return (("mpi_at_switch", "days_to_mpi_off", "days_to_irls_below_baseline", "augmented_after",
                 "mpi_positive_after", "baseline_irls", "irls_switch_week")
                + tuple(f"irls_week_{_wk(k)}" for k in weeks) + tuple(f"onset_week_{_wk(k)}" for k in weeks))

    def course_weeks(self) -> range:
        return range(-WEEKS_BEFORE + 1, self.follow_weeks + 1)

    def __call__(self, ds) -> dict:
        point = json.loads(ds.attrs["sweep_point"])
        B = self.start_day
        dd = outcomes.daily(ds, baseline_days=range(0, B))
        rep = self.trial.reported(dd, int(round(point["patient"])), float(point["symptom_noise_sd"]),
                                  float(point["placebo_response"]))
        flags = self.trial.mpi_flags(rep)                 # per treated day (index 0 = randomisation day)
        S = 7 * self.switch_week                          # first treated-day index off the source drug
        irls = rep["irls"][B:]
        weekly = np.convolve(irls, np.ones(7) / 7.0, mode="valid")     # weekly[i]: treated days i .. i+6
        base = float(np.mean(rep["irls"][B - 7:B]))
        after_weekly = weekly[S - 6:]                     # recall weeks ending on days S, S+1, ...
        out = {"mpi_at_switch": float(flags[S - 1]),
               "days_to_mpi_off": first_sustained(~flags[S:]),
               "days_to_irls_below_baseline": first_sustained(after_weekly < base),
               "baseline_irls": base, "irls_switch_week": float(np.mean(irls[S - 7:S]))}
        verdict = clinical.adjudicate(flags[S:], clinical.visit_weeks(self.follow_weeks, VISIT_EVERY_WEEKS))
        scored = [w >= FOLLOW_VISITS_FROM_WEEK for w in verdict.weeks]
        if any(scored):
            out["augmented_after"] = float(any(r for r, k in zip(verdict.relevant, scored) if k))
            out["mpi_positive_after"] = float(any(p for p, k in zip(verdict.positive, scored) if k))
        else:
            out["augmented_after"] = out["mpi_positive_after"] = float("nan")
        onset = rep["onset_hour"][B:]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)      # weeks without symptoms
            for k in self.course_weeks():
                lo = S + 7 * (k - 1)
                out[f"irls_week_{_wk(k)}"] = float(np.mean(irls[lo:lo + 7]))
                out[f"onset_week_{_wk(k)}"] = float(np.nanmean(onset[lo:lo + 7]))
        return out


def _wk(k: int) -> str:
    return f"m{-k}" if k < 0 else str(k)


# ============================================================================================
# running
# ============================================================================================
def select_patients(model, n, seed, switch_week, source_drug, source_dose, workers, progress=None):
    """The source-drug trial (:func:`rlsmodel.virtual_trial`, one arm, ``switch_week`` weeks);
    returns (trial Dataset, indices of eligible patients MPI-positive at some visit,
    the subset with clinically relevant augmentation)."""
    from .trial import virtual_trial
    name = source_arm_name(source_drug, source_dose)
    ds = virtual_trial({name: Regimen.daily(source_drug, source_dose, reference_dose(source_drug)[1])}, n=n,
                       weeks=switch_week, seed=seed, placebo=False, model=model, workers=workers,
                       min_baseline_irls=MIN_BASELINE_IRLS, progress=progress)
    a = ds.sel(arm=name)
    ok = (np.asarray(a["status"].values).astype(str) == "ok") & np.asarray(ds["eligible"].values, bool)
    positive = np.flatnonzero(ok & (a["mpi_positive"].values == 1))
    relevant = np.flatnonzero(ok & (a["augmented"].values == 1))
    return ds, positive, relevant


def simulate_switches(model, pop, patients, regimens, *, seed, switch_week, follow_weeks, profile="rls_genetic",
                      baseline_weeks=4, workers=None, progress=None) -> xr.Dataset:
    """Run ``patients`` (indices into ``pop``) in every arm of ``regimens`` (``{arm: Regimen}``,
    trial time) of ``model``, ``pop`` drawn around ``profile`` with ``seed`` (as
    :func:`rlsmodel.population`); returns the :class:`SwitchScorer` outcomes over (``arm``,
    ``patient``) and the weekly courses over (``arm``, ``patient``, ``week``). ``switch_week``:
    treated weeks on the old drug; ``follow_weeks``: weeks after it; ``baseline_weeks``:
    untreated weeks before randomisation (the trial's 4)."""
    from .populations import varied_parameters
    from .samplers import from_matrix
    from .sweeps import sweep
    from .sweeps.summaries import OutcomeGroup
    from .trial import POINT_FIELDS, ArmRegimens
    B = 7 * baseline_weeks
    arms = list(regimens)
    shifted = [regimens[a].shifted(B) for a in arms]
    scorer = SwitchScorer(seed, B, switch_week, follow_weeks)
    text = ("switching arms: " + " | ".join(f"{a} = {r.describe()}" for a, r in zip(arms, shifted))
            + f"; switch after week {switch_week}, {follow_weeks} weeks follow-up, seed {seed}")
    params = varied_parameters(pop)
    columns = params + list(POINT_FIELDS)
    patients = np.asarray(patients, dtype=int)
    n_p, n_a = patients.size, len(arms)
    values = np.empty((n_p * n_a, len(columns)))
    for name in params + list(POINT_FIELDS[2:]):
        values[:, columns.index(name)] = np.repeat(pop[name].values[patients], n_a)
    values[:, columns.index("arm")] = np.tile(np.arange(n_a), n_p)
    values[:, columns.index("patient")] = np.repeat(patients, n_a)
    days = 7.0 * (baseline_weeks + switch_week + follow_weeks) + clinical.DAY_START
    raw = sweep(from_matrix(columns, values, seed=seed), days=days, regimen=ArmRegimens(shifted, text),
                profile=profile,
                outcomes=[OutcomeGroup(scorer, scorer.names())], workers=workers, model=model, progress=progress)

    def grid(var):
        return np.asarray(raw[var].values).reshape(n_p, n_a).T

    weeks = np.array(list(scorer.course_weeks()))
    data = {"status": (("arm", "patient"), grid("status").astype(str))}
    for name in scorer.names():
        if not name.startswith(("irls_week_", "onset_week_")):
            data[name] = (("arm", "patient"), grid(name))
    for what in ("irls", "onset"):
        data[f"{what}_course"] = (("arm", "patient", "week"),
                                  np.stack([grid(f"{what}_week_{_wk(k)}") for k in weeks], axis=-1))
    out = xr.Dataset(data, coords={"arm": np.array(arms, dtype=str), "patient": patients, "week": weeks})
    out["irls_course"].attrs.update(units="1", long_name="reported weekly IRLS (week 0: last week on the source drug)")
    out["onset_course"].attrs.update(units="clock hour", long_name="reported symptom onset, weekly mean")
    out["days_to_mpi_off"].attrs.update(units="day", long_name="days after the switch until the MPI criteria stay off "
                                                               f"for {SUSTAINED_DAYS} days (NaN: never)")
    out["days_to_irls_below_baseline"].attrs.update(units="day", long_name="days after the switch until the weekly "
                                                    f"IRLS stays below baseline for {SUSTAINED_DAYS} days (NaN: never)")
    out.attrs.update({"switch_week": switch_week, "follow_weeks": follow_weeks, "seed": seed, "design": text})
    return out


# ============================================================================================
# summaries
# ============================================================================================
def median_days(d):
    """Median with 'never' (NaN) counted as later than any day (inf when half never)."""
    d = np.asarray(d, float)
    return float(np.median(np.where(np.isfinite(d), d, np.inf))) if d.size else float("nan")


def _frac(x):
    x = np.asarray(x, float)
    x = x[np.isfinite(x)]
    return float(np.mean(x)) if x.size else float("nan")


def nanmean(x):
    x = np.asarray(x, float)
    return float(np.nanmean(x)) if np.isfinite(x).any() else float("nan")


def summarise(course, cohort_patients, names) -> list:
    """One row per cohort and arm (``names``: ``{role: arm name}``)."""
    rows = []
    stop = names[STOP]
    for cohort, patients in cohort_patients.items():
        sel = course.sel(patient=np.asarray(patients, dtype=int)) if len(patients) else None
        for role, arm in names.items():
            if sel is None:
                rows.append(empty_row(cohort, role, arm))
                continue
            a = sel.sel(arm=arm)
            ok = a["status"].values == "ok"
            irls = a["irls_course"].values[ok]
            switch = a["irls_switch_week"].values[ok]
            idx = {int(w): i for i, w in enumerate(course["week"].values)}
            change = {w: irls[:, idx[w]] - switch for w in READOUT_WEEKS if w in idx}
            last = irls[:, -1] - switch if irls.size else np.array([])
            stop_irls = sel.sel(arm=stop)["irls_course"].values[ok]
            vs_stop = (irls[:, idx[12]] - stop_irls[:, idx[12]]) if 12 in idx and irls.size else np.array([np.nan])
            days_mpi = a["days_to_mpi_off"].values[ok]
            rows.append({
                "cohort": cohort, "arm": arm, "role": role, "n": int(ok.sum()),
                "mpi_at_switch": _frac(a["mpi_at_switch"].values[ok]),
                "baseline_irls": nanmean(a["baseline_irls"].values[ok]),
                "irls_switch_week": nanmean(switch),
                "median_days_to_mpi_off": median_days(days_mpi),
                "resolved_by_week_4": _frac(np.where(np.isfinite(days_mpi), days_mpi <= 28, 0.0)),
                "resolved_by_week_12": _frac(np.where(np.isfinite(days_mpi), days_mpi <= 84, 0.0)),
                "median_days_to_irls_below_baseline": median_days(a["days_to_irls_below_baseline"].values[ok]),
                "irls_change_week_5": nanmean(change.get(5, np.nan)),
                "irls_change_week_12": nanmean(change.get(12, np.nan)),
                "irls_change_end": nanmean(last),
                "irls_vs_stop_week_12": nanmean(vs_stop),
                "augmented_after": _frac(a["augmented_after"].values[ok]),
                "mpi_positive_after": _frac(a["mpi_positive_after"].values[ok]),
            })
    return rows


def empty_row(cohort, role, arm):
    keys = ("mpi_at_switch", "baseline_irls", "irls_switch_week", "median_days_to_mpi_off", "resolved_by_week_4",
            "resolved_by_week_12", "median_days_to_irls_below_baseline", "irls_change_week_5",
            "irls_change_week_12", "irls_change_end", "irls_vs_stop_week_12", "augmented_after",
            "mpi_positive_after")
    return {"cohort": cohort, "arm": arm, "role": role, "n": 0, **{k: float("nan") for k in keys}}


__all__ = ["CONTINUE", "STOP", "SUSTAINED_DAYS", "FOLLOW_VISITS_FROM_WEEK", "arm_names", "switch_regimens",
           "first_sustained", "SwitchScorer", "select_patients", "simulate_switches", "summarise", "empty_row",
           "median_days", "nanmean", "source_arm_name"]
