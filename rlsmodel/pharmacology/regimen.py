"""Regimens: doses as data, applied as exact state jumps at integration restarts.

A :class:`Regimen` is an immutable collection of *schedules*; a schedule gives one drug
at one dose and clock hour on every day ``start_day <= d < stop_day`` (``stop_day`` None:
until the simulation ends). Days count from the first simulated midnight (day 0); a dose
on day ``d`` at clock hour ``h`` happens at model time ``d + h/24`` days.

>>> from rlsmodel import Regimen
>>> r = (Regimen.daily("pramipexole", 0.25, 21.0, stop_day=60)         # drug holiday
...      + Regimen.daily("pramipexole", 0.25, 21.0, start_day=67))
>>> r.drugs
('pramipexole',)

Rotigotine is a 24-hour patch: a fresh patch each day at the clock hour keeps the delivery
rate (state ``rotigotine_patch_rate``, mg/day) at the dose; removing the last patch at
``stop_day``'s clock hour sets it to 0.

Everything is validated when the regimen is built (before any integration): unknown drug
names, non-positive or non-finite doses, doses (summed over a day, per drug) above the
documented maximum daily dose unless ``allow_off_label=True``, clock hours outside
[0, 24), ``stop_day <= start_day``, overlapping rotigotine patches.
"""
from __future__ import annotations

import json
import math
import numbers
from dataclasses import dataclass, replace

from .drugs import DRUGS, get_drug
from .modules import DOSE_TARGETS

PATCH_DRUGS = ("rotigotine",)


def dose_time(day: int, clock_hour: float) -> float:
    """Model time (days) of clock hour ``clock_hour`` on day ``day``."""
    return (day * 24.0 + clock_hour) / 24.0


@dataclass(frozen=True)
class Schedule:
    """One drug at one dose (mg; patch: mg/24 h) and clock hour (h) on days [start_day, stop_day)."""

    drug: str
    dose_mg: float
    clock_hour: float
    start_day: int
    stop_day: int | None
    allow_off_label: bool = False

    def active_on(self, day: int) -> bool:
        return self.start_day <= day and (self.stop_day is None or day < self.stop_day)

    def dose_days(self, days: float):
        """Day indices d with a dose at or before model time ``days``."""
        last = math.floor(days - self.clock_hour / 24.0 + 1e-12)
        stop = last + 1 if self.stop_day is None else min(self.stop_day, last + 1)
        return range(self.start_day, max(stop, self.start_day))

    def patch_interval(self):
        """(on, off) model times (days) a patch schedule covers; off is inf when open-ended."""
        on = dose_time(self.start_day, self.clock_hour)
        off = math.inf if self.stop_day is None else dose_time(self.stop_day, self.clock_hour)
        return on, off

    def as_dict(self) -> dict:
        return {"drug": self.drug, "dose_mg": self.dose_mg, "clock_hour": self.clock_hour,
                "start_day": self.start_day, "stop_day": self.stop_day,
                "allow_off_label": self.allow_off_label}


# -- validation of single values ---------------------------------------------------------
def _check_dose(drug: str, dose) -> float:
    if isinstance(dose, bool) or not isinstance(dose, numbers.Real):
        raise ValueError(f"{drug}: dose must be a number of mg; got {dose!r}")
    value = float(dose)
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{drug}: dose must be a positive finite number of mg "
                         f"({DRUGS[drug].dose_unit}); got {dose!r}")
    return value


def _check_hour(drug: str, clock_hour) -> float:
    if isinstance(clock_hour, bool) or not isinstance(clock_hour, numbers.Real):
        raise ValueError(f"{drug}: clock_hour must be a number of hours in [0, 24); got {clock_hour!r}")
    value = float(clock_hour)
    if not (math.isfinite(value) and 0.0 <= value < 24.0):
        raise ValueError(f"{drug}: clock_hour must lie in [0, 24) (hours after midnight); got {clock_hour!r}")
    return value


def _check_day(drug: str, what: str, day) -> int:
    if isinstance(day, bool) or not isinstance(day, numbers.Real):
        raise ValueError(f"{drug}: {what} must be a whole day number >= 0; got {day!r}")
    value = float(day)
    if not math.isfinite(value) or value < 0 or value != int(value):
        raise ValueError(f"{drug}: {what} must be a whole day number >= 0; got {day!r}")
    return int(value)


def _schedule(drug, dose_mg, clock_hour, start_day, stop_day, allow_off_label) -> Schedule:
    name = get_drug(drug).name
    dose = _check_dose(name, dose_mg)
    hour = _check_hour(name, clock_hour)
    start = _check_day(name, "start_day", start_day)
    stop = None if stop_day is None else _check_day(name, "stop_day", stop_day)
    if stop is not None and stop <= start:
        raise ValueError(f"{name}: stop_day ({stop}) must be after start_day ({start}); doses are "
                         f"given on days start_day <= d < stop_day")
    return Schedule(name, dose, hour, start, stop, bool(allow_off_label))


# -- validation across schedules -------------------------------------------------------------
def _check_daily_maximum(schedules) -> None:
    """Per drug and day, the summed dose must not exceed the documented maximum daily dose
    unless every schedule contributing that day allows off-label dosing."""
    for drug in {s.drug for s in schedules}:
        mine = [s for s in schedules if s.drug == drug]
        limit = DRUGS[drug].max_daily_dose_mg
        # the daily total is constant between schedule boundaries: check each boundary day
        for day in sorted({s.start_day for s in mine} | {s.stop_day for s in mine if s.stop_day is not None}):
            active = [s for s in mine if s.active_on(day)]
            total = sum(s.dose_mg for s in active)
            if total > limit * (1 + 1e-9) and not all(s.allow_off_label for s in active):
                unit = "mg/24 h" if drug in PATCH_DRUGS else "mg"
                raise ValueError(
                    f"{drug}: {total:g} {unit} on day {day} exceeds the documented maximum daily dose "
                    f"{limit:g} {unit} ({DRUGS[drug].note('max_daily_dose_mg')}); pass "
                    f"allow_off_label=True to simulate it anyway")


def _check_patches(schedules) -> None:
    """No two patch schedules of one drug may be on the skin at the same time."""
    for drug in PATCH_DRUGS:
        patches = sorted((s for s in schedules if s.drug == drug), key=lambda s: s.patch_interval())
        for a, b in zip(patches, patches[1:]):
            a_on, a_off = a.patch_interval()
            b_on, _ = b.patch_interval()
            if b_on < a_off - 1e-12:
                raise ValueError(
                    f"overlapping {drug} patches: a {a.dose_mg:g} mg/24 h patch regimen (days "
                    f"{a.start_day}-{a.stop_day}) is still on when a {b.dose_mg:g} mg/24 h patch regimen "
                    f"starts on day {b.start_day} at {b.clock_hour:g} h; stop the first (stop_day) "
                    f"before starting the second")


class Regimen:
    """An immutable set of dosing schedules. Build with :meth:`daily`, :meth:`once`,
    :meth:`escalation`; combine with ``+`` (holidays and switches are sums of schedules)."""

    __slots__ = ("_schedules",)

    def __init__(self, schedules=()):
        schedules = tuple(schedules)
        for s in schedules:
            if not isinstance(s, Schedule):
                raise ValueError(f"Regimen takes Schedule objects; got {s!r} (use Regimen.daily/once/escalation)")
        _check_daily_maximum(schedules)
        _check_patches(schedules)
        object.__setattr__(self, "_schedules", schedules)

    def __setattr__(self, name, value):
        raise AttributeError("Regimen is immutable; combine regimens with +")

    def __reduce__(self):
        """Pickle by its schedules (for process pools and Dask workers)."""
        return (Regimen, (self._schedules,))

    # -- constructors ----------------------------------------------------------------------
    @classmethod
    def daily(cls, drug: str, dose_mg: float, clock_hour: float, start_day: int = 0,
              stop_day: int | None = None, allow_off_label: bool = False) -> "Regimen":
        """``dose_mg`` of ``drug`` at ``clock_hour`` (h) on days ``start_day <= d < stop_day``
        (``stop_day`` None: until the simulation ends). Rotigotine: a fresh ``dose_mg``/24 h
        patch each day at ``clock_hour``, the last one removed at ``stop_day``'s clock hour."""
        return cls((_schedule(drug, dose_mg, clock_hour, start_day, stop_day, allow_off_label),))

    @classmethod
    def once(cls, drug: str, dose_mg: float, day: int, clock_hour: float,
             allow_off_label: bool = False) -> "Regimen":
        """A single dose (e.g. an iron infusion) on ``day`` at ``clock_hour`` (h); for
        rotigotine a single patch worn for 24 h."""
        day = _check_day(get_drug(drug).name, "day", day)
        return cls((_schedule(drug, dose_mg, clock_hour, day, day + 1, allow_off_label),))

    @classmethod
    def escalation(cls, drug: str, steps, clock_hour: float, stop_day: int | None = None,
                   allow_off_label: bool = False) -> "Regimen":
        """Daily dosing that changes dose at given days: ``steps = [(start_day, dose_mg), ...]``
        in increasing day order; the last step lasts until ``stop_day`` (None: the end)."""
        name = get_drug(drug).name
        try:
            steps = [(day, dose) for day, dose in steps]
        except (TypeError, ValueError):
            raise ValueError(f"{name}: steps must be a list of (start_day, dose_mg) pairs; got {steps!r}") from None
        if not steps:
            raise ValueError(f"{name}: escalation needs at least one (start_day, dose_mg) step")
        days = [_check_day(name, "step day", d) for d, _ in steps]
        if any(b <= a for a, b in zip(days, days[1:])):
            raise ValueError(f"{name}: escalation step days must increase strictly; got {days}")
        ends = days[1:] + [stop_day]
        return cls(tuple(_schedule(name, dose, clock_hour, start, end, allow_off_label)
                         for (start, (_, dose), end) in zip(days, steps, ends)))

    # -- composition and views ---------------------------------------------------------------
    def __add__(self, other):
        if not isinstance(other, Regimen):
            return NotImplemented
        return Regimen(self._schedules + other._schedules)

    def __radd__(self, other):
        if other == 0:          # lets sum([...]) start from 0
            return self
        return NotImplemented

    def shifted(self, days: int) -> "Regimen":
        """This regimen with every schedule moved ``days`` later (e.g. trial time -> model time)."""
        return Regimen(tuple(replace(s, start_day=s.start_day + days,
                                     stop_day=None if s.stop_day is None else s.stop_day + days)
                             for s in self._schedules))

    def __eq__(self, other):
        return isinstance(other, Regimen) and self._schedules == other._schedules

    def __hash__(self):
        return hash(self._schedules)

    def __len__(self):
        return len(self._schedules)

    @property
    def schedules(self) -> tuple:
        return self._schedules

    @property
    def drugs(self) -> tuple:
        """Names of the drugs given, sorted."""
        return tuple(sorted({s.drug for s in self._schedules}))

    @property
    def start_day(self):
        """Day of the first dose (None for an empty regimen)."""
        return min((s.start_day for s in self._schedules), default=None)

    def describe(self) -> str:
        """Compact JSON of the schedules (recorded in every simulation's attrs)."""
        return json.dumps({"schedules": [s.as_dict() for s in self._schedules]}, separators=(",", ":"))

    def __repr__(self):
        parts = []
        for s in self._schedules:
            stop = "end" if s.stop_day is None else s.stop_day
            unit = "mg/24h" if s.drug in PATCH_DRUGS else "mg"
            flag = ", off-label" if s.allow_off_label else ""
            parts.append(f"{s.drug} {s.dose_mg:g} {unit} at {s.clock_hour:g} h, days {s.start_day}-{stop}{flag}")
        return "Regimen(" + "; ".join(parts) + ")"

    # -- events ------------------------------------------------------------------------------
    def events(self, model, days: float, params=None) -> list:
        """Dose events ``(time_days, state_index, value, mode)`` up to model time ``days``, sorted
        by time. ``params`` (resolved parameter values) is accepted for the simulator's
        calling convention; dose events are the same for every parameter set."""
        try:
            days = float(days)
        except (TypeError, ValueError):
            raise ValueError(f"days must be a number; got {days!r}") from None
        if not math.isfinite(days) or days <= 0:
            raise ValueError(f"days must be a positive finite number; got {days!r}")
        names = list(model.compiled.state_names)
        events = []
        for s in self._schedules:
            state, mode = DOSE_TARGETS[s.drug]
            if state not in names:
                raise ValueError(f"the model has no state {state!r} for {s.drug}: build it with the "
                                 f"pharmacology modules (rlsmodel.Model() includes them)")
            if mode == "set":
                events.extend(_patch_events(s, names.index(state), days))
            else:
                idx = names.index(state)
                events.extend((dose_time(d, s.clock_hour), idx, s.dose_mg, "add") for d in s.dose_days(days))
        return _merge(events)


def _patch_events(s: Schedule, idx: int, days: float) -> list:
    """A 'set' to the dose at each daily application; a 'set' to 0 when the last patch comes off."""
    out = [(dose_time(d, s.clock_hour), idx, s.dose_mg, "set") for d in s.dose_days(days)]
    if s.stop_day is not None:
        off = dose_time(s.stop_day, s.clock_hour)
        if off <= days:
            out.append((off, idx, 0.0, "set"))
    return out


def _merge(events) -> list:
    """Sort by time; at one time and state a patch application wins over a removal (a new
    patch put on as the old one comes off), and removals come before other events."""
    applied = {(t, i) for t, i, v, m in events if m == "set" and v > 0}
    kept = [e for e in events if not (e[3] == "set" and e[2] == 0.0 and (e[0], e[1]) in applied)]
    return sorted(kept, key=lambda e: (e[0], e[1], e[3] != "set" or e[2] != 0.0))
