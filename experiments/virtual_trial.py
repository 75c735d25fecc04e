"""Virtual replays of two published designs, simulated incidences beside the published ones.

A thin script: the experiment is :mod:`rlsmodel.experiments.virtual_trial` (its docstring says what it
computes and writes; ``rlsmodel run virtual_trial -o DIR`` runs it from an installed package). This
script writes into ``figures/`` (replacing the committed files; ``-o DIR`` to write elsewhere).

Run: ``python experiments/virtual_trial.py [options]`` (``--help`` lists them).
"""
from __future__ import annotations

import sys
from pathlib import Path

from rlsmodel.experiments.virtual_trial import main

FIGURES = Path(__file__).resolve().parent.parent / "figures"

if __name__ == "__main__":
    sys.exit(main(prog="experiments/virtual_trial.py", default_out=FIGURES, overwrite=True))
