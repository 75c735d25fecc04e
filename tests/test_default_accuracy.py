"""The default tolerances and every speed-up hold the accuracy users need (issue 15).

Accuracy target: after 2 years of daily dosing, every state within 1e-4 of a tight reference,
relative to its scale (``|y - ref| <= 1e-4 * max(|ref|, scale)``, ``scale`` the state's
nominal magnitude, floor 1e-3, as in ``benchmarks/``), and the daily clinical outcomes the
same as the reference's: on every symptom day the same presence of symptoms (onset NaN or
not), onset within 1 minute, IRLS-like score within 0.05 points (of 40), and the same
augmentation verdict (tier, day met, clinically relevant day, and every MPI-positive day).

The reference is ``engine="lsoda"`` at rtol 1e-10 / atol 1e-12 from the same start state (the
periodic state does not depend on the run's settings). Runs are 730 days after an untreated
baseline of 14 days, hourly samples (what the daily outcomes need). Scenarios: the benchmark's
pramipexole 0.25 mg; pramipexole 0.75 mg with a low BBB uptake gain, which augments (the verdict
and its day are checked, not just "no augmentation"); levodopa (fast absorption and
elimination: the stiffest closed-form chain); a rotigotine patch taken off on day 400 (an input
chain, "set" events); and oral iron beside pramipexole (oral iron is absorbed through a
hepcidin gate: not linear, so its doses stay events while pramipexole is in closed form).

What is checked: ``Model()`` at its defaults (whatever engine it picked), and every engine at
the default tolerances with each speed-up on and off: ``cvode`` defaults (closed-form linear
PK, Adams, only the active states integrated), ``cvode`` with doses as events, with doses as
events and an explicit first step after each restart, ``lsoda`` defaults (doses as events)
and ``lsoda`` with closed-form PK. No timing here: speed is measured in ``benchmarks/``.
"""
from __future__ import annotations

import numpy as np
import pytest

import rlsmodel
from rlsmodel import outcomes
from rlsmodel.engines import SolverSettings, default_engine
from rlsmodel.engines.base import DEFAULT_ATOL, DEFAULT_RTOL

from conftest import nominal_scale

pytestmark = pytest.mark.slow

START_DAY = 14
DAYS = START_DAY + 730 + outcomes.DAY_START_HOUR / 24.0
TARGET = 1e-4
ONSET_MINUTES = 1.0
IRLS_POINTS = 0.05
VERDICT = ("augmented", "mpi_positive", "day_met", "day_met_clinically_relevant", "mpi_days")

SCENARIOS = {
    "pramipexole": (rlsmodel.Regimen.daily("pramipexole", 0.25, 21.0, start_day=START_DAY), None),
    "pramipexole_augmenting": (rlsmodel.Regimen.daily("pramipexole", 0.75, 21.0, start_day=START_DAY),
                               {"bbb_uptake_gain": 0.4}),
    "levodopa": (rlsmodel.Regimen.daily("levodopa", 100.0, 21.0, start_day=START_DAY), None),
    "rotigotine_removed": (rlsmodel.Regimen.daily("rotigotine", 2.0, 9.0, start_day=START_DAY, stop_day=400), None),
    "oral_iron_and_pramipexole": (rlsmodel.Regimen.daily("pramipexole", 0.25, 21.0, start_day=START_DAY)
                                  + rlsmodel.Regimen.daily("ferrous_sulfate", 65.0, 8.0, start_day=START_DAY), None),
}

#: variant -> (engine, engine options, rtol or None for the engine's default). With the drug
#: compartments integrated (doses as events) CVODE carries their peak error into the stimulation
#: that issue 14's sharp tolerance hinge amplifies: at its default 1e-7 levodopa's d2_tolerance
#: ends 1.18e-4 off the reference, so that mode is documented (cvode's linear_pk option) and
#: checked at rtol 5e-8 (measured: within 1e-5 in every scenario); the default mode (closed
#: form) meets the target at 1e-7.
EVENTS_RTOL = 5e-8
VARIANTS = {
    "cvode defaults": ("cvode", None, None),
    "cvode, doses as events": ("cvode", {"linear_pk": "events"}, EVENTS_RTOL),
    "cvode, doses as events, first step 1e-6 d": ("cvode", {"linear_pk": "events", "first_step": 1e-6}, EVENTS_RTOL),
    "lsoda defaults": ("lsoda", None, None),
    "lsoda, closed-form PK": ("lsoda", {"linear_pk": "closed_form"}, None),
}

_REFERENCES = {}


def _simulate(model, scenario, **kwargs):
    regimen, params = SCENARIOS[scenario]
    return model.simulate(DAYS, "rls_genetic", params=params, regimen=regimen, **kwargs)


def _reference(model, scenario):
    """(final states, daily table, augmentation verdict) of the tight lsoda run (memoised)."""
    if scenario not in _REFERENCES:
        ref = _simulate(model, scenario, engine="lsoda", rtol=1e-10, atol=1e-12)
        _REFERENCES[scenario] = _summary(model, ref)
    return _REFERENCES[scenario]


def _summary(model, ds):
    final = np.array([ds[n].values[-1] for n in model.compiled.state_names])
    return final, outcomes.daily(ds), outcomes.augmentation(ds, START_DAY + outcomes.DAY_START_HOUR / 24.0)


def _check(model, scenario, ds, what):
    ref_final, ref_daily, ref_verdict = _reference(model, scenario)
    final, daily, verdict = _summary(model, ds)
    scale = nominal_scale(model)
    err = np.abs(final - ref_final) / np.maximum(np.abs(ref_final), scale)
    worst = model.compiled.state_names[int(np.argmax(err))]
    assert err.max() <= TARGET, f"{what}, {scenario}: {worst} off the tight reference by {err.max():.2e}"
    np.testing.assert_array_equal(daily["day"].values, ref_daily["day"].values)
    onset, ref_onset = daily["onset_hour"].values, ref_daily["onset_hour"].values
    assert np.array_equal(np.isnan(onset), np.isnan(ref_onset)), f"{what}, {scenario}: symptom days differ"
    assert np.nanmax(np.abs(onset - ref_onset), initial=0.0) * 60.0 <= ONSET_MINUTES, \
        f"{what}, {scenario}: onset differs by {np.nanmax(np.abs(onset - ref_onset)) * 60:.2f} min"
    d_irls = np.max(np.abs(daily["irls"].values - ref_daily["irls"].values))
    assert d_irls <= IRLS_POINTS, f"{what}, {scenario}: IRLS differs by {d_irls:.3f} points"
    for key in VERDICT:
        assert verdict[key] == ref_verdict[key], f"{what}, {scenario}: augmentation {key} {verdict[key]!r} " \
                                                 f"!= reference {ref_verdict[key]!r}"
    return err.max()


def test_the_defaults_are_the_ones_this_file_checks():
    assert (DEFAULT_RTOL, DEFAULT_ATOL) == (1e-6, 1e-8)
    assert (SolverSettings().rtol, SolverSettings().atol) == (1e-7, 1e-9)                        # lsoda
    assert (SolverSettings(engine="cvode").rtol, SolverSettings(engine="cvode").atol) == (3e-8, 3e-10)  # decision 62
    assert (SolverSettings(engine="scipy").rtol, SolverSettings(engine="scipy").atol) == (1e-6, 1e-8)
    assert SolverSettings(engine="cvode", rtol=1e-5).atol == 3e-10         # each left None is the engine's
    model = rlsmodel.Model()
    assert model.settings.engine == default_engine()
    assert model.settings == SolverSettings(engine=default_engine())
    # another engine than the model's runs at its own defaults, not the model's
    ds = model.simulate(0.5, engine="lsoda", sample_every_hours=6.0)
    assert (ds.attrs["solver_rtol"], ds.attrs["solver_atol"]) == (1e-7, 1e-9)


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_model_defaults_meet_the_accuracy_target(model, scenario):
    """``Model()`` as a user gets it, at its defaults, against the tight reference."""
    ds = _simulate(rlsmodel.Model(), scenario)
    assert ds.attrs["solver_engine"] == default_engine()
    assert ds.attrs["solver_rtol"] == SolverSettings(engine=default_engine()).rtol
    _check(model, scenario, ds, f"Model() defaults ({default_engine()})")


@pytest.mark.parametrize("scenario", list(SCENARIOS))
@pytest.mark.parametrize("variant", list(VARIANTS))
def test_each_speed_up_meets_the_accuracy_target(model, scenario, variant):
    engine, options, rtol = VARIANTS[variant]
    tolerances = {} if rtol is None else {"rtol": rtol, "atol": rtol / 100}
    ds = _simulate(model, scenario, engine=engine, engine_options=options, **tolerances)  # else the engine's defaults
    assert ds.attrs["solver_engine"] == engine
    assert ds.attrs["solver_rtol"] == (SolverSettings(engine=engine).rtol if rtol is None else rtol)
    _check(model, scenario, ds, variant)


#: Points of the benchmark's sample (``latin_hypercube`` over the ranges of these parameters,
#: n = 100, seed 8; benchmarks/bench_throughput.py): the three where rtol 1e-6 missed the target
#: with cvode (79, 57, 11) and five more.
BENCH_PARAMETERS = ("bbb_uptake_gain", "neuron_uptake_gain", "diet_iron", "pramipexole_half_life")
BENCH_POINTS = (79, 57, 11, 0, 25, 50, 75, 99)


@pytest.mark.parametrize("engine", ["default", "lsoda"])
def test_defaults_hold_over_the_benchmark_parameter_ranges(model, engine):
    """Final states of 2 dosed years (the benchmark's run) within 1e-4 at points spread over the
    swept ranges (bbb and neuron uptake gains 0.2-2, diet iron 5-30 mg/day, half-life 8-12 h)."""
    from rlsmodel.samplers import latin_hypercube
    ranges = {n: tuple(model.parameters[n].range) for n in BENCH_PARAMETERS}
    sample = latin_hypercube(ranges, n=100, seed=8, model=model)
    runner = rlsmodel.Model() if engine == "default" else model
    regimen = rlsmodel.Regimen.daily("pramipexole", 0.25, 21.0)
    scale = nominal_scale(model)
    worst = 0.0
    for i in BENCH_POINTS:
        point = sample.point(i)
        ref = model.simulate(730, "rls_genetic", params=point, regimen=regimen, sample_every_hours=24.0,
                             engine="lsoda", rtol=1e-10, atol=1e-12)
        ds = runner.simulate(730, "rls_genetic", params=point, regimen=regimen, sample_every_hours=24.0,
                             **({} if engine == "default" else {"engine": engine}))
        r = np.array([ref[n].values[-1] for n in model.compiled.state_names])
        y = np.array([ds[n].values[-1] for n in model.compiled.state_names])
        err = np.abs(y - r) / np.maximum(np.abs(r), scale)
        assert err.max() <= TARGET, f"point {i} {point}: {model.compiled.state_names[int(err.argmax())]} off by {err.max():.2e}"
        worst = max(worst, err.max())
    assert worst > 0.0                                   # the comparison saw a real difference


def test_the_reference_is_itself_converged(model):
    """The reference is tight enough to judge 1e-4: a 10x looser lsoda run is within 1e-6 of it."""
    ref_final, _, _ = _reference(model, "levodopa")
    looser = _simulate(model, "levodopa", engine="lsoda", rtol=1e-9, atol=1e-11)
    final = np.array([looser[n].values[-1] for n in model.compiled.state_names])
    err = np.abs(final - ref_final) / np.maximum(np.abs(ref_final), nominal_scale(model))
    assert err.max() < 1e-6
