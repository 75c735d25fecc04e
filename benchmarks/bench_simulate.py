"""Benchmark: one simulation of the default model, fast engine versus the solve_ivp reference.

Run:  python benchmarks/bench_simulate.py [--days 365] [--reference-days 60] [--repeats 5]

Reports the wall time of a 1-year simulation (lsoda engine: numba RHS + ODEPACK) and the
ratio against the reference engine (solve_ivp BDF with vectorised numpy RHS and sparse
symbolic Jacobian) on the same horizon (the reference runs a shorter horizon and is scaled,
because it is slow), plus one-off costs (model build, first compile, periodic initial state).
"""
import argparse
import time


import rlsmodel
from timing import median_time




def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=float, default=365.0)
    ap.add_argument("--reference-days", type=float, default=30.0)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    model = rlsmodel.Model()
    build = time.perf_counter() - t0
    print(f"model build (sympy + numba, compile cached on disk): {build:.2f} s")
    for profile in ("healthy", "rls_genetic"):
        t0 = time.perf_counter()
        model.simulate(days=1, profile=profile)
        print(f"[{profile}] periodic initial state + first run: {time.perf_counter() - t0:.2f} s")
        fast, _ = median_time(lambda: model.simulate(days=args.days, profile=profile), args.repeats)
        fast_ref, _ = median_time(lambda: model.simulate(days=args.reference_days, profile=profile), args.repeats)
        slow, _ = median_time(lambda: model.simulate(days=args.reference_days, profile=profile, engine="scipy"), 1)
        print(f"[{profile}] {args.days:.0f}-day simulation, lsoda engine: {fast:.3f} s (median of {args.repeats})")
        print(f"[{profile}] {args.reference_days:.0f}-day: lsoda {fast_ref:.3f} s, solve_ivp reference "
              f"{slow:.2f} s -> ratio {slow / fast_ref:.0f}x")


if __name__ == "__main__":
    main()
