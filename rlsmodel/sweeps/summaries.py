"""Outcome functions: summaries of one simulated trajectory (an ``xarray.Dataset``) to a float.

A sweep keeps these numbers, not the trajectories. Built-in outcomes are named:

* ``<variable>_final``: the value of a state or observable at the last sample (its unit);
* ``<variable>_mean_last_day`` / ``_max_last_day`` / ``_min_last_day``: over the last
  24 hours of the run (samples with ``time >= days - 1``), in the variable's unit. Needs a
  run of at least one day and samples at most 3 h apart (a daily statistic of two 24-hourly
  samples is not one);
* ``<daily readout>_last_symptom_day``: a
  readout of :func:`rlsmodel.outcomes.daily` (``irls``, ``peak``, ``onset_hour``,
  ``burden``, ...) on the last complete 06:00-06:00 symptom day; NaN if the run holds
  none. Needs samples at most 3 h apart.

User outcomes are any callables ``f(ds) -> float``; an optional ``units`` attribute on the
callable is recorded in the output. Several outcomes that come from one computation (an
augmentation verdict, a trial's scoring) are an :class:`OutcomeGroup`: ``f(ds) -> {name:
float}`` called once per point, one output variable per name.

Outcomes that read only arrays (the built-in ``_final`` and ``_last_day`` ones) also have
``from_run(run)`` (a :class:`rlsmodel.simulator.Run`): a sweep whose outcomes all have it builds
no Dataset per point.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..clinical.readouts import READOUT_UNITS
from ..model.system import closest

STATISTICS = ("mean", "max", "min")
#: Widest sample spacing (h) the daily outcomes (``_last_day``, ``_last_symptom_day``) accept.
MAX_SAMPLE_HOURS = 3.0
#: Observables always among the default outcomes (final values), besides every dynamic state.
DEFAULT_OBSERVABLES = ("serum_ferritin", "brain_iron")
#: Variables produced by the simulator beyond declared states and observables: none since
#: ``total_body_iron``, ``activity_factor`` and ``symptom`` are declared observables (issue 16).
DERIVED_VARIABLES = {}


@dataclass(frozen=True)
class Final:
    """Value of ``variable`` at the end of the run."""

    variable: str

    def __call__(self, ds) -> float:
        return float(ds[self.variable].values[-1])

    def from_run(self, run) -> float:
        return float(run.variable(self.variable)[-1])


@dataclass(frozen=True)
class LastDay:
    """``statistic`` (mean, max or min) of ``variable`` over the last 24 h of the run."""

    variable: str
    statistic: str
    #: the sweep checks these before any point runs (:func:`check_sampling`)
    max_sample_hours = MAX_SAMPLE_HOURS
    min_days = 1.0

    def __call__(self, ds) -> float:
        return self._of(ds["time"].values, ds[self.variable].values)

    def from_run(self, run) -> float:
        return self._of(run.time, run.variable(self.variable))

    def _of(self, t, values) -> float:
        t = np.asarray(t, dtype=float)
        name = f"{self.variable}_{self.statistic}_last_day"
        if t.size < 2 or t[-1] - t[0] < self.min_days - 1e-9:
            span = (t[-1] - t[0]) * 24.0 if t.size else 0.0
            raise ValueError(f"outcome {name}: the run covers {span:.3g} h; a last-day outcome needs a run of at "
                             "least 24 h (days >= 1)")
        last = t >= t[-1] - 1.0 + 1e-9
        step = float(np.max(np.diff(t[np.flatnonzero(last)[0] - 1:]))) * 24.0
        if step > self.max_sample_hours + 1e-9:
            raise ValueError(f"outcome {name}: samples are {step:.3g} h apart; a last-day outcome needs samples "
                             f"at most {self.max_sample_hours:g} h apart (sample_every_hours <= "
                             f"{self.max_sample_hours:g}; 0.25-1 is typical)")
        return float(getattr(np, self.statistic)(values[last]))


#: Readouts of rlsmodel.outcomes.daily -> unit (the one table: rlsmodel.clinical.readouts).
DAILY_READOUTS = READOUT_UNITS


@dataclass(frozen=True)
class LastSymptomDay:
    """Readout ``variable`` of :func:`rlsmodel.outcomes.daily` on the last complete symptom day."""

    variable: str
    #: the sweep checks this before any point runs (:func:`check_sampling`)
    max_sample_hours = MAX_SAMPLE_HOURS
    min_days = 0.0

    def __call__(self, ds) -> float:
        from .. import outcomes
        t = ds["time"].values
        if t[-1] - t[0] < 1.0 + 1e-9:        # no complete 06:00-06:00 day can fit
            return float("nan")
        daily = outcomes.daily(ds)
        if daily.sizes.get("day", 0) == 0:
            return float("nan")
        return float(daily[self.variable].values[-1])


class OutcomeGroup:
    """Several sweep outcomes computed together: ``func(ds) -> {name: float}`` for ``names``.

    Give it in a sweep's ``outcomes`` mapping (the key is only a label) or list: it adds one
    output variable per name, and the sweep calls ``func`` once per point (not once per
    name). ``units`` and ``descriptions``: optional ``{name: text}`` for the output attrs.
    Picklable when ``func`` is (it travels to worker processes).
    """

    def __init__(self, func, names, units=None, descriptions=None):
        if not callable(func):
            raise ValueError(f"OutcomeGroup needs a callable(ds) -> {{name: float}}; got {type(func).__name__}")
        names = tuple(names)
        if not names or not all(isinstance(n, str) and n.isidentifier() for n in names):
            raise ValueError(f"OutcomeGroup names must be a non-empty list of identifiers; got {names!r}")
        if len(set(names)) != len(names):
            raise ValueError(f"OutcomeGroup names repeat: {names!r}")
        self.func, self.names = func, names
        self.units = dict(units or {})
        self.descriptions = dict(descriptions or {})

    def __call__(self, ds) -> dict:
        out = self.func(ds)
        if not hasattr(out, "keys") or not set(self.names) <= set(out.keys()):
            got = sorted(out.keys()) if hasattr(out, "keys") else type(out).__name__
            raise ValueError(f"outcome group returned {got}; it must return a mapping with {list(self.names)}")
        return out

    def __repr__(self):
        return f"OutcomeGroup({getattr(self.func, '__qualname__', self.func)!r}, names={self.names!r})"


@dataclass(frozen=True, eq=False)
class GroupMember:
    """One value of an :class:`OutcomeGroup` (how a group appears among resolved outcomes)."""

    group: OutcomeGroup
    name: str

    def __call__(self, ds) -> float:
        return self.group(ds)[self.name]


def evaluate(funcs: dict, ds) -> list:
    """Every outcome of ``funcs`` on ``ds`` (a Dataset, or a :class:`~rlsmodel.simulator.Run`
    when every outcome has ``from_run``), each :class:`OutcomeGroup` called once."""
    groups, out = {}, []
    is_run = not hasattr(ds, "data_vars")
    for func in funcs.values():
        if isinstance(func, GroupMember):
            key = id(func.group)
            if key not in groups:
                groups[key] = func.group(ds)
            out.append(groups[key][func.name])
        else:
            out.append(func.from_run(ds) if is_run else func(ds))
    return out


def check_sampling(funcs: dict, days: float, sample_every_hours: float) -> None:
    """Refuse, before any point runs, built-in outcomes the run length or sample spacing
    cannot give (``max_sample_hours`` and ``min_days`` of the outcome), naming each and the fix."""
    coarse = [n for n, f in funcs.items() if sample_every_hours > getattr(f, "max_sample_hours", np.inf) + 1e-12]
    if coarse:
        raise ValueError(f"outcome(s) {', '.join(coarse)} need samples at most {MAX_SAMPLE_HOURS:g} h apart; "
                         f"sample_every_hours is {sample_every_hours:g}. Set sample_every_hours <= "
                         f"{MAX_SAMPLE_HOURS:g} (0.25-1 is typical), or choose _final outcomes")
    short = [n for n, f in funcs.items() if days < getattr(f, "min_days", 0.0) - 1e-12]
    if short:
        raise ValueError(f"outcome(s) {', '.join(short)} summarise the last 24 h of the run, but days is "
                         f"{days:g} ({days * 24:g} h). Run at least 1 day, or choose _final outcomes")


def reads_arrays_only(funcs: dict) -> bool:
    """True when every outcome can be computed from a Run (no Dataset needed)."""
    return all(hasattr(f, "from_run") for f in funcs.values())


def variable_units(model) -> dict:
    """name -> unit of every variable a simulation returns (states and observables)."""
    units = {n: s.unit for n, s in model.states.items()}
    units.update({n: o.unit for n, o in model.observables.items()})
    return units


def builtin(name: str, model):
    """The built-in outcome called ``name`` (see the module docstring)."""
    units = variable_units(model)
    if name.endswith("_final") and name[:-6] in units:
        return Final(name[:-6])
    for stat in STATISTICS:
        suffix = f"_{stat}_last_day"
        if name.endswith(suffix) and name[: -len(suffix)] in units:
            return LastDay(name[: -len(suffix)], stat)
    suffix = "_last_symptom_day"
    if name.endswith(suffix) and name[: -len(suffix)] in DAILY_READOUTS:
        return LastSymptomDay(name[: -len(suffix)])
    examples = [f"{v}_final" for v in units] + [f"{v}_{s}_last_day" for v in ("symptom", "d2_density")
                                                for s in STATISTICS]
    examples += [f"{r}_last_symptom_day" for r in DAILY_READOUTS]
    raise ValueError(f"unknown outcome {name!r}: outcomes are <variable>_final, "
                     f"<variable>_(mean|max|min)_last_day or <daily readout>_last_symptom_day; "
                     + closest(name, examples))


def default_outcomes(model, days=None, sample_every_hours=None) -> dict:
    """Final dynamic states, final serum ferritin and brain iron, and the last day's peak symptom.

    The last day's peak symptom is left out when the run (``days``) is shorter than a day or
    its samples are more than :data:`MAX_SAMPLE_HOURS` apart: it could not be computed from
    them. Daily clinical readouts (``irls_last_symptom_day`` ...) are not defaults: they need
    samples at most 3 h apart and runs of two days or more; ask for them by name.
    """
    names = [f"{s}_final" for s in model.dynamic_states]
    names += [f"{o}_final" for o in DEFAULT_OBSERVABLES if f"{o}_final" not in names]
    if (days is None or days >= LastDay.min_days) and (sample_every_hours is None
                                                       or sample_every_hours <= MAX_SAMPLE_HOURS):
        names.append("symptom_max_last_day")
    return {n: builtin(n, model) for n in names}


def resolve(outcomes, model, days=None, sample_every_hours=None) -> dict:
    """``outcomes`` (None, a list of built-in names, or a dict name -> callable) as a dict
    (``days`` and ``sample_every_hours`` choose the defaults, see :func:`default_outcomes`)."""
    if outcomes is None:
        return default_outcomes(model, days, sample_every_hours)
    if isinstance(outcomes, str):
        outcomes = [outcomes]
    if isinstance(outcomes, (list, tuple)):
        if not outcomes:
            raise ValueError("outcomes: empty list; give at least one outcome name")
        out = {}
        for item in outcomes:
            if isinstance(item, OutcomeGroup):
                _add_group(out, item)
            else:
                _add(out, item, builtin(item, model))
        return out
    if not hasattr(outcomes, "items"):
        raise ValueError("outcomes must be a dict name -> callable(ds) -> float, a list of "
                         f"built-in names, or None; got {type(outcomes).__name__}")
    if not outcomes:
        raise ValueError("outcomes: empty mapping; give at least one outcome")
    out = {}
    for name, func in outcomes.items():
        if isinstance(func, OutcomeGroup):
            _add_group(out, func)
            continue
        if not isinstance(name, str) or not name.isidentifier():
            raise ValueError(f"outcome name {name!r} must be an identifier")
        if isinstance(func, str):
            func = builtin(func, model)
        if not callable(func):
            raise ValueError(f"outcome {name!r} must be callable(ds) -> float (or an OutcomeGroup); "
                             f"got {type(func).__name__}")
        _add(out, name, func)
    return out


def _add(out: dict, name: str, func) -> None:
    if name in out:
        raise ValueError(f"outcome {name!r} is given twice")
    out[name] = func


def _add_group(out: dict, group: OutcomeGroup) -> None:
    for name in group.names:
        _add(out, name, GroupMember(group, name))


def attrs(name: str, func, model) -> dict:
    """Output attrs (units, long_name, description) of outcome ``name``."""
    units = variable_units(model)
    if isinstance(func, Final):
        return {"units": units[func.variable], "long_name": f"{func.variable} at the end of the run",
                "description": f"value of {func.variable} at the last sample"}
    if isinstance(func, LastDay):
        return {"units": units[func.variable],
                "long_name": f"{func.statistic} of {func.variable} over the last day",
                "description": f"{func.statistic} of {func.variable} over samples in the last 24 h"}
    if isinstance(func, LastSymptomDay):
        return {"units": DAILY_READOUTS[func.variable],
                "long_name": f"{func.variable} on the last complete symptom day",
                "description": f"rlsmodel.outcomes.daily(ds)['{func.variable}'] of the last 06:00-06:00 day"}
    if isinstance(func, GroupMember):
        out = {"long_name": name,
               "description": func.group.descriptions.get(name, f"{name} from {func.group!r}")}
        if name in func.group.units:
            out["units"] = str(func.group.units[name])
        return out
    doc = (getattr(func, "__doc__", None) or "").strip().splitlines()
    out = {"long_name": name, "description": doc[0] if doc else "user outcome function"}
    if getattr(func, "units", None) is not None:
        out["units"] = str(func.units)
    return out
