"""Tests of rlsmodel.outcomes: synthetic trajectories with known answers, then the real model."""
import numpy as np
import pytest
import xarray as xr

from rlsmodel import outcomes as oc
from rlsmodel.activity import Activity


# --------------------------------------------------------------------------------------------
# synthetic datasets
# --------------------------------------------------------------------------------------------
def make_ds(urge_fn, days, dt_h, activity=None):
    """Dataset with ``urge_at_rest = urge_fn(t)`` and symptom/activity from an Activity."""
    activity = Activity.always_at_rest() if activity is None else activity
    t = np.arange(0.0, days + 1e-9, dt_h / 24.0)
    clock = np.mod(t, 1.0) * 24.0
    urge = np.asarray(urge_fn(t), dtype=float)
    factor = activity.factor(clock)
    return xr.Dataset(
        {"urge_at_rest": ("time", urge), "symptom": ("time", urge * factor),
         "activity": ("time", activity.mode_at(clock).astype(str)),
         "activity_factor": ("time", factor)},
        coords={"time": t})


def day_hour(t):
    """(symptom day, clock hour in [6, 30)) of times t (days)."""
    d = np.floor(t - 0.25).astype(int)
    return d, (t - d) * 24.0


def ramp_urge(onset_of_day, peak_of_day, slope=2.0, threshold=oc.DEFAULT_THRESHOLD):
    """Urge rising at ``slope``/h to cross ``threshold`` exactly at the day's onset hour,
    holding at the day's peak, fading to 0 over 04:00-06:00."""
    def fn(t):
        d, h = day_hour(t)
        d = np.clip(d, 0, None)
        on = np.asarray([onset_of_day(int(k)) for k in d])
        pk = np.asarray([peak_of_day(int(k)) for k in d])
        u = np.clip(slope * (h - on) + threshold, 0.0, pk)
        return u * np.clip((30.0 - h) / 2.0, 0.0, 1.0)
    return fn


@pytest.mark.parametrize("dt_h", [0.1, 0.25, 0.7, 1.0])
def test_onset_exact_crossing_time_on_any_grid(dt_h):
    ds = make_ds(ramp_urge(lambda d: 19.5, lambda d: 8.0), days=5, dt_h=dt_h, activity=Activity.default())
    out = oc.daily(ds)
    np.testing.assert_allclose(out["onset_hour"].values, 19.5, atol=1e-9)
    # overriding the threshold moves the crossing along the 2/h ramp
    np.testing.assert_allclose(oc.daily(ds, threshold=5.0)["onset_hour"].values, 20.5, atol=1e-9)


def test_onset_after_midnight_and_partial_days_dropped():
    ds = make_ds(ramp_urge(lambda d: 25.5, lambda d: 6.0), days=5, dt_h=0.5)
    out = oc.daily(ds)
    assert list(out["day"].values) == [0, 1, 2, 3]        # day 4 (4.25-5.25) is incomplete
    np.testing.assert_allclose(out["onset_hour"].values, 25.5, atol=1e-9)
    assert out["onset_hour"].attrs["units"] == "h"
    for name in out.data_vars:
        assert {"units", "long_name", "description"} <= set(out[name].attrs)


def test_onset_all_day_and_morning_residue():
    always = make_ds(lambda t: np.full(t.shape, 5.0), days=4, dt_h=0.5)
    np.testing.assert_allclose(oc.daily(always)["onset_hour"].values, 6.0)

    # above the threshold at 06:00 (night residue), below by 08:00, a new rise at 20:00
    def fn(t):
        _, h = day_hour(t)
        return np.where(h < 8.0, 5.0 - (h - 6.0) * 2.0, np.clip(2.0 * (h - 20.0) + 3.0, 0.0, 7.0))
    out = oc.daily(make_ds(fn, days=4, dt_h=0.25))
    np.testing.assert_allclose(out["onset_hour"].values, 20.0, atol=1e-9)


def test_symptoms_carried_on_through_the_morning_start_the_day():
    """Severe augmentation: the urge runs from the night past noon, dips under an evening dose
    (20:00-22:00) and rises again; the onset is 06:00, not the later rise."""
    def fn(t):
        _, h = day_hour(t)
        return np.where((h >= 14.0) & (h < 15.0), 1.0, np.where((h >= 20.0) & (h < 22.0), 1.0, 6.0))
    np.testing.assert_allclose(oc.daily(make_ds(fn, days=4, dt_h=0.25))["onset_hour"].values, 6.0)

    # the same, but the night residue ends at 11:00 (before noon): the 15:00 rise is the onset
    def fn2(t):
        _, h = day_hour(t)
        return np.where((h >= 11.0) & (h < 15.0), 1.0, 6.0)
    out = oc.daily(make_ds(fn2, days=4, dt_h=0.25))
    np.testing.assert_allclose(out["onset_hour"].values, 15.0, atol=0.25)


def test_burden_peak_and_hours_above_are_exact():
    ds = make_ds(lambda t: np.full(t.shape, 4.0), days=4, dt_h=0.7)     # grid not aligned with days
    out = oc.daily(ds)
    np.testing.assert_allclose(out["burden"].values, 96.0, rtol=1e-12)  # 4/10 x 24 h
    np.testing.assert_allclose(out["peak"].values, 4.0)
    np.testing.assert_allclose(out["hours_above"].values, 24.0, rtol=1e-12)
    np.testing.assert_allclose(oc.daily(ds, threshold=4.5)["hours_above"].values, 0.0)


def test_zero_urge_is_healthy():
    ds = make_ds(lambda t: np.zeros(t.shape), days=4, dt_h=0.5, activity=Activity.default())
    out = oc.daily(ds)
    assert np.all(np.isnan(out["onset_hour"].values))
    assert np.all(np.isnan(out["latency_at_rest_h"].values))
    assert np.all(out["irls"].values <= 0.5)
    np.testing.assert_allclose(out["plms_index"].values, oc.PLMS_BASE_PER_H)
    assert np.all(out["plms_index"].values < 5.0)
    np.testing.assert_allclose(out["sleep_disruption"].values, 0.0)
    np.testing.assert_allclose(out["burden"].values, 0.0)
    np.testing.assert_allclose(out["asrs"].values, 0.0)


def test_latency_at_rest_matches_exponential_build_up():
    # urge at rest constant 6 from 12:00; the evening rest starts at 18:00 (default schedule);
    # symptom = 6 (1 - exp(-e / 0.33 h)) crosses 3 at e = 0.33 ln 2
    def fn(t):
        _, h = day_hour(t)
        return np.where((h >= 12.0) & (h < 29.0), 6.0, 0.0)
    out = oc.daily(make_ds(fn, days=4, dt_h=0.1, activity=Activity.default()))
    np.testing.assert_allclose(out["latency_at_rest_h"].values, 0.33 * np.log(2.0), atol=0.02)
    # a later evening rest start (sedentary from 20:00) keeps the latency
    late = Activity(segments=((7.0, 20.0, "active"), (20.0, 23.0, "sedentary"), (23.0, 7.0, "asleep")))
    out = oc.daily(make_ds(fn, days=4, dt_h=0.25, activity=late))
    np.testing.assert_allclose(out["latency_at_rest_h"].values, 0.33 * np.log(2.0), atol=0.03)


def test_plms_and_irls_are_monotone_in_urge():
    u = np.linspace(0, 10, 101)
    assert np.all(np.diff(oc.plms_rate(u)) > 0)
    assert oc.plms_rate(0.0) < 5.0 and 15.0 <= oc.plms_rate(6.0) <= 40.0
    scores = []
    for peak in (0.5, 2.0, 4.0, 6.0, 8.0, 10.0):
        ds = make_ds(ramp_urge(lambda d: 21.0, lambda d, p=peak: p), days=3, dt_h=0.5,
                     activity=Activity.default())
        scores.append(float(oc.daily(ds)["irls"].isel(day=1)))
    assert np.all(np.diff(scores) > 0), scores
    assert scores[0] < 2.0 and scores[-1] <= 40.0


# --------------------------------------------------------------------------------------------
# augmentation on synthetic trajectories (always at rest: latency never changes, so only the
# onset and the intensity clauses act)
# --------------------------------------------------------------------------------------------
START = 14         # regimen start day; baseline days 0..12 end by 14.0, day 13 straddles it


def test_week_by_week_advancing_onset_meets_mpi_on_expected_day():
    # baseline onset 22:00; on treatment the onset moves 1.1 h earlier each week. Week 3
    # (3.3 h) lacks a supporting feature; week 4 (4.4 h) meets criterion B alone. The first
    # 7-day window with a median advance >= 4 h ends on the 4th day of week 4.
    def onset(d):
        return 22.0 if d < START else 22.0 - 1.1 * ((d - START) // 7)
    ds = make_ds(ramp_urge(onset, lambda d: 7.0), days=START + 70, dt_h=0.5)
    res = oc.augmentation(ds, START)
    assert res["mpi_positive"] is True
    assert res["day_met"] == START + 4 * 7 + 3
    assert res["augmented"] is True                        # the advance persists to the end
    assert res["day_met_clinically_relevant"] == res["day_met"]
    np.testing.assert_allclose(res["baseline_onset_hour"], 22.0, atol=1e-9)
    # late window: the last 28 treated days (69..82 of weeks 5-9, 5.5-9.9 h): median 7.7 h
    np.testing.assert_allclose(res["onset_advance_h"], 7.7, atol=1e-6)
    assert res["severity_ratio"] > 1.0
    daily = oc.daily(ds, baseline_days=range(0, START - 1))
    assert daily["asrs"].sel(day=START + 70 - 2) > daily["asrs"].sel(day=START + 7)


def test_two_to_four_hour_advance_needs_a_supporting_feature():
    base = dict(onset=lambda d: 22.0 if d < START else 19.0)       # 3 h earlier
    same_peak = make_ds(ramp_urge(base["onset"], lambda d: 6.0), days=START + 40, dt_h=0.5)
    assert oc.augmentation(same_peak, START)["mpi_positive"] is False
    stronger = make_ds(ramp_urge(base["onset"], lambda d: 6.0 if d < START else 8.0),
                       days=START + 40, dt_h=0.5)
    res = oc.augmentation(stronger, START)
    assert res["mpi_positive"] is True and res["day_met"] == START + 6


def test_one_week_excursion_is_mpi_positive_but_not_clinically_relevant():
    exc0 = START + 21                                        # one week with onset 6 h earlier

    def onset(d):
        return 16.0 if exc0 <= d < exc0 + 7 else 22.0
    ds = make_ds(ramp_urge(onset, lambda d: 7.0), days=START + 70, dt_h=1.0)
    res = oc.augmentation(ds, START)
    assert res["mpi_positive"] is True
    assert res["day_met"] == exc0 + 4                        # 5 worse days in the window
    assert res["augmented"] is False and res["day_met_clinically_relevant"] is None
    assert abs(res["onset_advance_h"]) < 1e-6

    # the same excursion kept to the end (> 4 weeks) is clinically relevant
    ds = make_ds(ramp_urge(lambda d: 16.0 if d >= exc0 else 22.0, lambda d: 7.0),
                 days=START + 70, dt_h=1.0)
    res = oc.augmentation(ds, START)
    assert res["augmented"] is True and res["day_met_clinically_relevant"] == exc0 + 4


def test_improvement_on_treatment_is_not_augmentation():
    ds = make_ds(ramp_urge(lambda d: 22.0 if d < START else 26.0, lambda d: 7.0 if d < START else 4.0),
                 days=START + 35, dt_h=0.5)
    res = oc.augmentation(ds, START)
    assert not res["mpi_positive"] and not res["augmented"] and res["day_met"] is None
    assert res["onset_advance_h"] < -3.0 and res["severity_ratio"] < 1.0


def test_bad_input():
    ds = make_ds(ramp_urge(lambda d: 22.0, lambda d: 7.0), days=30, dt_h=1.0)
    with pytest.raises(ValueError, match="outside the simulated range"):
        oc.augmentation(ds, 45)
    with pytest.raises(ValueError, match="outside the simulated range"):
        oc.augmentation(ds, -1)
    with pytest.raises(ValueError, match="no complete untreated"):
        oc.augmentation(ds, 1.0)
    with pytest.raises(ValueError, match="lacks variable"):
        oc.daily(ds.drop_vars("urge_at_rest"))
    with pytest.raises(ValueError, match="lacks variable"):
        oc.augmentation(ds.drop_vars("activity"), 10)
    with pytest.raises(ValueError, match="threshold"):
        oc.daily(ds, threshold=12)
    with pytest.raises(ValueError, match="baseline_days"):
        oc.augmentation(ds, 10, baseline_days=0)
    with pytest.raises(ValueError, match="no complete symptom day"):
        oc.daily(ds.isel(time=slice(0, 20)))
    with pytest.raises(ValueError, match="Dataset"):
        oc.daily(ds["symptom"])


# --------------------------------------------------------------------------------------------
# the real model (directional: the symptom parameters may be re-tuned)
# --------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def runs():
    import rlsmodel
    model = rlsmodel.Model()
    return {p: model.simulate(days=24, profile=p, sample_every_hours=0.5)
            for p in ("healthy", "rls_genetic")}


def test_real_model_untreated_rls_onset_in_evening_or_night(runs):
    onset = oc.daily(runs["rls_genetic"])["onset_hour"].values
    assert np.all(np.isfinite(onset))
    assert np.all((onset >= 18.0) & (onset < 28.0)), f"untreated RLS onset at {onset.min():.2f} h"


def test_real_model_rls_worse_than_healthy(runs):
    h = oc.daily(runs["healthy"]).mean("day")
    r = oc.daily(runs["rls_genetic"]).mean("day")
    assert float(h["irls"]) < 3.0
    assert 15.0 <= float(r["irls"]) <= 35.0
    assert float(r["irls"]) > float(h["irls"]) + 10.0
    assert float(h["plms_index"]) < 5.0 < float(r["plms_index"])
    assert float(r["plms_index"]) > 3 * float(h["plms_index"])
    assert float(r["sleep_disruption"]) > float(h["sleep_disruption"])


def test_real_model_untreated_run_is_not_augmented(runs):
    res = oc.augmentation(runs["rls_genetic"], regimen_start_day=10)
    assert res["augmented"] is False and res["mpi_positive"] is False
    assert res["day_met"] is None and res["day_met_clinically_relevant"] is None
    assert abs(res["onset_advance_h"]) < 0.5
    assert abs(res["severity_ratio"] - 1.0) < 0.05
    assert np.isfinite(res["baseline_onset_hour"]) and res["baseline_irls"] > 10.0
