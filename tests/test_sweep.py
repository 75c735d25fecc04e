"""The sweep harness: grids, samplers, chunking, workers, Dask, resumable stores, TOML specs."""
from __future__ import annotations

import json
import math

import numpy as np
import pytest
import xarray as xr

import rlsmodel
from rlsmodel import samplers
from rlsmodel.sweeps import run_spec, sweep
from rlsmodel.sweeps.spec import load_spec, regimen_class

DAYS = 5
FAST = {"days": DAYS, "sample_every_hours": 3.0}   # 3 h: the _last_day outcomes need it
GRID = {"diet_iron": [8.0, 15.0], "bbb_uptake_gain": [0.5, 1.0, 2.0]}
FEW = ["serum_ferritin_final", "brain_iron_final", "d2_density_final", "symptom_max_last_day"]


@pytest.fixture(scope="module")
def serial(model):
    """The reference: the 2 x 3 grid, serial, one chunk, in memory."""
    return sweep(GRID, model=model, outcomes=FEW, **FAST)


# -- grids and samplers ----------------------------------------------------------------
def test_grid_has_one_dimension_per_name_with_values_as_coordinates(serial, model):
    assert serial["serum_ferritin_final"].dims == ("diet_iron", "bbb_uptake_gain")
    assert serial["diet_iron"].values.tolist() == [8.0, 15.0]
    assert serial["bbb_uptake_gain"].values.tolist() == [0.5, 1.0, 2.0]
    assert serial["diet_iron"].attrs["units"] == "mg/day"
    assert serial["serum_ferritin_final"].attrs["units"] == model.observables["serum_ferritin"].unit
    assert (serial["status"] == "ok").all()
    direct = model.simulate(DAYS, params={"diet_iron": 8.0, "bbb_uptake_gain": 2.0}, sample_every_hours=3.0)
    assert serial["brain_iron_final"].sel(diet_iron=8.0, bbb_uptake_gain=2.0) == direct["brain_iron"].values[-1]
    # more BBB uptake capacity, more brain iron
    assert (serial["brain_iron_final"].diff("bbb_uptake_gain") > 0).all()


def test_rlsmodel_sweep_is_callable_and_lazy(model, serial):
    """``rlsmodel.sweep(...)`` runs the sweep (the package is callable) and gives the same
    result as the function; importing rlsmodel does not import the sweep machinery."""
    import subprocess
    import sys
    called = rlsmodel.sweep(GRID, model=model, outcomes=FEW, **FAST)
    assert called.drop_attrs().identical(serial.drop_attrs())
    assert rlsmodel.samplers is samplers
    code = ("import sys, rlsmodel; print([m for m in ('rlsmodel.sweeps', 'rlsmodel.samplers', 'rlsmodel.populations') "
            "if m in sys.modules])")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120).stdout.strip() == "[]"


@pytest.mark.parametrize("draw", [samplers.latin_hypercube, samplers.sobol])
def test_samplers_reproducible_and_inside_ranges(draw, model):
    ranges = {"diet_iron": (5.0, 30.0), "k_hif": (2.0, 50.0)}
    a, b, c = draw(ranges, 16, seed=3), draw(ranges, 16, seed=3), draw(ranges, 16, seed=4)
    assert a == b and np.array_equal(a.values, b.values)
    assert not np.array_equal(a.values, c.values)
    assert a.values.shape == (16, 2) and a.names == ("diet_iron", "k_hif") and a.seed == 3
    assert np.all((a.values >= [5.0, 2.0]) & (a.values <= [30.0, 50.0]))
    with pytest.raises(ValueError):
        a.values[0, 0] = 1.0                       # immutable
    table = draw(["diet_iron"], 8, seed=1, model=model)   # tabulated range
    assert table.ranges == (tuple(model.parameters["diet_iron"].range),)


def test_latin_hypercube_fills_every_stratum():
    s = samplers.latin_hypercube({"diet_iron": (0.0, 10.0)}, 10, seed=0)
    assert sorted(np.floor(s.values[:, 0]).astype(int).tolist()) == list(range(10))


def test_sampler_bad_input(model):
    with pytest.raises(ValueError, match="inverted"):
        samplers.sobol({"diet_iron": (30.0, 5.0)}, 8, seed=0)
    with pytest.raises(ValueError, match="n .*>= 1"):
        samplers.latin_hypercube({"diet_iron": (5.0, 30.0)}, 0, seed=0)
    with pytest.raises(ValueError, match="unknown parameter 'diet_irn'.*diet_iron"):
        samplers.latin_hypercube(["diet_irn"], 4, seed=0, model=model)
    with pytest.raises(ValueError, match="seed"):
        samplers.sobol({"diet_iron": (5.0, 30.0)}, 8, seed=-1)


def test_sample_space_gives_a_sample_dimension(model):
    s = samplers.latin_hypercube({"diet_iron": (5.0, 30.0), "bbb_uptake_gain": (0.5, 2.0)}, 3, seed=7)
    ds = sweep(s, model=model, outcomes=["brain_iron_final"], **FAST)
    assert ds["brain_iron_final"].dims == ("sample",)
    np.testing.assert_array_equal(ds["diet_iron"].values, s.values[:, 0])
    assert ds["bbb_uptake_gain"].dims == ("sample",)
    assert ds.attrs["sampler"] == "latin_hypercube" and ds.attrs["sampler_seed"] == 7


# -- identical whatever the execution -------------------------------------------------------
def test_chunked_equals_single(serial, model):
    xr.testing.assert_identical(sweep(GRID, model=model, outcomes=FEW, chunk_size=1, **FAST), serial)
    xr.testing.assert_identical(sweep(GRID, model=model, outcomes=FEW, chunk_size=4, **FAST), serial)


def test_two_worker_processes_equal_serial(serial, model):
    xr.testing.assert_identical(sweep(GRID, model=model, outcomes=FEW, workers=2, chunk_size=2, **FAST),
                                serial)


def test_local_dask_cluster_equals_serial(serial, model):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        ds = sweep(GRID, model=model, outcomes=FEW, client=client, chunk_size=2, **FAST)
    xr.testing.assert_identical(ds, serial)


# -- failures are values -------------------------------------------------------------------
def test_a_failing_point_is_recorded_and_the_rest_completes(serial, model):
    def fragile(ds):
        """Final brain iron, except that it refuses one point."""
        params = json.loads(ds.attrs["parameter_overrides"])
        if params == {"diet_iron": 8.0, "bbb_uptake_gain": 0.5}:
            raise ValueError("deliberate failure")
        return float(ds["brain_iron"].values[-1])

    ds = sweep(GRID, model=model, outcomes={"brain_iron_end": fragile}, chunk_size=2, **FAST)
    bad = ds.sel(diet_iron=8.0, bbb_uptake_gain=0.5)
    assert str(bad["status"].values) == "failed: ValueError: deliberate failure"
    assert math.isnan(float(bad["brain_iron_end"]))
    ok = ds["status"] == "ok"
    assert int(ok.sum()) == 5 and ds.attrs["n_failed"] == 1
    np.testing.assert_array_equal(ds["brain_iron_end"].where(ok).values,
                                  serial["brain_iron_final"].where(ok).values)


def test_an_integrator_failure_is_recorded(model):
    class Blowup:
        """A regimen that adds an absurd amount to a state: the integrator gives up. (An 'add',
        not a 'set': since issue 17 a 'set' on an in-body iron state is refused before the
        integrator runs, because no ledger could count the iron it creates.)"""

        def events(self, model, days, params):
            return [(0.5, model.compiled.state_names.index("fe_plasma"), 1e300, "add")]

        def describe(self):
            return "blow-up test regimen"

    ds = sweep({"diet_iron": [15.0]}, model=model, outcomes=["brain_iron_final"], regimen=Blowup(), **FAST)
    status = str(ds["status"].values[0])
    assert status.startswith("failed: ") and math.isnan(float(ds["brain_iron_final"][0]))
    assert "ValueError" not in status          # the integrator's own words, not an input check


# -- resumable stores ------------------------------------------------------------------------
class _InterruptOnce:
    """An outcome that raises KeyboardInterrupt at one point while ``armed``.

    Sweeps send workers a pickled copy of their outcomes, so calls are counted on the class.
    """

    calls = 0

    def __init__(self, diet_iron):
        self.diet_iron, self.armed = diet_iron, True

    def __call__(self, ds):
        type(self).calls += 1
        params = json.loads(ds.attrs["parameter_overrides"])
        if self.armed and params["diet_iron"] == self.diet_iron:
            raise KeyboardInterrupt
        return float(ds["serum_ferritin"].values[-1])


@pytest.mark.parametrize("suffix", [".zarr", ".nc"])
def test_resume_after_interruption_is_identical(tmp_path, model, suffix):
    space = {"diet_iron": [6.0, 8.0, 12.0, 15.0]}
    reference = sweep(space, model=model, outcomes={"ferritin": _InterruptOnce(None)},
                      store=tmp_path / f"ref{suffix}", chunk_size=2, **FAST)
    outcome = _InterruptOnce(12.0)
    store = tmp_path / f"run{suffix}"
    with pytest.raises(KeyboardInterrupt):
        sweep(space, model=model, outcomes={"ferritin": outcome}, store=store, chunk_size=2, **FAST)
    assert not store.exists() and len(list((tmp_path / f"run{suffix}.parts").glob("part_*.nc"))) == 1
    outcome.armed, _InterruptOnce.calls = False, 0
    resumed = sweep(space, model=model, outcomes={"ferritin": outcome}, store=store, chunk_size=3, **FAST)
    assert _InterruptOnce.calls == 2                      # only the missing points were computed
    xr.testing.assert_identical(resumed, reference)
    again = sweep(space, model=model, outcomes={"ferritin": outcome}, store=store, **FAST)
    assert _InterruptOnce.calls == 2                      # a finished store is read, not recomputed
    xr.testing.assert_identical(again, reference)
    if suffix == ".zarr":                          # in memory, no store: the same dataset
        xr.testing.assert_identical(sweep(space, model=model, outcomes={"ferritin": outcome}, **FAST), reference)


def test_store_refuses_another_configuration(tmp_path, model):
    store = tmp_path / "s.zarr"
    sweep({"diet_iron": [8.0]}, model=model, outcomes=["brain_iron_final"], store=store, **FAST)
    with pytest.raises(ValueError, match=r"different sweep configuration(.|\n)*days: store has 5.0, this call has 6.0"):
        sweep({"diet_iron": [8.0]}, model=model, outcomes=["brain_iron_final"], store=store,
              days=6, sample_every_hours=6.0)
    with pytest.raises(ValueError, match="(.|\n)*space"):
        sweep({"diet_iron": [9.0]}, model=model, outcomes=["brain_iron_final"], store=store, **FAST)
    with pytest.raises(ValueError, match="(.|\n)*outcomes"):
        sweep({"diet_iron": [8.0]}, model=model, outcomes=["myelin_final"], store=store, **FAST)


# -- regimens and trajectories -------------------------------------------------------------
def test_regimen_factory_sweeps_dose(model):
    Regimen = regimen_class()
    assert Regimen is rlsmodel.Regimen

    def pramipexole(point):
        return Regimen.daily("pramipexole", point["dose_mg"], 21.0)

    ds = sweep({"dose_mg": [0.125, 0.5]}, model=model, regimen=pramipexole,
               outcomes=["d2_density_final"], **FAST)
    assert (ds["status"] == "ok").all()
    assert ds["d2_density_final"].sel(dose_mg=0.5) < ds["d2_density_final"].sel(dose_mg=0.125)
    assert "pramipexole" in ds.attrs["regimen"]


def test_keep_trajectories_adds_time(model):
    ds = sweep({"profile": ["healthy", "rls_genetic"]}, model=model, outcomes=["myelin_final"],
               keep="trajectories", **FAST)
    assert ds["myelin"].dims == ("profile", "time") and ds["time"].attrs["units"] == "day"
    np.testing.assert_array_equal(ds["myelin"].isel(time=-1).values, ds["myelin_final"].values)
    assert ds["profile"].values.tolist() == ["healthy", "rls_genetic"]


def test_daily_clinical_readouts_as_outcomes(model):
    ds = sweep({"profile": ["healthy", "rls_iron_deficient"]}, model=model, days=3,
               outcomes=["irls_last_symptom_day", "peak_last_symptom_day"])
    assert (ds["status"] == "ok").all() and ds["irls_last_symptom_day"].attrs["units"] == "1"
    irls = ds["irls_last_symptom_day"]
    assert irls.sel(profile="rls_iron_deficient") > irls.sel(profile="healthy")


# -- bad input, before any work ---------------------------------------------------------------
@pytest.mark.parametrize("space, message", [
    ({}, "space is empty"),
    ({"diet_iron": []}, r"space\['diet_iron'\] is empty"),
    ({"diet_irn": [1.0]}, "unknown name 'diet_irn'.*diet_iron"),
    ({"diet_iron": [-1.0]}, "diet_iron.*>= 0"),
    ({"absorption_max_fraction": [1.5]}, "absorption_max_fraction.*0, 1"),
    ({"profile": ["helthy"]}, "unknown profile 'helthy'"),
    ({"dose_mg": [0.25]}, "regimen fields can be swept only with regimen=callable"),
    ({"diet_iron": [8.0, 8.0]}, "repeats the value"),
    ([1, 2], "space must be a dict"),
])
def test_bad_space_fails_before_any_work(tmp_path, model, space, message):
    store = tmp_path / "never.zarr"
    with pytest.raises(ValueError, match=message):
        sweep(space, model=model, store=store, **FAST)
    assert not store.exists() and not (tmp_path / "never.zarr.parts").exists()


@pytest.mark.parametrize("kwargs, message", [
    ({"days": 0}, "days"),
    ({"store": "x.csv"}, "store must be a path ending"),
    ({"keep": "everything"}, "keep"),
    ({"outcomes": ["nonsense_final"]}, "unknown outcome 'nonsense_final'"),
    ({"outcomes": {"diet_iron": lambda ds: 1.0}}, "clashes"),
    ({"workers": 0}, "workers"),
])
def test_bad_arguments_fail_before_any_work(model, kwargs, message):
    args = {**FAST, **kwargs}
    with pytest.raises(ValueError, match=message):
        sweep({"diet_iron": [8.0]}, model=model, **args)


# -- TOML specs ---------------------------------------------------------------------------------
SPEC = """
days = 5
profile = "healthy"
mechanism = "d2_tolerance"
sample_every_hours = 6.0
outcomes = ["serum_ferritin_final", "brain_iron_final"]

[space]
diet_iron = [8.0, 15.0]
"""


def test_run_spec_writes_a_readable_store_with_units_and_provenance(tmp_path, model):
    spec = tmp_path / "spec.toml"
    spec.write_text(SPEC)
    out = tmp_path / "out.zarr"
    ds = run_spec(spec, out)
    stored = xr.open_zarr(out)
    assert stored["serum_ferritin_final"].attrs["units"] == model.observables["serum_ferritin"].unit
    assert stored["diet_iron"].attrs["units"] == "mg/day"
    for key in ("rlsmodel_version", "model_structure", "augmentation_mechanism", "sweep_fingerprint"):
        assert key in stored.attrs
    assert stored.attrs["model_structure"] == model.compiled.structure_hash
    np.testing.assert_array_equal(stored["brain_iron_final"].values, ds["brain_iron_final"].values)


def test_example_spec_parses():
    kwargs = load_spec("experiments/sweep_example.toml")
    assert kwargs["days"] == 30 and set(kwargs["space"]) and kwargs["store"].endswith(".zarr")
    assert math.prod(len(v) for v in kwargs["space"].values()) == 6


def test_spec_with_sampler(tmp_path):
    spec = tmp_path / "s.toml"
    spec.write_text('days = 5\n[space.sampler]\nmethod = "sobol"\nn = 4\nseed = 2\n'
                    'ranges = { diet_iron = [5.0, 30.0] }\n')
    kwargs = load_spec(spec)
    assert kwargs["space"][1] == {"method": "sobol", "n": 4, "seed": 2, "ranges": {"diet_iron": [5.0, 30.0]}}


@pytest.mark.parametrize("text, message", [
    ("colour = 'blue'\n" + SPEC, "unknown key 'colour'"),
    (SPEC.replace("days = 5", "dayz = 5"), "unknown key 'dayz'.*days"),
    (SPEC.replace("[space]", "[space.sampler]\nmethod = 'sobol'\nn = 4\nseeds = 1\n[other]"), "unknown key 'other'"),
    ('days = 5\n[space.sampler]\nmethod = "sobol"\nn = 4\nseeds = 1\n', "unknown key 'space.sampler.seeds'"),
    (SPEC + "[regimen]\ndrug = 'pramipexole'\ndose = 0.25\n", "unknown key 'regimen.dose'"),
    ("days = 5\nspace = [", "not valid TOML"),
    ('days = "five"\n[space]\ndiet_iron = [8.0]\n', "days must be a number"),
    ("days = 5\n", "missing required key 'space'"),
    ('days = 5\n[space]\ndiet_iron = 8.0\n', r"space.diet_iron must be a list"),
])
def test_bad_specs_name_the_field(tmp_path, text, message):
    spec = tmp_path / "bad.toml"
    spec.write_text(text)
    with pytest.raises(ValueError, match=message):
        load_spec(spec)


# -- nothing silent (issue 17) ------------------------------------------------------------------
def test_out_of_range_values_warn_once_per_sweep_and_are_recorded(model):
    import warnings
    lo, hi = model.parameters["diet_iron"].range
    below, above = lo / 2, hi * 2                          # one value below, one above the range
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ds = sweep({"diet_iron": [below, 15.0, above], "bbb_uptake_gain": [0.5, 1.0]}, model=model,
                   outcomes=["brain_iron_final"], chunk_size=1, **FAST)
    flagged = [w for w in caught if issubclass(w.category, rlsmodel.ParameterRangeWarning)]
    assert len(flagged) == 1, [str(w.message) for w in flagged]          # once, not once per point
    msg = str(flagged[0].message)
    assert (f"diet_iron at 4 of 6 points (values {below:g} to {above:g} mg/day; declared range "
            f"{lo:g}-{hi:g} mg/day)") in msg
    assert json.loads(ds.attrs["parameters_outside_range"]) == {
        "diet_iron": {"range": [lo, hi], "unit": "mg/day", "n_points": 4, "min": below, "max": above}}
    assert (ds["status"] == "ok").all()


def test_a_regimen_invalid_for_one_swept_point_is_that_points_failure(model):
    """A dose above the documented maximum for one value of a swept dose: that point is a
    recorded failure with the regimen's message; the others run (docs/sweeps.md)."""
    Regimen = regimen_class()

    def levodopa(point):
        return Regimen.daily("levodopa", point["dose_mg"], 21.0)

    with pytest.warns(rlsmodel.RegimenWarning, match=r"invalid for 1 of 3 .*\{'dose_mg': 300.0\}.*200 mg"):
        ds = sweep({"dose_mg": [50.0, 100.0, 300.0]}, model=model, regimen=levodopa,
                   outcomes=["d2_density_final"], **FAST)
    bad = str(ds["status"].sel(dose_mg=300.0).values)
    assert bad.startswith("failed: ValueError: levodopa: 300 mg on day 0 exceeds the documented maximum")
    assert (ds["status"].sel(dose_mg=[50.0, 100.0]) == "ok").all() and ds.attrs["n_failed"] == 1
    # a factory that fails for every swept combination stops before any work
    with pytest.raises(ValueError, match="failed for every swept combination"):
        sweep({"dose_mg": [300.0, 400.0]}, model=model, regimen=levodopa, outcomes=["d2_density_final"], **FAST)


def test_a_regimen_starting_after_the_run_warns_once_in_a_sweep(model):
    import warnings
    late = regimen_class().daily("pramipexole", 0.25, 21.0, start_day=30)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sweep({"diet_iron": [8.0, 15.0]}, model=model, regimen=late, outcomes=["brain_iron_final"],
              chunk_size=1, **FAST)
    told = [str(w.message) for w in caught if issubclass(w.category, rlsmodel.RegimenWarning)]
    assert len(told) == 1 and "no dose in this 5-day run" in told[0] and "day 30" in told[0]


def test_a_changed_space_is_explained_by_names_and_values(tmp_path, model):
    store = tmp_path / "s.zarr"
    sweep({"diet_iron": [8.0, 15.0]}, model=model, outcomes=["brain_iron_final"], store=store, **FAST)
    with pytest.raises(ValueError) as err:
        sweep({"diet_iron": [8.0, 20.0], "k_d2": [0.2]}, model=model, outcomes=["brain_iron_final"],
              store=store, **FAST)
    msg = str(err.value)
    assert "diet_iron: store has [8.0, 15.0], this call has [8.0, 20.0] (added [20.0]; removed [15.0])" in msg
    assert "k_d2 is swept in this call ([0.2]), not in the store" in msg
    s = samplers.sobol({"diet_iron": (5.0, 30.0)}, 4, seed=1)
    store2 = tmp_path / "t.zarr"
    sweep(s, model=model, outcomes=["brain_iron_final"], store=store2, **FAST)
    with pytest.raises(ValueError, match=r"space: seed: store has 1, this call has 2"):
        sweep(samplers.sobol({"diet_iron": (5.0, 30.0)}, 4, seed=2), model=model, outcomes=["brain_iron_final"],
              store=store2, **FAST)
