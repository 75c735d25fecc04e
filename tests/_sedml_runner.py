"""Run the master SED-ML file of a COMBINE archive with libroadrunner (used by test_omex.py).

Usage: ``python tests/_sedml_runner.py ARCHIVE.omex`` prints ``{data generator id: [values]}``
as JSON. It runs in its own process so that libroadrunner and python-libsedml (which bundles
its own libsbml) meet nothing else of the test session.
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
    json.dump(run_sedml(sys.argv[1]), sys.stdout)


if __name__ == "__main__":
    main()
