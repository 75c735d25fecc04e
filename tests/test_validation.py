"""The validation scorecard (rlsmodel.validation, ``rlsmodel validate``).

The scorecard reports what passes and fails; these tests check the machinery, not the
model's augmentation or iron-therapy verdicts (those are calibration matters reported in
docs/validation.md). The only verdicts asserted are the baseline physiology targets P1-P5.
"""
from __future__ import annotations

import math

import pytest

from rlsmodel import cli, validation
from rlsmodel.validation import FAIL, NOT_MODELLED, PASS, STATUSES, TARGETS


@pytest.fixture(scope="module")
def quick(model):
    """One quick scorecard for the module (its speed is measured in benchmarks/bench_validate.py)."""
    return validation.validate(model, quick=True)


def test_every_target_has_a_source_and_an_expectation_or_a_reason():
    ids = [t.id for t in TARGETS]
    assert len(ids) == len(set(ids)), "target ids must be unique"
    for t in TARGETS:
        assert t.source.strip(), t.id
        assert t.description.strip(), t.id
        assert t.category in validation.CATEGORIES, t.id
        if t.not_modelled is not None:
            assert t.not_modelled.strip() and t.compute is None, t.id
        else:
            assert t.expected.strip(), t.id
            if t.lo is not None and t.hi is not None:
                assert t.lo <= t.hi, t.id


def test_every_check_scores_a_target_and_every_target_uses_a_check():
    """The checks of rlsmodel.validation.checks and the target rows match: a check's docstring
    starts with the ids it scores ("P12-c: ...", "A-acute-<drug>: ..."), every target is
    computed by a check naming it, and no check is left without a row."""
    import functools
    import inspect
    import re

    from rlsmodel.validation.checks import (iron_therapy, long_term, physiology, population, switching, symptoms,
                                            treatment)

    def named(f):
        head = (f.__doc__ or "").split(":", 1)[0]
        return [x.strip() for x in head.split(",")]

    def scores(f, target_id):
        return any(re.fullmatch(re.escape(n).replace(re.escape("<drug>"), r"[a-z_]+"), target_id) for n in named(f))

    ids = [t.id for t in TARGETS]
    modules = (symptoms, physiology, iron_therapy, treatment, population, switching, long_term)
    checks = {f for m in modules for name, f in vars(m).items()
              if inspect.isfunction(f) and f.__module__ == m.__name__ and not name.startswith("_")
              and any(scores(f, i) for i in ids)}
    used = set()
    for t in TARGETS:
        if t.compute is None:
            continue
        f = t.compute.func if isinstance(t.compute, functools.partial) else t.compute
        assert f in checks and scores(f, t.id), (t.id, getattr(f, "__name__", f))
        used.add(f)
    assert checks == used, sorted(f.__name__ for f in checks - used)


def test_registry_covers_every_category_and_the_science_targets():
    ids = {t.id for t in TARGETS}
    for p in (f"P{i}" for i in range(1, 13)):
        assert p in ids, p
    for cat in validation.CATEGORIES:
        assert any(t.category == cat for t in TARGETS), cat
    # the examples named as not modelled are listed, not dropped
    reasons = {t.id: t.not_modelled for t in TARGETS if t.not_modelled}
    for needed in ("S-arms", "S-prevalence", "S-heritability", "A-paradoxical-dose"):
        assert needed in reasons


def test_quick_validation_returns_a_row_per_target(quick):
    rows = quick
    assert [r["id"] for r in rows] == [t.id for t in TARGETS]
    for r in rows:
        assert r["status"] in STATUSES, r
        for key in ("id", "target", "source", "expected", "simulated", "status"):
            assert isinstance(r[key], str) and r[key], (r["id"], key)
        target = validation.get(r["id"])
        if target.not_modelled or target.needs_population:          # no --population: rates not scored
            assert r["status"] == NOT_MODELLED
        else:
            assert r["status"] in (PASS, FAIL)
            if r["status"] == FAIL:
                assert r["failed_checks"], r["id"]
    assert rows.meta["quick"] is True


@pytest.mark.parametrize("target_id", ["P1", "P1-b", "P2", "P3", "P4", "P5"])
def test_physiology_targets_P1_to_P5_pass(quick, target_id):
    row = next(r for r in quick if r["id"] == target_id)
    assert row["status"] == PASS, row


def test_a_failing_rule_is_reported_as_fail_not_dropped(model):
    runs = validation.Runs(model, quick=True)
    strict = validation.Target("X-test", validation.CATEGORIES[1], "healthy ferritin above 10^6",
                               "test", "> 1e6 ug/L", 1e6, None, "ug/L",
                               lambda r: validation.Observation(r.ss("healthy", "serum_ferritin"), "ferritin"))
    row = validation.evaluate(strict, runs)
    assert row["status"] == FAIL and "value outside the accepted range" in row["failed_checks"]
    missing = validation.Target("X-nm", validation.CATEGORIES[0], "d", "s", "e", not_modelled="no body map")
    assert validation.evaluate(missing, runs)["status"] == NOT_MODELLED


def test_report_writes_png_and_markdown(quick, tmp_path):
    rows = quick
    paths = validation.report(rows, tmp_path)
    png, md = tmp_path / "figures" / "validation.png", tmp_path / "docs" / "validation.md"
    assert paths["figure"] == png and paths["markdown"] == md
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    text = md.read_text()
    assert "| id | target | source | expected | simulated | status |" in text
    for r in rows:
        assert f"| {r['id']} |" in text, r["id"]
    c = rows.counts()
    assert f"{c[PASS]} pass, {c[FAIL]} fail, {c[NOT_MODELLED]} not modelled" in text


def test_position_maps_the_accepted_range_to_unit_interval():
    assert validation.range_position(5.0, 0.0, 10.0) == pytest.approx(0.5)
    assert validation.range_position(-20.0, None, -10.0) < 1.0
    assert validation.range_position(20.0, 10.0, None) > 0.0
    assert math.isnan(validation.range_position(math.nan, 0.0, 1.0))


def test_rows_of_your_own_and_another_hypothesis(model):
    """validate takes Target rows as data and any model: the rows are scored on its runs."""
    import rlsmodel
    own = validation.Target(id="X-ferritin", category=validation.CATEGORIES[1], description="healthy ferritin",
                            source="test", expected="30-400 ug/L", lo=30.0, hi=400.0, unit="ug/L",
                            compute=lambda r: validation.Observation(r.ss("healthy", "serum_ferritin"), "ferritin"))
    other = rlsmodel.Model(augmentation="d3_d1_spinal")
    card = validation.validate(other, quick=True, targets=[own, "P6-b"])
    assert [r["id"] for r in card] == ["X-ferritin", "P6-b"] and card[0]["status"] == PASS
    assert card.meta["augmentation_mechanism"] == "d3_d1_spinal" and card.meta["simulations"] == 0
    runs = validation.Runs(other, quick=True)
    assert runs.ss("healthy", "serum_ferritin") == card[0]["value"]
    assert runs.shared(("population", 1), lambda: "made") == "made"
    assert runs.shared(("population", 1), lambda: "again") == "made" and runs.simulation_count == 1


def test_cli_validate_prints_the_table_and_exits_0_even_with_failures(capsys, tmp_path, monkeypatch, quick):
    rows = quick
    monkeypatch.setattr(validation, "validate", lambda model=None, quick=False, progress=False, targets=None: rows)
    status = cli.main(["validate", "--quick", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert status == 0
    assert "id" in out and "status" in out and "P1" in out and "A-levodopa" in out
    assert (tmp_path / "docs" / "validation.md").is_file()
    assert (tmp_path / "figures" / "validation.png").is_file()
    has_fail = rows.counts()[FAIL] > 0
    # the pages exist now: replacing them needs --overwrite, refused before any work without it
    monkeypatch.setattr(validation, "validate", lambda *a, **k: pytest.fail("validated before refusing"))
    assert cli.main(["validate", "--quick", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "validation.md" in err and "--overwrite" in err
    monkeypatch.setattr(validation, "validate", lambda model=None, quick=False, progress=False, targets=None: rows)
    status = cli.main(["validate", "--quick", "--strict", "--overwrite", "--out", str(tmp_path)])
    capsys.readouterr()
    assert status == (1 if has_fail else 0)


def test_cli_validate_really_runs_selected_targets(capsys, tmp_path, monkeypatch):
    """The CLI path end to end (no stub), restricted to two cheap targets to stay fast."""
    real = validation.validate
    monkeypatch.setattr(validation, "validate",
                        lambda model=None, quick=False, progress=False: real(model, quick, targets=["P1", "S-arms"]))
    status = cli.main(["validate", "--quick", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert status == 0
    assert "P1" in out and "S-arms" in out and "not modelled" in out
