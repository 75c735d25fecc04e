"""Benchmark (issue 24): long horizons, exact path versus envelope following, against libroadrunner.

Run:  python benchmarks/bench_long_horizon.py [--repeats 3] [--trial-n 4] [--no-trial] [--profile-trial] [--profile-only]

Everything runs in one process, libroadrunner imported first (issue 26: loaded after the cvode
engine's SUNDIALS it crashed). Ratios matter; absolute times depend on the load of the shared
machine, which is printed.

* One dosed run: ``rls_genetic``, pramipexole 0.25 mg daily at 21:00 from day 0, daily samples,
  2 and 5 years: libroadrunner 2.10 (CVODE, rtol 1e-6, atol rtol/1000 x each state's scale, on
  the package's own SBML export, ``resetAll`` + ``simulate``) against ``Model().run`` with the cvode
  engine, ``long_horizon="exact"`` and ``"envelope"`` (the start state is cached after the first
  run, as in a sweep of one point repeated), and ``rlsmodel.Model()`` with no engine and no options
  (what a new user runs; the envelope on cvode since decision 60). Median of ``--repeats``.
* A 5-year virtual trial (pramipexole 0.25 mg, ropinirole 1 mg and placebo, ``--trial-n`` patients
  per arm, 4 baseline weeks, workers=1): seconds per patient-year, scoring included, for each
  path; divided by libroadrunner's seconds per simulated year of the 5-year run.
* ``--profile-trial``: where the trial's time goes (cProfile of the exact trial: the engine call,
  the observables, the daily readouts and scoring, the assembly, the rest).
* The projection of 1,000,000 two-year points from the 2-year per-point times (one core).
"""
from __future__ import annotations

import argparse
import cProfile
import os
import platform
import pstats
import statistics
import sys
import tempfile
import time

try:
    import roadrunner          # first: see the module docstring
except ImportError:  # pragma: no cover
    roadrunner = None

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rlsmodel  # noqa: E402
from bench_roadrunner import RoadRunnerEngine  # noqa: E402

PROFILE = "rls_genetic"
RR_RTOL = 1e-6


def median_time(fn, repeats):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def load():
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")


def dosed_runs(model, days, repeats):
    regimen = rlsmodel.Regimen.daily("pramipexole", 0.25, 21.0)
    out = {}
    if roadrunner is not None:
        from rlsmodel.export.sbml import sbml
        with tempfile.TemporaryDirectory() as tmp:
            path = sbml(os.path.join(tmp, "model.xml"), PROFILE, regimen=regimen, model=model, days=days)
            rr = RoadRunnerEngine(path, model.compiled.state_names, model.state_scale)
        rr.set_tolerances(RR_RTOL, RR_RTOL / 1000.0)
        out["libroadrunner"] = median_time(lambda: rr.run(days, int(days) + 1), repeats)
    for path in ("exact", "envelope"):
        def go(path=path):
            return model.run(days, PROFILE, regimen=regimen, sample_every_hours=24.0,
                             engine_options={"long_horizon": path}, warn=False)
        go()      # the start state, cached
        out[path] = median_time(go, repeats)
    default = rlsmodel.Model()     # what a new user runs: no engine, no options (decision 60)

    def go_default():
        return default.run(days, PROFILE, regimen=regimen, sample_every_hours=24.0, warn=False)
    go_default()
    out["default"] = median_time(go_default, repeats)
    return out


def default_path():
    """Engine and ``long_horizon`` of ``rlsmodel.Model()`` here."""
    settings = rlsmodel.Model().settings
    return f"{settings.engine}, {settings.options().get('long_horizon', 'every day integrated')}"


def trial(model, n, years, path):
    arms = {"pramipexole 0.25 mg": rlsmodel.Regimen.daily("pramipexole", 0.25, 21.0),
            "ropinirole 1 mg": rlsmodel.Regimen.daily("ropinirole", 1.0, 21.0)}
    m = rlsmodel.Model(engine="cvode", engine_options={"long_horizon": path})
    weeks = int(round(years * 52.14))
    t0 = time.perf_counter()
    ds = rlsmodel.virtual_trial(arms, n=n, weeks=weeks, seed=3, model=m, workers=1, progress=False)
    dt = time.perf_counter() - t0
    patient_years = n * len(ds["arm"]) * (weeks + 4) * 7 / 365.0
    return dt / patient_years, ds


#: Parts of a trial's time in ``--profile-trial``: label -> [(file suffix, function)], the
#: outermost of same-named functions counted (cumulative times nest).
PARTS = {
    "integration (the cvode engine's integrate)": [("cvode.py", "integrate")],
    "  of which the C driver (CompiledCVODE.integrate)": [("cvode.py", "integrate", "inner")],
    "  of which the envelope's fill of skipped days (envelope.fill_skipped)": [("envelope.py", "fill_skipped")],
    "  of which the envelope's regular days (envelope.regular_days)": [("envelope.py", "regular_days")],
    "periodic start states (StartStates.periodic_state)": [("start_states.py", "periodic_state")],
    "Dataset of each run (Run.dataset, observables included)": [("simulator.py", "dataset"),
                                                                ("trial_runs.py", "dataset")],
    "  of which observables at every sample (CompiledModel.observables)": [("compile.py", "observables")],
    "scoring (TrialScorer.score, outcomes.daily included)": [("trial.py", "score")],
    "  of which daily readouts (outcomes.daily)": [("outcomes.py", "daily")],
    "population (rlsmodel.population)": [("populations.py", "population")],
    "assembly (_assemble)": [("trial.py", "_assemble")],
}


def profile_trial(n, years, path="exact"):
    """cProfile of one trial (after a one-patient warm-up trial, whose wall time is returned
    as the process's one-time cost: lazy imports, the first Dataset, caches)."""
    t0 = time.perf_counter()
    trial(None, 1, 1 / 52.14, path)
    warmup = time.perf_counter() - t0
    prof = cProfile.Profile()
    t0 = time.perf_counter()
    prof.enable()
    trial(None, n, years, path)
    prof.disable()
    wall = time.perf_counter() - t0
    st = pstats.Stats(prof)
    total = sum(v[3] for k, v in st.stats.items() if k[2] == "virtual_trial")
    found = {}
    for label, where in PARTS.items():
        # the outermost of same-named functions (cumulative times nest); "inner": the innermost
        found[label] = sum((min if w[2:] == ("inner",) else max)(
            [v[3] for k, v in st.stats.items() if k[0].endswith(w[0]) and k[2] == w[1]] or [0.0]) for w in where)
    return total, found, warmup, wall


def print_profile(n, years, path="exact"):
    total, found, warmup, wall = profile_trial(n, years, path)
    print(f"where a {years:g}-year trial's time goes ({path} path, 3 arms x {n} patients, workers=1, cProfile; "
          f"total {total:.2f} s inside virtual_trial, {wall:.2f} s wall with the profiler; load {load():.1f}):")
    for label, secs in found.items():
        print(f"  {label}: {secs:.2f} s ({100 * secs / total:.0f}%)")
    rest = total - sum(v for k, v in found.items() if not k.startswith("  "))
    print(f"  the rest (sweep harness, regimens, run plans, copies; profiler overhead): {rest:.2f} s "
          f"({100 * rest / total:.0f}%)")
    print(f"  process one-time cost before it (first one-patient trial: lazy imports, first Dataset, "
          f"model caches): {warmup:.2f} s")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--trial-n", type=int, default=4)
    ap.add_argument("--no-trial", action="store_true")
    ap.add_argument("--profile-trial", action="store_true")
    ap.add_argument("--profile-only", action="store_true",
                    help="only the --profile-trial split (no dosed runs, no libroadrunner)")
    args = ap.parse_args(argv)
    if args.profile_only:
        print(f"# rlsmodel {rlsmodel.__version__}, load average at start {load():.1f}")
        print_profile(args.trial_n, 5)
        return 0
    print(f"# rlsmodel {rlsmodel.__version__}, libroadrunner "
          f"{roadrunner.__version__ if roadrunner else 'not installed'}, Python {platform.python_version()}, "
          f"{os.cpu_count()} CPUs, load average at start {load():.1f}")
    model = rlsmodel.Model(engine="cvode")
    rows = {}
    for years in (2, 5):
        rows[years] = dosed_runs(model, 365.0 * years, args.repeats)
        r = rows[years]
        rr = r.get("libroadrunner", float("nan"))
        print(f"{years}-year dosed run, daily samples (median of {args.repeats}; load {load():.1f}): "
              f"libroadrunner rtol {RR_RTOL:g} {rr:.3f} s; cvode exact {r['exact']:.3f} s ({rr / r['exact']:.1f}x); "
              f"cvode envelope {r['envelope']:.3f} s ({rr / r['envelope']:.1f}x); "
              f"Model() defaults ({default_path()}) {r['default']:.3f} s ({rr / r['default']:.1f}x)")
    rr_per_year = rows[5].get("libroadrunner", float("nan")) / 5.0
    for path in ("exact", "envelope"):
        per_point = rows[2][path]
        print(f"projection, 1,000,000 two-year points, {path}: {1e6 * per_point / 3600:.0f} core-hours "
              f"(libroadrunner {1e6 * rows[2].get('libroadrunner', float('nan')) / 3600:.0f})")
    if not args.no_trial:
        verdicts = {}
        for path in ("exact", "envelope"):
            per_py, ds = trial(model, args.trial_n, 5, path)
            verdicts[path] = (ds["augmented"].values, ds["mpi_positive"].values)
            print(f"5-year virtual trial, 3 arms x {args.trial_n} patients, workers=1, {path}: "
                  f"{1000 * per_py:.1f} ms per patient-year ({rr_per_year / per_py:.1f}x libroadrunner per "
                  f"simulated year; load {load():.1f})")
        same = all(np.array_equal(verdicts["exact"][i], verdicts["envelope"][i], equal_nan=True) for i in (0, 1))
        print(f"verdicts identical patient by patient (both tiers, every arm): {same}")
    if args.profile_trial:
        print_profile(args.trial_n, 5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
