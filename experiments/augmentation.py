"""Flagship experiment: augmentation under each drug, for both augmentation hypotheses.

A thin script: the experiment is :mod:`rlsmodel.experiments.augmentation` (its docstring says what it
computes and writes; ``rlsmodel run augmentation -o DIR`` runs it from an installed package). This
script writes into ``figures/`` (replacing the committed files; ``-o DIR`` to write elsewhere).

Run: ``python experiments/augmentation.py [options]`` (``--help`` lists them).
"""
from __future__ import annotations

import sys
from pathlib import Path

from rlsmodel.experiments.augmentation import main

FIGURES = Path(__file__).resolve().parent.parent / "figures"

if __name__ == "__main__":
    sys.exit(main(prog="experiments/augmentation.py", default_out=FIGURES, overwrite=True))
