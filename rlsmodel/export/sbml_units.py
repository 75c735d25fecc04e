"""Units for the SBML export: unit definitions from pint, and the unit of every literal number.

Two jobs, both fed by the declared (pint) units of states, parameters, observables and
forcings:

* :class:`UnitBook` writes SBML ``UnitDefinition`` elements (one per distinct unit, derived
  exactly from SI base units with pint) and hands out their ids.
* :class:`UnitContext` knows the unit of every symbol (model time is in days) and infers the
  *natural* unit of an expression bottom-up (:meth:`UnitContext.unit_of`). The formula printer
  (:class:`rlsmodel.export.sbml_math.L3FormulaPrinter`) pushes the unit an expression must
  have top-down and gives each literal number the unit that makes its expression consistent:
  the conversion factor 24 in ``24 * k_absorption[1/h] * depot[mg]`` (a rate in mg/day)
  becomes ``24 hour_per_day``; the 1 in ``1 + x/k`` is dimensionless. SBML Level 3 carries
  these as ``sbml:units`` on ``<cn>`` elements, so libsbml's unit-consistency check can
  verify every formula.
"""
from __future__ import annotations

import math
import re

import sympy as sp

from ..model import units as _units

#: pint's dimensionless unit.
DIMENSIONLESS = _units.DIMENSIONLESS

_PINT_TO_SBML = {"meter": "UNIT_KIND_METRE", "kilogram": "UNIT_KIND_KILOGRAM",
                 "second": "UNIT_KIND_SECOND", "mole": "UNIT_KIND_MOLE",
                 "ampere": "UNIT_KIND_AMPERE", "kelvin": "UNIT_KIND_KELVIN",
                 "candela": "UNIT_KIND_CANDELA", "radian": "UNIT_KIND_RADIAN"}

# SBML base unit kinds and reserved words: unit definition ids must not redefine them.
_BASE_UNIT_KINDS = {
    "ampere", "avogadro", "becquerel", "candela", "celsius", "coulomb", "dimensionless", "farad",
    "gram", "gray", "henry", "hertz", "item", "joule", "katal", "kelvin", "kilogram", "liter",
    "litre", "lumen", "lux", "meter", "metre", "mole", "newton", "ohm", "pascal", "radian",
    "second", "siemens", "sievert", "steradian", "tesla", "volt", "watt", "weber", "substance",
    "volume", "area", "length", "time",
}

_PREFIXES = {0: "", -3: "milli", -6: "micro", -9: "nano", -12: "pico", 3: "kilo"}


def unit_id(unit: str) -> str:
    """SBML UnitSId for the unit string ``unit`` (``"dimensionless"`` for ``"1"``)."""
    unit = unit.strip()
    if unit in ("1", "", "dimensionless"):
        return "dimensionless"
    text = unit.replace("**", "_pow_").replace("^", "_pow_").replace("/", "_per_").replace("*", "_")
    text = text.replace("µ", "u")
    text = re.sub(r"[^A-Za-z0-9_]", "_", text).strip("_")
    text = re.sub(r"_+", "_", text)
    if text.startswith("1_per_"):
        text = text[2:]
    if not text or not text[0].isalpha():
        text = "u_" + text
    if text in _BASE_UNIT_KINDS:
        text = "u_" + text
    return text


def pint_unit(unit):
    """``unit`` (a unit string, ``"1"`` for dimensionless, or a pint unit) as a pint unit."""
    return _units.parse(unit) if isinstance(unit, str) else unit


def is_identity(unit) -> bool:
    """True if ``unit`` is dimensionless with scale 1 (for example ``(ng/mL) / (ug/L)``)."""
    q = (1.0 * pint_unit(unit)).to_base_units()
    return q.dimensionless and abs(float(q.magnitude) - 1.0) <= 1e-12


def unit_text(unit) -> str:
    """A readable, pint-parsable text of ``unit`` (``"1"`` for dimensionless)."""
    if isinstance(unit, str):
        return unit
    if unit == DIMENSIONLESS:
        return "1"
    return f"{unit:C}"


def unit_factors(unit):
    """(magnitude, [(sbml_kind_name, exponent), ...]) of ``unit`` in SI base units, via pint."""
    q = (1.0 * pint_unit(unit)).to_base_units()
    magnitude = float(f"{float(q.magnitude):.15g}")
    factors = []
    for name, exponent in q.unit_items():
        if name not in _PINT_TO_SBML:
            raise ValueError(f"unit {unit_text(unit)!r}: base unit {name!r} has no SBML kind")
        factors.append((_PINT_TO_SBML[name], float(exponent)))
    return magnitude, factors


def tidy_amount(unit):
    """``unit`` as a prefixed base unit when it is an amount or a mass at a power of 1000
    (``micromolar * liter`` -> ``micromole``); otherwise unchanged."""
    q = (1.0 * pint_unit(unit)).to_base_units()
    items = list(q.unit_items())
    if len(items) != 1 or items[0][1] != 1 or items[0][0] not in ("mole", "kilogram"):
        return unit
    base, magnitude = items[0][0], float(q.magnitude)
    if base == "kilogram":
        base, magnitude = "gram", magnitude * 1e3
    power = round(math.log10(magnitude))
    if power in _PREFIXES and abs(magnitude - 10.0 ** power) <= 1e-12 * magnitude:
        return _units.parse(_PREFIXES[power] + base)
    return unit


class UnitBook:
    """The unit definitions of one SBML model: each distinct unit is defined once.

    ``define(unit)`` takes a unit string or a pint unit and returns its SBML id (SBML's own
    ``dimensionless`` for dimensionless units of scale 1).
    """

    def __init__(self, model, libsbml):
        self.model = model
        self.libsbml = libsbml
        self.defined = {}       # id -> (text, factors)

    def define(self, unit) -> str:
        text = unit_text(unit)
        if text in ("1", "", "dimensionless") or is_identity(unit):
            return "dimensionless"
        factors = unit_factors(unit)
        for uid, (_, known) in self.defined.items():
            if known == factors:        # one definition per unit: "hour" reuses "h"
                return uid
        uid = unit_id(text)
        k = 1
        base = uid
        while uid in self.defined and self.defined[uid][1] != factors:
            k += 1
            uid = f"{base}_{k}"
        if uid in self.defined:
            return uid
        self._write(uid, text, factors)
        self.defined[uid] = (text, factors)
        return uid

    def _write(self, uid, text, factors):
        libsbml = self.libsbml
        magnitude, kinds = factors
        ud = self.model.createUnitDefinition()
        _check(libsbml, ud.setId(uid), f"unit id {uid}")
        ud.setName(text)
        carrier = next((i for i, (_, e) in enumerate(kinds) if e == 1.0), None)
        if carrier is None and magnitude != 1.0:
            carrier = next((i for i, (_, e) in enumerate(kinds) if e == -1.0), None)
        for i, (kind, exponent) in enumerate(kinds):
            u = ud.createUnit()
            u.setKind(getattr(libsbml, kind))
            u.setExponent(exponent)
            u.setScale(0)
            mult = 1.0
            if i == carrier:
                mult = magnitude if exponent == 1.0 else 1.0 / magnitude
            u.setMultiplier(mult)
        if (carrier is None and magnitude != 1.0) or not kinds:
            u = ud.createUnit()   # a pure scale (percent, hour/day) or an exponent-free remainder
            u.setKind(libsbml.UNIT_KIND_DIMENSIONLESS)
            u.setExponent(1.0)
            u.setScale(0)
            u.setMultiplier(magnitude)


def _check(libsbml, code, what):
    if code is not None and code != libsbml.LIBSBML_OPERATION_SUCCESS:
        raise RuntimeError(f"libsbml failed setting {what}: {libsbml.OperationReturnValue_toString(code)}")


_SAME_UNIT_FUNCTIONS = (sp.Abs, sp.floor, sp.ceiling, sp.Max, sp.Min)


class UnitContext:
    """The unit of every symbol of a model, and the natural unit of expressions over them.

    ``symbols`` maps sympy symbols to unit strings or pint units; ``time_symbol`` is model
    time in days.
    """

    def __init__(self, symbols, time_symbol, time_unit="day"):
        self.symbols = {s: pint_unit(u) for s, u in symbols.items()}
        self.symbols[time_symbol] = pint_unit(time_unit)

    def add(self, symbol, unit):
        self.symbols[symbol] = pint_unit(unit)

    def unit_of(self, e):
        """The natural pint unit of ``e`` or None when it has none of its own (a bare number,
        or a boolean), so that it takes the unit its context requires."""
        if e.is_Number or e in (sp.oo, sp.zoo, sp.nan, sp.S.NegativeInfinity) or e in (sp.true, sp.false):
            return None
        if e in (sp.pi, sp.E):
            return DIMENSIONLESS
        if e.is_Symbol:
            if e not in self.symbols:
                raise ValueError(f"symbol {e} has no declared unit (SBML unit inference)")
            return self.symbols[e]
        if e.is_Add:
            return self.first_unit(e.args)
        if e.is_Mul:
            units = [u for u in (self.unit_of(a) for a in e.args) if u is not None]
            if not units:
                return None
            out = DIMENSIONLESS
            for u in units:
                out = out * u
            return out
        if e.is_Pow:
            base, exponent = e.args
            if exponent.is_Number:
                b = self.unit_of(base)
                return None if b is None else b ** float(exponent)
            return DIMENSIONLESS
        if isinstance(e, sp.Piecewise):
            return self.first_unit([value for value, _ in e.args])
        if isinstance(e, _SAME_UNIT_FUNCTIONS):
            return self.first_unit(e.args)
        if e.is_Relational or isinstance(e, sp.logic.boolalg.Boolean):
            return None
        if isinstance(e, sp.Function):
            return DIMENSIONLESS
        raise ValueError(f"cannot infer the unit of {e!r} for SBML")

    def first_unit(self, exprs):
        for a in exprs:
            u = self.unit_of(a)
            if u is not None:
                return u
        return None


__all__ = ["DIMENSIONLESS", "UnitBook", "UnitContext", "is_identity", "pint_unit", "tidy_amount",
           "unit_factors", "unit_id", "unit_text"]
