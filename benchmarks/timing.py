"""Shared helpers (timing, final-state error) for the benchmark scripts (run as ``python benchmarks/bench_*.py``)."""
import time

import numpy as np


def median_time(fn, repeats):
    """(median wall time in s, result of the last call) over ``repeats`` calls of ``fn``."""
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times)), out


def final_error(y, ref, scale):
    """Largest relative deviation of final states ``y`` (..., n) from ``ref``, floor ``scale``."""
    y, ref = np.asarray(y, float), np.asarray(ref, float)
    return float(np.max(np.abs(y - ref) / np.maximum(np.abs(ref), scale)))
