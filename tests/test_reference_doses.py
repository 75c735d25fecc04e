"""Every typical dose comes from one place (issue 14 item 5): the drug table's reference dose
and clock hour, read by the scorecard, the experiments, the teaching figure and the explorer."""
from __future__ import annotations


import pytest

from rlsmodel import validation
from rlsmodel.pharmacology import (DRUGS, Regimen, arm_name, dose_text, is_single_dose, reference_dose,
                                   reference_doses, reference_regimen)

from rlsmodel.experiments import load as _experiment


def test_every_drug_has_a_reference_dose_inside_its_typical_range():
    for d in DRUGS.values():
        dose, hour = reference_dose(d.name)
        assert d.typical_dose_mg[0] <= dose <= d.typical_dose_mg[1] <= d.max_daily_dose_mg, d.name
        assert 0.0 <= hour < 24.0, d.name
    assert reference_dose("levodopa") == (200.0, 21.0)         # the flagship's dose (issue 14)
    assert reference_dose("rotigotine") == (2.0, 8.0)          # the patch, changed each morning
    assert reference_doses(("pramipexole", "pregabalin")) == {"pramipexole": (0.25, 21.0), "pregabalin": (300.0, 21.0)}


def test_reference_regimen_is_the_table_entry():
    s, = reference_regimen("ropinirole", start_day=28).schedules
    assert (s.drug, s.dose_mg, s.clock_hour, s.start_day, s.stop_day) == ("ropinirole", 2.0, 21.0, 28, None)
    assert reference_regimen("levodopa", days=10, start_day=3) == Regimen.daily("levodopa", 200.0, 21.0, 3, 13)
    # another strength keeps the reference clock hour; the clock hour can be moved too
    assert reference_regimen("pramipexole", dose=0.5) == Regimen.daily("pramipexole", 0.5, 21.0)
    assert reference_regimen("pramipexole", clock_hour=19.0).schedules[0].clock_hour == 19.0
    # an infusion is given once
    assert is_single_dose("ferric_carboxymaltose") and not is_single_dose("ferrous_sulfate")
    assert reference_regimen("ferric_carboxymaltose", start_day=28) == Regimen.once("ferric_carboxymaltose", 1000.0, 28,
                                                                                   10.0)
    assert (arm_name("pramipexole", 0.5), arm_name("rotigotine"), dose_text("levodopa")) == \
        ("pramipexole 0.5 mg", "rotigotine 2 mg/24 h", "200 mg")


@pytest.mark.parametrize("kwargs, words", [
    ({"drug": "levodopa", "days": 0}, "days must be an integer"),
    ({"drug": "levodopa", "days": 2.5}, "days must be an integer"),
    ({"drug": "ferric_carboxymaltose", "days": 3}, "given once"),
    ({"drug": "levodopo"}, "Did you mean 'levodopa'"),
    ({"drug": "pramipexole", "dose": 5.0}, "maximum daily dose"),
])
def test_reference_regimen_refuses_bad_input_with_the_fix(kwargs, words):
    with pytest.raises(ValueError, match=words):
        reference_regimen(**kwargs)


def test_the_scorecard_reads_the_table():
    drugs = validation.DOPAMINERGIC + validation.ALPHA2DELTA
    assert validation.DOSES == reference_doses(drugs)
    for arm, (drug, dose, hour, daily) in validation.IRON_REGIMENS.items():
        assert (dose, hour) == reference_dose(drug) and daily == (not is_single_dose(drug)), arm
    assert validation.LEVODOPA_LOW_DOSE == DRUGS["levodopa"].typical_dose_mg[0] < validation.DOSES["levodopa"][0]
    regimens = validation.population_regimens()
    assert regimens["levodopa 200 mg"] == reference_regimen("levodopa")
    assert regimens["rotigotine 2 mg/24 h"] == reference_regimen("rotigotine")
    # the one departure, stated with the table entry: Allen et al. 2014's higher arm
    assert regimens["pramipexole 0.5 mg"] == reference_regimen("pramipexole", dose=validation.ALLEN_2014_PRAMIPEXOLE_MG)
    for drug in ("oxycodone_naloxone", "methadone", "dipyridamole"):      # issue 28's arms: reference doses
        assert regimens[arm_name(drug)] == reference_regimen(drug)
    assert len(regimens) == 9


def test_the_experiments_figure_and_explorer_read_the_table():
    aug = _experiment("augmentation")
    assert {d: (dose, hour) for d, (_, dose, hour) in aug.REGIMENS.items()} == reference_doses(aug.REGIMENS)
    iron = _experiment("iron_therapy")
    assert iron.DRUG_DOSES == reference_doses(iron.DRUG_DOSES)
    assert iron.IRON_ARMS["iv"][1:3] == reference_dose("ferric_carboxymaltose")
    assert iron.IRON_ARMS["oral"][1:3] == reference_dose("ferrous_sulfate")
    trial = _experiment("virtual_trial")
    arms = {**trial.ALLEN_2014, **trial.LEVODOPA_1996}
    assert arms["levodopa 200 mg"][0] == reference_regimen("levodopa")
    assert arms["pregabalin 300 mg"][0] == reference_regimen("pregabalin")
    assert arms["pramipexole 0.25 mg"][0] == reference_regimen("pramipexole")
    from rlsmodel.figures import DRUG_REGIMENS
    assert all((dose, hour) == reference_dose(drug) for drug, dose, hour in DRUG_REGIMENS)
    pytest.importorskip("panel")
    from rlsmodel.explore.controls import DEFAULTS
    assert (DEFAULTS.dose_mg, DEFAULTS.clock_hour) == reference_dose(DEFAULTS.drug)
