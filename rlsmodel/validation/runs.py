"""The simulations shared by the targets of one scorecard, and how checks read them.

:class:`Runs` holds one model and memoises every steady state and simulation the checks
ask for, so a drug's two-year run is simulated once and read by its acute-benefit,
augmentation and receptor targets. It is parameterised by the model only: scoring another
hypothesis is ``Runs(Model(augmentation=...), quick)``. New kinds of shared runs use
:meth:`Runs.shared` with a key of their own; the population targets share one virtual trial
(:meth:`Runs.population_trial`), made only when ``population`` is given.

Conventions: slow quantities compare day-averaged steady states (:meth:`Runs.steady`);
daily rhythms use the entrained second day of a 2-day run sampled every 5 minutes, read
from noon to noon so that the night is contiguous (:meth:`Runs.day`; frame hour 24 =
midnight, 25 = 01:00). Treated runs follow :mod:`rlsmodel.clinical.protocol`: the symptom day
of the first dose (day :data:`~rlsmodel.validation.protocol.BASELINE_DAYS`) is the first
treated day, every earlier one is the baseline of the augmentation verdict.
"""
from __future__ import annotations

import math

import numpy as np

from .. import checks
from .protocol import (BASELINE_DAYS, DOSES, HORIZONS, IRON_COURSE_WEEKS, IRON_PROFILE, IRON_REGIMENS,
                       IRON_START_DAY, IRON_TRIAL_ARM, IRON_TRIAL_WEEKS,
                       POPULATION_MIN_BASELINE_IRLS, POPULATION_PROFILE, POPULATION_SEED, POPULATION_WEEKS,
                       SHORT_STOP_DAYS, SWITCH_FOLLOW_WEEKS, SWITCH_SOURCE, SWITCH_TARGETS, SWITCH_WASHOUT_DAYS,
                       SWITCH_WEEK, TREATMENT_PROFILE, population_arm, population_regimens, LONG_TERM_WEEKS,
                       long_term_regimens)


class Runs:
    """Simulations and steady states of ``model`` shared by the targets of one scorecard.

    ``quick`` selects the horizons (:data:`~rlsmodel.validation.protocol.HORIZONS`), kept
    in ``self.h``. ``population`` (patients per arm, or None), ``seed``, ``workers`` and
    ``population_weeks`` describe the population targets' virtual trial
    (:meth:`population_trial`); ``progress`` shows its progress bar.
    """

    #: memo keys that are not simulations (not counted by :attr:`simulation_count`)
    _NOT_SIMULATIONS = ("steady",)

    def __init__(self, model, quick: bool, population=None, seed=POPULATION_SEED, workers=None,
                 population_weeks=POPULATION_WEEKS, progress: bool = False):
        self.model = model
        self.quick = quick
        self.h = HORIZONS[bool(quick)]
        self.population = check_population(population)
        self.seed = check_seed(seed)
        self.workers = check_workers(workers)
        self.population_weeks = _check_whole("population_weeks", population_weeks, 1)
        self.progress = bool(progress)
        self._cache = {}

    def shared(self, key, make):
        """``make()`` the first time ``key`` (a tuple starting with the kind of run) is
        asked for, the same object afterwards."""
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]

    @property
    def simulation_count(self) -> int:
        """Simulations made so far (steady states not counted)."""
        return sum(1 for k in self._cache if k[0] not in self._NOT_SIMULATIONS)

    # -- building blocks -------------------------------------------------------------------
    def steady(self, profile="healthy", **params):
        """Day-averaged steady state of a profile (Dataset without time)."""
        key = ("steady", profile, tuple(sorted(params.items())))
        return self.shared(key, lambda: self.model.steady_state(profile, params=params or None))

    def ss(self, profile, name, **params) -> float:
        """``name`` in the day-averaged steady state of ``profile``."""
        return float(self.steady(profile, **params)[name])

    def day(self, profile="healthy", **params):
        """The entrained day of an untreated profile, noon to noon, 5-min samples.

        A 2-day run from the daily limit cycle, times [0.5, 1.5) days, with coordinate
        ``hour`` in [12, 36) (24 = midnight).
        """
        key = ("day", profile, tuple(sorted(params.items())))

        def make():
            ds = self.model.simulate(2, profile, params=params or None, sample_every_hours=1.0 / 12.0)
            d = ds.sel(time=slice(0.5, 1.5 - 1e-9))
            return d.assign_coords(hour=("time", np.round(d.time.values * 24.0, 9)))
        return self.shared(key, make)

    def at(self, profile, name, clock_hour, **params) -> float:
        """``name`` at ``clock_hour`` (0-24) of the entrained day of ``profile``."""
        d = self.day(profile, **params)
        return float(np.interp(frame_hour(clock_hour), d["hour"].values, d[name].values))

    def untreated_daily(self, profile, days=14):
        """Daily outcomes (:func:`rlsmodel.outcomes.daily`) of an untreated run of ``days`` days."""
        from .. import outcomes
        key = ("untreated_daily", profile, days)
        return self.shared(key, lambda: outcomes.daily(self.model.simulate(
            days, profile, sample_every_hours=self.h["sample_every_hours"])))

    # -- treatment ---------------------------------------------------------------------------
    def treatment(self, drug, profile=TREATMENT_PROFILE, dose=None):
        """Baseline + daily drug for the mode's horizon: dict(ds, daily, verdict, days, start)."""
        from .. import clinical, outcomes
        from ..pharmacology import Regimen
        dose0, hour = DOSES[drug]
        dose = dose0 if dose is None else dose
        key = ("treatment", drug, profile, dose)

        def make():
            days = BASELINE_DAYS + self.h["treatment_days"]
            reg = Regimen.daily(drug, dose, hour, start_day=BASELINE_DAYS)
            ds = self.model.simulate(days, profile, regimen=reg,
                                     sample_every_hours=self.h["sample_every_hours"])
            return {"ds": ds, "daily": outcomes.daily(ds),
                    "verdict": outcomes.augmentation(
                        ds, regimen_start_day=clinical.treatment_start(BASELINE_DAYS, hour)),
                    "start": BASELINE_DAYS, "days": self.h["treatment_days"]}
        return self.shared(key, make)

    def stop(self, drug, profile=TREATMENT_PROFILE, short=False):
        """Baseline, daily drug, then days without it: ``short`` = :data:`SHORT_STOP_DAYS` of
        treatment and 14 days off; otherwise ``stop_after_days`` and ``off_days``."""
        from .. import outcomes
        from ..pharmacology import Regimen
        dose, hour = DOSES[drug]
        key = ("stop", drug, profile, short)

        def make():
            treat, off = (SHORT_STOP_DAYS, 14) if short else (self.h["stop_after_days"], self.h["off_days"])
            stop_day = BASELINE_DAYS + treat
            reg = Regimen.daily(drug, dose, hour, start_day=BASELINE_DAYS, stop_day=stop_day)
            ds = self.model.simulate(stop_day + off, profile, regimen=reg,
                                     sample_every_hours=self.h["sample_every_hours"])
            return {"ds": ds, "daily": outcomes.daily(ds), "stop_day": stop_day, "hour": hour}
        return self.shared(key, make)

    # -- population ------------------------------------------------------------------------------
    def population_trial(self):
        """The population targets' virtual trial (:func:`rlsmodel.virtual_trial`), made once.

        Every arm of :func:`~rlsmodel.validation.protocol.population_regimens` plus placebo,
        ``population`` patients per arm (the same patients in every arm) of
        :data:`~rlsmodel.validation.protocol.POPULATION_PROFILE`, ``population_weeks`` treated
        weeks, inclusion baseline IRLS >= :data:`~rlsmodel.validation.protocol.POPULATION_MIN_BASELINE_IRLS`.
        """
        if self.population is None:
            raise ValueError("this scorecard has no virtual population: pass population=N (patients per arm) "
                             "to validate() or Runs(), or run rlsmodel validate --population N")
        key = ("population", self.population, self.seed, self.population_weeks)

        def make():
            from ..trial import virtual_trial
            return virtual_trial(population_regimens(), n=self.population, weeks=self.population_weeks,
                                 seed=self.seed, placebo=True, profile=POPULATION_PROFILE, model=self.model,
                                 workers=self.workers, min_baseline_irls=POPULATION_MIN_BASELINE_IRLS,
                                 progress=self.progress)
        return self.shared(key, make)

    def long_term_trial(self):
        """The long-term targets' virtual trial (issue 22), made once: the arms of
        :func:`~rlsmodel.validation.protocol.long_term_regimens` plus placebo, ``population``
        patients per arm (the same patients, seed and inclusion criterion as
        :meth:`population_trial`), :data:`~rlsmodel.validation.protocol.LONG_TERM_WEEKS` treated
        weeks. It costs about five times the 52-week trial per arm (0.16 s per patient-year on one
        core).
        """
        if self.population is None:
            raise ValueError("this scorecard has no virtual population: pass population=N (patients per arm) "
                             "to validate() or Runs(), or run rlsmodel validate --population N")
        key = ("long_term", self.population, self.seed, LONG_TERM_WEEKS)

        def make():
            from ..trial import virtual_trial
            return virtual_trial(long_term_regimens(), n=self.population, weeks=LONG_TERM_WEEKS,
                                 seed=self.seed, placebo=True, profile=POPULATION_PROFILE, model=self.model,
                                 workers=self.workers, min_baseline_irls=POPULATION_MIN_BASELINE_IRLS,
                                 progress=self.progress)
        return self.shared(key, make)

    def switching_course(self):
        """The switching rows' course (:func:`rlsmodel.switch_course.simulate_switches`), made once.

        Patients of the population trial (:meth:`population_trial`) scored in its
        :data:`~rlsmodel.validation.protocol.SWITCH_SOURCE` arm and MPI-positive at a visit up
        to week :data:`~rlsmodel.validation.protocol.SWITCH_WEEK` (or the trial's last week) are
        run again from randomisation: the source drug to that week, then (after
        :data:`~rlsmodel.validation.protocol.SWITCH_WASHOUT_DAYS` days) each of
        :data:`~rlsmodel.validation.protocol.SWITCH_TARGETS`, or nothing (the stop arm), for
        :data:`~rlsmodel.validation.protocol.SWITCH_FOLLOW_WEEKS` weeks. Returns the course
        Dataset (``attrs["arms"]``: JSON ``{role: arm name}``), or None when no patient qualifies.
        """
        key = ("switching", self.population, self.seed, self.population_weeks)

        def make():
            import json
            from ..populations import population
            from .. import switch_course as sc
            trial = self.population_trial()
            week = min(SWITCH_WEEK, self.population_weeks)
            arm = population_arm(SWITCH_SOURCE)
            a = trial.sel(arm=arm)
            ok = (np.asarray(a["status"].values).astype(str) == "ok") & np.asarray(trial["eligible"].values, bool)
            day = np.asarray(a["day_met"].values, dtype=float)
            patients = np.flatnonzero(ok & np.isfinite(day) & (day <= 7 * week))
            if patients.size == 0:
                return None
            dose = DOSES[SWITCH_SOURCE][0]
            names = sc.arm_names(SWITCH_SOURCE, dose, SWITCH_TARGETS)
            names.pop(sc.CONTINUE)
            regs = sc.switch_regimens(7 * week, SWITCH_WASHOUT_DAYS, SWITCH_SOURCE, dose, SWITCH_TARGETS)
            pop = population(self.population, self.seed, POPULATION_PROFILE, self.model)
            course = sc.simulate_switches(self.model, pop, patients, {names[r]: regs[r] for r in names},
                                          seed=self.seed, switch_week=week, follow_weeks=SWITCH_FOLLOW_WEEKS,
                                          profile=POPULATION_PROFILE, workers=self.workers, progress=self.progress)
            course.attrs["arms"] = json.dumps(names)
            return course
        return self.shared(key, make)

    # -- iron ----------------------------------------------------------------------------------
    def iron(self, arm, profile=IRON_PROFILE):
        """Iron run: ``arm`` in ("none", "iv", "oral") from :data:`IRON_START_DAY`; hourly samples."""
        from .. import outcomes
        from ..pharmacology import Regimen
        key = ("iron", arm, profile)

        def make():
            days = IRON_START_DAY + self.h["iron_days"]
            reg = None
            if arm != "none":
                drug, dose, hour, daily = IRON_REGIMENS[arm]
                reg = (Regimen.daily(drug, dose, hour, start_day=IRON_START_DAY) if daily
                       else Regimen.once(drug, dose, IRON_START_DAY, hour))
            ds = self.model.simulate(days, profile, regimen=reg, sample_every_hours=1.0)
            return {"ds": ds, "daily": outcomes.daily(ds)}
        return self.shared(key, make)

    def iron_course(self, arm, profile=IRON_PROFILE):
        """An IV-iron course run, made once: :data:`IRON_COURSE_WEEKS` weeks after :data:`IRON_START_DAY`.

        Parameters
        ----------
        arm : str
            ``"none"`` (untreated) or ``"iv"`` (1000 mg ferric carboxymaltose on :data:`IRON_START_DAY`).
        profile : str
            Patient profile.

        Returns
        -------
        dict
            ``{"ds": Dataset (hourly samples, whatever the mode), "daily": daily outcomes}``.
        """
        from .. import outcomes
        from ..pharmacology import Regimen
        if arm not in ("none", "iv"):
            raise ValueError(f"iron_course arm must be 'none' or 'iv'; got {arm!r}")
        key = ("iron_course", arm, profile)

        def make():
            days = IRON_START_DAY + 7 * IRON_COURSE_WEEKS
            reg = None
            if arm == "iv":
                drug, dose, hour, _ = IRON_REGIMENS["iv"]
                reg = Regimen.once(drug, dose, IRON_START_DAY, hour)
            ds = self.model.simulate(days, profile, regimen=reg, sample_every_hours=1.0)
            return {"ds": ds, "daily": outcomes.daily(ds)}
        return self.shared(key, make)

    def iron_trial(self, weeks):
        """The IV-iron virtual trial (:func:`rlsmodel.virtual_trial`), made once per horizon.

        1000 mg ferric carboxymaltose on the randomisation day against placebo, ``population``
        patients of :data:`IRON_PROFILE` per arm, inclusion baseline IRLS >=
        :data:`~rlsmodel.validation.protocol.POPULATION_MIN_BASELINE_IRLS`.

        Parameters
        ----------
        weeks : int
            Treated weeks, one of :data:`IRON_TRIAL_WEEKS`; the trial's last week is week ``weeks``.

        Returns
        -------
        xarray.Dataset
            The trial, arms :data:`IRON_TRIAL_ARM` and placebo.
        """
        if self.population is None:
            raise ValueError("this scorecard has no virtual population: pass population=N (patients per arm) "
                             "to validate() or Runs(), or run rlsmodel validate --population N")
        if weeks not in IRON_TRIAL_WEEKS:
            raise ValueError(f"iron_trial weeks must be one of {IRON_TRIAL_WEEKS}; got {weeks!r}")
        key = ("iron_trial", self.population, self.seed, weeks)

        def make():
            from ..pharmacology import Regimen
            from ..trial import virtual_trial
            drug, dose, hour, _ = IRON_REGIMENS["iv"]
            return virtual_trial({IRON_TRIAL_ARM: Regimen.once(drug, dose, 0, hour)}, n=self.population,
                                 weeks=weeks, seed=self.seed, placebo=True, profile=IRON_PROFILE,
                                 model=self.model, workers=self.workers,
                                 min_baseline_irls=POPULATION_MIN_BASELINE_IRLS, progress=self.progress)
        return self.shared(key, make)


# -- checking the population options -------------------------------------------------------------
def _check_whole(name, value, minimum, fix=""):
    return checks.whole(name, value, minimum, note=fix)


def check_population(population):
    """``population`` (patients per arm of the population trial) as an int >= 1, or None."""
    if population is None:
        return None
    return _check_whole("population", population, 1, " (patients per arm; None: no population targets)")


def check_seed(seed) -> int:
    """The population trial's seed as an int >= 0."""
    return _check_whole("seed", seed, 0)


def check_workers(workers):
    """Local worker processes of the population trial: None (serial) or an int >= 1."""
    if workers is None:
        return None
    return _check_whole("workers", workers, 1, " (local processes; None: serial)")


# -- reading the runs ----------------------------------------------------------------------------
def frame_hour(clock_hour):
    """Clock hour (0-24) -> noon-to-noon frame hour (12-36)."""
    return clock_hour if clock_hour >= 12.0 else clock_hour + 24.0


def hhmm(hour) -> str:
    """A clock or frame hour as ``HH:MM``."""
    h = float(hour) % 24.0
    return f"{int(h):02d}:{int(round((h % 1) * 60)) % 60:02d}"


def relative_change(a, b):
    """``a / b - 1``."""
    return a / b - 1.0


def percent(x, digits=1) -> str:
    """A relative change as a signed percentage, e.g. ``+12.3%``."""
    return f"{100 * x:+.{digits}f}%"


def window_mean(data, variable, start, end, coord="day") -> float:
    """Mean of ``variable`` over ``start <= coord < end`` (NaNs ignored; NaN if the window is
    empty): symptom days of a daily-outcomes Dataset, or times (days) of a run."""
    x = data[coord].values
    sel = (x >= start) & (x < end)
    return float(np.nanmean(data[variable].values[sel])) if sel.any() else math.nan


def weekly_mean(ds, name, t0, week) -> float:
    """Mean of ``name`` over week ``week`` (1-based) after time ``t0`` (days) of a run."""
    return window_mean(ds, name, t0 + 7.0 * (week - 1), t0 + 7.0 * week, coord="time")


def value_at(ds, name, t) -> float:
    """``name`` at time ``t`` (days) of a run, linearly interpolated."""
    return float(np.interp(t, ds["time"].values, ds[name].values))


def days_after_start(verdict, key, start) -> float:
    """Days from ``start`` to the augmentation verdict's day ``key`` (NaN if never)."""
    d = verdict[key]
    return math.nan if d is None else float(d - start)


def format_day(x) -> str:
    """``day N`` or ``none``."""
    return "none" if not np.isfinite(x) else f"day {x:.0f}"
