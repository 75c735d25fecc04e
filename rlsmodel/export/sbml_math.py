"""SBML math: SBML ids for rlsmodel names, and sympy expressions as SBML Level 3 formulas.

:class:`L3FormulaPrinter` prints sympy expressions in the infix syntax of
``libsbml.parseL3Formula``. Given a :class:`rlsmodel.export.sbml_units.UnitContext` and a
:class:`rlsmodel.export.sbml_units.UnitBook`, it also writes the unit of every literal number
(``24 hour_per_day``), which the L3 parser turns into ``sbml:units`` on ``<cn>``.
"""
from __future__ import annotations

import math
import re
from collections import OrderedDict

import sympy as sp

from ..model.declaration import t
from ..model.system import FORCING
from .sbml_units import DIMENSIONLESS

try:  # python-libsbml is an optional extra: ``pip install rlsmodel[sbml]``
    import libsbml
except ImportError:  # pragma: no cover - depends on the environment
    libsbml = None

#: SBML id of the internal circadian forcing switch ``_circadian_forcing``.
FORCING_ID = "circadian_forcing_switch"

_SID = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def require_libsbml():
    """Raise ImportError with the install command if python-libsbml is missing."""
    if libsbml is None:
        raise ImportError("SBML export needs python-libsbml: pip install 'rlsmodel[sbml]' "
                          "(or pip install python-libsbml)")


# -- identifiers ------------------------------------------------------------------------------
def sbml_id(name: str) -> str:
    """The SBML id used for the rlsmodel name ``name``.

    Names are kept unchanged when they are valid SBML SIds that the L3 formula parser
    reads as plain identifiers. Otherwise: ``_circadian_forcing`` becomes
    :data:`FORCING_ID`; invalid characters become ``_``; a leading underscore or digit gets
    the prefix ``v_``; a name the formula parser reserves (``pi``, ``time``, ``inf``,
    ``true``...) gets the suffix ``_``. The mapping depends only on the name, so it is the
    same in every export.
    """
    if name == FORCING.name:
        return FORCING_ID
    out = re.sub(r"[^A-Za-z0-9_]", "_", name)
    if not out or not (out[0].isalpha()):
        out = "v_" + out.lstrip("_")
    if not _SID.match(out):  # pragma: no cover - guarded by the substitutions above
        raise ValueError(f"cannot make an SBML id from {name!r}")
    if _reserved(out):
        out += "_"
    return out


#: Words the SBML L3 formula parser reads as constants or csymbols, not names (any letter case;
#: checked against libsbml 5.21's parseL3Formula, see tests/test_sbml.py).
L3_RESERVED = frozenset({"true", "false", "pi", "exponentiale", "avogadro", "time", "inf", "infinity",
                         "nan", "notanumber"})


def _reserved(identifier: str) -> bool:
    """True if the L3 formula parser does not read ``identifier`` as a plain name.

    A fixed list rather than asking libsbml: with python-libsedml loaded in the same process
    (it bundles its own libsbml), libsbml's AST node types come back as opaque pointers.
    """
    return identifier.lower() in L3_RESERVED


# -- sympy -> SBML L3 infix formula -------------------------------------------------------------
class L3FormulaPrinter:
    """Print sympy expressions as SBML Level 3 infix formulas for ``libsbml.parseL3Formula``.

    ``names`` maps sympy symbols to SBML ids (symbols not in it are printed under
    :func:`sbml_id` of their name); ``time_symbol`` prints as the SBML ``time`` csymbol.

    Conventions of the L3 parser this printer follows: ``log`` with one argument means
    log10 there, so natural logarithms print as ``ln(x)``; ``x^y`` is the power; relations print
    as ``geq(a, b)`` etc.; ``Piecewise`` prints as ``piecewise(v1, c1, v2, c2, ..., otherwise)``;
    ``Max``/``Min`` print as SBML L3V2 ``max``/``min``. Floats print with ``repr`` (the
    shortest string that round-trips the double exactly); rationals print as ``(p/q)``.
    Unsupported functions raise ``ValueError`` naming them.

    Units of literals: with ``units`` (a :class:`~rlsmodel.export.sbml_units.UnitContext`) and
    ``book`` (a :class:`~rlsmodel.export.sbml_units.UnitBook`), :meth:`doprint` takes the unit
    the whole expression must have (``want``) and every number is printed with the unit that
    makes its place consistent: a term of a sum takes the sum's unit; the coefficient of a
    product takes the required unit divided by the unit of the other factors (for ``x / 24``
    the 24 takes the inverse); exponents and the arguments of ``exp``, ``ln``, ``cos``... are
    dimensionless; both sides of a comparison share the unit of the side that has one. The
    numbers printed are the same doubles as without units.
    """

    _FUNCTIONS = {
        sp.exp: "exp", sp.log: "ln", sp.cos: "cos", sp.sin: "sin", sp.tan: "tan",
        sp.acos: "arccos", sp.asin: "arcsin", sp.atan: "arctan", sp.cosh: "cosh",
        sp.sinh: "sinh", sp.tanh: "tanh", sp.Abs: "abs", sp.floor: "floor",
        sp.ceiling: "ceil", sp.Max: "max", sp.Min: "min",
    }
    #: functions whose arguments and value share one unit (the rest take dimensionless arguments)
    _SAME_UNIT = {sp.Abs, sp.floor, sp.ceiling, sp.Max, sp.Min}
    _RELATIONS = {
        sp.GreaterThan: "geq", sp.StrictGreaterThan: "gt", sp.LessThan: "leq",
        sp.StrictLessThan: "lt", sp.Equality: "eq", sp.Unequality: "neq",
    }
    _LOGIC = {sp.And: "and", sp.Or: "or", sp.Not: "not", sp.Xor: "xor"}

    #: Functions with no MathML element, printed as calls of SBML function definitions
    #: (see :data:`FUNCTION_DEFINITIONS`).
    _DEFINED = {sp.gamma: "rlsmodel_gamma"}

    def __init__(self, names=None, time_symbol: sp.Symbol = t, units=None, book=None):
        if (units is None) != (book is None):
            raise ValueError("L3FormulaPrinter: give both units= and book= (or neither)")
        self.names = dict(names or {})
        self.time_symbol = time_symbol
        self.units = units
        self.book = book
        #: ids of the function definitions the printed formulas call (in definition order).
        self.used_functions = []
        #: (expression, unit) of products whose unit differs from the required one by a scale
        #: that no literal number converts (printed with an explicit ``1 <unit>`` factor).
        self.implicit_conversions = []

    def __call__(self, expr) -> str:
        return self.doprint(expr)

    def doprint(self, expr, want=None) -> str:
        """The formula string of ``expr``; ``want`` is the unit it must have (with units)."""
        return self._print(sp.sympify(expr), want)

    # -- units ---------------------------------------------------------------------------
    def _natural(self, e):
        return None if self.units is None else self.units.unit_of(e)

    def _unit_or(self, want, e):
        """``want``, else the natural unit of ``e``, else dimensionless."""
        if want is not None:
            return want
        return self._natural(e) or DIMENSIONLESS

    def _with_unit(self, text: str, unit) -> str:
        if self.units is None:
            return text
        return f"{text} {self.book.define(unit if unit is not None else DIMENSIONLESS)}"

    # atoms are printed without parentheses; everything else is wrapped where it is an operand
    def _operand(self, expr, want=None) -> str:
        text = self._print(expr, want)
        if expr.is_Symbol or getattr(expr, "func", None) in self._FUNCTIONS \
                or getattr(expr, "func", None) in self._DEFINED or isinstance(expr, sp.Piecewise) \
                or expr in (sp.pi, sp.E):
            return text
        if self.units is None and ((expr.is_Number and not expr.is_negative and expr.is_Integer)
                                   or (expr.is_Float and not expr.is_negative)):
            return text
        return f"({text})"

    def _print(self, e, want=None) -> str:  # noqa: C901 - one dispatch over sympy node types
        if e is sp.true:
            return "true"
        if e is sp.false:
            return "false"
        if e.is_Symbol:
            if e == self.time_symbol:
                return "time"
            return self.names.get(e) or sbml_id(e.name)
        if e is sp.pi:
            return "pi"
        if e is sp.E:
            return "exponentiale"
        if e is sp.oo:
            return self._with_unit("INF", want)
        if e is sp.zoo or e is sp.nan:
            return self._with_unit("NaN", want)
        if e is sp.S.NegativeInfinity:
            return f"(-{self._with_unit('INF', want)})"
        if e.is_Number:
            return self._print_number(e, want)
        if e.is_Add:
            return self._print_add(e, want)
        if e.is_Mul:
            return self._print_mul(e, want)
        if e.is_Pow:
            return self._print_pow(e, want)
        if isinstance(e, sp.Piecewise):
            unit = self._unit_or(want, e) if self.units is not None else None
            parts = []
            for value, cond in e.args:
                if cond is sp.true:
                    parts.append(self._print(value, unit))
                    break
                parts.extend([self._print(value, unit), self._print(cond)])
            return "piecewise(" + ", ".join(parts) + ")"
        if type(e) in self._RELATIONS:
            unit = None
            if self.units is not None:
                unit = self.units.first_unit([e.lhs, e.rhs]) or DIMENSIONLESS
            return f"{self._RELATIONS[type(e)]}({self._print(e.lhs, unit)}, {self._print(e.rhs, unit)})"
        if type(e) in self._LOGIC:
            return f"{self._LOGIC[type(e)]}(" + ", ".join(self._print(a) for a in e.args) + ")"
        if getattr(e, "func", None) in self._FUNCTIONS:
            if e.func in self._SAME_UNIT:
                unit = self._unit_or(want, e) if self.units is not None else None
            else:
                unit = DIMENSIONLESS
            return f"{self._FUNCTIONS[e.func]}(" + ", ".join(self._print(a, unit) for a in e.args) + ")"
        if getattr(e, "func", None) in self._DEFINED:
            fid = self._DEFINED[e.func]
            for dep in _FUNCTION_DEPENDENCIES[fid] + [fid]:
                if dep not in self.used_functions:
                    self.used_functions.append(dep)
            return f"{fid}(" + ", ".join(self._print(a, DIMENSIONLESS) for a in e.args) + ")"
        raise ValueError(f"cannot export {type(e).__name__} ({e}) to SBML: no SBML L3 equivalent "
                         "is implemented in rlsmodel.export.sbml_math.L3FormulaPrinter")

    def _print_number(self, e, want) -> str:
        if e.is_Integer:
            return self._with_unit(str(int(e)), want)
        if e.is_Rational:
            if self.units is None:
                return f"({int(e.p)}/{int(e.q)})"
            return f"({self._with_unit(str(int(e.p)), want)}/{self._with_unit(str(int(e.q)), DIMENSIONLESS)})"
        value = float(e)
        if not math.isfinite(value):
            return "NaN" if value != value else ("INF" if value > 0 else "(-INF)")
        return self._with_unit(repr(value), want)

    def _print_add(self, e, want=None) -> str:
        unit = self._unit_or(want, e) if self.units is not None else None
        terms = list(e.args)
        # a positive term first reads better: a - b rather than -b + a
        terms.sort(key=lambda a: a.could_extract_minus_sign())
        first = self._print(terms[0], unit)
        out = first if not terms[0].is_Add else f"({first})"
        for term in terms[1:]:
            if term.could_extract_minus_sign():
                neg = -term
                text = self._print(neg, unit)
                out += f" - ({text})" if neg.is_Add or (self.units is not None and neg.is_Number) else f" - {text}"
            else:
                out += f" + {self._print(term, unit)}"
        return out

    def _print_mul(self, e, want=None) -> str:
        coeff, factors = e.as_coeff_mul()
        numbers = [f for f in factors if f.is_Number]   # as_coeff_mul leaves -86.4 as (-1, 86.4, ...)
        if numbers:
            factors = tuple(f for f in factors if not f.is_Number)
            for f in numbers:
                coeff = coeff * f
        sign = ""
        if coeff.is_negative:
            sign, coeff = "-", -coeff
        coeff_unit = None
        if self.units is not None:
            natural = DIMENSIONLESS
            for f in factors:
                u = self._natural(f)
                if u is not None:
                    natural = natural * u
            coeff_unit = (want / natural) if want is not None else DIMENSIONLESS
        numer, denom = [], []       # (expr, printed text)
        if coeff != 1:
            if coeff.is_Rational and not coeff.is_Integer:
                if coeff.p != 1:
                    numer.append((sp.Integer(coeff.p), self._with_unit(str(int(coeff.p)), coeff_unit)))
                    denom.append((sp.Integer(coeff.q), self._with_unit(str(int(coeff.q)), DIMENSIONLESS)))
                else:
                    inverse = None if coeff_unit is None else coeff_unit ** -1
                    denom.append((sp.Integer(coeff.q), self._with_unit(str(int(coeff.q)), inverse)))
            else:
                numer.append((coeff, self._print_number(coeff, coeff_unit)))
        elif self.units is not None and not _identity(coeff_unit):
            # the factors' units differ from the required unit by a scale and no number converts
            # them: written as an explicit "1 <unit>" and recorded (a declaration to look at)
            self.implicit_conversions.append((e, coeff_unit))
            numer.append((sp.Integer(1), self._with_unit("1", coeff_unit)))
        for f in factors:
            if f.is_Pow and f.exp.is_Number and f.exp.is_negative:
                base = f.base if f.exp == -1 else sp.Pow(f.base, -f.exp, evaluate=False)
                denom.append((base, None))
            else:
                numer.append((f, None))

        def show(item):
            expr, text = item
            if text is None:
                return self._operand(expr)
            if self.units is None and (expr.is_Integer or (expr.is_Float and not expr.is_negative)):
                return text
            return f"({text})" if self.units is not None else self._operand(expr)

        num = " * ".join(show(f) for f in numer) if numer else self._with_unit("1", DIMENSIONLESS)
        if len(numer) > 1 and sign:
            num = f"({num})"
        if not denom:
            return sign + num
        den = " * ".join(show(f) for f in denom)
        if len(denom) > 1:
            den = f"({den})"
        if len(numer) > 1:
            num = num if num.startswith("(") else f"({num})"
        return f"{sign}{num} / {den}"

    def _print_pow(self, e, want=None) -> str:
        base, exponent = e.args
        if exponent == sp.S.Half:
            return f"sqrt({self._print(base)})"
        if exponent.is_Number and exponent.is_negative:
            inner = base if exponent == -1 else sp.Pow(base, -exponent, evaluate=False)
            return f"{self._with_unit('1', DIMENSIONLESS)} / {self._operand(inner)}"
        base_unit = None
        if self.units is not None and not exponent.is_Number:
            base_unit = DIMENSIONLESS
        return f"{self._operand(base, base_unit)}^{self._operand(exponent, DIMENSIONLESS)}"


def _identity(unit) -> bool:
    from .sbml_units import is_identity
    return unit is None or is_identity(unit)


# Lanczos approximation (g = 7, 9 coefficients; relative error about 1e-15 for real x), the
# coefficients of Press et al., Numerical Recipes, 3rd ed., section 6.1 / Godfrey's table.
_LANCZOS_G = 7.0
_LANCZOS = (0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
            -176.61502916214059, 12.507343278686905, -0.13857109526572012,
            9.9843695780195716e-6, 1.5056327351493116e-7)


def _lanczos_body(u: str = "") -> str:
    """The Lanczos series; ``u`` is the unit suffix of its numbers (`` dimensionless`` or empty)."""
    series = " + ".join([f"{_LANCZOS[0]!r}{u}"]
                        + [f"{c!r}{u} / (x + {k - 1}{u})" for k, c in enumerate(_LANCZOS[1:], 1)])
    tt = f"(x + {_LANCZOS_G - 0.5!r}{u})"
    return f"sqrt(2{u} * pi) * {tt}^(x - 0.5{u}) * exp(-{tt}) * ({series})"


def _gamma_body(u: str = "") -> str:
    return (f"piecewise(pi / (sin(pi * x) * rlsmodel_gamma_lanczos(1{u} - x)), lt(x, 0.5{u}), "
            "rlsmodel_gamma_lanczos(x))")


#: SBML function definitions for functions MathML lacks: id -> (arguments, L3 formula body).
#: ``rlsmodel_gamma`` is Euler's gamma function for real arguments (Lanczos for x >= 1/2,
#: reflection formula below), accurate to about 1e-15 relative; MathML ``factorial`` is not
#: used because simulators (libroadrunner) evaluate it for integers only. The bodies'
#: numbers are dimensionless (:func:`add_function_definitions` writes them with units).
FUNCTION_DEFINITIONS = OrderedDict([
    ("rlsmodel_gamma_lanczos", (("x",), _lanczos_body())),
    ("rlsmodel_gamma", (("x",), _gamma_body())),
])
_UNIT_BODIES = {"rlsmodel_gamma_lanczos": _lanczos_body(" dimensionless"),
                "rlsmodel_gamma": _gamma_body(" dimensionless")}
_FUNCTION_DEPENDENCIES = {"rlsmodel_gamma_lanczos": [], "rlsmodel_gamma": ["rlsmodel_gamma_lanczos"]}


def add_function_definitions(model, ids, units: bool = False) -> None:
    """Add the SBML function definitions ``ids`` (from :data:`FUNCTION_DEFINITIONS`) to
    ``model``; with ``units`` their numbers carry ``sbml:units="dimensionless"``."""
    require_libsbml()
    for fid in ids:
        args, body = FUNCTION_DEFINITIONS[fid]
        if units:
            body = _UNIT_BODIES[fid]
        fd = model.createFunctionDefinition()
        _check(fd.setId(fid), f"function definition {fid}")
        _check(fd.setMath(parse_formula(f"lambda({', '.join(args)}, {body})", units=units)),
               f"function definition {fid}")


def to_ast(expr, names=None, time_symbol: sp.Symbol = t):
    """``expr`` as a libsbml ``ASTNode`` (printed by :class:`L3FormulaPrinter`, then parsed)."""
    require_libsbml()
    formula = L3FormulaPrinter(names, time_symbol).doprint(expr)
    return parse_formula(formula)


def parse_formula(formula: str, units: bool = False):
    """Parse an L3 infix formula (numbers may carry unit ids when ``units``); raise
    ``ValueError`` with libsbml's message if it does not parse."""
    settings = libsbml.L3ParserSettings()
    settings.setParseLog(libsbml.L3P_PARSE_LOG_AS_LN)  # belt and braces: we print ln() anyway
    settings.setParseUnits(bool(units))
    ast = libsbml.parseL3FormulaWithSettings(formula, settings)
    if ast is None:
        raise ValueError(f"libsbml could not parse the formula {formula!r}: "
                         f"{libsbml.getLastParseL3Error()}")
    return ast


def _check(code, what):
    if code is not None and code != libsbml.LIBSBML_OPERATION_SUCCESS:
        raise RuntimeError(f"libsbml failed setting {what}: {libsbml.OperationReturnValue_toString(code)}")


__all__ = ["FORCING_ID", "FUNCTION_DEFINITIONS", "L3FormulaPrinter", "add_function_definitions",
           "parse_formula", "require_libsbml", "sbml_id", "to_ast"]
