"""rlsmodel.experiments: the registry, the output directory, and each experiment's run() (short versions).

Every experiment writes only into its output directory, refuses existing files before it
computes anything, writes every file atomically, and writes the figures it lists in
``FIGURES`` (the docs gallery reads them).
"""
from __future__ import annotations

import ast
import csv
import io
import json
from pathlib import Path

import numpy as np
import pytest

import rlsmodel
from rlsmodel import experiments
from rlsmodel.experiments import OutputDir, augmentation, augmentation_map, iron_therapy, virtual_trial
from rlsmodel.experiments.outputs import DEFAULT_OUT, package_dir

ROOT = Path(__file__).resolve().parent.parent


# -- registry -----------------------------------------------------------------------------------

def test_names_are_the_experiment_modules_and_each_has_the_contract():
    here = Path(experiments.__file__).parent
    modules = sorted(p.stem for p in here.glob("*.py") if p.stem not in ("__init__", "outputs"))
    assert list(experiments.NAMES) == modules
    for name in experiments.NAMES:
        module = experiments.load(name)
        assert module.NAME == name and module.DESCRIPTION
        assert callable(module.run) and callable(module.main)
        assert module.FIGURES and all(f.endswith(".png") for f in module.FIGURES)
        line = experiments.describe(name)
        assert line and "\n" not in line


def test_unknown_experiment_names_the_available_ones():
    with pytest.raises(ValueError, match="Did you mean 'iron_therapy'.*virtual_trial"):
        experiments.load("iron_therapie")
    with pytest.raises(ValueError, match="unknown experiment"):
        experiments.describe("nope")


def test_the_repository_scripts_are_thin_and_call_the_package():
    """experiments/NAME.py only call rlsmodel.experiments.NAME.main (read as text, not imported)."""
    scripts = ROOT / "experiments"
    if not scripts.is_dir():
        pytest.skip("not a source checkout")
    for name in experiments.NAMES:
        tree = ast.parse((scripts / f"{name}.py").read_text())
        imports = [n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
        assert {i.module for i in imports} == {"__future__", "pathlib", f"rlsmodel.experiments.{name}"}, name
        assert sum(isinstance(n, ast.FunctionDef) for n in ast.walk(tree)) == 0, name


def test_no_test_imports_the_experiment_scripts():
    """Tests reach experiment code through rlsmodel.experiments, never by loading experiments/*.py."""
    for path in Path(__file__).parent.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "conftest":
                assert all(a.name != "load_experiment" for a in node.names), path.name
            if isinstance(node, ast.Attribute):
                assert node.attr not in ("spec_from_file_location", "run_path"), (path.name, node.lineno)


def test_package_data_is_identical_to_the_repository_copies():
    for name in ("synthetic_cohort.toml", "synthetic_cohort_predictions.py"):
        shipped = (package_dir() / "experiments" / "data" / name).read_bytes()
        repo = ROOT / "experiments" / "calibration" / name
        if repo.is_file():
            assert repo.read_bytes() == shipped, f"{repo} and rlsmodel/experiments/data/{name} differ"


# -- OutputDir ----------------------------------------------------------------------------------

def test_output_dir_refuses_existing_files_unless_overwrite(tmp_path):
    (tmp_path / "a.csv").write_text("old")
    with pytest.raises(FileExistsError, match=r"a\.csv.*--overwrite"):
        OutputDir(tmp_path, ["a.csv", "b.png"])
    out = OutputDir(tmp_path, ["a.csv", "b.png"], overwrite=True)
    assert out.write_text("a.csv", "new") == tmp_path / "a.csv"
    assert (tmp_path / "a.csv").read_text() == "new" and out.written == [tmp_path / "a.csv"]
    with pytest.raises(ValueError, match="not among the declared"):
        out.write_text("c.txt", "x")


def test_output_dir_is_created_when_written_and_refuses_bad_places(tmp_path):
    out = OutputDir(tmp_path / "new" / "dir", ["x.txt"])
    assert not (tmp_path / "new").exists()                 # nothing happens before a file is written
    out.write_text("x.txt", "1")
    assert (tmp_path / "new" / "dir" / "x.txt").read_text() == "1"
    (tmp_path / "file").write_text("")
    with pytest.raises(ValueError, match="is a file"):
        OutputDir(tmp_path / "file", ["x.txt"])
    with pytest.raises(ValueError, match="is a file"):
        OutputDir(tmp_path / "file" / "sub", ["x.txt"])
    for inside in (package_dir(), package_dir() / "experiments" / "out"):
        with pytest.raises(ValueError, match="inside the installed rlsmodel package"):
            OutputDir(inside, ["x.txt"])
    assert DEFAULT_OUT == Path("rlsmodel-output") and not DEFAULT_OUT.is_absolute()


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    (tmp_path / "t.csv").write_text("old")
    out = OutputDir(tmp_path, ["t.csv"], overwrite=True)

    def half_then_fail(tmp):
        Path(tmp).write_text("half")
        raise RuntimeError("disk full")
    with pytest.raises(RuntimeError, match="disk full"):
        out.save("t.csv", half_then_fail)
    assert (tmp_path / "t.csv").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.csv"] and out.written == []


def test_write_csv_matches_the_csv_module(tmp_path):
    rows = [{"a": 1, "b": None}, {"a": 2.5, "b": "x, y"}]
    path = OutputDir(tmp_path, ["r.csv"]).write_csv("r.csv", rows)
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=["a", "b"])
    w.writeheader()
    w.writerows(rows)
    assert path.read_bytes() == buf.getvalue().encode()


# -- each run(): checks before computing ----------------------------------------------------------

@pytest.fixture
def nothing_computed(monkeypatch):
    """Fails the test if any experiment simulates, sweeps, runs a trial or fits."""
    from rlsmodel.simulator import Model

    def fail(*a, **k):
        pytest.fail("computed before checking the output directory")
    monkeypatch.setattr(Model, "simulate", fail)
    monkeypatch.setattr(augmentation_map, "sweep", fail)
    monkeypatch.setattr(virtual_trial, "virtual_trial", fail)
    return fail


@pytest.mark.parametrize("name, kwargs", [
    ("augmentation", {}), ("augmentation_map", {}), ("iron_therapy", {}), ("virtual_trial", {}),
    ("synthetic_cohort", {}), ("switching", {}),
])
def test_every_experiment_refuses_an_existing_output_before_computing(tmp_path, nothing_computed, monkeypatch,
                                                                      name, kwargs):
    module = experiments.load(name)
    if name == "synthetic_cohort":
        pytest.importorskip("pypesto")
        import rlsmodel.calibration as calibration
        monkeypatch.setattr(calibration, "calibrate", nothing_computed)
    existing = tmp_path / module.FIGURES[0]
    existing.parent.mkdir(parents=True, exist_ok=True)
    existing.write_bytes(b"mine")
    with pytest.raises(FileExistsError, match="--overwrite"):
        module.run(tmp_path, **kwargs)
    assert existing.read_bytes() == b"mine"


@pytest.mark.parametrize("name, kwargs, words", [
    ("augmentation", {"years": 0}, "years"),
    ("augmentation", {"drugs": ["aspirin"]}, "unknown drug 'aspirin'"),
    ("augmentation", {"profiles": ["sick"]}, "unknown profile 'sick'"),
    ("augmentation", {"baseline_days": 3}, "baseline_days"),
    ("augmentation_map", {"drug": "ropinirole"}, "unknown drug 'ropinirole'"),
    ("augmentation_map", {"weeks": 0}, "weeks"),
    ("iron_therapy", {"follow_up_days": 30}, "follow_up_days >= 49"),
    ("iron_therapy", {"drugs": ["pregabalin"]}, "unknown drug 'pregabalin'"),
    ("virtual_trial", {"n": 0}, "n must be a whole number >= 1"),
])
def test_bad_options_are_refused_before_computing(tmp_path, nothing_computed, name, kwargs, words):
    with pytest.raises(ValueError, match=words):
        experiments.load(name).run(tmp_path / "out", **kwargs)
    assert not (tmp_path / "out").exists()


# -- each run(): short versions write their files ------------------------------------------------

def _no_temporaries(out: Path):
    assert not [p.name for p in out.rglob(".*")], "temporary files left behind"


@pytest.fixture(scope="module")
def flagship(tmp_path_factory):
    out = tmp_path_factory.mktemp("augmentation")
    return augmentation.run(out, years=0.1, profiles=["rls_genetic"], drugs=["pramipexole"], progress=False)


def test_short_flagship_writes_its_table_figures_and_summary(flagship):
    out = flagship.out
    assert sorted(p.name for p in flagship.paths) == sorted(augmentation.output_names())
    assert all(p.parent == out and p.stat().st_size > 0 for p in flagship.paths)
    for figure in augmentation.FIGURES:
        assert (out / figure).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    rows = flagship.tables["augmentation"]
    assert [(r["mechanism"], r["drug"]) for r in rows] == [("d2_tolerance", "pramipexole"),
                                                             ("d3_d1_spinal", "pramipexole")]
    with open(out / "augmentation_table.csv", newline="") as fh:
        assert [r["mechanism"] for r in csv.DictReader(fh)] == ["d2_tolerance", "d3_d1_spinal"]
    assert "| mechanism |" in (out / "augmentation_table.md").read_text()
    assert flagship.datasets["summary"].sizes["run"] == 2
    _no_temporaries(out)


def test_short_flagship_pramipexole_helps_at_first(flagship):
    """Weeks 1-3 of pramipexole 0.25 mg lower the IRLS-like score of rls_genetic under both mechanisms
    (the acute benefit; science.md section 3), and five weeks are too short for augmentation."""
    for r in flagship.tables["augmentation"]:
        assert r["irls_weeks_1_3"] < r["irls_baseline"] - 3.0, r
        assert r["weeks_to_clinically_relevant"] is None, r


def test_short_iron_therapy_writes_both_parts(tmp_path):
    result = iron_therapy.run(tmp_path, follow_up_days=49, iron_day=7, drug_day=36, treatment_days=28,
                              drugs=["pramipexole"], sample_every_hours=3.0, progress=False)
    assert sorted(p.name for p in result.paths) == sorted(iron_therapy.output_names(["pramipexole"]))
    for figure in iron_therapy.FIGURES:
        assert (tmp_path / figure).stat().st_size > 0
    iron = {r["arm"]: r for r in result.tables["iron"]}
    assert iron["iv"]["ferritin_week1"] > iron["oral"]["ferritin_week1"] > iron["untreated"]["ferritin_week1"]
    assert {r["arm"] for r in result.tables["augmentation"]} == {"drug alone", "IV iron first"}
    _no_temporaries(tmp_path)


def test_short_virtual_trial_writes_its_table_and_figure(tmp_path):
    result = virtual_trial.run(tmp_path, n=4, weeks=4, levodopa_weeks=4, workers=1)
    assert sorted(p.name for p in result.paths) == sorted(virtual_trial.OUTPUT_NAMES)
    for figure in virtual_trial.FIGURES:
        assert (tmp_path / figure).stat().st_size > 0
    rows = result.tables["virtual_trial"]
    assert {r["design"] for r in rows} == {"Allen 2014", "levodopa series"}
    assert all(0.0 <= r["augmentation"] <= 1.0 for r in rows if np.isfinite(r["augmentation"]))
    assert "| design | arm |" in (tmp_path / "virtual_trial.md").read_text()
    _no_temporaries(tmp_path)


def test_small_augmentation_map_writes_its_map(tmp_path, monkeypatch):
    """Two grid points (the default grid is 48) and three treated weeks: the plumbing, not the science
    (tests/test_augmentation_map.py checks the risk factors)."""
    tiny = {"half_life": [8.0, 10.0], "dose_mg": [0.25], "bbb_uptake_gain": [0.55]}
    monkeypatch.setitem(augmentation_map.GRIDS["pramipexole"], "small", tiny)
    result = augmentation_map.run(tmp_path, weeks=3, workers=1)
    assert sorted(p.name for p in result.paths) == sorted(augmentation_map.output_names())
    for figure in augmentation_map.FIGURES:
        assert (tmp_path / figure).stat().st_size > 0
    ds = result.datasets["map"]
    assert ds.attrs["n_points"] == 2 and ds["days_to_augmentation"].attrs["units"] == "day"
    _no_temporaries(tmp_path)


def test_synthetic_cohort_writes_its_inputs_and_the_fit_figures(tmp_path, monkeypatch):
    """The plumbing around the fit (the fit itself: tests/test_calibration.py): the cohort, the spec
    and its prediction module land in the output directory, and the figures the fit draws are
    the ones listed in FIGURES."""
    pytest.importorskip("pypesto")
    import rlsmodel.calibration as calibration
    from rlsmodel.experiments import synthetic_cohort
    seen = {}

    def fake_calibrate(spec, out, **kwargs):
        seen["spec"] = Path(spec).read_text()
        seen["data"] = (Path(spec).parent / "synthetic_cohort.csv").read_text()
        raise RuntimeError("stop after the inputs")
    monkeypatch.setattr(calibration, "calibrate", fake_calibrate)
    with pytest.raises(RuntimeError, match="stop after the inputs"):
        synthetic_cohort.run(tmp_path)
    assert seen["spec"] == synthetic_cohort.package_file("synthetic_cohort.toml").decode()
    truth = synthetic_cohort.truth(rlsmodel.Model())
    assert f"truth = {json.dumps(truth, sort_keys=True)}" in seen["data"].splitlines()[0]    # 1.3 x and 0.6 x
    assert len(seen["data"].splitlines()) == 2 + len(synthetic_cohort.design())
    assert (tmp_path / "synthetic_cohort_predictions.py").is_file()
    from rlsmodel.calibration import fit
    source = Path(fit.__file__).read_text()
    for figure in synthetic_cohort.FIGURES:
        assert f'"{Path(figure).name}"' in source, figure
