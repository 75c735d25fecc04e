"""Issue 7, "What it must reproduce": acute benefit, augmentation emerging over weeks to months,
the drug ranking, no low dopamine in RLS, relief by movement, and withdrawal.

All runs use the median ``rls_genetic`` patient with an untreated baseline month. Targets are
the clinical facts of science.md section 3; the calibrated set is stated in docs/calibration.md
(since issue 14 the population rates of the 52-week virtual trial; in the median patient levodopa
200 mg meets the criteria within 6 months, the agonists at reference doses do not), every other
assertion here is a prediction of the model that would break if the mechanism broke.
"""
from __future__ import annotations

import numpy as np
import pytest

import rlsmodel
from rlsmodel import outcomes
from rlsmodel.pharmacology import DRUGS, arm_name, reference_doses, reference_regimen

BASE = 28                    # untreated baseline days
PROFILE = "rls_genetic"
#: typical RLS doses and times: the drug table's reference doses (one place for every caller)
TYPICAL = reference_doses(("levodopa", "pramipexole", "ropinirole", "rotigotine", "pregabalin",
                           "gabapentin_enacarbil"))
DOPAMINERGIC = ("levodopa", "pramipexole", "ropinirole", "rotigotine")
#: a high agonist dose: the top of pramipexole's label range (the table's maximum daily dose, 0.75 mg)
TOP_PRAMIPEXOLE = DRUGS["pramipexole"].max_daily_dose_mg


@pytest.fixture(scope="module")
def runs(model):
    """One treated run per drug (plus untreated) of 6 months and one persistence window
    (``outcomes.PERSISTENT_DAYS``), so that criteria first met by week 26 can be judged persistent;
    daily outcomes and verdicts."""
    out = {}
    for drug in TYPICAL:
        ds = model.simulate(BASE + 182 + outcomes.PERSISTENT_DAYS, PROFILE, regimen=reference_regimen(drug, start_day=BASE),
                            sample_every_hours=0.5)
        out[drug] = (ds, outcomes.daily(ds), outcomes.augmentation(ds, BASE))
    return out


def _window(daily, var, a, b):
    d = daily["day"].values
    return float(np.nanmean(daily[var].values[(d >= a) & (d < b)]))


def _evening_urge(ds, a, b):
    """Mean urge at rest 18:00-24:00 over days [a, b)."""
    t = ds.time.values
    clock = np.mod(t, 1.0) * 24
    sel = (t >= a) & (t < b) & (clock >= 18)
    return float(ds.urge_at_rest.values[sel].mean())


@pytest.mark.parametrize("drug", DOPAMINERGIC)
def test_acute_benefit_every_dopaminergic_drug_lowers_the_evening_urge(runs, drug):
    ds, _, _ = runs[drug]
    before = _evening_urge(ds, BASE - 7, BASE)
    first_week = _evening_urge(ds, BASE + 1, BASE + 8)
    assert first_week < before - 0.3, f"{drug}: evening urge {before:.2f} -> {first_week:.2f}"


def test_levodopa_augments_over_weeks_not_at_once(runs):
    _, daily, verdict = runs["levodopa"]
    assert verdict["augmented"], verdict
    weeks = (verdict["day_met_clinically_relevant"] - BASE) / 7
    # issue 14: tolerance is sensitized by a slow two-stage chain (k 0.004/day), so the median
    # patient meets the criteria after months (about 24 weeks; decision 55: treated day 171),
    # most population patients within a year (Allen and Earley 1996: 82%); never in the first weeks
    assert 4 <= weeks <= 26, f"levodopa augmentation after {weeks:.1f} weeks (within 6 months)"
    assert verdict["onset_advance_h"] >= 2.0
    # the first treated week is better than baseline: augmentation is not an immediate effect
    assert _window(daily, "irls", BASE + 1, BASE + 8) < _window(daily, "irls", 0, BASE)


def test_ranking_levodopa_soonest_and_most(runs):
    """Levodopa augments soonest and most; the agonists and the patch do not reach the
    criteria within 6 months in a median patient."""
    lev = runs["levodopa"][2]
    assert lev["augmented"]
    for drug in ("pramipexole", "ropinirole", "rotigotine"):
        v = runs[drug][2]
        assert not v["augmented"], drug
        assert v["severity_ratio"] < lev["severity_ratio"], drug
    # supraphysiological exposure (the tolerance it builds): levodopa far above the agonists and
    # the patch, which stay below the threshold in a median patient at typical doses (their
    # order among themselves is a population question: tests/test_population_trial.py)
    tol = {d: float(runs[d][0].d2_tolerance.max()) for d in DOPAMINERGIC}
    assert tol["levodopa"] > 100 * max(tol["pramipexole"], tol["ropinirole"], tol["rotigotine"]), tol


@pytest.mark.parametrize("drug", ("pregabalin", "gabapentin_enacarbil"))
def test_alpha2delta_ligands_do_not_augment(runs, drug):
    ds, daily, verdict = runs[drug]
    assert not verdict["mpi_positive"]
    assert _window(daily, "irls", BASE + 150, BASE + 182) < _window(daily, "irls", 0, BASE)
    assert float(np.max(ds.d2_tolerance.values)) < 1e-3


def test_higher_pramipexole_dose_raises_augmentation_risk(model):
    """Susceptibility in the median patient: tolerance grows steeply with the dose (0.25 mg stays
    below the hinge, 0.75 mg builds it), and at 0.75 mg the benefit drifts away over months (IRLS
    creeping up: by the end of the first year; decision 55's threshold 2.3 moved the drift from
    month 6 to months 9-12, 0.3 -> 0.6 -> 3.1 -> 4.7 points at months 3 / 6 / 9 / 12) without
    meeting the criteria; the rates are a population question (tests/test_population_targets.py)."""
    tol, drift = {}, {}
    for dose in (0.25, 0.5, TOP_PRAMIPEXOLE):
        ds = model.simulate(BASE + 364, PROFILE, sample_every_hours=0.5,
                            regimen=reference_regimen("pramipexole", dose=dose, start_day=BASE))
        daily = outcomes.daily(ds)
        tol[dose] = float(ds.d2_tolerance.max())
        drift[dose] = _window(daily, "irls", BASE + 336, BASE + 364) - _window(daily, "irls", BASE + 7, BASE + 21)
        assert not outcomes.augmentation(ds, BASE)["mpi_positive"], dose
    assert tol[TOP_PRAMIPEXOLE] > 20 * tol[0.5] and tol[0.5] > 100 * tol[0.25], tol   # steep in dose
    assert drift[TOP_PRAMIPEXOLE] >= 3.0, drift          # slow loss of benefit at the top dose
    assert abs(drift[0.25]) < 1.0, drift                  # the low dose holds


@pytest.mark.parametrize("profile", ["rls_genetic", "rls_iron_deficient"])
def test_patients_do_not_have_low_dopamine_and_urge_peaks_at_night(model, profile):
    h = model.simulate(2, "healthy", sample_every_hours=0.25).sel(time=slice(1, 2))
    r = model.simulate(2, profile, sample_every_hours=0.25).sel(time=slice(1, 2))
    assert float(r.dopamine_extracellular.mean()) >= float(h.dopamine_extracellular.mean())
    clock = np.mod(r.time.values, 1.0) * 24
    peak = clock[int(np.argmax(r.urge_at_rest.values))]
    assert peak >= 20 or peak <= 4, f"urge peaks at {peak:.2f} h"
    morning = r.urge_at_rest.values[(clock >= 8) & (clock <= 12)].mean()
    assert morning < 0.1 * float(r.urge_at_rest.max())


def test_moving_relieves_the_urge_while_it_lasts(model):
    """An evening walk (20:00-21:00) relieves the urge only while it lasts."""
    walk = rlsmodel.Activity(segments=((7.0, 18.0, "active"), (18.0, 20.0, "sedentary"),
                                       (20.0, 21.0, "active"), (21.0, 23.0, "sedentary"),
                                       (23.0, 7.0, "asleep")))
    rest = model.simulate(2, PROFILE, sample_every_hours=0.1)
    moved = model.simulate(2, PROFILE, sample_every_hours=0.1, activity=walk)
    clock = np.mod(rest.time.values, 1.0) * 24
    during = (rest.time.values >= 1) & (clock > 20.1) & (clock < 20.9)
    after = (rest.time.values >= 1) & (clock > 22.0) & (clock < 23.0)
    assert moved.symptom.values[during].mean() < 0.2 * rest.symptom.values[during].mean()
    assert moved.symptom.values[after].mean() == pytest.approx(rest.symptom.values[after].mean(), rel=0.05)
    np.testing.assert_array_equal(moved.urge_at_rest.values, rest.urge_at_rest.values)   # biology untouched


def test_withdrawal_symptoms_return_within_days_augmentation_resolves_slowly(model):
    """Stop pramipexole after 8 weeks: the untreated urge is back within a week; stop levodopa
    after established augmentation (6 months): tolerance (and the excess) decays over weeks to
    months."""
    stop = BASE + 56
    ds = model.simulate(stop + 28, PROFILE, regimen=reference_regimen("pramipexole", days=stop - BASE, start_day=BASE),
                        sample_every_hours=0.5)
    before = _evening_urge(ds, BASE - 7, BASE)
    on = _evening_urge(ds, stop - 7, stop)
    back = _evening_urge(ds, stop + 3, stop + 7)
    assert on < before - 0.5 and back > before - 0.5, (before, on, back)

    stop = BASE + 182
    lev = model.simulate(stop + 120, PROFILE, regimen=reference_regimen("levodopa", days=stop - BASE, start_day=BASE),
                         sample_every_hours=1.0)
    tol = lev.d2_tolerance
    at_stop = float(tol.sel(time=stop, method="nearest"))
    week_1 = float(tol.sel(time=stop + 7, method="nearest"))
    month_4 = float(tol.sel(time=stop + 120, method="nearest"))
    assert at_stop > 0.1
    assert week_1 > 0.5 * at_stop          # slower than the return of symptoms (days)
    assert month_4 < 0.2 * at_stop         # but it resolves over weeks to months


# -- the competing hypothesis: spinal D3/D1 balance -------------------------------------------
@pytest.fixture(scope="module")
def spinal():
    return rlsmodel.Model(augmentation="d3_d1_spinal")


@pytest.fixture(scope="module")
def spinal_runs(spinal):
    out = {}
    for drug in ("levodopa", "pramipexole", "rotigotine", "pregabalin"):
        ds = spinal.simulate(BASE + 120, PROFILE, regimen=reference_regimen(drug, start_day=BASE),
                             sample_every_hours=0.5)
        out[drug] = (ds, outcomes.daily(ds), outcomes.augmentation(ds, BASE))
    return out


@pytest.mark.parametrize("drug", ("levodopa", "pramipexole", "rotigotine"))
def test_spinal_acute_benefit(spinal_runs, drug):
    ds, _, _ = spinal_runs[drug]
    before = _evening_urge(ds, BASE - 7, BASE)
    first_week = _evening_urge(ds, BASE + 1, BASE + 8)
    assert first_week < before - 0.2, f"{drug}: evening urge {before:.2f} -> {first_week:.2f}"


@pytest.mark.xfail(strict=True, reason=(
    "under the spinal hypothesis levodopa 200 mg up-regulates D1 about 9-fold in a year and the "
    "median patient's IRLS creeps from 10 (week 1) to 15 (week 26), but the MPI criteria are not met "
    "(issue 14 re-fit; in the 52-week trial 5.6% MPI-positive against the majority of Allen and "
    "Earley 1996): docs/calibration.md, known gaps"))
def test_spinal_levodopa_augments_over_weeks_through_d1_upregulation(spinal_runs):
    ds, daily, verdict = spinal_runs["levodopa"]
    assert verdict["augmented"], verdict
    weeks = (verdict["day_met_clinically_relevant"] - BASE) / 7
    assert 1.5 <= weeks <= 12, weeks
    assert float(ds.d1_density.values[-1]) > 1.5 * float(ds.d1_density.values[0])


def test_where_the_hypotheses_disagree(spinal_runs, runs):
    """A prediction a paper could test: D2 tolerance spares the flat patch (no trough, no
    supraphysiological peak), the spinal hypothesis does not (sustained D3 stimulation plus
    rotigotine's own D1 agonism up-regulate D1): under it the patch relieves in week 1 and is worse
    than no treatment by month 4 (in the 52-week trial its 12-week benefit is gone), while under D2
    tolerance it still relieves at 6 months. Pregabalin touches neither."""
    end = (BASE + 91, BASE + 119)
    for hypothesis, table in (("d2_tolerance", runs), ("d3_d1_spinal", spinal_runs)):
        daily = table["rotigotine"][1]
        base = _window(daily, "irls", 0, BASE)
        assert _window(daily, "irls", BASE + 1, BASE + 8) < base - 5, hypothesis
    d2_daily, spinal_daily = runs["rotigotine"][1], spinal_runs["rotigotine"][1]
    assert not runs["rotigotine"][2]["augmented"]
    assert _window(d2_daily, "irls", *end) < _window(d2_daily, "irls", 0, BASE) - 4
    assert _window(spinal_daily, "irls", *end) > _window(spinal_daily, "irls", 0, BASE)
    assert float(spinal_runs["rotigotine"][0].d1_density.values[-1]) > 5 * float(spinal_runs["rotigotine"][0].d1_density.values[0])
    assert not spinal_runs["pregabalin"][2]["mpi_positive"]


# -- the ranking in a population (the median patient cannot separate the agonists) -------------
@pytest.fixture(scope="module")
def ranking_trial(model):
    """12 virtual patients, one year on each drug at a typical dose (noise-free verdicts)."""
    arms = {arm_name(drug, dose): reference_regimen(drug, dose=dose)
            for drug, dose in (("levodopa", None), ("pramipexole", TOP_PRAMIPEXOLE), ("ropinirole", None),
                               ("rotigotine", None))}
    return rlsmodel.virtual_trial(arms, n=12, weeks=52, seed=3, placebo=False, model=model, progress=False)


def test_ranking_in_a_population_levodopa_most_patch_least(ranking_trial):
    """science.md section 3: levodopa augments most, the oral agonists in fewer patients or
    less severely (risk rising with dose), the rotigotine patch least. In the median patient the
    agonists at typical doses stay below the tolerance threshold, so the ranking is read from a
    population: noise-free verdicts, visit-adjudicated incidence and the IRLS change at 52 weeks."""
    arms = tuple(str(a) for a in ranking_trial["arm"].values)     # levodopa, pramipexole (top), ropinirole, patch
    noise_free = [float(ranking_trial["augmented_biological"].sel(arm=a).mean("patient")) for a in arms]
    adjudicated = [float(ranking_trial["augmentation_incidence"].sel(arm=a)) for a in arms]
    worse = [float(ranking_trial["biological_irls_change_end"].sel(arm=a).mean("patient")) for a in arms]
    lev, pra, rop, rot = noise_free
    assert lev >= 0.5, lev                          # most levodopa patients within months
    assert pra > 0, pra                             # a high agonist dose augments too
    assert rot <= min(pra, rop), (rot, pra, rop)    # the patch least
    assert adjudicated[0] > adjudicated[1] > adjudicated[3], adjudicated
    # levodopa worst, the top agonist dose next, the patch still relieving. Measured (decision 57's
    # population, seed 3): +5.5, -0.1 (3 of 12 augmenting strongly, the rest still helped), -4.7
    # (ropinirole), -4.4 IRLS points; before decision 57 the top agonist arm's mean was above 0.
    assert worse[0] > worse[1] > worse[3] and worse[3] < 0, worse
