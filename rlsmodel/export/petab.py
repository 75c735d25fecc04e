"""PEtab export: the physiology part of a calibration problem, for other fitting tools.

>>> from rlsmodel.export.petab import write_petab
>>> write_petab("petab_dir", "experiments/calibration/synthetic_cohort.toml")   # doctest: +SKIP

Writes a PEtab 1 problem (``problem.yaml`` and its tables) for the measurement targets of
a calibration spec (:mod:`rlsmodel.calibration.spec`):

* ``model.xml`` -- :func:`rlsmodel.export.sbml.sbml_document` of the spec's hypothesis with
  the healthy profile's values, without the ledger species (running totals of iron intake
  and loss grow forever and would prevent steady states), plus one set of dose events per
  regimen used by the measurements. A regimen's events are periodic SBML events (as in the
  SBML export) whose dose counts are parameters ``<regimen>_dose_<k>_count``, 0 in the model:
  a condition switches its regimen on by setting them.
* ``conditions.tsv`` -- per measured (profile, regimen) a simulation condition setting the
  profile's overrides (a fitted profile override is a parameter id ``<profile>__<name>``)
  and the regimen's dose counts; per profile a ``<profile>__steady`` condition with
  ``circadian_forcing_switch = 0`` (rhythms replaced by their daily means).
* ``measurements.tsv`` -- ``time = steady`` rows are PEtab steady-state measurements
  (``inf``) of ``<profile>__steady`` (the model's :meth:`~rlsmodel.Model.steady_state`);
  timed rows simulate their condition after *pre-equilibration* in ``<profile>__steady``.
  rlsmodel itself starts a simulation on the profile's daily limit cycle; starting from the
  day-averaged steady state instead differs in the fast circadian states for the first
  days only.
* ``observables.tsv`` -- one observable per measured model variable (normal noise; the sd
  column of the CSV is the noise parameter).
* ``parameters.tsv`` -- the fitted parameters with scales, bounds and un-fitted values.

What PEtab cannot express is left out and listed in ``README.md``: scorecard and function
targets (computed outcomes of whole runs), and measurements of daily outcomes (IRLS, PLMS
index, onset hour: functions of a day's trajectory, not of the state).
"""
from __future__ import annotations

import csv
import math
from collections import OrderedDict
from pathlib import Path

from .._version import __version__
from .sbml import FORCING_ID, fold_events, periodic_runs, sbml_id

INF = "inf"


def _remove_ledgers(m, model) -> list:
    """Drop ledger species and their product references; return their names."""
    ledgers = [n for n, s in model.system.states.items() if s.kind == "ledger"]
    ids = {sbml_id(n) for n in ledgers}
    for i in range(m.getNumReactions()):
        r = m.getReaction(i)
        for j in reversed(range(r.getNumProducts())):
            if r.getProduct(j).getSpecies() in ids:
                r.removeProduct(j)
    for sid in ids:
        m.removeSpecies(sid)
    return ledgers


def _add_regimen_events(m, model, name, regimen, days, params) -> list:
    """Periodic dose events of ``regimen`` (off until a condition sets their counts)."""
    events = list(regimen.events(model, days, params=params))
    folded = fold_events(events)
    groups = OrderedDict()
    for time_, slot in folded.items():
        for idx, (mode, value) in slot.items():
            groups.setdefault((idx, mode, value), []).append(time_)
    counts = []
    k = 0
    for (idx, mode, value), times in groups.items():
        state = model.compiled.state_names[idx]
        sid = sbml_id(state)
        for first, interval, count in periodic_runs(times):
            k += 1
            base = f"{sbml_id(name)}_dose_{k}"
            for pid, v, unit in ((f"{base}_first_time", first, "day"), (f"{base}_interval", interval, "day"),
                                 (f"{base}_count", 0.0, "dimensionless")):
                q = m.createParameter()
                q.setId(pid)
                q.setValue(float(v))
                q.setConstant(True)
                q.setUnits(unit if unit == "dimensionless" else m.getTimeUnits())
            q = m.createParameter()
            q.setId(f"{base}_counter")
            q.setValue(0.0)
            q.setConstant(False)
            q.setUnits("dimensionless")
            import libsbml
            ev = m.createEvent()
            ev.setId(base)
            ev.setName(f"regimen {name}: {state} {mode} {value:g}")
            ev.setUseValuesFromTriggerTime(True)
            trig = ev.createTrigger()
            trig.setInitialValue(False)
            trig.setPersistent(True)
            trig.setMath(libsbml.parseL3Formula(
                f"and(lt({base}_counter, {base}_count), geq(time, {base}_first_time + {base}_counter * "
                f"{base}_interval))"))
            ea = ev.createEventAssignment()
            ea.setVariable(sid)
            ea.setMath(libsbml.parseL3Formula(f"{sid} + {value!r}" if mode == "add" else repr(value)))
            ea = ev.createEventAssignment()
            ea.setVariable(f"{base}_counter")
            ea.setMath(libsbml.parseL3Formula(f"{base}_counter + 1"))
            counts.append((f"{base}_count", count))
    return counts


def write_petab(out_dir, spec) -> dict:
    """Write the PEtab problem of ``spec``'s measurement targets to ``out_dir``; return
    ``{name: path}``. Raises ``ValueError`` if the spec has no exportable measurement."""
    import libsbml
    from ..calibration.spec import load_spec
    from ..calibration.targets import DAILY_OUTCOMES, MeasurementTarget
    from .. import profiles as _profiles
    from .sbml import sbml_document

    spec = load_spec(spec)
    out = Path(out_dir)
    model = spec.base_model()
    rows, skipped = [], []
    for t in spec.targets:
        if isinstance(t, MeasurementTarget):
            for r in t.data:
                (skipped if r["observable"] in DAILY_OUTCOMES else rows).append(r)
        else:
            skipped.append({"label": f"{t.kind} target {t.id}"})
    if not rows:
        raise ValueError("the spec has no measurement of a model variable: nothing PEtab can express "
                         "(scorecard and function targets and daily outcomes are not exported)")

    doc = sbml_document("healthy", model=model)
    m = doc.getModel()
    ledgers = _remove_ledgers(m, model)

    # conditions
    fitted_profile = {(p.profile, p.name): p for p in spec.parameters if p.profile}
    fitted_default = {p.name: p for p in spec.parameters if p.profile is None}
    profiles = sorted({r["profile"] for r in rows})
    override_cols = sorted({n for prof in profiles for n in _profiles.get(prof).overrides}
                           | {name for (_, name) in fitted_profile})
    regimen_names = sorted({r["regimen"] for r in rows if r["regimen"]})
    dose_counts = {}
    healthy = model.resolve_parameters("healthy")
    for name in regimen_names:
        days = max(r["time"] for r in rows if r["regimen"] == name)
        dose_counts[name] = _add_regimen_events(m, model, name, spec.regimens[name], max(days, 1e-3), healthy)
    count_cols = [pid for counts in dose_counts.values() for pid, _ in counts]

    def default_id(name):
        return f"{sbml_id(name)}__default" if name in override_cols else sbml_id(name)

    def condition(profile, regimen, steady):
        prof = _profiles.get(profile)
        c = {"conditionId": f"{profile}__steady" if steady else (f"{profile}__{regimen}" if regimen else profile),
             FORCING_ID: 0 if steady else 1}
        for name in override_cols:
            if (profile, name) in fitted_profile:
                c[sbml_id(name)] = f"{profile}__{sbml_id(name)}"
            elif name in prof.overrides:
                c[sbml_id(name)] = prof.overrides[name]
            elif name in fitted_default:
                c[sbml_id(name)] = default_id(name)
            else:
                c[sbml_id(name)] = model.parameters[name].default
        on = dict(dose_counts.get(regimen, [])) if not steady else {}
        for pid in count_cols:
            c[pid] = on.get(pid, 0)
        return c

    conditions = OrderedDict()
    measurements = []
    observables = OrderedDict()
    for r in rows:
        steady_c = condition(r["profile"], "", True)
        conditions[steady_c["conditionId"]] = steady_c
        obs_id = f"obs_{sbml_id(r['observable'])}"
        observables[obs_id] = {"observableId": obs_id, "observableName": r["observable"],
                               "observableFormula": sbml_id(r["observable"]),
                               "noiseFormula": f"noiseParameter1_{obs_id}", "noiseDistribution": "normal"}
        if r["time"] is None:
            measurements.append({"observableId": obs_id, "preequilibrationConditionId": "",
                                 "simulationConditionId": steady_c["conditionId"], "time": INF,
                                 "measurement": r["value"], "noiseParameters": r["sd"]})
        else:
            sim_c = condition(r["profile"], r["regimen"], False)
            conditions[sim_c["conditionId"]] = sim_c
            measurements.append({"observableId": obs_id, "preequilibrationConditionId": steady_c["conditionId"],
                                 "simulationConditionId": sim_c["conditionId"], "time": r["time"],
                                 "measurement": r["value"], "noiseParameters": r["sd"]})

    # parameters
    params = []
    base_values = model.resolve_parameters("healthy")
    for p in spec.parameters:
        if p.profile is None:
            pid, nominal = default_id(p.name), base_values[p.name]
        else:
            pid = f"{p.profile}__{sbml_id(p.name)}"
            nominal = model.resolve_parameters(p.profile)[p.name]
        params.append({"parameterId": pid, "parameterName": p.id, "parameterScale": "log10" if p.scale == "log" else "lin",
                       "lowerBound": p.lower, "upperBound": p.upper, "nominalValue": nominal, "estimate": 1})

    out.mkdir(parents=True, exist_ok=True)
    paths = {"sbml": out / "model.xml", "conditions": out / "conditions.tsv", "measurements": out / "measurements.tsv",
             "observables": out / "observables.tsv", "parameters": out / "parameters.tsv",
             "yaml": out / "problem.yaml", "readme": out / "README.md"}
    doc.checkInternalConsistency()
    if not libsbml.writeSBMLToFile(doc, str(paths["sbml"])):
        raise OSError(f"libsbml could not write {paths['sbml']}")
    cond_cols = ["conditionId", FORCING_ID] + [sbml_id(n) for n in override_cols] + count_cols
    _tsv(paths["conditions"], cond_cols, conditions.values())
    _tsv(paths["measurements"], ["observableId", "preequilibrationConditionId", "simulationConditionId", "time",
                                 "measurement", "noiseParameters"], measurements)
    _tsv(paths["observables"], ["observableId", "observableName", "observableFormula", "noiseFormula",
                                "noiseDistribution"], observables.values())
    _tsv(paths["parameters"], ["parameterId", "parameterName", "parameterScale", "lowerBound", "upperBound",
                               "nominalValue", "estimate"], params)
    paths["yaml"].write_text(
        "format_version: 1\nparameter_file: parameters.tsv\nproblems:\n"
        "- condition_files: [conditions.tsv]\n  measurement_files: [measurements.tsv]\n"
        "  observable_files: [observables.tsv]\n  sbml_files: [model.xml]\n")
    lines = [f"# PEtab export of an rlsmodel calibration problem (rlsmodel {__version__})", "",
             f"Spec: `{spec.path or '(inline)'}` (digest {spec.digest()}); hypothesis {spec.augmentation}, "
             f"DAT {spec.dat_hypothesis}. Written by `rlsmodel export petab`; semantics in "
             "`rlsmodel.export.petab`'s docstring.", "",
             f"Exported: {len(measurements)} measurements, {len(conditions)} conditions, "
             f"{len(params)} estimated parameters. Ledger species removed: {', '.join(ledgers) or 'none'}.", ""]
    if skipped:
        lines += ["Not exported (PEtab cannot express them; fit them with `rlsmodel calibrate`):", ""]
        lines += [f"- {s['label']}" for s in skipped]
    paths["readme"].write_text("\n".join(lines) + "\n")
    return paths


def _tsv(path, columns, rows):
    with open(path, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=columns, delimiter="\t", lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({c: _cell(r.get(c, "")) for c in columns})


def _cell(v):
    if isinstance(v, float):
        return INF if math.isinf(v) else repr(v)
    return v


__all__ = ["write_petab"]
