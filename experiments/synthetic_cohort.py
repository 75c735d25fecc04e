"""Worked example of calibration as code (docs/calibration_howto.md).

A thin script: the experiment is :mod:`rlsmodel.experiments.synthetic_cohort` (its docstring says what it
computes and writes; ``rlsmodel run synthetic_cohort -o DIR`` runs it from an installed package). This
script writes the cohort, the spec copy and the fit (``synthetic_cohort_fit/``, not committed) into
``experiments/calibration/`` and regenerates the ``synthetic_cohort`` section of
``docs/calibration.md`` (``--no-docs`` to skip).

Run: ``python experiments/synthetic_cohort.py [options]`` (``--help`` lists them).
"""
from __future__ import annotations

import sys
from pathlib import Path

from rlsmodel.experiments.synthetic_cohort import main

HERE = Path(__file__).resolve().parent

DOCS = Path(__file__).resolve().parent.parent / "docs" / "calibration.md"

if __name__ == "__main__":
    sys.exit(main(prog="experiments/synthetic_cohort.py", default_out=HERE / "calibration", overwrite=True,
                  default_docs=DOCS))
