"""Iron therapy in iron-deficient RLS: oral versus IV iron, and iron before dopaminergic drugs.

A thin script: the experiment is :mod:`rlsmodel.experiments.iron_therapy` (its docstring says what it
computes and writes; ``rlsmodel run iron_therapy -o DIR`` runs it from an installed package). This
script writes into ``figures/`` (replacing the committed files; ``-o DIR`` to write elsewhere).

Run: ``python experiments/iron_therapy.py [options]`` (``--help`` lists them).
"""
from __future__ import annotations

import sys
from pathlib import Path

from rlsmodel.experiments.iron_therapy import main

FIGURES = Path(__file__).resolve().parent.parent / "figures"

if __name__ == "__main__":
    sys.exit(main(prog="experiments/iron_therapy.py", default_out=FIGURES, overwrite=True))
