"""Benchmark and measurement: doses that follow symptoms over a 5-year virtual trial.

Run:  nice -n 10 python benchmarks/bench_policies.py [--n 40] [--years 5] [--seed 7] [--workers 1] [--who]

Two arms of the same patients (rls_genetic, min_baseline_irls 15, no placebo arm):
pramipexole 0.25 mg fixed, and pramipexole 0.25 mg under
``DosePolicy(threshold_irls=15, step_mg=0.125, maximum_mg=0.75)`` at the monthly visits. Each arm
runs as its own :func:`rlsmodel.virtual_trial`, timed, so the ratio of the two wall times is the
cost of running in segments between visits (the rule arm) against one unsegmented run per
patient (the fixed arm). Prints the median dose at years 1..5 (all eligible patients, and those
still in the trial is everyone: the model has no drop-out), the fraction at the maximum, the
clinically relevant augmentation by arm, and compares with Silber et al. 2003 (Sleep 26:819:
median pramipexole 0.38 mg at the start of stable treatment, 0.63 mg after a mean of 27 months).

``--who``: instead, a 52-week trial of the same patients with placebo and a fixed 0.75 mg arm
beside the two, splitting the rule arm into the patients it stepped up and the others (their
baseline and week-52 reported IRLS in every arm): who is escalated, and what the dose does for them.
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
    ap.add_argument("--who", action="store_true", help="52-week analysis of who is stepped up")
    args = ap.parse_args(argv)
    if args.who:
        return who_escalates(args)
    weeks = 52 * args.years
    rule = DosePolicy(threshold_irls=15, step_mg=0.125, maximum_mg=0.75)
    common = dict(n=args.n, weeks=weeks, seed=args.seed, placebo=False, min_baseline_irls=15,
                  workers=args.workers)
    rlsmodel.virtual_trial({"warm-up": reference_regimen("pramipexole", dose=0.25)}, n=1, weeks=4, placebo=False)
    t0, c0 = time.perf_counter(), time.process_time()
    fixed = rlsmodel.virtual_trial({"pramipexole 0.25 mg fixed": reference_regimen("pramipexole", dose=0.25)},
                                   **common)
    t_fixed, c_fixed = time.perf_counter() - t0, time.process_time() - c0
    t0, c0 = time.perf_counter(), time.process_time()
    titrated = rlsmodel.virtual_trial({"pramipexole 0.25 mg + DosePolicy": reference_regimen("pramipexole", dose=0.25)},
                                      policies={"pramipexole 0.25 mg + DosePolicy": rule}, **common)
    t_rule, c_rule = time.perf_counter() - t0, time.process_time() - c0
    arm = "pramipexole 0.25 mg + DosePolicy"
    ok = titrated["eligible"].values & (titrated["status"].sel(arm=arm).values == "ok")
    dose = titrated["dose_mg"].sel(arm=arm).values[ok]
    vw = titrated["visit_week"].values
    print(f"rule: {rule.describe()}")
    print(f"n = {args.n}, eligible and ok: {ok.sum()}, weeks = {weeks}, seed = {args.seed}")
    print("| time | visit week | median dose (mg) | mean dose (mg) | IQR (mg) | above 0.25 mg | at 0.75 mg |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    rows = [(f"month {m}", round(m * 52 / 12 / 4) * 4) for m in (1, 2, 3, 6, 9)]
    rows += [(f"year {y}", 52 * y) for y in range(0, args.years + 1)]
    for label, w in sorted(rows, key=lambda r: r[1]):
        k = int(np.argmin(np.abs(vw - w)))
        col = dose[:, k]
        q1, q3 = np.percentile(col, [25, 75])
        print(f"| {label} | {vw[k]} | {np.median(col):.3g} | {np.mean(col):.3g} | {q1:.3g}-{q3:.3g} | "
              f"{np.mean(col > 0.25 + 1e-9):.0%} | {np.mean(col >= 0.75 - 1e-9):.0%} |")
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
    if args.workers == 1:      # serial: the CPU time of this process is the runs' (robust to a loaded machine)
        print(f"CPU time: fixed {c_fixed:.1f} s, DosePolicy {c_rule:.1f} s, ratio {c_rule / c_fixed:.2f}")


def who_escalates(args):
    rule = DosePolicy(threshold_irls=15, step_mg=0.125, maximum_mg=0.75)
    low = reference_regimen("pramipexole", dose=0.25)
    ds = rlsmodel.virtual_trial({"fixed 0.25 mg": low, "rule": low,
                                 "fixed 0.75 mg": reference_regimen("pramipexole", dose=0.75)},
                                policies={"rule": rule}, n=args.n, weeks=52, seed=args.seed, placebo=True,
                                min_baseline_irls=15, workers=args.workers)
    ok = ds["eligible"].values & (ds["status"].values == "ok").all(axis=0)
    base = ds["baseline_irls"].sel(arm="placebo").values[ok]
    stepped = ds["dose_mg"].sel(arm="rule").values[ok][:, -1] > 0.25 + 1e-9
    arms = [str(a) for a in ds["arm"].values]
    print("| patients | n | baseline IRLS | " + " | ".join(f"week-52 IRLS, {a}" for a in arms) + " |")
    print("| --- " * (3 + len(arms)) + "|")
    for label, sel in (("stepped up", stepped), ("kept 0.25 mg", ~stepped), ("all", np.ones_like(stepped))):
        ends = [np.median((base + ds["irls_change_end"].sel(arm=a).values[ok])[sel]) for a in arms]
        print(f"| {label} | {sel.sum()} | {np.median(base[sel]):.1f} | " + " | ".join(f"{e:.1f}" for e in ends) + " |")
    for a in arms:
        print(f"{a}: median model IRLS change (no reporting terms) "
              f"{np.median(ds['biological_irls_change_end'].sel(arm=a).values[ok]):.1f}")


if __name__ == "__main__":
    main()
