"""Benchmark: rlsmodel's lsoda engine versus libroadrunner on the exported SBML, same process.

Run:  python benchmarks/bench_roadrunner.py [--days 730] [--profile rls_genetic] [--repeats 5]
                                            [--tolerances 1e-5,1e-6,1e-7,1e-8] [--untreated]

One 2-year simulation (730 days, daily samples) of one patient, by default on a daily
pramipexole regimen (0.25 mg at 21:00; doses are events in both engines), at several
tolerances. For each engine and tolerance: median wall time of one simulation (so
simulations per second and simulated patient-years per second on one core) and the error
of the final state against a tight-tolerance reference (rtol 1e-12), as

* ``final rel err``: max over states of |x(T) - ref(T)| / |ref(T)| (states with ref(T) != 0),
* ``scaled err``: max over states of |x(T) - ref(T)| / max_t |ref(t)| (the measure the SBML
  test uses; it ignores states that happen to be near zero at T).

Tolerances are matched: ``rtol`` is the same; the absolute tolerance of state i is
``atol * max(|nominal_i|, 1e-3)`` in both (rlsmodel's convention; set per species in
libroadrunner with ``setIndividualTolerance``), with ``atol = rtol / 1000``.

Timed separately (one-off costs): model build, the periodic initial state, SBML export,
libroadrunner load (parse + LLVM compile). rlsmodel is timed as the bare ``integrate`` call
(the engine alone, comparable to ``RoadRunner.simulate`` returning an array; every engine
in ``rlsmodel.integrate.ENGINES`` but the slow scipy reference, or ``--engines``) and as
``Model.simulate`` with the default engine (which also builds a labelled Dataset with
observables).
"""
from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time

import numpy as np

import rlsmodel
from rlsmodel.integrate import ENGINES, SolverSettings, integrate
from timing import median_time

try:
    import roadrunner
except ImportError:  # pragma: no cover - reported by main()
    roadrunner = None




def errors(final, ref_traj):
    """(final relative error, scaled error) of the final state ``final`` against ``ref_traj`` (n, m)."""
    ref = ref_traj[:, -1]
    nz = ref != 0
    rel = float(np.max(np.abs(final[nz] - ref[nz]) / np.abs(ref[nz]))) if nz.any() else 0.0
    scale = np.max(np.abs(ref_traj), axis=1)
    used = scale > 0
    scaled = float(np.max(np.abs(final[used] - ref[used]) / scale[used]))
    return rel, scaled


class RoadRunnerEngine:
    """libroadrunner on the exported file, with rlsmodel's per-state absolute tolerances."""

    def __init__(self, path, state_names, scale):
        self.rr = roadrunner.RoadRunner(str(path))
        self.names = list(state_names)
        self.scale = np.asarray(scale, dtype=float)
        self.rr.timeCourseSelections = ["time"] + self.names
        self.rr.integrator.maximum_num_steps = 200000

    def set_tolerances(self, rtol, atol):
        integ = self.rr.integrator
        integ.relative_tolerance = rtol
        integ.absolute_tolerance = atol
        for name, s in zip(self.names, self.scale):
            try:
                integ.setIndividualTolerance(name, atol * s)
            except RuntimeError:        # not integrated by libroadrunner (e.g. a patch rate set by events)
                continue

    def run(self, days, n_samples):
        """States (n, m) at ``n_samples`` equally spaced times over ``[0, days]``, from the file's
        initial state (``resetAll`` also rewinds the dose-event counters)."""
        self.rr.resetAll()
        res = np.asarray(self.rr.simulate(0.0, days, n_samples))
        return res[:, 1:].T


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=float, default=730.0)
    ap.add_argument("--profile", default="rls_genetic")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--tolerances", default="1e-5,1e-6,1e-7,1e-8",
                    help="comma-separated relative tolerances (atol = rtol / 1000, scaled per state)")
    ap.add_argument("--untreated", action="store_true", help="no drug regimen")
    ap.add_argument("--engines", default=",".join(e for e in ENGINES if e != "scipy"),
                    help="rlsmodel engines to time (default: all but the slow scipy reference)")
    args = ap.parse_args(argv)
    if roadrunner is None:
        print("libroadrunner is not installed (pip install 'rlsmodel[sbml]'): nothing to compare")
        return 1
    from rlsmodel.export.sbml import sbml

    print(f"# rlsmodel {rlsmodel.__version__}, libroadrunner {roadrunner.__version__}, "
          f"Python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} CPUs")
    t0 = time.perf_counter()
    model = rlsmodel.Model()
    build = time.perf_counter() - t0

    Regimen = getattr(rlsmodel, "Regimen", None)
    regimen = None
    if not args.untreated and Regimen is not None:
        regimen = Regimen.daily("pramipexole", 0.25, 21.0)
    elif not args.untreated:
        print("rlsmodel.Regimen is not available: benchmarking the untreated model")
    days, profile = args.days, args.profile
    n_samples = int(round(days)) + 1
    t = np.linspace(0.0, days, n_samples)

    p = model.parameter_vector(profile)
    t0 = time.perf_counter()
    y0, init_method = model.periodic_state(p)
    periodic = time.perf_counter() - t0
    scale = model.state_scale
    events = regimen.events(model, days, params=model.resolve_parameters(profile)) if regimen else []

    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        path = sbml(os.path.join(tmp, "model.xml"), profile, regimen=regimen, model=model, days=days)
        export = time.perf_counter() - t0
        size_kb = os.path.getsize(path) / 1024
        t0 = time.perf_counter()
        rr = RoadRunnerEngine(path, model.compiled.state_names, scale)
        load = time.perf_counter() - t0

    n_states = len(model.compiled.state_names)
    print(f"model: {n_states} states, {len(model.parameters)} parameters, profile {profile}, "
          f"regimen {regimen!r}, {days:g} days, {n_samples} daily samples, {len(events)} dose events")
    print(f"one-off: model build {build:.2f} s; periodic initial state ({init_method}) {periodic:.2f} s; "
          f"SBML export {export:.2f} s ({size_kb:.0f} kB); libroadrunner load + compile {load:.2f} s")

    def ours(rtol, atol, engine="lsoda"):
        return integrate(model.compiled, y0, p, t, events=events,
                         settings=SolverSettings(engine=engine, rtol=rtol, atol=atol), scale=scale)

    # references: both engines at rtol 1e-12; the rlsmodel lsoda one is the yardstick
    t0 = time.perf_counter()
    ref = ours(1e-12, 1e-12)
    ref_time = time.perf_counter() - t0
    rr.set_tolerances(1e-12, 1e-14)
    t0 = time.perf_counter()
    rr_ref = rr.run(days, n_samples)
    rr_ref_time = time.perf_counter() - t0
    agree = errors(rr_ref[:, -1], ref)
    print(f"reference (rtol 1e-12): lsoda {ref_time:.2f} s, libroadrunner {rr_ref_time:.2f} s; "
          f"they agree to {agree[0]:.1e} (final rel), {agree[1]:.1e} (scaled)")

    engines = [e for e in args.engines.split(",") if e]
    rows = []
    for rtol in [float(x) for x in args.tolerances.split(",")]:
        atol = rtol / 1000.0
        measured = []
        for engine in engines:
            try:
                ours(rtol, atol, engine)                                   # warm-up
                secs, y = median_time(lambda: ours(rtol, atol, engine), args.repeats)
            except Exception as err:  # a failing engine is a reported row, not a crash
                print(f"engine {engine} failed at rtol {rtol:g}: {err}")
                continue
            measured.append((f"rlsmodel integrate ({engine})", secs, y))
        model.simulate(days, profile, regimen=regimen, sample_every_hours=24.0, rtol=rtol, atol=atol)
        t_sim, ds = median_time(lambda: model.simulate(days, profile, regimen=regimen, sample_every_hours=24.0,
                                                       rtol=rtol, atol=atol), args.repeats)
        measured.append((f"rlsmodel Model.simulate ({model.settings.engine}, Dataset)", t_sim,
                         np.array([ds[n].values for n in model.compiled.state_names])))
        rr.set_tolerances(rtol, atol)
        rr.run(days, n_samples)                                            # warm-up
        t_rr, y_rr = median_time(lambda: rr.run(days, n_samples), args.repeats)
        assert np.array_equal(rr.run(days, n_samples), y_rr), "libroadrunner runs are not repeatable"
        measured.append(("libroadrunner (CVODE)", t_rr, y_rr))
        for engine, secs, y in measured:
            rel, scaled = errors(y[:, -1], ref)
            rows.append((engine, rtol, secs, rel, scaled, t_rr / secs))

    years = days / 365.0
    print()
    print("| engine | rtol | one sim (s) | sims/s, 1 core | patient-years/s, 1 core | final rel err | "
          "scaled err | speed vs libroadrunner |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for engine, rtol, secs, rel, scaled, ratio in rows:
        print(f"| {engine} | {rtol:g} | {secs:.3f} | {1 / secs:.1f} | {years / secs:.1f} | {rel:.1e} | "
              f"{scaled:.1e} | {ratio:.2f}x |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
