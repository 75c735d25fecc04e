"""Persistence: when MPI-positive days amount to clinically relevant augmentation.

Benes et al. 2012 (Sleep Med 13:589) found 8.2 % of patients MPI-positive at some visit but
only 1.5 % with clinically relevant, persistent augmentation. The persistent tier: the
criteria hold on every day for :data:`PERSISTENT_DAYS` (28) consecutive days, or on every day
from their onset to the end of the observation when that is at least
:data:`PERSISTENT_MIN_TO_END_DAYS` (14) days.
"""
from __future__ import annotations

import numpy as np

#: Clinically relevant tier: the criteria hold on every day for this many consecutive days ...
PERSISTENT_DAYS = 28
#: ... or on every day from their onset to the end of the run, if that is at least this long.
PERSISTENT_MIN_TO_END_DAYS = 14


def run_lengths(flags) -> np.ndarray:
    """Per day: the number of consecutive True days starting at it (0 where False)."""
    flags = np.asarray(flags, dtype=bool)
    n = flags.size
    idx = np.arange(n)
    false_pos = np.where(~flags, idx, n)
    next_false = np.minimum.accumulate(false_pos[::-1])[::-1]   # first False at or after i
    return next_false - idx


def run_to_end(flags) -> int:
    """Number of consecutive True values at the end of ``flags``."""
    flags = np.asarray(flags, dtype=bool)
    false = np.nonzero(~flags)[0]
    return int(flags.size if false.size == 0 else flags.size - 1 - false[-1])


def persistent(mpi) -> np.ndarray:
    """Per day: the criteria hold from that day on every day for :data:`PERSISTENT_DAYS`, or on
    every day to the end of the run when that span is at least
    :data:`PERSISTENT_MIN_TO_END_DAYS`."""
    mpi = np.asarray(mpi, dtype=bool)
    run = run_lengths(mpi)
    to_end = np.arange(mpi.size) + run == mpi.size
    return mpi & ((run >= PERSISTENT_DAYS) | (to_end & (run >= PERSISTENT_MIN_TO_END_DAYS)))


def persistent_before(mpi, end: int) -> bool:
    """Whether the criteria held on every one of the :data:`PERSISTENT_DAYS` days before day
    index ``end`` (exclusive), e.g. since the previous monthly visit."""
    mpi = np.asarray(mpi, dtype=bool)
    return end >= PERSISTENT_DAYS and bool(mpi[end - PERSISTENT_DAYS:end].all())


__all__ = ["PERSISTENT_DAYS", "PERSISTENT_MIN_TO_END_DAYS", "run_lengths", "run_to_end", "persistent",
           "persistent_before"]
