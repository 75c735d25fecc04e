"""Planning a run of :meth:`rlsmodel.Model.simulate` / :meth:`rlsmodel.Model.run`.

:func:`plan` checks every argument, warns (parameters outside their declared ranges, a
regimen without a dose in the run), estimates the run's size (refusing one above the limits,
:mod:`rlsmodel.runplan`) and lists its dose events, before anything is integrated: a
:class:`RunPlan`. The model integrates the plan (:meth:`rlsmodel.Model.simulate`).
"""
from __future__ import annotations

import contextlib
import dataclasses
import warnings

import numpy as np

from . import checks as _checks
from . import runplan as _runplan
from .activity import MODES, Activity, with_schedule_parameters
from .errors import EvaluationError, RegimenWarning
from .integrate import ENGINES, IntegrationError, SolverSettings
from .model.system import closest


@dataclasses.dataclass(frozen=True)
class RunPlan:
    """A checked run of :meth:`Model.simulate` / :meth:`Model.run`, before integration."""

    days: float
    t: np.ndarray                 # sample times (days)
    p: np.ndarray                 # parameter vector
    params: object                # the caller's overrides, with the schedule's parameters
    activity: Activity
    settings: SolverSettings
    names: list                   # variables the result returns (keep=)
    outside: dict                 # parameters outside their declared ranges
    size: object                  # rlsmodel.runplan.RunEstimate
    events: list
    attrs: dict                   # regimen attrs
    progress: object
    regimen: object = None        # the regimen (a visit-rule regimen is run in segments)


def plan(model, days, profile, params, regimen, sample_every_hours, activity, engine, rtol, atol,
         engine_options, keep, progress, warn, holds_states) -> RunPlan:
    """Check every argument of :meth:`Model.simulate` / :meth:`Model.run` for ``model``, warn
    (ranges, dose-less regimen), estimate the run's size (refusing one above the limits) and
    list its events, before anything is integrated. ``holds_states``: the run keeps every
    state and observable (a :class:`~rlsmodel.simulator.Run`), whatever ``keep`` says."""
    days = _checks.positive("days", days, "days")
    dt_h = _checks.positive("sample_every_hours", sample_every_hours, "hours")
    settings = run_settings(model.settings, engine, rtol, atol, engine_options)
    activity = Activity.default() if activity is None else activity
    if not isinstance(activity, Activity):
        raise ValueError(f"activity must be an rlsmodel.activity.Activity; got {_checks.describe_value(activity)}")
    params = with_schedule_parameters(params, activity)
    check_regimen(regimen)
    _checks.flag("progress", progress)
    names = model.kept_variables(keep)
    p = model.parameter_vector(profile, params)
    values = model.resolve_parameters(profile, params)
    # stacklevel 4: flag_ranges, plan, simulate/run, the caller
    outside = model.flag_ranges(values, stacklevel=4, warn=_checks.flag("warn", warn, (True, False)))
    held = model.kept_variables(None) if holds_states else names
    size = _runplan.estimate(days, dt_h, bytes_per_sample(held), len(held), model.compiled.n_states,
                             len(model.compiled.observable_names), count_doses(regimen, days), settings.engine,
                             _runplan.block_days(settings))
    size.check()
    events, attrs = [], {"regimen": "none"}
    if regimen is not None:
        events = model.system.ledger_events(regimen.events(model, days, params=values))
        attrs = {"regimen": regimen.describe()}
        if not events and warn:
            warnings.warn(_checks.no_dose_message(regimen, days), RegimenWarning, stacklevel=3)   # plan, simulate/run, the caller
    return RunPlan(days, _runplan.sample_times(days, dt_h), p, params, activity, settings, names, outside,
                   size, events, attrs, progress, regimen)


def run_settings(own: SolverSettings, engine, rtol, atol, engine_options) -> SolverSettings:
    """Solver settings of one run: the model's (``own``), or, for another engine than the
    model's, that engine's own default tolerances and no options (unless given). Tolerances
    must be numbers (strings are refused)."""
    if engine is not None and not isinstance(engine, str):
        raise ValueError(f"engine must be a name ({', '.join(ENGINES)}); got {_checks.describe_value(engine)}")
    engine = engine or own.engine
    same = engine == own.engine       # another engine: its own defaults
    if rtol is not None:
        rtol = _checks.real("rtol", rtol, "a positive finite number")
    elif same:
        rtol = own.rtol
    if atol is not None:
        atol = _checks.real("atol", atol, "a positive finite number")
    elif same:
        atol = own.atol
    if engine_options is None:
        engine_options = own.engine_options if same else ()
    return SolverSettings(engine=engine, rtol=rtol, atol=atol, engine_options=engine_options).validate()


def kept_variables(every: list, keep) -> list:
    """Names of the variables a run returns: all of ``every`` (``keep=None``) or the ``keep``
    list, in ``every``'s order; ``ValueError`` naming an unknown one."""
    if keep is None:
        return list(every)
    wanted = [keep] if isinstance(keep, str) else keep
    if not hasattr(wanted, "__iter__") or isinstance(wanted, (bytes, dict)):
        raise ValueError(f"keep must be None or a list of variable names; got {_checks.describe_value(keep)}")
    wanted = list(wanted)
    if not wanted:
        raise ValueError("keep is empty: give the names of the variables to return "
                         "(e.g. keep=['brain_iron', 'symptom']), or None for all")
    for name in wanted:
        if not isinstance(name, str) or name not in every:
            raise ValueError(f"keep: unknown variable {name!r}; " + closest(str(name), every))
    return [n for n in every if n in set(wanted)]


def bytes_per_sample(names) -> float:
    """Bytes one sample of the variables ``names`` takes in a result."""
    return sum(4.0 * max(len(m) for m in MODES) if n == "activity" else 8.0 for n in names)


def check_regimen(regimen) -> None:
    """A regimen is None or an object with ``events(model, days, params)`` and ``describe()``."""
    if regimen is None or (hasattr(regimen, "events") and hasattr(regimen, "describe")):
        return
    if isinstance(regimen, str):
        raise ValueError(f"regimen must be an rlsmodel.Regimen, not the string {regimen!r}; build one, e.g. "
                         f"Regimen.daily({regimen!r}, dose_mg, clock_hour=21.0) or Regimen.once(...) "
                         "(from rlsmodel import Regimen)")
    raise ValueError("regimen must be None or an rlsmodel.Regimen (Regimen.daily/once/escalation); got "
                     + _checks.describe_value(regimen))


def count_doses(regimen, days: float) -> int:
    """Dose events of ``regimen`` within ``days`` (counted without listing them), 0 if unknown."""
    schedules = getattr(regimen, "schedules", None)
    if not schedules:
        return 0
    return sum(len(s.dose_days(days)) + 1 for s in schedules)


@contextlib.contextmanager
def named_failures(outside: dict):
    """Name the parameters outside their declared ranges when the equations or the
    integrator fail (the usual cause), and turn arithmetic overflows into EvaluationError."""
    note = ""
    if outside:
        note = (" Parameters outside their declared ranges (the likely cause): "
                + "; ".join(f"{n} = {v['value']:g} (range {v['range'][0]:g}-{v['range'][1]:g})"
                            for n, v in outside.items()) + ".")
    try:
        yield
    except IntegrationError as exc:
        if not note:
            raise
        raise IntegrationError(f"{exc}.{note}") from exc
    except (OverflowError, FloatingPointError, ZeroDivisionError) as exc:
        raise EvaluationError(f"the model's equations could not be evaluated ({type(exc).__name__}: {exc})."
                              + (note or " Every parameter lies inside its declared range; please report "
                                 "this with the call that caused it.")) from exc


__all__ = ["RunPlan", "plan", "run_settings", "kept_variables", "bytes_per_sample", "check_regimen", "count_doses",
           "named_failures"]
