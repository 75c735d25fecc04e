"""Dimensional checking of declared expressions (with pint).

Only *dimensions* are checked (mg/day versus mg/h both pass): numeric unit-conversion
factors written into an expression (e.g. 86.4 for nM/s -> uM/day) are not validated.
"""
from __future__ import annotations

import functools

import pint
import sympy as sp

_ureg = pint.UnitRegistry()

DIMENSIONLESS = _ureg.dimensionless


@functools.lru_cache(maxsize=None)
def parse(unit: str):
    """Parse a unit string (``"1"`` means dimensionless) into a pint unit."""
    if unit in ("1", "", "dimensionless"):
        return DIMENSIONLESS
    return _ureg.parse_units(unit.replace("uM", "micromolar").replace("nM", "nanomolar"))


class UnitError(ValueError):
    """An expression's dimensions do not match what its declaration says."""


def _same(a, b) -> bool:
    return a.dimensionality == b.dimensionality


def dimension_of(expr: sp.Expr, units: dict):
    """Return the pint unit of ``expr`` given ``units`` (symbol -> pint unit).

    Raises :class:`UnitError` when terms of a sum, function arguments or powers are
    dimensionally inconsistent.
    """
    if expr.is_Number or expr in (sp.pi, sp.E):
        return DIMENSIONLESS
    if expr.is_Symbol:
        if expr not in units:
            raise UnitError(f"symbol {expr} has no declared unit")
        return units[expr]
    if expr.is_Add:
        dims = [(a, dimension_of(a, units)) for a in expr.args]
        non_numeric = [(a, d) for a, d in dims if not a.is_Number]
        ref_term, ref = non_numeric[0] if non_numeric else dims[0]
        for a, d in dims:
            if a.is_Number and a == 0:
                continue
            if not _same(d, ref):
                raise UnitError(f"cannot add [{ref}] ({ref_term}) and [{d}] ({a})")
        return ref
    if expr.is_Mul:
        out = DIMENSIONLESS
        for a in expr.args:
            out = out * dimension_of(a, units)
        return out
    if expr.is_Pow:
        base, exponent = expr.args
        exp_dim = dimension_of(exponent, units)
        if not _same(exp_dim, DIMENSIONLESS):
            raise UnitError(f"exponent {exponent} is not dimensionless")
        base_dim = dimension_of(base, units)
        if _same(base_dim, DIMENSIONLESS):
            return DIMENSIONLESS
        if not exponent.is_Number:
            raise UnitError(f"{base} has unit [{base_dim}] but is raised to a symbolic power {exponent}")
        return base_dim ** float(exponent)
    if isinstance(expr, sp.Piecewise):
        dims = [dimension_of(e, units) for e, c in expr.args]
        for d in dims[1:]:
            if not _same(d, dims[0]):
                raise UnitError(f"branches of {expr} have different units")
        return dims[0]
    if isinstance(expr, (sp.Max, sp.Min)):
        dims = [dimension_of(a, units) for a in expr.args]
        for d in dims[1:]:
            if not _same(d, dims[0]):
                raise UnitError(f"arguments of {expr.func} have different units")
        return dims[0]
    if isinstance(expr, sp.Function):
        if expr.func == sp.sqrt:  # pragma: no cover - sympy writes sqrt as Pow
            return dimension_of(expr.args[0], units) ** 0.5
        for a in expr.args:
            if not _same(dimension_of(a, units), DIMENSIONLESS):
                raise UnitError(f"argument of {expr.func} must be dimensionless: {a}")
        return DIMENSIONLESS
    if isinstance(expr, sp.logic.boolalg.Boolean) or expr.is_Relational:
        return DIMENSIONLESS
    raise UnitError(f"cannot determine the unit of {expr!r}")


def check(expr: sp.Expr, expected: str, units: dict, where: str) -> None:
    """Raise :class:`UnitError` (naming ``where``) if ``expr`` lacks the ``expected`` dimension."""
    if expr == 0:   # an empty sum carries any unit
        return
    try:
        got = dimension_of(expr, units)
    except UnitError as err:
        raise UnitError(f"{where}: {err}") from None
    want = parse(expected)
    if not _same(got, want):
        raise UnitError(f"{where}: expression has unit [{got}] but [{want}] was declared")
