"""Building blocks of the model declaration.

A biological module declares, with sympy symbols, the quantities it owns:

* :class:`State` -- a dynamic variable (unit, description, nominal value),
* :class:`Parameter` -- a constant with default, unit, plausible range and source,
* :class:`Flow` -- movement of a conserved quantity (iron) from one state to another
  or across the system boundary (``None`` as source or target),
* :class:`Regulation` -- a production/loss term that is not transport (receptor
  synthesis, enzyme induction...),
* :class:`Observable` -- a named algebraic readout,
* :class:`Forcing` -- a time course each run supplies (the rest/activity schedule), read
  only by observables.

Everything else (right-hand side, Jacobian, parameter tables, LaTeX, SBML) is derived
from these objects by :func:`rlsmodel.model.system.assemble` and :class:`rlsmodel.Model`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import sympy as sp

from ..checks import describe_value, real, string_fix

#: Model time, in days. ``t = 0`` is midnight of the first simulated day.
t = sp.Symbol("t", real=True)


def sym(name: str) -> sp.Symbol:
    """The sympy symbol for a state, parameter or observable called ``name``.

    All modules use this function, so the same name always gives the same symbol.
    """
    return sp.Symbol(name, real=True)


#: Physical domains a parameter may be restricted to.
DOMAINS = ("positive", "nonnegative", "fraction", "real")


@dataclass(frozen=True)
class Parameter:
    """A model constant.

    Attributes
    ----------
    name
        identifier used in ``params={...}`` and in every output.
    default
        value in ``unit``.
    unit
        pint-parsable unit string (``"1"`` for dimensionless).
    range
        plausible (low, high) interval in ``unit``; sweeps sample it.
    source
        literature source, or ``"assumed: <reason>"``.
    description
        one sentence saying what the number is.
    domain
        physical domain (``positive``, ``nonnegative``, ``fraction``, ``real``);
        values outside it are rejected, never clipped.
    set_point
        name of a state or observable whose value in the healthy day-averaged
        steady state *defines* this parameter (a reference level such as "healthy
        endothelial iron"). :class:`rlsmodel.Model` computes it when the model is built
        (:mod:`rlsmodel.set_points`), so it cannot drift when another parameter changes;
        ``default`` is then only the starting guess of that computation.
    """

    name: str
    default: float
    unit: str
    range: tuple
    source: str
    description: str
    domain: str = "positive"
    set_point: Optional[str] = None

    @property
    def symbol(self) -> sp.Symbol:
        return sym(self.name)

    def check_value(self, value) -> float:
        """Return ``value`` as float, or raise ``ValueError`` saying why it is invalid.

        Only real numbers are values: strings (``"15"``), booleans and None are refused
        (:mod:`rlsmodel.checks`). Values outside ``range`` but inside the domain are
        accepted here; callers flag them (:func:`rlsmodel.checks.outside_ranges`).
        """
        try:
            v = real(self.name, value)
        except ValueError:
            unit = "dimensionless" if self.unit == "1" else f"in {self.unit}"
            raise ValueError(f"parameter {self.name!r}: {describe_value(value)} is not a number (a value "
                             f"{unit} is expected){string_fix(self.name, value)}") from None
        if v != v or v in (float("inf"), float("-inf")):
            raise ValueError(f"parameter {self.name!r}: value {value!r} is not finite")
        if self.domain == "positive" and not v > 0:
            raise ValueError(
                f"parameter {self.name!r} ({self.description}) must be > 0 {self.unit}; got {v!r}")
        if self.domain == "nonnegative" and v < 0:
            raise ValueError(
                f"parameter {self.name!r} ({self.description}) must be >= 0 {self.unit}; got {v!r}")
        if self.domain == "fraction" and not 0 <= v <= 1:
            raise ValueError(
                f"parameter {self.name!r} ({self.description}) must lie in [0, 1]; got {v!r}")
        return v


@dataclass(frozen=True)
class State:
    """A dynamic variable.

    ``nominal`` is a typical healthy value: it seeds the steady-state search and scales
    the integrator's error control, it is *not* the initial value of a simulation
    (simulations start from the profile's steady state).
    ``quantity`` names a conserved quantity the state holds (``"iron"``) or is ``None``.
    ``in_body`` is False for amounts outside the body (e.g. iron in the gut lumen), which
    are excluded from body totals. ``kind`` is ``"dynamic"``, ``"ledger"`` (a running
    total of boundary flows, excluded from steady-state solves) or ``"input"`` (held
    constant between events, e.g. a patch's delivery rate; its derivative is zero and it
    is 0 in steady states unless an event sets it).
    """

    name: str
    unit: str
    description: str
    nominal: float
    quantity: Optional[str] = None
    in_body: bool = True
    kind: str = "dynamic"
    long_name: str = ""

    @property
    def symbol(self) -> sp.Symbol:
        return sym(self.name)


@dataclass(frozen=True)
class Flow:
    """Transport of a conserved quantity from ``source`` to ``target`` at ``rate``.

    ``source``/``target`` are state names or ``None`` for outside the system. The rate
    expression must have the unit of the states per day; it is subtracted from the
    source and added to the target, so the quantity is conserved by construction.
    """

    name: str
    source: Optional[str]
    target: Optional[str]
    rate: sp.Expr
    description: str


@dataclass(frozen=True)
class Regulation:
    """A production (positive) or loss (negative) term ``rate`` added to ``state``'s derivative.

    Not allowed on states that carry a conserved quantity: those change only through flows.
    """

    name: str
    state: str
    rate: sp.Expr
    description: str


@dataclass(frozen=True)
class Observable:
    """A named algebraic readout.

    ``daily_mean`` (optional) is what the expression averages to over a day; circadian
    forcing terms declare it so that the day-averaged (autonomous) system can be built
    for steady-state solves.
    """

    name: str
    expr: sp.Expr
    unit: str
    long_name: str
    description: str = ""
    daily_mean: Optional[sp.Expr] = None

    @property
    def symbol(self) -> sp.Symbol:
        return sym(self.name)


@dataclass(frozen=True)
class Forcing:
    """A time course that each run supplies instead of the model computing it.

    The rest/activity schedule is one: whether the patient is moving and how long they
    have been at rest depend on the day's plan, not on any state. Observables may read a
    forcing (the felt ``symptom`` does); the right-hand side may not, directly or through
    an observable (:func:`rlsmodel.model.system.assemble` refuses it), so the integrator
    never sees the schedule's discontinuities and one trajectory can be re-read under
    another schedule. :class:`rlsmodel.activity.Activity` computes the values of the
    built-in forcings at every sample; a run without a schedule (a steady state) has none,
    and the observables that read them are absent from its output.
    """

    name: str
    unit: str
    description: str
    long_name: str = ""

    @property
    def symbol(self) -> sp.Symbol:
        return sym(self.name)


@dataclass(frozen=True)
class Module:
    """One biological process: the states, parameters, flows and readouts it owns."""

    name: str
    description: str
    states: tuple = ()
    parameters: tuple = ()
    flows: tuple = ()
    regulations: tuple = ()
    observables: tuple = ()
    contributions: tuple = ()
    references: tuple = field(default=())
    forcings: tuple = ()


@dataclass(frozen=True)
class Contribution:
    """A term that one module adds to another module's *sum observable*.

    A sum observable is declared with ``Observable(..., expr=0)`` (or any base expression)
    and other modules add terms to it, e.g. every drug adds its agonist load at D2 to
    ``d2_agonist_load``. This lets a module extend another without editing it.
    """

    target: str
    expr: sp.Expr
    description: str = ""
