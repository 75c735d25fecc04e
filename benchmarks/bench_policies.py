"""Benchmark and measurement: doses that follow symptoms over a 5-year virtual trial.

Run:  nice -n 10 python benchmarks/bench_policies.py [--n 40] [--years 5] [--seed 7] [--workers 1]

Two arms of the same patients (rls_genetic, min_baseline_irls 15, no placebo arm):
pramipexole 0.25 mg fixed, and pramipexole 0.25 mg under
``DosePolicy(threshold_irls=15, step_mg=0.125, maximum_mg=0.75)`` at the monthly visits. Each arm
runs as its own :func:`rlsmodel.virtual_trial`, timed, so the ratio of the two wall times is the
cost of running in segments between visits (the rule arm) against one unsegmented run per
patient (the fixed arm). Prints the median dose at years 1..5 (all eligible patients, and those
still in the trial is everyone: the model has no drop-out), the fraction at the maximum, the
clinically relevant augmentation by arm, and compares with Silber et al. 2003 (Sleep 26:819:
median pramipexole 0.38 mg at the start of stable treatment, 0.63 mg after a mean of 27 months).
"""
from __future__ import annotations

import argparse
import time

import numpy as np

import rlsmodel
from rlsmodel import DosePolicy
from rlsmodel.pharmacology import reference_regimen


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=40)
    ap.add_argument("--years", type=int, default=5)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--workers", type=int, default=1)
    args = ap.parse_args(argv)
    weeks = 52 * args.years
    rule = DosePolicy(threshold_irls=15, step_mg=0.125, maximum_mg=0.75)
    common = dict(n=args.n, weeks=weeks, seed=args.seed, placebo=False, min_baseline_irls=15,
                  workers=args.workers)
    rlsmodel.virtual_trial({"warm-up": reference_regimen("pramipexole", dose=0.25)}, n=1, weeks=4, placebo=False)
    t0 = time.perf_counter()
    fixed = rlsmodel.virtual_trial({"pramipexole 0.25 mg fixed": reference_regimen("pramipexole", dose=0.25)},
                                   **common)
    t_fixed = time.perf_counter() - t0
    t0 = time.perf_counter()
    titrated = rlsmodel.virtual_trial({"pramipexole 0.25 mg + DosePolicy": reference_regimen("pramipexole", dose=0.25)},
                                      policies={"pramipexole 0.25 mg + DosePolicy": rule}, **common)
    t_rule = time.perf_counter() - t0
    arm = "pramipexole 0.25 mg + DosePolicy"
    ok = titrated["eligible"].values & (titrated["status"].sel(arm=arm).values == "ok")
    dose = titrated["dose_mg"].sel(arm=arm).values[ok]
    vw = titrated["visit_week"].values
    print(f"rule: {rule.describe()}")
    print(f"n = {args.n}, eligible and ok: {ok.sum()}, weeks = {weeks}, seed = {args.seed}")
    print("| year | visit week | median dose (mg) | IQR (mg) | at 0.75 mg |")
    print("| --- | --- | --- | --- | --- |")
    for year in range(0, args.years + 1):
        w = 52 * year
        k = int(np.argmin(np.abs(vw - w)))
        col = dose[:, k]
        q1, q3 = np.percentile(col, [25, 75])
        print(f"| {year} | {vw[k]} | {np.median(col):.3g} | {q1:.3g}-{q3:.3g} | {np.mean(col >= 0.75 - 1e-9):.0%} |")
    k27 = int(np.argmin(np.abs(vw - 27 * 52 / 12)))
    print(f"median dose at month 27 (week {vw[k27]}): {np.median(dose[:, k27]):.3g} mg "
          "(Silber et al. 2003: 0.38 -> 0.63 mg over a mean of 27 months)")
    for name, ds in (("fixed", fixed), ("DosePolicy", titrated)):
        a = str(ds["arm"].values[0])
        print(f"{name}: clinically relevant augmentation {float(ds['augmentation_incidence'].sel(arm=a)):.1%}, "
              f"MPI-positive {float(ds['mpi_positive_incidence'].sel(arm=a)):.1%}, IRLS change end "
              f"{float(ds['irls_change'].sel(arm=a, timepoint='end')):.2f}, week 12 "
              f"{float(ds['irls_change'].sel(arm=a, timepoint='week_12')):.2f}")
    print(f"wall time: fixed {t_fixed:.1f} s, DosePolicy {t_rule:.1f} s, ratio {t_rule / t_fixed:.2f} "
          f"(segmented / unsegmented; {args.workers} worker(s))")


if __name__ == "__main__":
    main()
