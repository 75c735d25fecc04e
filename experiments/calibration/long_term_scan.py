"""Augmentation over years by arm and tier in a virtual trial of a model with changed defaults: the
hand scan behind ``d2_drug_sensitization_gain`` (issue 22 item 1, docs/decisions.md entry 47).

Prints, per arm, cumulative incidence at the end of each year and the life-table annual rate of
new cases in years 2 to the last, in the practice, MPI and noise-free tiers; the MPI tier by weeks
26 and 52; with ``--placebo`` the 12-week placebo-corrected IRLS change (A-agonist-12wk). Arms:
p25 / p50 pramipexole 0.25 / 0.5 mg, rop ropinirole 2 mg, rot rotigotine 2 mg/24 h, levo
levodopa 200 mg, preg pregabalin 300 mg. About 95 s for 4 arms x 60 patients x 5 years on one
core. Examples (decision 47)::

    nice -n 10 python experiments/calibration/long_term_scan.py --n 60 --arms p25,p50,rop,rot \
        --set d2_drug_sensitization_gain=0 d2_drug_pulse_half=10 k_d2_drug_sensitization=0.00274
    nice -n 10 python experiments/calibration/long_term_scan.py --n 100 --weeks 52 --arms p25,p50,rop \
        --placebo --set pramipexole_brain_plasma_ratio=0.675 ropinirole_brain_plasma_ratio=1.8

Reporting diagnostics (decision 55, the conversion finding): ``--placebo-mean`` and
``--placebo-sd`` replace the placebo offset's distribution (``--placebo-mean 0 --placebo-sd 0.001``:
no offset), ``--placebo-fade-weeks T`` lets the offset fade with time constant T weeks after
treated week 26. They probe the scoring, they are not model options: within trials the placebo
response grows with trial duration (Fulda and Wetter 2008 Brain 131:902; Silva et al. 2017
Neurology 88:2216), so a fading offset has no support there.

Population diagnostic (decision 57): ``--carrier-factor F`` sets the risk genotype's multiplier of
the uptake gains (carriers F, non-carriers 1 / F; ``populations.CARRIER_FACTOR``), the lever of the
trial population's baseline severity (A-trial-baseline).
"""

import argparse
import time

import numpy as np
import rlsmodel
from rlsmodel.engines.envelope import envelope_solver
from rlsmodel.pharmacology import reference_regimen, arm_name
from rlsmodel.validation.checks import long_term as lt
from rlsmodel.validation.checks.population import paired_change

ARMS = {"p25": ("pramipexole", None), "p50": ("pramipexole", 0.5), "rop": ("ropinirole", None),
        "rot": ("rotigotine", None), "levo": ("levodopa", None), "preg": ("pregabalin", None)}


def set_spread(name, sd=None, *, centre=None):
    """Replace the between-patient SD and/or the centre of spread ``name`` (the fields given) in
    this process (and in forked workers)."""
    import dataclasses
    from rlsmodel import populations
    fields = {k: v for k, v in (("sd", sd), ("centre", centre)) if v is not None}
    populations.SPREADS = tuple(dataclasses.replace(s, **fields) if s.name == name else s
                                for s in populations.SPREADS)
    populations._BY_NAME = {s.name: s for s in populations.SPREADS}


def set_carrier_factor(factor):
    """Replace the risk genotype's multiplier of the uptake gains in this process (and in forked
    workers): carriers ``factor`` x the profile's value, non-carriers ``1 / factor``."""
    from rlsmodel import populations
    populations.CARRIER_FACTOR, populations.NON_CARRIER_FACTOR = factor, 1.0 / factor


def fade_placebo(weeks, after_weeks=26):
    """Diagnostic (this process and forked workers): the reported series' placebo offset fades
    with time constant ``weeks`` after treated week ``after_weeks``."""
    from rlsmodel import trial

    original = trial.TrialScorer.reported

    def reported(self, dd, patient, sd, placebo):
        out = original(self, dd, patient, sd, 0.0)
        days = dd["day"].values.astype(int)
        elapsed = np.where(days >= self.start_day, days - self.start_day + 1.0, 0.0)
        offset = placebo * (1.0 - np.exp(-elapsed / trial.PLACEBO_TIME_CONSTANT_DAYS))
        offset *= np.exp(-np.maximum(elapsed - 7 * after_weeks, 0.0) / (7 * weeks))
        noise = sd * trial.daily_fluctuation(self.seed, patient, days.size)
        out["irls"] = np.clip(dd["irls"].values + offset + noise, 0.0, 40.0)
        return out

    trial.TrialScorer.reported = reported


def main(argv=None):
    """Run the trial named by the command line and print the table (module docstring)."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--weeks", type=int, default=260)
    ap.add_argument("--n", type=int, default=60)
    ap.add_argument("--seed", type=int, default=2014)
    ap.add_argument("--arms", default="p25,p50,rop,rot")
    ap.add_argument("--placebo", action="store_true")
    ap.add_argument("--set", nargs="*", default=[])
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--save", default=None)
    ap.add_argument("--log-sd", type=float, default=None,
                    help="between-patient log-SD of d2_drug_sensitization_gain (default: populations' value)")
    ap.add_argument("--placebo-mean", type=float, default=None,
                    help="mean placebo reporting offset (IRLS points; default populations.PLACEBO_MEAN)")
    ap.add_argument("--placebo-sd", type=float, default=None,
                    help="between-patient SD of the placebo offset (IRLS points; default populations.PLACEBO_SD)")
    ap.add_argument("--placebo-fade-weeks", type=float, default=None,
                    help="diagnostic: the placebo offset fades with this time constant (weeks) after treated week 26")
    ap.add_argument("--carrier-factor", type=float, default=None,
                    help="risk genotype's multiplier of the uptake gains (default populations.CARRIER_FACTOR)")
    ap.add_argument("--envelope", action="store_true",
                    help="cvode with long_horizon='envelope' (verdicts as the exact path's, tests/test_envelope.py)")
    a = ap.parse_args(argv)
    params = {k: float(v) for k, v in (s.split("=") for s in a.set)}
    if a.log_sd is not None:
        set_spread("d2_drug_sensitization_gain", a.log_sd)
    if a.placebo_mean is not None or a.placebo_sd is not None:
        set_spread("placebo_response", a.placebo_sd, centre=a.placebo_mean)
    if a.carrier_factor is not None:
        set_carrier_factor(a.carrier_factor)
    if a.placebo_fade_weeks is not None:
        fade_placebo(a.placebo_fade_weeks)
    options = envelope_solver() if a.envelope else {}
    model = rlsmodel.Model(**options)
    model = model.with_defaults(params) if params else model
    arms = {arm_name(*ARMS[k]): reference_regimen(ARMS[k][0], dose=ARMS[k][1]) for k in a.arms.split(",")}
    t = time.time()
    ds = rlsmodel.virtual_trial(arms, n=a.n, weeks=a.weeks, seed=a.seed, placebo=a.placebo, model=model,
                                workers=a.workers, min_baseline_irls=15)
    print(f"params {params} log-SD {a.log_sd} carrier factor {a.carrier_factor} envelope {a.envelope} n={a.n} weeks={a.weeks} seed={a.seed} {time.time()-t:.0f}s", flush=True)
    if a.save:
        ds.to_netcdf(a.save)
    years = a.weeks * 7 // 364
    for arm in ds.arm.values:
        line = [str(arm)]
        for tier in ("augmented_practice", "augmented", "mpi_positive", "augmented_biological"):
            if years >= 1:
                new, risk = lt.yearly_counts(ds, arm, tier, years)
                cum = np.cumsum(new) / risk[0] * 100
                rate = lt.annual_rate(ds, arm, tier, first_year=2) if years >= 2 else None
                line.append(f"{tier}: cum% " + "/".join(f"{c:.1f}" for c in cum)
                            + (f" rate y2+ {100*rate.p:.1f}%/yr ({rate.k:g}/{rate.n:g})" if rate is not None else ""))
        line.append("MPI by wk26 %.1f%% wk52 %.1f%%" % (100 * lt.cumulative(ds, arm, "mpi_positive", 26 * 7).p,
                                                       100 * lt.cumulative(ds, arm, "mpi_positive", 52 * 7).p))
        line.append("clin-rel wk52 %.1f%%" % (100 * lt.cumulative(ds, arm, "augmented", 52 * 7).p))
        print(" | ".join(line), flush=True)
    if a.placebo:
        for role in ("pramipexole", "ropinirole", "pramipexole_high"):
            try:
                m, sd, nn = paired_change(ds, role)
                print(f"12-week placebo-corrected {role}: {m:+.2f} (SD {sd:.1f}, n {nn})")
            except Exception as e:
                print(role, "n/a", e)


if __name__ == "__main__":
    main()
