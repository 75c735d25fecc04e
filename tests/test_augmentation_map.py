"""rlsmodel.experiments.augmentation_map: the risk factors of science.md section 3 in the median patient.

Higher dose and lower brain iron uptake raise the tolerance an agonist builds; a shorter
half-life raises it at equal daily exposure (``--equal-exposure``), while at equal dose a longer
half-life means more drug. One year of pramipexole, tolerance read from the model (no verdicts:
the median patient at label doses stays below the criteria).
"""
from __future__ import annotations


import numpy as np
import pytest

from rlsmodel.experiments import augmentation_map

START = 14
DAYS = START + 364


@pytest.fixture(scope="module")
def exp():
    return augmentation_map


def _peak_tolerance(model, exp, half_life, dose, uptake, label_h=None):
    factory = exp.EveningDose("pramipexole", START, label_h)
    point = {"dose_mg": dose, "pramipexole_half_life": half_life, "bbb_uptake_gain": uptake}
    ds = model.simulate(DAYS, "rls_genetic", params={"pramipexole_half_life": half_life, "bbb_uptake_gain": uptake},
                        regimen=factory(point), sample_every_hours=6.0)
    return float(ds.d2_tolerance.max())


def test_equal_exposure_scales_the_dose_by_the_half_life(exp):
    factory = exp.EveningDose("pramipexole", START, 10.0)
    doses = {h: factory.dose({"dose_mg": 0.5, "pramipexole_half_life": h}) for h in (5.0, 10.0, 20.0)}
    assert doses == pytest.approx({5.0: 1.0, 10.0: 0.5, 20.0: 0.25})
    assert exp.EveningDose("pramipexole", START).dose({"dose_mg": 0.5, "pramipexole_half_life": 5.0}) == 0.5
    regimen = factory({"dose_mg": 0.5, "pramipexole_half_life": 20.0})
    assert regimen.schedules[0].dose_mg == pytest.approx(0.25)


def test_dose_iron_and_half_life_each_raise_the_tolerance(model, exp):
    base = _peak_tolerance(model, exp, 10.0, 0.5, 0.55)
    assert _peak_tolerance(model, exp, 10.0, 0.75, 0.55) > 3 * base           # higher dose
    assert _peak_tolerance(model, exp, 10.0, 0.5, 0.4) > 2 * base             # less brain iron uptake
    # equal daily exposure (dose x half-life constant): the shorter-acting drug builds more
    short = _peak_tolerance(model, exp, 5.0, 0.5, 0.55, label_h=10.0)        # 1 mg, 5 h
    long_ = _peak_tolerance(model, exp, 20.0, 0.5, 0.55, label_h=10.0)       # 0.25 mg, 20 h
    assert short > 1.5 * base > 1.5 * long_ > 0, (short, base, long_)
    # equal dose: a longer half-life is more drug, and more tolerance
    assert _peak_tolerance(model, exp, 20.0, 0.5, 0.55) > 5 * base              # 2x the exposure
    assert np.isfinite(base) and base > 0
