"""SED-ML: the flagship augmentation experiment as a simulation description any SED-ML tool can run.

The experiment (``rlsmodel run augmentation``, one drug): an RLS profile untreated for a
baseline, then a dopamine agonist at its reference dose every evening for years. The SED-ML
(Level 1 Version 4, python-libsedml) describes it over one SBML file
(:func:`rlsmodel.export.sbml.sbml_document` with the regimen's doses as events):

* model ``treated`` -- the SBML file as written;
* model ``untreated`` -- the same file with every dose event's count set to 0
  (``changeAttribute`` on ``dose_<k>_count``), so no dose is ever given;
* one uniform time course from day 0 to the end, sampled every ``sample_every_hours``, run with
  CVODE (KISAO:0000019) at the given tolerances;
* one task per model, a data generator per (task, readout), a report with every column and a
  plot of each readout over time, untreated against treated.

Times are in days, as in the SBML (``timeUnits="day"``).
"""
from __future__ import annotations

try:  # python-libsedml is an optional extra: ``pip install rlsmodel[sbml]``
    import libsedml
except ImportError:  # pragma: no cover - depends on the environment
    libsedml = None

SEDML_LEVEL, SEDML_VERSION = 1, 4
#: KiSAO term of CVODE (the integrator of libroadrunner, COPASI's LSODA alternative).
KISAO_CVODE = "KISAO:0000019"
KISAO_RELATIVE_TOLERANCE = "KISAO:0000209"
KISAO_ABSOLUTE_TOLERANCE = "KISAO:0000211"
_SBML_LANGUAGE = "urn:sedml:language:sbml.level-3.version-2"
_TIME_SYMBOL = "urn:sedml:symbol:time"


def require_libsedml():
    """Raise ImportError with the install command if python-libsedml is missing."""
    if libsedml is None:
        raise ImportError("SED-ML export needs python-libsedml: pip install 'rlsmodel[sbml]' "
                          "(or pip install python-libsedml)")


def _xpath(kind: str, sid: str) -> str:
    """XPath of the SBML ``species`` or ``parameter`` with id ``sid``."""
    plural = {"species": "listOfSpecies", "parameter": "listOfParameters"}[kind]
    return f"/sbml:sbml/sbml:model/sbml:{plural}/sbml:{kind}[@id='{sid}']"


def _ok(code, what):
    if code is not None and code != libsedml.LIBSEDML_OPERATION_SUCCESS:
        raise RuntimeError(f"libsedml failed setting {what}: {libsedml.OperationReturnValue_toString(code)}")


def flagship_sedml(sbml_source: str, days: float, dose_counts, readouts, *, sample_every_hours=6.0,
                   rtol=1e-8, atol=1e-10, title="") -> "libsedml.SedDocument":
    """The SED-ML document of the untreated-versus-treated experiment.

    Parameters
    ----------
    sbml_source
        location of the SBML file the models use (relative to the SED-ML file,
        e.g. ``"model.xml"`` inside a COMBINE archive).
    days
        simulated time, days (output from 0 to ``days``).
    dose_counts
        ids of the SBML parameters counting each dose event's jumps (set to 0 in
        the untreated model).
    readouts
        ``[(sbml_id, kind)]`` with kind ``"species"`` or ``"parameter"``: what the
        report and plots show.
    sample_every_hours
        output interval, hours (must divide ``days`` into whole steps).
    rtol, atol
        integrator tolerances (KiSAO 209, 211).
    title
        name of the document's report.
    """
    require_libsedml()
    steps = days * 24.0 / sample_every_hours
    if not (days > 0 and sample_every_hours > 0 and abs(steps - round(steps)) < 1e-9):
        raise ValueError(f"days ({days!r}) must be a whole number of sample_every_hours ({sample_every_hours!r})")
    doc = libsedml.SedDocument(SEDML_LEVEL, SEDML_VERSION)
    # the XPath targets use the prefix "sbml"
    _ok(doc.getNamespaces().add("http://www.sbml.org/sbml/level3/version2/core", "sbml"), "sbml namespace")

    treated = doc.createModel()
    treated.setId("treated")
    treated.setName("the agonist every evening from the end of the baseline")
    treated.setLanguage(_SBML_LANGUAGE)
    treated.setSource(sbml_source)
    untreated = doc.createModel()
    untreated.setId("untreated")
    untreated.setName("no doses (every dose event's count set to 0)")
    untreated.setLanguage(_SBML_LANGUAGE)
    untreated.setSource(sbml_source)
    for pid in dose_counts:
        change = untreated.createChangeAttribute()
        change.setTarget(_xpath("parameter", pid) + "/@value")
        change.setNewValue("0")

    sim = doc.createUniformTimeCourse()
    sim.setId("time_course")
    sim.setName(f"{days:g} days, output every {sample_every_hours:g} h")
    sim.setInitialTime(0.0)
    sim.setOutputStartTime(0.0)
    sim.setOutputEndTime(float(days))
    sim.setNumberOfSteps(int(round(steps)))
    alg = sim.createAlgorithm()
    alg.setKisaoID(KISAO_CVODE)
    for kisao, value in ((KISAO_RELATIVE_TOLERANCE, rtol), (KISAO_ABSOLUTE_TOLERANCE, atol)):
        par = alg.createAlgorithmParameter()
        par.setKisaoID(kisao)
        par.setValue(repr(float(value)))

    report = doc.createReport()
    report.setId("report")
    report.setName(title or "untreated versus treated")
    for arm in ("untreated", "treated"):
        task = doc.createTask()
        task.setId(f"task_{arm}")
        task.setModelReference(arm)
        task.setSimulationReference("time_course")
        columns = [("time", None, None)] + [(sid, kind, _xpath(kind, sid)) for sid, kind in readouts]
        for sid, kind, target in columns:
            dg = doc.createDataGenerator()
            dg.setId(f"{arm}_{sid}")
            dg.setName(f"{sid} ({arm})")
            var = dg.createVariable()
            var.setId(f"v_{arm}_{sid}")
            var.setTaskReference(f"task_{arm}")
            if target is None:
                var.setSymbol(_TIME_SYMBOL)
            else:
                var.setTarget(target)
            dg.setMath(libsedml.parseL3Formula(f"v_{arm}_{sid}"))
            ds = report.createDataSet()
            ds.setId(f"d_{arm}_{sid}")
            ds.setLabel(f"{sid} ({arm})")
            ds.setDataReference(f"{arm}_{sid}")

    for sid, _ in readouts:
        plot = doc.createPlot2D()
        plot.setId(f"plot_{sid}")
        plot.setName(f"{sid}: untreated versus treated")
        for arm in ("untreated", "treated"):
            curve = plot.createCurve()
            curve.setId(f"curve_{arm}_{sid}")
            curve.setName(arm)
            curve.setXDataReference(f"{arm}_time")
            curve.setYDataReference(f"{arm}_{sid}")
    return doc


def check(doc) -> None:
    """Raise ValueError if libsedml, reading ``doc`` back from its XML, reports an error, or a
    task, data generator or curve refers to an id the document does not define."""
    again = libsedml.readSedMLFromString(libsedml.writeSedMLToString(doc))
    errors = [again.getError(i).getMessage().strip() for i in range(again.getNumErrors())
              if again.getError(i).getSeverity() >= libsedml.LIBSEDML_SEV_ERROR]
    models = {again.getModel(i).getId() for i in range(again.getNumModels())}
    sims = {again.getSimulation(i).getId() for i in range(again.getNumSimulations())}
    tasks = {again.getTask(i).getId() for i in range(again.getNumTasks())}
    generators = {again.getDataGenerator(i).getId() for i in range(again.getNumDataGenerators())}
    for i in range(again.getNumTasks()):
        task = again.getTask(i)
        if task.getModelReference() not in models or task.getSimulationReference() not in sims:
            errors.append(f"task {task.getId()} refers to an undefined model or simulation")
    for i in range(again.getNumDataGenerators()):
        dg = again.getDataGenerator(i)
        for j in range(dg.getNumVariables()):
            if dg.getVariable(j).getTaskReference() not in tasks:
                errors.append(f"data generator {dg.getId()} refers to an undefined task")
    for i in range(again.getNumOutputs()):
        out = again.getOutput(i)
        refs = [out.getDataSet(j).getDataReference() for j in range(out.getNumDataSets())] \
            if hasattr(out, "getNumDataSets") else []
        if hasattr(out, "getNumCurves"):
            for j in range(out.getNumCurves()):
                refs += [out.getCurve(j).getXDataReference(), out.getCurve(j).getYDataReference()]
        errors += [f"output {out.getId()} refers to the undefined data generator {r}"
                   for r in refs if r not in generators]
    if errors:
        raise ValueError("libsedml reports errors in the SED-ML: " + "; ".join(errors[:5]))


__all__ = ["KISAO_CVODE", "SEDML_LEVEL", "SEDML_VERSION", "check", "flagship_sedml", "require_libsedml"]
