"""Are results bit-identical across a refactoring? Snapshot a fixed set of runs, then compare.

    PYTHONPATH=<old checkout> python benchmarks/bit_identical.py snapshot /tmp/before
    PYTHONPATH=<new checkout> python benchmarks/bit_identical.py snapshot /tmp/after
    python benchmarks/bit_identical.py compare /tmp/before /tmp/after

The runs: ``Model().simulate(60, "rls_genetic")`` with pramipexole 0.25 mg daily from day 10,
``steady_state("iron_deficient")``, ``run(5, ...).dataset()``, 20 days of a
``d3_d1_spinal`` / ``increased`` / ``constitutive`` model, a 2 x 2 sweep (30 days, the regimen),
a 2-point sweep of the other model and a 4-patient, 4-week ``virtual_trial``. ``compare``
prints, per run, the largest absolute difference of any variable (0.0 = bit-identical; NaN
equals NaN) and the attrs whose values changed. Not a test: it compares two checkouts.
"""
from __future__ import annotations

import pickle
import sys
import warnings
from pathlib import Path

import numpy as np


def snapshot(out: Path) -> None:
    import rlsmodel
    from rlsmodel import Regimen
    warnings.simplefilter("ignore")
    model = rlsmodel.Model()
    other = rlsmodel.Model(augmentation="d3_d1_spinal", iron_release="constitutive", dat_hypothesis="increased")
    reg = Regimen.daily("pramipexole", 0.25, 21.0, start_day=10)
    runs = {
        "simulate": model.simulate(days=60, profile="rls_genetic", regimen=reg),
        "steady": model.steady_state("iron_deficient"),
        "run": model.run(days=5, profile="rls_genetic", regimen=reg).dataset(),
        "simulate_alt": other.simulate(days=20, profile="rls_genetic", regimen=reg),
        "sweep": rlsmodel.sweep({"diet_iron": [8.0, 15.0], "bbb_uptake_gain": [0.5, 1.0]}, days=30, model=model,
                                regimen=reg, profile="rls_genetic", progress=False),
        "sweep_alt": rlsmodel.sweep({"diet_iron": [8.0, 15.0]}, days=10, model=other, progress=False),
        "trial": rlsmodel.virtual_trial({"prami": Regimen.daily("pramipexole", 0.25, 21.0)}, n=4, weeks=4, seed=1,
                                        model=model, progress=False),
    }
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "snapshot.pkl", "wb") as fh:
        pickle.dump({k: v.load() for k, v in runs.items()}, fh)
    print(f"wrote {out / 'snapshot.pkl'}")


def compare(before: Path, after: Path) -> int:
    a = pickle.loads((before / "snapshot.pkl").read_bytes())
    b = pickle.loads((after / "snapshot.pkl").read_bytes())
    worst_all = 0.0
    for name in a:
        x, y = a[name], b[name]
        if set(x.data_vars) != set(y.data_vars):
            print(f"{name}: variables differ: {sorted(set(x.data_vars) ^ set(y.data_vars))}")
            worst_all = np.inf
            continue
        worst = 0.0
        for var in x.data_vars:
            u, w = x[var].values, y[var].values
            if u.shape != w.shape:
                worst = np.inf
            elif u.dtype.kind == "f":
                same = (u == w) | (np.isnan(u) & np.isnan(w))
                if not same.all():
                    worst = max(worst, float(np.max(np.abs(np.where(same, 0.0, u - w)))))
            elif not (u == w).all():
                worst = np.inf
        changed = sorted(k for k in set(x.attrs) | set(y.attrs) if x.attrs.get(k) != y.attrs.get(k))
        print(f"{name}: max abs difference {worst}; attrs changed: {changed}")
        worst_all = max(worst_all, worst)
    return 0 if worst_all == 0.0 else 1


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "snapshot":
        snapshot(Path(sys.argv[2]))
    elif len(sys.argv) == 4 and sys.argv[1] == "compare":
        sys.exit(compare(Path(sys.argv[2]), Path(sys.argv[3])))
    else:
        sys.exit(__doc__)
