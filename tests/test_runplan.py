"""Single runs are sized before they start: memory/time estimates, keep=, blocks, progress."""
from __future__ import annotations

import io

import numpy as np
import pytest

import rlsmodel
from rlsmodel import Regimen, runplan


def test_a_run_too_large_for_memory_is_refused_before_any_work(model, monkeypatch):
    """days=1e6 at hourly samples would need about 16 GiB: refused at once with the estimate
    and the fix (nothing is integrated: the call returns in well under a second's work)."""
    calls = []
    monkeypatch.setattr(runplan, "integrate", lambda *a, **k: calls.append(1))
    with pytest.raises(rlsmodel.RunTooLargeError) as err:
        model.simulate(1e6)
    msg = str(err.value)
    for fragment in ("24,000,001 samples", "GiB", "limit of 2 GiB", "sample_every_hours=", "keep=",
                     "RLSMODEL_MAX_MEMORY_GB"):
        assert fragment in msg, (fragment, msg)
    assert calls == []
    assert isinstance(err.value, ValueError)          # a documented error type


def test_the_suggested_sampling_fits(model, monkeypatch):
    """The spacing the message proposes is accepted: the same run with it gets past the size
    check to the integration (stopped there: only the sizing is under test)."""
    monkeypatch.setattr(runplan, "integrate", lambda *a, **k: pytest.fail("must not integrate"))
    with pytest.raises(rlsmodel.RunTooLargeError) as err:
        model.simulate(3e5)
    hours = float(str(err.value).split("sample_every_hours=")[1].split()[0])

    class Integrating(Exception):
        pass

    def stop(*args, **kwargs):
        raise Integrating

    monkeypatch.setattr(runplan, "integrate_blocks", stop)
    with pytest.raises(Integrating):
        model.simulate(3e5, sample_every_hours=hours)
    with pytest.raises(rlsmodel.RunTooLargeError):            # and a finer spacing still does not fit
        model.simulate(3e5, sample_every_hours=hours / 4)


def test_the_memory_limit_is_an_environment_variable(model, monkeypatch):
    monkeypatch.setenv("RLSMODEL_MAX_MEMORY_GB", "0.001")
    with pytest.raises(rlsmodel.RunTooLargeError, match="limit of 0.001 GiB"):
        model.simulate(30)
    monkeypatch.setenv("RLSMODEL_MAX_MEMORY_GB", "lots")
    with pytest.raises(ValueError, match="RLSMODEL_MAX_MEMORY_GB='lots' must be a positive number"):
        model.simulate(1)


def test_an_absurdly_long_run_is_refused_on_time(model):
    with pytest.raises(rlsmodel.RunTooLargeError, match=r"too long(.|\n)*days, not hours"):
        model.simulate(1e10, sample_every_hours=24 * 365.0, keep=["brain_iron"])


def test_estimates_scale_with_samples_variables_and_doses():
    a = runplan.estimate(365, 1.0, 8.0 * 90, 90, 60, 25, 0, "lsoda")
    b = runplan.estimate(365, 24.0, 8.0 * 90, 90, 60, 25, 0, "lsoda")
    c = runplan.estimate(365, 1.0, 8.0 * 2, 2, 60, 25, 365, "lsoda")
    assert a.samples == 8761 and b.samples == 366
    assert a.output_bytes == pytest.approx(8761 * (90 + 1) * 8.0)
    assert b.memory_bytes < a.memory_bytes / 20
    assert c.output_bytes < a.output_bytes / 30 and c.seconds > a.seconds
    assert runplan.estimate(365, 1.0, 8.0, 1, 60, 25, 0, "scipy").seconds > 50 * a.seconds


# -- keep= -----------------------------------------------------------------------------------
def test_keep_returns_only_the_chosen_variables_with_identical_values(model):
    full = model.simulate(3, "rls_genetic", sample_every_hours=2.0)
    kept = model.simulate(3, "rls_genetic", sample_every_hours=2.0, keep=["symptom", "brain_iron"])
    assert list(kept.data_vars) == ["brain_iron", "symptom"]           # in the model's order
    for name in kept.data_vars:
        np.testing.assert_array_equal(kept[name].values, full[name].values)
        assert kept[name].attrs == full[name].attrs
    assert kept.attrs["parameters"] == full.attrs["parameters"]
    one = model.simulate(1, keep="activity")
    assert one["activity"].values[0] == "asleep" and one["activity"].dtype.kind == "U"


@pytest.mark.parametrize("keep, message", [
    ([], "keep is empty"),
    (["brain_irn"], "unknown variable 'brain_irn'.*'brain_iron'"),
    ([3], "unknown variable 3"),
    (5, "keep must be None or a list"),
])
def test_bad_keep_is_refused(model, keep, message):
    with pytest.raises(ValueError, match=message):
        model.simulate(1, keep=keep)


# -- blocks ----------------------------------------------------------------------------------
def test_blocks_lie_at_fixed_model_times():
    assert runplan.blocks(30.0) == [(0.0, 30.0)]
    assert runplan.blocks(730.0) == [(0.0, 365.0), (365.0, 730.0)]
    assert runplan.blocks(800.5) == [(0.0, 365.0), (365.0, 730.0), (730.0, 800.5)]


def test_envelope_runs_use_ten_year_blocks_and_exact_runs_365_day_blocks(model, exact_model, monkeypatch):
    """The block length follows the solver settings only (decision 48): the exact path keeps its
    365-day blocks (its results stay bit-identical), a run that follows the slow envelope is
    cut every 3650 days, so the envelope does not rebuild its drift history every year; the
    memory estimate counts the longer block's working arrays."""
    from rlsmodel.engines.base import SolverSettings
    env = SolverSettings(engine="cvode", engine_options={"long_horizon": "envelope"})
    # cvode follows the envelope by default (decision 60); lsoda has no envelope
    assert runplan.block_days(SolverSettings(engine="cvode")) == runplan.ENVELOPE_BLOCK_DAYS
    assert runplan.block_days(SolverSettings(engine="lsoda")) == runplan.BLOCK_DAYS == 365.0
    assert runplan.block_days(SolverSettings(engine="cvode", engine_options={"long_horizon": "exact"})) == 365.0
    assert runplan.block_days(env) == runplan.ENVELOPE_BLOCK_DAYS == 3650.0
    assert runplan.blocks(1825.0, length=3650.0) == [(0.0, 1825.0)]
    assert runplan.blocks(4000.0, 100.0, 3650.0) == [(100.0, 3650.0), (3650.0, 4000.0)]
    spans = []
    real = runplan.integrate
    monkeypatch.setattr(runplan, "integrate", lambda c, y, p, t, **k: spans.append((t[0], t[-1])) or real(c, y, p, t, **k))
    m = rlsmodel.Model(engine="cvode", engine_options={"long_horizon": "envelope"})
    m.simulate(800, sample_every_hours=24.0, keep=["brain_iron"])
    assert spans == [(0.0, 800.0)]
    spans.clear()
    exact_model.simulate(800, sample_every_hours=24.0, keep=["brain_iron"])
    assert spans == [(0.0, 365.0), (365.0, 730.0), (730.0, 800.0)]
    if model.settings.engine == "cvode":   # the default model follows the envelope (decision 60)
        spans.clear()
        model.simulate(800, sample_every_hours=24.0, keep=["brain_iron"])
        assert spans == [(0.0, 800.0)]
    small = runplan.estimate(3650, 1.0, 8.0, 1, 40, 60, 0, "cvode")
    large = runplan.estimate(3650, 1.0, 8.0, 1, 40, 60, 0, "cvode", runplan.block_days(env))
    assert large.work_bytes == pytest.approx(10 * small.work_bytes, rel=1e-3)


def test_a_dose_on_a_block_boundary_is_given_exactly_once(exact_model):
    """An infusion at midnight of day 365 (the end of the first block) is applied once: the
    complex holds the dose right after it, not twice the dose. On cvode's exact path, whose
    blocks end at day 365 (the envelope's end every 3650 days, decision 48)."""
    model = exact_model
    reg = Regimen.once("ferric_carboxymaltose", 500.0, 365, 0.0)
    ds = model.simulate(366, "iron_deficient", regimen=reg, sample_every_hours=24.0,
                        keep=["ferric_carboxymaltose_plasma", "iron_intake_total"])
    assert float(ds["ferric_carboxymaltose_plasma"].sel(time=365.0)) == pytest.approx(500.0, rel=1e-9)
    assert float(ds["ferric_carboxymaltose_plasma"].sel(time=364.0)) == 0.0
    jump = float(ds["iron_intake_total"].sel(time=365.0) - ds["iron_intake_total"].sel(time=364.0))
    assert 500.0 < jump < 510.0       # the dose once (not twice), plus a day of absorption (~2-3 mg)


def test_blocked_run_agrees_with_one_unbroken_integration(model):
    """A 2-year run (two blocks) agrees with a single integration over the same samples to
    the solver tolerance, with daily doses across the boundary; the samples are the same."""
    from rlsmodel.integrate import integrate
    reg = Regimen.daily("pramipexole", 0.25, 21.0)
    ds = model.simulate(730, "rls_genetic", regimen=reg, sample_every_hours=24.0)
    p = model.parameter_vector("rls_genetic")
    y0, _ = model.periodic_state(p)
    events = model.system.ledger_events(reg.events(model, 730.0))
    t = ds["time"].values
    Y = integrate(model.compiled, y0, p, t, events=events, settings=model.settings, scale=model.state_scale)
    states = np.array([ds[n].values for n in model.compiled.state_names])
    scale = model.state_scale[:, None]
    err = np.max(np.abs(states - Y) / np.maximum(np.abs(Y), scale), axis=1)
    # every state within 1e-6 but the day-long mean of the drug-pulse drive (decision 50), whose
    # forcing (the smooth positive part of the drug's daily fall) has a sharp corner each evening:
    # a restart at the block boundary moves it by 2.6e-6 (cvode; every other state <= 5.1e-8)
    pulse = model.compiled.state_names.index("d2_drug_pulse_mean")
    assert np.delete(err, pulse).max() < 1e-6 and err[pulse] < 1e-5
    # the first block is the same call up to its end; there CVODE stops exactly (a stop time at
    # a call's end) where the unbroken run interpolates: that sample agrees to the tolerance above
    np.testing.assert_array_equal(states[:, :365], Y[:, :365])


# -- progress --------------------------------------------------------------------------------
def test_progress_bar_in_days_when_asked_and_silent_otherwise(model, monkeypatch):
    err = io.StringIO()
    monkeypatch.setattr("sys.stderr", err)
    model.simulate(400, sample_every_hours=24.0, keep=["brain_iron"], progress=True)
    shown = err.getvalue()
    assert "simulate" in shown and "0/400 days" in shown and "400/400 days" in shown
    err.truncate(0)
    err.seek(0)
    model.simulate(400, sample_every_hours=24.0, keep=["brain_iron"])          # short run: no bar
    assert err.getvalue() == ""
    with pytest.raises(ValueError, match="progress must be one of"):
        model.simulate(1, progress="yes")


def test_a_sweep_keeping_huge_trajectories_is_refused_before_any_work(model, tmp_path):
    store = tmp_path / "big.zarr"
    with pytest.raises(rlsmodel.RunTooLargeError, match=r"keep='trajectories' would hold 1000 points x 87,601"):
        rlsmodel.sweep({"diet_iron": list(np.linspace(5.0, 30.0, 1000))}, days=3650, model=model,
                       keep="trajectories", store=store)
    assert not store.exists() and not (tmp_path / "big.zarr.parts").exists()
