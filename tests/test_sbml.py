"""SBML export: the formula printer, the document, and libroadrunner as an independent check.

libroadrunner integrates the exported file with its own compiler (LLVM) and solver (CVODE);
its trajectories must match ``Model.simulate`` to 1e-4 relative (to each state's largest
magnitude over the run) for a healthy and an RLS profile, with and without a drug regimen.
The formula-printer and document tests need only python-libsbml.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp

import rlsmodel

libsbml = pytest.importorskip(
    "libsbml", reason="python-libsbml is not installed (pip install 'rlsmodel[sbml]'); "
                      "the SBML exporter cannot run without it")

from rlsmodel.export.sbml import (FORCING_ID, L3FormulaPrinter, periodic_runs,  # noqa: E402
                                  sbml, sbml_document, sbml_id, unit_id)
from rlsmodel.model.declaration import sym, t  # noqa: E402

import importlib.util

from conftest import roadrunner_answer as _rr  # noqa: E402  (libroadrunner in this process)

_HAVE_RR = importlib.util.find_spec("roadrunner") is not None
_RR_REASON = "" if _HAVE_RR else "libroadrunner is not installed; pip install 'rlsmodel[sbml]'"
needs_roadrunner = pytest.mark.skipif(not _HAVE_RR, reason=_RR_REASON or "libroadrunner available")

DAYS = 20.0
REL_TOL = 1e-4


# -- the formula printer ------------------------------------------------------------------------
x, y, z = sym("x"), sym("y"), sym("z")
VALUES = {x: 1.7, y: 0.35, z: 2.9}

PRINTER_CASES = [
    sp.Piecewise((2 * x * y / (y + sp.sqrt(x ** 2 + 4 * y)), x - y >= 0), ((sp.sqrt(x ** 2 + 4 * y) - x) / 2, True)),
    sp.Piecewise((x, x > z), (y, x < y), (z, True)),
    x ** 2.5 + y ** -2 + (x + y) ** z + x ** sp.Rational(1, 2) + 1 / (x * y) + x ** sp.Rational(-3, 2),
    ((1 + z) / (z + x / y)) ** y,
    1 + 0.2 * sp.cos(2 * sp.pi * (z - 10.0 / 24) / 1.0),
    -x * y + sp.Rational(1, 3) * z - 86.4 * x * 1e-7,
    sp.exp(-x) * sp.log(z) - sp.log(2) / y,
    sp.Max(x, y, 0.5) - sp.Min(x, z),
    10 * y / (1 + sp.exp(-((0.8 - x) / 0.06 + 2 * sp.log(z)))),
]


def _evaluate(formula: str, values) -> float:
    """Parse ``formula`` with libsbml and evaluate it with libsbml's own evaluator."""
    doc = libsbml.SBMLDocument(3, 2)
    model = doc.createModel()
    for s, v in values.items():
        par = model.createParameter()
        par.setId(s.name)
        par.setValue(v)
        par.setConstant(True)
    ast = libsbml.parseL3Formula(formula)
    assert ast is not None, (formula, libsbml.getLastParseL3Error())
    return libsbml.SBMLTransforms.evaluateASTNode(ast, model)


@pytest.mark.parametrize("expr", PRINTER_CASES, ids=range(len(PRINTER_CASES)))
def test_printer_round_trips_and_evaluates(expr):
    formula = L3FormulaPrinter().doprint(expr)
    ast = libsbml.parseL3Formula(formula)
    assert ast is not None, f"{formula!r}: {libsbml.getLastParseL3Error()}"
    again = libsbml.formulaToL3String(ast)
    ast2 = libsbml.parseL3Formula(again)
    assert libsbml.formulaToL3String(ast2) == again          # stable round trip
    expected = float(expr.xreplace(VALUES).evalf(30))
    for text in (formula, again):
        assert math.isclose(_evaluate(text, VALUES), expected, rel_tol=1e-13, abs_tol=1e-300), text


def test_printer_conventions():
    p = L3FormulaPrinter()
    assert p.doprint(sp.log(x)) == "ln(x)"                   # L3 'log(x)' would be log10
    assert _evaluate(p.doprint(sp.log(x)), VALUES) == pytest.approx(math.log(1.7), rel=1e-15)
    assert p.doprint(sp.sqrt(x)) == "sqrt(x)"
    assert p.doprint(sp.Rational(1, 3)) == "(1/3)"
    assert p.doprint(sp.Float(86.4)) == "86.4"
    ast = libsbml.parseL3Formula(p.doprint(t))
    assert "symbols/time" in libsbml.writeMathMLToString(ast)  # rlsmodel time -> SBML time (days)
    assert p.doprint(sp.Symbol("_circadian_forcing", real=True)) == FORCING_ID
    with pytest.raises(ValueError, match="cannot export"):
        p.doprint(sp.erf(x))


def test_ids_and_units():
    assert sbml_id("_circadian_forcing") == "circadian_forcing_switch"
    assert sbml_id("fe_plasma") == "fe_plasma"
    assert sbml_id("pi") == "pi_" and sbml_id("time") == "time_"
    assert sbml_id("2x-y") == "v_2x_y"
    assert unit_id("1") == "dimensionless"
    assert unit_id("mg/day") == "mg_per_day" and unit_id("1/day") == "per_day"
    assert unit_id("mg*L/ug") == "mg_L_per_ug"


def test_reserved_words_are_those_of_the_l3_parser():
    """sbml_id's fixed list of reserved words is what libsbml's L3 parser does not read as a
    name (asked in a fresh process: python-libsedml, once loaded, garbles libsbml's AST types)."""
    import json
    import subprocess
    import sys
    from rlsmodel.export.sbml_math import L3_RESERVED
    words = sorted(L3_RESERVED) + ["Time", "INF", "NaN", "exp", "sin", "delay", "fe_plasma", "rateOf"]
    code = ("import json, sys, libsbml\n"
            "print(json.dumps([w for w in json.loads(sys.argv[1]) if libsbml.parseL3Formula(w) is None "
            "or libsbml.parseL3Formula(w).getType() != libsbml.AST_NAME]))")
    proc = subprocess.run([sys.executable, "-c", code, json.dumps(words)], capture_output=True, text=True,
                          timeout=120)
    reserved = set(json.loads(proc.stdout))
    assert reserved == {w for w in words if w.lower() in L3_RESERVED}


def test_periodic_runs():
    days = [d + 21 / 24 for d in range(10)]
    assert periodic_runs(days) == [(days[0], pytest.approx(1.0), 10)]
    assert [r[2] for r in periodic_runs([0.5, 1.5, 2.5, 10.0, 20.0])] == [3, 2]
    assert periodic_runs([3.0]) == [(3.0, 0.0, 1)]


# -- the document -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def healthy_doc(model):
    return sbml_document("healthy", model=model)


def _consistency_report(doc):
    """libsbml's full consistency check (units and SBO included): [(severity, id, message)]."""
    doc = libsbml.SBMLDocument(doc)
    for category in (libsbml.LIBSBML_CAT_UNITS_CONSISTENCY, libsbml.LIBSBML_CAT_SBO_CONSISTENCY,
                     libsbml.LIBSBML_CAT_GENERAL_CONSISTENCY, libsbml.LIBSBML_CAT_IDENTIFIER_CONSISTENCY,
                     libsbml.LIBSBML_CAT_MATHML_CONSISTENCY, libsbml.LIBSBML_CAT_OVERDETERMINED_MODEL):
        doc.setConsistencyChecks(category, True)
    n = doc.checkConsistency()
    return [(doc.getError(i).getSeverityAsString(), doc.getError(i).getErrorId(),
             doc.getError(i).getMessage().strip()[:300]) for i in range(n)]


def test_document_is_valid_and_complete(model, healthy_doc):
    assert _consistency_report(healthy_doc) == []
    m = healthy_doc.getModel()
    assert (healthy_doc.getLevel(), healthy_doc.getVersion()) == (3, 2)
    values = model.resolve_parameters("healthy")
    y0, _ = model.periodic_state(model.parameter_vector("healthy"))
    for i, name in enumerate(model.compiled.state_names):
        if model.system.states[name].kind == "input":       # changed only by events: a parameter
            par = m.getParameter(name)
            assert par is not None and not par.getConstant() and par.getValue() == y0[i], name
            continue
        s = m.getSpecies(name)
        assert s is not None, name
        assert not s.getBoundaryCondition()
        if model.system.states[name].unit == "uM":          # a concentration in the 1 L compartment
            assert not s.getHasOnlySubstanceUnits() and s.getInitialConcentration() == y0[i], name
            assert m.getCompartment(s.getCompartment()).getSize() == 1.0
        else:
            assert s.getHasOnlySubstanceUnits() and s.getInitialAmount() == y0[i], name  # exact
    for name, value in values.items():
        par = m.getParameter(name)
        assert par is not None and par.getConstant() and par.getValue() == value, name
    for name in model.observables:
        par = m.getParameter(name)
        assert par is not None and not par.getConstant(), name
        assert m.getAssignmentRuleByVariable(name) is not None, name
    assert m.getParameter(FORCING_ID).getValue() == 1.0
    assert m.getUnitDefinition(m.getTimeUnits()).getName() == "day"
    assert m.getNumReactions() == len(model.system.flows) + len(model.system.regulations)


def test_regimen_needs_days(model, tmp_path):
    with pytest.raises(ValueError, match="days is required"):
        sbml(tmp_path / "x.xml", regimen=rlsmodel.Regimen.daily("pramipexole", 0.25, 21.0), model=model)
    assert not (tmp_path / "x.xml").exists()


def test_schedule_parameters_and_readouts_are_in_the_document(model, healthy_doc):
    """The declared rest/activity readout: parameters with their values and sources, the
    schedule as assignment rules of time, activity_factor and symptom as rules over them."""
    m = healthy_doc.getModel()
    for name in ("movement_relief", "rest_latency_h", "plms_base_rate", "irls_urge_very_severe"):
        par = m.getParameter(name)
        assert par.getConstant() and par.getValue() == model.parameters[name].default, name
        assert model.parameters[name].source in par.getNotesString().replace("&amp;", "&"), name
    assert m.getParameter("rest_latency_h").getUnits() == "h"
    clock = libsbml.formulaToL3String(m.getAssignmentRuleByVariable("clock_hour").getMath())
    assert clock.replace(" ", "") == "24hour_per_day*time-24hour_per_day*floor(time)"   # hours
    for name in ("moving", "time_at_rest"):
        rule = m.getAssignmentRuleByVariable(name)
        assert rule is not None and "clock_hour" in libsbml.formulaToL3String(rule.getMath()), name
    moving = libsbml.formulaToL3String(m.getAssignmentRuleByVariable("moving").getMath())
    assert "clock_hour >= 7 h" in moving and "clock_hour < 18 h" in moving   # the default day, in hours
    symptom = libsbml.formulaToL3String(m.getAssignmentRuleByVariable("symptom").getMath())
    assert "urge_at_rest" in symptom and "activity_factor" in symptom
    factor = libsbml.formulaToL3String(m.getAssignmentRuleByVariable("activity_factor").getMath())
    assert all(n in factor for n in ("movement_relief", "rest_latency_h", "moving", "time_at_rest"))
    total = libsbml.formulaToL3String(m.getAssignmentRuleByVariable("total_body_iron").getMath())
    assert sorted(total.replace(" ", "").split("+")) == sorted(model.system.quantity_states("iron"))


# -- libroadrunner: the independent check -------------------------------------------------------
def _rates(path, settings=None):
    answer = _rr(path, "rates", set=settings or {})
    return dict(zip(answer["ids"], answer["rates"]))


@needs_roadrunner
@pytest.mark.parametrize("profile", ["healthy", "rls_genetic"])
def test_roadrunner_rates_equal_compiled_rhs(model, profile, tmp_path):
    """The SBML reactions + assignment rules are the compiled right-hand side, term for term."""
    path = sbml(tmp_path / f"{profile}.xml", profile, model=model)
    p = model.parameter_vector(profile)
    y0, _ = model.periodic_state(p)
    ours = model.compiled.fast_rhs(0.0, y0, p)
    theirs = _rates(path)
    scale = np.maximum(np.abs(y0), 1e-3)
    for i, name in enumerate(model.compiled.state_names):
        if model.system.states[name].kind == "input":        # a parameter in SBML, derivative 0
            assert name not in theirs and ours[i] == 0.0, name
            continue
        assert abs(theirs[name] - ours[i]) <= 1e-12 * max(scale[i], abs(ours[i])), name


@needs_roadrunner
def test_gamma_function_definition_in_roadrunner(tmp_path):
    """MathML has no gamma; the exported Lanczos function definition is exact to ~1e-14."""
    from rlsmodel.export.sbml import add_function_definitions
    xs = [0.3, 0.5, 1.0, 1.5, 2.5, 3.0, 4.5, 7.25, -0.7]
    doc = libsbml.SBMLDocument(3, 2)
    m = doc.createModel()
    printer = L3FormulaPrinter()
    for i, value in enumerate(xs):
        par = m.createParameter()
        par.setId(f"g{i}")
        par.setConstant(False)
        par.setValue(0.0)
        rule = m.createAssignmentRule()
        rule.setVariable(f"g{i}")
        rule.setMath(libsbml.parseL3Formula(printer.doprint(sp.gamma(sp.Float(value)))))
    add_function_definitions(m, printer.used_functions)
    path = tmp_path / "gamma.xml"
    libsbml.writeSBMLToFile(doc, str(path))
    got = _rr(path, "values", ids=[f"g{i}" for i in range(len(xs))])["values"]
    for g, value in zip(got, xs):
        assert g == pytest.approx(math.gamma(value), rel=1e-14), value


@needs_roadrunner
def test_roadrunner_daily_mean_rates_equal_compiled_rhs(model, tmp_path):
    """With the switch at 0 (rhythms replaced by their daily means) SBML still equals the RHS."""
    path = sbml(tmp_path / "healthy.xml", "healthy", model=model)
    p = model.parameter_vector("healthy")
    y0, _ = model.periodic_state(p)
    pa = p.copy()
    pa[-1] = 0.0
    ours = model.compiled.fast_rhs(0.0, y0, pa)
    theirs = _rates(path, {FORCING_ID: 0.0})
    scale = np.maximum(np.abs(y0), 1e-3)
    for i, name in enumerate(model.compiled.state_names):
        if model.system.states[name].kind == "input":
            continue
        assert abs(theirs[name] - ours[i]) <= 1e-12 * max(scale[i], abs(ours[i])), name


def _regimens():
    Regimen = rlsmodel.Regimen
    return [pytest.param(Regimen.daily("pramipexole", 0.25, 21.0), "pramipexole", id="pramipexole"),
            pytest.param(Regimen.daily("levodopa", 100, 20.0), "levodopa", id="levodopa")]


def _compare(model, tmp_path, profile, regimen=None):
    path = sbml(tmp_path / f"{profile}.xml", profile, model=model, regimen=regimen, days=DAYS)
    names = list(model.compiled.state_names)
    res = np.asarray(_rr(path, "simulate", selections=["time"] + names, t0=0.0, t1=DAYS,
                         n=int(round(DAYS * 24)) + 1)["result"])
    ds = model.simulate(DAYS, profile, regimen=regimen, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(res[:, 0], ds.time.values, rtol=0, atol=1e-12)
    # A sample that falls on a dose time (to rounding) is before the jump in one engine and
    # after it in the other (rlsmodel is right-continuous); those samples are not compared.
    keep = np.ones(res.shape[0], dtype=bool)
    if regimen is not None:
        for time_, *_ in regimen.events(model, DAYS, params=model.resolve_parameters(profile)):
            keep &= np.abs(ds.time.values - time_) > 1e-9
    bad = []
    for i, name in enumerate(names):
        ours, theirs = ds[name].values[keep], res[keep, i + 1]
        scale = np.max(np.abs(ours))
        err = np.max(np.abs(ours - theirs))
        # absolute floor 1e-9 (in the state unit): untreated drug states hold only round-off
        if err > REL_TOL * scale and err > 1e-9:
            bad.append(f"{name}: max |diff| {err:.3g} vs scale {scale:.3g}")
    assert not bad, f"{profile} {regimen!r}: " + "; ".join(bad)
    return ds


@needs_roadrunner
@pytest.mark.parametrize("profile", ["healthy", "rls_genetic"])
def test_roadrunner_matches_simulate(model, profile, tmp_path):
    _compare(model, tmp_path, profile)


@needs_roadrunner
@pytest.mark.parametrize("profile", ["healthy", "rls_genetic"])
@pytest.mark.parametrize("regimen,drug", _regimens())
def test_roadrunner_matches_simulate_with_regimen(model, profile, regimen, drug, tmp_path):
    ds = _compare(model, tmp_path, profile, regimen)
    assert ds[f"{drug}_plasma"].max() > 0                       # the doses did arrive


@needs_roadrunner
def test_roadrunner_matches_simulate_with_patches_escalation_and_single_doses(model, tmp_path):
    """'set' events (rotigotine patches on and off), an escalation and a one-off infusion."""
    Regimen = rlsmodel.Regimen
    regimen = (Regimen.daily("rotigotine", 2.0, 9.0, start_day=1, stop_day=5)
               + Regimen.escalation("pramipexole", [(0, 0.125), (3, 0.25)], 21.0, stop_day=6)
               + Regimen.once("ferric_carboxymaltose", 500, 2, 10.0))
    ds = _compare(model, tmp_path, "rls_genetic", regimen)
    assert ds["rotigotine_plasma"].max() > 0 and float(ds["rotigotine_patch_rate"][-1]) == 0.0


@needs_roadrunner
def test_roadrunner_symptom_follows_the_schedule(model, tmp_path):
    """libroadrunner evaluates the exported schedule and readout rules: the felt symptom,
    the activity factor and the forcings match Model.simulate under a non-default schedule
    and movement_relief (samples at a schedule switch, where the two engines may sit on
    either side of it, are left out)."""
    schedule = rlsmodel.Activity(segments=((8.0, 20.5, "active"), (20.5, 8.0, "sedentary")))
    params = {"movement_relief": 0.6, "rest_latency_h": 0.5}
    path = sbml(tmp_path / "walk.xml", "rls_genetic", model=model, params=params, activity=schedule)
    days = 3.0
    names = ["symptom", "activity_factor", "urge_at_rest", "moving", "time_at_rest"]
    res = np.asarray(_rr(path, "simulate", selections=["time"] + names, t0=0.0, t1=days,
                         n=int(days * 24 * 4) + 1)["result"])
    ds = model.simulate(days, "rls_genetic", params=params, activity=schedule, sample_every_hours=0.25,
                        rtol=1e-10, atol=1e-12)
    clock = np.mod(ds.time.values, 1.0) * 24.0
    away = (np.abs(clock - 8.0) > 1e-6) & (np.abs(clock - 20.5) > 1e-6)
    forcings = schedule.forcings(clock)
    np.testing.assert_allclose(res[away, 4], forcings["moving"][away], atol=0)
    np.testing.assert_allclose(res[away, 5], forcings["time_at_rest"][away], atol=1e-9)
    for i, name in enumerate(names[:3], start=1):
        np.testing.assert_allclose(res[away, i], ds[name].values[away], rtol=1e-4, atol=1e-6, err_msg=name)
    # the schedule and the relief matter: moving relieves 60% of the urge at rest
    active = forcings["moving"] == 1.0
    np.testing.assert_allclose(res[active & away, 2], 0.4)


# -- units, SBO terms and references ---------------------------------------------------------------
def _busy_regimen():
    Regimen = rlsmodel.Regimen
    return (Regimen.daily("rotigotine", 2.0, 9.0, start_day=1, stop_day=5)
            + Regimen.escalation("pramipexole", [(0, 0.125), (3, 0.25)], 21.0, stop_day=6)
            + Regimen.once("ferric_carboxymaltose", 500, 2, 10.0) + Regimen.daily("levodopa", 100, 20.0)
            + Regimen.daily("pregabalin", 150, 20.0) + Regimen.daily("ferrous_sulfate", 65, 8.0))


@pytest.mark.parametrize("augmentation", ["d2_tolerance", "d3_d1_spinal"])
def test_units_are_consistent_with_every_kind_of_dose(augmentation):
    """libsbml's unit-consistency (and SBO and modelling-practice) check finds nothing: every
    literal, parameter, rule, kinetic law and event assignment has consistent units."""
    model = rlsmodel.Model(engine="lsoda", augmentation=augmentation)
    doc = sbml_document("rls_genetic", model=model, regimen=_busy_regimen(), days=10)
    assert _consistency_report(doc) == []
    m = doc.getModel()
    assert (m.getTimeUnits(), m.getExtentUnits()) == ("day", "dimensionless")
    assert m.getNumEvents() > 0


def test_literals_carry_the_conversion_they_make(healthy_doc):
    """The 24 that turns a rate per hour into one per day is 24 h/day; clock hours are in h."""
    m = healthy_doc.getModel()
    law = libsbml.formulaToL3String(m.getReaction("pramipexole_absorption").getKineticLaw().getMath())
    assert "24 hour_per_day" in law and "mg_per_extent" in law
    ud = m.getUnitDefinition("hour_per_day")
    assert ud.getNumUnits() == 1 and ud.getUnit(0).getMultiplier() == pytest.approx(1 / 24, rel=1e-14)
    total = libsbml.formulaToL3String(m.getAssignmentRuleByVariable("transferrin_saturation").getMath())
    assert "100 percent" in total


def test_no_hidden_unit_conversions(model):
    """Every scale change in the declaration is a number in the formula; none had to be made
    up by the exporter (an explicit '1 <unit>' factor would mean a declared unit is wrong)."""
    from rlsmodel.export.sbml import _DocumentBuilder, _resolve_inputs
    builder = _DocumentBuilder(_resolve_inputs("rls_genetic", _busy_regimen(), model, None, 10, None))
    builder.build()
    assert builder.printer.implicit_conversions == []


def test_printer_units_follow_the_place_of_each_number():
    from rlsmodel.export.sbml_units import UnitBook, UnitContext
    doc = libsbml.SBMLDocument(3, 2)
    m = doc.createModel()
    k, a, h = sym("k"), sym("a"), sym("h")
    ctx = UnitContext({k: "1/h", a: "mg", h: "h"}, t)
    p = L3FormulaPrinter(units=ctx, book=UnitBook(m, libsbml))
    from rlsmodel.model.units import parse
    assert p.doprint(24 * k * a, parse("mg/day")) == "(24 hour_per_day) * a * k"
    assert p.doprint(1 + k * h, parse("1")) == "1 dimensionless + h * k"
    assert "24 hour_per_day" in p.doprint(t - h / 24, parse("day"))      # h/24 is in days
    assert p.doprint(sp.exp(-k * h) - 1, parse("1")).count("dimensionless") >= 1
    assert p.implicit_conversions == []
    p.doprint(k * a, parse("mg/day"))                                    # no number to carry 24
    assert len(p.implicit_conversions) == 1


def test_sbo_terms_on_species_parameters_and_reactions(model, healthy_doc):
    m = healthy_doc.getModel()
    assert m.getSBOTerm() == 293                                    # non-spatial continuous
    for i in range(m.getNumSpecies()):
        assert libsbml.SBO.isMaterialEntity(m.getSpecies(i).getSBOTerm()), m.getSpecies(i).getId()
    for i in range(m.getNumParameters()):
        assert libsbml.SBO.isQuantitativeParameter(m.getParameter(i).getSBOTerm()), m.getParameter(i).getId()
    for i in range(m.getNumReactions()):
        r = m.getReaction(i)
        assert libsbml.SBO.isOccurringEntityRepresentation(r.getSBOTerm()), r.getId()
        assert r.getKineticLaw().getSBOTerm() == 1
    assert m.getParameter("pramipexole_half_life").getSBOTerm() == 331      # half-life
    assert m.getParameter("dat_km").getSBOTerm() == 27                      # Michaelis constant
    assert m.getParameter("k_th").getSBOTerm() == 9                         # kinetic constant
    assert m.getSpecies("d2_density").getSBOTerm() == 252                   # a protein level
    assert m.getSpecies("fe_plasma").getSBOTerm() == 247                    # simple chemical
    assert m.getReaction("ferrous_sulfate_absorption").getSBOTerm() == 185  # gut -> plasma
    assert m.getReaction("pramipexole_absorption").getSBOTerm() == 393      # production


def test_every_cited_source_with_an_identifier_is_annotated(model, healthy_doc):
    """A parameter whose source cites an article with a known PubMed id or DOI carries it as
    a MIRIAM bqmodel:isDescribedBy resource; the source text is in the notes of every one."""
    from xml.sax.saxutils import unescape
    from rlsmodel.export.references import IDENTIFIERS, citations, identifiers_for
    m = healthy_doc.getModel()
    annotated = 0
    for name, par in model.parameters.items():
        element = m.getParameter(name)
        notes = " ".join(unescape(element.getNotesString(), {"&quot;": '"', "&apos;": "'"}).split())
        assert " ".join(par.source.split()) in notes, name
        expected = identifiers_for(par.source)
        got = [element.getCVTerm(i).getResourceURI(j) for i in range(element.getNumCVTerms())
               for j in range(element.getCVTerm(i).getNumResources())]
        assert got == expected, name
        if expected:
            annotated += 1
            assert "bqmodel:isDescribedBy" in element.getAnnotationString()
            assert all(u.startswith("https://identifiers.org/pubmed:") or
                       u.startswith("https://identifiers.org/doi:") for u in got)
    cited = {c for par in model.parameters.values() for c in citations(par.source)}
    assert set(IDENTIFIERS) <= cited                 # the table lists citations the sources make
    assert annotated >= len(IDENTIFIERS) > 0
    print(f"{annotated} parameters carry MIRIAM references; {len(IDENTIFIERS)} of {len(cited)} cited "
          "articles have an identifier in rlsmodel.export.references")
