"""Numerics probe (decision 50): final-state error of 2 dosed years by engine and tolerance.

Run:  python benchmarks/accuracy_by_tolerance.py pramipexole_augmenting lsoda:1e-11 cvode:1e-7 cvode:1e-8

The scenarios are those of ``tests/test_default_accuracy.py`` (``pramipexole``,
``pramipexole_augmenting``, ``levodopa``, ``rotigotine_removed``, ``oral_iron_and_pramipexole``):
``rls_genetic``, 730 dosed days after a 14-day untreated baseline, hourly samples. Each argument
``engine:rtol`` is one run (atol = rtol / 100, the engine's other options at their defaults); the
first is the reference. Prints, for every other run, the four states farthest from the reference
relative to ``max(|reference|, scale)`` (``scale`` as in the test, floor 1e-3). Use it before
changing a default tolerance: a reference must agree with a 10x tighter one far below the 1e-4
target, and an error that does not fall as rtol tightens points at the model's form (decision 50),
not at the setting.
"""
from __future__ import annotations

import argparse
import pathlib
import sys
import time

import numpy as np

import rlsmodel

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "tests"))
from conftest import nominal_scale  # noqa: E402
from test_default_accuracy import DAYS, SCENARIOS  # noqa: E402


def main(argv=None):
    """Run the scenario at each ``engine:rtol`` and print the largest state errors."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario", choices=sorted(SCENARIOS))
    ap.add_argument("runs", nargs="+", help="engine:rtol, the first is the reference (e.g. lsoda:1e-11)")
    a = ap.parse_args(argv)
    model = rlsmodel.Model(engine="lsoda")
    names = model.compiled.state_names
    scale = nominal_scale(model)
    regimen, params = SCENARIOS[a.scenario]
    finals = []
    for run in a.runs:
        engine, _, rtol = run.partition(":")
        try:
            rtol = float(rtol)
        except ValueError:
            ap.error(f"{run!r}: expected engine:rtol, e.g. cvode:1e-7")
        t0 = time.perf_counter()
        ds = model.simulate(DAYS, "rls_genetic", params=params, regimen=regimen, engine=engine,
                            rtol=rtol, atol=rtol / 100)
        finals.append(np.array([ds[n].values[-1] for n in names]))
        print(f"{run}: {time.perf_counter() - t0:.1f} s", flush=True)
    ref = finals[0]
    for run, final in zip(a.runs[1:], finals[1:]):
        err = np.abs(final - ref) / np.maximum(np.abs(ref), scale)
        worst = np.argsort(err)[::-1][:4]
        print(f"{run} vs {a.runs[0]}: " + ", ".join(f"{names[i]} {err[i]:.2e}" for i in worst))


if __name__ == "__main__":
    main()
