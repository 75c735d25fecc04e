"""Benchmark and check (issue 24, decision 46): a 5-year virtual trial, exact path against envelope.

Run:  python benchmarks/bench_envelope_trial.py [--n 20] [--seed 11] [--weeks 261]

Arms: pramipexole 0.25 and 0.75 mg, ropinirole 2 mg, levodopa 200 mg (placebo is added by
``virtual_trial``), ``workers=1``, ``Model(engine="cvode", engine_options={"long_horizon": ...})``.
Prints the wall time of each path and whether every verdict (both tiers), status and day met is
identical patient by patient, and the largest difference of ``irls_change_end``. The accuracy
part is what ``tests/test_envelope.py`` asserts on a smaller trial; this runs a larger one.
"""
from __future__ import annotations

import argparse
import sys
import time

import numpy as np

import rlsmodel


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=20)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--weeks", type=int, default=261)
    args = ap.parse_args(argv)
    arms = {"pramipexole 0.25 mg": rlsmodel.Regimen.daily("pramipexole", 0.25, 21.0),
            "pramipexole 0.75 mg": rlsmodel.Regimen.daily("pramipexole", 0.75, 21.0),
            "ropinirole 2 mg": rlsmodel.Regimen.daily("ropinirole", 2.0, 21.0),
            "levodopa 200 mg": rlsmodel.Regimen.daily("levodopa", 200.0, 21.0)}
    out = {}
    for path in ("exact", "envelope"):
        model = rlsmodel.Model(engine="cvode", engine_options={"long_horizon": path})
        t0 = time.perf_counter()
        out[path] = rlsmodel.virtual_trial(arms, n=args.n, weeks=args.weeks, seed=args.seed, model=model,
                                           workers=1, progress=False)
        print(f"{path}: {time.perf_counter() - t0:.1f} s")
    ex, en = out["exact"], out["envelope"]
    same = True
    for name in ("augmented", "mpi_positive", "augmented_biological", "day_met", "day_met_clinically_relevant",
                 "status"):
        a, b = ex[name].values, en[name].values
        eq = np.array_equal(a, b) if a.dtype.kind in "OUS" else np.array_equal(a, b, equal_nan=True)
        same &= eq
        print(f"{name}: {'identical' if eq else 'DIFFERENT'} patient by patient")
    print("augmented per arm (exact):", {str(a): int(np.nansum(ex["augmented"].sel(arm=a).values)) for a in ex["arm"].values})
    print(f"irls_change_end: largest difference {float(np.nanmax(np.abs(ex['irls_change_end'].values - en['irls_change_end'].values))):.4f}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
