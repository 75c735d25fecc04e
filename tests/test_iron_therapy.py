"""rlsmodel.experiments.iron_therapy: oral versus IV iron in rls_iron_deficient (short horizon)."""
from __future__ import annotations

import pytest

from rlsmodel.experiments import iron_therapy
from rlsmodel.validation.runs import value_at, window_mean

START = 28
FOLLOW_UP = 84


@pytest.fixture(scope="module")
def exp():
    return iron_therapy


@pytest.fixture(scope="module")
def arms(exp, model):
    return exp.run_iron_arms(model, start_day=START, follow_up_days=FOLLOW_UP)


def test_iv_iron_raises_serum_ferritin_faster_than_oral(exp, arms):
    rise = {}
    for arm in ("oral", "iv"):
        ds = arms[arm]["ds"]
        rise[arm] = value_at(ds, "serum_ferritin", START + 7.5) - value_at(ds, "serum_ferritin", START)
    assert rise["iv"] > rise["oral"] > 0, rise


def test_both_iron_routes_raise_brain_iron_over_months(exp, arms):
    end = START + FOLLOW_UP
    untreated = value_at(arms["untreated"]["ds"], "brain_iron", end)
    for arm in ("oral", "iv"):
        treated = value_at(arms[arm]["ds"], "brain_iron", end)
        assert treated > untreated * (1 + 1e-3), (arm, treated, untreated)


def test_iv_iron_improves_irls_by_the_published_size(exp, arms):
    """Allen et al. 2018 Sleep Med 41:27 (7 trials, 537 patients): IV ferric carboxymaltose
    1000 mg improves IRLS by about 6 points versus placebo (the model has no placebo response,
    so the same patient untreated is the comparator); accepted 3-12 points at week 6, and the
    benefit is still there at week 12 (at least 1 point)."""
    def week(arm, w):
        return window_mean(arms[arm]["daily"], "irls", START + 7 * (w - 1), START + 7 * w)
    w6 = week("iv", 6) - week("untreated", 6)
    w12 = week("iv", 12) - week("untreated", 12)
    assert -12.0 <= w6 <= -3.0, f"IV iron vs untreated at week 6: {w6:+.1f} IRLS points"
    assert w12 <= -1.0, f"IV iron vs untreated at week 12: {w12:+.1f} IRLS points"


def test_oral_iron_helps_more_slowly_than_iv(exp, arms):
    """Oral iron (65 mg/day) when ferritin is low: an IRLS benefit by week 12, smaller than IV
    iron's in the first weeks (Wang et al. 2009 Sleep Med 10:973; Allen et al. 2018)."""
    def week(arm, w):
        return window_mean(arms[arm]["daily"], "irls", START + 7 * (w - 1), START + 7 * w)
    assert week("oral", 12) < week("untreated", 12) - 1.0
    assert week("oral", 2) - week("untreated", 2) > week("iv", 2) - week("untreated", 2)


def test_summary_rows_and_tables(exp, arms, tmp_path):
    rows = exp.summarise_iron(arms, START)
    assert [r["arm"] for r in rows] == ["untreated", "oral", "iv"]
    assert rows[0]["brain_iron_vs_untreated_pct"] == 0.0
    text = exp.tables_page(rows, [], {"iron_day": START, "drug_day": 90})
    assert "| arm |" in text and "Iron repletion before" not in text
    assert exp.output_names([]) == ["iron_therapy_table.csv", "iron_therapy_table.md", "iron_therapy.png"]


def test_iron_then_drug_arms_and_verdicts(exp, model):
    runs = exp.run_iron_then_drug(model, "pramipexole", iron_day=14, drug_day=50, treatment_days=42)
    assert set(runs) == {"drug alone", "IV iron first"}
    rows = exp.summarise_augmentation("pramipexole", runs, 14, 50)
    first, alone = (next(r for r in rows if r["arm"] == a) for a in ("IV iron first", "drug alone"))
    assert first["ferritin_at_drug_start"] > alone["ferritin_at_drug_start"]
    for r in rows:
        assert {"weeks_to_mpi", "onset_advance_h", "irls_pre_drug"} <= set(r)
    with pytest.raises(ValueError):
        exp.run_iron_then_drug(model, "pramipexole", iron_day=40, drug_day=50)
