"""SBML export: the whole model as an SBML Level 3 Version 2 document, from the declaration.

>>> import rlsmodel
>>> from rlsmodel.export.sbml import sbml
>>> sbml("rls_genetic.xml", profile="rls_genetic")            # doctest: +SKIP

What the document holds, and why it is built this way
-----------------------------------------------------
* **Time** is SBML's ``time`` symbol, in days (``timeUnits="day"``); ``time = 0`` is midnight
  of the first simulated day, exactly as in :meth:`rlsmodel.Model.simulate`.
* **One compartment** ``compartment`` (size 1, dimensionless, constant). It only exists
  because SBML species need one.
* **Every state is a species** with ``hasOnlySubstanceUnits="true"``: its value *is* the
  rlsmodel state in the state's own unit (mg, uM, dimensionless...), never divided by a
  volume. Its initial amount is the profile's state at midnight on the daily limit cycle
  (``Model.periodic_state``), the same numbers ``Model.simulate`` starts from.
* **Flows and regulations are reactions**, so the network keeps its readable structure
  (source -> target transport, production and loss terms) instead of one opaque rate rule
  per state. Each flow is a reaction with the source as reactant and the target as product
  (``None`` ends are simply absent) and the declared rate as kinetic law. A regulation is a
  reaction producing its state (or consuming it, with the sign folded into the law, when
  the declared term is written as a loss). Because the compartment has size 1 and every
  species has ``hasOnlySubstanceUnits="true"``, each species changes by exactly the sum of
  the laws, which is ``System.rhs``.
  The ledger states (``iron_intake_total``, ``iron_loss_total``) are bookkeeping products
  of the reactions that cross the body boundary, as in :func:`rlsmodel.model.system.assemble`.
  ``reversible`` is ``false`` only where sympy can prove the law is non-negative for
  non-negative states and parameters in their declared domains.
* **Parameters** are constant global parameters with the resolved values of
  ``profile`` + ``params`` (the values ``Model.simulate`` uses).
* **Observables** are non-constant global parameters defined by assignment rules: the
  rules of the assembled system (:attr:`System.observable_rules`: each refers to the
  observables it uses by name; drug contributions to sum observables are added; circadian
  rhythms keep their ``daily_mean`` switch form). Kinetic laws refer to observables by name.
  Substituting the rules reproduces ``System.rhs``; the test compares SBML rates of change
  with the compiled right-hand side. The assembler's body totals (``total_body_iron``) are
  observables like any other.
* **The rest/activity schedule** (the forcings ``moving`` and ``time_at_rest`` of
  :mod:`rlsmodel.model.rest_activity`) is written as assignment rules piecewise in the clock
  hour ``24 * (time - floor(time))`` (:meth:`rlsmodel.activity.Activity.forcing_expressions`;
  ``activity=``, default the schedule ``Model.simulate`` uses), so the felt ``symptom``
  and ``activity_factor`` are in the document too.
* The internal circadian switch ``_circadian_forcing`` is the constant parameter
  ``circadian_forcing_switch`` = 1 (rhythms on, as in simulations). A leading underscore is
  legal in an SBML SId, but it reads as "private" and some tools reject it, so it is renamed;
  every other rlsmodel name is kept as its SBML id, unless it is not a valid SId or the
  L3 formula parser reserves it (``pi``, ``time``, ``inf``...), in which case
  :func:`sbml_id` maps it consistently (and the original name stays in the annotation).
* **Units**: one UnitDefinition per unit string used (derived exactly with pint from SI
  base units), set on species, parameters and observables; the rlsmodel unit string is
  also kept in each element's notes and ``rlsmodel:element`` annotation. Reactions move
  quantities of different units (mg, uM, dimensionless), which a single SBML extent unit
  cannot describe, so ``extentUnits`` is left unset and a unit-consistency checker will
  report undeclared reaction units; the simulation semantics are unaffected.
* **Regimen doses are events.** :meth:`Regimen.events` gives ``(time, state_index, value,
  mode)``; simultaneous events on one state are folded into one jump (``add``: ``x + v``,
  ``set``: ``v``, in list order). Doses with the same state, jump and constant spacing are
  one *periodic* SBML event: trigger ``n < count && time >= first + n*interval`` with
  ``initialValue=false``, ``persistent=true``, ``useValuesFromTriggerTime=true``; it jumps the
  state and increments its counter ``n``, which re-arms the trigger for the next dose. A
  daily regimen is therefore one event per drug rather than one per dose: CVODE evaluates
  every event trigger at every step, so hundreds of one-off events would slow any
  simulator of the file. Single doses become events with ``count = 1``. A dose into an
  in-body state holding a conserved quantity (IV iron) also jumps the intake ledger, as in
  ``Model.simulate`` (:meth:`rlsmodel.model.system.System.ledger_events`).
"""
from __future__ import annotations
from ..fileio import atomic_output

import math
import re
from collections import OrderedDict
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import numpy as np
import sympy as sp

from .._version import __version__
from ..model import units as _units
from ..model.declaration import sym, t
from ..model.system import FORCING

try:  # python-libsbml is an optional extra: ``pip install rlsmodel[sbml]``
    import libsbml
except ImportError:  # pragma: no cover - depends on the environment
    libsbml = None

#: SBML level and version written.
SBML_LEVEL, SBML_VERSION = 3, 2
#: SBML id of the internal circadian forcing switch ``_circadian_forcing``.
FORCING_ID = "circadian_forcing_switch"
#: Id of the single nominal compartment.
COMPARTMENT_ID = "compartment"
#: XML namespace of rlsmodel's own annotations.
ANNOTATION_NS = "urn:rlsmodel:sbml:1"

_SID = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# SBML base unit kinds: unit definition ids must not redefine them.
_BASE_UNIT_KINDS = {
    "ampere", "avogadro", "becquerel", "candela", "celsius", "coulomb", "dimensionless", "farad",
    "gram", "gray", "henry", "hertz", "item", "joule", "katal", "kelvin", "kilogram", "liter",
    "litre", "lumen", "lux", "meter", "metre", "mole", "newton", "ohm", "pascal", "radian",
    "second", "siemens", "sievert", "steradian", "tesla", "volt", "watt", "weber", "substance",
    "volume", "area", "length", "time",
}


def _require_libsbml():
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


def _reserved(identifier: str) -> bool:
    """True if the L3 formula parser does not read ``identifier`` as a plain name."""
    if libsbml is None:
        return identifier.lower() in {"time", "pi", "inf", "infinity", "nan", "notanumber",
                                      "true", "false", "avogadro", "exponentiale"}
    ast = libsbml.parseL3Formula(identifier)
    return ast is None or ast.getType() != libsbml.AST_NAME


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
    """

    _FUNCTIONS = {
        sp.exp: "exp", sp.log: "ln", sp.cos: "cos", sp.sin: "sin", sp.tan: "tan",
        sp.acos: "arccos", sp.asin: "arcsin", sp.atan: "arctan", sp.cosh: "cosh",
        sp.sinh: "sinh", sp.tanh: "tanh", sp.Abs: "abs", sp.floor: "floor",
        sp.ceiling: "ceil", sp.Max: "max", sp.Min: "min",
    }
    _RELATIONS = {
        sp.GreaterThan: "geq", sp.StrictGreaterThan: "gt", sp.LessThan: "leq",
        sp.StrictLessThan: "lt", sp.Equality: "eq", sp.Unequality: "neq",
    }
    _LOGIC = {sp.And: "and", sp.Or: "or", sp.Not: "not", sp.Xor: "xor"}

    #: Functions with no MathML element, printed as calls of SBML function definitions
    #: (see :data:`FUNCTION_DEFINITIONS`).
    _DEFINED = {sp.gamma: "rlsmodel_gamma"}

    def __init__(self, names=None, time_symbol: sp.Symbol = t):
        self.names = dict(names or {})
        self.time_symbol = time_symbol
        #: ids of the function definitions the printed formulas call (in definition order).
        self.used_functions = []

    def __call__(self, expr) -> str:
        return self.doprint(expr)

    def doprint(self, expr) -> str:
        """The formula string of ``expr``."""
        return self._print(sp.sympify(expr))

    # atoms are printed without parentheses; everything else is wrapped where it is an operand
    def _operand(self, expr) -> str:
        text = self._print(expr)
        if expr.is_Symbol or getattr(expr, "func", None) in self._FUNCTIONS \
                or getattr(expr, "func", None) in self._DEFINED or isinstance(expr, sp.Piecewise) \
                or expr in (sp.pi, sp.E) or (expr.is_Number and not expr.is_negative and expr.is_Integer) \
                or (expr.is_Float and not expr.is_negative):
            return text
        return f"({text})"

    def _print(self, e) -> str:  # noqa: C901 - one dispatch over sympy node types
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
            return "INF"
        if e is sp.zoo or e is sp.nan:
            return "NaN"
        if e is sp.S.NegativeInfinity:
            return "(-INF)"
        if e.is_Integer:
            return str(int(e))
        if e.is_Rational:
            return f"({int(e.p)}/{int(e.q)})"
        if e.is_Float:
            value = float(e)
            if not math.isfinite(value):
                return "NaN" if value != value else ("INF" if value > 0 else "(-INF)")
            return repr(value)
        if e.is_Add:
            return self._print_add(e)
        if e.is_Mul:
            return self._print_mul(e)
        if e.is_Pow:
            return self._print_pow(e)
        if isinstance(e, sp.Piecewise):
            parts = []
            for value, cond in e.args:
                if cond is sp.true:
                    parts.append(self._print(value))
                    break
                parts.extend([self._print(value), self._print(cond)])
            return "piecewise(" + ", ".join(parts) + ")"
        if type(e) in self._RELATIONS:
            return f"{self._RELATIONS[type(e)]}({self._print(e.lhs)}, {self._print(e.rhs)})"
        if type(e) in self._LOGIC:
            return f"{self._LOGIC[type(e)]}(" + ", ".join(self._print(a) for a in e.args) + ")"
        if getattr(e, "func", None) in self._FUNCTIONS:
            return f"{self._FUNCTIONS[e.func]}(" + ", ".join(self._print(a) for a in e.args) + ")"
        if getattr(e, "func", None) in self._DEFINED:
            fid = self._DEFINED[e.func]
            for dep in _FUNCTION_DEPENDENCIES[fid] + [fid]:
                if dep not in self.used_functions:
                    self.used_functions.append(dep)
            return f"{fid}(" + ", ".join(self._print(a) for a in e.args) + ")"
        raise ValueError(f"cannot export {type(e).__name__} ({e}) to SBML: no SBML L3 equivalent "
                         "is implemented in rlsmodel.export.sbml.L3FormulaPrinter")

    def _print_add(self, e) -> str:
        terms = list(e.args)
        # a positive term first reads better: a - b rather than -b + a
        terms.sort(key=lambda a: a.could_extract_minus_sign())
        out = self._print(terms[0]) if not terms[0].is_Add else f"({self._print(terms[0])})"
        for term in terms[1:]:
            if term.could_extract_minus_sign():
                neg = -term
                text = self._print(neg)
                out += f" - ({text})" if neg.is_Add else f" - {text}"
            else:
                out += f" + {self._print(term)}"
        return out

    def _print_mul(self, e) -> str:
        coeff, factors = e.as_coeff_mul()
        sign = ""
        if coeff.is_negative:
            sign, coeff = "-", -coeff
        numer, denom = [], []
        if coeff != 1:
            if coeff.is_Rational and not coeff.is_Integer:
                if coeff.p != 1:
                    numer.append(sp.Integer(coeff.p))
                denom.append(sp.Integer(coeff.q))
            else:
                numer.append(coeff)
        for f in factors:
            if f.is_Pow and f.exp.is_Number and f.exp.is_negative:
                denom.append(f.base if f.exp == -1 else sp.Pow(f.base, -f.exp, evaluate=False))
            else:
                numer.append(f)
        num = " * ".join(self._operand(f) for f in numer) if numer else "1"
        if len(numer) > 1 and sign:
            num = f"({num})"
        if not denom:
            return sign + num
        den = " * ".join(self._operand(f) for f in denom)
        if len(denom) > 1:
            den = f"({den})"
        if len(numer) > 1:
            num = num if num.startswith("(") else f"({num})"
        return f"{sign}{num} / {den}"

    def _print_pow(self, e) -> str:
        base, exponent = e.args
        if exponent == sp.S.Half:
            return f"sqrt({self._print(base)})"
        if exponent.is_Number and exponent.is_negative:
            inner = base if exponent == -1 else sp.Pow(base, -exponent, evaluate=False)
            return f"1 / {self._operand(inner)}"
        return f"{self._operand(base)}^{self._operand(exponent)}"


# Lanczos approximation (g = 7, 9 coefficients; relative error about 1e-15 for real x), the
# coefficients of Press et al., Numerical Recipes, 3rd ed., section 6.1 / Godfrey's table.
_LANCZOS_G = 7.0
_LANCZOS = (0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
            -176.61502916214059, 12.507343278686905, -0.13857109526572012,
            9.9843695780195716e-6, 1.5056327351493116e-7)


def _lanczos_body() -> str:
    series = " + ".join([repr(_LANCZOS[0])] + [f"{c!r} / (x + {k - 1})" for k, c in enumerate(_LANCZOS[1:], 1)])
    tt = f"(x + {_LANCZOS_G - 0.5!r})"
    return f"sqrt(2 * pi) * {tt}^(x - 0.5) * exp(-{tt}) * ({series})"


#: SBML function definitions for functions MathML lacks: id -> (arguments, L3 formula body).
#: ``rlsmodel_gamma`` is Euler's gamma function for real arguments (Lanczos for x >= 1/2,
#: reflection formula below), accurate to about 1e-15 relative; MathML ``factorial`` is not
#: used because simulators (libroadrunner) evaluate it for integers only.
FUNCTION_DEFINITIONS = OrderedDict([
    ("rlsmodel_gamma_lanczos", (("x",), _lanczos_body())),
    ("rlsmodel_gamma", (("x",), "piecewise(pi / (sin(pi * x) * rlsmodel_gamma_lanczos(1 - x)), lt(x, 0.5), "
                                "rlsmodel_gamma_lanczos(x))")),
])
_FUNCTION_DEPENDENCIES = {"rlsmodel_gamma_lanczos": [], "rlsmodel_gamma": ["rlsmodel_gamma_lanczos"]}


def add_function_definitions(model, ids) -> None:
    """Add the SBML function definitions ``ids`` (from :data:`FUNCTION_DEFINITIONS`) to ``model``."""
    _require_libsbml()
    for fid in ids:
        args, body = FUNCTION_DEFINITIONS[fid]
        fd = model.createFunctionDefinition()
        _check(fd.setId(fid), f"function definition {fid}")
        _check(fd.setMath(_parse(f"lambda({', '.join(args)}, {body})")), f"function definition {fid}")


def to_ast(expr, names=None, time_symbol: sp.Symbol = t):
    """``expr`` as a libsbml ``ASTNode`` (printed by :class:`L3FormulaPrinter`, then parsed)."""
    _require_libsbml()
    formula = L3FormulaPrinter(names, time_symbol).doprint(expr)
    return _parse(formula)


def _parse(formula: str):
    settings = libsbml.L3ParserSettings()
    settings.setParseLog(libsbml.L3P_PARSE_LOG_AS_LN)  # belt and braces: we print ln() anyway
    settings.setParseUnits(False)
    ast = libsbml.parseL3FormulaWithSettings(formula, settings)
    if ast is None:
        raise ValueError(f"libsbml could not parse the formula {formula!r}: "
                         f"{libsbml.getLastParseL3Error()}")
    return ast


# -- units ------------------------------------------------------------------------------------
_PINT_TO_SBML = {"meter": "UNIT_KIND_METRE", "kilogram": "UNIT_KIND_KILOGRAM",
                 "second": "UNIT_KIND_SECOND", "mole": "UNIT_KIND_MOLE",
                 "ampere": "UNIT_KIND_AMPERE", "kelvin": "UNIT_KIND_KELVIN",
                 "candela": "UNIT_KIND_CANDELA", "radian": "UNIT_KIND_RADIAN"}


def unit_id(unit: str) -> str:
    """SBML UnitSId for the rlsmodel unit string ``unit`` (``"dimensionless"`` for ``"1"``)."""
    unit = unit.strip()
    if unit in ("1", "", "dimensionless"):
        return "dimensionless"
    text = unit.replace("**", "_pow_").replace("^", "_pow_").replace("/", "_per_").replace("*", "_")
    text = re.sub(r"[^A-Za-z0-9_]", "_", text).strip("_")
    text = re.sub(r"_+", "_", text)
    if text.startswith("1_per_"):
        text = text[2:]
    if not text or not text[0].isalpha():
        text = "u_" + text
    if text in _BASE_UNIT_KINDS:
        text = "u_" + text
    return text


def _unit_factors(unit: str):
    """(magnitude, [(sbml_kind_name, exponent), ...]) of ``unit`` in SI base units, via pint."""
    q = (1.0 * _units.parse(unit)).to_base_units()
    magnitude = float(f"{float(q.magnitude):.15g}")
    factors = []
    for name, exponent in q.unit_items():
        if name not in _PINT_TO_SBML:
            raise ValueError(f"unit {unit!r}: base unit {name!r} has no SBML kind")
        factors.append((_PINT_TO_SBML[name], float(exponent)))
    return magnitude, factors


def _add_unit_definition(model, unit: str, defined: dict) -> str:
    """Define ``unit`` in ``model`` once; return its id."""
    uid = unit_id(unit)
    if uid == "dimensionless" or uid in defined:
        if uid in defined and defined[uid] != unit and _unit_factors(defined[uid]) != _unit_factors(unit):
            raise ValueError(f"unit strings {defined[uid]!r} and {unit!r} map to one SBML id {uid!r}")
        return uid
    magnitude, factors = _unit_factors(unit)
    ud = model.createUnitDefinition()
    _check(ud.setId(uid), f"unit id {uid}")
    ud.setName(unit)
    carrier = next((i for i, (_, e) in enumerate(factors) if e == 1.0), None)
    if carrier is None and magnitude != 1.0:
        carrier = next((i for i, (_, e) in enumerate(factors) if e == -1.0), None)
    for i, (kind, exponent) in enumerate(factors):
        u = ud.createUnit()
        u.setKind(getattr(libsbml, kind))
        u.setExponent(exponent)
        u.setScale(0)
        mult = 1.0
        if i == carrier:
            mult = magnitude if exponent == 1.0 else 1.0 / magnitude
        u.setMultiplier(mult)
    if (carrier is None and magnitude != 1.0) or not factors:
        u = ud.createUnit()   # a pure scale (e.g. percent) or an exponent-free remainder
        u.setKind(libsbml.UNIT_KIND_DIMENSIONLESS)
        u.setExponent(1.0)
        u.setScale(0)
        u.setMultiplier(magnitude)
    defined[uid] = unit
    return uid


# -- notes and annotations --------------------------------------------------------------------
def _notes(element, lines):
    body = "".join(f"<p>{escape(str(line))}</p>" for line in lines if line)
    if body:
        _check(element.setNotes(f'<body xmlns="http://www.w3.org/1999/xhtml">{body}</body>'), "notes")


def _annotate(element, **attrs):
    text = " ".join(f"{k}={quoteattr(str(v))}" for k, v in attrs.items() if v is not None)
    _check(element.setAnnotation(
        f'<annotation><rlsmodel:element xmlns:rlsmodel="{ANNOTATION_NS}" {text}/></annotation>'),
        "annotation")


def _check(code, what):
    if code is not None and code != libsbml.LIBSBML_OPERATION_SUCCESS:
        raise RuntimeError(f"libsbml failed setting {what}: {libsbml.OperationReturnValue_toString(code)}")


# -- the document -----------------------------------------------------------------------------
def _nonnegative(expr, system):
    """True if sympy proves ``expr`` >= 0 for non-negative states and in-domain parameters."""
    subs = {}
    for name in system.states:
        subs[sym(name)] = sp.Symbol(name, nonnegative=True)
    for name, par in system.parameters.items():
        kw = {"positive": {"positive": True}, "nonnegative": {"nonnegative": True},
              "fraction": {"nonnegative": True}}.get(par.domain, {"real": True})
        subs[sym(name)] = sp.Symbol(name, **kw)
    subs[FORCING] = sp.Symbol(FORCING.name, nonnegative=True)
    try:
        return bool(expr.xreplace(subs).is_nonnegative)
    except Exception:  # pragma: no cover - sympy's assumption system can fail on odd forms
        return False


def _fold_events(events):
    """{time: {state_index: (mode, value)}}: simultaneous events on one state composed in order."""
    by_time = OrderedDict()
    for time_, idx, value, mode in sorted(events, key=lambda e: float(e[0])):
        idx = int(idx)
        if mode not in ("add", "set"):
            raise ValueError(f"unknown event mode {mode!r} (expected 'add' or 'set')")
        slot = by_time.setdefault(float(time_), OrderedDict())
        if mode == "set" or idx not in slot:
            slot[idx] = (mode, float(value))
        else:
            old_mode, old_value = slot[idx]
            slot[idx] = (old_mode, old_value + float(value))
    return by_time


def periodic_runs(times, tol=1e-9):
    """Split sorted ``times`` into maximal runs of constant spacing: [(first, interval, count)]."""
    times = [float(x) for x in times]
    runs, i = [], 0
    while i < len(times):
        if i + 1 == len(times):
            runs.append((times[i], 0.0, 1))
            break
        first, interval = times[i], times[i + 1] - times[i]
        j = i + 1
        while j + 1 < len(times) and abs((times[j + 1] - first) - (j + 1 - i) * interval) <= tol * max(1.0, abs(times[j + 1])):
            j += 1
        runs.append((first, interval, j - i + 1))
        i = j + 1
    return runs


class _Ids:
    """SId registry: one SBML namespace for species, parameters, reactions, events."""

    def __init__(self):
        self.used = {}

    def claim(self, sid, owner):
        if sid in self.used:
            raise ValueError(f"SBML id {sid!r} for {owner} is already used by {self.used[sid]}")
        self.used[sid] = owner
        return sid

    def fresh(self, base, owner):
        sid, k = base, 1
        while sid in self.used:
            k += 1
            sid = f"{base}_{k}"
        return self.claim(sid, owner)


def sbml_document(profile="healthy", regimen=None, model=None, params=None, days=None, activity=None):
    """Build the libsbml ``SBMLDocument`` of the model (see the module docstring).

    Parameters are as in :func:`sbml`. Returns the document; raises ``ValueError`` naming
    the problem if a name cannot be mapped, a formula cannot be converted, or libsbml
    reports an error in the document.
    """
    _require_libsbml()
    from ..activity import Activity, with_schedule_parameters
    if model is None:
        from ..simulator import Model
        model = Model()
    activity = Activity.default() if activity is None else activity
    if not isinstance(activity, Activity):
        raise ValueError(f"activity must be an rlsmodel.Activity; got {type(activity).__name__}")
    params = with_schedule_parameters(params, activity)
    system, compiled = model.system, model.compiled
    values = model.resolve_parameters(profile, params)
    p = model.parameter_vector(profile, params)
    y0, init_method = model.periodic_state(p)
    forcings0 = activity.forcings(np.zeros(1))
    obs0 = compiled.observables(np.zeros(1), y0[:, None], p, forcings=forcings0)

    events = []
    if regimen is not None:
        if days is None:
            raise ValueError("days is required with a regimen: it sets how far the regimen's "
                             "doses are listed (Regimen.events(model, days, params))")
        days = float(days)
        if not (math.isfinite(days) and days > 0):
            raise ValueError(f"days must be a positive finite number; got {days!r}")
        # doses into in-body conserved states are counted in the ledgers, as in Model.simulate
        events = system.ledger_events(list(regimen.events(model, days, params=values)))

    ids = _Ids()
    names = {}
    for n in list(system.states) + list(system.parameters) + list(system.observables) + list(system.forcings):
        names[sym(n)] = ids.claim(sbml_id(n), f"rlsmodel name {n!r}")
    names[FORCING] = ids.claim(FORCING_ID, "the circadian forcing switch")
    printer = L3FormulaPrinter(names)

    def math_of(expr, where):
        formula = printer.doprint(expr)
        try:
            return _parse(formula)
        except ValueError as err:
            raise ValueError(f"{where}: {err}") from None

    doc = libsbml.SBMLDocument(SBML_LEVEL, SBML_VERSION)
    m = doc.createModel()
    m.setId("rlsmodel")
    from ..profiles import get as _get_profile
    prof = _get_profile(profile)
    m.setName(f"rlsmodel {__version__}: restless legs syndrome model, profile {prof.name}")
    units = {}
    m.setTimeUnits(_add_unit_definition(m, "day", units))
    _notes(m, [
        f"rlsmodel {__version__} (model structure {compiled.structure_hash}); "
        f"augmentation mechanism {model.augmentation}; DAT hypothesis {model.dat_hypothesis}.",
        f"Profile {prof.name}: {prof.description}",
        f"Parameter overrides: {dict(params or {})}" if params else "Parameter overrides: none",
        f"Regimen: {regimen.describe()} (doses listed up to day {days:g})" if regimen is not None
        else "Regimen: none",
        f"Initial values: {init_method} state at midnight, as Model.simulate starts.",
        "Time is in days; time = 0 is midnight. Species are amounts in their own units in a "
        "nominal compartment of size 1 (hasOnlySubstanceUnits=true).",
        f"{FORCING_ID} = 1 keeps the circadian rhythms on (0 replaces them by daily means).",
    ])

    comp = m.createCompartment()
    comp.setId(ids.claim(COMPARTMENT_ID, "the compartment"))
    comp.setName("nominal compartment (size 1): species are amounts in their own units")
    comp.setSize(1.0)
    comp.setConstant(True)
    comp.setSpatialDimensions(3.0)
    comp.setUnits("dimensionless")

    names_in_order = compiled.state_names
    for i, n in enumerate(names_in_order):
        s = system.states[n]
        sp_ = m.createSpecies()
        sp_.setId(names[sym(n)])
        sp_.setName(s.long_name or s.description)
        sp_.setCompartment(COMPARTMENT_ID)
        sp_.setInitialAmount(float(y0[i]))
        sp_.setHasOnlySubstanceUnits(True)
        sp_.setBoundaryCondition(False)
        sp_.setConstant(False)
        sp_.setSubstanceUnits(_add_unit_definition(m, s.unit, units))
        _notes(sp_, [s.description, f"unit: {s.unit}", f"kind: {s.kind}",
                     f"conserved quantity: {s.quantity}" if s.quantity else None])
        _annotate(sp_, name=n, unit=s.unit, role="state", kind=s.kind)

    for n, par in system.parameters.items():
        q = m.createParameter()
        q.setId(names[sym(n)])
        q.setName(par.description)
        q.setValue(float(values[n]))
        q.setConstant(True)
        q.setUnits(_add_unit_definition(m, par.unit, units))
        _notes(q, [par.description, f"unit: {par.unit}", f"default: {par.default}",
                   f"plausible range: {par.range[0]} to {par.range[1]}", f"domain: {par.domain}",
                   f"source: {par.source}"])
        _annotate(q, name=n, unit=par.unit, role="parameter", default=repr(float(par.default)),
                  low=repr(float(par.range[0])), high=repr(float(par.range[1])))

    q = m.createParameter()
    q.setId(FORCING_ID)
    q.setName("circadian forcing switch (1 = rhythms on, 0 = daily means)")
    q.setValue(float(p[-1]))
    q.setConstant(True)
    q.setUnits("dimensionless")
    _annotate(q, name=FORCING.name, unit="1", role="switch")

    schedule = activity.forcing_expressions(t)
    for n, fc in system.forcings.items():
        if n not in schedule:
            raise ValueError(f"forcing {n!r} (module declaration) has no expression in the rest/activity "
                             "schedule; SBML export knows the forcings of rlsmodel.model.rest_activity only")
        q = m.createParameter()
        q.setId(names[sym(n)])
        q.setName(fc.long_name or fc.description)
        q.setValue(float(forcings0[n][0]))
        q.setConstant(False)
        q.setUnits(_add_unit_definition(m, fc.unit, units))
        _notes(q, [fc.description, f"unit: {fc.unit}", f"schedule: {activity.segments!r}"])
        _annotate(q, name=n, unit=fc.unit, role="forcing")
        rule = m.createAssignmentRule()
        rule.setVariable(names[sym(n)])
        _check(rule.setMath(math_of(schedule[n], f"forcing {n!r}")), f"rule {n}")

    for n, expr in system.observable_rules.items():
        o = system.observables[n]
        q = m.createParameter()
        q.setId(names[sym(n)])
        q.setName(o.long_name)
        q.setValue(float(obs0[n][0]))
        q.setConstant(False)
        q.setUnits(_add_unit_definition(m, o.unit, units))
        _notes(q, [o.long_name, o.description, f"unit: {o.unit}"])
        _annotate(q, name=n, unit=o.unit, role="observable")
        rule = m.createAssignmentRule()
        rule.setVariable(names[sym(n)])
        _check(rule.setMath(math_of(expr, f"observable {n!r}")), f"rule {n}")

    # reactions: flows (with ledger bookkeeping products) and regulations
    resolved = {sym(n): e for n, e in system.observable_exprs.items()}

    def reaction(rid_base, owner, description, law, reactant=None, products=()):
        r = m.createReaction()
        r.setId(ids.fresh(sbml_id(rid_base), owner))
        r.setName(description)
        r.setReversible(not _nonnegative(law.xreplace(resolved), system))
        if reactant is not None:
            ref = r.createReactant()
            ref.setSpecies(names[sym(reactant)])
            ref.setStoichiometry(1.0)
            ref.setConstant(True)
        for prod in products:
            ref = r.createProduct()
            ref.setSpecies(names[sym(prod)])
            ref.setStoichiometry(1.0)
            ref.setConstant(True)
        involved = {reactant, *products}
        for s_ in sorted(law.xreplace(resolved).free_symbols, key=str):
            if s_.name in system.states and s_.name not in involved:
                mod = r.createModifier()
                mod.setSpecies(names[s_])
                involved.add(s_.name)
        kl = r.createKineticLaw()
        _check(kl.setMath(math_of(law, owner)), f"kinetic law of {owner}")
        _notes(r, [description])
        return r

    for f in system.flows:
        products = ([f.target] if f.target is not None else []) + list(system.ledgers_fed_by(f))
        r = reaction(f.name, f"flow {f.name!r}", f.description, f.rate, f.source, products)
        _annotate(r, name=f.name, role="flow", source=f.source or "", target=f.target or "")
    for reg in system.regulations:
        loss = reg.rate.could_extract_minus_sign()
        law = -reg.rate if loss else reg.rate
        r = reaction(reg.name, f"regulation {reg.name!r}", reg.description, law,
                     reactant=reg.state if loss else None, products=() if loss else (reg.state,))
        _annotate(r, name=reg.name, role="regulation", state=reg.state)

    if printer.used_functions:
        add_function_definitions(m, printer.used_functions)
        for fid in printer.used_functions:
            ids.claim(fid, f"function definition {fid}")

    # regimen events
    if events:
        folded = _fold_events(events)
        groups = OrderedDict()
        for time_, slot in folded.items():
            for idx, (mode, value) in slot.items():
                groups.setdefault((idx, mode, value), []).append(time_)
        k = 0
        for (idx, mode, value), times in groups.items():
            state = names_in_order[idx]
            sid = names[sym(state)]
            for first, interval, count in periodic_runs(times):
                k += 1
                base = ids.fresh(f"dose_{k}", f"dose event {k}")
                counter = ids.claim(f"{base}_counter", base)
                params_ = {f"{base}_first_time": (first, "day", f"time of the first {state} jump"),
                           f"{base}_interval": (interval, "day", "time between jumps"),
                           f"{base}_count": (float(count), "dimensionless", "number of jumps")}
                for pid, (value_, unit_, text) in params_.items():
                    q = m.createParameter()
                    q.setId(ids.claim(pid, base))
                    q.setName(text)
                    q.setValue(float(value_))
                    q.setConstant(True)
                    q.setUnits(unit_)
                q = m.createParameter()
                q.setId(counter)
                q.setName("jumps applied so far")
                q.setValue(0.0)
                q.setConstant(False)
                q.setUnits("dimensionless")
                ev = m.createEvent()
                ev.setId(base)
                what = f"add {value:g}" if mode == "add" else f"set to {value:g}"
                ev.setName(f"{state}: {what} ({count} x every {interval:g} d from day {first:g})")
                ev.setUseValuesFromTriggerTime(True)
                trig = ev.createTrigger()
                trig.setInitialValue(False)
                trig.setPersistent(True)
                _check(trig.setMath(_parse(
                    f"and(lt({counter}, {base}_count), "
                    f"geq(time, {base}_first_time + {counter} * {base}_interval))")), f"trigger {base}")
                ea = ev.createEventAssignment()
                ea.setVariable(sid)
                _check(ea.setMath(_parse(f"{sid} + {value!r}" if mode == "add" else repr(value))),
                       f"assignment of {base}")
                ea = ev.createEventAssignment()
                ea.setVariable(counter)
                _check(ea.setMath(_parse(f"{counter} + 1")), f"counter of {base}")
                _annotate(ev, role="dose", state=state, mode=mode, value=repr(value),
                          first=repr(first), interval=repr(interval), count=count)

    doc.checkInternalConsistency()
    errors = [doc.getError(i) for i in range(doc.getNumErrors())
              if doc.getError(i).getSeverity() >= libsbml.LIBSBML_SEV_ERROR]
    if errors:
        raise ValueError("libsbml reports errors in the exported document: "
                         + "; ".join(e.getMessage().strip() for e in errors[:5]))
    return doc


def sbml_string(profile="healthy", regimen=None, model=None, params=None, days=None, activity=None) -> str:
    """The SBML document (see :func:`sbml`) as an XML string."""
    return libsbml.writeSBMLToString(sbml_document(profile, regimen, model, params, days, activity))


def sbml(path, profile="healthy", regimen=None, model=None, params=None, days=None, activity=None) -> Path:
    """Write the whole model as SBML Level 3 Version 2 to ``path``; return the path.

    Parameters
    ----------
    path: output file (conventionally ``*.xml`` or ``*.sbml``).
    profile: profile name (see :mod:`rlsmodel.profiles`) giving parameter values and the
        initial state (the profile's state at midnight on its daily limit cycle).
    regimen: an ``rlsmodel.Regimen``; its doses become SBML events up to ``days``.
    model: an :class:`rlsmodel.Model` (default: ``rlsmodel.Model()``), which fixes the
        augmentation mechanism and DAT hypothesis.
    params: parameter overrides ``{name: value}`` applied after the profile.
    days: horizon in days up to which the regimen's doses are written (required with a
        regimen; ignored without one).
    activity: the rest/activity schedule written into the document (an
        :class:`rlsmodel.Activity`; default ``Activity.default()``, as ``Model.simulate``).
    """
    _require_libsbml()
    doc = sbml_document(profile, regimen, model, params, days, activity)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_output(path) as tmp:
        if not libsbml.writeSBMLToFile(doc, str(tmp)):
            raise OSError(f"libsbml could not write {path}")
    return path


__all__ = ["FORCING_ID", "FUNCTION_DEFINITIONS", "L3FormulaPrinter", "add_function_definitions", "SBML_LEVEL", "SBML_VERSION", "periodic_runs", "sbml",
           "sbml_document", "sbml_id", "sbml_string", "to_ast", "unit_id"]
