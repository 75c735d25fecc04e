"""Time to augmentation over drug half-life x dose x BBB iron uptake capacity (heat maps).

A thin script: the experiment is :mod:`rlsmodel.experiments.augmentation_map` (its docstring says what it
computes and writes; ``rlsmodel run augmentation_map -o DIR`` runs it from an installed package). This
script writes into ``figures/`` (replacing the committed files; ``-o DIR`` to write elsewhere).

Run: ``python experiments/augmentation_map.py [options]`` (``--help`` lists them).
"""
from __future__ import annotations

import sys
from pathlib import Path

from rlsmodel.experiments.augmentation_map import main

FIGURES = Path(__file__).resolve().parent.parent / "figures"

if __name__ == "__main__":
    sys.exit(main(prog="experiments/augmentation_map.py", default_out=FIGURES, overwrite=True))
