"""Hypotheses side by side (issue 14 item 4): ``validation.compare`` and ``rlsmodel validate
--compare``: the table's structure, the marking of discriminating targets (on a constructed
case and on a real one: the DAT targets under the two DAT directions), and the -o path."""
from __future__ import annotations

import functools

import pytest

import rlsmodel
from rlsmodel import cli, validation
from rlsmodel.validation import FAIL, NOT_MODELLED, PASS, Scorecard
from rlsmodel.validation.compare import MARK, Comparison, hypothesis_label

DAT_IDS = ["P1", "P6", "P6-b"]       # P6/P6-b: membrane DAT lower in iron deficiency (the DAT direction)


def _card(statuses, meta=None):
    rows = []
    for i, status in statuses.items():
        rows.append({"id": i, "category": validation.CATEGORIES[1], "target": f"target {i}", "source": "s",
                     "expected": "e", "unit": "%", "lo": None, "hi": None, "value": 1.5 if status != NOT_MODELLED
                     else float("nan"), "simulated": "x", "status": status, "note": "", "failed_checks": [],
                     "seconds": 0.0})
    return Scorecard(rows, meta or {"seconds": 1.0})


@pytest.fixture(scope="module")
def dat_comparison(model):
    models = {hypothesis_label(model): model, "d2_tolerance / DAT increased": rlsmodel.Model(dat_hypothesis="increased")}
    return validation.compare(models, quick=True, targets=DAT_IDS)


def test_a_constructed_case_marks_exactly_the_targets_whose_status_differs():
    cmp = Comparison.from_scorecards({
        "H1": _card({"X1": PASS, "X2": PASS, "X3": NOT_MODELLED, "X4": FAIL}),
        "H2": _card({"X1": PASS, "X2": FAIL, "X3": NOT_MODELLED, "X4": PASS}),
        "H3": _card({"X1": PASS, "X2": PASS, "X3": NOT_MODELLED, "X4": FAIL}),
    })
    assert cmp.discriminating() == ["X2", "X4"]
    assert [r["id"] for r in cmp.ordered_rows()] == ["X2", "X4", "X1", "X3"]
    assert cmp.counts()["H2"] == {PASS: 2, FAIL: 1, NOT_MODELLED: 1}
    verdicts = cmp.verdicts()
    assert "passes 2 of 3 scored targets" in verdicts["H2"] and "(X4)" in verdicts["H2"] and "(X2)" in verdicts["H2"]
    assert "level with" in verdicts["H1"] and "fails 1 (X4)" in verdicts["H1"]
    md = validation.comparison_markdown(cmp)
    table = md[md.index("## Every target"):].splitlines()
    header = next(line for line in table if line.startswith("| id |"))
    assert header.endswith("| H1 | H2 | H3 |")
    body = [line for line in table if line.startswith("| ") and not line.startswith(("| id", "| ---"))]
    assert [line.split("|")[1].strip() for line in body] == [f"{MARK} **X2**", f"{MARK} **X4**", "X1", "X3"]
    x2 = body[0].split("|")
    assert "✓ 1.5 %" in x2[5] and "✗ 1.5 %" in x2[6]
    assert body[3].split("|")[5].strip() == "–"                  # not modelled
    assert "| discriminating passed | 1 of 2 | 1 of 2 | 1 of 2 |" in md


def test_scorecards_with_other_targets_cannot_be_aligned():
    with pytest.raises(ValueError, match="other targets"):
        Comparison.from_scorecards({"A": _card({"X1": PASS}), "B": _card({"X2": PASS})})
    with pytest.raises(ValueError, match="at least one model"):
        validation.compare({}, targets=["P1"])


def test_the_dat_direction_discriminates_the_dat_targets(dat_comparison):
    cmp = dat_comparison
    assert cmp.labels == ("d2_tolerance / DAT reduced", "d2_tolerance / DAT increased")
    assert [r["id"] for r in cmp.rows] == DAT_IDS
    for i in ("P6", "P6-b"):
        assert cmp.statuses(i) == {"d2_tolerance / DAT reduced": PASS, "d2_tolerance / DAT increased": FAIL}, i
    assert cmp.discriminating() == ["P6", "P6-b"]
    assert [r["id"] for r in cmp.ordered_rows()] == ["P6", "P6-b", "P1"]
    assert cmp.scorecards["d2_tolerance / DAT increased"].meta["dat_hypothesis"] == "increased"
    assert "fails 2 (P6, P6-b)" in cmp.verdicts()["d2_tolerance / DAT increased"]


def test_write_comparison_under_an_output_directory(dat_comparison, tmp_path):
    paths = validation.write_comparison(dat_comparison, tmp_path)
    assert paths["markdown"] == tmp_path / "docs" / "hypotheses.md"
    assert paths["figure"] == tmp_path / "figures" / "hypotheses.png" and paths["figure"].stat().st_size > 1000
    md = paths["markdown"].read_text()
    assert md.startswith("# Hypotheses compared") and "rlsmodel validate --compare --quick" in md
    assert f"{MARK} **P6**" in md and "run with --population N" not in md


def test_cli_compare_writes_docs_hypotheses_md_under_out(monkeypatch, tmp_path, capsys, model):
    """``rlsmodel validate --compare --quick -o DIR`` (on a target subset: the full run is CPU-heavy)."""
    models = {hypothesis_label(model): model, "d2_tolerance / DAT increased": rlsmodel.Model(dat_hypothesis="increased")}
    monkeypatch.setattr(validation, "compare", functools.partial(validation.compare, models, targets=DAT_IDS))
    assert cli.main(["validate", "--compare", "--quick", "-o", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "2 discriminating target(s): P6, P6-b" in out
    assert (tmp_path / "docs" / "hypotheses.md").is_file() and (tmp_path / "figures" / "hypotheses.png").is_file()
    assert not (tmp_path / "docs" / "validation.md").exists()
    assert cli.main(["validate", "--compare", "--quick", "--strict", "-o", str(tmp_path)]) == 2   # exists: refused
    assert "--overwrite" in capsys.readouterr().err
    assert cli.main(["validate", "--compare", "--quick", "--strict", "--overwrite", "-o", str(tmp_path)]) == 1


def test_cli_compare_refuses_a_single_hypothesis(capsys):
    assert cli.main(["validate", "--compare", "--dat-hypothesis", "increased"]) == 2
    assert "--compare scores every hypothesis" in capsys.readouterr().err


def test_default_models_are_every_mechanism_by_every_dat_direction():
    from rlsmodel.model.hypotheses import DAT_HYPOTHESES, augmentation_names
    labels = list(validation.default_models())
    assert labels == [f"{m} / DAT {d}" for m in augmentation_names() for d in DAT_HYPOTHESES]
    assert len(labels) == len(augmentation_names()) * len(DAT_HYPOTHESES) >= 4
