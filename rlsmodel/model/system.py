"""Assemble modules into one validated symbolic system.

:class:`System` collects the modules' declarations, checks them (every symbol defined
exactly once, no orphan states, conserved quantities changed only by flows, dimensions
consistent, forcings read by observables only), adds what follows from the declarations
(ledger states that accumulate boundary flows of conserved quantities, and the body total
of each conserved quantity as an observable), and derives the right-hand side as explicit
sympy expressions of ``t``, the states and the parameters.

It is the only place where contributions are folded into sum observables, where the
daily-mean switch of circadian observables is applied and where derivative terms are
built: the compiler, the exporters (LaTeX, SBML) and the tables read :class:`System`'s
public results (:attr:`System.derivative_terms`, :attr:`System.observable_definitions`,
:attr:`System.observable_rules`, :attr:`System.observable_exprs`,
:meth:`System.ledgers_fed_by`).
"""
from __future__ import annotations

import difflib
from collections import OrderedDict
from dataclasses import dataclass, field

import sympy as sp

from . import units as _units
from .declaration import Forcing, Module, Observable, Parameter, State, sym, t

#: Internal switch: 1 = circadian rhythms on, 0 = rhythms replaced by their daily means.
FORCING = sp.Symbol("_circadian_forcing", real=True)


class DeclarationError(ValueError):
    """The model declaration is inconsistent (undefined/duplicate symbol, orphan state...)."""


def closest(name: str, valid) -> str:
    """A hint naming the valid names closest to ``name``."""
    valid = sorted(valid)
    near = difflib.get_close_matches(name, valid, n=3, cutoff=0.5)
    if near:
        return "did you mean " + " or ".join(repr(n) for n in near) + "?"
    shown = ", ".join(valid[:12]) + (", ..." if len(valid) > 12 else "")
    return f"valid names: {shown}"


@dataclass(frozen=True)
class Term:
    """A signed term of a state's derivative: ``sign * rate``, from flow or regulation ``name``.

    ``rate`` is the declared rate, with observables kept as symbols.
    """

    sign: int
    rate: sp.Expr
    name: str

    def normalised(self) -> "Term":
        """The same term with a leading minus moved into the sign."""
        if self.rate.could_extract_minus_sign():
            return Term(-self.sign, -self.rate, self.name)
        return self


@dataclass
class System:
    """The validated, assembled declaration of a set of modules.

    Attributes
    ----------
    states, parameters, observables, forcings
        name -> declaration, in declaration order
        (ledger states and the assembler's body totals last).
    flows, regulations
        every module's, in declaration order.
    derivative_terms
        state -> tuple of :class:`Term` (flows in, flows out, regulations,
        and for a ledger the boundary flows it counts), observables kept as symbols.
    observable_definitions
        observable -> its declared expression with the terms other
        modules contribute added (observables kept as symbols, no daily-mean switch): the
        equation a reader looks for.
    observable_rules
        the same with the daily-mean switch applied to circadian observables
        (``mean + FORCING * (expr - mean)``): what an SBML assignment rule holds.
    observable_exprs
        each observable fully explicit in ``t``, states, parameters, forcings
        and :data:`FORCING` (the rules substituted into each other).
    rhs
        d state / dt, explicit in ``t``, states, parameters and :data:`FORCING` (the sum
        of :attr:`derivative_terms` with :attr:`observable_exprs` substituted).
    forced_observables
        names of the observables that read a forcing (they need a
        schedule, so steady states do not have them).
    assembled_observables
        names of the observables the assembler added
        (``total_body_<quantity>``).
    """

    modules: tuple
    states: "OrderedDict[str, State]"
    parameters: "OrderedDict[str, Parameter]"
    flows: tuple
    regulations: tuple
    observables: "OrderedDict[str, Observable]"
    rhs: tuple
    observable_exprs: "OrderedDict[str, sp.Expr]"
    forcings: "OrderedDict[str, Forcing]" = field(default_factory=OrderedDict)
    derivative_terms: "OrderedDict[str, tuple]" = field(default_factory=OrderedDict)
    observable_definitions: "OrderedDict[str, sp.Expr]" = field(default_factory=OrderedDict)
    observable_rules: "OrderedDict[str, sp.Expr]" = field(default_factory=OrderedDict)
    forced_observables: tuple = ()
    assembled_observables: tuple = ()

    @property
    def state_names(self):
        return list(self.states)

    @property
    def parameter_names(self):
        return list(self.parameters)

    def quantity_states(self, quantity: str, in_body_only: bool = True):
        return [s.name for s in self.states.values()
                if s.quantity == quantity and s.kind == "dynamic" and (s.in_body or not in_body_only)]

    def ledgers_fed_by(self, flow) -> tuple:
        """Names of the ledger states that count ``flow`` (one of :attr:`flows`): the intake
        ledger of its quantity if it enters the body, the loss ledger if it leaves it."""
        return tuple(name for name, s in self.states.items()
                     if s.kind == "ledger" and _ledger_sign(name) != 0
                     and _crosses_body(flow, self.states, _ledger_quantity(name)) == _ledger_sign(name))

    def ledger_events(self, events) -> list:
        """``events`` plus the ledger entries they imply (events index :attr:`state_names`).

        An event ``(time, index, amount, "add")`` on an in-body state holding a conserved
        quantity ``q`` (an infusion straight into plasma, say) brings ``q`` across the body
        boundary just as an absorption flow does: it is counted by an event adding
        ``amount`` to ``<q>_intake_total`` (``amount > 0``) or ``-amount`` to
        ``<q>_loss_total`` (``amount < 0``) at the same time. Events on states outside the
        body (an oral dose into the gut lumen) need no entry: the flow that carries the
        quantity into the body counts it. Decided by each state's declared ``quantity``,
        ``in_body`` and ``kind``, never by name.

        Raises ``ValueError`` for a ``"set"`` event on an in-body conserved state (the amount
        it creates or destroys depends on the state at that moment, so no ledger could hold
        it: give the dose as an ``"add"``) and for a conserved quantity without ledgers
        (declared only for quantities with a boundary flow).
        """
        names = self.state_names
        extra = []
        for event in events:
            time_, index, amount, mode = event
            state = self.states[names[index]]
            if state.quantity is None or not state.in_body or state.kind != "dynamic":
                continue
            if mode != "add":
                raise ValueError(
                    f"a {mode!r} event at t = {time_:g} d on {state.name!r}, which holds {state.quantity} "
                    f"inside the body, would create or destroy {state.quantity} that no ledger can count; "
                    f"give the dose as an 'add' event (an amount added) instead")
            if amount == 0:
                continue
            ledger = f"{state.quantity}_{'intake' if amount > 0 else 'loss'}_total"
            if ledger not in self.states:
                raise ValueError(
                    f"an event at t = {time_:g} d adds {amount:g} {state.unit} of {state.quantity} to "
                    f"{state.name!r} inside the body, but the model has no {ledger!r} ledger (ledgers exist "
                    f"only for quantities with a boundary flow); declare the route of entry as a Flow")
            extra.append((time_, names.index(ledger), abs(amount), "add"))
        return list(events) + extra


def _ledger_states(flows, states):
    """Running totals of every conserved quantity's boundary inflows and outflows."""
    quantities = sorted({states[f.target].quantity if f.target else states[f.source].quantity
                         for f in flows if f.source is None or f.target is None})
    out = []
    for q in quantities:
        unit = next(s.unit for s in states.values() if s.quantity == q)
        out.append(State(f"{q}_intake_total", unit, f"cumulative {q} entering the body since t = 0",
                         0.0, kind="ledger", long_name=f"cumulative {q} intake"))
        out.append(State(f"{q}_loss_total", unit, f"cumulative {q} leaving the body since t = 0",
                         0.0, kind="ledger", long_name=f"cumulative {q} loss"))
    return out


def _ledger_quantity(name: str) -> str:
    """``iron`` for ``iron_intake_total`` / ``iron_loss_total``."""
    for suffix in ("_intake_total", "_loss_total"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def _ledger_sign(name: str) -> int:
    """+1 for an intake ledger, -1 for a loss ledger, 0 otherwise."""
    return 1 if name.endswith("_intake_total") else -1 if name.endswith("_loss_total") else 0


def _crosses_body(flow, states, quantity):
    """+1 if the flow brings ``quantity`` into the body, -1 if it takes it out, else 0."""
    def inside(name):
        return name is not None and states[name].in_body
    src_in, tgt_in = inside(flow.source), inside(flow.target)
    q = states[flow.target].quantity if flow.target else states[flow.source].quantity
    if q != quantity or src_in == tgt_in:
        return 0
    return 1 if tgt_in else -1


def _body_totals(states):
    """``total_body_<quantity>``: the sum of a conserved quantity's dynamic states inside the
    body, one observable per quantity (ledgers and amounts outside the body excluded)."""
    out = []
    for q in dict.fromkeys(s.quantity for s in states.values() if s.quantity is not None):
        members = [s for s in states.values() if s.quantity == q and s.kind == "dynamic" and s.in_body]
        if members:
            out.append(Observable(f"total_body_{q}", sp.Add(*[sym(s.name) for s in members]), members[0].unit,
                                  f"total body {q}", f"sum of all {q} states inside the body"))
    return out


def _derivative_terms(states, flows, regulations):
    """state -> [Term]: flows in, flows out, regulations, and for ledgers the boundary flows."""
    terms = OrderedDict((n, []) for n in states)
    for f in flows:
        if f.target is not None:
            terms[f.target].append(Term(1, f.rate, f.name))
    for f in flows:
        if f.source is not None:
            terms[f.source].append(Term(-1, f.rate, f.name))
    for r in regulations:
        terms[r.state].append(Term(1, r.rate, r.name))
    for name, s in states.items():
        if s.kind != "ledger":
            continue
        for f in flows:
            if _crosses_body(f, states, _ledger_quantity(name)) == _ledger_sign(name):
                terms[name].append(Term(1, f.rate, f.name))
    return OrderedDict((n, tuple(ts)) for n, ts in terms.items())


@dataclass
class _Declarations:
    """What the modules declare, by name, with the module that declared each name
    (``owner``); filled by :func:`_collect` and the derived declarations of :func:`assemble`."""

    states: OrderedDict = field(default_factory=OrderedDict)
    params: OrderedDict = field(default_factory=OrderedDict)
    observables: OrderedDict = field(default_factory=OrderedDict)
    forcings: OrderedDict = field(default_factory=OrderedDict)
    flows: list = field(default_factory=list)
    regulations: list = field(default_factory=list)
    contributions: list = field(default_factory=list)
    owner: dict = field(default_factory=dict)

    def claim(self, name, module) -> None:
        """Record that ``module`` declares ``name``; DeclarationError if it is taken or reserved."""
        if name in self.owner:
            raise DeclarationError(f"{name!r} is declared twice (modules {self.owner[name]!r} and {module!r})")
        if name == "t":
            raise DeclarationError(f"module {module!r}: 't' is reserved for time")
        self.owner[name] = module


def assemble(modules, check_units: bool = True) -> System:
    """Validate ``modules`` and build their :class:`System`.

    The steps, in order: collect every declaration (:func:`_collect`), check what they name
    (:func:`_check_references`), add what follows from them (ledger states, body totals:
    :func:`_add_derived`), fold contributions into observables and apply the daily-mean
    switch (:func:`_observable_rules`), check every symbol is defined (:func:`_check_symbols`),
    build the derivative terms (:func:`_derivatives`), check units (:func:`_check_units`),
    substitute the observables into each other (:func:`_resolve_observables`), check that
    forcings reach observables only (:func:`_forced_observables`) and write the right-hand side.

    Raises :class:`DeclarationError` naming the first problem found.
    """
    d = _collect(modules)
    _check_references(d)
    totals = _add_derived(d)
    definitions, rules = _observable_rules(d)
    _check_symbols(d, definitions)
    terms = _derivatives(d)
    if check_units:
        _check_units(d, definitions)
    resolved = _resolve_observables(rules)
    forced = _forced_observables(d, resolved)
    full_subs = {sym(n): e for n, e in resolved.items()}
    rhs = tuple(sp.Add(*[tm.sign * tm.rate for tm in terms[n]]).xreplace(full_subs) for n in d.states)
    return System(tuple(modules), d.states, d.params, tuple(d.flows), tuple(d.regulations),
                  d.observables, rhs, resolved, forcings=d.forcings, derivative_terms=terms,
                  observable_definitions=definitions, observable_rules=rules, forced_observables=forced,
                  assembled_observables=tuple(o.name for o in totals))


def _collect(modules) -> _Declarations:
    """Every state, parameter (default inside its range and domain), observable, forcing,
    flow, regulation and contribution of ``modules``, each name declared once."""
    d = _Declarations()
    for m in modules:
        if not isinstance(m, Module):
            raise DeclarationError(f"{m!r} is not a Module")
        for s in m.states:
            d.claim(s.name, m.name)
            d.states[s.name] = s
        for p in m.parameters:
            d.claim(p.name, m.name)
            lo, hi = p.range
            if not lo <= p.default <= hi:
                raise DeclarationError(f"parameter {p.name!r}: default {p.default} outside its range {p.range}")
            p.check_value(p.default)
            d.params[p.name] = p
        for o in m.observables:
            d.claim(o.name, m.name)
            d.observables[o.name] = o
        for fc in m.forcings:
            if not isinstance(fc, Forcing):
                raise DeclarationError(f"module {m.name!r}: {fc!r} in forcings is not a Forcing")
            d.claim(fc.name, m.name)
            d.forcings[fc.name] = fc
        d.flows.extend(m.flows)
        d.regulations.extend(m.regulations)
        d.contributions.extend(m.contributions)
    return d


def _check_references(d: _Declarations) -> None:
    """Flows connect known states of one conserved quantity; regulations change known states
    that hold no conserved quantity; set points and contributions name what exists."""
    states, observables = d.states, d.observables
    for f in d.flows:
        for end in (f.source, f.target):
            if end is not None and end not in states:
                raise DeclarationError(f"flow {f.name!r} names unknown state {end!r}; "
                                       + closest(end, states))
        if f.source is None and f.target is None:
            raise DeclarationError(f"flow {f.name!r} has neither source nor target")
        qs = {states[e].quantity for e in (f.source, f.target) if e is not None}
        if len(qs) != 1 or None in qs:
            raise DeclarationError(f"flow {f.name!r} must connect states of one conserved quantity; got {qs}")
    for r in d.regulations:
        if r.state not in states:
            raise DeclarationError(f"regulation {r.name!r} names unknown state {r.state!r}; "
                                   + closest(r.state, states))
        if states[r.state].quantity is not None:
            raise DeclarationError(f"regulation {r.name!r} changes {r.state!r}, which holds "
                                   f"{states[r.state].quantity}: conserved quantities move only through flows")
    for p in d.params.values():
        if p.set_point is not None and p.set_point not in states and p.set_point not in observables:
            raise DeclarationError(f"parameter {p.name!r}: set point {p.set_point!r} is neither a state "
                                   "nor an observable; " + closest(p.set_point, list(states) + list(observables)))
    for c in d.contributions:
        if c.target not in observables:
            raise DeclarationError(f"contribution to unknown observable {c.target!r}; "
                                   + closest(c.target, observables))


def _add_derived(d: _Declarations) -> list:
    """Add what follows from the declarations: ledger states for boundary flows and the body
    total of each conserved quantity (returned: the total observables)."""
    for s in _ledger_states(d.flows, d.states):
        d.claim(s.name, "ledger")
        d.states[s.name] = s
    totals = _body_totals(d.states)
    for o in totals:
        d.claim(o.name, "assembler (body total)")
        d.observables[o.name] = o
    return totals


def _observable_rules(d: _Declarations) -> tuple:
    """``(definitions, rules)``: each observable with its contributions summed in, then with
    the daily-mean switch applied (``mean + FORCING * (expr - mean)``)."""
    definitions = OrderedDict((n, o.expr) for n, o in d.observables.items())
    for c in d.contributions:
        definitions[c.target] = definitions[c.target] + c.expr
    rules = OrderedDict()
    for n, expr in definitions.items():
        mean = d.observables[n].daily_mean
        rules[n] = expr if mean is None else mean + FORCING * (expr - mean)
    return definitions, rules


def _check_symbols(d: _Declarations, definitions) -> None:
    """Every symbol a flow, regulation or observable reads is declared (or is ``t``)."""
    known = {sym(n) for n in d.owner} | {t}

    def check(expr, where):
        unknown = set(expr.free_symbols) - known
        if unknown:
            name = sorted(str(u) for u in unknown)[0]
            raise DeclarationError(f"{where} uses undefined symbol {name!r}; " + closest(name, d.owner))

    for f in d.flows:
        check(f.rate, f"flow {f.name!r}")
    for r in d.regulations:
        check(r.rate, f"regulation {r.name!r}")
    for n, e in definitions.items():
        check(e, f"observable {n!r}")


def _derivatives(d: _Declarations) -> OrderedDict:
    """state -> derivative terms (:func:`_derivative_terms`); DeclarationError for a state
    that nothing changes (other than inputs and ledgers)."""
    terms = _derivative_terms(d.states, d.flows, d.regulations)
    orphans = [n for n in d.states if not terms[n] and d.states[n].kind not in ("input", "ledger")]
    if orphans:
        raise DeclarationError(f"state(s) {orphans} have no flow or regulation (orphan state)")
    return terms


def _check_units(d: _Declarations, definitions) -> None:
    """Observables have their declared unit; flows and regulations the unit of their state per day."""
    unit_of = {sym(n): _units.parse(s.unit) for n, s in d.states.items()}
    unit_of.update({sym(n): _units.parse(p.unit) for n, p in d.params.items()})
    unit_of.update({sym(n): _units.parse(o.unit) for n, o in d.observables.items()})
    unit_of.update({sym(n): _units.parse(fc.unit) for n, fc in d.forcings.items()})
    unit_of[t] = _units.parse("day")
    for n, e in definitions.items():
        _units.check(e, d.observables[n].unit, unit_of, f"observable {n!r}")
    for f in d.flows:
        end = f.source or f.target
        _units.check(f.rate, d.states[end].unit + "/day", unit_of, f"flow {f.name!r}")
    for r in d.regulations:
        _units.check(r.rate, d.states[r.state].unit + "/day", unit_of, f"regulation {r.name!r}")


def _resolve_observables(rules) -> OrderedDict:
    """The rules substituted into each other (in dependency order), so every observable is an
    explicit expression of ``t``, states, parameters and forcings; DeclarationError on a cycle."""
    obs_syms = {sym(n): n for n in rules}
    resolved = OrderedDict()
    visiting = set()

    def resolve(name):
        if name in resolved:
            return resolved[name]
        if name in visiting:
            raise DeclarationError(f"observable {name!r} depends on itself")
        visiting.add(name)
        expr = rules[name]
        # sorted: the order observables are resolved in (and so listed in every output) must not
        # depend on the process's string hashing (PYTHONHASHSEED)
        subs = {s: resolve(obs_syms[s]) for s in sorted(expr.free_symbols, key=str) if s in obs_syms}
        expr = expr.xreplace(subs)
        visiting.discard(name)
        resolved[name] = expr
        return expr

    for n in rules:
        resolve(n)
    return resolved


def _forced_observables(d: _Declarations, resolved) -> tuple:
    """Names of the observables that read a forcing (the rest/activity schedule);
    DeclarationError if a flow or regulation reads one, directly or through an observable."""
    forcing_syms = {sym(n) for n in d.forcings}
    forced = tuple(n for n, e in resolved.items() if e.free_symbols & forcing_syms)
    full_subs = {sym(n): e for n, e in resolved.items()}
    for kind, items in (("flow", d.flows), ("regulation", d.regulations)):
        for item in items:
            used = item.rate.xreplace(full_subs).free_symbols & forcing_syms
            if used:
                via = [o for o in forced if sym(o) in item.rate.free_symbols]
                raise DeclarationError(
                    f"{kind} {item.name!r} depends on the forcing {sorted(str(u) for u in used)[0]!r}"
                    + (f" (through observable {via[0]!r})" if via else "")
                    + ": forcings (the rest/activity schedule) are read by observables only, never by "
                      "the right-hand side; model the effect as a state or an input event instead")
    return forced
