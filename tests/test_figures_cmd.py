"""``rlsmodel figures`` writes PNG + SVG + caption for every teaching figure."""
from __future__ import annotations

import struct

from rlsmodel import cli
from rlsmodel.figures import FIGURES


def _png_size(path):
    with open(path, "rb") as fh:
        head = fh.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


def test_figures_command_writes_every_figure(tmp_path, capsys):
    assert {"circadian_symptom_curve", "iron_blood_to_brain", "dopamine_not_low",
            "drug_day_augmentation"} <= set(FIGURES)
    status = cli.main(["figures", "--out", str(tmp_path)])
    assert status == 0
    out = capsys.readouterr().out
    for name in FIGURES:
        png, svg, txt = (tmp_path / f"{name}{ext}" for ext in (".png", ".svg", ".txt"))
        assert png.is_file() and svg.is_file() and txt.is_file(), name
        width, height = _png_size(png)
        assert width >= 1920 and height >= 1080, (name, width, height)      # presentation resolution
        assert svg.read_text()[:200].lstrip().startswith("<?xml") and "<svg" in svg.read_text()
        caption = txt.read_text()
        assert len(caption) > 200 and "rlsmodel" in caption and "Model:" in caption
        assert "profile" in caption.lower()
        assert str(png) in out


def test_figures_command_rejects_unknown_names(tmp_path, capsys):
    assert cli.main(["figures", "--out", str(tmp_path), "--only", "no_such_figure"]) == 2
    assert "unknown figure" in capsys.readouterr().err


def test_an_unchanged_figure_is_rewritten_byte_for_byte(tmp_path):
    """The SVG carries no date and salts its clip-path ids with the figure's name, so regenerating
    a figure from an unchanged model leaves the committed file unchanged (a diff of figures/ then
    shows what the model changed, not when it was drawn)."""
    for sub in ("first", "second"):
        assert cli.main(["figures", "--out", str(tmp_path / sub), "--only", "circadian_symptom_curve"]) == 0
    first = (tmp_path / "first" / "circadian_symptom_curve.svg").read_bytes()
    assert first == (tmp_path / "second" / "circadian_symptom_curve.svg").read_bytes()
    assert b"<dc:date>" not in first
