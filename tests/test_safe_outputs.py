"""Outputs that are never lost or mixed (issue 26): refused overwrites, atomic simulate -o,
locked sweep stores, foreign directories left alone, and early refusals of sweeps whose
outcomes cannot be computed."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap

import pytest

from rlsmodel.cli import main, parse_params
from rlsmodel.fileio import LockedError
from rlsmodel.sweeps import sweep
from rlsmodel.sweeps.spec import load_spec

SPACE = {"diet_iron": [8.0, 12.0]}
FINAL = ["brain_iron_final"]


# -- simulate -o ---------------------------------------------------------------------------------
def test_simulate_refuses_an_existing_output_before_work(tmp_path, capsys):
    out = tmp_path / "run.nc"
    out.write_bytes(b"precious")
    status = main(["simulate", "--days", "0.5", "-o", str(out)])
    err = capsys.readouterr().err
    assert status == 2 and "exists" in err and "--overwrite" in err
    assert out.read_bytes() == b"precious"


def test_simulate_overwrite_replaces_atomically(tmp_path, capsys):
    xr = pytest.importorskip("xarray")
    out = tmp_path / "run.nc"
    out.write_bytes(b"old")
    assert main(["simulate", "--days", "0.5", "--sample-every-hours", "6", "-o", str(out), "--overwrite"]) == 0
    with xr.open_dataset(out) as ds:
        assert ds.sizes["time"] == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.nc"]      # no temporary left


def test_duplicate_param_is_refused():
    with pytest.raises(ValueError, match=r"diet_iron is given twice \(diet_iron=10 and diet_iron=50\)"):
        parse_params(["diet_iron=10", "diet_iron=50"])


# -- sweep stores ---------------------------------------------------------------------------------
HOLD = textwrap.dedent("""
    import sys, time
    from rlsmodel.fileio import OutputLock
    OutputLock(sys.argv[1], what="sweep store").acquire()
    print("locked", flush=True)
    time.sleep(120)
""")


def test_a_second_sweep_into_a_busy_store_is_refused_at_once(tmp_path, model):
    store = tmp_path / "s.zarr"
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(store)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "locked"
        with pytest.raises(LockedError, match=rf"process {proc.pid} on host {socket.gethostname()}"):
            sweep(SPACE, days=1, model=model, outcomes=FINAL, store=store)
        assert not store.exists() and not (tmp_path / "s.zarr.parts").exists()
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    # the holder died: its lock is stale, taken over with a warning naming it
    with pytest.warns(UserWarning, match=rf"stale lock .* process {proc.pid}"):
        ds = sweep(SPACE, days=1, model=model, outcomes=FINAL, store=store)
    assert list(ds["status"].values) == ["ok", "ok"]
    assert not (tmp_path / "s.zarr.lock").exists()


@pytest.mark.parametrize("kind", ["directory.zarr", "zarr-group.zarr", "notes.nc", "own-data.nc"])
def test_user_files_are_not_called_a_damaged_store(tmp_path, model, kind):
    """A path of the user's (a directory of files, a Zarr or NetCDF file of their own, a text
    file) is never read as a store, changed, or called damaged with advice to delete it."""
    import xarray as xr
    target = tmp_path / kind
    if kind == "directory.zarr":
        target.mkdir()
        (target / "thesis.tex").write_text("years of work")
    elif kind == "zarr-group.zarr":
        xr.Dataset({"a": ("x", [1.0, 2.0])}).to_zarr(target, zarr_format=2, consolidated=True)
    elif kind == "notes.nc":
        target.write_text("my notes")
    else:
        xr.Dataset({"a": ("x", [1.0, 2.0])}).to_netcdf(target)
    before = sorted((p.relative_to(tmp_path), p.stat().st_size) for p in tmp_path.rglob("*"))
    with pytest.raises(ValueError) as info:
        sweep(SPACE, days=1, model=model, outcomes=FINAL, store=target)
    message = str(info.value)
    assert "not a sweep store written by rlsmodel" in message or "is not an rlsmodel sweep store" in message
    assert "rm " not in message and "delete" not in message.lower()
    assert sorted((p.relative_to(tmp_path), p.stat().st_size) for p in tmp_path.rglob("*")) == before


# -- outcomes that the sampling cannot give ------------------------------------------------------------
def test_last_day_outcome_refuses_coarse_samples_before_any_point(model):
    with pytest.raises(ValueError, match=r"symptom_mean_last_day need samples at most 3 h apart; "
                                         r"sample_every_hours is 24"):
        sweep(SPACE, days=7, model=model, outcomes=["symptom_mean_last_day"], sample_every_hours=24.0)


def test_last_symptom_day_outcome_refuses_coarse_samples_before_any_point(model):
    with pytest.raises(ValueError, match="irls_last_symptom_day need samples at most 3 h"):
        sweep(SPACE, days=3, model=model, outcomes=["irls_last_symptom_day"], sample_every_hours=6.0)


def test_last_day_outcome_refuses_a_run_shorter_than_a_day(model):
    with pytest.raises(ValueError, match=r"days is 0.25 \(6 h\)"):
        sweep(SPACE, days=0.25, model=model, outcomes=["symptom_mean_last_day"])


def test_last_day_outcome_on_a_dataset_refuses_coarse_samples(model):
    from rlsmodel.sweeps.summaries import builtin
    ds = model.simulate(3, "healthy", sample_every_hours=24.0)
    with pytest.raises(ValueError, match="samples are 24 h apart"):
        builtin("symptom_mean_last_day", model)(ds)


# -- sweep specs ----------------------------------------------------------------------------------
def test_spec_with_top_level_and_swept_profile_is_refused(tmp_path):
    spec = tmp_path / "s.toml"
    spec.write_text('days = 1\nprofile = "healthy"\n[space]\nprofile = ["rls_genetic", "iron_deficient"]\n')
    with pytest.raises(ValueError, match="given at the top level and swept"):
        load_spec(spec)


def test_swept_profile_is_recorded_as_swept(model):
    ds = sweep({"profile": ["healthy", "rls_genetic"]}, days=1, model=model, outcomes=FINAL)
    assert ds.attrs["profile"] == "swept (dimension 'profile')"


# -- advice ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("days", [60.0, 3000.0])
def test_too_large_run_suggests_a_spacing_that_fits(days):
    """The suggested sample spacing fits the memory limit and is not absurdly coarse
    (main suggested 1.13e+06 h for 60 days at 0.0005 h)."""
    import re
    from rlsmodel.errors import RunTooLargeError
    from rlsmodel.runplan import GIB, MAX_MEMORY_GB, estimate
    args = dict(bytes_per_sample=8.0 * 120, n_variables=120, n_states=45, n_observables=75, n_events=0,
                engine="lsoda")
    plan = estimate(days, 0.0005, **args)
    with pytest.raises(RunTooLargeError) as info:
        plan.check()
    hours = float(re.search(r"sample_every_hours=([0-9.e+-]+) or more fits", str(info.value)).group(1))
    assert estimate(days, hours, **args).memory_bytes <= MAX_MEMORY_GB * GIB
    assert estimate(days, hours / 3.0, **args).memory_bytes > MAX_MEMORY_GB * GIB     # not far too coarse


def test_an_unknown_engine_is_refused_before_the_model_is_built(monkeypatch):
    import rlsmodel
    import rlsmodel.simulator as simulator
    built = []
    monkeypatch.setattr(simulator, "_compile", lambda modules: built.append(1))
    monkeypatch.setattr(simulator, "_COMPILED", type(simulator._COMPILED)(8))     # an empty cache
    with pytest.raises(ValueError, match="typo"):
        rlsmodel.Model(engine="typo")
    assert not built
