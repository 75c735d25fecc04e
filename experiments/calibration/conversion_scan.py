"""Why noise-free augmentation does not become clinically relevant in what patients report.

Decision 54 found that a 5-year virtual trial converts fewer than half of its noise-free cases
(the biology meets the criteria persistently) into clinically relevant ones (the reported,
noisy series with the placebo offset meets them on every day of a 28-day window). This script
takes a saved trial (``long_term_scan.py --save FILE``), re-simulates every eligible patient of
one arm whose noise-free verdict is positive, and re-scores the same patient four ways: as
reported; without the placebo offset; without the daily fluctuation; without either. It prints
how many become clinically relevant in each case and what the converted and the unconverted
patients look like (baseline IRLS, noise-free worsening, placebo offset, noise SD).

Decision 55 (pramipexole 0.25 mg, n = 300, seed 2014, 5 years): 35 of 84 as reported, 69 without
the placebo offset, 38 without the fluctuation, 84 without either; the unconverted patients have
a median placebo offset of -8.0 IRLS points (converted -3.2) and a noise-free worsening of +3.4
points over their baseline median (converted +11.8).

Usage::

    python experiments/calibration/long_term_scan.py --n 300 --arms p25,p50,rop --workers 2 \\
        --envelope --save trial.nc
    python experiments/calibration/conversion_scan.py trial.nc --arm "pramipexole 0.25 mg"

The model is the default one, on cvode's envelope when the saved trial was (its attrs); pass
``--set name=value`` for the parameters the trial was run with (its ``parameter_defaults``
attribute lists them) and ``--log-sd`` if it changed the spread.
"""
from __future__ import annotations

import argparse
import json
import sys

import numpy as np
import xarray as xr
from tqdm import tqdm

import rlsmodel
from rlsmodel import clinical, outcomes
from rlsmodel.engines.envelope import envelope_solver
from rlsmodel.pharmacology import DRUGS, reference_regimen
from rlsmodel.populations import population, varied_parameters
from rlsmodel.trial import TrialScorer, _shift
from rlsmodel.trial_runs import SCORED_VARIABLES

#: The four ways of scoring the same patient: (label, keep the fluctuation, keep the placebo offset).
CASES = (("as reported", True, True), ("no placebo offset", True, False), ("no fluctuation", False, True),
         ("neither", False, False))


def arm_regimen(arm: str):
    """The reference regimen of an arm named like ``"pramipexole 0.25 mg"``."""
    drug, dose = arm.split()[0], float(arm.split()[1])
    if drug not in DRUGS:
        raise ValueError(f"arm {arm!r}: unknown drug {drug!r}")
    return reference_regimen(drug, dose=dose)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("trial", help="a virtual trial saved by long_term_scan.py --save")
    ap.add_argument("--arm", default="pramipexole 0.25 mg")
    ap.add_argument("--set", nargs="*", default=[], help="parameter defaults the trial was run with")
    ap.add_argument("--log-sd", type=float, default=None, help="spread of d2_drug_sensitization_gain, if changed")
    a = ap.parse_args(argv)

    scan = xr.open_dataset(a.trial)
    if a.arm not in scan.arm.values:
        ap.error(f"arm {a.arm!r} is not in {a.trial}: {list(scan.arm.values)}")
    if a.log_sd is not None:
        sys.path.insert(0, __file__.rsplit("/", 1)[0])
        from long_term_scan import set_spread
        set_spread("d2_drug_sensitization_gain", a.log_sd)
    n, seed, weeks = int(scan.attrs["n_per_arm"]), int(scan.attrs["seed"]), int(scan.attrs["weeks"])
    base_days = 7 * int(scan.attrs["baseline_weeks"])
    options = envelope_solver() if "envelope" in scan.attrs.get("solver_options", "") else {}
    model = rlsmodel.Model(**options)
    params = {k: float(v) for k, v in (s.split("=") for s in a.set)}
    saved = json.loads(scan.attrs.get("parameter_defaults", "{}"))
    if saved != params:
        print(f"note: the trial was run with parameter defaults {saved}; this run uses {params}")
    model = model.with_defaults(params) if params else model

    d = scan.sel(arm=a.arm)
    eligible = d.eligible.values.astype(bool)
    noise_free = eligible & np.isfinite(d.day_met_biological.values)
    relevant = eligible & np.isfinite(d.day_met_clinically_relevant.values)
    who = np.flatnonzero(noise_free)
    pop = population(n, seed, "rls_genetic", model)
    names = varied_parameters(pop)
    scorer = TrialScorer(seed, base_days, weeks, 4)
    regimen = _shift(arm_regimen(a.arm), base_days)
    days = 7.0 * (base_days // 7 + weeks) + clinical.DAY_START
    rows = []
    for i in tqdm(who, desc=f"{a.arm}: noise-free cases", unit="patient"):
        p = {k: float(pop[k].values[i]) for k in names}
        ds = model.simulate(days, profile="rls_genetic", params=p, regimen=regimen, progress=False, warn=False,
                            keep=list(SCORED_VARIABLES))
        daily = outcomes.daily(ds, baseline_days=range(0, base_days))
        sd, placebo = float(pop["symptom_noise_sd"].values[i]), float(pop["placebo_response"].values[i])
        day_nf = int(d.day_met_biological.values[i])
        verdicts = []
        for _, noisy, with_placebo in CASES:
            rep = scorer.reported(daily, int(i), sd if noisy else 0.0, placebo if with_placebo else 0.0)
            flags = scorer.mpi_flags(rep)
            verdicts += [float(flags[day_nf:].mean()), float(clinical.adjudicate(flags, scorer.visit_weeks()).augmented)]
        irls = daily["irls"].values
        rows.append([float(relevant[i]), float(d.baseline_irls.values[i]),
                     float(np.mean(irls[-28:]) - np.median(irls[:base_days])), placebo, sd, *verdicts])
    r = np.array(rows)
    conv = r[:, 0] == 1
    print(f"{a.arm}: {who.size} noise-free cases among {eligible.sum()} eligible, {conv.sum()} clinically relevant "
          f"in the saved trial")
    for j, (label, _, _) in enumerate(CASES):
        flag, aug = r[:, 5 + 2 * j], r[:, 6 + 2 * j]
        print(f"  {label:18s} clinically relevant {int(aug.sum()):3d} / {who.size}; share of days after the "
              f"noise-free day with the criteria met: median {np.median(flag):.2f}")
    for label, m in (("converted", conv), ("not converted", ~conv)):
        if m.any():
            print(f"  {label}: {m.sum()} patients; baseline weekly IRLS median {np.median(r[m, 1]):.1f}; noise-free "
                  f"IRLS of the last 4 weeks minus the baseline median {np.median(r[m, 2]):+.1f}; placebo offset "
                  f"{np.median(r[m, 3]):+.1f}; fluctuation SD {np.median(r[m, 4]):.2f}")


if __name__ == "__main__":
    main()
