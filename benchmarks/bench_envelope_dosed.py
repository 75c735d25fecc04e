"""Benchmark (issue 24, decision 48): the envelope against the exact path on one dosed run, no libroadrunner.

Run:  python benchmarks/bench_envelope_dosed.py [--repeats 15]

``rls_genetic`` on pramipexole 0.25 mg daily at 21:00 for 2 and 5 years, daily samples,
``Model(engine="cvode")`` with ``engine_options={"long_horizon": "exact" | "envelope"}``: the
median wall time of ``repeats`` runs after one warm-up run (start state cached), and the ratio
exact / envelope in the same process. Short and libroadrunner-free, so two source trees can be
alternated many times (``PYTHONPATH=<tree> python benchmarks/bench_envelope_dosed.py``) where
``bench_long_horizon.py`` (with libroadrunner and trials) takes minutes per run.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

import rlsmodel


def median_ms(fn, repeats):
    fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return 1000.0 * statistics.median(times)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=15)
    args = ap.parse_args(argv)
    model = rlsmodel.Model(engine="cvode")
    regimen = rlsmodel.Regimen.daily("pramipexole", 0.25, 21.0)
    parts = [f"load {os.getloadavg()[0]:.1f}"]
    for years in (2, 5):
        ms = {}
        for path in ("exact", "envelope"):
            ms[path] = median_ms(lambda path=path: model.run(
                365.0 * years, "rls_genetic", regimen=regimen, sample_every_hours=24.0,
                engine_options={"long_horizon": path}, warn=False), args.repeats)
        parts.append(f"{years}y exact {ms['exact']:.1f} ms, envelope {ms['envelope']:.1f} ms "
                     f"({ms['exact'] / ms['envelope']:.2f}x)")
    print("; ".join(parts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
