"""experiments/iron_therapy.py: oral versus IV iron in rls_iron_deficient (short horizon)."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

PATH = Path(__file__).resolve().parent.parent / "experiments" / "iron_therapy.py"
START = 28
FOLLOW_UP = 84


@pytest.fixture(scope="module")
def exp():
    spec = importlib.util.spec_from_file_location("iron_therapy_experiment", PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def arms(exp, model):
    return exp.run_iron_arms(model, start_day=START, follow_up_days=FOLLOW_UP)


def test_iv_iron_raises_serum_ferritin_faster_than_oral(exp, arms):
    rise = {}
    for arm in ("oral", "iv"):
        ds = arms[arm]["ds"]
        rise[arm] = exp.value_at(ds, "serum_ferritin", START + 7.5) - exp.value_at(ds, "serum_ferritin", START)
    assert rise["iv"] > rise["oral"] > 0, rise


def test_both_iron_routes_raise_brain_iron_over_months(exp, arms):
    end = START + FOLLOW_UP
    untreated = exp.value_at(arms["untreated"]["ds"], "brain_iron", end)
    for arm in ("oral", "iv"):
        treated = exp.value_at(arms[arm]["ds"], "brain_iron", end)
        assert treated > untreated * (1 + 1e-3), (arm, treated, untreated)


def test_irls_after_iv_iron_is_not_worse_than_untreated(exp, arms):
    end = START + FOLLOW_UP
    iv = exp.window_mean(arms["iv"]["daily"], "irls", end - 28, end)
    none = exp.window_mean(arms["untreated"]["daily"], "irls", end - 28, end)
    assert iv <= none + 0.05, (iv, none)


def test_summary_rows_and_tables(exp, arms, tmp_path):
    rows = exp.summarise_iron(arms, START)
    assert [r["arm"] for r in rows] == ["untreated", "oral", "iv"]
    assert rows[0]["brain_iron_vs_untreated_pct"] == 0.0
    text = exp.write_tables(rows, [], tmp_path, {"iron_day": START, "drug_day": 90})
    assert "| arm |" in text and (tmp_path / "iron_therapy_table.csv").is_file()


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
