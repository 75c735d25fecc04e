"""Issue 22, item 5 (decision 45): the spinal D3/D1 hypothesis cannot augment after a benefit.

At its defaults (the fit of the untreated patient and the acute effects) levodopa helps and never
meets the MPI criteria; at the best fit of experiments/calibration/spinal_augmentation.toml it
meets them within weeks but no longer helps. If either side changed, the fit's evidence in
docs/calibration.md would be stale.
"""
import math
from pathlib import Path

import pytest

import rlsmodel
from rlsmodel.calibration.spec import load_spec

ROOT = Path(__file__).resolve().parents[1]
SPECS = ROOT / "experiments" / "calibration"
#: Best start of `rlsmodel calibrate experiments/calibration/spinal_augmentation.toml` (decision 45).
AUGMENTATION_FIT = {"spinal_dopamine_fraction": 10 ** -1.2715064733810477,
                    "d1_excitation_weight": 10 ** -0.34023419902130647,
                    "k_d1_upregulation": 10 ** -1.761792806717379,
                    "d3_supraphysiological_threshold": 1.1,
                    "d1_upregulation_gain": 807.4763438675677,
                    "d3_hinge_sharpness": 10 ** 1.530515315255228}


def _scan():
    import importlib.util
    spec = importlib.util.spec_from_file_location("spinal_scan", SPECS / "spinal_scan.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def spinal():
    return rlsmodel.Model(augmentation="d3_d1_spinal")


def test_specs_fit_the_hypothesis_own_parameters():
    for name in ("spinal_augmentation.toml", "spinal_population.toml"):
        spec = load_spec(SPECS / name)
        assert spec.augmentation == "d3_d1_spinal"
        assert set(spec.ids) == set(AUGMENTATION_FIT)
    population = load_spec(SPECS / "spinal_population.toml")
    d2 = load_spec(SPECS / "augmentation_population.toml")
    assert d2.augmentation == "d2_tolerance"
    assert [getattr(t, "id", None) or tuple(getattr(t, "ids", ())) for t in population.targets] == \
           [getattr(t, "id", None) or tuple(getattr(t, "ids", ())) for t in d2.targets]


def test_defaults_help_and_do_not_augment(spinal):
    levodopa = _scan().one_drug(spinal, "levodopa", 200.0, {})
    assert 20 <= levodopa["untreated_irls"] <= 28
    assert levodopa["weeks_2_3_change"] <= -3
    assert levodopa["mpi_positive"] == 0


def test_augmentation_fit_augments_without_benefit(spinal):
    levodopa = _scan().one_drug(spinal, "levodopa", 200.0, AUGMENTATION_FIT)
    assert levodopa["mpi_positive"] == 1
    assert levodopa["max_onset_advance_h"] >= 2
    assert levodopa["weeks_2_3_change"] > 0            # worse than untreated from the first weeks
    assert levodopa["untreated_irls"] > 28
    assert not math.isnan(levodopa["untreated_irls"])


def test_scan_summary_counts():
    scan = _scan()
    rows = [{"levodopa": {"untreated_irls": 24, "weeks_2_3_change": -5, "mpi_positive": 0, "max_onset_advance_h": 0.5},
             "pramipexole": {"weeks_2_3_change": -9}},
            {"levodopa": {"untreated_irls": 25, "weeks_2_3_change": 3, "mpi_positive": 1, "max_onset_advance_h": 6},
             "pramipexole": {"weeks_2_3_change": 2}}]
    s = scan.summary(rows)
    assert s["keep patient and acute benefit"] == 1
    assert s["of these, levodopa MPI-positive within 26 weeks"] == 0
    assert s["levodopa MPI-positive within 26 weeks (any set)"] == 1
    assert s["of these, untreated IRLS 20-28"] == 1
    assert s["of these, levodopa weeks 2-3 change (best, IRLS points)"] == 3
