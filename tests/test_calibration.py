"""Calibration as code (issue 18): specs, residuals, recovery of known parameters,
identifiability, resume, prediction bands, docs regeneration and the PEtab export.

Synthetic data come from the model itself (parameters set as factors of their declared
defaults), so the tests follow model changes: nothing here hard-codes a model value.
"""
import json
from pathlib import Path

import numpy as np
import pytest

import rlsmodel
from conftest import roadrunner_answer
from rlsmodel.calibration import Band, bands_from, calibrate, load_spec, prediction_bands, write_docs_section
from rlsmodel.calibration.objective import CalibrationObjective
from rlsmodel.calibration.synthetic import write_synthetic_csv
from rlsmodel.calibration.targets import DAILY_OUTCOMES, range_residual

PROFILES = ("healthy", "rls_genetic", "rls_iron_deficient")
FACTORS = {"da_synthesis_max": 1.3, "d2_iron_k": 0.6}
SPEC = """
[[parameters]]
name = "da_synthesis_max"
[[parameters]]
name = "d2_iron_k"
[[targets]]
kind = "measurements"
file = "cohort.csv"
[options]
starts = 3
seed = 4
[sampling]
n = 300
seed = 1
[[predictions]]
name = "d2 density rls"
ref = "preds.py:d2_rls"
"""


@pytest.fixture(scope="module")
def model():
    return rlsmodel.Model()


@pytest.fixture(scope="module")
def truth(model):
    return {n: f * model.parameters[n].default for n, f in FACTORS.items()}


@pytest.fixture(scope="module")
def problem_dir(tmp_path_factory, model, truth):
    d = tmp_path_factory.mktemp("cohort")
    design = [{"profile": p, "time": "steady", "observable": o} for p in PROFILES
              for o in ("d2_density", "dopamine_extracellular")]
    write_synthetic_csv(d / "cohort.csv", design, truth, relative_sd=0.03, seed=11, model=model)
    (d / "spec.toml").write_text(SPEC)
    (d / "preds.py").write_text("def d2_rls(model):\n    return float(model.steady_state('rls_genetic')['d2_density'])\n")
    return d


@pytest.fixture(scope="module")
def fit(problem_dir):
    return calibrate(problem_dir / "spec.toml", problem_dir / "out", profiles=True, sample=True, progress=False)


# -- model defaults ----------------------------------------------------------------------------
def test_with_defaults_replaces_defaults_under_profiles(model):
    name = "d2_iron_k"
    new = 1.7 * model.parameters[name].default
    fitted = model.with_defaults({name: new}, {"rls_genetic": {"bbb_uptake_gain": 0.4}})
    assert fitted.parameters[name].default == new
    assert model.parameters[name].default != new                    # the original is unchanged
    assert fitted.resolve_parameters("rls_genetic")["bbb_uptake_gain"] == 0.4
    assert fitted.resolve_parameters("healthy")["bbb_uptake_gain"] == model.resolve_parameters("healthy")["bbb_uptake_gain"]
    assert fitted.resolve_parameters("rls_genetic", {name: 2.0})[name] == 2.0   # params= still win
    a = float(fitted.steady_state("rls_genetic")["d2_density"])
    b = float(model.steady_state("rls_genetic", params={name: new, "bbb_uptake_gain": 0.4})["d2_density"])
    assert a == pytest.approx(b, rel=1e-9)
    assert json.loads(fitted.simulate(0.5, "healthy").attrs["parameter_defaults"]) == {name: new}


def test_with_defaults_rejects_bad_names_and_values(model):
    with pytest.raises(ValueError, match="did you mean 'd2_iron_k'"):
        model.with_defaults({"d2_iron": 1.0})
    with pytest.raises(ValueError, match="must be > 0"):
        model.with_defaults({"d2_iron_k": -1.0})
    with pytest.raises(ValueError, match="unknown profile"):
        model.with_defaults(profile_overrides={"rls_genetc": {"d2_iron_k": 1.0}})


def test_sweep_workers_rebuild_a_calibrated_model(model):
    from rlsmodel.sweeps.runner import ModelKey, _MODELS, worker_model
    fitted = model.with_defaults({"d2_iron_k": 0.9}, {"rls_genetic": {"bbb_uptake_gain": 0.45}})
    key = ModelKey.of(fitted)
    assert key != ModelKey.of(model)
    _MODELS.pop(key, None)
    rebuilt = worker_model(key)                 # as a spawned or Dask worker would
    assert rebuilt is not fitted
    assert rebuilt.resolve_parameters("rls_genetic") == fitted.resolve_parameters("rls_genetic")


# -- residuals ---------------------------------------------------------------------------------
def test_range_residual_is_zero_inside_and_normalised_outside():
    assert range_residual(5.0, 4.0, 30.0) == 0.0
    assert range_residual(43.0, 4.0, 30.0) == pytest.approx(1.0)          # half-range 13
    assert range_residual(-9.0, 4.0, 30.0) == pytest.approx(-1.0)
    assert range_residual(-5.0, None, -10.0) == pytest.approx(0.5)        # one-sided: |bound|
    assert range_residual(-5.0, None, -10.0, scale=2.0) == pytest.approx(2.5)
    assert range_residual(0.5, None, 0.0) == pytest.approx(0.5)           # bound 0: scale 1
    assert range_residual(20.0, 10.0, 30.0, mode="centre") == 0.0
    assert range_residual(25.0, 10.0, 30.0, mode="centre") == pytest.approx(0.5)


def test_scorecard_and_function_targets_score_the_model(tmp_path, model):
    from rlsmodel import validation
    (tmp_path / "f.py").write_text("def dopamine(model, profile):\n"
                                   "    return float(model.steady_state(profile)['dopamine_extracellular'])\n")
    spec = load_spec(f"""
[[parameters]]
name = "da_synthesis_max"
[[targets]]
kind = "scorecard"
ids = ["N-dopamine", "P5"]
[[targets]]
kind = "function"
id = "dopamine"
ref = "{tmp_path / 'f.py'}:dopamine"
args = {{ profile = "healthy" }}
value = 10.0
sd = 2.0
""")
    obj = CalibrationObjective(spec)
    x = np.log10([model.parameters["da_synthesis_max"].default])
    rows = obj.rows(x)
    card = {r["id"]: r for r in validation.validate(model=model, targets=["N-dopamine", "P5"])}
    for r in rows[:2]:
        c = card[r["target"]]
        assert r["simulated"] == pytest.approx(c["value"], rel=1e-9)
        assert r["residual"] == pytest.approx(range_residual(c["value"], c["lo"], c["hi"]))
    da = float(model.steady_state("healthy")["dopamine_extracellular"])
    assert rows[2]["residual"] == pytest.approx((da - 10.0) / 2.0)
    assert obj.fval(x) == pytest.approx(0.5 * sum(r["residual"] ** 2 for r in rows))


@pytest.mark.parametrize("change, message", [
    (('name = "da_synthesis_max"', 'name = "da_synthesis"'), "did you mean 'da_synthesis_max'"),
    (('name = "d2_iron_k"', 'name = "rls_genetc.d2_iron_k"'), "unknown profile 'rls_genetc'"),
    (('kind = "measurements"', 'kind = "measurement"'), "did you mean 'measurements'"),
    (("starts = 3", "strats = 3"), "options.strats.*did you mean .starts."),
    (('[[parameters]]\nname = "d2_iron_k"', '[[parameters]]\nname = "d2_iron_k"\nscale = "logit"'), "scale"),
    (("seed = 4", 'seed = 4\nlong_horizon = "envelop"'), "long_horizon 'envelop' is unknown.*did you mean 'envelope'"),
])
def test_spec_errors_name_the_bad_value(problem_dir, change, message):
    text = SPEC.replace(*change)
    assert text != SPEC
    path = problem_dir / "bad.toml"
    path.write_text(text)
    with pytest.raises(ValueError, match=message):
        load_spec(path)


def test_long_horizon_option_gives_the_fitted_model_the_envelope(problem_dir, model):
    """``options.long_horizon = "envelope"`` runs every fitted model on cvode's envelope (5-year
    fits, issue 22 item 6); the default keeps the model's own solver settings."""
    exact = load_spec(problem_dir / "spec.toml")
    assert exact.options["long_horizon"] == "exact"
    defaults = {n: model.parameters[n].default for n in FACTORS}
    assert dict(exact.fitted_model(values=defaults).settings.engine_options).get("long_horizon") != "envelope"
    path = problem_dir / "envelope.toml"
    path.write_text(SPEC.replace("seed = 4", 'seed = 4\nlong_horizon = "envelope"'))
    spec = load_spec(path)
    fitted = spec.fitted_model(values=defaults)
    assert fitted.settings.engine == "cvode"
    assert dict(fitted.settings.engine_options)["long_horizon"] == "envelope"
    assert rlsmodel.Model.from_spec(fitted.spec).settings == fitted.settings   # what workers rebuild


def test_scorecard_target_errors():
    base = '[[parameters]]\nname = "d2_iron_k"\n[[targets]]\nkind = "scorecard"\n'
    with pytest.raises(ValueError, match="did you mean 'N-dopamine'"):
        load_spec(base + 'ids = ["N-dopamin"]\n')
    with pytest.raises(ValueError, match="not modelled"):
        load_spec(base + 'ids = ["A-CALDIR"]\n')
    with pytest.raises(ValueError, match="population rate"):
        load_spec(base + 'ids = ["A-rates"]\n')
    with pytest.raises(ValueError, match="no numeric range"):
        load_spec(base + 'ids = ["A-pramipexole"]\n')


@pytest.mark.parametrize("csv_text, message", [
    ("profile,time,observable,value,sd\nhealthy,steady,serum_feritin,100,5\n", "did you mean 'serum_ferritin'"),
    ("profile,time,observable,value,sd\nhealty,steady,serum_ferritin,100,5\n", "did you mean 'healthy'"),
    ("profile,tim,observable,value,sd\nhealthy,steady,serum_ferritin,100,5\n", "did you mean 'time'"),
    ("profile,regimen,time,observable,value,sd\nhealthy,pramipexol,3,d2_density,1,0.1\n", "unknown regimen"),
    ("profile,time,observable,value,sd\nhealthy,steady,serum_ferritin,100,0\n", "sd must be > 0"),
    ("profile,time,observable,value,sd\nhealthy,steady,irls,10,1\n", "no steady-state value"),
])
def test_measurement_csv_errors(tmp_path, csv_text, message):
    (tmp_path / "m.csv").write_text(csv_text)
    spec = ('[[parameters]]\nname = "d2_iron_k"\n[[targets]]\nkind = "measurements"\nfile = "m.csv"\n'
            '[regimens.pramipexole]\ndrug = "pramipexole"\ndose_mg = 0.25\nclock_hour = 21.0\n')
    (tmp_path / "s.toml").write_text(spec)
    with pytest.raises(ValueError, match=message):
        load_spec(tmp_path / "s.toml")


def test_daily_outcomes_list_matches_outcomes_daily(model):
    from rlsmodel import outcomes
    assert set(DAILY_OUTCOMES) == set(outcomes.daily(model.simulate(3, "healthy")).data_vars)


# -- the fit -----------------------------------------------------------------------------------
def test_recovers_known_parameters_within_their_intervals(fit, truth):
    assert int(fit["n_converged"]) >= 2                        # the multistart agrees on the optimum
    for name, value in truth.items():
        p = fit.sel(parameter=name)
        assert float(p["ci_lower"]) <= value <= float(p["ci_upper"]), name
        assert bool(p["identifiable"]), name
        assert float(p["ci_lower"]) < float(p["best"]) < float(p["ci_upper"])
        # the un-fitted default lies outside the interval: the data moved the parameter
        assert not float(p["ci_lower"]) <= float(p["default"]) <= float(p["ci_upper"]), name
    # 6 measurements with 3 % noise: the best objective is about half a chi-square with 4 dof
    assert float(fit["best_objective"]) < 10.0
    assert fit.sizes["residual"] == 6
    assert np.allclose(0.5 * np.sum(fit["residual_value"].values ** 2), float(fit["best_objective"]), rtol=1e-6)


def test_profiles_cross_the_threshold_and_samples_stay_inside(fit):
    thr = float(fit["profile_ratio"].attrs["threshold"])
    for name in fit["parameter"].values:
        r = fit["profile_ratio"].sel(parameter=name).values
        r = r[np.isfinite(r)]
        assert r.max() == pytest.approx(1.0, abs=1e-6)
        assert r[0] < thr and r[-1] < thr
    s = fit["samples"]
    assert s.sizes["sample"] > 5
    for name in fit["parameter"].values:
        v = s.sel(parameter=name).values
        p = fit.sel(parameter=name)
        assert np.all((v >= float(p["lower"])) & (v <= float(p["upper"])))
        assert float(p["ci_lower"]) <= np.median(v) <= float(p["ci_upper"])


def test_outputs_written_and_rerun_resumes(fit, problem_dir):
    out = problem_dir / "out"
    for f in ("calibration.nc", "waterfall.png", "residuals.csv", "profiles.png", "identifiability.md"):
        assert (out / f).is_file(), f
    starts = sorted((out / "parts").glob("start_*.json"))
    assert len(starts) == 3
    stamps = [p.stat().st_mtime_ns for p in starts]
    again = calibrate(problem_dir / "spec.toml", out, profiles=True, progress=False)
    assert [p.stat().st_mtime_ns for p in starts] == stamps            # loaded, not recomputed
    np.testing.assert_allclose(again["best"].values, fit["best"].values, rtol=1e-12)
    np.testing.assert_allclose(again["ci_lower"].values, fit["ci_lower"].values, rtol=1e-12)
    # a changed spec is refused in the same directory
    changed = problem_dir / "changed.toml"
    changed.write_text(SPEC.replace("seed = 4", "seed = 5"))
    with pytest.raises(ValueError, match="different"):
        calibrate(changed, out, progress=False)


def test_flat_parameter_is_reported_not_identifiable(tmp_path, problem_dir):
    # myelin turnover does not change any steady state: its profile stays flat
    spec = tmp_path / "flat.toml"
    spec.write_text(f'[[parameters]]\nname = "myelin_half_life"\n[[targets]]\nkind = "measurements"\n'
                    f'file = "{problem_dir / "cohort.csv"}"\n[options]\nstarts = 2\n')
    from rlsmodel.cli import main
    assert main(["calibrate", str(spec), "-o", str(tmp_path / "o"), "--profiles", "--workers", "2"]) == 0
    from rlsmodel.calibration import open_result
    ds = open_result(tmp_path / "o")
    p = ds.sel(parameter="myelin_half_life")
    assert str(p["identifiability"].values) == "not identifiable"
    assert not bool(p["identifiable"])
    assert float(p["ci_lower"]) == pytest.approx(float(p["lower"]), rel=1e-6)
    assert float(p["ci_upper"]) == pytest.approx(float(p["upper"]), rel=1e-6)


# -- prediction bands and docs -----------------------------------------------------------------
def test_prediction_bands_from_profiles_and_samples(fit, problem_dir):
    spec = load_spec(problem_dir / "spec.toml")
    for source in ("profiles", "samples"):
        b = prediction_bands(fit, spec, source=source, progress=False)
        v = b["prediction_values"].values[0]
        assert np.all(np.isfinite(v))
        lo, hi = float(b["prediction_lower"][0]), float(b["prediction_upper"][0])
        assert lo <= float(b["prediction_best"][0]) <= hi or source == "samples"
        assert lo < hi
        # each value is the prediction of the fitted model of its parameter set
        row = b["prediction_sets"].values[-1]
        m = spec.fitted_model(values=dict(zip(spec.ids, row)))
        assert v[-1] == pytest.approx(float(m.steady_state("rls_genetic")["d2_density"]), rel=1e-9)
    band = bands_from(b)["d2 density rls"]
    assert band.lower == pytest.approx(lo)


def test_band_formats_like_a_paper():
    assert Band("x", 0.072, 0.041, 0.110, percent=True).format() == "7.2% (4.1-11.0%)"
    assert Band("y", -5.72, -8.1, -3.04, unit="points").format() == "-5.7 points (-8.1 to -3.0 points)"
    from rlsmodel.trial import format_incidence
    assert format_incidence(0.072) == "7.2%"
    assert format_incidence(0.072, Band("x", 0.07, 0.041, 0.11, percent=True)) == "7.2% (4.1-11.0%)"
    assert format_incidence(0.072, (0.041, 0.11)) == "7.2% (4.1-11.0%)"


def test_docs_section_regenerated_between_markers(fit, tmp_path):
    page = tmp_path / "calibration.md"
    page.write_text("# Calibration\n\nHand-written text.\n")
    write_docs_section(fit, page, "cohort")
    write_docs_section(fit, page, "cohort")                 # twice: replaced, not duplicated
    text = page.read_text()
    assert text.startswith("# Calibration\n\nHand-written text.\n")
    assert text.count("<!-- calibration:cohort:begin -->") == 1
    assert "`da_synthesis_max`" in text and "identifiable" in text and "measurements:cohort.csv" in text
    best = float(fit["best"].sel(parameter="d2_iron_k"))
    assert f"{best:.3g}" in text


# -- PEtab ---------------------------------------------------------------------------------------
def test_petab_export_lints_and_matches_the_model(tmp_path, model, truth):
    petab = pytest.importorskip("petab.v1")
    pytest.importorskip("roadrunner")
    from rlsmodel import Regimen
    design = [{"profile": p, "time": "steady", "observable": "d2_density"} for p in ("healthy", "rls_genetic")]
    design += [{"profile": "rls_genetic", "regimen": "pramipexole", "time": t, "observable": "d2_density"}
               for t in (3, 6)]
    design += [{"profile": "rls_genetic", "regimen": "pramipexole", "time": 4, "observable": "irls"}]
    write_synthetic_csv(tmp_path / "m.csv", design, truth, relative_sd=0.05, seed=3, model=model,
                        regimens={"pramipexole": Regimen.daily("pramipexole", 0.25, 21.0)})
    (tmp_path / "s.toml").write_text(
        '[[parameters]]\nname = "da_synthesis_max"\n[[parameters]]\nname = "rls_genetic.bbb_uptake_gain"\n'
        '[[targets]]\nkind = "measurements"\nfile = "m.csv"\n[[targets]]\nkind = "scorecard"\nids = ["N-dopamine"]\n'
        '[regimens.pramipexole]\ndrug = "pramipexole"\ndose_mg = 0.25\nclock_hour = 21.0\n')
    from rlsmodel.cli import main
    assert main(["export", "petab", str(tmp_path / "petab"), "--spec", str(tmp_path / "s.toml")]) == 0
    problem = petab.Problem.from_yaml(tmp_path / "petab" / "problem.yaml")
    assert petab.lint_problem(problem) is False                      # False: no errors
    assert set(problem.parameter_df.index) == {"da_synthesis_max", "rls_genetic__bbb_uptake_gain"}
    assert len(problem.measurement_df) == 4                          # the daily outcome is left out
    readme = (tmp_path / "petab" / "README.md").read_text()
    assert "irls" in readme and "N-dopamine" in readme
    # the rls_genetic steady-state condition reproduces Model.steady_state in an independent simulator
    # (libroadrunner in this process: tests/conftest.py:roadrunner_answer)
    cond = problem.condition_df.loc["rls_genetic__steady"]
    nominal = problem.parameter_df["nominalValue"]
    settings = {k: float(nominal[v]) if isinstance(v, str) else float(v) for k, v in cond.items()}
    names = ["d2_density", "serum_ferritin", "brain_iron"]
    answer = roadrunner_answer(tmp_path / "petab" / "model.xml", "simulate", set=settings,
                               selections=["time"] + names, t0=0.0, t1=300 * 365.0, n=3)
    last = answer["result"][-1]
    ss = model.steady_state("rls_genetic")
    for name, value in zip(names, last[1:]):
        assert value == pytest.approx(float(ss[name]), rel=1e-5), name


def test_dask_client_gives_the_serial_fit(problem_dir):
    distributed = pytest.importorskip("distributed")
    spec = (SPEC.split("[[predictions]]")[0].replace('[[parameters]]\nname = "d2_iron_k"\n', "")
            .replace("starts = 3", "starts = 2").replace('file = "cohort.csv"', f'file = "{problem_dir / "cohort.csv"}"'))
    serial = calibrate(spec, progress=False)
    # one thread worker: the model's integrator is not made for concurrent threads
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        ds = calibrate(spec, client=client, progress=False)
    np.testing.assert_allclose(ds["x"].values, serial["x"].values, rtol=1e-12)
    np.testing.assert_allclose(ds["objective"].values, serial["objective"].values, rtol=1e-12)


SPECS = sorted((Path(__file__).resolve().parent.parent / "experiments" / "calibration").glob("*.toml"))


@pytest.mark.parametrize("path", SPECS, ids=[p.name for p in SPECS])
def test_every_committed_spec_loads(path):
    """Each committed calibration spec names parameters, targets and options the package has (a
    spec left naming a removed parameter or measure fails here, not in a user's fit)."""
    spec = load_spec(path)
    assert spec.parameters and spec.targets
    for p in spec.parameters:
        assert p.lower < p.upper, p.id
