"""Benchmark: the integrator engines (lsoda, cvode, scipy) on 2-year simulations.

Run:  python benchmarks/bench_engines.py [--days 730] [--repeats 5] [--samples-per-day 24]
                                         [--scipy-days 730] [--markdown]

Scenarios: ``healthy`` and ``rls_genetic`` untreated, and ``rls_genetic`` with a daily
pramipexole dose at 21:00 (doses are exact stops) when :class:`rlsmodel.Regimen` exists.
Every engine starts from the same state (the profile's daily limit cycle, found once with
lsoda) and integrates through :func:`rlsmodel.integrate.integrate`, so the times compare
the integrators alone (no Dataset building). For each engine and tolerance: the median wall
time over ``--repeats`` runs and the largest relative final-state error,
``max_i |y_i - ref_i| / max(|ref_i|, scale_i)`` with ``scale_i = max(|nominal_i|, 1e-3)``,
against a reference computed by cvode at rtol = atol = 1e-12 (cross-checked against lsoda
at the same tolerances; their disagreement is printed as well).

The scipy reference engine (solve_ivp BDF with a Python right-hand side) runs once per
scenario over ``--scipy-days`` (default: the full horizon; slow, minutes). One-off costs of
the cvode engine (C generation + gcc, and loading from the disk cache) are reported
separately, measured in a temporary cache directory.
"""
from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time

import numpy as np

import rlsmodel
from rlsmodel.integrate import SolverSettings, integrate
from timing import final_error, median_time




def scenarios(model, days):
    """(label, profile, events) for the benchmark."""
    out = [("healthy, untreated", "healthy", []), ("rls_genetic, untreated", "rls_genetic", [])]
    regimen_cls = getattr(rlsmodel, "Regimen", None)
    if regimen_cls is not None:
        reg = regimen_cls.daily("pramipexole", 0.25, 21.0)
        out.append(("rls_genetic, pramipexole 0.25 mg daily 21:00", "rls_genetic", reg.events(model, days)))
    else:
        print("rlsmodel.Regimen not available: dose scenario skipped")
    return out


def one_off_costs():
    """Seconds for first build (C generation + gcc) and for a cached load, each in a fresh process."""
    script = ("import time, rlsmodel\nfrom rlsmodel.engines import cvode\nm = rlsmodel.Model()\n"
              "t0 = time.perf_counter(); cvode.engine_for(m.compiled); print(time.perf_counter() - t0)\n")
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, RLSMODEL_CACHE_DIR=tmp)
        res = []
        for _ in range(2):
            proc = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
            res.append(float(proc.stdout.strip().splitlines()[-1]))
    return res


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=float, default=730.0)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--samples-per-day", type=int, default=24)
    ap.add_argument("--scipy-days", type=float, default=None,
                    help="horizon for the slow scipy engine (default: --days; 0 skips it)")
    ap.add_argument("--tolerances", default="1e-6,1e-7,1e-8,1e-9,1e-10",
                    help="rtol values to time for lsoda and cvode (atol = rtol / 100)")
    ap.add_argument("--targets", default="1e-5,1e-6,1e-7",
                    help="final-state errors for the matched-accuracy comparison")
    ap.add_argument("--markdown", action="store_true", help="also print a Markdown table")
    args = ap.parse_args(argv)
    scipy_days = args.days if args.scipy_days is None else args.scipy_days

    from rlsmodel.engines import cvode
    ok, why = cvode.available()
    if not ok:
        sys.exit(f"cvode engine unavailable: {why}")
    model = rlsmodel.Model()
    compiled = model.compiled
    scale = model.state_scale
    cvode.engine_for(compiled)          # build or load once, outside the timings
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"{compiled.n_states} states, {len(compiled.jac_rows)} Jacobian entries")
    first, cached = one_off_costs()
    print(f"cvode one-off: first build (C generation + gcc) {first:.2f} s, cached load {cached:.3f} s")

    t = np.linspace(0.0, args.days, int(round(args.days * args.samples_per_day)) + 1)
    rtols = [float(x) for x in args.tolerances.split(",")]
    rows = []
    for label, profile, events in scenarios(model, args.days):
        p = model.parameter_vector(profile)
        y0 = model.periodic_state(p)[0]

        def run(engine, rtol, atol, tt=t):
            return integrate(compiled, y0, p, tt, events=events,
                             settings=SolverSettings(engine=engine, rtol=rtol, atol=atol, max_steps=10**7),
                             scale=scale)

        t0 = time.perf_counter()
        ref = run("cvode", 1e-12, 1e-12)[:, -1]
        t_ref = time.perf_counter() - t0
        ref_l = run("lsoda", 1e-12, 1e-12)[:, -1]
        print(f"\n[{label}] {len(events)} events; reference cvode 1e-12 ({t_ref:.2f} s) vs lsoda 1e-12: "
              f"{final_error(ref_l, ref, scale):.1e}")
        for rtol in rtols:
            atol = rtol / 100.0
            for engine in ("lsoda", "cvode"):
                med, Y = median_time(lambda: run(engine, rtol, atol), args.repeats)
                err = final_error(Y[:, -1], ref, scale)
                rows.append((label, engine, rtol, args.days, med, err))
                print(f"  {engine:6s} rtol {rtol:.0e}: {med:7.3f} s (median of {args.repeats}), "
                      f"final-state error {err:.1e}")
        if scipy_days > 0:
            rtol = 1e-8   # the model's default tolerance
            ts = t[t <= scipy_days + 1e-12]
            if ts[-1] < scipy_days:
                ts = np.append(ts, scipy_days)
            ev = [e for e in events if e[0] <= scipy_days]
            t0 = time.perf_counter()
            Ys = integrate(compiled, y0, p, ts, events=ev,
                           settings=SolverSettings(engine="scipy", rtol=rtol, atol=rtol / 100.0), scale=scale)
            med = time.perf_counter() - t0
            if scipy_days == args.days:
                err = final_error(Ys[:, -1], ref, scale)
            else:
                ref_s = integrate(compiled, y0, p, ts, events=ev,
                                  settings=SolverSettings(engine="cvode", rtol=1e-12, atol=1e-12), scale=scale)
                err = final_error(Ys[:, -1], ref_s[:, -1], scale)
            rows.append((label, "scipy", rtol, scipy_days, med, err))
            print(f"  scipy  rtol {rtol:.0e}: {med:7.1f} s over {scipy_days:.0f} days (1 run), "
                  f"final-state error {err:.1e}")

    # matched accuracy: fastest run of each engine whose final-state error is below a target
    print("\nmatched accuracy (fastest run reaching the target final-state error):")
    matched = []
    for label in dict.fromkeys(r[0] for r in rows):
        for target in (float(x) for x in args.targets.split(",")):
            best = {}
            for engine in ("lsoda", "cvode"):
                cands = [r for r in rows if r[0] == label and r[1] == engine and r[5] <= target]
                best[engine] = min(cands, key=lambda r: r[4]) if cands else None
            if best["lsoda"] and best["cvode"]:
                ratio = best["lsoda"][4] / best["cvode"][4]
                matched.append((label, target, best["lsoda"], best["cvode"], ratio))
                print(f"  [{label}] error <= {target:.0e}: lsoda {best['lsoda'][4]:.3f} s (rtol {best['lsoda'][2]:.0e}), "
                      f"cvode {best['cvode'][4]:.3f} s (rtol {best['cvode'][2]:.0e}) -> cvode {ratio:.2f}x faster")

    if args.markdown:
        print("\n| scenario | target error | lsoda: time (rtol) | cvode: time (rtol) | lsoda / cvode |")
        print("| --- | --- | --- | --- | --- |")
        for label, target, lb, cb, ratio in matched:
            print(f"| {label} | {target:.0e} | {lb[4]:.3f} s ({lb[2]:.0e}) | {cb[4]:.3f} s ({cb[2]:.0e}) | {ratio:.2f} |")
        print("\n| scenario | engine | rtol | days | median wall time (s) | vs cvode | max rel. final-state error |")
        print("| --- | --- | --- | --- | --- | --- | --- |")
        base = {(r[0], r[2]): r[4] / r[3] for r in rows if r[1] == "cvode"}
        for label, engine, rtol, days, med, err in rows:
            ratio = (med / days) / base[(label, rtol)] if (label, rtol) in base else float("nan")
            print(f"| {label} | {engine} | {rtol:.0e} | {days:.0f} | {med:.3f} | {ratio:.1f}x | {err:.1e} |")


if __name__ == "__main__":
    main()
