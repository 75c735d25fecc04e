"""Property-based fuzzing (hypothesis): parameter sets inside the declared ranges, regimens
and sweep specs. Every run either returns finite, non-negative states with iron conserved,
or fails with a documented error type (``rlsmodel.errors.DOCUMENTED_ERRORS``: ValueError
and its subclasses, IntegrationError) and a message; no other exception escapes.

Profiles: ``ci`` (default: a few short examples, ``derandomize=True`` and no example
database, so every CI run draws the same cases) and ``long`` (many more, random; select with
``RLSMODEL_FUZZ_PROFILE=long python -m pytest tests/test_fuzz.py``).
"""
from __future__ import annotations

import math
import os
import warnings

import numpy as np
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

import rlsmodel
from rlsmodel.errors import DOCUMENTED_ERRORS
from rlsmodel.pharmacology.drugs import DRUGS

settings.register_profile("ci", max_examples=20, deadline=None, derandomize=True, database=None,
                          print_blob=True, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
settings.register_profile("long", max_examples=200, deadline=None, derandomize=False,
                          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
PROFILE = settings.get_profile(os.environ.get("RLSMODEL_FUZZ_PROFILE", "ci"))

_MODEL = rlsmodel.Model()        # the compiled model is cached: the session fixture shares it
_PARAMS = {n: p for n, p in _MODEL.parameters.items() if p.range[0] < p.range[1]}


# -- strategies --------------------------------------------------------------------------------
@st.composite
def parameter_sets(draw, max_size=4):
    """1-``max_size`` parameters, each drawn inside its declared range (ends included)."""
    names = draw(st.lists(st.sampled_from(sorted(_PARAMS)), min_size=1, max_size=max_size, unique=True))
    out = {}
    for name in names:
        lo, hi = (float(v) for v in _PARAMS[name].range)
        out[name] = draw(st.one_of(st.sampled_from([lo, hi]),
                                   st.floats(lo, hi, allow_nan=False, allow_infinity=False)))
    return out


@st.composite
def regimens(draw, days):
    """A Regimen built from drawn arguments (some invalid on purpose: doses above the maximum,
    starts after the run), or the ValueError building it raised."""
    drug = draw(st.sampled_from(sorted(DRUGS)))
    limit = DRUGS[drug].max_daily_dose_mg
    dose = draw(st.one_of(st.floats(0.01 * limit, limit), st.floats(limit, 3 * limit)))
    hour = draw(st.one_of(st.sampled_from([0.0, 21.0]), st.floats(0.0, 23.99)))
    start = draw(st.integers(0, int(days) + 3))
    stop = draw(st.one_of(st.none(), st.integers(start + 1, start + 10)))
    once = draw(st.booleans())
    try:
        if once:
            return rlsmodel.Regimen.once(drug, dose, start, hour)
        return rlsmodel.Regimen.daily(drug, dose, hour, start_day=start, stop_day=stop)
    except ValueError as exc:
        return exc


def _scale(model):
    return np.maximum(np.abs([model.states[n].nominal for n in model.compiled.state_names]), 1e-3)


def _lower_bound(scale, values):
    """Solver noise below 0 allowed for a non-negative state. Since decision 52 this holds for the
    drug-pulse chain too: its drive is a smoothed positive part that is never negative (decision 50
    had to allow a floor of -0.001 there)."""
    return -1e-8 * max(scale, np.abs(values).max())


def check_run(model, ds):
    """The run's properties: finite, non-negative states, iron conserved through the ledgers."""
    for name in model.compiled.state_names:
        values = ds[name].values
        assert np.all(np.isfinite(values)), f"{name} is not finite"
        scale = _scale(model)[model.compiled.state_names.index(name)]
        assert values.min() >= _lower_bound(scale, values), f"{name} goes negative: {values.min():.3g}"
    for name, var in ds.data_vars.items():
        if var.dtype.kind == "f":
            assert np.all(np.isfinite(var.values)), f"{name} is not finite"
    total = ds["total_body_iron"].values
    ledger = ds["iron_intake_total"].values - ds["iron_loss_total"].values
    residual = np.max(np.abs((total - total[0]) - (ledger - ledger[0])))
    assert residual <= 1e-7 * total[0], f"iron not conserved: residual {residual:.3g} mg"


def documented(exc) -> None:
    """A failure must be a documented type with a message; anything else is re-raised."""
    if not isinstance(exc, DOCUMENTED_ERRORS):
        raise exc
    assert str(exc).strip(), f"{type(exc).__name__} without a message"


# -- properties --------------------------------------------------------------------------------
@settings(PROFILE)
@given(params=parameter_sets(), profile=st.sampled_from(sorted(rlsmodel.profiles.PROFILES)),
       days=st.floats(0.5, 8.0), dt=st.sampled_from([3.0, 6.0, 24.0]))
def test_parameter_sets_inside_the_ranges(model, params, profile, days, dt):
    """Values inside the declared ranges never warn, and the run is sound or a documented failure."""
    note(f"simulate({days}, {profile!r}, params={params!r}, sample_every_hours={dt})")
    with warnings.catch_warnings():
        warnings.simplefilter("error", rlsmodel.ParameterRangeWarning)
        try:
            ds = model.simulate(days, profile, params=params, sample_every_hours=dt)
        except Exception as exc:  # noqa: BLE001 - the property is about which exceptions escape
            documented(exc)
            return
    check_run(model, ds)
    assert ds.attrs["parameters_outside_range"] == "{}"


@settings(PROFILE)
@given(data=st.data(), days=st.integers(1, 10), params=st.one_of(st.none(), parameter_sets(2)))
def test_regimens(model, data, days, params):
    """Any regimen (valid or not, starting before or after the end of the run, any drug)."""
    regimen = data.draw(regimens(days))
    note(f"regimen = {regimen!r}, days = {days}, params = {params!r}")
    if isinstance(regimen, Exception):
        documented(regimen)
        return
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            ds = model.simulate(days, "rls_genetic", params=params, regimen=regimen, sample_every_hours=6.0)
        except Exception as exc:  # noqa: BLE001
            documented(exc)
            return
    check_run(model, ds)
    dosed = any(d <= days for s in regimen.schedules for d in [s.start_day + s.clock_hour / 24.0])
    told = [w for w in caught if issubclass(w.category, rlsmodel.RegimenWarning)]
    assert bool(told) == (not dosed), "a regimen without a dose in the run must warn, and only then"


@st.composite
def sweep_specs(draw):
    """A TOML sweep spec: mostly valid, sometimes with a wrong value in one field."""
    space = {}
    for name, values in draw(st.dictionaries(st.sampled_from(sorted(_PARAMS)), st.just(None),
                                              min_size=1, max_size=2)).items():
        lo, hi = (float(v) for v in _PARAMS[name].range)
        space[name] = draw(st.lists(st.floats(lo, hi), min_size=1, max_size=2, unique=True))
    spec = {"days": draw(st.sampled_from([1, 2, 1.5])), "sample_every_hours": 12.0,
            "outcomes": ["brain_iron_final", "serum_ferritin_final"]}
    if draw(st.booleans()):
        spec["profile"] = draw(st.sampled_from(sorted(rlsmodel.profiles.PROFILES)))
    regimen = None
    if draw(st.booleans()):
        drug = draw(st.sampled_from(["levodopa", "pramipexole", "ferric_carboxymaltose", "ferrous_sulfate"]))
        limit = DRUGS[drug].max_daily_dose_mg
        regimen = {"drug": drug, "clock_hour": draw(st.sampled_from([8.0, 21.0]))}
        doses = draw(st.lists(st.sampled_from([0.5 * limit, limit, 2.0 * limit]), min_size=1, max_size=2,
                              unique=True))
        space["dose_mg"] = doses
    broken = draw(st.sampled_from([None] * 8 + ["days", "outcomes", "space", "key", "coarse", "profile"]))
    # ~40%: one field wrong
    if broken == "days":
        spec["days"] = draw(st.sampled_from(["5", -1, 0]))
    elif broken == "outcomes":
        spec["outcomes"] = ["no_such_final"]
    elif broken == "space":
        space[next(iter(space))] = [-1.0e9]
    elif broken == "key":
        spec["colour"] = "blue"
    elif broken == "coarse":          # a daily outcome from 12-hourly samples: refused before any point
        spec["outcomes"] = spec["outcomes"] + ["symptom_mean_last_day"]
    elif broken == "profile":         # top-level profile and a swept one: refused, not silently overridden
        spec["profile"] = "healthy"
        space["profile"] = ["rls_genetic"]
    return spec, space, regimen


def _toml(spec, space, regimen) -> str:
    def value(v):
        if isinstance(v, str):
            return f'"{v}"'
        if isinstance(v, list):
            return "[" + ", ".join(value(x) for x in v) + "]"
        return repr(float(v)) if isinstance(v, float) else str(v)

    lines = [f"{k} = {value(v)}" for k, v in spec.items()]
    lines += ["[space]"] + [f"{k} = {value(v)}" for k, v in space.items()]
    if regimen:
        lines += ["[regimen]"] + [f"{k} = {value(v)}" for k, v in regimen.items()]
    return "\n".join(lines) + "\n"


@settings(PROFILE)
@given(case=sweep_specs())
def test_sweep_specs(tmp_path_factory, case):
    """A sweep from a TOML spec: every point ok (finite outcomes) or a recorded failure with
    its message, or the whole spec refused with a documented error before any work."""
    from rlsmodel.sweeps import run_spec
    spec, space, regimen = case
    text = _toml(spec, space, regimen)
    note(text)
    folder = tmp_path_factory.mktemp("fuzz")
    path = folder / "spec.toml"
    path.write_text(text)
    store = folder / "out.zarr"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            ds = run_spec(path, store)
        except Exception as exc:  # noqa: BLE001
            documented(exc)
            # refused before any work: no store, no parts, no lock left behind
            assert not store.exists() and not (folder / "out.zarr.parts").exists()
            assert not (folder / "out.zarr.lock").exists()
            return
    assert not (folder / "out.zarr.lock").exists() and not (folder / "out.zarr.parts").exists()
    status = ds["status"].values.ravel()
    assert status.size == math.prod(len(v) for v in space.values()) == ds.attrs["n_points"]
    for name in ("brain_iron_final", "serum_ferritin_final"):
        values = ds[name].values.ravel()
        ok = status == "ok"
        assert np.all(np.isfinite(values[ok])) and np.all(values[ok] >= 0)
        assert np.all(np.isnan(values[~ok]))
    assert all(s == "ok" or (s.startswith("failed: ") and len(s) > 10) for s in status)
    assert ds.attrs["n_failed"] == int(np.sum(status != "ok"))


# -- calibration specs and measurement CSVs -------------------------------------------------------
_FIT_NAMES = ("d2_iron_k", "da_synthesis_max", "diet_iron")
_CSV_COLUMNS = ("profile", "time", "observable", "value", "sd")


@st.composite
def measurement_csvs(draw):
    """A measurement CSV: mostly valid rows, sometimes one defect (duplicate column or row,
    an extra field, a bad number, an unknown name, a non-positive sd, a time beyond the limits)."""
    rows = []
    for _ in range(draw(st.integers(1, 3))):
        rows.append([draw(st.sampled_from(["healthy", "rls_genetic"])), draw(st.sampled_from(["steady", "1", "2.5"])),
                     draw(st.sampled_from(["d2_density", "serum_ferritin", "brain_iron"])),
                     f"{draw(st.floats(0.01, 500.0)):.4g}", f"{draw(st.floats(0.001, 10.0)):.3g}"])
    header = list(_CSV_COLUMNS)
    defect = draw(st.sampled_from([None] * 5 + ["dup_column", "dup_row", "extra", "number", "name", "sd", "time",
                                                "empty"]))
    if defect == "dup_column":
        header.append("sd")
        rows = [r + ["0.5"] for r in rows]
    elif defect == "dup_row":
        rows.append(list(rows[0]))
    elif defect == "extra":
        rows[0].append("7")
    elif defect == "number":
        rows[0][3] = draw(st.sampled_from(["abc", "nan", "inf", ""]))
    elif defect == "name":
        rows[0][2] = "d2_densty"
    elif defect == "sd":
        rows[0][4] = draw(st.sampled_from(["0", "-1"]))
    elif defect == "time":
        rows[0][1] = draw(st.sampled_from(["-1", "1e12"]))
    elif defect == "empty":
        rows = []
    comment = draw(st.sampled_from(["", "# a note\n"]))
    return comment + "\n".join(",".join(r) for r in [header] + rows) + "\n", defect


@settings(PROFILE)
@given(case=measurement_csvs())
def test_measurement_csvs(tmp_path_factory, case):
    """A measurement CSV is read into rows with finite values and positive sd, or refused
    with a documented error naming the file; a defective one is always refused."""
    from rlsmodel.calibration.targets import MeasurementTarget
    text, defect = case
    note(text)
    folder = tmp_path_factory.mktemp("csv")
    (folder / "m.csv").write_text(text)
    try:
        target = MeasurementTarget("m.csv", _MODEL, {}, base=folder)
    except Exception as exc:  # noqa: BLE001
        documented(exc)
        assert "m.csv" in str(exc)
        return
    assert defect is None, f"a CSV with defect {defect!r} was accepted"
    assert all(math.isfinite(r["value"]) and r["sd"] > 0 for r in target.data)
    assert len(target.data) == len(text.strip().splitlines()) - 1 - text.startswith("#")


@st.composite
def calibration_specs(draw):
    """A calibration spec with a function target: mostly valid, sometimes one wrong field."""
    names = draw(st.lists(st.sampled_from(_FIT_NAMES), min_size=1, max_size=2, unique=True))
    lines = []
    for name in names:
        lines += ["[[parameters]]", f'name = "{name}"']
        if draw(st.booleans()):
            lo, hi = (float(v) for v in _PARAMS[name].range)
            lines += [f"lower = {lo!r}", f"upper = {hi!r}"]
    lines += ["[[targets]]", 'kind = "function"', 'id = "k"', 'ref = "f.py:k"',
              f"value = {draw(st.floats(0.1, 2.0))!r}", "sd = 0.1"]
    options = {"starts": draw(st.integers(1, 3)),
               "optimizer": draw(st.sampled_from(["ls_trf", "L-BFGS-B", "nelder-mead", "Powell"]))}
    broken = draw(st.sampled_from([None] * 6 + ["optimizer", "starts", "name", "ref", "key", "toml"]))
    if broken == "optimizer":
        options["optimizer"] = draw(st.sampled_from(["Nelder-Mad", "ls_foo", "", "lbfgs"]))
    elif broken == "starts":
        options["starts"] = draw(st.sampled_from([0, -1, "3", 1.5]))
    elif broken == "name":
        lines[1] = 'name = "d2_iron_kk"'
    elif broken == "ref":
        lines = [line.replace('"f.py:k"', '"f.py:missing"') for line in lines]
    elif broken == "key":
        lines.append('colour = "blue"')
    lines += ["[options]"] + [f"{k} = {v!r}" if not isinstance(v, str) else f'{k} = "{v}"'
                              for k, v in options.items()]
    text = "\n".join(lines) + "\n"
    if broken == "toml":
        text = text.replace("[options]", "[options")
    return text, broken


@settings(PROFILE)
@given(case=calibration_specs())
def test_calibration_specs(tmp_path_factory, case):
    """A calibration spec loads (and its objective is finite at the first start), or is
    refused with a documented error before any fit; a spec with a wrong field is refused."""
    from rlsmodel.calibration import load_spec
    from rlsmodel.calibration.objective import CalibrationObjective, start_points
    text, broken = case
    note(text)
    folder = tmp_path_factory.mktemp("cal")
    (folder / "f.py").write_text("def k(model):\n    return model.resolve_parameters()['d2_iron_k']\n")
    (folder / "s.toml").write_text(text)
    try:
        spec = load_spec(folder / "s.toml")
    except Exception as exc:  # noqa: BLE001
        documented(exc)
        return
    assert broken is None, f"a spec with a wrong {broken!r} was accepted"
    x0 = start_points(spec)[0]
    assert np.all(np.isfinite(CalibrationObjective(spec).residuals(x0)))
