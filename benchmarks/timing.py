"""Shared timing helper for the benchmark scripts (run as ``python benchmarks/bench_*.py``)."""
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
