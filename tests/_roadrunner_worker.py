"""Run libroadrunner in its own process (used by test_sbml.py).

libroadrunner bundles its own LLVM and SUNDIALS; loaded into a process that already holds
numba's LLVM and the SUNDIALS libraries of the cvode engine it can crash (seen as a
segfault in RoadRunner() when the whole suite runs in one process). The tests therefore
send it work as JSON on stdin and read the answer as JSON on stdout.

Request: {"sbml": path-or-xml, "set": {id: value}, "op": "rates" | "simulate" | "values",
          "selections": [...], "t0": float, "t1": float, "n": int, "ids": [...]}
     or {"op": "sedml", "omex": path}: run every task of the archive's master SED-ML file and
          answer {data generator id: [values]} (see run_sedml).
"""
import json
import re
import sys

import numpy as np
import roadrunner


_TARGET = re.compile(r"^/sbml:sbml/sbml:model/sbml:listOf(?:Species|Parameters)/sbml:(?:species|parameter)"
                     r"\[@id='([A-Za-z_][A-Za-z0-9_]*)'\](/@value)?$")
_KISAO_CVODE, _KISAO_RTOL, _KISAO_ATOL = "KISAO:0000019", "KISAO:0000209", "KISAO:0000211"


def _target_id(target, change=False):
    """The SBML id an XPath target names; only the forms rlsmodel's SED-ML writes are accepted."""
    m = _TARGET.match(target)
    if m is None or bool(m.group(2)) != change:
        raise SystemExit(f"unsupported SED-ML target {target!r}")
    return m.group(1)


def run_sedml(omex):
    """Execute the master SED-ML of the COMBINE archive ``omex`` with libroadrunner.

    The SED-ML is read with libsedml; only what rlsmodel writes is supported (SBML models
    with changeAttribute on a parameter's value, uniform time courses with CVODE and its
    tolerances, data generators over variables naming a species, a parameter or time), and
    anything else stops the worker. Returns {data generator id: values}.
    """
    import zipfile
    import xml.etree.ElementTree as ET
    import libsedml
    archive = zipfile.ZipFile(omex)
    manifest = ET.fromstring(archive.read("manifest.xml"))
    master = [c.get("location") for c in manifest if c.get("master") == "true"]
    if len(master) != 1:
        raise SystemExit(f"the manifest names {len(master)} master files")
    sed = libsedml.readSedMLFromString(archive.read(master[0].lstrip("./")).decode())
    if sed.getNumErrors(libsedml.LIBSEDML_SEV_ERROR):
        raise SystemExit(sed.getErrorLog().toString())
    results = {}
    for i in range(sed.getNumTasks()):
        task = sed.getTask(i)
        model = sed.getModel(task.getModelReference())
        sim = sed.getSimulation(task.getSimulationReference())
        if sim.getTypeCode() != libsedml.SEDML_SIMULATION_UNIFORMTIMECOURSE:
            raise SystemExit("only uniform time courses are supported")
        alg = sim.getAlgorithm()
        if alg.getKisaoID() != _KISAO_CVODE:
            raise SystemExit(f"unsupported algorithm {alg.getKisaoID()}")
        rr = roadrunner.RoadRunner(archive.read(model.getSource().lstrip("./")).decode())
        rr.integrator.maximum_num_steps = 1000000
        for j in range(alg.getNumAlgorithmParameters()):
            par = alg.getAlgorithmParameter(j)
            if par.getKisaoID() == _KISAO_RTOL:
                rr.integrator.relative_tolerance = float(par.getValue())
            elif par.getKisaoID() == _KISAO_ATOL:
                rr.integrator.absolute_tolerance = float(par.getValue())
        for j in range(model.getNumChanges()):
            change = model.getChange(j)
            if change.getTypeCode() != libsedml.SEDML_CHANGE_ATTRIBUTE:
                raise SystemExit("only changeAttribute is supported")
            rr[_target_id(change.getTarget(), change=True)] = float(change.getNewValue())
        columns = {}
        for k in range(sed.getNumDataGenerators()):
            dg = sed.getDataGenerator(k)
            for v in range(dg.getNumVariables()):
                var = dg.getVariable(v)
                if var.getTaskReference() == task.getId():
                    columns[var.getId()] = "time" if var.isSetSymbol() else _target_id(var.getTarget())
        if sim.getInitialTime() != sim.getOutputStartTime():
            raise SystemExit("output must start at the initial time")
        selections = sorted(set(columns.values()), key=lambda c: (c != "time", c))
        rr.timeCourseSelections = selections
        out = np.asarray(rr.simulate(sim.getInitialTime(), sim.getOutputEndTime(), sim.getNumberOfSteps() + 1))
        values = {var_id: out[:, selections.index(col)] for var_id, col in columns.items()}
        for k in range(sed.getNumDataGenerators()):
            dg = sed.getDataGenerator(k)
            ids = [dg.getVariable(v).getId() for v in range(dg.getNumVariables())]
            if ids and all(x in values for x in ids):
                formula = libsedml.formulaToL3String(dg.getMath())
                results[dg.getId()] = eval(formula, {"__builtins__": {}}, {x: values[x] for x in ids}).tolist()
    return results


def main():
    req = json.load(sys.stdin)
    if req["op"] == "sedml":
        json.dump(run_sedml(req["omex"]), sys.stdout)
        return
    rr = roadrunner.RoadRunner(req["sbml"])
    rr.integrator.relative_tolerance = 1e-8
    rr.integrator.absolute_tolerance = 1e-10
    rr.integrator.maximum_num_steps = 100000
    for key, value in req.get("set", {}).items():
        rr[key] = value
    op = req["op"]
    if op == "rates":
        out = {"ids": list(rr.model.getFloatingSpeciesIds()), "rates": list(map(float, rr.getRatesOfChange()))}
    elif op == "simulate":
        rr.timeCourseSelections = req["selections"]
        out = {"result": np.asarray(rr.simulate(req["t0"], req["t1"], req["n"])).tolist()}
    elif op == "values":
        out = {"values": [float(rr[i]) for i in req["ids"]]}
    else:
        raise SystemExit(f"unknown op {op!r}")
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
