"""Augmentation over years: cumulative incidence per arm and tier in a 5-year virtual trial.

A thin script: the experiment is :mod:`rlsmodel.experiments.long_term` (its docstring says what it
computes and writes; ``rlsmodel run long_term -o DIR`` runs it from an installed package). This
script writes into ``figures/`` (replacing the committed files; ``-o DIR`` to write elsewhere).

Run: ``python experiments/long_term.py [options]`` (``--help`` lists them).
"""
from __future__ import annotations

import sys
from pathlib import Path

from rlsmodel.experiments.long_term import main

FIGURES = Path(__file__).resolve().parent.parent / "figures"

if __name__ == "__main__":
    sys.exit(main(prog="experiments/long_term.py", default_out=FIGURES, overwrite=True))
