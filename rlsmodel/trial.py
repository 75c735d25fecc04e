"""Virtual trials: every patient of a virtual population in every arm, scored as trials score.

>>> import rlsmodel
>>> from rlsmodel import Regimen
>>> from rlsmodel.pharmacology import reference_regimen
>>> ds = rlsmodel.virtual_trial({"pramipexole 0.5 mg": reference_regimen("pramipexole", dose=0.5),
...                              "pregabalin 300 mg": reference_regimen("pregabalin")},
...                             n=100, weeks=52, seed=1, workers=2)          # doctest: +SKIP
>>> ds["augmentation_incidence"].to_series()                               # doctest: +SKIP

Design
------
* **Population**: ``rlsmodel.population(n, seed, profile)``; patient ``i`` is the same
  person in every arm (a cross-over of clones: arms differ only by the drug).
* **Timeline**: ``baseline_weeks`` untreated weeks (days ``0 .. B-1``, ``B = 7 *
  baseline_weeks``), randomisation at midnight of day ``B``, then ``weeks`` treated weeks.
  Arm regimens are written in trial time (day 0 = randomisation day) and shifted by ``B``.
  Symptom days run 06:00-06:00 (:mod:`rlsmodel.clinical.day`): days ``0 .. B-1`` are the
  baseline, days ``B .. B + 7 * weeks - 1`` are on treatment, the rule of
  :mod:`rlsmodel.clinical.protocol` for a first dose on day ``B`` at or after 06:00 (doses
  before 06:00 on the randomisation day would fall into the last baseline day; evening doses
  are the rule).
* **Runs**: one :func:`rlsmodel.sweep` over an explicit sample of (patient, arm) points
  (patient-major order: a patient's arms share the steady-state start), with a regimen
  factory per arm (``placebo``: no drug, the biology is that of the untreated patient).
  The outcome functions below run inside the sweep and return scalars, so no trajectory
  is kept; results are identical whatever ``workers``, ``client`` or chunking. The
  untreated baseline weeks are integrated once per patient and every arm without visit
  rules continues from their end state, keeping only the variables scoring reads
  (:mod:`rlsmodel.trial_runs`; the same numbers as one run per arm from day 0 within the
  integrator's tolerance, about 1e-6).

What a patient reports (the biology is never changed)
-----------------------------------------------------
From :func:`rlsmodel.outcomes.daily` per symptom day ``d``: IRLS-like score, onset hour,
peak urge, latency at rest. A per-patient daily fluctuation ``z_d`` (AR(1), lag-1
correlation :data:`NOISE_AUTOCORRELATION`, unit variance; drawn from
``SeedSequence(seed, spawn_key=(patient, 1))`` day by day, so the same patient has the same
fluctuations in every arm and whatever ``n``) and the placebo offset give the *reported*
day:

* ``irls_reported = clip(irls + P(d) + sd * z_d, 0, 40)``, ``sd = symptom_noise_sd``;
* ``onset_reported = onset - ONSET_H_PER_IRLS_POINT * sd * z_d`` (a bad day also starts
  earlier; NaN = no symptoms stays NaN), clipped to the symptom day;
* ``peak_reported = clip(peak + PEAK_PER_IRLS_POINT * sd * z_d, 0, 10)``;
* ``P(d) = placebo_response * (1 - exp(-(d - B + 1) / PLACEBO_TIME_CONSTANT_DAYS))`` on
  treated days (0 before): Silva et al. 2017's mean -6.6 points, 95 % reached by 12 weeks.
  It applies in every arm (expectation acts in drug arms too), on IRLS only.

Adjudication at visits (how trial verdicts are mapped)
------------------------------------------------------
Visits are at the end of every ``visit_every_weeks``-th treated week (default 4: weeks 4,
8, 12, ...) and at the end of the last week. The MPI criteria
(:func:`rlsmodel.clinical.mpi_by_day`: >= 5 of 7 worse days against the baseline median +
onset earlier by 4 h, or by 2-4 h with shorter latency or greater intensity) are evaluated on
the *reported* series, identically in every arm, for the recall week ending at each visit
(:func:`rlsmodel.clinical.adjudicate`):

* ``mpi_positive``: the criteria hold at some visit (the MPI tier of Benes et al. 2012).
  Placebo patients reach it through day-to-day variability (Hogl et al. 2011).
* ``augmented`` (clinically relevant): at some visit the criteria have held on every day
  of the 28 days before it (persistent since the previous monthly visit), or, at the final
  visit, on every day of at least the last 14 days -- the persistent tier of
  :func:`rlsmodel.outcomes.augmentation` (:func:`rlsmodel.clinical.persistent`), anchored
  at visits.
* ``augmented_practice`` (diagnosed in practice, needing a change of treatment; Silver et
  al. 2011): clinically relevant at a visit whose persistence window the patient spent at
  the regimen's maximum dose (:mod:`rlsmodel.clinical.practice`); with a fixed dose it equals
  ``augmented``.
* ``day_met`` / ``day_met_clinically_relevant``: days since randomisation of the first
  such visit (NaN: never).

``irls_change`` is the weekly IRLS (mean reported daily IRLS over the 7-day recall window)
at week 12 and at the last week minus that of the last baseline week
(:func:`rlsmodel.clinical.baseline_week`, days ``B-7 .. B-1``).

Randomised withdrawal (issue 22, item 4)
----------------------------------------
An arm stops or switches its drug when its regimen says so (``Regimen.daily(...,
stop_day=182)``, plus ``Regimen.daily(other, ..., start_day=182)`` for a switch).
``withdrawal_week=W`` scores *worsening* after the end of treated week ``W`` as Trenkwalder
et al. 2006 (Mov Disord 21:1404) did after 6 months of pramipexole: a predefined worsening
on the IRLS (and the CGI-I, which the model does not separate from it). Here: the reported
weekly IRLS (the recall week ending on a day, assessed every day) at least
:data:`WORSENING_IRLS_POINTS` above the weekly IRLS of week ``W``. ``day_worsened`` is the
number of days after the end of week ``W`` of the first such day (NaN: never by the end of
the trial). Scored in every arm (a continued-drug arm worsens too when its effect wanes).
"""
from __future__ import annotations

import json
import math
import numbers
import warnings
import weakref

import numpy as np
import xarray as xr
from scipy.signal import lfilter

from . import clinical, outcomes
from . import profiles as _profiles
from . import checks
from .populations import STREAM_DAILY_NOISE, population, varied_parameters
from .sweeps.summaries import OutcomeGroup
from . import trial_policies as _policies
from .trial_runs import SCORED_VARIABLES, arm_run

PLACEBO = "placebo"
#: Lag-1 autocorrelation of the daily reporting fluctuation (symptoms come in spells); assumed.
NOISE_AUTOCORRELATION = 0.7
#: Onset advance (h) per IRLS point of fluctuation, and peak urge (0-10) per IRLS point; assumed
#: (the 0-40 IRLS spans the 0-10 urge: about 4 points per urge point).
ONSET_H_PER_IRLS_POINT = 0.4
PEAK_PER_IRLS_POINT = 0.25
#: Time constant (days) of the placebo response: 95 % of it after 12 weeks.
PLACEBO_TIME_CONSTANT_DAYS = 28.0
#: Recall window of a visit (days): the MPI week and the weekly IRLS (rlsmodel.clinical.visits).
RECALL_DAYS = clinical.RECALL_DAYS
#: Persistence for the clinically relevant tier: days before a visit, and at the final visit
#: (the same as :func:`rlsmodel.outcomes.augmentation`'s persistent tier; rlsmodel.clinical.persistence).
PERSISTENT_DAYS, PERSISTENT_AT_END_DAYS = clinical.PERSISTENT_DAYS, clinical.PERSISTENT_MIN_TO_END_DAYS
#: Week of the early IRLS read-out (the placebo-controlled phase of Allen et al. 2014).
EARLY_WEEK = 12
#: Rise of the reported weekly IRLS (points) over its value in the withdrawal week that counts
#: as worsening in a randomised-withdrawal design. Assumed: Trenkwalder et al. 2006 required a
#: predefined worsening on both the IRLS and the CGI-I (their thresholds are not in the
#: abstract); 6 points is twice the 3-point clinically relevant IRLS change (science.md
#: section 1), standing for the IRLS part and for "much worse" on the CGI-I.
WORSENING_IRLS_POINTS = 6.0
Z95 = 1.959963984540054
#: Columns of the swept sample that are not model parameters (consumed by the factory/outcomes).
POINT_FIELDS = ("arm", "patient", "symptom_noise_sd", "placebo_response")

#: Per-patient outcomes computed inside the sweep: name -> (units, description).
PATIENT_OUTCOMES = {
    "augmented": ("1", "clinically relevant augmentation adjudicated at a visit (1 yes, 0 no, NaN failed run)"),
    "mpi_positive": ("1", "MPI criteria met at some visit (1 yes, 0 no, NaN failed run)"),
    "day_met": ("day", "days since randomisation of the first MPI-positive visit (NaN: never)"),
    "day_met_clinically_relevant": ("day", "days since randomisation of the first visit adjudicating "
                                           "clinically relevant augmentation (NaN: never)"),
    "baseline_irls": ("1", "reported weekly IRLS of the last baseline week"),
    "irls_change_week_12": ("1", "reported weekly IRLS at week 12 minus baseline (NaN if weeks < 12)"),
    "irls_change_end": ("1", "reported weekly IRLS of the last week minus baseline"),
    "biological_irls_change_end": ("1", "IRLS-like score of the model (no reporting terms), last week "
                                        "minus last baseline week"),
    "augmented_biological": ("1", "rlsmodel.outcomes.augmentation verdict on the noise-free daily series "
                                  "(daily, not at visits)"),
    "augmented_practice": ("1", "augmentation diagnosed in practice, needing a change of treatment: clinically "
                                "relevant at a visit while at the regimen's maximum dose (rlsmodel.clinical.practice; "
                                "1 yes, 0 no, NaN failed run)"),
    "day_met_practice": ("day", "days since randomisation of the first visit diagnosing augmentation in practice "
                                "(NaN: never)"),
    "day_met_biological": ("day", "days since randomisation of the first day of the noise-free clinically relevant "
                                  "verdict (rlsmodel.outcomes.augmentation; NaN: never)"),
    "day_worsened": ("day", "randomised withdrawal: days after the end of the withdrawal week until the "
                            "reported weekly IRLS first rose by WORSENING_IRLS_POINTS over that week's (NaN: "
                            "never, or no withdrawal_week)"),
}


# ============================================================================================
# inputs
# ============================================================================================
class NoDrug:
    """The regimen of a placebo arm: no doses (the biology of the untreated patient)."""

    def events(self, model, days, params=None):
        return []

    def describe(self) -> str:
        return "placebo (no drug)"

    def __eq__(self, other):
        return isinstance(other, NoDrug)

    def __hash__(self):
        return hash("NoDrug")


def _as_regimen(name, spec):
    """An arm's regimen from a Regimen, None (no drug) or {"drug", "dose_mg", "clock_hour"} (clock
    hour default: the drug table's, :func:`rlsmodel.clinical.dose_hour`)."""
    from .pharmacology import Regimen
    if spec is None or isinstance(spec, NoDrug):
        return NoDrug()
    if isinstance(spec, Regimen):
        if len(spec) == 0:
            return NoDrug()
        return spec
    if hasattr(spec, "items"):
        unknown = set(spec) - {"drug", "dose_mg", "clock_hour", "start_day", "stop_day", "allow_off_label"}
        if unknown or "drug" not in spec or "dose_mg" not in spec:
            raise ValueError(f"arm {name!r}: a dict regimen needs 'drug' and 'dose_mg' (optional clock_hour, "
                             f"start_day, stop_day, allow_off_label); got keys {sorted(spec)}")
        try:
            hour = spec["clock_hour"] if "clock_hour" in spec else clinical.dose_hour(spec["drug"])
            return Regimen.daily(spec["drug"], spec["dose_mg"], hour,
                                 start_day=spec.get("start_day", 0), stop_day=spec.get("stop_day"),
                                 allow_off_label=spec.get("allow_off_label", False))
        except ValueError as exc:
            raise ValueError(f"arm {name!r}: {exc}") from None
    raise ValueError(f"arm {name!r}: give a rlsmodel.Regimen, a dict {{drug, dose_mg, clock_hour}} or None "
                     f"(no drug); got {type(spec).__name__}")


def _shift(regimen, days: int):
    """``regimen`` with every schedule moved ``days`` later (trial time -> model time)."""
    return regimen if isinstance(regimen, NoDrug) else regimen.shifted(days)


def _check_arms(arms, placebo, policies=None, visit_every_weeks=4) -> tuple:
    """``(regimens, rules)``: arm -> regimen in trial time, and arm -> visit rules (arms given as
    ``Regimen.with_policy(...)`` or named in ``policies``; :mod:`rlsmodel.trial_policies`)."""
    if not hasattr(arms, "items"):
        raise ValueError("arms must be a mapping arm name -> regimen (rlsmodel.Regimen, a dict "
                         f"{{drug, dose_mg, clock_hour}} or None); got {type(arms).__name__}")
    policies = _policies.check_policies(policies, list(arms))
    out, rules = {}, {}
    for name, spec in arms.items():
        if not isinstance(name, str) or not name.strip():
            raise ValueError(f"arm names must be non-empty strings; got {name!r}")
        if placebo and name == PLACEBO:
            raise ValueError(f"arm name {PLACEBO!r} is reserved for the placebo arm added by placebo=True; "
                             "rename the arm or pass placebo=False")
        spec, arm_rules = _policies.split_arm(name, spec, policies)
        out[name] = _as_regimen(name, spec)
        _policies.check_rules(name, out[name], arm_rules, visit_every_weeks)
        if arm_rules:
            rules[name] = arm_rules
    if placebo:
        out[PLACEBO] = NoDrug()
    if not out:
        raise ValueError("no arms: give at least one arm or placebo=True")
    return out, rules


# ============================================================================================
# the sweep's regimen factory and outcome functions
# ============================================================================================
class ArmRegimens:
    """Regimen factory of a trial sweep: point -> the regimen of its arm (model time).

    ``fields`` lets the explicit sample carry the non-parameter columns; :meth:`name`
    (read by the sweep for provenance and store fingerprints) names every arm and the
    scoring, so a store made for another design is refused.
    """

    fields = POINT_FIELDS

    def __init__(self, regimens: list, text: str, rules=None, scorer=None, trial_regimens=None, start_day: int = 0):
        self.regimens = list(regimens)          # Regimen pickles by its schedules
        self.text = text
        self.rules = list(rules or [()] * len(self.regimens))     # visit rules per arm (() none)
        self.scorer = scorer
        #: the same regimens in trial time (day 0 = randomisation), and the randomisation day
        self.trial_regimens = None if trial_regimens is None else list(trial_regimens)
        self.start_day = int(start_day)

    def name(self) -> str:
        """The factory's name in the sweep's provenance: every arm and the scoring."""
        return self.text

    def __call__(self, point):
        arm = int(round(point["arm"]))
        if not self.rules[arm]:
            return self.regimens[arm]
        observer = _policies.ReportedObserver(self.scorer, int(round(point["patient"])),
                                              float(point["symptom_noise_sd"]), float(point["placebo_response"]))
        return _policies.adaptive(self.regimens[arm], self.rules[arm], self.scorer.start_day,
                                  self.scorer.visit_every_weeks, observer)

    def simulate_point(self, model, point, days, profile, params, sample_every_hours):
        """The sweep's run of ``point`` (:func:`rlsmodel.sweeps.runner.run_chunk` calls it):
        the patient's untreated baseline shared across arms and only the scored variables
        kept (:func:`rlsmodel.trial_runs.arm_run`); arms with visit rules run from day 0 in
        segments between visits (:mod:`rlsmodel.policy_runs`), keeping the scored variables."""
        arm = int(round(point["arm"]))
        if self.trial_regimens is None or self.rules[arm]:     # visit rules: segments from day 0 (policy_runs)
            return model.run(days, profile=profile, params=params, regimen=self(point),
                             sample_every_hours=sample_every_hours, keep=list(SCORED_VARIABLES), progress=False,
                             warn=False)
        trial_regimen, model_regimen = self.trial_regimens[arm], self.regimens[arm]
        return arm_run(model, days, profile, params, None if isinstance(trial_regimen, NoDrug) else trial_regimen,
                       model_regimen, self.start_day, sample_every_hours)


def daily_fluctuation(seed: int, patient: int, n_days: int, rho: float = NOISE_AUTOCORRELATION) -> np.ndarray:
    """The patient's unit-variance AR(1) reporting fluctuation for days ``0 .. n_days-1``.

    Drawn day by day from ``SeedSequence(seed, spawn_key=(patient, 1))``: a longer run
    extends, never changes, a shorter one.
    """
    rng = np.random.default_rng(np.random.SeedSequence(int(seed), spawn_key=(int(patient), STREAM_DAILY_NOISE)))
    e = rng.standard_normal(n_days)
    z = e.copy()
    if n_days > 1:
        # z[d] = rho z[d-1] + c e[d] as one linear filter (the same operations as the day-by-day
        # loop, so the same bits); visit rules ask for the series at every visit
        c = math.sqrt(1.0 - rho * rho)
        z[1:] = lfilter([c], [1.0, -rho], e[1:], zi=[rho * e[0]])[0]
    return z


class TrialScorer:
    """Scores one simulated (patient, arm) the way the trial adjudicates (module docstring).

    One scorer is shared by the outcome functions of a sweep; it scores each trajectory
    once and caches the result for the other outcomes of the same Dataset.
    """

    def __init__(self, seed, start_day, weeks, visit_every_weeks, withdrawal_week=None):
        self.seed, self.start_day, self.weeks = int(seed), int(start_day), int(weeks)
        self.visit_every_weeks = int(visit_every_weeks)
        self.withdrawal_week = None if withdrawal_week is None else int(withdrawal_week)
        #: per arm index: the daily dose (mg) a DosePolicy cannot raise further, None for a fixed dose
        #: (the practice tier, rlsmodel.clinical.practice); set by virtual_trial
        self.maxima = []
        self._last = None

    def __getstate__(self):
        state = dict(self.__dict__)
        state["_last"] = None
        return state

    def visit_weeks(self) -> list:
        """Treated weeks at whose end a visit takes place (:func:`rlsmodel.clinical.visit_weeks`)."""
        return clinical.visit_weeks(self.weeks, self.visit_every_weeks)

    def describe(self) -> str:
        text = (f"baseline days 0-{self.start_day - 1}, {self.weeks} treated weeks, visits at weeks "
                f"{self.visit_weeks()}, seed {self.seed}, AR(1) rho {NOISE_AUTOCORRELATION}, onset "
                f"{ONSET_H_PER_IRLS_POINT} h/point, peak {PEAK_PER_IRLS_POINT}/point, placebo tau "
                f"{PLACEBO_TIME_CONSTANT_DAYS} d")
        if self.withdrawal_week is not None:
            text += (f", worsening after week {self.withdrawal_week}: weekly IRLS up >= "
                     f"{WORSENING_IRLS_POINTS:g} points")
        return text

    def value(self, ds, name: str) -> float:
        if self._last is None or self._last[0]() is not ds:
            self._last = (weakref.ref(ds), self.score(ds))
        return self._last[1][name]

    def score(self, ds) -> dict:
        """All :data:`PATIENT_OUTCOMES` of one trajectory (floats)."""
        point = json.loads(ds.attrs["sweep_point"])
        B, n_treated = self.start_day, 7 * self.weeks
        dd = outcomes.daily(ds, baseline_days=range(0, B))
        days = dd["day"].values.astype(int)
        expected = np.arange(0, B + n_treated)
        if not np.array_equal(days, expected):
            raise RuntimeError(f"symptom days {days[0]}..{days[-1]} do not cover the trial days 0..{expected[-1]}")
        reported = self.reported(dd, int(round(point["patient"])), float(point["symptom_noise_sd"]),
                                 float(point["placebo_response"]))
        verdict = clinical.adjudicate(self.mpi_flags(reported), self.visit_weeks())

        def weekly(series, week):      # mean over the recall week: clinical.treated_week (0: baseline week)
            days_ = clinical.baseline_week(B) if week == 0 else clinical.treated_week(B, week)
            return float(np.mean(series[days_.start:days_.stop]))

        irls_r, irls = reported["irls"], dd["irls"].values
        base_week = weekly(irls_r, 0)
        end_week = weekly(irls_r, self.weeks)
        early = weekly(irls_r, EARLY_WEEK) - base_week if self.weeks >= EARLY_WEEK else np.nan
        bio_change = weekly(irls, self.weeks) - weekly(irls, 0)
        bio = outcomes.augmentation(ds, clinical.treatment_start(B), daily_table=dd)
        bio_day = bio["day_met_clinically_relevant"]
        at_max = clinical.at_maximum_by_visit(verdict.weeks, self.at_maximum_daily(ds, point, n_treated))
        return {
            "day_worsened": self._day_worsened(irls_r, B),
            "augmented": float(verdict.augmented), "mpi_positive": float(verdict.mpi_positive),
            "day_met": verdict.first_positive_day, "day_met_clinically_relevant": verdict.first_relevant_day,
            "baseline_irls": base_week, "irls_change_week_12": float(early),
            "irls_change_end": end_week - base_week, "biological_irls_change_end": bio_change,
            "augmented_biological": float(bio["augmented"]),
            "augmented_practice": float(any(clinical.needs_change(verdict, at_max))),
            "day_met_practice": clinical.first_practice_day(verdict, at_max),
            "day_met_biological": np.nan if bio_day is None else float(bio_day - B),
        }

    def at_maximum_daily(self, ds, point, n_treated):
        """Per treated day, whether the dose given was the arm's maximum (None: a fixed-dose arm,
        always at its maximum)."""
        if not any(m is not None for m in self.maxima) or "arm" not in point:
            return None                     # no arm under a DosePolicy: every dose is its own maximum
        arm = int(round(point["arm"]))
        maximum = self.maxima[arm] if arm < len(self.maxima) else None
        if maximum is None:
            return None
        regimen = _policies.regimen_given(ds)
        if regimen is None:
            return np.zeros(n_treated, bool)
        from .pharmacology.policies import total_daily_dose
        B = self.start_day
        return np.array([total_daily_dose(regimen, B + i) >= maximum - 1e-9 for i in range(n_treated)])

    def reported(self, dd, patient: int, sd: float, placebo: float) -> dict:
        """The patient's reported daily series (module docstring): ``irls``, ``onset_hour``,
        ``peak`` with the reporting fluctuation and placebo offset, ``latency_at_rest_h`` as
        simulated; ``day`` the symptom days."""
        days = dd["day"].values.astype(int)
        B = self.start_day
        noise = sd * daily_fluctuation(self.seed, patient, days.size)
        elapsed = np.where(days >= B, days - B + 1.0, 0.0)
        offset = placebo * (1.0 - np.exp(-elapsed / PLACEBO_TIME_CONSTANT_DAYS))
        return {
            "day": days,
            "irls": np.clip(dd["irls"].values + offset + noise, 0.0, 40.0),
            "onset_hour": np.clip(dd["onset_hour"].values - ONSET_H_PER_IRLS_POINT * noise, clinical.DAY_START_HOUR,
                                  clinical.DAY_END_HOUR - 1e-9),
            "peak": np.clip(dd["peak"].values + PEAK_PER_IRLS_POINT * noise, 0.0, 10.0),
            "latency_at_rest_h": dd["latency_at_rest_h"].values,
        }

    def _day_worsened(self, irls_reported, start_day) -> float:
        """Days after the end of the withdrawal week to the first worsened recall week (NaN: none)."""
        if self.withdrawal_week is None:
            return float("nan")
        end = start_day + 7 * self.withdrawal_week                 # first day after the withdrawal week
        ref = float(np.mean(irls_reported[end - RECALL_DAYS:end]))
        kernel = np.ones(RECALL_DAYS) / RECALL_DAYS
        weekly = np.convolve(irls_reported, kernel, mode="valid")   # weekly[i]: days i .. i+6
        after = weekly[end - RECALL_DAYS + 1:]                      # recall weeks ending on days end, end+1, ...
        hit = np.flatnonzero(after >= ref + WORSENING_IRLS_POINTS)
        return float(hit[0] + 1) if hit.size else float("nan")


    def mpi_flags(self, series) -> np.ndarray:
        """Per treated day: the MPI criteria (:func:`rlsmodel.clinical.mpi_by_day`) on the week
        ending that day, against the baseline days ``0 .. B-1`` of the same ``series`` (a mapping
        of daily ``day``, ``onset_hour``, ``latency_at_rest_h``, ``peak``, ``irls``)."""
        base = series["day"] < self.start_day
        treat = ~base
        ref = clinical.baseline_of(series["onset_hour"][base], series["latency_at_rest_h"][base], series["peak"][base],
                                series["irls"][base])
        return clinical.mpi_by_day(series["onset_hour"][treat], series["latency_at_rest_h"][treat],
                                   series["peak"][treat], series["irls"][treat], ref)


class PatientOutcome:
    """One scalar of :class:`TrialScorer` as a sweep outcome function ``f(ds) -> float``."""

    def __init__(self, scorer: TrialScorer, name: str):
        self.scorer, self.name = scorer, name
        self.units, self.__doc__ = PATIENT_OUTCOMES[name]

    def __call__(self, ds) -> float:
        return self.scorer.value(ds, self.name)


# ============================================================================================
# summaries
# ============================================================================================
def wilson_interval(k, m, z: float = Z95):
    """Wilson score interval (lower, upper) of a proportion ``k / m``; NaN when ``m == 0``."""
    k, m = np.asarray(k, dtype=float), np.asarray(m, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / m
        denom = 1.0 + z * z / m
        centre = (p + z * z / (2 * m)) / denom
        half = z * np.sqrt(p * (1 - p) / m + z * z / (4 * m * m)) / denom
        lower = np.where((k == 0) & (m > 0), 0.0, np.clip(centre - half, 0.0, 1.0))   # exact ends
        upper = np.where((k == m) & (m > 0), 1.0, np.clip(centre + half, 0.0, 1.0))
    return lower, upper


def format_incidence(value, band=None, digits: int = 1) -> str:
    """A fraction as a percentage, with a model-uncertainty band when one is given:
    ``"7.2%"`` or ``"7.2% (4.1-11.0%)"``.

    ``band``: a :class:`rlsmodel.calibration.Band` (its interval is used; the value stays
    ``value``, e.g. this trial's incidence), or ``(lower, upper)`` fractions. This is the hook
    through which ``figures/virtual_trial.md`` shows calibration bands
    (``experiments/virtual_trial.py --bands``).
    """
    def pct(v):
        return "n/a" if v is None or not np.isfinite(v) else f"{100 * v:.{digits}f}%"
    if band is None:
        return pct(value)
    lower, upper = (band.lower, band.upper) if hasattr(band, "lower") else band
    return f"{pct(value)} ({100 * lower:.{digits}f}-{100 * upper:.{digits}f}%)"


# ============================================================================================
# the trial
# ============================================================================================
def virtual_trial(arms, n=100, weeks=52, seed=0, placebo=True, profile="rls_genetic", baseline_weeks=4,
                  model=None, workers=None, client=None, store=None, augmentation=None, *,
                  visit_every_weeks=4, min_baseline_irls=None, chunk_size=None, progress=None,
                  sample_every_hours=1.0, withdrawal_week=None, policies=None) -> xr.Dataset:
    """Run every patient of a virtual population in every arm and score the trial.

    Parameters
    ----------
    arms
        ``{name: regimen}``; a regimen is a :class:`rlsmodel.Regimen` in trial time (day 0 =
        randomisation day), a dict ``{"drug", "dose_mg", "clock_hour" (default 21)}`` (daily
        dosing from randomisation) or None (no drug).
    n
        patients per arm (the same patients in every arm).
    weeks
        treated weeks (>= 1).
    seed
        population and reporting-noise seed.
    placebo
        add a ``placebo`` arm (no drug).
    profile
        median patient of the population.
    baseline_weeks
        untreated weeks before
        randomisation (>= 1; the baseline for IRLS change and the MPI criteria).
    model, augmentation
        the :class:`rlsmodel.Model` or mechanism name (as for ``sweep``).
    workers, client, store, chunk_size, progress, sample_every_hours
        passed to
        :func:`rlsmodel.sweep` (local processes, Dask client, resumable store, ...).
    visit_every_weeks
        spacing of adjudication visits (module docstring).
    min_baseline_irls
        inclusion criterion: patients whose reported weekly IRLS of the last
        baseline week is below it are simulated but left out of the summaries (``eligible``;
        trials typically enrol IRLS >= 15). None: everyone.
    withdrawal_week: randomised-withdrawal design (module docstring): score worsening after
        the end of this treated week (1 <= withdrawal_week < weeks); arms stop or switch their
        drug through their regimens (``stop_day = 7 * withdrawal_week``). None: not scored.
    policies
        visit rules per arm: ``{arm: DosePolicy(...) | SwitchPolicy(...) | (dose, switch)}``
        (:mod:`rlsmodel.trial_policies`); an arm may instead be given as
        ``Regimen.with_policy(rule)``. At each visit the rules read the reported weekly IRLS and
        the verdicts adjudicated so far, exactly as scored, and change the arm's regimen from
        the first dose after the visit. A DosePolicy's ``every_weeks`` None means every visit.
        Arms without rules run as before (bit-identical results).

    Returns
    -------
    xarray.Dataset
        with dimensions ``arm``, ``patient``, ``timepoint`` (``week_12``,
        ``end``) and ``bound`` (``lower``, ``upper``): ``augmentation_incidence``,
        ``mpi_positive_incidence``, ``practice_incidence`` (diagnosed in practice:
        clinically relevant at the maximum dose), ``noise_free_incidence`` (the noise-free verdict) and their
        Wilson 95 % intervals (``*_ci``), ``irls_change``
        and ``irls_change_sd`` (reported IRLS, mean and SD over patients), ``n_evaluated`` and
        ``n_failed`` per arm; per (arm, patient) every :data:`PATIENT_OUTCOMES` and ``status``;
        per patient the population (parameters, ``symptom_noise_sd``, ``placebo_response``).
        Incidences count eligible patients whose run succeeded. With visit rules, also
        ``dose_mg`` (arm, patient, ``visit_week``), ``median_dose_mg`` (arm, visit_week),
        ``day_switched``, ``switched_fraction``, ``policy`` and ``policy_<field>`` per arm, and
        ``attrs["policies"]`` (:mod:`rlsmodel.trial_policies`).
    """
    return _assemble(*_trial_raw(arms, n, weeks, seed, placebo, profile, baseline_weeks, model, workers, client,
                                 store, augmentation, visit_every_weeks, min_baseline_irls, chunk_size, progress,
                                 sample_every_hours, withdrawal_week, policies))


def virtual_trial_arms(arms, n=100, weeks=52, seed=0, placebo=True, profile="rls_genetic", baseline_weeks=4,
                       model=None, workers=None, augmentation=None, *, visit_every_weeks=4, min_baseline_irls=None,
                       chunk_size=None, progress=None, sample_every_hours=1.0, withdrawal_week=None) -> dict:
    """Several one-arm trials run as one: ``{name: Dataset}``, each Dataset exactly the
    :func:`virtual_trial` of that arm alone.

    ``arms`` and the other arguments as for :func:`virtual_trial` (no visit rules, no store or
    Dask client). The Dataset of arm ``name`` equals ``virtual_trial({name: arms[name]},
    placebo=False, ...)``, and with ``placebo=True`` the one under ``"placebo"`` equals
    ``virtual_trial({}, placebo=True, ...)`` (same patients, reporting noise, verdicts and
    summaries, bit for bit: every arm is scored on its own and its eligibility comes from its
    own runs). Running them as one sweep integrates each patient's untreated baseline (and
    finds its start state) once for all arms instead of once per trial, and keeps one pool of
    worker processes busy (decision 49); population fits with several trial targets use it
    (:func:`rlsmodel.calibration.predictions.prefetch_trial_arms`).
    """
    regimens, rules = _check_arms(arms, placebo, None, visit_every_weeks)
    if rules:
        raise ValueError("virtual_trial_arms runs arms without visit rules; run an arm with rules "
                         "(Regimen.with_policy) through virtual_trial")
    if chunk_size is None and isinstance(workers, numbers.Integral) and workers > 1:
        # whole patients per chunk (a patient's arms share its baseline in one process), about six
        # chunks per worker so that the last ones even out the workers' loads
        chunk_size = len(regimens) * max(1, math.ceil(checks.whole("n", n, 1) / (6 * workers)))
    parts = _trial_raw(arms, n, weeks, seed, placebo, profile, baseline_weeks, model, workers, None, None,
                       augmentation, visit_every_weeks, min_baseline_irls, chunk_size, progress, sample_every_hours,
                       withdrawal_week, None)
    raw, pop, names, regimens, n, weeks, baseline_weeks, scorer, profile, min_baseline_irls, spec, rules = parts
    out = {}
    for a, name in enumerate(names):
        one = raw.isel(sample=slice(a, None, len(names)))
        out[name] = _assemble(one, pop, [name], {name: regimens[name]}, n, weeks, baseline_weeks, scorer, profile,
                              min_baseline_irls, spec, {})
    return out


def _trial_raw(arms, n, weeks, seed, placebo, profile, baseline_weeks, model, workers, client, store, augmentation,
               visit_every_weeks, min_baseline_irls, chunk_size, progress, sample_every_hours, withdrawal_week,
               policies):
    """Check a trial's arguments, run its sweep; the arguments of :func:`_assemble`."""
    from .simulator import model_for
    from .sweeps import sweep
    from .samplers import from_matrix

    # -- everything checked before any work --------------------------------------------------
    if placebo not in (True, False):
        raise ValueError(f"placebo must be True or False; got {placebo!r}")
    n = checks.whole("n", n, 1)
    weeks = checks.whole("weeks", weeks, 1)
    seed = checks.whole("seed", seed, 0)
    baseline_weeks = checks.whole("baseline_weeks", baseline_weeks, 1)
    visit_every_weeks = checks.whole("visit_every_weeks", visit_every_weeks, 1)
    regimens, rules = _check_arms(arms, placebo, policies, visit_every_weeks)
    if withdrawal_week is not None:
        withdrawal_week = checks.whole("withdrawal_week", withdrawal_week, 1)
        if withdrawal_week >= weeks:
            raise ValueError(f"withdrawal_week must be before the last treated week ({weeks}); got "
                             f"{withdrawal_week}: lengthen the trial or withdraw earlier")
    profile = _profiles.get(profile).name
    if min_baseline_irls is not None:
        if isinstance(min_baseline_irls, bool) or not isinstance(min_baseline_irls, numbers.Real) \
                or not 0 <= float(min_baseline_irls) <= 40:
            raise ValueError(f"min_baseline_irls must be None or a number in [0, 40]; got {min_baseline_irls!r}")
        min_baseline_irls = float(min_baseline_irls)
    if store is not None:
        from .sweeps.store import check_path
        check_path(store)

    start_day = 7 * baseline_weeks
    names = list(regimens)
    shifted = [_shift(regimens[a], start_day) for a in names]
    scorer = TrialScorer(seed, start_day, weeks, visit_every_weeks, withdrawal_week)
    text = ("virtual_trial arms: " + " | ".join(f"{a} = {r.describe()}" for a, r in zip(names, shifted))
            + "; scoring: " + scorer.describe())
    if rules:        # arms with visit rules: the rules name the design too (stores made without them are refused)
        text += "; visit rules: " + " | ".join(f"{a} = {_policies.describe_policies(rules[a])}" for a in rules)
    scorer.maxima = [_policies.maximum_dose(regimens[a], rules.get(a, ())) for a in names]
    factory = ArmRegimens(shifted, text, [rules.get(a, ()) for a in names], scorer, [regimens[a] for a in names],
                          start_day)
    outcome_funcs = [OutcomeGroup(scorer.score, tuple(PATIENT_OUTCOMES),        # scored once per point
                                  units={k: u for k, (u, _) in PATIENT_OUTCOMES.items()},
                                  descriptions={k: d for k, (_, d) in PATIENT_OUTCOMES.items()})]
    if rules:
        extra = _policies.policy_outcome_names(weeks, visit_every_weeks)
        outcome_funcs.append(OutcomeGroup(_policies.PolicyOutcomes(start_day, weeks, visit_every_weeks), tuple(extra),
                                          units={k: u for k, (u, _) in extra.items()},
                                          descriptions={k: d for k, (_, d) in extra.items()}))

    model = model_for(model, augmentation)
    pop = population(n, seed, profile, model)
    params = varied_parameters(pop)
    columns = params + list(POINT_FIELDS)
    n_arms = len(names)
    values = np.empty((n * n_arms, len(columns)))
    for name in params + list(POINT_FIELDS[2:]):
        values[:, columns.index(name)] = np.repeat(pop[name].values, n_arms)
    values[:, columns.index("arm")] = np.tile(np.arange(n_arms), n)
    values[:, columns.index("patient")] = np.repeat(np.arange(n), n_arms)
    sample = from_matrix(columns, values, seed=seed)

    days = 7.0 * (baseline_weeks + weeks) + clinical.DAY_START
    raw = sweep(sample, days=days, regimen=factory, profile=profile, outcomes=outcome_funcs, store=store,
                client=client, workers=workers, model=model, chunk_size=chunk_size, progress=progress,
                sample_every_hours=sample_every_hours)
    return (raw, pop, names, regimens, n, weeks, baseline_weeks, scorer, profile, min_baseline_irls, model.spec,
            rules)


def _assemble(raw, pop, names, regimens, n, weeks, baseline_weeks, scorer, profile, min_baseline_irls,
              model_spec, rules=None) -> xr.Dataset:
    n_arms = len(names)
    shape = (n, n_arms)

    def grid(var):          # sample (patient-major) -> (arm, patient)
        return np.asarray(raw[var].values).reshape(shape).T

    status = grid("status").astype(str)
    ok = status == "ok"
    data = {"status": (("arm", "patient"), status,
                       {"long_name": "run status", "description": "ok or failed: <message>"})}
    for name, (units, desc) in PATIENT_OUTCOMES.items():
        data[name] = (("arm", "patient"), grid(name), {"units": units, "long_name": name.replace("_", " "),
                                                       "description": desc})
    # the baseline is the same in every arm (same biology and reporting before randomisation)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        baseline = np.nanmax(np.where(ok, data["baseline_irls"][1], np.nan), axis=0)
    eligible = np.ones(n, bool) if min_baseline_irls is None else baseline >= min_baseline_irls
    ok = ok & eligible[None, :]
    n_ok = ok.sum(axis=1)
    tiers = {"augmented": ("augmentation", "clinically relevant augmentation adjudicated at a visit"),
             "mpi_positive": ("mpi_positive", "MPI criteria met at some visit"),
             "augmented_biological": ("noise_free", "augmentation criteria met by the noise-free daily series "
                                                    "(the biology, without reporting noise or visits)"),
             "augmented_practice": ("practice", "augmentation diagnosed in practice (clinically relevant at the "
                                                "maximum dose: the treatment must change)")}
    for what, (label, tier) in tiers.items():
        k = np.nansum(np.where(ok, data[what][1], 0.0), axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            inc = k / n_ok
        lo, hi = wilson_interval(k, n_ok)
        data[f"{label}_incidence"] = ("arm", inc, {"units": "1", "long_name": f"fraction of patients with {tier}"})
        data[f"{label}_incidence_ci"] = (("arm", "bound"), np.stack([lo, hi], axis=1),
                                         {"units": "1", "long_name": f"Wilson 95 % interval of {label}_incidence"})
    change = np.stack([data["irls_change_week_12"][1], data["irls_change_end"][1]], axis=-1)   # arm, patient, tp
    change = np.where(ok[..., None], change, np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)      # all-NaN arms (weeks < 12, failures)
        mean = np.nanmean(change, axis=1)
        sd = np.nanstd(change, axis=1, ddof=1)
    data["irls_change"] = (("arm", "timepoint"), mean,
                           {"units": "1", "long_name": "mean change of the reported weekly IRLS from baseline",
                            "description": "negative = improvement; NaN at week_12 if the trial is shorter"})
    data["irls_change_sd"] = (("arm", "timepoint"), sd, {"units": "1", "long_name": "SD over patients of irls_change"})
    if scorer.withdrawal_week is not None:
        data.update(_withdrawal_summary(data["day_worsened"][1], ok, scorer.withdrawal_week))
    data["n_evaluated"] = ("arm", n_ok.astype(int), {"long_name": "eligible patients whose run succeeded"})
    data["eligible"] = ("patient", eligible, {"long_name": "meets the inclusion criterion",
                                              "description": f"baseline weekly IRLS >= {min_baseline_irls}"
                                              if min_baseline_irls is not None else "no inclusion criterion"})
    data["n_failed"] = ("arm", (status != "ok").sum(axis=1).astype(int), {"long_name": "patients whose run failed"})
    data["regimen"] = ("arm", np.array([regimens[a].describe() for a in names], dtype=str),
                       {"long_name": "arm regimen in trial time (day 0 = randomisation)"})
    coords = {"arm": ("arm", np.array(names, dtype=str)),
              "patient": ("patient", np.arange(n)),
              "timepoint": ("timepoint", np.array([f"week_{EARLY_WEEK}", "end"])),
              "bound": ("bound", np.array(["lower", "upper"]))}
    policy_attrs = {}
    if rules:
        more, more_coords, policy_attrs = _policies.policy_summary(grid, ok, names, rules, weeks,
                                                                   scorer.visit_every_weeks)
        data.update(more)
        coords.update(more_coords)
    ds = xr.Dataset(data, coords=coords)
    for name, var in pop.data_vars.items():
        ds[name] = var
    ds.attrs.update({k: raw.attrs[k] for k in ("rlsmodel_version", "model_structure") if k in raw.attrs})
    ds.attrs.update(model_spec.attrs())      # the model's description, as every output records it
    ds.attrs.update({
        "title": "rlsmodel virtual trial", "profile": profile, "seed": scorer.seed, "n_per_arm": n,
        "weeks": weeks, "baseline_weeks": baseline_weeks,
        "min_baseline_irls": "none" if min_baseline_irls is None else min_baseline_irls,
        "visit_weeks": json.dumps(scorer.visit_weeks()),
        "withdrawal_week": "none" if scorer.withdrawal_week is None else scorer.withdrawal_week,
        "scoring": scorer.describe(),
        "description": "design and adjudication: rlsmodel.trial module docstring, docs/population.md",
    })
    ds.attrs.update(policy_attrs)
    return ds


def _withdrawal_summary(day_worsened, ok, withdrawal_week) -> dict:
    """Per arm: fraction worsened by the end, and the median days to worsening.

    The median counts patients who never worsened as worsening after the end (infinite), so
    it is ``inf`` when half or more never worsened (Trenkwalder et al. 2006: "> 84 days").
    """
    days = np.where(ok, day_worsened, np.nan)
    n_ok = ok.sum(axis=1)
    k = np.sum(ok & np.isfinite(day_worsened), axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        frac = k / n_ok
    lo, hi = wilson_interval(k, n_ok)
    median = np.full(days.shape[0], np.nan)
    for a in range(days.shape[0]):
        d = day_worsened[a][ok[a]]
        if d.size:
            median[a] = float(np.median(np.where(np.isfinite(d), d, np.inf)))
    return {
        "worsened_incidence": ("arm", frac, {"units": "1", "long_name": "fraction worsened after the withdrawal week",
                                             "description": f"weekly IRLS >= {WORSENING_IRLS_POINTS:g} points above "
                                                            f"that of week {withdrawal_week} by the end"}),
        "worsened_incidence_ci": (("arm", "bound"), np.stack([lo, hi], axis=1),
                                  {"units": "1", "long_name": "Wilson 95 % interval of worsened_incidence"}),
        "median_days_to_worsening": ("arm", median, {"units": "day", "long_name": "median days to worsening",
                                                     "description": "inf: half or more never worsened"}),
    }


__all__ = ["virtual_trial", "virtual_trial_arms", "wilson_interval", "format_incidence", "daily_fluctuation", "TrialScorer", "NoDrug", "PLACEBO",
           "PATIENT_OUTCOMES", "WORSENING_IRLS_POINTS"]
