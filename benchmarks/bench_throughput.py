"""Benchmark: sweep throughput in simulated patient-years per second per core (issues 8 and 15).

Run:  python benchmarks/bench_throughput.py            (N = 1, 100, 10000; about 20-40 min here)
      python benchmarks/bench_throughput.py --n 1 100 --json OUT.json     (the quick part)
      python benchmarks/bench_throughput.py --report OUT.json   (Markdown of a finished or running --json)
Options: [--days 730] [--engines defaults,cvode,lsoda] [--modes serial,workers] [--workers 2]
         [--references roadrunner[,scipy]] [--ref-points 1] [--rr-max 100] [--check-points 3]
         [--repeats 5] [--big-modes workers] [--json OUT.json]

What is simulated: 2-year runs (730 days, daily samples; ``--days 1825`` for 5 years) of the
``rls_genetic`` profile on daily pramipexole 0.25 mg at 21:00 (one dose a day), one run per
parameter set. Parameter sets:
``rlsmodel.samplers.latin_hypercube`` over the declared ranges of ``bbb_uptake_gain``,
``neuron_uptake_gain``, ``diet_iron`` and ``pramipexole_half_life`` (seed 8), N per size.

Rows, all through the sweep harness (``rlsmodel.sweep(sample, days=730, ...)``), serially (one
core: the per-core figure) and with ``workers=2`` (local processes; per core = total / 2):

* ``defaults``: ``rlsmodel.Model()`` exactly as a user gets it (the engine it picks, its
  options and tolerances): **the figure the issue asks for at default settings**;
* ``cvode`` and ``lsoda``: each engine (default options) at the loosest rtol of its candidate
  list that meets the accuracy target on the check points (atol = rtol / 1000 x state scale).

Each point pays what a sweep pays: its own periodic initial state (shooting on the one-day
map at the model's tight internal tolerance), the integration and the outcome functions (the
final and the initial value of every state; they read arrays, so no Dataset is built: what a
sweep of built-in outcomes does). N = 1 rows are the median of ``--repeats`` sweeps (the start
state recomputed each time); N >= 100 rows time each point once.

References, in the same run:

(a) ``roadrunner``: libroadrunner on the SBML export of the same model, profile and regimen
    (``rlsmodel.export.sbml``; doses as the file's periodic event), in a separate subprocess per
    batch (libroadrunner and the numba/cvode engines must not share a process). One file serves
    every point: per point the swept parameters **and every species' initial amount** are set
    as ``init(id)`` values on the executable model (``rr.model["init(id)"] = v``) and
    ``resetAll()`` is called. Not through ``rr["init(id)"] = v`` (or ``rr.setInitValue``): in
    libroadrunner 2.10 each such call regenerates and recompiles the model (1.3-2 s). The initial
    amounts are each point's periodic state as rlsmodel computes it, so libroadrunner gets the
    initial state for free while the rlsmodel rows include computing it: the ratios are
    conservative for rlsmodel. N = 1: the median of ``--repeats`` simulations of the point.
    Batches of at most ``--rr-max`` points; for larger N the first ``--rr-max`` are timed and
    the rate scaled.
(b) ``scipy`` (optional, ``--references roadrunner,scipy``): ``engine="scipy"`` (solve_ivp BDF,
    Python right-hand side) in a plain loop, timed on ``--ref-points`` points and scaled to N.

Matched accuracy: target 1e-4 relative on the final state,
``max_i |y_i(T) - ref_i(T)| / max(|ref_i(T)|, scale_i)`` (``scale_i`` the state's nominal
magnitude, floor 1e-3), against an lsoda rtol 1e-12 / atol 1e-14 reference, on
``--check-points`` sample points. Candidate rtols are tried loosest first and the first that
meets the target on every check point is used (so a non-monotone error curve, as
libroadrunner's is here, gets its loosest passing tolerance). The ``defaults`` row is not
tuned: its error at the check points is reported (and must meet the target).

CPU time: the rates per wall-clock second assume every core is free; on a shared machine they
are not, so each row also reports patient-years per CPU-second (user + system time of the
benchmark process and its worker processes over the sweep; libroadrunner: of its process over
each simulation), which other processes do not change.

Memory per worker: the peak resident set size of the process that computed each point
(``resource.getrusage``), reported as the maximum over points for ``workers=2`` (each worker
process) and for the serial rows (the benchmark's own process, which also holds everything
else). Projection: core-hours for 10^6 two-year points on a Dask cluster at the per-core rate
of the ``defaults`` row at the largest N (a cluster of single-threaded workers scales like
local processes: one independent simulation per point).

Start-up and compile costs are reported separately (imports, model build with the on-disk
numba cache, cvode library load, first simulation, SBML export, libroadrunner start + LLVM
compile); they are not in the throughputs. Times on the shared 2-core machine are noisy;
ratios within one run are what matter.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time

import numpy as np

from timing import final_error

DAYS = 730.0
YEARS = DAYS / 365.0
PROFILE = "rls_genetic"
SWEPT = ("bbb_uptake_gain", "neuron_uptake_gain", "diet_iron", "pramipexole_half_life")
SEED = 8
TARGET = 1e-4
CANDIDATES = {"lsoda": (1e-4, 1e-5, 1e-6, 1e-7, 1e-8), "cvode": (1e-5, 3e-6, 1e-6, 3e-7, 1e-7, 1e-8),
              "scipy": (1e-6, 1e-7, 1e-8), "roadrunner": (1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-9)}
ATOL_FACTOR = 1e-3          # atol = rtol * ATOL_FACTOR (x each state's scale)
PROJECT_POINTS = 1_000_000


# -- libroadrunner worker (runs in its own process; imports neither rlsmodel nor numba) --------
def rr_worker():
    """Read a JSON request on stdin, simulate every point at every rtol, write JSON on stdout.

    Request: ``{"sbml", "species", "scale", "param_ids", "days", "n_samples",
    "rtols": [...], "repeats", "points": [{"params": [...], "y0": [...]}, ...]}``. Answer: import
    and load times, per rtol the per-point wall times (setting the point + the median of
    ``repeats`` simulations of it), the
    setting times alone and final states, and the largest
    read-back mismatch of parameters and initial amounts after ``resetAll()``.
    """
    t0 = time.perf_counter()
    import roadrunner
    t_import = time.perf_counter() - t0
    req = json.load(sys.stdin)
    t0 = time.perf_counter()
    rr = roadrunner.RoadRunner(req["sbml"])
    t_load = time.perf_counter() - t0
    species, scale, pids = req["species"], np.asarray(req["scale"]), req["param_ids"]
    rr.timeCourseSelections = ["time"] + species
    rr.integrator.maximum_num_steps = 200000
    out = {"import_s": t_import, "load_s": t_load, "version": roadrunner.__version__, "runs": [],
           "readback_mismatch": 0.0}
    for rtol in req["rtols"]:
        atol = rtol * req["atol_factor"]
        integ = rr.integrator
        integ.relative_tolerance = rtol
        integ.absolute_tolerance = atol
        for name, s in zip(species, scale):
            integ.setIndividualTolerance(name, atol * s)
        times, finals, set_times, cpu_times = [], [], [], []
        for pt in req["points"]:
            t0 = time.perf_counter()
            # rr.model[...], not rr[...]: RoadRunner-level init setters regenerate the model
            # (about 1.5 s per call); the executable model's setter does not
            for pid, v in zip(pids, pt["params"]):
                rr.model[f"init({pid})"] = v
            for sid, v in zip(species, pt["y0"]):
                rr.model[f"init({sid})"] = v
            rr.resetAll()            # species, parameters and the dose counter back to init values
            t_set = time.perf_counter() - t0
            set_times.append(t_set)
            got = [rr[pid] for pid in pids] + [rr[sid] for sid in species]
            want = list(pt["params"]) + list(pt["y0"])
            mism = max(abs(g - w) / max(abs(w), 1e-12) for g, w in zip(got, want))
            out["readback_mismatch"] = max(out["readback_mismatch"], mism)
            sims, cpus = [], []
            for _ in range(req.get("repeats", 1)):
                if sims:
                    rr.resetAll()
                t0, c0 = time.perf_counter(), time.process_time()
                res = rr.simulate(0.0, req["days"], req["n_samples"])
                sims.append(time.perf_counter() - t0)
                cpus.append(time.process_time() - c0)
            times.append(t_set + float(np.median(sims)))
            cpu_times.append(t_set + float(np.median(cpus)))
            finals.append([float(x) for x in np.asarray(res)[-1, 1:]])
        out["runs"].append({"rtol": rtol, "point_s": times, "set_s": set_times, "final": finals,
                            "point_cpu_s": cpu_times})
    json.dump(out, sys.stdout)


def run_rr_batch(sbml_path, species, scale, param_ids, points, rtols, repeats=1):
    """One libroadrunner subprocess for ``points`` (list of (params, y0)); returns its answer + wall time."""
    req = {"sbml": str(sbml_path), "species": list(species), "scale": [float(s) for s in scale],
           "param_ids": list(param_ids), "days": DAYS, "n_samples": int(DAYS) + 1,
           "rtols": list(rtols), "atol_factor": ATOL_FACTOR, "repeats": int(repeats),
           "points": [{"params": [float(v) for v in pv], "y0": [float(v) for v in y0]} for pv, y0 in points]}
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, os.path.abspath(__file__), "--rr-worker"], input=json.dumps(req),
                          capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"libroadrunner worker failed ({proc.returncode}): {proc.stderr[-2000:]}")
    out = json.loads(proc.stdout)
    if out["readback_mismatch"] > 1e-12:
        raise RuntimeError(f"libroadrunner read back values differing by {out['readback_mismatch']:.1e}")
    out["wall_s"] = wall
    return out


# -- helpers ----------------------------------------------------------------------------------
class StateAt:
    """Sweep outcome: the value of state ``name`` (index ``index``) at the first or last sample.

    Reads plain arrays (``from_run``), so the sweep builds no Dataset per point."""

    def __init__(self, name, index, first):
        self.name, self.index, self.first = name, index, first

    def __call__(self, ds):
        return float(ds[self.name].values[0 if self.first else -1])

    def from_run(self, run):
        return float(run.states[self.index, 0 if self.first else -1])


class PeakMemory:
    """Sweep outcome: peak resident set size (MiB) of the process that computed the point."""

    units = "MiB"

    def __call__(self, ds):
        return self.from_run(None)

    def from_run(self, run):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0   # kB on Linux


def cpu_seconds():
    """CPU seconds (user + system) of this process and of its children that have ended."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def state_outcomes(names):
    """Final and initial value of every state (``final_<s>``, ``init_<s>``) and the worker's peak memory."""
    out = {}
    for i, s in enumerate(names):
        out[f"final_{s}"] = StateAt(s, i, False)
        out[f"init_{s}"] = StateAt(s, i, True)
    out["peak_rss_mib"] = PeakMemory()
    return out


def matrix(ds, prefix, names):
    """(N, n_states) array of the sweep outcomes ``<prefix>_<state>``."""
    return np.stack([ds[f"{prefix}_{s}"].values for s in names], axis=1)


class Bench:
    """The benchmark run: models, sample ranges, calibration and the per-N measurements."""

    def __init__(self, args):
        self.args = args
        self.startup = {}
        self.notes = []
        t0 = time.perf_counter()
        import rlsmodel
        from rlsmodel.integrate import SolverSettings
        self.startup["import rlsmodel"] = time.perf_counter() - t0
        self.rlsmodel, self.SolverSettings = rlsmodel, SolverSettings
        t0 = time.perf_counter()
        self.model = rlsmodel.Model()          # the defaults row: untouched
        self.startup["Model() build (sympy + numba, disk cache)"] = time.perf_counter() - t0
        self.defaults = self.model.settings
        self.names = list(self.model.compiled.state_names)
        self.scale = self.model.state_scale
        self.regimen = rlsmodel.Regimen.daily("pramipexole", 0.25, 21.0)
        self.ranges = {n: tuple(self.model.parameters[n].range) for n in SWEPT}
        self.engines = [e for e in args.engines.split(",") if e]
        if "cvode" in self.engines or self.defaults.engine == "cvode":
            from rlsmodel.engines import cvode
            ok, why = cvode.available()
            if not ok:
                self.notes.append(f"cvode unavailable ({why}): not measured")
                if "cvode" in self.engines:
                    self.engines.remove("cvode")
            else:
                t0 = time.perf_counter()
                cvode.engine_for(self.model.compiled)
                self.startup["cvode library load (disk cache; first build: see bench_engines.py)"] = \
                    time.perf_counter() - t0
        for eng in self.engines:
            t0 = time.perf_counter()
            self.row_model(eng, None).simulate(1.0, PROFILE, regimen=self.regimen, sample_every_hours=24.0)
            self.startup[f"first simulation, {eng} (1 day, incl. periodic state)"] = time.perf_counter() - t0
        self.refs = [r for r in args.references.split(",") if r and r != "none"]
        if "roadrunner" in self.refs:
            import importlib.util
            if importlib.util.find_spec("roadrunner") is None:
                self.notes.append("libroadrunner not installed (pip install 'rlsmodel[sbml]'): not measured")
                self.refs.remove("roadrunner")
        self.rtol = {}
        self.results = {"argv": list(args.argv), "date": datetime.datetime.now().isoformat(timespec="minutes"),
                        "days": DAYS,
                        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
                        "defaults": {"engine": self.defaults.engine, "rtol": self.defaults.rtol,
                                     "atol": self.defaults.atol, "options": self.model.settings.options()},
                        "startup": self.startup, "calibration": {}, "sizes": {}, "notes": self.notes}

    def row_model(self, eng, rtol):
        """The Model of a row: ``defaults`` is the untouched ``Model()``; an engine row runs that
        engine (default options) at ``rtol`` (None: the defaults) with atol = rtol / 1000."""
        if eng == "defaults":
            return self.model
        model = self.rlsmodel.Model(engine=eng)
        if rtol is not None:
            model.settings = self.SolverSettings(engine=eng, rtol=rtol, atol=rtol * ATOL_FACTOR)
        return model

    # -- accuracy calibration on check points ----------------------------------------------
    def sample(self, n, seed=SEED):
        return self.rlsmodel.samplers.latin_hypercube(self.ranges, n=n, seed=seed, model=self.model)

    def final_state(self, point, model, initial, **settings):
        ds = model.simulate(DAYS, PROFILE, params=point, regimen=self.regimen, sample_every_hours=24.0,
                            initial=initial, **settings)
        return np.array([float(ds[s].values[-1]) for s in self.names])

    def calibrate(self):
        """Reference finals at the check points; the defaults' error; each engine's loosest rtol."""
        a = self.args
        chk = self.sample(a.check_points, seed=SEED + 1000)
        self.check_points = [chk.point(i) for i in range(len(chk))]
        self.check_y0, self.check_ref, periodic = [], [], []
        for pt in self.check_points:
            p = self.model.parameter_vector(PROFILE, pt)
            self.model.clear_caches()
            t0 = time.perf_counter()
            y0, _ = self.model.periodic_state(p)
            periodic.append(time.perf_counter() - t0)
            self.check_y0.append(dict(zip(self.names, y0)))
            self.check_ref.append(self.final_state(pt, self.model, self.check_y0[-1], engine="lsoda",
                                                   rtol=1e-12, atol=1e-14))
        cal = self.results["calibration"]
        cal["check_points"] = self.check_points
        cal["periodic_state_s"] = float(np.mean(periodic))
        print(f"\naccuracy check on {len(self.check_points)} points (target {TARGET:g}; reference lsoda rtol 1e-12):")
        for eng in self.engines:
            if eng == "defaults":
                errs = [final_error(self.final_state(pt, self.model, y0), ref, self.scale)
                        for pt, y0, ref in zip(self.check_points, self.check_y0, self.check_ref)]
                cal.setdefault("errors", {})["defaults"] = {f"{self.defaults.rtol:g}": errs}
                ok = max(errs) <= TARGET
                print(f"  defaults ({self.defaults.engine}, rtol {self.defaults.rtol:g}): max final-state error "
                      f"{max(errs):.1e} -> {'ok' if ok else 'TOO LARGE'}")
                if not ok:
                    self.notes.append(f"the defaults miss the accuracy target ({max(errs):.1e})")
                self.rtol["defaults"] = self.defaults.rtol
                continue
            model = self.row_model(eng, None)
            self.rtol[eng] = self._loosest(eng, lambda rtol, i, model=model, eng=eng: self.final_state(
                self.check_points[i], model, self.check_y0[i], engine=eng, rtol=rtol, atol=rtol * ATOL_FACTOR))
        if "scipy" in self.refs:
            self.scipy_times = {}
            k = min(a.ref_points, len(self.check_points))

            def scipy_run(rtol, i):
                t0 = time.perf_counter()
                y = self.final_state(self.check_points[i], self.model, self.check_y0[i], engine="scipy", rtol=rtol,
                                     atol=rtol * ATOL_FACTOR)
                self.scipy_times.setdefault(rtol, []).append(time.perf_counter() - t0)
                return y
            self.rtol["scipy"] = self._loosest("scipy", scipy_run, n_points=k)
            if self.rtol["scipy"] is not None:
                self.scipy_point_s = float(np.mean(self.scipy_times[self.rtol["scipy"]]))
        if "roadrunner" in self.refs:
            self._calibrate_rr()
        cal["rtol"] = self.rtol

    def _loosest(self, eng, run, n_points=None):
        """First rtol of the engine's candidates whose error at every check point is <= TARGET."""
        n_points = n_points or len(self.check_points)
        for rtol in CANDIDATES[eng]:
            errs = [final_error(run(rtol, i), self.check_ref[i], self.scale) for i in range(n_points)]
            ok = max(errs) <= TARGET
            self.results["calibration"].setdefault("errors", {}).setdefault(eng, {})[f"{rtol:g}"] = errs
            print(f"  {eng:10s} rtol {rtol:.0e}: max final-state error {max(errs):.1e} "
                  f"over {n_points} point(s) -> {'ok' if ok else 'too large'}", flush=True)
            if ok:
                return rtol
        self.notes.append(f"{eng}: no candidate rtol reached {TARGET:g}; not timed")
        return None

    def _calibrate_rr(self):
        from rlsmodel.export.sbml import sbml, sbml_id
        self.tmp = tempfile.TemporaryDirectory()
        t0 = time.perf_counter()
        self.sbml_path = sbml(os.path.join(self.tmp.name, "rls_genetic_pramipexole.xml"), PROFILE,
                              regimen=self.regimen, model=self.model, days=DAYS)
        self.startup["SBML export (one file for every point)"] = time.perf_counter() - t0
        self.species = [sbml_id(s) for s in self.names]
        self.param_ids = [sbml_id(n) for n in SWEPT]
        pts = [([pt[n] for n in SWEPT], [y0[s] for s in self.names])
               for pt, y0 in zip(self.check_points, self.check_y0)]
        self.rtol["roadrunner"] = None
        for rtol in CANDIDATES["roadrunner"]:      # loosest first; one worker process per candidate
            out = run_rr_batch(self.sbml_path, self.species, self.scale, self.param_ids, pts, [rtol])
            run = out["runs"][0]
            errs = [final_error(y, r, self.scale) for y, r in zip(run["final"], self.check_ref)]
            self.results["calibration"].setdefault("errors", {}).setdefault("roadrunner", {})[f"{rtol:g}"] = errs
            ok = max(errs) <= TARGET
            print(f"  roadrunner rtol {rtol:.0e}: max final-state error {max(errs):.1e} over "
                  f"{len(errs)} point(s) -> {'ok' if ok else 'too large'}", flush=True)
            if ok:
                self.rtol["roadrunner"] = rtol
                break
        self.rr_version = out["version"]
        self.startup["libroadrunner process start + import"] = out["wall_s"] - sum(run["point_s"]) - out["load_s"]
        self.startup["libroadrunner load + LLVM compile"] = out["load_s"]
        if self.rtol["roadrunner"] is None:
            self.notes.append(f"roadrunner: no candidate rtol reached {TARGET:g}; not timed")

    # -- one size N ------------------------------------------------------------------------
    def save(self):
        """Write every number so far to ``--json`` (after each measured row: a long run keeps its partial results)."""
        if self.args.json:
            with open(self.args.json, "w") as fh:
                json.dump(self.results, fh, indent=1, default=float)

    def _sweep(self, model, sample, workers):
        return self.rlsmodel.sweep(sample, days=DAYS, regimen=self.regimen, profile=PROFILE,
                                   outcomes=state_outcomes(self.names), model=model, workers=workers,
                                   sample_every_hours=24.0, progress=False)

    def measure(self, n):
        a = self.args
        big = n >= 1000
        sample = self.sample(n)
        rows, finals, inits = [], {}, None
        self.results["sizes"][str(n)] = rows
        modes = [m for m in (a.big_modes if big else a.modes).split(",") if m]
        engines = [e for e in (a.big_engines.split(",") if big else self.engines) if e in self.engines]
        repeats = a.repeats if n == 1 else 1
        for eng in engines:
            if self.rtol.get(eng) is None:
                continue
            rtol = self.rtol[eng]
            model = self.row_model(eng, None if eng == "defaults" else rtol)
            for mode in modes:
                workers = None if mode == "serial" else a.workers
                if workers and n < 2:
                    print(f"  [{eng}] workers={a.workers} skipped at N={n} (one point is one task)")
                    continue
                walls, cpus = [], []
                for _ in range(repeats):
                    model.clear_caches()           # every point computes its start state
                    c0 = cpu_seconds()
                    t0 = time.perf_counter()
                    ds = self._sweep(model, sample, workers)
                    walls.append(time.perf_counter() - t0)
                    cpus.append(cpu_seconds() - c0)
                wall, cpu = float(np.median(walls)), float(np.median(cpus))
                failed = int(np.sum(ds["status"].values != "ok"))
                cores = 1 if workers is None else workers
                rate = n * YEARS / wall
                finals[eng] = matrix(ds, "final", self.names)
                if inits is None or eng == "defaults":
                    inits = matrix(ds, "init", self.names)
                how = "serial (1 core)" if workers is None else f"workers={workers}"
                if repeats > 1:
                    how += f", median of {repeats}"
                rows.append({"engine": eng, "solver": f"{model.settings.engine}", "mode": how, "rtol": model.settings.rtol,
                             "n": n, "measured_points": n, "wall_s": wall, "walls_s": walls, "failed": failed,
                             "py_per_s": rate, "py_per_s_core": rate / cores,
                             "peak_rss_mib": float(np.nanmax(ds["peak_rss_mib"].values)),
                             "per_point_s": wall * cores / n, "cpu_s": cpu, "py_per_cpu_s": n * YEARS / cpu})
                print(f"  [{eng} ({model.settings.engine}) rtol {model.settings.rtol:g}, {how}] N={n}: {wall:.2f} s, "
                      f"{rate / cores:.3g} patient-years/s/core ({rate:.3g} total), {failed} failed, "
                      f"peak RSS {rows[-1]['peak_rss_mib']:.0f} MiB", flush=True)
                self.save()
        if len(finals) > 1:
            ks = list(finals)
            d = max(final_error(finals[k], finals[ks[0]], self.scale) for k in ks[1:])
            print(f"  rows vs each other over all {n} points: max final-state difference {d:.1e}")
            self.results.setdefault("engine_agreement", {})[str(n)] = d
        if self.rtol.get("scipy") is not None:
            k = len(self.scipy_times[self.rtol["scipy"]])
            rows.append({"engine": "scipy (solve_ivp BDF loop)", "solver": "scipy", "mode": f"serial; {k} point(s) timed, scaled",
                         "rtol": self.rtol["scipy"], "n": n, "measured_points": k,
                         "wall_s": self.scipy_point_s * n, "failed": 0,
                         "py_per_s": YEARS / self.scipy_point_s, "py_per_s_core": YEARS / self.scipy_point_s})
        if self.rtol.get("roadrunner") is not None and inits is not None:
            m = min(n, a.rr_max)
            pts = [([sample.values[i][sample.names.index(s)] for s in SWEPT], inits[i]) for i in range(m)]
            out = run_rr_batch(self.sbml_path, self.species, self.scale, self.param_ids, pts,
                               [self.rtol["roadrunner"]], repeats=repeats)
            secs = sum(out["runs"][0]["point_s"])
            ref = finals.get("defaults", next(iter(finals.values())))[:m]
            d = final_error(np.asarray(out["runs"][0]["final"]), ref, self.scale)
            self.results.setdefault("rr_vs_sweep", {})[str(n)] = d
            scaled = "" if m == n else f"; first {m} timed, scaled"
            rep = f"; median of {repeats} runs" if repeats > 1 else ""
            rows.append({"engine": f"libroadrunner {self.rr_version} (CVODE)", "solver": "roadrunner",
                         "mode": f"serial, 1 subprocess{scaled}{rep}", "rtol": self.rtol["roadrunner"], "n": n,
                         "measured_points": m, "wall_s": secs * n / m, "failed": 0,
                         "py_per_s": m * YEARS / secs, "py_per_s_core": m * YEARS / secs,
                         "batch_startup_s": out["wall_s"] - secs, "point_s": out["runs"][0]["point_s"],
                         "set_s": out["runs"][0]["set_s"], "per_point_s": secs / m,
                         "cpu_s": sum(out["runs"][0]["point_cpu_s"]) * n / m,
                         "py_per_cpu_s": m * YEARS / sum(out["runs"][0]["point_cpu_s"])})
            print(f"  [libroadrunner rtol {self.rtol['roadrunner']:g}] {m} points: {secs:.1f} s "
                  f"(+ {out['wall_s'] - secs:.1f} s process start, import, load, compile), "
                  f"{m * YEARS / secs:.3g} patient-years/s/core; per point median "
                  f"{np.median(out['runs'][0]['point_s']):.2f} s; vs the sweep's finals: {d:.1e}", flush=True)
        base = {r["solver"]: r["py_per_s_core"] for r in rows if r["solver"] in ("scipy", "roadrunner")}
        cpu_base = {r["solver"]: r.get("py_per_cpu_s") for r in rows if r["solver"] == "roadrunner"}
        for r in rows:
            r["vs_scipy"] = r["py_per_s_core"] / base["scipy"] if "scipy" in base else None
            r["vs_roadrunner"] = r["py_per_s_core"] / base["roadrunner"] if "roadrunner" in base else None
            r["vs_roadrunner_cpu"] = (r["py_per_cpu_s"] / cpu_base["roadrunner"]
                                      if cpu_base.get("roadrunner") and r.get("py_per_cpu_s") else None)
        self.save()
        return rows


def projection(res):
    """``(N, [(label, row, core-hours)])`` for 10^6 two-year points, from the largest N with a
    defaults row: its slowest per-core defaults row (workers=2 if measured) and libroadrunner."""
    for n in sorted(res["sizes"], key=int, reverse=True):
        rows = res["sizes"][n]
        ours = [r for r in rows if r["engine"] == "defaults"]
        if not ours:
            continue
        picked = [("rlsmodel defaults, " + min(ours, key=lambda r: r["py_per_s_core"])["mode"],
                   min(ours, key=lambda r: r["py_per_s_core"]))]
        picked += [("libroadrunner", r) for r in rows if r["solver"] == "roadrunner"]
        years = res.get("days", 730.0) / 365.0
        return n, [(label, r, PROJECT_POINTS * years / r["py_per_s_core"] / 3600.0) for label, r in picked]
    return None, []


def markdown(res):
    """The results ``res`` (``Bench.results``, or its ``--json`` file) as Markdown for benchmarks/README.md.

    Sizes still being measured (a partial ``--json`` of a long run) show the rows finished so far.
    """
    d = res.get("defaults", {})
    lines = [f"Command: `python benchmarks/bench_throughput.py {' '.join(res['argv'])}`; run "
             f"{res['date']}, {res['machine']}; {res.get('days', 730):g} days per point. Defaults: engine `{d.get('engine')}`, rtol {d.get('rtol')}, "
             f"atol {d.get('atol')}, options {d.get('options')}.", ""]
    lines.append("| N | rlsmodel row | how | rtol | wall (s) | patient-years/s/core | vs libroadrunner, per core | "
                 "patient-years per CPU-second | vs libroadrunner, CPU time | peak RSS per worker (MiB) |")
    lines.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for n, rows in res["sizes"].items():
        for r in rows:
            fail = f" ({r['failed']} failed)" if r["failed"] else ""
            vs_r = "-" if r.get("vs_roadrunner") is None else f"**{r['vs_roadrunner']:.2f}x**" \
                if r["engine"] == "defaults" else f"{r['vs_roadrunner']:.2f}x"
            wall = f"{r['wall_s']:.2f}" + ("" if r["measured_points"] == int(n) else " (scaled)")
            name = f"{r['engine']} ({r['solver']})" if r["engine"] in ("defaults", "cvode", "lsoda") else r["engine"]
            rss = f"{r['peak_rss_mib']:.0f}" if r.get("peak_rss_mib") else "-"
            cpu = f"{r['py_per_cpu_s']:.3g}" if r.get("py_per_cpu_s") else "-"
            vs_c = f"{r['vs_roadrunner_cpu']:.2f}x" if r.get("vs_roadrunner_cpu") else "-"
            lines.append(f"| {int(n):,} | {name} | {r['mode']}{fail} | {r['rtol']:g} | {wall} | "
                         f"{r['py_per_s_core']:.3g} | {vs_r} | {cpu} | {vs_c} | {rss} |")
    lines.append("")
    cal = res["calibration"]
    errs = "; ".join(f"{eng} " + ", ".join(f"{rt}: {max(v):.1e}" for rt, v in dd.items())
                     for eng, dd in cal.get("errors", {}).items())
    lines.append(f"Accuracy (max final-state error over {len(cal.get('check_points', []))} check points, target "
                 f"{TARGET:g}; per engine the loosest passing rtol is the one timed, candidates loosest first): {errs}.")
    n_proj, proj = projection(res)
    if proj:
        years = res.get("days", 730.0) / 365.0
        parts = []
        for label, r, h in proj:
            cpu = (f"; by CPU time {PROJECT_POINTS * years / r['py_per_cpu_s'] / 3600.0:,.0f} core-hours"
                   if r.get("py_per_cpu_s") else "")
            parts.append(f"{label} {h:,.0f} core-hours by wall clock ({h / 100:,.1f} h on 100 single-threaded "
                         f"Dask workers){cpu}")
        lines.append(f"Projection for {PROJECT_POINTS:,} points of {res.get('days', 730.0):g} days on a Dask cluster, "
                     f"from the per-core rates "
                     f"at N = {int(n_proj):,}: " + "; ".join(parts) + ".")
    if cal.get("periodic_state_s"):
        lines.append(f"Periodic initial state per point (inside the rlsmodel rows; mean over the check points, "
                     f"cold): {cal['periodic_state_s'] * 1e3:.0f} ms (libroadrunner is given it).")
    if res.get("engine_agreement"):
        lines.append("rlsmodel rows vs each other, max final-state difference over all points: " +
                     ", ".join(f"N={n}: {v:.1e}" for n, v in res["engine_agreement"].items()) + ".")
    if res.get("rr_vs_sweep"):
        lines.append("libroadrunner vs the defaults row's finals: " +
                     ", ".join(f"N={n}: {v:.1e}" for n, v in res["rr_vs_sweep"].items()) + ".")
    lines.append("Start-up and compile costs (not in the throughputs): " +
                 "; ".join(f"{k} {v:.2f} s" for k, v in res["startup"].items()) + ".")
    for note in res["notes"]:
        lines.append(f"Note: {note}.")
    return "\n".join(lines)


def main(argv=None):
    global DAYS, YEARS
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--rr-worker"]:
        rr_worker()
        return 0
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, nargs="+", default=[1, 100, 10000], help="numbers of parameter sets")
    ap.add_argument("--quick", action="store_true", help="N = 1, 20; 2 check points; 3 repeats")
    ap.add_argument("--engines", default="defaults,cvode,lsoda",
                    help="rows: defaults (Model() as is) and/or engines at their loosest passing rtol")
    ap.add_argument("--modes", default="serial,workers", help="serial (per-core figure) and/or workers")
    ap.add_argument("--big-engines", default="defaults", help="rows at N >= 1000")
    ap.add_argument("--big-modes", default="workers", help="modes at N >= 1000")
    ap.add_argument("--workers", type=int, default=2, help="local worker processes for the 'workers' mode")
    ap.add_argument("--references", default="roadrunner", help="roadrunner and/or scipy, or none")
    ap.add_argument("--ref-points", type=int, default=1, help="points timed in the scipy loop (then scaled)")
    ap.add_argument("--rr-max", type=int, default=100, help="largest libroadrunner batch (larger N: scaled)")
    ap.add_argument("--check-points", type=int, default=3, help="points of the accuracy check")
    ap.add_argument("--repeats", type=int, default=5, help="repeats of the N = 1 rows (median)")
    ap.add_argument("--days", type=float, default=DAYS, help="simulated days per point (default 730; 1825 = 5 years)")
    ap.add_argument("--json", help="write every number to this JSON file (updated after each measured row)")
    ap.add_argument("--report", metavar="JSON", help="only print the Markdown of an earlier (or running) --json")
    args = ap.parse_args(argv)
    args.argv = argv
    DAYS, YEARS = float(args.days), float(args.days) / 365.0
    if args.report:
        with open(args.report) as fh:
            print(markdown(json.load(fh)))
        return 0
    if args.quick:
        args.n, args.check_points, args.repeats = [1, 20], 2, 3
    args.ref_points = min(args.ref_points, args.check_points)
    t_start = time.perf_counter()
    bench = Bench(args)
    print(f"# rlsmodel {bench.rlsmodel.__version__}; {DAYS:g} days of {PROFILE} on "
          f"{bench.regimen.describe()}; sample: latin hypercube over {bench.ranges} (seed {SEED})")
    print("start-up: " + "; ".join(f"{k} {v:.2f} s" for k, v in bench.startup.items()))
    bench.calibrate()
    for n in args.n:
        print(f"\nN = {n}:")
        bench.measure(n)
    print("\n" + markdown(bench.results))
    print(f"\n(total benchmark time {time.perf_counter() - t_start:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
