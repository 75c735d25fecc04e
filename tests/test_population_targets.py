"""Population targets of the scorecard (issue 14 item 5): the scoring functions on virtual
trials whose answer is known, the rule (published value inside the simulated Wilson 95 %
interval), the rows through the normal pipeline, and one tiny real trial end to end."""
from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from rlsmodel import cli, validation
from rlsmodel.trial import wilson_interval
from rlsmodel.validation import FAIL, NOT_MODELLED, PASS, POPULATION_REASON
from rlsmodel.validation.checks import population as pop
from rlsmodel.validation.protocol import PLACEBO_ARM, POPULATION_ARMS, population_arm
from rlsmodel.validation.targets import LONG_TERM_TARGETS

POPULATION_IDS = [t.id for t in validation.TARGETS if t.needs_population]
#: rows scored on their own IV-iron trial (issue 23; tests/test_iron_time_course.py), not the shared drug trial
IRON_TRIAL_IDS = [i for i in POPULATION_IDS if i.startswith("T-iron-IV-trial")]
#: issue-22 rows (the 5-year trial, and two 52-week rows with their own known-answer tests in
#: tests/test_long_term.py)
LONG_TERM_IDS = [t.id for t in LONG_TERM_TARGETS]
#: rows scored on the switching course after the shared trial (issue 28; tests/test_switching.py)
SWITCH_IDS = [i for i in POPULATION_IDS if i.startswith("A-switch-")]
#: rows scored on the one shared drug trial
TRIAL_IDS = [i for i in POPULATION_IDS if i not in IRON_TRIAL_IDS + SWITCH_IDS + LONG_TERM_IDS]
ARMS = [PLACEBO_ARM, *(population_arm(r) for r in POPULATION_ARMS)]


#: Placebo-corrected IRLS change per arm role in the fake trial (the published effects, issue 28).
PUBLISHED_EFFECTS = {"oxycodone_naloxone": -7.0, "dipyridamole": -8.0, "methadone": -7.0}


def fake_trial(n=300, weeks=52, positive=None, relevant=None, noise_free=None, days=None, placebo_irls=(-6.6, 6.0),
               ineligible=0, effects=None, baseline=25.0):
    """A Dataset shaped like rlsmodel.virtual_trial's output with known answers.

    ``positive``/``relevant``/``noise_free``: ``{arm role or "placebo": number of patients}``
    meeting the MPI-positive, clinically relevant and noise-free verdicts (the first patients of
    the arm); ``days``: ``{role: day of the first MPI-positive visit}`` (default 28).
    ``ineligible``: extra patients, all MPI-positive, who fail the inclusion criterion.
    ``effects``: ``{role: placebo-corrected IRLS change}`` of every patient (default
    :data:`PUBLISHED_EFFECTS`, other arms 0), spread +-2 points alternately around it;
    ``baseline``: every patient's reported baseline IRLS.
    """
    total = n + ineligible
    shape = (len(ARMS), total)
    data = {k: np.zeros(shape) for k in ("mpi_positive", "augmented", "augmented_biological")}
    data["day_met"] = np.full(shape, np.nan)
    data["day_met_clinically_relevant"] = np.full(shape, np.nan)
    roles = {PLACEBO_ARM: PLACEBO_ARM, **{r: population_arm(r) for r in POPULATION_ARMS}}
    for var, counts in (("mpi_positive", positive), ("augmented", relevant), ("augmented_biological", noise_free)):
        for role, k in (counts or {}).items():
            i = ARMS.index(roles[role])
            data[var][i, :k] = 1.0
            if var in ("mpi_positive", "augmented"):
                day = pop.DAY_OF_TIER[var]
                data[day][i, :k] = (days or {}).get(role, 28.0)
    eligible = np.r_[np.ones(n, bool), np.zeros(ineligible, bool)]
    for var in ("mpi_positive", "augmented"):          # ineligible patients all positive
        data[var][:, n:] = 1.0
        data[pop.DAY_OF_TIER[var]][:, n:] = 28.0
    change = np.zeros((len(ARMS), 2))
    sd = np.full((len(ARMS), 2), 5.0)
    change[ARMS.index(PLACEBO_ARM)] = placebo_irls[0]
    sd[ARMS.index(PLACEBO_ARM)] = placebo_irls[1]
    effects = PUBLISHED_EFFECTS if effects is None else effects
    spread = np.where(np.arange(total) % 2 == 0, 2.0, -2.0)
    per_patient = np.zeros(shape)
    for role, effect in effects.items():
        per_patient[ARMS.index(roles[role])] = effect + spread
    per_patient += placebo_irls[0]
    data["irls_change_week_12"] = per_patient
    data["irls_change_end"] = per_patient.copy()
    data["baseline_irls"] = np.full(shape, float(baseline))
    ds = xr.Dataset({**{k: (("arm", "patient"), v) for k, v in data.items()},
                     "status": (("arm", "patient"), np.full(shape, "ok")),
                     "eligible": ("patient", eligible),
                     "irls_change": (("arm", "timepoint"), change),
                     "irls_change_sd": (("arm", "timepoint"), sd)},
                    coords={"arm": ARMS, "patient": np.arange(total), "timepoint": ["week_12", "end"]})
    ds.attrs.update({"weeks": weeks, "seed": 7})
    return ds


class FakeRuns:
    """Stands in for validation.Runs: a population and its (synthetic) trial."""

    def __init__(self, ds, population=300):
        self.ds, self.population = ds, population

    def population_trial(self):
        return self.ds


PUBLISHED = {   # counts of 300 that match the published rates
    "positive": {"pramipexole_high": 23, "pregabalin": 6, "rotigotine": 30, PLACEBO_ARM: 19},
    "relevant": {"pramipexole_high": 23, "pramipexole": 21, "ropinirole": 21, "rotigotine": 5, "pregabalin": 2,
                 "levodopa": 120, PLACEBO_ARM: 2},
    "noise_free": {"levodopa": 246},
}


def test_the_rate_band_is_the_wilson_rule():
    """Simulated rate inside p0 +- 1.96 sqrt(p0(1-p0)/n)  <=>  p0 inside the simulated Wilson 95 % interval."""
    for n in (5, 37, 300):
        k = np.arange(n + 1)
        lo, hi = wilson_interval(k, np.full(k.shape, n))
        for p0 in (0.005, 0.021, 0.077, 0.5, 0.82):
            band = pop.compatible_rates(p0, n)
            inside_band = (k / n >= band[0] - 1e-12) & (k / n <= band[1] + 1e-12)
            np.testing.assert_array_equal(inside_band, (lo <= p0 + 1e-12) & (p0 - 1e-12 <= hi), err_msg=f"{p0} {n}")
    # one-sided: reaching the threshold
    band = pop.not_below(0.5, 100)
    assert band[1] is None and band[0] == pytest.approx(0.5 - 1.959964 * 0.05, rel=1e-5)
    assert pop.compatible_means(-6.6, 6.0, 144) == pytest.approx((-6.6 - 1.959964 * 0.5, -6.6 + 1.959964 * 0.5))


def test_published_rates_pass_every_population_target():
    runs = FakeRuns(fake_trial(positive=PUBLISHED["positive"], relevant=PUBLISHED["relevant"],
                               noise_free=PUBLISHED["noise_free"]))
    for i in TRIAL_IDS:
        row = validation.evaluate(validation.get(i), runs)
        assert row["status"] == PASS, row
        assert row["lo"] is not None or row["hi"] is not None, row         # the band is in the row


def test_allen_2014_known_answers():
    ok = pop.allen_2014_52_weeks(fake_trial(positive={"pramipexole_high": 23, "pregabalin": 6}))
    assert ok.value == pytest.approx(100 * 23 / 300)
    lo, hi = ok.accepted
    assert lo == pytest.approx(100 * (0.077 - 1.959964 * np.sqrt(0.077 * 0.923 / 300)), rel=1e-5)
    assert lo < ok.value < hi and all(ok.checks.values())
    target = validation.get("A-NEJM-52wk")
    none = validation.evaluate(target, FakeRuns(fake_trial(positive={"pregabalin": 6})))
    assert none["status"] == FAIL and none["failed_checks"] == ["value outside the accepted range"]
    many = validation.evaluate(target, FakeRuns(fake_trial(positive={"pramipexole_high": 23, "pregabalin": 30})))
    assert many["status"] == FAIL and any("pregabalin" in c for c in many["failed_checks"]), many


def test_two_tiers_read_visits_up_to_week_26_only():
    counts = {"rotigotine": 25, PLACEBO_ARM: 24}
    early = pop.two_tiers(fake_trial(positive=counts, relevant={"rotigotine": 5, PLACEBO_ARM: 2}))
    assert early.value == pytest.approx(100 * 49 / 600) and all(early.checks.values())
    late = pop.two_tiers(fake_trial(positive=counts, relevant={"rotigotine": 5, PLACEBO_ARM: 2},
                                    days={"rotigotine": 196.0, PLACEBO_ARM: 196.0}))     # first positive at week 28
    assert late.value == 0.0
    # the clinically relevant tier is checked against its own published figures
    bad = pop.two_tiers(fake_trial(positive=counts, relevant={"rotigotine": 40, PLACEBO_ARM: 2}))
    assert not bad.checks["rotigotine clinically relevant: 1.5% inside the simulated Wilson 95% interval"]


def test_placebo_background_must_not_grow():
    flat = fake_trial(positive={PLACEBO_ARM: 18})
    assert all(pop.placebo_background(flat).checks.values())
    growing = fake_trial(positive={PLACEBO_ARM: 60}, days={PLACEBO_ARM: 300.0})   # all first positive after week 26
    obs = pop.placebo_background(growing)
    assert obs.value == 0.0 and not all(obs.checks.values())


def test_levodopa_majority_is_one_sided():
    target = validation.get("A-levodopa-majority")
    assert validation.evaluate(target, FakeRuns(fake_trial(noise_free={"levodopa": 160})))["status"] == PASS
    assert validation.evaluate(target, FakeRuns(fake_trial(noise_free={"levodopa": 300})))["status"] == PASS
    assert validation.evaluate(target, FakeRuns(fake_trial(noise_free={"levodopa": 60})))["status"] == FAIL


def test_placebo_irls_change_known_answers():
    target = validation.get("A-placebo-IRLS")
    assert validation.evaluate(target, FakeRuns(fake_trial(placebo_irls=(-6.2, 6.0))))["status"] == PASS
    row = validation.evaluate(target, FakeRuns(fake_trial(placebo_irls=(-2.0, 6.0))))
    assert row["status"] == FAIL and row["hi"] < -2.0


def test_ineligible_and_failed_patients_are_not_counted():
    ds = fake_trial(positive={"pramipexole_high": 23}, ineligible=50)
    assert pop.arm_rate(ds, population_arm("pramipexole_high")).n == 300
    assert pop.allen_2014_52_weeks(ds).value == pytest.approx(100 * 23 / 300)
    ds["status"][ARMS.index(population_arm("pramipexole_high")), :100] = "failed: test"
    rate = pop.arm_rate(ds, population_arm("pramipexole_high"))
    assert (rate.k, rate.n) == (0.0, 200.0)


def test_without_a_population_the_rows_are_not_modelled(model):
    card = validation.validate(model, quick=True, targets=POPULATION_IDS)
    assert [r["status"] for r in card] == [NOT_MODELLED] * len(POPULATION_IDS)
    assert all("--population N" in r["note"] for r in card) and POPULATION_REASON == card[0]["note"]
    assert "rlsmodel validate --population N" in validation.markdown(card)


def test_bad_population_options_are_refused_before_any_work():
    for kwargs, word in (({"population": 0}, "population"), ({"population": 2.5}, "population"),
                         ({"population": 3, "seed": -1}, "seed"), ({"population": 3, "workers": 0}, "workers")):
        with pytest.raises(ValueError, match=word):
            validation.validate(model=object(), targets=["A-rates"], **kwargs)


def test_cli_population_options_need_population(capsys):
    assert cli.main(["validate", "--seed", "3"]) == 2
    assert "--population" in capsys.readouterr().err
    assert cli.main(["validate", "--population", "0"]) == 2
    assert "at least 1" in capsys.readouterr().err


def test_a_tiny_real_trial_scores_every_population_row(model):
    """4 patients per arm, 3 treated weeks: the trial runs once for all rows, through the pipeline."""
    card = validation.validate(model, quick=True, targets=TRIAL_IDS + ["P1"], population=4, seed=5,
                               population_weeks=3)
    assert card.meta["population"] == 4 and card.meta["population_seed"] == 5
    assert card.meta["simulations"] == 1          # one shared trial (P1 reads steady states only)
    for r in card:
        assert r["status"] in (PASS, FAIL), r
    texts = {r["id"]: r["simulated"] for r in card}
    assert "trial shorter than 26 weeks" in texts["A-two-tiers"]
    assert "seed 5" in texts["A-rates"]
    md = validation.markdown(card)
    assert "rlsmodel validate --quick --population 4 --seed 5" in md and "A-NEJM-52wk" in md
    assert "A-NEJM-52wk" in validation.format_table(card)


def test_drugs_outside_dopamine_known_answers():
    """Issue 28's rows: the placebo-corrected change is each patient's drug minus placebo change,
    oxycodone-naloxone counted in severe patients only, opioids no more augmentation than placebo."""
    ok = pop.oxycodone_naloxone_irls(fake_trial())
    assert ok.value == pytest.approx(-7.0)
    weak = validation.evaluate(validation.get("A-oxycodone-naloxone"),
                               FakeRuns(fake_trial(effects={"oxycodone_naloxone": -3.0, "dipyridamole": -8.0})))
    assert weak["status"] == FAIL
    mild = pop.oxycodone_naloxone_irls(fake_trial(baseline=18.0))          # nobody severe: nothing to score
    assert np.isnan(mild.value)
    dip = pop.dipyridamole_irls(fake_trial())
    assert dip.value == pytest.approx(-8.0) and dip.accepted[0] < -8.0 < dip.accepted[1]
    far = validation.evaluate(validation.get("A-dipyridamole"), FakeRuns(fake_trial(effects={"dipyridamole": -4.0})))
    assert far["status"] == FAIL
    aug = validation.evaluate(validation.get("A-opioid-augmentation"),
                              FakeRuns(fake_trial(relevant={"methadone": 30, PLACEBO_ARM: 2})))
    assert aug["status"] == FAIL


def test_trial_baseline_known_answers():
    """A-trial-baseline reads the eligible patients' reported baseline only (decision 57)."""
    target = validation.get("A-trial-baseline")
    assert validation.evaluate(target, FakeRuns(fake_trial(baseline=25.0)))["status"] == PASS
    row = validation.evaluate(target, FakeRuns(fake_trial(baseline=28.9)))      # decision 55's population
    assert row["status"] == FAIL and row["value"] == pytest.approx(28.9)
    ds = fake_trial(baseline=25.0, ineligible=100)
    ds["baseline_irls"][:, 300:] = 5.0                                           # mild, not enrolled
    assert pop.trial_baseline_irls(ds).value == pytest.approx(25.0)
