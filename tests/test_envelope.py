"""Envelope following on the one-day map (cvode option ``long_horizon="envelope"``, decision 33).

Accuracy only (no timing; speed is measured in ``benchmarks/``): against the exact path at
tight tolerances over 5 years of daily pramipexole started after a baseline, the envelope must
keep every final state within 1e-4 of its scale (``max(|ref|, nominal)``), and on every symptom
day the same presence of symptoms, onset within 0.05 h and IRLS-like score within 0.05 points,
and the same augmentation verdict. It must actually skip days (otherwise the test proves
nothing), integrate exactly across a regimen change, and leave the exact path one option away.
"""
from __future__ import annotations

import numpy as np
import pytest

import rlsmodel
from rlsmodel import outcomes
from rlsmodel.engines import envelope
from rlsmodel.engines.base import make_problem, SolverSettings
from rlsmodel.engines import get_engine

from conftest import nominal_scale

pytestmark = pytest.mark.slow

START_DAY = 14
ONSET_H, IRLS_POINTS, TARGET = 0.05, 0.05, 1e-4
ENVELOPE = {"long_horizon": "envelope"}
EXACT = {"long_horizon": "exact"}
#: decision 53's jumps (the default until decision 58): a settling day after every jump, held states
#: slaved through the midnight Jacobian, no hinge guard, mass pools' errors damped (before decision 60)
DECISION53 = {**ENVELOPE, "envelope_settle": 1, "envelope_relaxed": False, "envelope_jacobian": "midnight",
              "envelope_hinge_guard": "off", "envelope_balance_undamped": False}


@pytest.fixture(scope="module")
def cvode_model():
    ok, why = get_engine("cvode").available()
    if not ok:
        pytest.skip(why)
    return rlsmodel.Model(engine="cvode")


def _compare(model, days, regimen, params=None, options=ENVELOPE, rtol=None):
    """Envelope against the exact path: final states, and onset and IRLS on every symptom day,
    against the exact path at rtol 1e-10; the verdicts equal to the exact path's at the
    envelope's own tolerances (the option it replaces), and within a day of the 1e-10 run's.

    The first day meeting the criteria is a threshold crossing of the daily scores: it is only
    defined to the integrator's tolerance. Measured (decision 55's defaults, 10 years of
    pramipexole 0.25 mg, onset within 0.003 h and IRLS within 0.003 of the 1e-10 run): day 1868 at
    rtol 1e-10, day 1867 on the exact path at rtol 1e-7, 5e-8 and 2e-8 and on the envelope.
    """
    kw = dict(profile="rls_genetic", params=params, regimen=regimen)
    ref = model.simulate(days, engine_options=EXACT, rtol=1e-10, atol=1e-12, **kw)
    tol = {} if rtol is None else dict(rtol=rtol, atol=rtol * 1e-2)
    env = model.simulate(days, engine_options=options, **tol, **kw)
    same = model.simulate(days, engine_options=EXACT, **tol, **kw)
    scale = nominal_scale(model)
    names = model.compiled.state_names
    f_ref = np.array([ref[n].values[-1] for n in names])
    f_env = np.array([env[n].values[-1] for n in names])
    err = np.abs(f_env - f_ref) / np.maximum(np.abs(f_ref), scale)
    assert err.max() <= TARGET, f"{names[int(np.argmax(err))]} off by {err.max():.2e}"
    d_ref, d_env = outcomes.daily(ref), outcomes.daily(env)
    on_ref, on_env = d_ref["onset_hour"].values, d_env["onset_hour"].values
    assert np.array_equal(np.isnan(on_ref), np.isnan(on_env))
    assert np.nanmax(np.abs(on_env - on_ref), initial=0.0) <= ONSET_H
    assert np.max(np.abs(d_env["irls"].values - d_ref["irls"].values)) <= IRLS_POINTS
    start = START_DAY + outcomes.DAY_START_HOUR / 24.0
    v_ref = outcomes.augmentation(ref, start, daily_table=d_ref)
    v_env = outcomes.augmentation(env, start, daily_table=d_env)
    v_same = outcomes.augmentation(same, start)
    for key in ("augmented", "mpi_positive", "day_met", "day_met_clinically_relevant", "mpi_days"):
        assert v_env[key] == v_same[key], key
    for key in ("augmented", "mpi_positive"):
        assert v_env[key] == v_ref[key], key
    for key in ("day_met", "day_met_clinically_relevant"):
        assert (v_env[key] is None) == (v_ref[key] is None), key
        assert v_env[key] is None or abs(v_env[key] - v_ref[key]) <= 1, (key, v_env[key], v_ref[key])
    return env


def _skipped_days(model, days, regimen, options=ENVELOPE):
    """Days the envelope jumped across in one engine call over the whole run."""
    p = model.parameter_vector("rls_genetic")
    y0, _ = model.periodic_state(p)
    events = model.system.ledger_events(regimen.events(model, days, params=model.resolve_parameters("rls_genetic")))
    t = np.arange(0.0, days * 24.0 + 1.0) / 24.0
    problem = make_problem(model.compiled, y0, p, t, events, SolverSettings("cvode", engine_options=options),
                           model.state_scale)
    stats = {}
    Y = get_engine("cvode").integrate(problem, stats=stats)
    assert np.all(np.isfinite(Y))
    return stats


def test_five_years_of_pramipexole_match_the_exact_path(cvode_model):
    regimen = rlsmodel.Regimen.daily("pramipexole", 0.25, 21.0, start_day=START_DAY)
    _compare(cvode_model, 5 * 365 + outcomes.DAY_START_HOUR / 24.0, regimen)
    stats = _skipped_days(cvode_model, 730.0, regimen)
    assert stats["days_integrated"] + stats["days_skipped"] == 730
    # it does jump, and far (decision 46: states that relax within weeks are held across long
    # jumps; measured 530 of 730 days skipped, jumps of 20 days on average)
    assert stats["days_skipped"] > 400, stats
    assert stats["days_skipped"] / stats["jumps"] > 8, stats


def test_an_augmenting_patient_keeps_the_verdict_and_its_day(cvode_model):
    regimen = rlsmodel.Regimen.daily("pramipexole", 0.75, 21.0, start_day=START_DAY)
    _compare(cvode_model, 2 * 365 + outcomes.DAY_START_HOUR / 24.0, regimen, {"bbb_uptake_gain": 0.4})


def test_ten_years_final_states_and_every_day(cvode_model):
    regimen = rlsmodel.Regimen.daily("pramipexole", 0.25, 21.0, start_day=START_DAY)
    env = _compare(cvode_model, 10 * 365 + outcomes.DAY_START_HOUR / 24.0, regimen)
    assert "envelope" in str(env.attrs["solver_options"])


def test_every_state_at_every_sample_of_skipped_days(cvode_model):
    """Inside skipped days the samples are interpolated (quadratic in the day index): every state,
    every hourly sample, within 1e-4 of its scale over the onset of sensitization and beyond
    (linear interpolation was 3e-3 off in d2_sensitization here; decision 46)."""
    regimen = rlsmodel.Regimen.daily("pramipexole", 0.25, 21.0, start_day=START_DAY)
    kw = dict(profile="rls_genetic", regimen=regimen)
    ref = cvode_model.run(400, engine_options=EXACT, rtol=1e-10, atol=1e-12, **kw)
    env = cvode_model.run(400, engine_options=ENVELOPE, **kw)
    scale = nominal_scale(cvode_model)[:, None]
    err = np.abs(env.states - ref.states) / np.maximum(np.abs(ref.states), scale)
    worst = np.unravel_index(np.argmax(err), err.shape)
    assert err.max() <= TARGET, (f"{cvode_model.compiled.state_names[worst[0]]} off by {err.max():.2e} "
                                 f"at day {ref.time[worst[1]]:.2f}")


def test_held_states_follow_the_augmenting_chain_across_jumps(cvode_model):
    """Decision 53: the patient of bench_long_horizon.py (pramipexole 0.25 mg from day 0) augments in
    years 3-5, and D2 density (held across jumps of 4 days or more) follows the growing D2 tolerance.
    Slaved to the extrapolated states through the Jacobian, the held states let the jumps grow:
    fewer days integrated than holding them at their midnight values (measured 457 against 551 of
    1,825), and the run still meets every criterion against the exact path at rtol 1e-10."""
    regimen = rlsmodel.Regimen.daily("pramipexole", 0.25, 21.0)
    days = 5 * 365.0
    held = _skipped_days(cvode_model, days, regimen, {**DECISION53, "envelope_slaved": False})
    slaved = _skipped_days(cvode_model, days, regimen, DECISION53)
    assert slaved["days_integrated"] < 0.9 * held["days_integrated"], (slaved, held)
    _compare(cvode_model, days + outcomes.DAY_START_HOUR / 24.0, regimen)


def test_held_states_relax_along_the_linearized_envelope(cvode_model):
    """envelope_relaxed=True with envelope_jacobian="day_mean" (experimental, off by default): across
    a jump the held states are integrated along the envelope linearized with the Jacobian averaged
    over the measured day, so D2 density follows D2 tolerance at jumps longer than decision 53's
    loop-gain bound allowed. On the benchmark's patient (5 years, measured 419 days integrated
    against 448 with decision 53's slaved increment, 436 with the midnight Jacobian) fewer days are
    integrated, and the run meets every criterion against the exact path at rtol 1e-10. (Alone, with
    a settling day and no hinge guard, a 2-year rls_iron_deficient ropinirole 2 mg run ends with
    d2_priming 3.6e-4 of scale off, against 6e-5, because jumps grow across the onset of a hinge:
    decision 58 adds the guard.)"""
    regimen = rlsmodel.Regimen.daily("pramipexole", 0.25, 21.0)
    days = 5 * 365.0
    relaxed_options = {**DECISION53, "envelope_relaxed": True, "envelope_jacobian": "day_mean"}
    slaved = _skipped_days(cvode_model, days, regimen, DECISION53)
    midnight = _skipped_days(cvode_model, days, regimen, {**relaxed_options, "envelope_jacobian": "midnight"})
    relaxed = _skipped_days(cvode_model, days, regimen, relaxed_options)
    assert relaxed["days_integrated"] < 0.96 * slaved["days_integrated"], (relaxed, slaved)
    assert relaxed["days_integrated"] < midnight["days_integrated"], (relaxed, midnight)
    _compare(cvode_model, days + outcomes.DAY_START_HOUR / 24.0, regimen, options=relaxed_options)


def test_ropinirole_and_a_dose_change_match_the_exact_path(cvode_model):
    """Another drug, and a dose doubled after a year: the days around the change are integrated.

    At rtol 2e-8: with decision 55's threshold (2.3) ropinirole 2 mg starts the issue-14
    sensitization in year 3 (``d2_priming`` grows 25-fold in its last 5 months), and a state in
    exponential onset carries the integrator's relative error: at decision 58's default rtol 1e-7 the
    exact path ends 9.8e-5 and the envelope 2.45e-4 of ``d2_priming`` from the 1e-10 run (decision
    53's jumps 1.26e-4; target 1e-4); at 2e-8 the envelope ends 1.5e-5 off; at decision 62's default
    3e-8, 8.3e-5 (the 5-year run at the defaults: the test below)."""
    regimen = (rlsmodel.Regimen.daily("ropinirole", 1.0, 21.0, start_day=START_DAY, stop_day=365)
               + rlsmodel.Regimen.daily("ropinirole", 2.0, 21.0, start_day=365))
    _compare(cvode_model, 3 * 365 + outcomes.DAY_START_HOUR / 24.0, regimen, rtol=2e-8)


def test_days_whose_forcing_changes_are_integrated():
    """A regimen change makes the day irregular; closed-form curves that have not settled too."""
    events = [(d + 21.0 / 24.0, 3, 1.0, "add") for d in range(0, 10)] + \
             [(d + 21.0 / 24.0, 3, 2.0, "add") for d in range(10, 20)]
    reg = envelope.regular_days(events, None, np.ones(5), 1e-6, 0.0, 0.0, 20)
    assert reg[0] == 0                                    # the day before the run is unknown
    assert reg[1:10].all() and reg[11:].all()
    assert reg[10] == 0                                   # the dose changes on day 10


def test_fill_interpolates_skipped_days_clock_time_by_clock_time():
    t = np.arange(0, 10 * 4 + 1) / 4.0                   # 6-hourly, 10 days
    y = (t + np.sin(2 * np.pi * t))[None, :]             # a daily cycle on a linear drift
    skip = (t > 3.0) & (t < 7.0)
    out = np.where(skip, np.nan, y)
    envelope.fill_skipped(out, t, skip, np.array([[3, 4]]), 0.0)   # days 3-6 skipped
    np.testing.assert_allclose(out, y, atol=1e-12)       # exact for a linear envelope


def test_fill_of_states_that_follow_the_day_does_not_amplify_day_to_day_noise():
    """Decision 51: a state that relaxes within a day is filled linearly between the days around
    the jump (weights in [0, 1]), so a day-to-day error at a clock time (the integrator's error at
    a corner of the forcing) is not multiplied; the quadratic fill of slow states multiplies it by
    up to about K / 4 (here K = 20: 5x). Also: which states are filled linearly."""
    t = np.arange(0, 30 * 4 + 1) / 4.0                   # 6-hourly, 30 days
    noise = np.where(np.floor(t + 1e-9) % 2 == 0, 1e-6, -1e-6)   # alternating day-to-day error
    y = (np.sin(2 * np.pi * t) + noise)[None, :]
    skip = (t > 5.0) & (t < 25.0)                        # days 5-24 skipped: K = 20
    jumps = np.array([[5, 20]])
    lin, quad = np.where(skip, np.nan, y), np.where(skip, np.nan, y)
    envelope.fill_skipped(lin, t, skip, jumps, 0.0, linear=True)
    envelope.fill_skipped(quad, t, skip, jumps, 0.0)
    truth = np.sin(2 * np.pi * t)[None, :]
    assert np.abs(lin - truth).max() <= 1e-6 + 1e-12
    assert np.abs(quad - truth).max() > 4e-6             # the amplification the linear fill avoids
    # exact for a linear envelope as well
    drift = (t + np.sin(2 * np.pi * t))[None, :]
    out = np.where(skip, np.nan, drift)
    envelope.fill_skipped(out, t, skip, jumps, 0.0, linear=True)
    np.testing.assert_allclose(out, drift, atol=1e-12)
    # rate >= 1/day and in no mass balance: linear; the rest quadratic
    rate = np.array([0.004, 1.0, 8.3, 19.0])
    inv = np.array([[0.0, 0.0, 0.0, 1.0]])               # state 3 is in a mass balance
    slow, fast = envelope.within_a_day_rows(rate, np.arange(4), inv)
    assert slow.tolist() == [0, 3] and fast.tolist() == [1, 2]


def test_cubic_fill_of_extrapolated_states():
    """Decision 56: a state the jump extrapolated is filled cubic in the day index through the days
    L - 1, L, U and U + 1 (exact for a cubic envelope, where the quadratic through L - 1, L and U
    is not); a state the jump held (K x rate > hold_z) keeps the quadratic fill."""
    t = np.arange(0, 30 * 4 + 1) / 4.0                   # 6-hourly, 30 days
    env = 1e-3 * (t - 5.0) ** 3                          # a cubic envelope
    y = np.stack([env + np.sin(2 * np.pi * t), env + np.sin(2 * np.pi * t)])
    skip = (t > 5.0) & (t < 25.0)                        # days 5-24 skipped: K = 20
    jumps = np.array([[5, 20]])
    rate = np.array([0.01, 0.1])                         # 20 x 0.01 <= 0.5: extrapolated; 20 x 0.1: held
    out = np.where(skip, np.nan, y)
    envelope.fill_skipped(out, t, skip, jumps, 0.0, cubic=(rate, 0.5))
    np.testing.assert_allclose(out[0], y[0], atol=1e-10)          # cubic: exact
    quad = np.where(skip, np.nan, y)
    envelope.fill_skipped(quad, t, skip, jumps, 0.0)
    assert np.abs(quad[0] - y[0]).max() > 1e-2                     # the quadratic misses the cubic term
    np.testing.assert_array_equal(out[1], quad[1])                  # held: the quadratic fill


def test_fill_reads_the_nearest_integrated_days_when_jumps_follow_each_other():
    """With envelope_settle=0 a jump can start the day after the previous one landed, so L - 1 and
    U + 1 may be skipped: the fill then reads the nearest integrated days (the neighbouring jumps'
    L and U), and stays exact for a cubic envelope (quadratic for held states, exact for a
    quadratic one)."""
    t = np.arange(0, 40 * 4 + 1) / 4.0                   # 6-hourly, 40 days
    cub = 1e-3 * (t - 5.0) ** 3 + np.sin(2 * np.pi * t)
    quad = 1e-2 * (t - 5.0) ** 2 + np.sin(2 * np.pi * t)
    y = np.stack([cub, quad])
    jumps = np.array([[5, 6], [12, 8], [21, 10]])         # days 4, 11, 20 and 31 integrated only
    day = np.floor(t + 1e-9)
    skip = np.zeros(t.size, dtype=bool)
    for j, k in jumps:
        skip |= (day >= j) & (day < j + k)
    out = np.where(skip, np.nan, y)
    envelope.fill_skipped(out, t, skip, jumps, 0.0, cubic=(np.array([0.0, 1.0]), 0.5))
    inner = skip & (t >= 12.0) & (t < 20.0)               # the middle jump: integrated days on both sides
    np.testing.assert_allclose(out[0, inner], y[0, inner], atol=1e-9)
    np.testing.assert_allclose(out[1, skip], y[1, skip], atol=1e-9)


def test_without_a_settling_day_fewer_days_are_integrated(cvode_model):
    """Decision 58's default (no settling day, held states relaxed along the envelope with the
    day-mean Jacobian, the hinge guard): the landing day after a jump is the measured day. The
    benchmark's 5-year run integrates 276 days instead of decision 53's 448 and still meets every
    criterion of _compare."""
    regimen = rlsmodel.Regimen.daily("pramipexole", 0.25, 21.0)
    days = 5 * 365.0
    settled = _skipped_days(cvode_model, days, regimen, DECISION53)
    direct = _skipped_days(cvode_model, days, regimen, ENVELOPE)
    assert direct["days_integrated"] < 0.7 * settled["days_integrated"], (direct, settled)
    _compare(cvode_model, days + outcomes.DAY_START_HOUR / 24.0, regimen)


def test_the_hinge_guard_integrates_a_hinge_switching_on(cvode_model):
    """Decision 58: in a 2-year rls_iron_deficient run on ropinirole 2 mg the drug-pulse
    sensitization's hinge (beyond its reserve) switches on in the second year, and with it the
    drive of d2_priming. Without a settling day, jumps extrapolated across it (d2_priming ended
    3.4e-4 of its scale off); the hinge guard integrates the days where a hinge's daily peak
    argument moves through its kink, so every final state is within 1e-4 of its scale (measured
    1.8e-5; decision 53's jumps 6.1e-5). Without the guard it is not (the test proves something)."""
    regimen = rlsmodel.Regimen.daily("ropinirole", 2.0, 21.0, start_day=START_DAY)
    kw = dict(regimen=regimen, sample_every_hours=24.0)
    ref = cvode_model.run(730, "rls_iron_deficient", engine_options=EXACT, rtol=1e-10, atol=1e-12, **kw).states
    scale = np.maximum(np.abs(ref[:, -1]), nominal_scale(cvode_model))
    errors = {}
    for guard in ("exact", "off"):
        env = cvode_model.run(730, "rls_iron_deficient", engine_options={**ENVELOPE, "envelope_hinge_guard": guard},
                              **kw).states
        errors[guard] = np.abs(env[:, -1] - ref[:, -1]) / scale
    names = cvode_model.compiled.state_names
    worst = int(np.argmax(errors["exact"]))
    assert errors["exact"].max() <= TARGET, f"{names[worst]} off by {errors['exact'].max():.2e}"
    assert errors["off"].max() > TARGET, errors["off"].max()


def test_the_exact_path_is_one_option_away(cvode_model):
    ds = cvode_model.simulate(70, "rls_genetic", engine_options=EXACT, sample_every_hours=24.0)
    assert "long_horizon" in ds.attrs["solver_options"]
    with pytest.raises(ValueError, match="long_horizon"):
        cvode_model.simulate(70, "rls_genetic", engine_options={"long_horizon": "fast"})


def test_a_five_year_trial_gives_the_same_verdicts_patient_by_patient(cvode_model):
    """Both tiers (visits and noise-free), every arm, patient by patient (a small n: speed is
    measured in benchmarks/bench_long_horizon.py)."""
    arms = {"pramipexole 0.5 mg": rlsmodel.Regimen.daily("pramipexole", 0.5, 21.0),
            "ropinirole 2 mg": rlsmodel.Regimen.daily("ropinirole", 2.0, 21.0)}
    out = {}
    for path in ("exact", "envelope"):
        model = rlsmodel.Model(engine="cvode", engine_options={"long_horizon": path})
        out[path] = rlsmodel.virtual_trial(arms, n=3, weeks=5 * 52, seed=5, model=model, workers=1, progress=False)
    ex, en = out["exact"], out["envelope"]
    assert (ex["status"].values == "ok").all() and (en["status"].values == "ok").all()
    for name in ("augmented", "mpi_positive", "augmented_biological", "day_met", "day_met_clinically_relevant"):
        np.testing.assert_array_equal(en[name].values, ex[name].values, err_msg=name)
    np.testing.assert_allclose(en["irls_change_end"].values, ex["irls_change_end"].values, atol=0.05)


def test_mass_pools_weighed_in_full_keep_the_oral_iron_run(cvode_model):
    """Decision 60: with oral iron the plasma iron pool (rate 19.5/day) is held across jumps and lands
    about K x its drift off. Decision 58's error estimate forgave it (damping weight 1e-3), but relaxing
    hands the misplaced iron to the slow pools (brain iron -> DAT/TH -> the supraphysiological hinge),
    the same sign every jump, and d2_priming integrates that drive: final 2.4e-4 of scale and one IRLS
    day 1.05 points off with ``envelope_balance_undamped=False``. Weighed in full (the default):
    measured 2.8e-5 and 0.001 (227 of 744 days skipped instead of 626); the 5-year benchmark run is
    unchanged (276 days integrated)."""
    regimen = (rlsmodel.Regimen.daily("pramipexole", 0.25, 21.0, start_day=START_DAY)
               + rlsmodel.Regimen.daily("ferrous_sulfate", 65.0, 8.0, start_day=START_DAY))
    _compare(cvode_model, START_DAY + 730 + outcomes.DAY_START_HOUR / 24.0, regimen, options=ENVELOPE)


def test_five_titrated_years_at_the_default_settings_match_a_tight_reference():
    """``Model()`` as a new user runs it (decision 60: the envelope is the default) on five years of
    pramipexole stepped up 0.25 -> 0.5 -> 0.75 mg at days 379 and 744, as the dose policy of the
    long-term trial steps it: final states, every day's onset and IRLS and the verdicts against the
    exact path at rtol 1e-10. Measured: worst final state 1.4e-5 of scale (`d2_tolerance`), onset
    within 0.007 h, IRLS within 0.009."""
    model = rlsmodel.Model()
    if model.settings.engine != "cvode":
        pytest.skip("the envelope is cvode's")
    assert model.settings.options()["long_horizon"] == "envelope"
    daily = rlsmodel.Regimen.daily
    regimen = (daily("pramipexole", 0.25, 21.0, start_day=START_DAY, stop_day=379)
               + daily("pramipexole", 0.5, 21.0, start_day=379, stop_day=744)
               + daily("pramipexole", 0.75, 21.0, start_day=744))
    _compare(model, 5 * 365 + outcomes.DAY_START_HOUR / 24.0, regimen, options={})


def test_five_years_of_ropinirole_with_a_dose_change_at_the_default_settings():
    """Decision 62: ropinirole 1 mg, doubled after a year, for 5 years on ``Model()``: ``d2_priming``
    starts the issue-14 sensitization in year 3 and carries the integrator's relative error through its
    exponential onset. At decision 60's rtol 1e-7 the envelope ended 1.24e-4 of scale off the
    1e-10 run (`d2_sensitization`); at the default 3e-8 (envelope tolerance kept at 2e-5) 2.4e-5."""
    model = rlsmodel.Model()
    if model.settings.engine != "cvode":
        pytest.skip("the envelope is cvode's")
    regimen = (rlsmodel.Regimen.daily("ropinirole", 1.0, 21.0, start_day=START_DAY, stop_day=365)
               + rlsmodel.Regimen.daily("ropinirole", 2.0, 21.0, start_day=365))
    _compare(model, 5 * 365 + outcomes.DAY_START_HOUR / 24.0, regimen, options={})
