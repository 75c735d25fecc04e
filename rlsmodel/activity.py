"""Rest/activity schedules: the forcing that turns the urge at rest into the urge felt.

An :class:`Activity` is a daily plan of active, sedentary and asleep segments. It changes no
state of the ODE: at every sample of a run it supplies the forcings declared by
:mod:`rlsmodel.model.rest_activity` (``moving``, ``time_at_rest``), from which the declared
observables give

``activity_factor = 1 - movement_relief`` while active,
``activity_factor = 1 - exp(-time_at_rest / rest_latency_h)`` at rest, and
``symptom = urge_at_rest * activity_factor``,

where ``time_at_rest`` counts from the last switch from activity to rest (sitting in the
evening then lying down at night is one continuous rest period). ``movement_relief`` and
``rest_latency_h`` are model parameters (unit, range, source; sweepable by name).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Optional

import numpy as np
import sympy as sp

from .model import rest_activity as _declared

MODES = ("active", "sedentary", "asleep")
#: Parameters of :mod:`rlsmodel.model.rest_activity` that an Activity may override per run.
SCHEDULE_PARAMETERS = ("movement_relief", "rest_latency_h")


@dataclass(frozen=True)
class Activity:
    """A daily schedule of ``(start_hour, end_hour, mode)`` segments covering 24 hours.

    ``movement_relief`` and ``rest_latency_h`` are declared model parameters
    (:mod:`rlsmodel.model.rest_activity`; set them like any parameter, e.g.
    ``simulate(..., params={"movement_relief": 0.6})`` or in a sweep). Given here (not
    None), they override the parameter for the runs that use this schedule, as ``params=``
    would (giving both, with different values, is refused).
    """

    segments: tuple = ((7.0, 18.0, "active"), (18.0, 23.0, "sedentary"), (23.0, 7.0, "asleep"))
    movement_relief: Optional[float] = None
    rest_latency_h: Optional[float] = None

    def __post_init__(self):
        total = 0.0
        for seg in self.segments:
            if len(seg) != 3:
                raise ValueError(f"activity segment {seg!r} must be (start_hour, end_hour, mode)")
            a, b, mode = seg
            if mode not in MODES:
                raise ValueError(f"unknown activity mode {mode!r}; valid modes: {', '.join(MODES)}")
            for h in (a, b):
                if not 0 <= h < 24:
                    raise ValueError(f"activity hour {h!r} outside [0, 24)")
            total += (b - a) % 24 or 24.0
        if abs(total - 24.0) > 1e-9:
            raise ValueError(f"activity segments must tile 24 hours; they cover {total} h")
        declared = {p.name: p for p in _declared.parameters}
        for name in SCHEDULE_PARAMETERS:
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, declared[name].check_value(value))

    @classmethod
    def default(cls) -> "Activity":
        """Active 07:00-18:00, sedentary evening 18:00-23:00, asleep 23:00-07:00."""
        return cls()

    @classmethod
    def always_at_rest(cls) -> "Activity":
        return cls(segments=((0.0, 0.0, "sedentary"),))

    def parameter_overrides(self) -> dict:
        """``{name: value}`` of the model parameters this schedule sets (none by default)."""
        return {n: getattr(self, n) for n in SCHEDULE_PARAMETERS if getattr(self, n) is not None}

    def _ordered(self):
        segs = sorted(self.segments, key=lambda s: s[0])
        return [(a, (b - a) % 24 or 24.0, mode) for a, b, mode in segs]

    def _rest_before(self):
        """Per ordered segment: rest already accumulated when it starts (h), walking back over
        the rest segments before it; infinite when the schedule has no active segment."""
        segs = self._ordered()
        never_active = all(mode != "active" for _, _, mode in segs)
        acc = []
        for i in range(len(segs)):
            total = 0.0
            for back in range(1, len(segs)):
                _, plen, pmode = segs[(i - back) % len(segs)]
                if pmode == "active":
                    break
                total += plen
            acc.append(np.inf if never_active else total)
        return acc

    @staticmethod
    def _offset(h, a):
        """Hours from ``a`` forward to ``h`` on the 24-h clock, robust to round-off."""
        return np.mod(np.round(h - a, 9), 24.0)

    def mode_at(self, clock_hours):
        """Mode label per clock hour."""
        h = np.asarray(clock_hours, dtype=float)
        out = np.empty(h.shape, dtype=object)
        for a, length, mode in self._ordered():
            out[self._offset(h, a) < length] = mode
        return out

    def forcings(self, clock_hours) -> dict:
        """The declared forcings at each clock hour: ``{"moving": 0/1, "time_at_rest": h}``
        (arrays; ``time_at_rest`` is 0 while moving)."""
        h = np.asarray(clock_hours, dtype=float)
        moving = np.full(h.shape, np.nan)
        rest = np.full(h.shape, np.nan)
        for (a, length, mode), start_rest in zip(self._ordered(), self._rest_before()):
            offset = self._offset(h, a)
            sel = offset < length
            if mode == "active":
                moving[sel], rest[sel] = 1.0, 0.0
            else:
                moving[sel], rest[sel] = 0.0, start_rest + offset[sel]
        return {"moving": moving, "time_at_rest": rest}

    def factor(self, clock_hours, movement_relief=None, rest_latency_h=None):
        """Multiplier on ``urge_at_rest`` at each clock hour (array): the declared
        ``activity_factor`` of :mod:`rlsmodel.model.rest_activity` under this schedule.

        ``movement_relief``, ``rest_latency_h``: parameter values; default this schedule's
        own (if given) or the declared defaults.
        """
        declared = {p.name: p.default for p in _declared.parameters}
        relief = movement_relief if movement_relief is not None else (
            self.movement_relief if self.movement_relief is not None else declared["movement_relief"])
        latency = rest_latency_h if rest_latency_h is not None else (
            self.rest_latency_h if self.rest_latency_h is not None else declared["rest_latency_h"])
        f = self.forcings(clock_hours)
        return _factor_function()(f["moving"], f["time_at_rest"], relief, latency)

    def forcing_expressions(self, time: sp.Symbol) -> dict:
        """The forcings as sympy expressions of model time ``time`` (days): piecewise in the
        clock hour ``24 * (time - floor(time))``, for exporters (SBML) that carry the schedule
        inside the document. A segment that runs past midnight is two pieces."""
        hour = 24 * (time - sp.floor(time))
        moving, rest = [], []
        for (a, length, mode), start_rest in zip(self._ordered(), self._rest_before()):
            end = a + length
            if end <= 24.0:
                pieces = [(hour - _number(a), sp.And(hour >= _number(a), hour < _number(end)))]
            else:
                pieces = [(hour - _number(a), hour >= _number(a)),
                          (hour + _number(24.0 - a), hour < _number(end - 24.0))]
            for offset, inside in pieces:
                if mode == "active":
                    moving.append((sp.Integer(1), inside))
                else:
                    rest.append((sp.oo if np.isinf(start_rest) else _number(start_rest) + offset, inside))
        return {"moving": sp.Piecewise(*moving, (sp.Integer(0), True)),
                "time_at_rest": sp.Piecewise(*rest, (sp.Integer(0), True))}


def _number(x: float) -> sp.Expr:
    """``x`` as a sympy Integer when it is whole, else a Float (exact for SBML export)."""
    return sp.Integer(int(x)) if float(x) == int(x) else sp.Float(float(x))


def with_schedule_parameters(params, activity):
    """``params`` with the parameters ``activity`` sets (an Activity given ``movement_relief``
    or ``rest_latency_h``); a different value for the same name in ``params`` is refused."""
    extra = activity.parameter_overrides() if activity is not None else {}
    if not extra:
        return params
    if params is None:
        return dict(extra)
    if not hasattr(params, "items"):
        return params      # Model.resolve_parameters names the problem
    for name, value in extra.items():
        if name in params and params[name] != value:
            raise ValueError(f"{name} is given twice: {params[name]!r} in params and {value!r} in the "
                             f"Activity schedule; give it once (params={{{name!r}: ...}} is preferred)")
    return {**params, **extra}


@functools.lru_cache(maxsize=1)
def _factor_function():
    """The declared activity factor as a numpy function of (moving, time_at_rest,
    movement_relief, rest_latency_h)."""
    args = [_declared.moving, _declared.time_at_rest, _declared.movement_relief, _declared.rest_latency_h]
    return sp.lambdify(args, _declared.ACTIVITY_FACTOR, modules="numpy")
