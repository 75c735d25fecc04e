"""Benchmark (issue 24, item 4): what one virtual trial costs per patient-year, wall and CPU time.

Run:  python benchmarks/bench_trial_cost.py [--weeks 52] [--n 6] [--repeats 3]

Pramipexole 0.25 mg, ropinirole 1 mg and placebo, ``--n`` patients per arm, 4 baseline weeks,
workers=1, seed 3, the default model; after a one-patient warm-up trial (imports, first
Dataset, start states). Prints the median over ``--repeats`` of the wall time and of the
process's CPU time per patient-year: on a shared machine the CPU time is what other processes
do not change. To compare two checkouts, run this file from each (``PYTHONPATH=<checkout>``)
alternately.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

import rlsmodel

ARMS = {"pramipexole 0.25 mg": rlsmodel.Regimen.daily("pramipexole", 0.25, 21.0),
        "ropinirole 1 mg": rlsmodel.Regimen.daily("ropinirole", 1.0, 21.0)}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--weeks", type=int, default=52)
    ap.add_argument("--n", type=int, default=6)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args(argv)
    model = rlsmodel.Model()
    rlsmodel.virtual_trial(ARMS, n=1, weeks=1, seed=3, model=model, workers=1, progress=False)
    patient_years = args.n * (len(ARMS) + 1) * (args.weeks + 4) * 7 / 365.0
    walls, cpus = [], []
    for _ in range(args.repeats):
        model.clear_caches()                      # cold: start states and shared baselines again
        try:
            from rlsmodel.trial_runs import clear_baselines
            clear_baselines()
        except ImportError:                        # a checkout before rlsmodel.trial_runs
            pass
        w0, c0 = time.perf_counter(), time.process_time()
        rlsmodel.virtual_trial(ARMS, n=args.n, weeks=args.weeks, seed=3, model=model, workers=1, progress=False)
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
    print(f"{rlsmodel.__file__}: {args.weeks}-week trial, 3 arms x {args.n}, workers=1, median of {args.repeats}: "
          f"wall {1000 * statistics.median(walls) / patient_years:.1f} ms, CPU "
          f"{1000 * statistics.median(cpus) / patient_years:.1f} ms per patient-year "
          f"(CPU range {1000 * min(cpus) / patient_years:.1f}-{1000 * max(cpus) / patient_years:.1f}; "
          f"load {os.getloadavg()[0]:.1f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
