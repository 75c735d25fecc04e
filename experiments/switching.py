"""Switching augmented patients to pregabalin, oxycodone-naloxone or the rotigotine patch.

A thin script: the experiment is :mod:`rlsmodel.experiments.switching` (its docstring says what it
computes and writes; ``rlsmodel run switching -o DIR`` runs it from an installed package). This
script writes into ``figures/`` (replacing the committed files; ``-o DIR`` to write elsewhere).

Run: ``python experiments/switching.py [options]`` (``--help`` lists them).
"""
from __future__ import annotations

import sys
from pathlib import Path

from rlsmodel.experiments.switching import main

FIGURES = Path(__file__).resolve().parent.parent / "figures"

if __name__ == "__main__":
    sys.exit(main(prog="experiments/switching.py", default_out=FIGURES, overwrite=True))
