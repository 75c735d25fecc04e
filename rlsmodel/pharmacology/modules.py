"""Declared pharmacokinetic modules, one per drug, built from the drug table.

Time is in days and amounts in mg, as in the rest of the model; the drug parameters keep
their clinical units (half-lives and absorption rates per hour, volumes in L) and the
expressions convert (24 h per day).

Oral drugs (levodopa, pramipexole, ropinirole, pregabalin, gabapentin enacarbil, the opioids
oxycodone-naloxone and methadone, dipyridamole)::

    d depot / dt  = -ka * depot
    d plasma / dt = +F * m * ka * depot - ln2 / t1/2 * plasma

with ``m`` the mg of plasma species per mg dosed (1 except for a prodrug). A dose adds to
``<drug>_depot``. Rotigotine: ``rotigotine_patch_rate`` (mg/day, an input state set by
patch events) delivers ``F * rate`` into ``rotigotine_plasma``.

Readouts: ``<drug>_plasma_concentration`` (ng/mL) and, for drugs acting in the brain,
``<drug>_brain_concentration`` (free, nM) = plasma/Vd * 1e6/MW * fu * Kp,uu. Dopamine
agonists add IA * C/Ki to ``dX_agonist_load`` and C/Ki to ``dX_ligand_load`` (X = d1, d2,
d3); alpha-2-delta ligands add C/EC50 to ``alpha2delta_load``; opioids add IA * C/Ki to
``mu_opioid_load`` (read by the urge, :mod:`rlsmodel.model.symptoms`; they touch no dopamine
receptor, so no augmentation mechanism sees them); dipyridamole adds C/IC50 to
``ent_inhibitor_load`` (adenosine tone, :mod:`rlsmodel.model.adenosine_glutamate`); levodopa adds dopamine
synthesis (uM/day) proportional to its free brain concentration.

Iron products move iron through declared flows so that iron balance holds:
``ferrous_sulfate_gut`` (outside the body) is absorbed into ``fe_plasma`` with the same
hepcidin gate as dietary iron, the rest leaves with the stool; ``ferric_carboxymaltose_plasma``
(inside the body) is taken up by macrophages and stored in their ferritin (``fe_macrophage_store``).
"""
from __future__ import annotations

import functools
import math

import sympy as sp

from ..model.declaration import Contribution, Flow, Module, Observable, Parameter, Regulation, State, sym
from .drugs import DRUGS, RECEPTORS, Drug

HOURS_PER_DAY = 24
LN2 = sp.log(2)


def _range(drug: Drug, key: str, value: float, fraction: bool = False) -> tuple:
    """Plausible range of one drug number: the table's, else value/2 .. 2*value (fractions capped at 1)."""
    if key in drug.ranges:
        return tuple(float(v) for v in drug.ranges[key])
    lo, hi = 0.5 * value, 2.0 * value
    return (lo, min(hi, 1.0)) if fraction else (lo, hi)


def _param(drug: Drug, what: str, key: str, value: float, unit: str, description: str,
           domain: str = "positive", exact: bool = False) -> Parameter:
    """The declared Parameter ``<drug>_<what>`` with its range and source from the table."""
    fraction = domain == "fraction"
    rng = (value, value) if exact else _range(drug, key, value, fraction)
    return Parameter(f"{drug.name}_{what}", float(value), unit, rng, drug.note(key),
                     f"{drug.long_name}: {description}", domain=domain)


def _p(drug: Drug, what: str) -> sp.Symbol:
    return sym(f"{drug.name}_{what}")


def _elimination_rate(drug: Drug) -> sp.Expr:
    """First-order elimination rate in 1/day from the half-life in hours."""
    return LN2 * HOURS_PER_DAY / _p(drug, "half_life")


# -- parameters -------------------------------------------------------------------------
def _disposition_parameters(drug: Drug) -> list:
    """Bioavailability, half-life, volume and molecular weight (every systemic drug)."""
    return [
        _param(drug, "bioavailability", "bioavailability", drug.bioavailability, "1",
               "fraction of the dose (patch: of the nominal delivery) reaching plasma", domain="fraction"),
        _param(drug, "half_life", "half_life_h", drug.half_life_h, "h", "plasma elimination half-life"),
        _param(drug, "volume", "volume_l", drug.volume_l, "L", "apparent volume of distribution"),
        _param(drug, "molecular_weight", "molecular_weight", drug.molecular_weight, "g/mol",
               "molecular weight of the plasma species", exact=True),
    ]


def _absorption_parameters(drug: Drug) -> list:
    ka = drug.absorption_rate_per_h
    params = [Parameter(
        f"{drug.name}_absorption_rate", ka, "1/h", (0.5 * ka, 2.0 * ka),
        f"derived: first-order rate that peaks at the label Tmax {drug.tmax_h:g} h with a "
        f"{drug.half_life_h:g} h half-life ({drug.note('tmax_h')})",
        f"{drug.long_name}: first-order absorption rate from the gut depot")]
    if drug.moiety_fraction != 1.0:
        params.append(_param(drug, "moiety_fraction", "moiety_fraction", drug.moiety_fraction, "1",
                             "mg of the active moiety per mg of prodrug dosed", domain="fraction", exact=True))
    return params


def _brain_parameters(drug: Drug) -> list:
    return [
        _param(drug, "unbound_fraction", "unbound_fraction", drug.unbound_fraction, "1",
               "unbound fraction in plasma", domain="fraction"),
        _param(drug, "brain_plasma_ratio", "brain_plasma_ratio", drug.brain_plasma_ratio, "1",
               "unbound brain-to-unbound plasma concentration ratio (Kp,uu)"),
    ]


def _receptor_parameters(drug: Drug) -> list:
    out = []
    for r in RECEPTORS:
        ki, ia = drug.ki_nM[r], drug.intrinsic_activity[r]
        out.append(_param(drug, f"ki_{r}", f"ki_{r}", ki, "nM", f"affinity (Ki) at {r.upper()}"))
        note_key = f"intrinsic_activity_{r}" if f"intrinsic_activity_{r}" in drug.notes else "intrinsic_activity"
        rng = (0.0, 1.0) if ia > 0 else (0.0, 0.0)
        out.append(Parameter(f"{drug.name}_intrinsic_activity_{r}", float(ia), "1", rng,
                             drug.note(note_key) if ia > 0 else drug.note(f"ki_{r}"),
                             f"{drug.long_name}: intrinsic activity at {r.upper()} (1 = full agonist)",
                             domain="fraction"))
    return out


# -- states, regulations, readouts --------------------------------------------------------
def _plasma_state(drug: Drug) -> State:
    what = "gabapentin released from the prodrug" if drug.moiety_fraction != 1.0 else drug.name
    return State(f"{drug.name}_plasma", "mg", f"{what} in the body (central compartment)", 0.0,
                 long_name=f"{drug.name} in plasma")


def _elimination(drug: Drug) -> Regulation:
    return Regulation(f"{drug.name}_elimination", f"{drug.name}_plasma",
                      -_elimination_rate(drug) * sym(f"{drug.name}_plasma"),
                      f"first-order elimination of {drug.name}")


def _concentration_observables(drug: Drug, brain: bool) -> list:
    """Plasma concentration (ng/mL; output) and, if ``brain``, free brain concentration (nM)."""
    mg_per_l = sym(f"{drug.name}_plasma") / _p(drug, "volume")
    out = [Observable(f"{drug.name}_plasma_concentration", 1000 * mg_per_l, "ng/mL",
                      f"{drug.name} plasma concentration", "total plasma concentration: amount / Vd")]
    if brain:
        nanomolar = (mg_per_l * 10 ** 6 / _p(drug, "molecular_weight")
                     * _p(drug, "unbound_fraction") * _p(drug, "brain_plasma_ratio"))
        out.append(Observable(f"{drug.name}_brain_concentration", nanomolar, "nM",
                              f"free {drug.name} at its brain targets",
                              "plasma/Vd converted to nM, times unbound fraction and Kp,uu"))
    return out


def _receptor_contributions(drug: Drug) -> list:
    c = sym(f"{drug.name}_brain_concentration")
    out = []
    for r in RECEPTORS:
        occupancy = c / _p(drug, f"ki_{r}")
        out.append(Contribution(f"{r}_agonist_load", _p(drug, f"intrinsic_activity_{r}") * occupancy,
                                f"{drug.name}: intrinsic activity x C/Ki at {r.upper()}"))
        out.append(Contribution(f"{r}_ligand_load", occupancy, f"{drug.name}: C/Ki at {r.upper()}"))
    return out


def _oral_pk(drug: Drug) -> tuple:
    """States, parameters and regulations of a one-compartment oral drug with a gut depot."""
    depot, plasma = sym(f"{drug.name}_depot"), sym(f"{drug.name}_plasma")
    states = (State(f"{drug.name}_depot", "mg", f"{drug.name} dose not yet absorbed (gut)", 0.0,
                    long_name=f"{drug.name} gut depot"), _plasma_state(drug))
    params = _absorption_parameters(drug) + _disposition_parameters(drug)
    absorption = HOURS_PER_DAY * _p(drug, "absorption_rate") * depot
    gain = _p(drug, "bioavailability") * absorption
    if drug.moiety_fraction != 1.0:
        gain = gain * _p(drug, "moiety_fraction")
    regs = (Regulation(f"{drug.name}_absorption_loss", f"{drug.name}_depot", -absorption,
                       f"{drug.name} leaves the gut depot (first order)"),
            Regulation(f"{drug.name}_absorption", f"{drug.name}_plasma", gain,
                       f"the bioavailable fraction of absorbed {drug.name} reaches plasma"),
            _elimination(drug))
    return states, params, regs


# -- per-kind module builders ---------------------------------------------------------------
def _levodopa_module(drug: Drug) -> Module:
    states, params, regs = _oral_pk(drug)
    params = params + _brain_parameters(drug) + [Parameter(
        "levodopa_decarboxylation_rate", 1000.0, "1/h", (100.0, 3000.0),
        "calibrated (issue 7): AADC is in large excess, so dopamine formation from exogenous "
        "levodopa is limited by its supply, and the dopamine formed is released without vesicular "
        "buffering (largely from serotonergic terminals; Carta et al. 2007 Brain 130:1819). 1000/h "
        "makes 100 mg (with carbidopa) raise extracellular striatal dopamine about 3-4-fold at its "
        "peak 1-2 h after the dose, back to baseline within about 5-6 h: the clinical duration of "
        "an evening levodopa dose in RLS (Allen and Earley 1996 Sleep 19:205). Intact rat striatum "
        "rose only about 1.8-fold after 100 mg/kg L-DOPA with peripheral AADC inhibition "
        "(Abercrombie et al. 1990 Brain Res 525:36): about 300/h reproduces that",
        "dopamine formed per hour (uM tissue) per uM free brain levodopa")]
    synthesis = (HOURS_PER_DAY * sym("levodopa_decarboxylation_rate")
                 * sym("levodopa_brain_concentration") / 1000)
    return Module(
        "pharmacology_levodopa", f"{drug.long_name}: gut depot, plasma, conversion to striatal dopamine.",
        states=states, parameters=tuple(params), regulations=regs,
        observables=tuple(_concentration_observables(drug, brain=True)),
        contributions=(Contribution("exogenous_dopamine_synthesis", synthesis,
                                    "dopamine made from brain levodopa (uM/day)"),),
        references=(drug.sources,))


def _agonist_module(drug: Drug) -> Module:
    states, params, regs = _oral_pk(drug)
    params = params + _brain_parameters(drug) + _receptor_parameters(drug)
    return Module(
        f"pharmacology_{drug.name}", f"{drug.long_name}: gut depot, plasma, D1/D2/D3 agonism.",
        states=states, parameters=tuple(params), regulations=regs,
        observables=tuple(_concentration_observables(drug, brain=True)),
        contributions=tuple(_receptor_contributions(drug)), references=(drug.sources,))


def _patch_module(drug: Drug) -> Module:
    rate = sym(f"{drug.name}_patch_rate")
    states = (State(f"{drug.name}_patch_rate", "mg/day",
                    "nominal delivery rate of the patch currently on the skin (0 = no patch)", 0.0,
                    kind="input", long_name=f"{drug.name} patch delivery rate"),
              _plasma_state(drug))
    params = _disposition_parameters(drug) + _brain_parameters(drug) + _receptor_parameters(drug)
    regs = (Regulation(f"{drug.name}_transdermal_delivery", f"{drug.name}_plasma",
                       _p(drug, "bioavailability") * rate,
                       "zero-order delivery through the skin while a patch is on"),
            _elimination(drug))
    return Module(
        f"pharmacology_{drug.name}", f"{drug.long_name}: zero-order delivery, plasma, D1/D2/D3 agonism.",
        states=states, parameters=tuple(params), regulations=regs,
        observables=tuple(_concentration_observables(drug, brain=True)),
        contributions=tuple(_receptor_contributions(drug)), references=(drug.sources,))


def _alpha2delta_module(drug: Drug) -> Module:
    states, params, regs = _oral_pk(drug)
    params = params + _brain_parameters(drug) + [
        _param(drug, "ec50_alpha2delta", "ec50_alpha2delta", drug.ec50_alpha2delta_nM, "nM",
               "free brain concentration at half-maximal alpha-2-delta action")]
    load = sym(f"{drug.name}_brain_concentration") / _p(drug, "ec50_alpha2delta")
    return Module(
        f"pharmacology_{drug.name}", f"{drug.long_name}: gut depot, plasma, alpha-2-delta action.",
        states=states, parameters=tuple(params), regulations=regs,
        observables=tuple(_concentration_observables(drug, brain=True)),
        contributions=(Contribution("alpha2delta_load", load, f"{drug.name}: C/EC50"),),
        references=(drug.sources,))


def _opioid_module(drug: Drug) -> Module:
    states, params, regs = _oral_pk(drug)
    params = params + _brain_parameters(drug) + [
        _param(drug, "ki_mu", "ki_mu", drug.ki_mu_nM, "nM", "affinity (Ki) at the mu-opioid receptor"),
        Parameter(f"{drug.name}_intrinsic_activity_mu", float(drug.intrinsic_activity_mu), "1", (0.0, 1.0),
                  drug.note("intrinsic_activity_mu"),
                  f"{drug.long_name}: intrinsic activity at the mu-opioid receptor (1 = full agonist)",
                  domain="fraction")]
    load = (_p(drug, "intrinsic_activity_mu") * sym(f"{drug.name}_brain_concentration") / _p(drug, "ki_mu"))
    return Module(
        f"pharmacology_{drug.name}", f"{drug.long_name}: gut depot, plasma, mu-opioid agonism (no dopamine "
        "receptor action).",
        states=states, parameters=tuple(params), regulations=regs,
        observables=tuple(_concentration_observables(drug, brain=True)),
        contributions=(Contribution("mu_opioid_load", load, f"{drug.name}: intrinsic activity x C/Ki at mu"),),
        references=(drug.sources,))


def _ent_inhibitor_module(drug: Drug) -> Module:
    states, params, regs = _oral_pk(drug)
    params = params + _brain_parameters(drug) + [
        _param(drug, "ic50_ent", "ic50_ent", drug.ic50_ent_nM, "nM",
               "free brain concentration at half-maximal inhibition of equilibrative nucleoside transport")]
    load = sym(f"{drug.name}_brain_concentration") / _p(drug, "ic50_ent")
    return Module(
        f"pharmacology_{drug.name}", f"{drug.long_name}: gut depot, plasma, inhibition of adenosine uptake (ENT).",
        states=states, parameters=tuple(params), regulations=regs,
        observables=tuple(_concentration_observables(drug, brain=True)),
        contributions=(Contribution("ent_inhibitor_load", load, f"{drug.name}: C/IC50 at ENT"),),
        references=(drug.sources,))


def _oral_iron_module(drug: Drug) -> Module:
    gut = sym("ferrous_sulfate_gut")
    fraction = sym("absorption_max_fraction") / (1 + sym("hepcidin") / sym("hepcidin_absorption_k"))
    transit = sym("ferrous_sulfate_gut_transit")
    return Module(
        "pharmacology_ferrous_sulfate",
        "Oral iron: a dose enters the gut lumen; a hepcidin-gated fraction is absorbed, the rest is lost.",
        states=(State("ferrous_sulfate_gut", "mg", "supplement iron in the gut lumen, available for "
                      "absorption", 0.0, quantity="iron", in_body=False, long_name="oral iron in the gut"),),
        parameters=(Parameter(
            "ferrous_sulfate_gut_transit", 0.25, "day", (0.1, 1.0),
            "assumed: ferrous iron is absorbed in the duodenum within hours (serum iron peaks 2-4 h after "
            "an oral dose); iron not absorbed by then passes on and leaves with the stool",
            "mean residence of supplement iron in the absorptive gut"),),
        flows=(Flow("ferrous_sulfate_absorption", "ferrous_sulfate_gut", "fe_plasma",
                    fraction * gut / transit,
                    "hepcidin-gated absorption of supplement iron (same gate as dietary iron)"),
               Flow("ferrous_sulfate_unabsorbed", "ferrous_sulfate_gut", None,
                    (1 - fraction) * gut / transit, "unabsorbed supplement iron leaves with the stool")),
        references=(drug.sources,))


def _iv_iron_module(drug: Drug) -> Module:
    amount = sym("ferric_carboxymaltose_plasma")
    return Module(
        "pharmacology_ferric_carboxymaltose",
        "IV iron: the iron-carbohydrate complex circulates until reticuloendothelial macrophages take it up.",
        states=(State("ferric_carboxymaltose_plasma", "mg", "iron in circulating ferric carboxymaltose "
                      "complex", 0.0, quantity="iron", long_name="ferric carboxymaltose iron in plasma"),),
        parameters=(_param(drug, "half_life", "half_life_h", drug.half_life_h, "h",
                           "plasma half-life of the complex (uptake by macrophages)"),),
        flows=(Flow("ferric_carboxymaltose_res_uptake", "ferric_carboxymaltose_plasma", "fe_macrophage_store",
                    _elimination_rate(drug) * amount,
                    "reticuloendothelial uptake of the complex; its iron is stored in macrophage ferritin"),),
        references=(drug.sources,))


_BUILDERS = {
    "levodopa": _levodopa_module, "pramipexole": _agonist_module, "ropinirole": _agonist_module,
    "rotigotine": _patch_module, "pregabalin": _alpha2delta_module,
    "gabapentin_enacarbil": _alpha2delta_module, "oxycodone_naloxone": _opioid_module,
    "methadone": _opioid_module, "dipyridamole": _ent_inhibitor_module, "ferrous_sulfate": _oral_iron_module,
    "ferric_carboxymaltose": _iv_iron_module,
}

#: State a dose acts on: drug -> (state name, event mode).
DOSE_TARGETS = {
    "levodopa": ("levodopa_depot", "add"), "pramipexole": ("pramipexole_depot", "add"),
    "ropinirole": ("ropinirole_depot", "add"), "rotigotine": ("rotigotine_patch_rate", "set"),
    "pregabalin": ("pregabalin_depot", "add"), "gabapentin_enacarbil": ("gabapentin_enacarbil_depot", "add"),
    "oxycodone_naloxone": ("oxycodone_naloxone_depot", "add"), "methadone": ("methadone_depot", "add"),
    "dipyridamole": ("dipyridamole_depot", "add"),
    "ferrous_sulfate": ("ferrous_sulfate_gut", "add"),
    "ferric_carboxymaltose": ("ferric_carboxymaltose_plasma", "add"),
}


def linear_compartments() -> dict:
    """Drug compartments that may be integrated in closed form: ``drug -> (states, inputs)``.

    ``states``: the amounts a dose enters and moves through, in order (oral: gut depot then
    plasma; patch and intravenous: the plasma pool); ``inputs``: input states that feed them
    and change only at events (the patch delivery rate). These are the *candidates* of
    :mod:`rlsmodel.engines.closed_form`, which keeps a chain in closed form only where the
    assembled right-hand side is linear in it with constant coefficients and reads no other
    state (oral iron, whose absorption is gated by hepcidin, fails that check and keeps
    doses as events).
    """
    out = {}
    for name, drug in DRUGS.items():
        if drug.route == "transdermal":
            out[name] = ((f"{name}_plasma",), (f"{name}_patch_rate",))
        elif drug.route == "intravenous":
            out[name] = ((DOSE_TARGETS[name][0],), ())
        elif drug.kind == "iron":
            out[name] = ((DOSE_TARGETS[name][0],), ())
        else:
            out[name] = ((f"{name}_depot", f"{name}_plasma"), ())
    return out


@functools.lru_cache(maxsize=None)
def drug_modules() -> tuple:
    """One declared :class:`~rlsmodel.model.Module` per drug in the table (built once; compiled
    models are cached by the modules' content, so rebuilding them would cost no compilation)."""
    return tuple(_BUILDERS[name](drug) for name, drug in DRUGS.items())


def clearance_l_per_h(drug_name: str, params=None) -> float:
    """CL = V * ln 2 / t1/2 in L/h from (possibly overridden) parameter values."""
    drug = DRUGS[drug_name]
    params = params or {}
    volume = params.get(f"{drug_name}_volume", drug.volume_l)
    half_life = params.get(f"{drug_name}_half_life", drug.half_life_h)
    return volume * math.log(2) / half_life
