"""Cost of the quick validation scorecard, as a ratio to one 2-year dosed run in the same process.

``python benchmarks/bench_validate.py [--repeats N]``. The scorecard's wall time used to be
asserted in tests/test_validation.py (< 60 s); speed is measured here instead, where the
reference run in the same process cancels most of the machine's load.
"""
import argparse

import rlsmodel
from rlsmodel import validation
from rlsmodel.pharmacology import reference_regimen

from timing import median_time


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args(argv)
    model = rlsmodel.Model()
    regimen = reference_regimen("pramipexole")
    model.simulate(days=730, profile="rls_genetic", regimen=regimen)          # warm caches and compilation
    t_ref, _ = median_time(lambda: model.simulate(days=730, profile="rls_genetic", regimen=regimen),
                           args.repeats)
    t_val, rows = median_time(lambda: validation.validate(model, quick=True), args.repeats)
    print(f"reference: one 730-day pramipexole run          {t_ref:8.2f} s")
    print(f"validate(quick=True), {len(rows)} targets          {t_val:8.2f} s")
    print(f"ratio scorecard / reference run                  {t_val / t_ref:8.1f}")


if __name__ == "__main__":
    main()
