"""The full scorecard of a model with changed defaults, on cvode's envelope: the hand check behind
decision 54's scans (issue 22). Prints the status counts and every scored row.

The between-patient log-SD of ``d2_drug_sensitization_gain`` (``--log-sd``) is replaced in this
process as ``long_term_scan.py`` does. The envelope gives the exact path's verdicts (decision 54),
so the statuses are those ``rlsmodel validate --population 300`` would give for the same defaults;
continuous values may differ in the last digits. About 4 minutes on 2 free cores. Example
(decision 54's scan J)::

    python experiments/calibration/scorecard_scan.py --log-sd 1.3 \
        --set k_d2_drug_sensitization=0.004 d2_supraphysiological_threshold=2.3
"""
import argparse
import sys
import time
from pathlib import Path

import rlsmodel
from rlsmodel.engines.envelope import envelope_solver
from rlsmodel.validation.scorecard import validate

sys.path.insert(0, str(Path(__file__).resolve().parent))
from long_term_scan import set_carrier_factor, set_spread  # noqa: E402


def main(argv=None):
    """Score the model named by the command line and print the rows (module docstring)."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--log-sd", type=float, default=None,
                    help="between-patient log-SD of d2_drug_sensitization_gain (default: populations' value)")
    ap.add_argument("--set", nargs="*", default=[], metavar="NAME=VALUE", help="model defaults to change")
    ap.add_argument("--population", type=int, default=300)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--carrier-factor", type=float, default=None,
                    help="risk genotype's multiplier of the uptake gains (default populations.CARRIER_FACTOR)")
    ap.add_argument("--exact", action="store_true", help="the exact path instead of the envelope")
    a = ap.parse_args(argv)
    if a.log_sd is not None:
        set_spread("d2_drug_sensitization_gain", a.log_sd)
    if a.carrier_factor is not None:
        set_carrier_factor(a.carrier_factor)
    params = {k: float(v) for k, v in (s.split("=") for s in a.set)}
    model = rlsmodel.Model() if a.exact else rlsmodel.Model(**envelope_solver())
    model = model.with_defaults(params) if params else model
    t = time.time()
    card = validate(model, population=a.population, workers=a.workers)
    print(f"params {params} log-SD {a.log_sd} carrier factor {a.carrier_factor} exact {a.exact} {time.time() - t:.0f}s")
    print(card.counts())
    for row in card:
        if row["status"] != "not modelled":
            print(f"{row['id']:<28} {row['status']:<6} {row['simulated']}")


if __name__ == "__main__":
    main()
