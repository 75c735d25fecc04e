"""SBML export: the whole model as an SBML Level 3 Version 2 document, from the declaration.

>>> import rlsmodel
>>> from rlsmodel.export.sbml import sbml
>>> sbml("rls_genetic.xml", profile="rls_genetic")            # doctest: +SKIP

What the document holds, and why it is built this way
-----------------------------------------------------
* **Time** is SBML's ``time`` symbol, in days (``timeUnits="day"``); ``time = 0`` is midnight
  of the first simulated day, exactly as in :meth:`rlsmodel.Model.simulate`.
* **Two compartments**, both of size 1 and constant: ``compartment`` (dimensionless) holds the
  amount species, ``unit_volume`` (1 L) the concentration species. They exist because SBML
  species need one; neither scales any number.
* **Every state that reactions change is a species**, its value being the rlsmodel state in the
  state's own unit: states in mg or dimensionless are amounts (``hasOnlySubstanceUnits="true"``
  in ``compartment``); states in uM are concentrations in ``unit_volume`` (substance unit umol).
  Its initial value is the profile's state at midnight on the daily limit cycle
  (``Model.periodic_state``), the same numbers ``Model.simulate`` starts from. A state of
  kind ``"input"`` (a patch's delivery rate, mg/day, held constant between doses) is not
  substance-like, so it is a non-constant parameter that only dose events change.
* **Flows and regulations are reactions**, so the network keeps its readable structure
  (source -> target transport, production and loss terms) instead of one opaque rate rule
  per state. Each flow is a reaction with the source as reactant and the target as product
  (``None`` ends are simply absent) and the declared rate as kinetic law. A regulation is a
  reaction producing its state (or consuming it, with the sign folded into the law, when
  the declared term is written as a loss). Each species changes by exactly the sum of the
  declared terms, which is ``System.rhs`` (see Units for the conversion factors).
  The ledger states (``iron_intake_total``, ``iron_loss_total``) are bookkeeping products
  of the reactions that cross the body boundary, as in :func:`rlsmodel.model.system.assemble`.
  The species of one reaction share one unit (the exporter refuses a reaction that would mix
  them), so one conversion factor turns its law into a rate of extent.
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
* **Units** (:mod:`rlsmodel.export.sbml_units`): one UnitDefinition per distinct unit, derived
  exactly with pint from SI base units, on every species, parameter, observable and forcing.
  Every literal number carries its unit (SBML L3 ``sbml:units`` on ``<cn>``), inferred from
  where it stands: the 24 in a rate per hour turned into a rate per day is ``24 hour_per_day``,
  the 1 in ``1 + x/K`` is dimensionless, the 7 in ``clock_hour >= 7`` is in hours. The reaction
  extent is dimensionless (``extentUnits``), time is in days (``timeUnits``), and each species
  in mg or umol has a conversion factor (``mg_per_extent``, value 1, unit mg) while each kinetic
  law is its declared rate divided by it (times ``unit_volume`` for concentrations): the law is
  in 1/day for every reaction and the species still changes by exactly the declared rate.
  libsbml's unit-consistency check reports nothing (tests/test_sbml.py). The schedule is
  written in the parameter ``clock_hour`` (h) = ``24 hour_per_day * (time - floor(time))``.
* **Annotations** (:mod:`rlsmodel.export.annotations`): SBO terms on the model, compartments,
  species, parameters, reactions, kinetic laws and species references; MIRIAM
  ``bqmodel:isDescribedBy`` references (identifiers.org PubMed/DOI) for the cited sources that
  :mod:`rlsmodel.export.references` resolves; every source in the notes.
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
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import sympy as sp

from .._version import __version__
from ..model.declaration import sym, t
from ..model.system import FORCING
from . import annotations as ann
from .annotations import ANNOTATION_NS
from .sbml_math import (FORCING_ID, FUNCTION_DEFINITIONS, L3FormulaPrinter, add_function_definitions,
                        libsbml, parse_formula, require_libsbml, sbml_id, to_ast)
from .sbml_units import UnitBook, UnitContext, pint_unit, tidy_amount, unit_id

#: SBML level and version written.
SBML_LEVEL, SBML_VERSION = 3, 2
#: Id of the nominal compartment (dimensionless, size 1) of amount species.
COMPARTMENT_ID = "compartment"
#: Id of the compartment (1 L) of concentration species.
VOLUME_COMPARTMENT_ID = "unit_volume"
#: Id of the clock-hour parameter (h) the rest/activity schedule is written in.
CLOCK_ID = "clock_hour"
#: Unit of reaction extent: a pure number; each species' conversion factor carries its unit.
EXTENT_UNIT = "dimensionless"


# -- small helpers ------------------------------------------------------------------------------
def _check(code, what):
    if code is not None and code != libsbml.LIBSBML_OPERATION_SUCCESS:
        raise RuntimeError(f"libsbml failed setting {what}: {libsbml.OperationReturnValue_toString(code)}")


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


def fold_events(events):
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


def _dose_groups(events):
    """{(state_index, mode, value): [times]}: the folded doses grouped by what they do."""
    groups = OrderedDict()
    for time_, slot in fold_events(events).items():
        for idx, (mode, value) in slot.items():
            groups.setdefault((idx, mode, value), []).append(time_)
    return groups


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


# -- what the document is built from --------------------------------------------------------------
@dataclass
class _Inputs:
    """Everything the document is built from, resolved once."""

    model: object
    profile: object
    activity: object
    params: object
    values: dict
    p: np.ndarray
    y0: np.ndarray
    init_method: str
    forcings0: dict
    obs0: dict
    regimen: object
    days: object
    events: list

    @property
    def system(self):
        return self.model.system


def _resolve_inputs(profile, regimen, model, params, days, activity) -> _Inputs:
    """Check the arguments and compute the parameter values, initial state and dose list."""
    from ..activity import Activity, with_schedule_parameters
    from ..profiles import get as get_profile
    if model is None:
        from ..simulator import Model
        model = Model()
    activity = Activity.default() if activity is None else activity
    if not isinstance(activity, Activity):
        raise ValueError(f"activity must be an rlsmodel.Activity; got {type(activity).__name__}")
    params = with_schedule_parameters(params, activity)
    values = model.resolve_parameters(profile, params)
    p = model.parameter_vector(profile, params)
    y0, init_method = model.periodic_state(p)
    forcings0 = activity.forcings(np.zeros(1))
    obs0 = model.compiled.observables(np.zeros(1), y0[:, None], p, forcings=forcings0)
    events = []
    if regimen is not None:
        if days is None:
            raise ValueError("days is required with a regimen: it sets how far the regimen's "
                             "doses are listed (Regimen.events(model, days, params))")
        days = float(days)
        if not (math.isfinite(days) and days > 0):
            raise ValueError(f"days must be a positive finite number; got {days!r}")
        # doses into in-body conserved states are counted in the ledgers, as in Model.simulate
        events = model.system.ledger_events(list(regimen.events(model, days, params=values)))
    return _Inputs(model, get_profile(profile), activity, params, values, p, y0, init_method,
                   forcings0, obs0, regimen, days, events)


@dataclass(frozen=True)
class _SpeciesForm:
    """How a state is written as a species: its compartment, its substance unit and the
    factor that turns its declared rate of change into a rate of reaction extent."""

    compartment: str
    substance_unit: object
    only_substance: bool
    conversion_factor: object     # SBML id of the conversion-factor parameter, or None


# -- the document, step by step -----------------------------------------------------------------
class _DocumentBuilder:
    """Builds the SBML document from :class:`_Inputs`; each ``add_*`` step writes one kind of
    element (see the module docstring for what and why)."""

    def __init__(self, inputs: _Inputs):
        self.inp = inputs
        self.system = inputs.system
        self.doc = libsbml.SBMLDocument(SBML_LEVEL, SBML_VERSION)
        self.m = self.doc.createModel()
        self.ids = _Ids()
        self.book = UnitBook(self.m, libsbml)
        self.names = {}
        self.units = UnitContext({}, t)
        self.printer = L3FormulaPrinter(self.names, t, units=self.units, book=self.book)
        self.forms = {}               # state name -> _SpeciesForm
        self.cross_references = {}    # element id -> URIs added

    # -- names and math ---------------------------------------------------------------
    def _register(self, name, unit, sid=None, owner=None, symbol=None):
        """Claim the SBML id of ``name`` and record its unit for the unit inference."""
        symbol = sym(name) if symbol is None else symbol
        self.names[symbol] = self.ids.claim(sid or sbml_id(name), owner or f"rlsmodel name {name!r}")
        self.units.add(symbol, unit)
        return self.names[symbol]

    def math(self, expr, want, where):
        """``expr`` as a libsbml AST whose literals carry units, ``want`` being its unit."""
        formula = self.printer.doprint(expr, pint_unit(want))
        try:
            return parse_formula(formula, units=True)
        except ValueError as err:
            raise ValueError(f"{where}: {err}") from None

    def _parameter(self, sid, name, value, unit, constant, sbo):
        q = self.m.createParameter()
        q.setId(sid)
        q.setName(name)
        q.setValue(float(value))
        q.setConstant(bool(constant))
        q.setUnits(self.book.define(unit))
        ann.set_sbo(q, sbo)
        return q

    def _rule(self, sid, expr, unit, where):
        rule = self.m.createAssignmentRule()
        rule.setVariable(sid)
        _check(rule.setMath(self.math(expr, unit, where)), f"rule {sid}")

    # -- steps ------------------------------------------------------------------------
    def build(self):
        self.claim_names()
        self.describe_model()
        self.add_compartments()
        self.add_species()
        self.add_input_states()
        self.add_parameters()
        self.add_forcing_switch()
        self.add_schedule()
        self.add_observables()
        self.add_reactions()
        self.add_function_definitions()
        self.add_dose_events()
        self.check_errors()
        return self.doc

    def claim_names(self):
        """One SBML id per rlsmodel name, with the name's declared unit."""
        s = self.system
        for n, st in s.states.items():
            self._register(n, st.unit)
        for n, par in s.parameters.items():
            self._register(n, par.unit)
        for n, o in s.observables.items():
            self._register(n, o.unit)
        for n, fc in s.forcings.items():
            self._register(n, fc.unit)
        self._register(FORCING.name, "1", sid=FORCING_ID, owner="the circadian forcing switch", symbol=FORCING)

    def describe_model(self):
        """Model id, name, notes, SBO term and the model-wide units (time, extent, substance)."""
        inp, m = self.inp, self.m
        model = inp.model
        m.setId("rlsmodel")
        m.setName(f"rlsmodel {__version__}: restless legs syndrome model, profile {inp.profile.name}")
        m.setTimeUnits(self.book.define("day"))
        m.setExtentUnits(EXTENT_UNIT)
        m.setSubstanceUnits(EXTENT_UNIT)
        m.setVolumeUnits("litre")
        ann.set_sbo(m, ann.SBO_MODEL)
        regimen = inp.regimen
        ann.notes(m, [
            f"rlsmodel {__version__} (model structure {model.compiled.structure_hash}); "
            f"augmentation mechanism {model.augmentation}; DAT hypothesis {model.dat_hypothesis}.",
            f"Profile {inp.profile.name}: {inp.profile.description}",
            f"Parameter overrides: {dict(inp.params or {})}" if inp.params else "Parameter overrides: none",
            f"Regimen: {regimen.describe()} (doses listed up to day {inp.days:g})" if regimen is not None
            else "Regimen: none",
            f"Initial values: {inp.init_method} state at midnight, as Model.simulate starts.",
            "Time is in days; time = 0 is midnight. Reaction extent is a pure number; each species' "
            "conversion factor (value 1) carries its unit, so every state changes by exactly its "
            "declared rate. Amount species (mg, dimensionless) sit in a nominal compartment of size 1 "
            "(hasOnlySubstanceUnits=true); concentration species (uM) in a 1 L compartment.",
            f"{FORCING_ID} = 1 keeps the circadian rhythms on (0 replaces them by daily means).",
        ])

    def add_compartments(self):
        """The nominal compartment of amounts and the 1 L compartment of concentrations."""
        for cid, name, units, owner in (
                (COMPARTMENT_ID, "nominal compartment (size 1): species are amounts in their own units",
                 "dimensionless", "the compartment"),
                (VOLUME_COMPARTMENT_ID, "nominal volume (1 L) of concentration species", "litre",
                 "the volume compartment")):
            comp = self.m.createCompartment()
            comp.setId(self.ids.claim(cid, owner))
            comp.setName(name)
            comp.setSize(1.0)
            comp.setConstant(True)
            comp.setSpatialDimensions(3.0)
            comp.setUnits(units)
            ann.set_sbo(comp, ann.SBO_COMPARTMENT)
        self.units.add(sym(VOLUME_COMPARTMENT_ID), "L")
        self.names[sym(VOLUME_COMPARTMENT_ID)] = VOLUME_COMPARTMENT_ID

    def _species_form(self, name, unit):
        """Where and in which substance unit the state ``name`` (``unit``) is a species."""
        u = pint_unit(unit)
        dim = (1.0 * u).to_base_units().dimensionality
        if dim == pint_unit("mg").dimensionality or dim == pint_unit("mol").dimensionality \
                or dim == pint_unit("1").dimensionality:
            compartment, substance, only = COMPARTMENT_ID, unit, True
        elif dim == pint_unit("uM").dimensionality:
            compartment, substance, only = VOLUME_COMPARTMENT_ID, tidy_amount(u * pint_unit("L")), False
        else:
            raise ValueError(f"state {name!r} has unit {unit!r}, which is neither an amount, a mass, "
                             "a concentration nor dimensionless: SBML cannot make it a species "
                             "(declare it kind='input' if only events change it)")
        uid = self.book.define(substance)
        factor = None
        if uid != "dimensionless":
            factor = f"{uid}_per_extent"
            if sym(factor) not in self.names:
                self._register(factor, substance, owner=f"conversion factor of {uid} species")
                q = self._parameter(factor, f"{uid} per unit of reaction extent (conversion factor)",
                                    1.0, substance, True, ann.SBO_CONVERSION_FACTOR)
                ann.notes(q, [f"Species in {uid} change by this factor times the reaction rates "
                              "(reaction extent is dimensionless); value 1."])
        return _SpeciesForm(compartment, substance, only, factor)

    def add_species(self):
        """Every state that reactions change, at its initial value (input states are parameters)."""
        inp = self.inp
        for i, n in enumerate(inp.model.compiled.state_names):
            s = self.system.states[n]
            if s.kind == "input":
                continue
            form = self._species_form(n, s.unit)
            self.forms[n] = form
            sp_ = self.m.createSpecies()
            sp_.setId(self.names[sym(n)])
            sp_.setName(s.long_name or s.description)
            sp_.setCompartment(form.compartment)
            if form.only_substance:
                sp_.setInitialAmount(float(inp.y0[i]))
            else:
                sp_.setInitialConcentration(float(inp.y0[i]))
            sp_.setHasOnlySubstanceUnits(form.only_substance)
            sp_.setBoundaryCondition(False)
            sp_.setConstant(False)
            sp_.setSubstanceUnits(self.book.define(form.substance_unit))
            if form.conversion_factor is not None:
                sp_.setConversionFactor(form.conversion_factor)
            ann.set_sbo(sp_, ann.species_sbo(n, s.unit))
            ann.notes(sp_, [s.description, f"unit: {s.unit}", f"kind: {s.kind}",
                            f"conserved quantity: {s.quantity}" if s.quantity else None])
            ann.annotate(sp_, name=n, unit=s.unit, role="state", kind=s.kind)

    def add_input_states(self):
        """States held constant between events (a patch's delivery rate): non-constant
        parameters that only dose events change."""
        inp = self.inp
        for i, n in enumerate(inp.model.compiled.state_names):
            s = self.system.states[n]
            if s.kind != "input":
                continue
            q = self._parameter(self.names[sym(n)], s.long_name or s.description, inp.y0[i], s.unit,
                                False, ann.SBO_PARAMETER)
            ann.notes(q, [s.description, f"unit: {s.unit}", "kind: input (changed only by dose events)"])
            ann.annotate(q, name=n, unit=s.unit, role="state", kind=s.kind)

    def add_parameters(self):
        """The declared parameters at the resolved values, with SBO terms and MIRIAM references."""
        declared = self.inp.model.parameters      # set points as computed for this model
        for n, par in self.system.parameters.items():
            par = declared.get(n, par)
            sid = self.names[sym(n)]
            q = self._parameter(sid, par.description, self.inp.values[n], par.unit, True,
                                ann.parameter_sbo(n, par.unit))
            ann.notes(q, [par.description, f"unit: {par.unit}", f"default: {par.default}",
                          f"plausible range: {par.range[0]} to {par.range[1]}", f"domain: {par.domain}",
                          f"source: {par.source}"])
            ann.annotate(q, name=n, unit=par.unit, role="parameter", default=repr(float(par.default)),
                         low=repr(float(par.range[0])), high=repr(float(par.range[1])))
            uris = ann.add_references(q, par.source)
            if uris:
                self.cross_references[sid] = uris

    def add_forcing_switch(self):
        """The circadian switch ``_circadian_forcing`` as the constant ``circadian_forcing_switch``."""
        q = self._parameter(FORCING_ID, "circadian forcing switch (1 = rhythms on, 0 = daily means)",
                            self.inp.p[-1], "1", True, ann.SBO_PARAMETER)
        ann.annotate(q, name=FORCING.name, unit="1", role="switch")

    def add_schedule(self):
        """The clock hour and the rest/activity forcings as assignment rules of time."""
        clock = sp.Symbol(CLOCK_ID, real=True)
        self._register(CLOCK_ID, "h", owner="the clock hour", symbol=clock)
        q = self._parameter(CLOCK_ID, "clock hour (0 at midnight)", 0.0, "h", False, ann.SBO_TEMPORAL)
        ann.annotate(q, name=CLOCK_ID, unit="h", role="clock")
        hour = 24 * (t - sp.floor(t))
        self._rule(CLOCK_ID, hour, "h", "the clock hour")
        schedule = self.inp.activity.forcing_expressions(t)
        for n, fc in self.system.forcings.items():
            if n not in schedule:
                raise ValueError(f"forcing {n!r} (module declaration) has no expression in the rest/activity "
                                 "schedule; SBML export knows the forcings of rlsmodel.model.rest_activity only")
            expr = schedule[n].subs(sp.expand(hour), clock).subs(hour, clock)
            q = self._parameter(self.names[sym(n)], fc.long_name or fc.description,
                                self.inp.forcings0[n][0], fc.unit, False, ann.SBO_PARAMETER)
            ann.notes(q, [fc.description, f"unit: {fc.unit}", f"schedule: {self.inp.activity.segments!r}"])
            ann.annotate(q, name=n, unit=fc.unit, role="forcing")
            self._rule(self.names[sym(n)], expr, fc.unit, f"forcing {n!r}")

    def add_observables(self):
        """The observables as non-constant parameters defined by assignment rules."""
        for n, expr in self.system.observable_rules.items():
            o = self.system.observables[n]
            q = self._parameter(self.names[sym(n)], o.long_name, self.inp.obs0[n][0], o.unit, False,
                                ann.SBO_PARAMETER)
            ann.notes(q, [o.long_name, o.description, f"unit: {o.unit}"])
            ann.annotate(q, name=n, unit=o.unit, role="observable")
            self._rule(self.names[sym(n)], expr, o.unit, f"observable {n!r}")

    def _extent_factor(self, species, owner):
        """The factor turning the declared rate (in the species' unit per day) into a rate of
        reaction extent (1/day): ``volume / conversion factor`` of the species' common form."""
        forms = {self.forms[s] for s in species}
        if len(forms) != 1:
            raise ValueError(f"{owner} moves states of different units or compartments ({sorted(species)}); "
                             "one SBML reaction cannot express it")
        form = forms.pop()
        factor = sp.Integer(1)
        if not form.only_substance:
            factor = factor * sym(form.compartment)
        if form.conversion_factor is not None:
            factor = factor / sym(form.conversion_factor)
        return factor

    def _reaction(self, rid_base, owner, description, law, reactant, products, sbo):
        system = self.system
        resolved = {sym(n): e for n, e in system.observable_exprs.items()}
        r = self.m.createReaction()
        r.setId(self.ids.fresh(sbml_id(rid_base), owner))
        r.setName(description)
        r.setReversible(not _nonnegative(law.xreplace(resolved), system))
        ann.set_sbo(r, sbo)
        for role, names in (("reactant", [reactant] if reactant is not None else []), ("product", products)):
            for n in names:
                ref = r.createReactant() if role == "reactant" else r.createProduct()
                ref.setSpecies(self.names[sym(n)])
                ref.setStoichiometry(1.0)
                ref.setConstant(True)
                ann.set_sbo(ref, ann.SBO_REACTANT if role == "reactant" else ann.SBO_PRODUCT)
        involved = {reactant, *products}
        for s_ in sorted(law.xreplace(resolved).free_symbols, key=str):
            if s_.name in self.forms and s_.name not in involved:
                mod = r.createModifier()
                mod.setSpecies(self.names[s_])
                ann.set_sbo(mod, ann.SBO_MODIFIER)
                involved.add(s_.name)
        species = [n for n in [reactant, *products] if n is not None]
        kl = r.createKineticLaw()
        _check(kl.setMath(self.math(law * self._extent_factor(species, owner), "1/day", owner)),
               f"kinetic law of {owner}")
        ann.set_sbo(kl, ann.SBO_RATE_LAW)
        ann.notes(r, [description])
        return r

    def add_reactions(self):
        """Flows (with their ledger bookkeeping products) and regulations as reactions."""
        system = self.system
        for f in system.flows:
            states = [f.target] if f.target is not None else []
            products = states + list(system.ledgers_fed_by(f))
            r = self._reaction(f.name, f"flow {f.name!r}", f.description, f.rate, f.source, products,
                               ann.reaction_sbo(f.source, states))
            ann.annotate(r, name=f.name, role="flow", source=f.source or "", target=f.target or "")
        for reg in system.regulations:
            loss = reg.rate.could_extract_minus_sign()
            law = -reg.rate if loss else reg.rate
            r = self._reaction(reg.name, f"regulation {reg.name!r}", reg.description, law,
                               reactant=reg.state if loss else None, products=() if loss else (reg.state,),
                               sbo=ann.SBO_DEGRADATION if loss else ann.SBO_PRODUCTION)
            ann.annotate(r, name=reg.name, role="regulation", state=reg.state)

    def add_function_definitions(self):
        """Definitions of the functions MathML lacks that the formulas call (gamma)."""
        used = self.printer.used_functions
        if used:
            add_function_definitions(self.m, used, units=True)
            for fid in used:
                self.ids.claim(fid, f"function definition {fid}")

    def add_dose_events(self):
        """The regimen's doses: one periodic event per run of equal, equally spaced jumps."""
        names_in_order = self.inp.model.compiled.state_names
        k = 0
        for (idx, mode, value), times in _dose_groups(self.inp.events).items():
            state = names_in_order[idx]
            for first, interval, count in periodic_runs(times):
                k += 1
                self._dose_event(k, state, mode, value, first, interval, count)

    def _dose_event(self, k, state, mode, value, first, interval, count):
        base = self.ids.fresh(f"dose_{k}", f"dose event {k}")
        counter = self.ids.claim(f"{base}_counter", base)
        params_ = {f"{base}_first_time": (first, "day", f"time of the first {state} jump", ann.SBO_TEMPORAL),
                   f"{base}_interval": (interval, "day", "time between jumps", ann.SBO_TEMPORAL),
                   f"{base}_count": (float(count), "1", "number of jumps", ann.SBO_PARAMETER)}
        for pid, (value_, unit_, text, sbo) in params_.items():
            self._parameter(self.ids.claim(pid, base), text, value_, unit_, True, sbo)
        self._parameter(counter, "jumps applied so far", 0.0, "1", False, ann.SBO_PARAMETER)
        unit = self.system.states[state].unit
        sid = self.names[sym(state)]
        ev = self.m.createEvent()
        ev.setId(base)
        what = f"add {value:g}" if mode == "add" else f"set to {value:g}"
        ev.setName(f"{state}: {what} ({count} x every {interval:g} d from day {first:g})")
        ev.setUseValuesFromTriggerTime(True)
        trig = ev.createTrigger()
        trig.setInitialValue(False)
        trig.setPersistent(True)
        _check(trig.setMath(parse_formula(
            f"and(lt({counter}, {base}_count), "
            f"geq(time, {base}_first_time + {counter} * {base}_interval))", units=True)), f"trigger {base}")
        ea = ev.createEventAssignment()
        ea.setVariable(sid)
        jump = sym(state) + sp.Float(value) if mode == "add" else sp.Float(value)
        _check(ea.setMath(self.math(jump, unit, f"assignment of {base}")), f"assignment of {base}")
        ea = ev.createEventAssignment()
        ea.setVariable(counter)
        _check(ea.setMath(parse_formula(f"{counter} + 1 dimensionless", units=True)), f"counter of {base}")
        ann.annotate(ev, role="dose", state=state, mode=mode, value=repr(value),
                     first=repr(first), interval=repr(interval), count=count)

    def check_errors(self):
        """Raise ValueError if libsbml finds an error (not a warning) in the document."""
        doc = self.doc
        doc.checkInternalConsistency()
        errors = [doc.getError(i) for i in range(doc.getNumErrors())
                  if doc.getError(i).getSeverity() >= libsbml.LIBSBML_SEV_ERROR]
        if errors:
            raise ValueError("libsbml reports errors in the exported document: "
                             + "; ".join(e.getMessage().strip() for e in errors[:5]))


def sbml_document(profile="healthy", regimen=None, model=None, params=None, days=None, activity=None):
    """Build the libsbml ``SBMLDocument`` of the model (see the module docstring).

    Parameters are as in :func:`sbml`. Returns the document; raises ``ValueError`` naming
    the problem if a name cannot be mapped, a formula cannot be converted, or libsbml
    reports an error in the document.
    """
    require_libsbml()
    return _DocumentBuilder(_resolve_inputs(profile, regimen, model, params, days, activity)).build()


def sbml_string(profile="healthy", regimen=None, model=None, params=None, days=None, activity=None) -> str:
    """The SBML document (see :func:`sbml`) as an XML string."""
    return libsbml.writeSBMLToString(sbml_document(profile, regimen, model, params, days, activity))


def sbml(path, profile="healthy", regimen=None, model=None, params=None, days=None, activity=None) -> Path:
    """Write the whole model as SBML Level 3 Version 2 to ``path``; return the path.

    Parameters
    ----------
    path
        output file (conventionally ``*.xml`` or ``*.sbml``).
    profile
        profile name (see :mod:`rlsmodel.profiles`) giving parameter values and the
        initial state (the profile's state at midnight on its daily limit cycle).
    regimen
        an ``rlsmodel.Regimen``; its doses become SBML events up to ``days``.
    model
        an :class:`rlsmodel.Model` (default: ``rlsmodel.Model()``), which fixes the
        augmentation mechanism and DAT hypothesis.
    params
        parameter overrides ``{name: value}`` applied after the profile.
    days
        horizon in days up to which the regimen's doses are written (required with a
        regimen; ignored without one).
    activity
        the rest/activity schedule written into the document (an
        :class:`rlsmodel.Activity`; default ``Activity.default()``, as ``Model.simulate``).
    """
    require_libsbml()
    doc = sbml_document(profile, regimen, model, params, days, activity)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_output(path) as tmp:
        if not libsbml.writeSBMLToFile(doc, str(tmp)):
            raise OSError(f"libsbml could not write {path}")
    return path


__all__ = ["ANNOTATION_NS", "CLOCK_ID", "COMPARTMENT_ID", "FORCING_ID", "fold_events", "FUNCTION_DEFINITIONS", "L3FormulaPrinter",
           "SBML_LEVEL", "SBML_VERSION", "VOLUME_COMPARTMENT_ID", "add_function_definitions", "periodic_runs",
           "sbml", "sbml_document", "sbml_id", "sbml_string", "to_ast", "unit_id"]
