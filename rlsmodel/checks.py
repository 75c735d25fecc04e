"""Input checks shared by every entry point: one rule for numbers, one for ranges.

**Numbers are numbers.** Every numeric argument (``days``, ``sample_every_hours``,
``rtol``, parameter values, initial state values, sweep values) must be a real number:
``int``, ``float`` or a numpy number. Strings (``"30"``), bytes, booleans and ``None``
are refused with a message that names the argument, shows the value and gives the fix,
whatever the string would parse to. (The command line parses its own text arguments into
numbers first.) **Whole numbers** (counts, seeds, worker numbers: ``n``, ``seed``,
``workers``, ``chunk_size``, ``weeks``, ...) follow the same rule through :func:`whole`:
``int``, a numpy integer (``np.int64(2)``) or a 0-d integer array, never a float (``2.0``),
string or boolean; every entry point (``sweep``, ``population``, ``virtual_trial``,
``calibrate``, ``sensitivity``, the samplers, the TOML specs) checks them with it.

**Ranges are flagged, domains enforced.** A parameter value outside its declared
plausible ``range`` is used as given, flagged by a
:class:`~rlsmodel.errors.ParameterRangeWarning` and recorded in the run's attrs
(:func:`outside_ranges`); a value outside its physical domain raises ``ValueError``
(:meth:`rlsmodel.model.Parameter.check_value`).
"""
from __future__ import annotations

import json
import math
import numbers

import numpy as np

#: Attr (JSON) recording the parameter values outside their declared ranges.
OUTSIDE_RANGE_ATTR = "parameters_outside_range"


def describe_value(value) -> str:
    """``value`` as shown in messages: strings and booleans called what they are."""
    if isinstance(value, (str, bytes)):
        return f"the string {value!r}"
    if isinstance(value, (bool, np.bool_)):
        return f"the boolean {value!r}"
    if value is None or isinstance(value, numbers.Number):
        return repr(value)
    return f"{value!r} (a {type(value).__name__})"


def string_fix(name: str, value) -> str:
    """``"; write name=30 (a number, not a string)"`` when ``value`` is a numeric string, else ``""``."""
    if isinstance(value, bytes):
        try:
            value = value.decode()
        except UnicodeDecodeError:
            return ""
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return ""
        if name.isidentifier():
            return f"; write {name}={number:g} (a number, not a string)"
        return f"; write {number:g} without quotes (a number, not a string)"
    return ""


def real(name: str, value, allowed: str = "a number") -> float:
    """``value`` as a float; ``ValueError`` naming ``name`` unless it is a real number.

    Accepts ``int``, ``float``, numpy integer/floating scalars and 0-d numeric arrays;
    refuses strings, bytes, booleans, ``None`` and anything else. Does not check finiteness.
    """
    if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iuf":
        value = value.item()
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be {allowed}; got {describe_value(value)}{string_fix(name, value)}")
    return float(value)


def whole(name: str, value, minimum: int | None = None, *, optional: bool = False, note: str = ""):
    """``value`` as an ``int``; ``ValueError`` naming ``name`` unless it is a whole number
    ``>= minimum`` (None if ``optional`` and ``value`` is None).

    Accepts ``int``, numpy integer scalars and 0-d integer arrays; refuses floats (also
    ``2.0``), strings, bytes, booleans and anything else. ``note`` is added to the message
    after the rule (e.g. ``" (local processes; None: serial)"``).
    """
    if optional and value is None:
        return None
    if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iu":
        value = value.item()
    if (isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral)
            or (minimum is not None and value < minimum)):
        allowed = "an integer" + (f" >= {minimum}" if minimum is not None else "") + (" or None" if optional else "")
        raise ValueError(f"{name} must be {allowed}{note}; got {describe_value(value)}{string_fix(name, value)}")
    return int(value)


def positive(name: str, value, unit: str = "") -> float:
    """``value`` as a positive finite float, or ``ValueError`` naming ``name``."""
    allowed = "a positive finite number" + (f" ({unit})" if unit else "")
    v = real(name, value, allowed)
    if not (math.isfinite(v) and v > 0):
        raise ValueError(f"{name} must be {allowed}; got {value!r}")
    return v


def flag(name: str, value, allowed=(None, True, False)):
    """``value`` if it is one of ``allowed`` (compared by identity for None/True/False)."""
    if not any(value is a for a in allowed):
        shown = ", ".join(repr(a) for a in allowed)
        raise ValueError(f"{name} must be one of {shown}; got {describe_value(value)}")
    return value


# -- declared ranges -------------------------------------------------------------------------
def outside_ranges(parameters, values) -> dict:
    """``{name: {"value", "range", "unit"}}`` for every value outside its declared range.

    ``parameters``: name -> :class:`~rlsmodel.model.Parameter`; ``values``: name -> float.
    """
    out = {}
    for name, value in values.items():
        lo, hi = parameters[name].range
        if not lo <= value <= hi:
            out[name] = {"value": float(value), "range": [float(lo), float(hi)], "unit": parameters[name].unit}
    return out


def range_message(outside: dict, parameters, where: str = "") -> str:
    """The warning text for :func:`outside_ranges` results (one line per parameter)."""
    lines = []
    for name, info in outside.items():
        lo, hi = info["range"]
        unit = "" if info["unit"] == "1" else " " + info["unit"]
        lines.append(f"{name} = {info['value']:g}{unit} lies outside its declared range "
                     f"{lo:g}-{hi:g}{unit} ({parameters[name].description})")
    head = (where + ": ") if where else ""
    return (head + "; ".join(lines) + ". The model is not calibrated there: results are an "
            "extrapolation. The values are used as given and recorded in the attrs "
            f"{OUTSIDE_RANGE_ATTR!r}. Silence with warnings.simplefilter('ignore', "
            "rlsmodel.ParameterRangeWarning), or make it an error with 'error'.")


def range_attr(outside: dict) -> str:
    """JSON of :func:`outside_ranges` results, for attrs (``"{}"`` when every value is inside)."""
    return json.dumps(outside, sort_keys=True)


def no_dose_message(regimen, days: float) -> str:
    """Why ``regimen`` gives no dose in a run of ``days`` days, and the fix."""
    schedules = getattr(regimen, "schedules", None)
    if schedules:
        first = min(schedules, key=lambda s: (s.start_day, s.clock_hour))
        t_first = first.start_day + first.clock_hour / 24.0
        return (f"the regimen gives no dose in this {days:g}-day run: its first dose ({first.drug} on day "
                f"{first.start_day} at {first.clock_hour:g} h, model time {t_first:g} d) lies after the end of the "
                f"run (day {days:g}). Simulate longer (days >= {t_first:g}) or start the regimen earlier "
                f"(start_day < {days:g})")
    return (f"the regimen {regimen.describe()} gives no dose (no event) within this {days:g}-day run; "
            "check its start day against the run length")


__all__ = ["real", "whole", "positive", "flag", "describe_value", "string_fix", "outside_ranges", "range_message",
           "range_attr", "no_dose_message", "OUTSIDE_RANGE_ATTR"]
