"""Regimens: events, composition, timing and the bad-input checks (all before integration)."""
from __future__ import annotations

import json
import math

import numpy as np
import pytest

import rlsmodel
from rlsmodel import Regimen


def _idx(model, state):
    return model.compiled.state_names.index(state)


# -- events -------------------------------------------------------------------------------------
def test_daily_doses_on_start_to_stop_days(model):
    ev = Regimen.daily("pramipexole", 0.25, 21.0, start_day=2, stop_day=5).events(model, 10)
    assert [e[0] for e in ev] == pytest.approx([2 + 21 / 24, 3 + 21 / 24, 4 + 21 / 24])
    assert {e[1:] for e in ev} == {(_idx(model, "pramipexole_depot"), 0.25, "add")}


def test_open_ended_daily_runs_to_the_end_of_the_simulation(model):
    ev = Regimen.daily("levodopa", 100, 21.0).events(model, 3)
    assert len(ev) == 3
    ev = Regimen.daily("levodopa", 100, 21.0).events(model, 2 + 21 / 24)      # last dose at the end
    assert len(ev) == 3


def test_events_are_sorted_and_composed(model):
    reg = Regimen.daily("pregabalin", 150, 20.0) + Regimen.daily("pramipexole", 0.125, 19.0)
    ev = reg.events(model, 3)
    times = [e[0] for e in ev]
    assert times == sorted(times) and len(ev) == 6
    assert reg.drugs == ("pramipexole", "pregabalin")
    assert sum([Regimen.once("levodopa", 100, 0, 21.0), Regimen.once("levodopa", 100, 1, 21.0)]).events(model, 3)


def test_once_escalation_holiday_and_switch(model):
    assert len(Regimen.once("ferric_carboxymaltose", 1000, 7, 10.0).events(model, 30)) == 1
    esc = Regimen.escalation("pramipexole", [(0, 0.125), (4, 0.25), (8, 0.5)], 21.0, stop_day=10)
    doses = [e[2] for e in esc.events(model, 20)]
    assert doses == [0.125] * 4 + [0.25] * 4 + [0.5] * 2
    holiday = Regimen.daily("ropinirole", 1, 21.0, stop_day=60) + Regimen.daily("ropinirole", 1, 21.0, start_day=67)
    days = [math.floor(e[0]) for e in holiday.events(model, 70)]
    assert 59 in days and 60 not in days and 66 not in days and 67 in days
    switch = Regimen.daily("levodopa", 100, 21.0, stop_day=30) + Regimen.daily("pregabalin", 300, 20.0, start_day=30)
    assert switch.drugs == ("levodopa", "pregabalin") and switch.start_day == 0


def test_patch_events_set_the_delivery_rate(model):
    i = _idx(model, "rotigotine_patch_rate")
    ev = Regimen.daily("rotigotine", 2, 8.0, start_day=1, stop_day=3).events(model, 10)
    assert ev == [(1 + 8 / 24, i, 2.0, "set"), (2 + 8 / 24, i, 2.0, "set"), (3 + 8 / 24, i, 0.0, "set")]
    # consecutive escalation steps: the new patch replaces the old, no removal in between
    esc = Regimen.escalation("rotigotine", [(0, 1.0), (7, 2.0)], 8.0, stop_day=14).events(model, 20)
    assert [e[2] for e in esc if abs(e[0] - (7 + 8 / 24)) < 1e-12] == [2.0]
    assert esc[-1] == (14 + 8 / 24, i, 0.0, "set")


def test_describe_repr_and_properties():
    reg = Regimen.daily("pramipexole", 0.25, 21.0, start_day=30) + Regimen.once("ferric_carboxymaltose", 1000, 35, 10.0)
    info = json.loads(reg.describe())
    assert info["schedules"][0] == {"drug": "pramipexole", "dose_mg": 0.25, "clock_hour": 21.0, "start_day": 30,
                                    "stop_day": None, "allow_off_label": False}
    assert " " not in reg.describe()
    assert "pramipexole 0.25 mg at 21 h" in repr(reg)
    assert reg.start_day == 30 and reg.drugs == ("ferric_carboxymaltose", "pramipexole")
    assert Regimen().start_day is None and Regimen().drugs == ()
    assert reg == Regimen.daily("pramipexole", 0.25, 21.0, start_day=30) + Regimen.once("ferric_carboxymaltose", 1000, 35, 10.0)
    with pytest.raises(AttributeError):
        reg.foo = 1
    assert rlsmodel.Regimen is Regimen


# -- timing in simulation -----------------------------------------------------------------------
def test_dose_lands_exactly_at_its_clock_time(model):
    """Day 2 at 08:00: the sample at the dose time already shows the dose (right-continuous),
    the sample before does not (k * dt/24 and d + h/24 differ by rounding here)."""
    ds = model.simulate(3, "healthy", regimen=Regimen.once("pramipexole", 0.25, 2, 8.0), sample_every_hours=1.0)
    depot = ds.pramipexole_depot.values
    k = 2 * 24 + 8
    assert ds.time.values[k] == pytest.approx(2 + 8 / 24, abs=1e-12)
    assert depot[k - 1] == 0.0
    assert depot[k] == pytest.approx(0.25, rel=1e-12)
    assert depot[k + 1] < 0.25


def test_patch_starts_and_stops_at_its_clock_time(model):
    ds = model.simulate(3, "healthy", regimen=Regimen.once("rotigotine", 1.0, 1, 8.5), sample_every_hours=0.5)
    rate = ds.rotigotine_patch_rate.values
    t = ds.time.values
    on = (t >= 1 + 8.5 / 24 - 1e-12) & (t < 2 + 8.5 / 24 - 1e-12)
    assert np.all(rate[on] == 1.0) and np.all(rate[~on] == 0.0)


# -- bad input ----------------------------------------------------------------------------------
def test_unknown_drug_lists_valid_names_and_the_closest():
    with pytest.raises(ValueError, match="pramipexole") as err:
        Regimen.daily("pramipexol", 0.25, 21.0)
    assert "valid drugs" in str(err.value) and "levodopa" in str(err.value)
    with pytest.raises(ValueError, match="Did you mean 'ferrous_sulfate'"):
        Regimen.once("ferrous sulphate", 65, 0, 8.0)


@pytest.mark.parametrize("dose", [0, -0.25, float("nan"), float("inf"), "0.25", None, True])
def test_bad_doses(dose):
    with pytest.raises(ValueError, match="dose"):
        Regimen.daily("pramipexole", dose, 21.0)


def test_dose_above_the_documented_maximum():
    with pytest.raises(ValueError, match="maximum daily dose.*allow_off_label"):
        Regimen.daily("pramipexole", 1.5, 21.0)
    assert Regimen.daily("pramipexole", 1.5, 21.0, allow_off_label=True)
    # two same-day doses of one drug count together
    with pytest.raises(ValueError, match="on day 10"):
        Regimen.daily("levodopa", 100, 8.0) + Regimen.daily("levodopa", 150, 21.0, start_day=10)
    assert Regimen.daily("levodopa", 100, 8.0, stop_day=10) + Regimen.daily("levodopa", 150, 21.0, start_day=10)
    with pytest.raises(ValueError, match="maximum"):
        Regimen.escalation("ropinirole", [(0, 2.0), (7, 6.0)], 21.0)
    with pytest.raises(ValueError, match="maximum"):
        Regimen.once("ferric_carboxymaltose", 1500, 0, 10.0)


@pytest.mark.parametrize("hour", [-1, 24, 24.5, float("nan"), "21"])
def test_clock_hour_outside_the_day(hour):
    with pytest.raises(ValueError, match=r"clock_hour"):
        Regimen.daily("levodopa", 100, hour)


def test_stop_before_start_and_bad_days():
    with pytest.raises(ValueError, match="stop_day"):
        Regimen.daily("levodopa", 100, 21.0, start_day=10, stop_day=10)
    with pytest.raises(ValueError, match="stop_day"):
        Regimen.daily("levodopa", 100, 21.0, start_day=10, stop_day=5)
    with pytest.raises(ValueError, match="start_day"):
        Regimen.daily("levodopa", 100, 21.0, start_day=-1)
    with pytest.raises(ValueError, match="start_day"):
        Regimen.daily("levodopa", 100, 21.0, start_day=1.5)
    with pytest.raises(ValueError, match="increase"):
        Regimen.escalation("pramipexole", [(5, 0.125), (5, 0.25)], 21.0)
    with pytest.raises(ValueError, match="at least one"):
        Regimen.escalation("pramipexole", [], 21.0)
    with pytest.raises(ValueError, match="stop_day"):
        Regimen.escalation("pramipexole", [(0, 0.125), (7, 0.25)], 21.0, stop_day=7)


def test_overlapping_patches():
    with pytest.raises(ValueError, match="overlapping rotigotine patches"):
        Regimen.daily("rotigotine", 1, 8.0) + Regimen.daily("rotigotine", 1, 20.0, start_day=5)
    with pytest.raises(ValueError, match="overlapping"):
        Regimen.daily("rotigotine", 2, 8.0, stop_day=10) + Regimen.daily("rotigotine", 2, 7.0, start_day=10)
    # back to back at the same hour is a patch change, not an overlap
    assert Regimen.daily("rotigotine", 2, 8.0, stop_day=10) + Regimen.daily("rotigotine", 3, 8.0, start_day=10)


def test_bad_simulation_length(model):
    with pytest.raises(ValueError, match="days"):
        Regimen.daily("levodopa", 100, 21.0).events(model, 0)
    with pytest.raises(ValueError, match="Schedule"):
        Regimen(["levodopa"])


def test_shifted_moves_every_schedule_and_keeps_open_ends():
    from rlsmodel import Regimen
    r = Regimen.daily("pramipexole", 0.25, 21.0, start_day=2, stop_day=10) + Regimen.daily("pregabalin", 300.0, 20.0,
                                                                                            start_day=10)
    s = r.shifted(28)
    assert [(x.start_day, x.stop_day) for x in s.schedules] == [(30, 38), (38, None)]
    assert r.shifted(0) == r
