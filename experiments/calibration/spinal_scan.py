"""Can spinal D1 up-regulation give augmentation *after* a benefit? A Latin-hypercube scan of the
d3_d1_spinal hypothesis' own parameters over their declared ranges (issue 22, item 5).

For each parameter set the median ``rls_genetic`` patient takes levodopa 200 mg and pramipexole
0.75 mg at 20:00 for 26 weeks after a 4-week untreated baseline. Recorded per drug: the untreated
weekly IRLS, the change in weeks 2-3 (acute effect), whether the MPI criteria are met
(:func:`rlsmodel.outcomes.augmentation`) and the largest weekly onset advance. The summary counts
the sets that keep the untreated patient (IRLS 20-28) and an acute benefit (levodopa at least 3,
pramipexole 0.75 mg at least 7 points in weeks 2-3: the ranges of spinal_acute.toml and
drug_efficacy.toml), and among them those that augment. Rerun (about 12 minutes for 300 sets on 2 busy cores)::

    python experiments/calibration/spinal_scan.py --n 300 --seed 22 -o spinal_scan.json
"""
from __future__ import annotations

import argparse
import json
import sys

import numpy as np
from scipy.stats import qmc

import rlsmodel
from rlsmodel import Regimen, outcomes
from rlsmodel.clinical import BASELINE_DAYS
from rlsmodel.integrate import IntegrationError
from rlsmodel.set_points import SetPointError

#: Scanned parameters: declared range and whether they are scanned on a log scale.
RANGES = {
    "spinal_dopamine_fraction": (0.05, 1.0, True),
    "d1_excitation_weight": (0.3, 10.0, True),
    "k_d1_upregulation": (0.01, 0.2, True),
    "d3_supraphysiological_threshold": (1.1, 2.0, False),
    "d1_upregulation_gain": (0.0, 1000.0, False),
    "d3_hinge_sharpness": (5.0, 60.0, False),
    "kd_dopamine_d1": (300.0, 3000.0, True),
}
DRUGS = (("levodopa", 200.0), ("pramipexole", 0.75))
WEEKS = 26


def one_drug(model, drug, dose_mg, params) -> dict:
    """Median-patient course on one drug: untreated IRLS, weeks 2-3 change, MPI verdict, onset advance (h).

    ``params`` become the model's defaults (``Model.with_defaults``), so the set points that
    depend on them (``d3_stimulation_ref``, ``spinal_signal_ref``) are recomputed as a fit does.
    """
    reg = Regimen.daily(drug, dose_mg, 20.0, start_day=BASELINE_DAYS)
    fitted = model.with_defaults(params) if params else model
    ds = fitted.simulate(BASELINE_DAYS + 7 * WEEKS, profile="rls_genetic", regimen=reg, warn=False)
    daily = outcomes.daily(ds)
    verdict = outcomes.augmentation(ds, regimen_start_day=BASELINE_DAYS, daily_table=daily)
    onset = np.where(np.isnan(daily["onset_hour"].values), 30.0, daily["onset_hour"].values)
    irls = daily["irls"].values
    base_onset = float(np.median(onset[:BASELINE_DAYS]))
    treated = onset[BASELINE_DAYS:]
    weekly_onset = [np.median(treated[i:i + 7]) for i in range(len(treated) - 6)]
    base_irls = float(np.median(irls[:BASELINE_DAYS]))
    return {"mpi_positive": float(verdict["mpi_positive"]), "augmented": float(verdict["augmented"]),
            "max_onset_advance_h": base_onset - float(min(weekly_onset)), "untreated_irls": base_irls,
            "weeks_2_3_change": float(np.mean(irls[BASELINE_DAYS + 7:BASELINE_DAYS + 21])) - base_irls}


def scan(n: int, seed: int) -> list:
    model = rlsmodel.Model(augmentation="d3_d1_spinal")
    unit = qmc.LatinHypercube(d=len(RANGES), seed=seed).random(n)
    rows = []
    for u in unit:
        params = {}
        for (name, (lo, hi, log)), x in zip(RANGES.items(), u):
            params[name] = float(np.exp(np.log(lo) + x * np.log(hi / lo))) if log else float(lo + x * (hi - lo))
        try:
            rows.append({"params": params, **{drug: one_drug(model, drug, dose, params) for drug, dose in DRUGS}})
        except (SetPointError, IntegrationError) as exc:       # a set the model cannot be built or run at
            rows.append({"params": params, "error": f"{type(exc).__name__}: {exc}"})
    return rows


def summary(rows) -> dict:
    """Counts of the scan (see the module docstring)."""
    def keeps(r):
        lv, pr = r["levodopa"], r["pramipexole"]
        return 20 <= lv["untreated_irls"] <= 28 and lv["weeks_2_3_change"] <= -3 and pr["weeks_2_3_change"] <= -7
    failed = [r for r in rows if "error" in r]
    rows = [r for r in rows if "error" not in r]
    keepers = [r for r in rows if keeps(r)]
    augmenters = [r for r in rows if r["levodopa"]["mpi_positive"] == 1]
    plausible_aug = [r for r in augmenters if 20 <= r["levodopa"]["untreated_irls"] <= 28]
    return {
        "sets": len(rows) + len(failed),
        "sets the model cannot be built or run at": len(failed),
        "keep patient and acute benefit": len(keepers),
        "of these, levodopa MPI-positive within 26 weeks": sum(r["levodopa"]["mpi_positive"] == 1 for r in keepers),
        "of these, largest levodopa onset advance (h)": max((r["levodopa"]["max_onset_advance_h"] for r in keepers), default=float("nan")),
        "levodopa MPI-positive within 26 weeks (any set)": len(augmenters),
        "of these, untreated IRLS 20-28": len(plausible_aug),
        "of these, levodopa weeks 2-3 change (best, IRLS points)": min((r["levodopa"]["weeks_2_3_change"] for r in plausible_aug), default=float("nan")),
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=300, help="parameter sets (default 300)")
    ap.add_argument("--seed", type=int, default=22, help="Latin-hypercube seed (default 22)")
    ap.add_argument("-o", "--out", help="write every set's numbers to this JSON file (refused if it exists)")
    args = ap.parse_args(argv)
    if args.n < 1:
        ap.error(f"--n must be >= 1; got {args.n}")
    if args.out:
        from rlsmodel.fileio import check_new_output
        check_new_output(args.out, overwrite=False)
    rows = scan(args.n, args.seed)
    for key, value in summary(rows).items():
        print(f"{key}: {value:.3g}" if isinstance(value, float) else f"{key}: {value}")
    if args.out:
        from rlsmodel.fileio import write_text_atomic
        write_text_atomic(args.out, json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
