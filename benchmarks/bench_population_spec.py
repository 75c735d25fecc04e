"""Benchmark (issue 24, item 3): one evaluation of a population calibration spec.

Run:  python benchmarks/bench_population_spec.py [SPEC.toml] [--trial-workers 2]

One evaluation = the residuals of every target of the spec at its current point (the base
model's values of the fitted parameters), as ``rlsmodel calibrate`` computes them for one
optimiser step: ``CalibrationObjective(spec).residuals(current_point(spec))``. The spec's
``virtual_trial_incidence`` targets run their trials serially unless ``--trial-workers N`` is
given, which passes ``workers=N`` to each of them (local processes: "on N cores"). Since
decision 49 the evaluation first runs the trial targets' one-arm trials as one trial per design
(``CalibrationObjective.prefetch``: each patient's baseline once for all arms, one pool of
workers; the same numbers), as ``rlsmodel calibrate`` does; ``--no-prefetch`` evaluates the
targets one by one as before. Prints the
wall time and the CPU time (this process and the trials' worker processes) of each target
and of the evaluation, and the simulated values and residuals (to compare runs).
The model is built, and its start states warmed, before the clock starts.
"""
from __future__ import annotations

import argparse
import os
import resource
import sys
import time

import numpy as np

import rlsmodel  # noqa: F401
from rlsmodel.calibration.objective import CalibrationObjective, current_point
from rlsmodel.calibration.spec import load_spec

DEFAULT_SPEC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "experiments", "calibration",
                            "augmentation_population.toml")


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the trials' worker processes)."""
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + kids.ru_utime + kids.ru_stime


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("spec", nargs="?", default=DEFAULT_SPEC)
    ap.add_argument("--trial-workers", type=int, default=None)
    ap.add_argument("--no-prefetch", action="store_true",
                    help="evaluate the trial targets one by one (as before decision 49)")
    ap.add_argument("--profile", type=int, default=None, metavar="N",
                    help="instead: where the evaluation's time goes (cProfile, trials at n = N, serial)")
    args = ap.parse_args(argv)
    spec = load_spec(args.spec)
    if args.profile:
        for target in spec.targets:
            if getattr(target, "ref", None) == "virtual_trial_incidence":
                target.args = {**target.args, "n": args.profile, "workers": None}
    if args.trial_workers:
        for target in spec.targets:
            if getattr(target, "ref", None) == "virtual_trial_incidence":
                target.args = {**target.args, "workers": args.trial_workers}
    objective = CalibrationObjective(spec)
    x = current_point(spec)
    model = objective.model(x)
    model.run(2.0, "rls_genetic", progress=False)          # build and warm before timing
    load = os.getloadavg()[0]
    print(f"# {os.path.basename(args.spec)}: {len(spec.targets)} targets, trial workers "
          f"{args.trial_workers or 'serial'}; load average {load:.1f}")
    if args.profile:
        return profile_evaluation(objective, model, spec, not args.no_prefetch)
    residuals, values, t_all, c_all = [], [], time.perf_counter(), cpu_seconds()
    if hasattr(objective, "prefetch") and not args.no_prefetch:   # decision 49: the trial targets' arms together
        t0, c0 = time.perf_counter(), cpu_seconds()
        ran = objective.prefetch(model)
        print(f"  {time.perf_counter() - t0:7.1f} s wall, {cpu_seconds() - c0:7.1f} s CPU  "
              f"the trial targets' {ran} one-arm trials, run as one (prefetch)", flush=True)
    for target in spec.targets:
        t0, c0 = time.perf_counter(), cpu_seconds()
        rows = target.rows(model)
        dt, dc = time.perf_counter() - t0, cpu_seconds() - c0
        residuals.extend(r["residual"] for r in rows)
        values.extend(r["simulated"] for r in rows)
        print(f"  {dt:7.1f} s wall, {dc:7.1f} s CPU  {target.id[:90]}", flush=True)
    total, cpu = time.perf_counter() - t_all, cpu_seconds() - c_all
    print(f"one evaluation: {total:.1f} s wall, {cpu:.1f} s CPU over all processes (load average "
          f"{os.getloadavg()[0]:.1f} at the end)")
    print("simulated:", np.array2string(np.asarray(values, dtype=float), precision=9, max_line_width=200))
    print("residuals:", np.array2string(np.asarray(residuals, dtype=float), precision=6, max_line_width=200))
    return 0


#: Parts of an evaluation's time in ``--profile``: label -> (file suffix, function, which): the
#: outermost of same-named functions (cumulative times nest), or the innermost.
PARTS = {
    "integration (the cvode engine's integrate)": ("cvode.py", "integrate", max),
    "  of which the C driver (CompiledCVODE.integrate)": ("cvode.py", "integrate", min),
    "baselines (trial_runs._baseline, start states included)": ("trial_runs.py", "_baseline", max),
    "  of which periodic start states": ("start_states.py", "periodic_state", max),
    "Dataset of each run (observables included)": ("trial_runs.py", "dataset", max),
    "  of which observables": ("compile.py", "observables", max),
    "scoring (TrialScorer.score)": ("trial.py", "score", max),
    "assembly (_assemble)": ("trial.py", "_assemble", max),
    "run plans (planning.plan)": ("planning.py", "plan", max),
}


def profile_evaluation(objective, model, spec, prefetch: bool) -> int:
    """cProfile of one evaluation (prefetch, if asked and available, then every target)."""
    import cProfile
    import pstats
    prefetch = prefetch and hasattr(objective, "prefetch")
    prof = cProfile.Profile()
    t0 = time.perf_counter()
    prof.enable()
    if prefetch:
        objective.prefetch(model)
    for target in spec.targets:
        target.rows(model)
    prof.disable()
    wall = time.perf_counter() - t0
    st = pstats.Stats(prof)
    print(f"where one evaluation's time goes (trials serial, prefetch {prefetch}, cProfile; {wall:.2f} s wall "
          f"with the profiler; load {os.getloadavg()[0]:.1f}):")
    for label, (file, func, which) in PARTS.items():
        secs = which([v[3] for k, v in st.stats.items() if k[0].endswith(file) and k[2] == func] or [0.0])
        print(f"  {label}: {secs:.2f} s ({100 * secs / wall:.0f}%)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
