"""Tests of rlsmodel.clinical: the patient-time rules, on constructed series with known answers,
and the trial and the daily verdict agreeing about the same patient."""
import ast
import json
import re
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

import rlsmodel
from rlsmodel import clinical, outcomes
from rlsmodel.clinical import baseline as clinical_baseline


# --------------------------------------------------------------------------------------------
# the symptom day and its grid
# --------------------------------------------------------------------------------------------
def test_symptom_day_runs_from_six_to_six():
    assert clinical.DAY_START_HOUR == 6.0 and clinical.DAY_START == 0.25 and clinical.DAY_END_HOUR == 30.0
    assert clinical.day_start(3) == 3.25
    assert clinical.symptom_day_of(3.25) == 3              # 06:00 opens day 3
    assert clinical.symptom_day_of(3.2499) == 2            # 05:59 still closes day 2
    assert clinical.symptom_day_of(4.2) == 3               # 04:48 the next morning: day 3


def test_complete_days_drop_partial_days():
    assert list(clinical.complete_days(np.linspace(0.0, 3.0, 73))) == [0, 1]       # 3.0 is before 06:00 of day 3
    assert list(clinical.complete_days(np.linspace(0.0, 3.25, 79))) == [0, 1, 2]
    assert list(clinical.complete_days(np.linspace(0.3, 3.3, 73))) == [1, 2]
    with pytest.raises(ValueError, match="no complete symptom day"):
        clinical.complete_days(np.linspace(0.0, 1.2, 30))


def test_grid_inserts_day_boundaries_and_splits_the_hours():
    t = np.arange(0.0, 4.0 + 1e-9, 5.0 / 24.0)            # 5-hourly: 06:00 is not a sample of every day
    g = clinical.SymptomDayGrid(t)
    assert list(g.days) == [0, 1, 2]
    assert np.allclose(g.bounds, [0.25, 1.25, 2.25, 3.25])
    assert np.all(np.isin(g.bounds, g.t))
    assert np.allclose(g.per_day_sum(g.dt_h), 24.0)        # every scored day holds exactly 24 h
    # straight lines between samples; a held mode keeps the value of the sample before
    assert np.allclose(g.interpolate(t), g.t)
    held = g.hold(np.arange(t.size))
    assert np.array_equal(held, np.searchsorted(t, g.t + 1e-12, side="right") - 1)


def test_select_day_gives_clock_hours_six_to_thirty():
    t = np.arange(0.0, 3.0 + 1e-9, 0.5 / 24.0)
    ds = xr.Dataset({"x": ("time", t)}, coords={"time": t})
    hours, sel = clinical.select_day(ds, 1)
    assert hours[0] == pytest.approx(6.0) and hours[-1] == pytest.approx(30.0)
    assert sel.time.values[0] == pytest.approx(1.25)


# --------------------------------------------------------------------------------------------
# readouts
# --------------------------------------------------------------------------------------------
def test_one_table_of_readouts():
    import importlib
    from rlsmodel.calibration.targets import DAILY_OUTCOMES
    summaries = importlib.import_module("rlsmodel.sweeps.summaries")
    DAILY_READOUTS = summaries.DAILY_READOUTS
    assert dict(DAILY_READOUTS) == dict(clinical.READOUT_UNITS)
    assert tuple(DAILY_OUTCOMES) == tuple(clinical.READOUTS)
    t = np.arange(0.0, 3.0 + 1e-9, 1.0 / 24.0)
    ds = xr.Dataset({"urge_at_rest": ("time", 5 + 4 * np.sin(2 * np.pi * t)),
                     "symptom": ("time", 5 + 4 * np.sin(2 * np.pi * t)),
                     "activity": ("time", np.where(np.mod(t, 1) < 0.3, "asleep", "sedentary"))}, coords={"time": t})
    dd = outcomes.daily(ds)
    assert list(dd.data_vars) == list(clinical.READOUTS)
    for name, r in clinical.READOUTS.items():
        assert dd[name].attrs["units"] == r.units and dd[name].attrs["long_name"] == r.long_name


def test_threshold_rule():
    assert clinical.check_threshold(None) == clinical.DEFAULT_THRESHOLD == 3.0
    for bad in (0, 10, "x", float("nan")):
        with pytest.raises(ValueError, match="threshold"):
            clinical.check_threshold(bad)


# --------------------------------------------------------------------------------------------
# baseline and how missing values compare
# --------------------------------------------------------------------------------------------
def test_missing_onset_is_30_h_and_latency_is_capped():
    assert np.array_equal(clinical.compared_onset([20.0, np.nan]), [20.0, 30.0])
    assert np.array_equal(clinical.compared_latency([1.0, np.nan, 12.0]), [1.0, 8.0, 8.0])
    b = clinical.baseline_of([20.0, np.nan, 21.0], [1.0, np.nan, 2.0], [6.0, 7.0, 8.0], [20.0, 22.0, 30.0])
    assert (b.onset, b.latency, b.peak, b.irls) == (21.0, 2.0, 7.0, 22.0)
    assert clinical.baseline_onset_hour([np.nan, np.nan]) != clinical.baseline_onset_hour([np.nan, np.nan])  # NaN
    assert clinical.baseline_onset_hour([20.0, 22.0]) == 21.0
    assert clinical.baseline_onset_hour([20.0, np.nan, np.nan]) == 30.0


def test_asrs_items():
    base = clinical.Baseline(onset=22.0, latency=2.0, peak=6.0)
    # 4 h earlier (2 points), latency halved (2 points), peak +1 (1 point)
    assert clinical.asrs([18.0], [1.0], [7.0], base)[0] == pytest.approx(5.0)
    # no symptoms at all: onset counts as 30 h (no advance), latency as the cap (no shortening)
    assert clinical.asrs([np.nan], [np.nan], [0.0], base)[0] == 0.0
    assert clinical.asrs([10.0], [0.0], [10.0], base)[0] == pytest.approx(12.0)     # every item capped at 4


# --------------------------------------------------------------------------------------------
# MPI criteria on constructed daily series
# --------------------------------------------------------------------------------------------
BASE = clinical.Baseline(onset=20.0, latency=2.0, peak=6.0, irls=20.0)


def week(onset=20.0, latency=2.0, peak=6.0, irls=20.0, worse_days=7, days=7):
    """``days`` treated days: the first ``worse_days`` of each week worse (IRLS base + 2)."""
    irls_series = np.array([irls + 2.0 if (i % 7) < worse_days else irls for i in range(days)])
    full = np.full(days, 1.0)
    return dict(onset=onset * full, latency=latency * full, peak=peak * full, irls=irls_series)


def mpi(**kw):
    s = week(**kw)
    return clinical.mpi_by_day(s["onset"], s["latency"], s["peak"], s["irls"], BASE)


def test_mpi_needs_five_worse_days_of_seven():
    assert mpi(onset=16.0, worse_days=5)[-1]
    assert not mpi(onset=16.0, worse_days=4)[-1]
    # "worse" means more than 1 point above the baseline IRLS
    s = week(onset=16.0)
    assert not clinical.mpi_by_day(s["onset"], s["latency"], s["peak"], np.full(7, 21.0), BASE)[-1]
    assert clinical.mpi_by_day(s["onset"], s["latency"], s["peak"], np.full(7, 21.01), BASE)[-1]


def test_mpi_onset_advance_rules():
    assert mpi(onset=16.0)[-1]                                   # 4 h earlier suffices alone
    assert not mpi(onset=16.5)[-1]                               # 3.5 h alone does not
    assert mpi(onset=17.0, latency=1.75)[-1]                     # 3 h + latency shorter by 0.25 h
    assert not mpi(onset=17.0, latency=1.8)[-1]                  # ... by 0.2 h is not enough
    assert mpi(onset=18.0, peak=7.0)[-1]                         # 2 h + peak 1 point higher
    assert not mpi(onset=18.0, peak=6.9)[-1]
    assert not mpi(onset=18.5, peak=9.0, latency=0.0)[-1]        # 1.5 h: never enough
    # a week without symptoms (NaN onset = 30 h) is not earlier
    assert not mpi(onset=np.nan, peak=9.0, latency=0.0)[-1]


def test_mpi_needs_a_full_week():
    flags = mpi(onset=16.0, days=10)
    assert list(flags) == [False] * 6 + [True] * 4
    assert not mpi(onset=16.0, days=6).any()


# --------------------------------------------------------------------------------------------
# persistence and visits
# --------------------------------------------------------------------------------------------
def flags(*runs):
    """Concatenate (value, length) runs into a boolean series."""
    return np.concatenate([np.full(n, v, bool) for v, n in runs])


def test_persistence_28_days_or_14_to_the_end():
    assert clinical.PERSISTENT_DAYS == 28 and clinical.PERSISTENT_MIN_TO_END_DAYS == 14
    p = clinical.persistent(flags((False, 5), (True, 28), (False, 30)))
    assert p[5] and not p[6] and p.sum() == 1
    assert not clinical.persistent(flags((False, 5), (True, 27), (False, 30))).any()
    p = clinical.persistent(flags((False, 50), (True, 14)))
    assert p[50] and p.sum() == 1                                # 14 days to the end of the run
    assert not clinical.persistent(flags((False, 50), (True, 13))).any()
    assert clinical.run_to_end(flags((True, 3), (False, 1), (True, 5))) == 5
    assert clinical.run_to_end(flags((True, 4))) == 4 and clinical.run_to_end(flags((False, 4))) == 0


def test_visits_adjudicate_the_recall_week_and_persistence():
    assert clinical.visit_weeks(10, 4) == [4, 8, 10]
    assert clinical.visit_weeks(8, 4) == [4, 8] and clinical.visit_weeks(2, 4) == [2]
    # MPI on days 0..27: positive and relevant at the week-4 visit
    v = clinical.adjudicate(flags((True, 28), (False, 42)), [4, 8, 10])
    assert v.positive == (True, False, False) and v.relevant == (True, False, False)
    assert v.first_positive_day == 28.0 and v.first_relevant_day == 28.0
    # MPI only on days 20..27: positive at week 4, not persistent
    v = clinical.adjudicate(flags((False, 20), (True, 8), (False, 42)), [4, 8, 10])
    assert v.mpi_positive and not v.augmented and np.isnan(v.first_relevant_day)
    # the last 14 days: relevant only at the final visit
    v = clinical.adjudicate(flags((False, 56), (True, 14)), [4, 8, 10])
    assert v.relevant == (False, False, True) and v.first_relevant_day == 70.0
    # a positive day between visits is not seen
    v = clinical.adjudicate(flags((False, 10), (True, 10), (False, 50)), [4, 8, 10])
    assert not v.mpi_positive


# --------------------------------------------------------------------------------------------
# protocol
# --------------------------------------------------------------------------------------------
def test_protocol_rules():
    assert clinical.BASELINE_DAYS == 28
    assert clinical.dose_hour("pramipexole") == 21.0 and clinical.dose_hour("rotigotine") == 8.0
    with pytest.raises(ValueError, match="unknown drug"):
        clinical.dose_hour("aspirin")
    assert clinical.first_treated_day(28) == 28
    assert clinical.first_treated_day(28, 21.0) == 28 and clinical.first_treated_day(28, 6.0) == 28
    assert clinical.first_treated_day(28, 2.0) == 27           # a 02:00 dose closes symptom day 27
    assert clinical.treatment_start(28, 21.0) == 28.25
    assert list(clinical.baseline_week(28)) == list(range(21, 28))
    assert list(clinical.treated_week(28, 1)) == list(range(28, 35))
    assert list(clinical.treated_week(28, 12)) == list(range(105, 112))


def test_treatment_start_splits_days_as_the_verdict_does(model):
    """outcomes.augmentation at clinical.treatment_start: baseline 0..B-1, treated from B."""
    from rlsmodel.pharmacology import reference_regimen
    B = 10
    ds = model.simulate(B + 9.25, "rls_genetic", regimen=reference_regimen("pramipexole", start_day=B))
    v = outcomes.augmentation(ds, clinical.treatment_start(B, clinical.dose_hour("pramipexole")))
    assert v["baseline_days"] == list(range(0, B)) and v["treated_days"] == list(range(B, B + 9))


# --------------------------------------------------------------------------------------------
# the trial and the daily verdict agree about the same patient
# --------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def levodopa_patient(model):
    """The median patient on levodopa 200 mg from day 28 for 28 weeks (augments in weeks 20-24),
    labelled as a trial point without reporting noise or placebo response."""
    from rlsmodel.pharmacology import reference_regimen
    B, weeks = clinical.BASELINE_DAYS, 28
    ds = model.simulate(B + 7 * weeks + clinical.DAY_START, "rls_genetic",
                                   regimen=reference_regimen("levodopa", start_day=B))
    ds.attrs["sweep_point"] = json.dumps({"patient": 0, "symptom_noise_sd": 0.0, "placebo_response": 0.0})
    return ds, B, weeks


def test_trial_and_daily_verdict_agree(levodopa_patient):
    from rlsmodel.trial import TrialScorer
    ds, B, weeks = levodopa_patient
    scorer = TrialScorer(seed=3, start_day=B, weeks=weeks, visit_every_weeks=1)
    verdict = outcomes.augmentation(ds, clinical.treatment_start(B, clinical.dose_hour("levodopa")))
    dd = outcomes.daily(ds, baseline_days=range(0, B))
    series = {k: dd[k].values for k in ("onset_hour", "latency_at_rest_h", "peak", "irls")}
    series["day"] = dd["day"].values
    flags_ = scorer.mpi_flags(series)
    assert verdict["augmented"], "the scenario must augment for this test to mean something"
    # the same MPI day by day
    assert [int(d) for d in dd["day"].values[B:][flags_]] == verdict["mpi_days"]
    # the same verdict, the trial at weekly visits
    scores = scorer.score(ds)
    assert scores["augmented"] == 1.0 == scores["augmented_biological"] == float(verdict["augmented"])
    assert scores["mpi_positive"] == 1.0
    first_mpi = verdict["day_met"] - B + 1                      # treated days up to and including day_met
    assert scores["day_met"] == 7 * np.ceil(first_mpi / 7)      # the first weekly visit at or after it
    # the biological IRLS change uses the same baseline week as the reported one
    irls = dd["irls"].values
    assert scores["biological_irls_change_end"] == pytest.approx(
        irls[B + 7 * (weeks - 1):B + 7 * weeks].mean() - irls[B - 7:B].mean(), abs=1e-12)
    assert scores["baseline_irls"] == pytest.approx(irls[B - 7:B].mean(), abs=1e-12)


# --------------------------------------------------------------------------------------------
# no rule re-stated, no private name borrowed
# --------------------------------------------------------------------------------------------
PACKAGE = Path(rlsmodel.__file__).resolve().parent
#: Modules that take their patient-time rules from rlsmodel.clinical (issue 25, item 1).
CLINICAL_USERS = ["outcomes.py", "trial.py", "validation", "calibration/predictions.py", "figures.py", "explore"]


def _files(entries):
    for entry in entries:
        path = PACKAGE / entry
        yield from (sorted(path.rglob("*.py")) if path.is_dir() else [path])




def test_no_private_names_from_other_modules():
    """No module of the clinical users imports or reaches into another module's ``_private``
    name (``from x import _y``, ``module._y``)."""
    offences = []
    for path in _files(CLINICAL_USERS + ["clinical"]):
        tree = ast.parse(path.read_text())
        modules = {a.asname or a.name for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom))
                   for a in node.names}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                offences += [f"{path.name}: from {node.module} import {a.name}" for a in node.names
                             if a.name.startswith("_") and not a.name.startswith("__")]
            elif (isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__")
                  and isinstance(node.value, ast.Name) and node.value.id in modules):
                offences.append(f"{path.name}: {node.value.id}.{node.attr}")
    assert not offences, offences


#: Modules whose patient-time rules must all come from rlsmodel.clinical.
RULE_FREE = CLINICAL_USERS


def test_rules_are_not_restated():
    """The symptom-day boundaries, the 30 h missing onset and the 21:00 dose hour are written only
    in rlsmodel.clinical (and the drug table)."""
    patterns = [r"\+ 0\.25 - 1e-9", r"slice\(0\.25", r"\+ 1\.25\b", r"\(1\.25\b",            # the symptom day
                r"DAY_START_HOUR \+ 24", r"DAY_START_HOUR / 24", r"\b(hour|h) \+= 24\b",        # its clock hours
                r"clock_hour\W+21\b", r"BASELINE_DAYS = \d"]                                 # the protocol
    offences = []
    for path in _files(RULE_FREE):
        for i, line in enumerate(path.read_text().splitlines(), 1):
            code = line.split("#")[0]
            if code.lstrip().startswith(('"', "'")) or "``" in code:
                continue                                        # docstrings and help text
            offences += [f"{path.relative_to(PACKAGE)}:{i}: {p!r}" for p in patterns if re.search(p, code)]
    assert not offences, offences


def test_baseline_module_states_the_missing_value_rule_once():
    src = (PACKAGE / "outcomes.py").read_text() + (PACKAGE / "trial.py").read_text()
    assert "np.isnan(onset)" not in src and "LATENCY_CAP_H)" not in src
    assert clinical_baseline.NO_ONSET_HOUR == 30.0 and clinical_baseline.LATENCY_CAP_H == 8.0
