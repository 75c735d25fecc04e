"""The ``rlsmodel`` command line, called in-process through ``main(argv)``."""
from __future__ import annotations

import csv
import io
import runpy
import shutil
import subprocess
import sys
import types
from pathlib import Path

import pytest
import xarray as xr

import rlsmodel
from rlsmodel import cli
from rlsmodel.export.latex import model_doc


def run(capsys, *argv):
    """``(status, stdout, stderr)`` of ``rlsmodel argv...``."""
    status = cli.main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def assert_user_error(status, err, *fragments):
    """Exit status 2 and exactly one line ``rlsmodel: error: ...`` naming ``fragments``."""
    assert status == 2, err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("rlsmodel: error: "), err
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])


# -- version and entry points -------------------------------------------------------------------

def test_version_in_process(capsys):
    status, out, _ = run(capsys, "--version")
    assert status == 0 and out.strip() == f"rlsmodel {rlsmodel.__version__}"


def test_installed_script_prints_the_version():
    """One real process: the console script if installed, else ``python -m rlsmodel``."""
    script = shutil.which("rlsmodel")
    command = [script] if script else [sys.executable, "-m", "rlsmodel"]
    proc = subprocess.run(command + ["--version"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"rlsmodel {rlsmodel.__version__}"


def test_python_m_rlsmodel(capsys, monkeypatch):
    monkeypatch.setattr(sys, "argv", ["rlsmodel", "--version"])
    with pytest.raises(SystemExit) as exc:
        runpy.run_module("rlsmodel", run_name="__main__")
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == f"rlsmodel {rlsmodel.__version__}"


def test_no_command_prints_help_and_fails(capsys):
    status, _, err = run(capsys)
    assert status == 2 and "COMMAND" in err


def test_usage_errors_are_one_line(capsys):
    assert_user_error(*run(capsys, "frobnicate")[::2], "invalid choice", "frobnicate")
    assert_user_error(*run(capsys, "simulate", "-o", "x.nc")[::2], "--days")
    assert_user_error(*run(capsys, "simulate", "--days", "-3", "-o", "x.nc")[::2], "positive")
    assert_user_error(*run(capsys, "params", "--format", "xls")[::2], "xls")
    assert_user_error(*run(capsys, "export")[::2], "latex", "docs")


# -- params -----------------------------------------------------------------------------------

def test_params_markdown_is_the_default(capsys, model):
    status, out, _ = run(capsys, "params")
    assert status == 0
    for name, p in model.parameters.items():
        assert f"| `{name}` |" in out and f"`{p.unit}`" in out


def test_params_csv_parses(capsys, model):
    status, out, _ = run(capsys, "params", "--format", "csv")
    assert status == 0
    rows = {r["name"]: r for r in csv.DictReader(io.StringIO(out))}
    assert set(rows) == set(model.parameters)
    assert all(float(rows[n]["value"]) == p.default for n, p in model.parameters.items())


def test_params_latex_and_other_tables(capsys, model):
    status, out, _ = run(capsys, "params", "--format", "latex")
    assert status == 0 and r"\begin{longtable}" in out and r"\texttt{diet\_iron}" in out
    status, out, _ = run(capsys, "params", "--table", "states")
    assert status == 0 and all(f"| `{n}` |" in out for n in model.system.states)
    status, out, _ = run(capsys, "params", "--table", "observables", "--format", "csv")
    assert status == 0 and {r["name"] for r in csv.DictReader(io.StringIO(out))} == set(model.system.observables)


def test_params_for_the_other_augmentation_mechanism(capsys):
    status, out, _ = run(capsys, "params", "--augmentation", "d3_d1_spinal", "--format", "csv")
    assert status == 0
    names = {r["name"] for r in csv.DictReader(io.StringIO(out))}
    assert names == set(rlsmodel.Model(augmentation="d3_d1_spinal").parameters)


def test_params_unknown_augmentation_is_a_user_error(capsys):
    assert_user_error(*run(capsys, "params", "--augmentation", "d2_tolerence")[::2], "d2_tolerence")


# -- export -----------------------------------------------------------------------------------

def test_export_latex_writes_four_files(capsys, tmp_path):
    status, out, _ = run(capsys, "export", "latex", "-o", str(tmp_path))
    assert status == 0
    for name in ("equations.tex", "parameters.tex", "equations.md", "parameters.md"):
        assert (tmp_path / name).stat().st_size > 0 and name in out


def test_export_docs_writes_the_model_doc(capsys, tmp_path, model):
    target = tmp_path / "sub" / "model.md"
    status, out, _ = run(capsys, "export", "docs", "-o", str(target))
    assert status == 0 and str(target) in out
    assert target.read_text(encoding="utf-8") == model_doc(model)


def test_export_docs_default_path_is_docs_of_the_current_directory(capsys, tmp_path, monkeypatch):
    """``docs/model.md`` relative to where it is run (the repository root regenerates the
    committed page); never the installed package; without ./docs it asks for -o."""
    assert cli.default_docs_path() == Path("docs") / "model.md"
    monkeypatch.chdir(tmp_path)
    assert_user_error(*run(capsys, "export", "docs")[::2], "no docs/ directory", "-o PATH")
    (tmp_path / "docs").mkdir()
    status, out, _ = run(capsys, "export", "docs")
    assert status == 0 and (tmp_path / "docs" / "model.md").is_file()
    # a second run would replace it: refused before any work, named, unless --overwrite
    assert_user_error(*run(capsys, "export", "docs")[::2], "model.md", "--overwrite")
    assert run(capsys, "export", "docs", "--overwrite")[0] == 0


# -- simulate and steady-state ------------------------------------------------------------------

def test_simulate_writes_netcdf_and_prints_a_summary(capsys, tmp_path):
    out_file = tmp_path / "run.nc"
    status, out, err = run(capsys, "simulate", "--days", "1", "--profile", "rls_genetic",
                           "--param", "diet_iron=12", "--sample-every-hours", "6", "-o", str(out_file))
    assert status == 0, err
    for word in ("serum_ferritin", "brain_iron", "d2_density", "peak symptom", str(out_file)):
        assert word in out
    with xr.open_dataset(out_file, engine="h5netcdf") as ds:
        assert ds.sizes["time"] == 5
        assert ds.attrs["profile"] == "rls_genetic"
        assert '"diet_iron": 12.0' in ds.attrs["parameter_overrides"]
        assert ds["serum_ferritin"].attrs["units"] == "ug/L"


@pytest.mark.parametrize("argv, fragments", [
    (("--profile", "rls_genetc"), ("unknown profile 'rls_genetc'", "rls_genetic")),
    (("--param", "diet_irn=3"), ("unknown parameter 'diet_irn'", "diet_iron")),
    (("--param", "diet_iron"), ("name=value",)),
    (("--param", "diet_iron=lots"), ("'lots' is not a number",)),
    (("--param", "diet_iron=-1"), ("diet_iron", ">= 0")),
])
def test_simulate_bad_input_is_one_line(capsys, tmp_path, argv, fragments):
    status, _, err = run(capsys, "simulate", "--days", "1", *argv, "-o", str(tmp_path / "x.nc"))
    assert_user_error(status, err, *fragments)
    assert not (tmp_path / "x.nc").exists()


def test_steady_state_prints_key_readouts(capsys, model):
    status, out, _ = run(capsys, "steady-state", "--profile", "iron_deficient")
    assert status == 0
    ss = model.steady_state("iron_deficient")
    for name in ("serum_ferritin", "brain_iron", "hif", "d2_density", "dopamine_extracellular"):
        (line,) = [ln for ln in out.splitlines() if ln.split()[:1] == [name]]
        assert float(line.split()[1]) == pytest.approx(float(ss[name]), rel=1e-5)


def test_steady_state_unknown_profile(capsys):
    assert_user_error(*run(capsys, "steady-state", "--profile", "sick")[::2], "unknown profile 'sick'")


# -- run --------------------------------------------------------------------------------------

def test_run_list_names_every_experiment(capsys):
    from rlsmodel import experiments
    status, out, _ = run(capsys, "run", "--list")
    assert status == 0
    assert [line.split()[0] for line in out.strip().splitlines()] == list(experiments.NAMES)
    assert "Flagship" in out


@pytest.fixture
def fake_experiment(monkeypatch):
    """``rlsmodel run augmentation`` calls a stand-in module; returns the calls' (argv, prog)."""
    from rlsmodel import experiments
    calls = []

    def main(argv=None, prog=None, **_):
        calls.append((argv, prog))
        return 3 if argv and argv[0] == "--fail" else 0
    monkeypatch.setattr(experiments, "load", lambda name: types.SimpleNamespace(main=main))
    return calls


def test_run_passes_the_options_to_the_experiments_main(capsys, fake_experiment):
    status, _, _ = run(capsys, "run", "augmentation", "-o", "somewhere", "--years", "1")
    assert status == 0 and fake_experiment == [(["-o", "somewhere", "--years", "1"], "rlsmodel run augmentation")]
    assert run(capsys, "run", "augmentation", "--fail")[0] == 3


def test_run_unknown_experiment_lists_the_available_ones(capsys):
    assert_user_error(*run(capsys, "run", "augmentaton")[::2], "unknown experiment 'augmentaton'",
                      "Did you mean 'augmentation'", "virtual_trial")
    assert_user_error(*run(capsys, "run")[::2], "needs an experiment name", "--list")


@pytest.fixture
def no_simulation(monkeypatch):
    """Fails the test if anything is simulated."""
    from rlsmodel.simulator import Model
    monkeypatch.setattr(Model, "simulate", lambda *a, **k: pytest.fail("simulated before checking -o"))


def test_run_refuses_existing_outputs_before_simulating(capsys, tmp_path, no_simulation):
    (tmp_path / "augmentation_table.md").write_text("mine")
    status, _, err = run(capsys, "run", "augmentation", "-o", str(tmp_path), "--years", "0.1")
    assert_user_error(status, err, "already exist", "augmentation_table.md", "--overwrite")
    assert (tmp_path / "augmentation_table.md").read_text() == "mine"


def test_run_refuses_the_installed_package_and_bad_options(capsys, tmp_path, no_simulation):
    inside = Path(rlsmodel.__file__).resolve().parent / "out"
    assert_user_error(*run(capsys, "run", "augmentation", "-o", str(inside))[::2], "inside the installed rlsmodel")
    assert not inside.exists()
    (tmp_path / "f").write_text("")
    assert_user_error(*run(capsys, "run", "augmentation", "-o", str(tmp_path / "f"))[::2], "is a file")
    assert_user_error(*run(capsys, "run", "iron_therapy", "-o", str(tmp_path), "--drug-day", "40")[::2],
                      "drug_day (40) must be at least 29 days after iron_day (28)")


def test_validate_writes_under_the_current_directory_by_default(capsys, tmp_path, monkeypatch):
    from rlsmodel import validation
    seen = {}
    monkeypatch.setattr(validation, "validate", lambda *a, **k: "results")
    monkeypatch.setattr(validation, "format_table", lambda results: "table")
    monkeypatch.chdir(tmp_path)

    def report(results, out):           # records where it would write, then ends the command
        seen["out"] = out
        raise SystemExit(0)
    monkeypatch.setattr(validation, "report", report)
    assert run(capsys, "validate", "--quick")[0] == 0
    assert Path(seen["out"]) == Path(".")
    monkeypatch.setattr(validation, "validate", lambda *a, **k: pytest.fail("validated before checking -o"))
    inside = Path(rlsmodel.__file__).resolve().parent
    assert_user_error(*run(capsys, "validate", "-o", str(inside))[::2], "inside the installed rlsmodel package")


# -- sweep ------------------------------------------------------------------------------------

def test_sweep_delegates_to_run_spec(capsys, tmp_path, monkeypatch):
    spec = tmp_path / "spec.toml"
    spec.write_text("[space]\n")
    calls = []
    fake = types.ModuleType("rlsmodel.sweeps")
    fake.run_spec = lambda spec_path, out, workers=None, scheduler=None, wait=False: calls.append(
        (spec_path, out, workers, scheduler, wait))
    monkeypatch.setitem(sys.modules, "rlsmodel.sweeps", fake)
    status, out, _ = run(capsys, "sweep", str(spec), "-o", str(tmp_path / "out.zarr"),
                         "--workers", "2", "--scheduler", "tcp://h:8786", "--wait")
    assert status == 0
    assert calls == [(str(spec), str(tmp_path / "out.zarr"), 2, "tcp://h:8786", True)]


def test_sweep_reports_a_missing_sweep_module(capsys, tmp_path, monkeypatch):
    spec = tmp_path / "spec.toml"
    spec.write_text("[space]\n")
    monkeypatch.setitem(sys.modules, "rlsmodel.sweeps", None)
    status, _, err = run(capsys, "sweep", str(spec), "-o", str(tmp_path / "out"))
    assert status == 1 and "Traceback" not in err
    assert err.startswith("rlsmodel: error: sweeps are unavailable") and len(err.strip().splitlines()) == 1


def test_sweep_missing_spec(capsys, tmp_path):
    assert_user_error(*run(capsys, "sweep", str(tmp_path / "nope.toml"))[::2], "not found")


# -- checks before work; failures reported (issue 17) ------------------------------------------

@pytest.mark.parametrize("name, fragments", [
    ("a.txt", ("must end in .nc", "-o a.nc")),
    ("run", ("must end in .nc",)),
    ("afile/sub/x.nc", ("is a file, not a directory",)),
    ("adir.nc", ("is an existing directory",)),
])
def test_simulate_checks_the_output_path_before_simulating(capsys, tmp_path, no_simulation, name, fragments):
    (tmp_path / "afile").write_text("")
    (tmp_path / "adir.nc").mkdir()
    status, _, err = run(capsys, "simulate", "--days", "30", "-o", str(tmp_path / name))
    assert_user_error(status, err, *fragments)


def test_simulate_creates_missing_directories_and_keeps_chosen_variables(capsys, tmp_path):
    out_file = tmp_path / "new" / "dir" / "run.nc"
    status, out, err = run(capsys, "simulate", "--days", "1", "--sample-every-hours", "12",
                           "--keep", "brain_iron", "symptom", "-o", str(out_file))
    assert status == 0, err
    with xr.open_dataset(out_file, engine="h5netcdf") as ds:
        assert sorted(ds.data_vars) == ["brain_iron", "symptom"]


def test_simulate_too_large_is_one_line_with_the_command_line_fix(capsys, tmp_path):
    status, _, err = run(capsys, "simulate", "--days", "1000000", "-o", str(tmp_path / "big.nc"))
    assert_user_error(status, err, "too large", "GiB", "--sample-every-hours", "--keep")


def test_simulate_out_of_range_warning_is_one_line(capsys, tmp_path):
    status, _, err = run(capsys, "simulate", "--days", "1", "--sample-every-hours", "24",
                         "--param", "diet_iron=100", "-o", str(tmp_path / "w.nc"))
    assert status == 0
    (line,) = [ln for ln in err.splitlines() if "warning" in ln]
    assert line.startswith("rlsmodel: warning: diet_iron = 100 mg/day lies outside its declared range")


def test_sweep_summary_counts_failures_and_says_where_the_messages_are(capsys, tmp_path):
    spec = tmp_path / "spec.toml"
    spec.write_text('days = 1\nsample_every_hours = 12.0\noutcomes = ["d2_density_final"]\n'
                    '[space]\ndose_mg = [100.0, 300.0]\n[regimen]\ndrug = "levodopa"\nclock_hour = 21.0\n')
    out_store = tmp_path / "out.zarr"
    status, out, err = run(capsys, "sweep", str(spec), "-o", str(out_store))
    assert status == 0, err
    assert "sweep done: 2 points {'dose_mg': 2}; 1 failed" in out
    assert f"'status' variable of {out_store}" in out
    assert "dose_mg=300: failed: ValueError: levodopa: 300 mg on day 0 exceeds" in out
    assert "rlsmodel: warning: sweep: the regimen is invalid for 1 of 2" in err
