"""Worked example of calibration as code (docs/calibration_howto.md).

1. Write ``experiments/calibration/synthetic_cohort.csv``: a small synthetic cohort simulated
   by the model itself with two parameters away from their declared defaults
   (``da_synthesis_max`` x 1.3, ``d2_iron_k`` x 0.6) and 3 % Gaussian noise: steady-state D2
   density and extracellular dopamine in three profiles, D2 density on days 7 and 14 of
   pramipexole 0.25 mg in ``rls_genetic``.
2. Fit ``experiments/calibration/synthetic_cohort.toml`` (multistart, profiles, prediction
   bands) and print the recovered values beside the truth.
3. Regenerate the ``synthetic_cohort`` section of ``docs/calibration.md``.

Run: ``rlsmodel run synthetic_cohort [--out DIR] [--workers N]`` (about a minute on 2 cores).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import rlsmodel
from rlsmodel import Regimen

HERE = Path(__file__).resolve().parent
SPEC = HERE / "calibration" / "synthetic_cohort.toml"
DATA = HERE / "calibration" / "synthetic_cohort.csv"
DOCS = HERE.parent / "docs" / "calibration.md"
#: Truth as factors on the declared defaults (so the example follows model changes).
FACTORS = {"da_synthesis_max": 1.3, "d2_iron_k": 0.6}
PROFILES = ("healthy", "rls_genetic", "rls_iron_deficient")


def design():
    rows = [{"profile": p, "time": "steady", "observable": o}
            for p in PROFILES for o in ("d2_density", "dopamine_extracellular")]
    rows += [{"profile": "rls_genetic", "regimen": "pramipexole", "time": t, "observable": "d2_density"}
             for t in (7, 14)]
    return rows


def truth(model):
    return {name: f * model.parameters[name].default for name, f in FACTORS.items()}


def main(argv=None) -> int:
    from rlsmodel.calibration import bands_from, calibrate, write_docs_section
    from rlsmodel.calibration.synthetic import write_synthetic_csv
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=Path("synthetic_cohort_fit"), help="fit output directory")
    ap.add_argument("--workers", type=int, default=None, help="local worker processes")
    ap.add_argument("--no-docs", action="store_true", help="do not regenerate docs/calibration.md")
    args = ap.parse_args(argv)
    model = rlsmodel.Model()
    true = truth(model)
    write_synthetic_csv(DATA, design(), true, relative_sd=0.03, seed=2026,
                        regimens={"pramipexole": Regimen.daily("pramipexole", 0.25, 21.0)})
    print(f"wrote {DATA}")
    t0 = time.perf_counter()
    ds = calibrate(SPEC, args.out, workers=args.workers, profiles=True, bands=True)
    print(f"fit, profiles and bands in {time.perf_counter() - t0:.0f} s")
    print(f"{'parameter':<18} {'truth':>10} {'fitted':>10} {'95% interval':>22}  recovered")
    for name in ds["parameter"].values:
        p = ds.sel(parameter=name)
        lo, hi = float(p["ci_lower"]), float(p["ci_upper"])
        ok = lo <= true[str(name)] <= hi
        print(f"{str(name):<18} {true[str(name)]:>10.4g} {float(p['best']):>10.4g} {lo:>10.4g} - {hi:<10.4g} "
              f"{'yes' if ok else 'NO'}")
    for name, band in bands_from(ds).items():
        print(f"{name}: {band.format(digits=2)}")
    if not args.no_docs and DOCS.parent.is_dir():
        print(f"wrote {write_docs_section(ds, DOCS, 'synthetic_cohort')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
