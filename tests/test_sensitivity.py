"""Global sensitivity (Sobol', Morris) on the sweep harness, its figure, TOML specs and CLI.

The physiological check: serum ferritin reflects body iron stores, set by the balance of
dietary absorption and losses; D2 receptor turnover (``k_d2``) acts downstream of brain
iron and cannot move it. Every run starts from the limit cycle of its own parameters, so
after 30 days ferritin is at that parameter set's balance. Sobol' must therefore give
``diet_iron`` and ``blood_loss`` large total-order indices and ``k_d2`` about zero, and
Morris must rank them the same way (with the physiological signs).
"""
from __future__ import annotations

import json

import numpy as np
import pytest
import xarray as xr

pytest.importorskip("SALib", reason="SALib is the sensitivity extra: pip install 'rlsmodel[sensitivity]'")

from rlsmodel import cli, samplers, sensitivity  # noqa: E402

OUTCOME = "serum_ferritin_final"
PARAMS = ["diet_iron", "blood_loss", "k_d2"]
FAST = {"days": 30, "sample_every_hours": 24.0}


@pytest.fixture(scope="module")
def sobol_result(model, tmp_path_factory):
    """Sobol' with N = 8 (40 runs), its model runs kept in a resumable store."""
    store = tmp_path_factory.mktemp("sens") / "runs.nc"
    res = sensitivity.sobol(OUTCOME, PARAMS, n=8, seed=3, model=model, store=store, **FAST)
    return res, store


@pytest.fixture(scope="module")
def morris_result(model):
    return sensitivity.morris(OUTCOME, PARAMS, trajectories=4, levels=4, seed=5, model=model, **FAST)


# -- Sobol' ----------------------------------------------------------------------------
def test_sobol_iron_parameters_dominate_ferritin_and_d2_turnover_does_not(sobol_result):
    res, _ = sobol_result
    st = res["ST"].to_series()
    # N = 8 is a coarse estimate (N = 64 gives ST about 0.9 blood_loss, 0.4 diet_iron,
    # 2e-5 k_d2); the separation, not the values, is the claim
    assert st["diet_iron"] > 0.05 and st["blood_loss"] > 0.05, st
    assert st["k_d2"] < 1e-3 and st["k_d2"] < 0.01 * min(st["diet_iron"], st["blood_loss"]), st
    assert abs(float(res["S1"].sel(parameter="k_d2"))) < 0.02
    assert sensitivity.ranking(res)[-1] == "k_d2"
    assert set(sensitivity.ranking(res)[:2]) == {"diet_iron", "blood_loss"}


def test_sobol_result_is_labelled_with_provenance(sobol_result, model):
    res, _ = sobol_result
    assert res["parameter"].values.tolist() == PARAMS
    for var in ("S1", "S1_conf", "ST", "ST_conf"):
        assert res[var].dims == ("parameter",) and res[var].attrs["units"] == "1"
        assert np.all(np.isfinite(res[var].values))
    assert (res["ST_conf"] >= 0).all()
    assert res["units"].sel(parameter="diet_iron") == model.parameters["diet_iron"].unit
    assert res["low"].sel(parameter="blood_loss") == 0.0 and res["high"].sel(parameter="blood_loss") == 20.0
    a = res.attrs
    assert a["method"] == "sobol" and a["outcome"] == OUTCOME and a["n"] == 8 and a["seed"] == 3
    assert a["n_evaluations"] == 8 * (len(PARAMS) + 2)
    assert json.loads(a["ranges"]) == {n: list(model.parameters[n].range) for n in PARAMS}
    assert a["days"] == 30.0 and a["profile"] == "healthy" and a["regimen"] == "none"
    assert a["model_structure"] == model.compiled.structure_hash
    for key in ("rlsmodel_version", "git_revision", "git_dirty", "created_utc", "sweep_fingerprint"):
        assert key in a


def test_sobol_same_seed_same_indices_and_store_resumes(sobol_result, model):
    """The store holds every run: the same call re-analyses it (same seeded bootstrap)."""
    res, store = sobol_result
    assert store.exists()
    again = sensitivity.sobol(OUTCOME, PARAMS, n=8, seed=3, model=model, store=store, **FAST)
    xr.testing.assert_equal(again, res)
    with pytest.raises(ValueError, match="different sweep configuration"):
        sensitivity.sobol(OUTCOME, PARAMS, n=8, seed=4, model=model, store=store, **FAST)


def test_result_writes_to_netcdf_and_reads_back(sobol_result, tmp_path):
    res, _ = sobol_result
    path = sensitivity.write(res, tmp_path / "indices.nc")
    back = xr.load_dataset(path)
    xr.testing.assert_allclose(back, res)
    assert back.attrs["git_revision"] == res.attrs["git_revision"]


# -- Morris ----------------------------------------------------------------------------
def test_morris_ranks_like_sobol_with_physiological_signs(morris_result, sobol_result):
    res = morris_result
    assert res.attrs["n_evaluations"] == 4 * (len(PARAMS) + 1)
    assert sensitivity.ranking(res)[-1] == "k_d2"
    assert set(sensitivity.ranking(res)[:2]) == set(sensitivity.ranking(sobol_result[0])[:2])
    mu = res["mu"].to_series()
    assert mu["diet_iron"] > 0 > mu["blood_loss"]          # more intake, more ferritin; loss depletes
    mu_star = res["mu_star"].to_series()
    assert mu_star["k_d2"] < 0.05 * min(mu_star["diet_iron"], mu_star["blood_loss"])
    assert res["mu_star"].attrs["units"] == "ug/L"


def test_morris_is_reproducible_whatever_the_chunking(morris_result, model):
    again = sensitivity.morris(OUTCOME, PARAMS, trajectories=4, levels=4, seed=5, model=model, chunk_size=3,
                               **FAST)
    xr.testing.assert_equal(again, morris_result)


def test_callable_outcome_and_explicit_ranges(model):
    def ferritin_ratio(ds):
        return float(ds["serum_ferritin"].values[-1] / ds["serum_ferritin"].values[0])

    res = sensitivity.morris(ferritin_ratio, {"diet_iron": (10.0, 20.0), "k_d2": (0.1, 0.2)}, trajectories=2,
                             seed=0, model=model, days=3, sample_every_hours=24.0)
    assert res.attrs["outcome"] == "ferritin_ratio" and "ferritin_ratio" in res.attrs["outcome_definition"]
    assert res["high"].sel(parameter="diet_iron") == 20.0
    # runs start on their own limit cycle: three days change ferritin by well under 1 %
    assert float(res["mu_star"].max()) < 0.01


# -- samplers.from_matrix ----------------------------------------------------------------
def test_from_matrix_wraps_an_explicit_design():
    values = np.array([[5.0, 0.1], [30.0, 0.5], [10.0, 0.2]])
    s = samplers.from_matrix(["diet_iron", "k_d2"], values, "saltelli", seed=9,
                             ranges={"diet_iron": (5.0, 30.0), "k_d2": (0.05, 0.5)})
    assert len(s) == 3 and s.method == "saltelli" and s.seed == 9 and s.ranges == ((5.0, 30.0), (0.05, 0.5))
    assert s.point(1) == {"diet_iron": 30.0, "k_d2": 0.5}
    assert not s.values.flags.writeable
    values[0, 0] = 99.0                                    # the Sample holds its own copy
    assert s.values[0, 0] == 5.0
    assert samplers.from_matrix(["a"], [1.0, 3.0]).ranges == ((1.0, 3.0),)
    with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
        samplers.from_matrix(["diet_iron", "k_d2"], np.zeros((3, 3)))
    with pytest.raises(ValueError, match="outside its range"):
        samplers.from_matrix(["diet_iron"], [[40.0]], ranges=[(5.0, 30.0)])
    with pytest.raises(ValueError, match="named twice"):
        samplers.from_matrix(["k_d2", "k_d2"], np.zeros((1, 2)))
    with pytest.raises(ValueError, match="finite"):
        samplers.from_matrix(["k_d2"], [[np.nan]])


# -- bad input -------------------------------------------------------------------------
def test_bad_arguments_are_named(model):
    with pytest.raises(ValueError, match="unknown outcome"):
        sensitivity.sobol("serum_feritin_final", PARAMS, n=4, model=model, days=1)
    with pytest.raises(ValueError, match="unknown parameter 'diet_irn'"):
        sensitivity.sobol(OUTCOME, ["diet_irn"], n=4, model=model, days=1)
    with pytest.raises(ValueError, match="levels must be even"):
        sensitivity.morris(OUTCOME, PARAMS, levels=3, model=model, days=1)
    with pytest.raises(ValueError, match="n must be an integer"):
        sensitivity.sobol(OUTCOME, PARAMS, n=0, model=model, days=1)


def test_failed_runs_are_reported_not_analysed(model):
    def broken(ds):
        return float("nan")

    with pytest.raises(ValueError, match="4 of 4 model evaluations gave no finite 'broken'"):
        sensitivity.morris(broken, ["diet_iron"], trajectories=2, seed=0, model=model, days=1,
                           sample_every_hours=24.0)


# -- figure ----------------------------------------------------------------------------
def test_plot_indices_writes_png_with_provenance(sobol_result, morris_result, tmp_path):
    from PIL import Image
    for res, name in ((sobol_result[0], "sobol.png"), (morris_result, "morris.png")):
        path = sensitivity.plot_indices(res, tmp_path / "figures" / name)
        meta = Image.open(path).text
        record = json.loads(meta["Description"])
        assert record["method"] == res.attrs["method"] and record["outcome"] == OUTCOME
        assert "git_revision" in record and meta["Software"].startswith("rlsmodel ")


# -- TOML specs and the CLI ----------------------------------------------------------------
SPEC = """
method = "morris"
outcome = "serum_ferritin_final"
days = 30
sample_every_hours = 24.0
trajectories = 2
seed = 2
profile = "healthy"
parameters = ["diet_iron", "k_d2"]
"""


def write_spec(tmp_path, text, name="spec.toml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_load_spec_reads_tables_and_lists(tmp_path):
    kwargs = sensitivity.load_spec(write_spec(tmp_path, SPEC))
    assert kwargs["method"] == "morris" and kwargs["ranges"] == ["diet_iron", "k_d2"]
    assert kwargs["trajectories"] == 2 and kwargs["days"] == 30.0
    table = SPEC.replace('parameters = ["diet_iron", "k_d2"]', "") + \
        '\n[parameters]\ndiet_iron = [5, 30]\n\n[regimen]\ndrug = "pramipexole"\ndose_mg = 0.25\nclock_hour = 21.0\n'
    kwargs = sensitivity.load_spec(write_spec(tmp_path, table))
    assert kwargs["ranges"] == {"diet_iron": (5.0, 30.0)}
    assert "pramipexole" in kwargs["regimen"].describe()


@pytest.mark.parametrize("change, fragment", [
    (("seed = 2", "seed = 2\nsede = 3"), "unknown key 'sede'"),
    (('parameters = ["diet_iron", "k_d2"]', 'parameters = ["diet_iron", "k_d2"]\n[regimen]\ndrug = "pramipexole"\n'
      'doze_mg = 1'), "unknown key 'regimen.doze_mg'"),
    (('method = "morris"', 'method = "fast"'), "method 'fast' is unknown"),
    (("trajectories = 2", "n = 8"), "key 'n' belongs to method 'sobol'"),
    (('outcome = "serum_ferritin_final"', ""), "missing required key 'outcome'"),
    (('parameters = ["diet_iron", "k_d2"]', "parameters = {diet_iron = [5]}"), "parameters.diet_iron"),
    (("days = 30", 'days = "thirty"'), "days must be a number"),
    (("days = 30", "days = [30"), "not valid TOML"),
])
def test_cli_spec_errors_are_one_line_naming_the_key(tmp_path, capsys, change, fragment):
    path = write_spec(tmp_path, SPEC.replace(*change))
    status = cli.main(["sensitivity", str(path)])
    err = capsys.readouterr().err
    assert status == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("rlsmodel: error: ") and fragment in lines[0], err


def test_cli_missing_spec_and_bad_output(tmp_path, capsys):
    assert cli.main(["sensitivity", str(tmp_path / "nope.toml")]) == 2
    assert "sensitivity spec not found" in capsys.readouterr().err
    path = write_spec(tmp_path, SPEC)
    assert cli.main(["sensitivity", str(path), "-o", str(tmp_path / "out.csv")]) == 2
    assert "must be a path ending in .nc or .zarr" in capsys.readouterr().err


def test_cli_runs_a_spec_and_writes_indices_and_figure(tmp_path, capsys, monkeypatch, model):
    # reuse the session's compiled model instead of building another (a few seconds)
    monkeypatch.setattr(sensitivity, "model_for", lambda given, augmentation: model)
    path = write_spec(tmp_path, SPEC)
    out, fig = tmp_path / "indices.nc", tmp_path / "fig.png"
    status = cli.main(["sensitivity", str(path), "-o", str(out), "--figure", str(fig)])
    stdout = capsys.readouterr().out
    assert status == 0
    assert "morris sensitivity of serum_ferritin_final" in stdout and "k_d2" in stdout
    res = xr.load_dataset(out)
    assert res.attrs["spec"] == str(path) and res.attrs["trajectories"] == 2
    assert sensitivity.ranking(res) == ["diet_iron", "k_d2"]
    assert fig.exists()


def test_example_spec_is_valid():
    from pathlib import Path
    kwargs = sensitivity.load_spec(Path(__file__).resolve().parent.parent / "experiments" / "sensitivity_example.toml")
    assert kwargs["method"] == "sobol" and len(kwargs["ranges"]) == 4 and kwargs["days"] == 60.0
