"""Plan one run before it starts: its size, its blocks, and a progress bar.

:func:`estimate` gives the memory a :meth:`rlsmodel.Model.simulate` call will hold and
roughly how long it will take, from the number of samples, kept variables and doses,
before anything is allocated. :meth:`RunEstimate.check` refuses a run above the limits
with a :class:`~rlsmodel.errors.RunTooLargeError` that shows the estimate and the fix:

* memory: :data:`MAX_MEMORY_GB` (2 GiB; environment variable ``RLSMODEL_MAX_MEMORY_GB``):
  the returned Dataset (every kept variable at every sample) plus the working arrays of
  one block;
* time: :data:`MAX_HOURS` (24 h; environment variable ``RLSMODEL_MAX_HOURS``), from
  measured costs per simulated day, sample and dose (:data:`SECONDS_PER_DAY` ...;
  ``lsoda`` on a 2-core machine, other engines scaled by :data:`ENGINE_FACTOR`). Only
  absurd runs (millions of years) reach it: a long legitimate run is not
  refused, it shows a progress bar.

:func:`integrate_blocks` integrates a run in blocks of :data:`BLOCK_DAYS` days (block
boundaries at fixed model times 365, 730, ... days, whatever the sampling, the progress
bar or the kept variables, so results never depend on them). Each block hands its
samples to a callback and is then dropped, so a run that keeps a few variables
(``keep=``) holds only those; the bar advances block by block. Runs that follow the slow
envelope (cvode option ``long_horizon="envelope"``) use blocks of
:data:`ENVELOPE_BLOCK_DAYS` (:func:`block_days`): each block rebuilds the envelope's drift
history (decision 48).
"""
from __future__ import annotations

import math
import os
import sys
from dataclasses import dataclass

import numpy as np

from .errors import RunTooLargeError
from .integrate import integrate

#: Length of an integration block (days); block boundaries lie at multiples of it.
BLOCK_DAYS = 365.0
#: Block length (days) of runs that follow the slow envelope (cvode option
#: ``long_horizon="envelope"``): each engine call rebuilds the envelope's drift history (its
#: first ~18 days are integrated exactly) and no jump crosses a block's end, so 365-day blocks
#: cost about a quarter of a 5-year run's integrated days (decision 48). Ten years of hourly
#: samples of every state is ~30 MB of working arrays, within the memory limit's accounting.
ENVELOPE_BLOCK_DAYS = 3650.0
#: Default memory limit of one run (GiB); ``RLSMODEL_MAX_MEMORY_GB`` overrides it.
MAX_MEMORY_GB = 2.0
#: Default time limit of one run (hours); ``RLSMODEL_MAX_HOURS`` overrides it.
MAX_HOURS = 24.0
#: Measured costs with engine="lsoda" at its default tolerance (rtol 1e-7) on the shared 2-core
#: development machine (2026-11-29): per simulated day untreated (10 years, daily samples: 0.71 s),
#: per output sample (10 years hourly: +0.14 s, observables included), per dose event (10 years
#: of a daily pramipexole dose: +1.34 s).
SECONDS_PER_DAY, SECONDS_PER_SAMPLE, SECONDS_PER_EVENT = 2e-4, 2e-6, 4e-4
#: Rough cost of each engine relative to lsoda (measured with the same runs: cvode at its
#: defaults, closed-form PK, 0.20 s untreated and 0.40 s dosed against lsoda's 0.71 and 2.05 s;
#: the reference scipy BDF about 130x slower).
ENGINE_FACTOR = {"lsoda": 1.0, "cvode": 0.2, "scipy": 130.0}
#: A run estimated to take at least this long (s) shows a progress bar by default
#: (when stderr is a terminal).
PROGRESS_AFTER_S = 10.0
GIB = 1024.0 ** 3


def n_samples(days: float, dt_hours: float) -> int:
    """Samples of a run of ``days`` at one sample every ``dt_hours`` (both ends included)."""
    n = int(math.floor(days * 24.0 / dt_hours + 1e-9)) + 1
    if (n - 1) * dt_hours / 24.0 < days - 1e-12:
        n += 1      # the end of the run is always a sample
    return n


def sample_times(days: float, dt_hours: float) -> np.ndarray:
    """The sample times (days): every ``dt_hours`` from 0, and the end of the run."""
    m = int(math.floor(days * 24.0 / dt_hours + 1e-9)) + 1
    t = np.arange(m) * (dt_hours / 24.0)
    if t[-1] < days - 1e-12:
        t = np.append(t, days)
    return t


def limit(name: str, default: float) -> float:
    """A limit from the environment variable ``name`` (a positive number), else ``default``."""
    text = os.environ.get(name)
    if text is None or not text.strip():
        return default
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"environment variable {name}={text!r} must be a positive number") from None
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"environment variable {name}={text!r} must be a positive number")
    return value


@dataclass(frozen=True)
class RunEstimate:
    """What one run will cost, estimated before it starts.

    ``output_bytes``: the returned Dataset; ``work_bytes``: arrays of one block while it
    is processed; ``seconds``: rough wall time (engine-scaled measured costs).
    """

    days: float
    samples: int
    variables: int
    output_bytes: float
    work_bytes: float
    seconds: float
    dt_hours: float
    bytes_per_sample: float
    #: working-array bytes per sample of a block (see :func:`estimate`)
    work_bytes_per_sample: float = 0.0
    #: block length (days) of the run (:func:`block_days`)
    block_days: float = BLOCK_DAYS

    @property
    def memory_bytes(self) -> float:
        return self.output_bytes + self.work_bytes

    def describe(self) -> str:
        return (f"{self.days:g} days sampled every {self.dt_hours:g} h = {self.samples:,} samples x "
                f"{self.variables} variables: about {_size(self.memory_bytes)} of memory and "
                f"{_duration(self.seconds)} of computing")

    def spacing_that_fits(self, max_bytes: float) -> float:
        """Smallest sample spacing (h) whose result and block working arrays fit ``max_bytes``.

        Both grow as 1/spacing: the result over the whole run, the working arrays over one
        block (at most :attr:`block_days` days); 2 % is added for the end samples.
        """
        per_hour = (self.days * (self.bytes_per_sample + 8.0)
                    + min(self.days, self.block_days) * self.work_bytes_per_sample) * 24.0
        return 1.02 * per_hour / max_bytes

    def check(self) -> None:
        """Raise :class:`RunTooLargeError` with the estimate and the fix above the limits."""
        max_gb = limit("RLSMODEL_MAX_MEMORY_GB", MAX_MEMORY_GB)
        max_hours = limit("RLSMODEL_MAX_HOURS", MAX_HOURS)
        if self.memory_bytes > max_gb * GIB:
            fits = self.spacing_that_fits(max_gb * GIB)
            raise RunTooLargeError(
                f"this run is too large: {self.describe()}, above the limit of {max_gb:g} GiB "
                f"(RLSMODEL_MAX_MEMORY_GB). Sample less often (sample_every_hours={_nice_hours(fits)} "
                f"or more fits), keep only the variables you need (keep=['brain_iron', 'symptom', ...]), "
                f"simulate fewer days, or raise the limit with the environment variable "
                f"RLSMODEL_MAX_MEMORY_GB")
        if self.seconds > max_hours * 3600.0:
            raise RunTooLargeError(
                f"this run would take too long: {self.describe()}, above the limit of {max_hours:g} h "
                f"(RLSMODEL_MAX_HOURS). Check days={self.days:g} (days, not hours or minutes), "
                f"simulate fewer days, or raise the limit with the environment variable RLSMODEL_MAX_HOURS")


def estimate(days: float, dt_hours: float, bytes_per_sample: float, n_variables: int, n_states: int,
             n_observables: int, n_events: int, engine: str, block: float = BLOCK_DAYS) -> RunEstimate:
    """A :class:`RunEstimate` for a run of ``days`` sampled every ``dt_hours``.

    ``bytes_per_sample``: bytes one sample of every kept variable takes in the result;
    ``n_states``/``n_observables``: sizes of the working arrays of a block;
    ``n_events``: dose events (each restarts the integrator); ``block``: the block length
    (days, :func:`block_days`).
    """
    samples = n_samples(days, dt_hours)
    per_block = min(samples, n_samples(min(days, block), dt_hours))
    output = samples * (bytes_per_sample + 8.0)            # + the time coordinate
    work = per_block * 8.0 * (2 * n_states + n_observables)   # integrator output (and a copy), observables
    seconds = ENGINE_FACTOR.get(engine, 1.0) * (days * SECONDS_PER_DAY + samples * SECONDS_PER_SAMPLE
                                                + n_events * SECONDS_PER_EVENT)
    return RunEstimate(days, samples, n_variables, output, work, seconds, dt_hours, bytes_per_sample,
                       8.0 * (2 * n_states + n_observables), block)


def block_days(settings) -> float:
    """Block length (days) for runs with ``settings`` (a
    :class:`~rlsmodel.engines.base.SolverSettings` or None): :data:`ENVELOPE_BLOCK_DAYS` when
    the engine follows the slow envelope, else :data:`BLOCK_DAYS` (the exact path's blocks are
    unchanged). The length depends only on the solver settings, so results still never depend
    on sampling, kept variables or the progress bar."""
    if settings is None:
        return BLOCK_DAYS
    options = settings.options() if hasattr(settings, "options") else dict(getattr(settings, "engine_options", ()))
    if options.get("long_horizon") == "envelope":   # the engine's effective option (cvode's default: decision 60)
        return ENVELOPE_BLOCK_DAYS
    return BLOCK_DAYS


def blocks(t_end: float, t_start: float = 0.0, length: float = BLOCK_DAYS) -> list:
    """Block boundaries ``[(a, b), ...]`` covering ``[t_start, t_end]``, cut at the multiples of
    ``length`` (days; default :data:`BLOCK_DAYS`) inside it."""
    inner = [float(e) for e in np.arange(0.0, t_end, length) if t_start < e < t_end]
    edges = [float(t_start)] + inner + [float(t_end)]
    edges = sorted(set(edges))
    return list(zip(edges[:-1], edges[1:])) or [(float(t_start), float(t_end))]


def integrate_blocks(compiled, y0, p, t, events, settings, scale, collect, bar=None, span=None) -> np.ndarray:
    """Integrate from ``y0`` over samples ``t`` (starting at 0) in blocks; return the final state.

    Each block ``(a, b]`` (the first one ``[0, b]``) integrates from the previous block's
    final state with the events at ``a < time <= b`` (the first block: ``0 <= time <= b``),
    so every event is applied exactly once; ``collect(slice, Y)`` receives the states
    (n_states, m) at the samples ``t[slice]`` of the block. ``bar``: a tqdm bar advanced
    by each block's length in days.

    ``span``: ``(start, end)`` model times (days) of a segment of a longer run (None:
    ``(0, t[-1])``): integrate from ``y0`` at ``start`` to ``end`` over the samples ``t``
    inside ``(start, end]`` (``[0, end]`` for a segment starting at 0), with the events at
    ``start < time <= end``. Consecutive segments continue the run (a visit rule's run,
    :mod:`rlsmodel.policy_runs`); the block cuts stay at the multiples of
    :data:`BLOCK_DAYS`.
    """
    events = sorted(events, key=lambda e: e[0])
    ev_times = np.array([e[0] for e in events], dtype=float)
    y = np.asarray(y0, dtype=float)
    start, end = (0.0, float(t[-1])) if span is None else (float(span[0]), float(span[1]))
    first = 0
    parts = blocks(end, start, block_days(settings))
    for k, (a, b) in enumerate(parts):
        last = t.size if k == len(parts) - 1 else int(np.searchsorted(t, b, side="right"))
        inner = t[first:last]
        lo = np.searchsorted(ev_times, a, side="left" if k == 0 and start == 0.0 else "right")
        hi = np.searchsorted(ev_times, b, side="right")
        times = inner
        head = inner.size == 0 or inner[0] > a
        if head:
            times = np.concatenate([[a], times])
        tail = times[-1] < b
        if tail:
            times = np.concatenate([times, [b]])
        Y = integrate(compiled, y, p, times, events=events[lo:hi], settings=settings, scale=scale)
        collect(slice(first, last), Y[:, (1 if head else 0):Y.shape[1] - (1 if tail else 0)])
        y = Y[:, -1].copy()
        first = last
        if bar is not None:
            bar.update(b - a)
    return y


def progress_bar(progress, seconds: float, days: float):
    """A tqdm bar in days (shown when ``progress`` is True, or None and the run is long and
    stderr is a terminal)."""
    show = progress if progress is not None else (seconds >= PROGRESS_AFTER_S and sys.stderr.isatty())
    if not show:                 # no bar: no tqdm object per run either (0.2 ms each in a trial; decision 49)
        return _NoBar()
    from tqdm.auto import tqdm
    return tqdm(total=days, disable=not show, unit="day", desc="simulate", file=sys.stderr, dynamic_ncols=True,
                bar_format="{l_bar}{bar}| {n:.0f}/{total:.0f} days [{elapsed}<{remaining}]")


class _NoBar:
    """What :func:`progress_bar` returns when no bar is shown: ``update`` and ``close`` do nothing."""

    def update(self, n=1) -> None:
        pass

    def close(self) -> None:
        pass


def _size(nbytes: float) -> str:
    for unit, scale in (("GiB", GIB), ("MiB", 1024.0 ** 2), ("KiB", 1024.0)):
        if nbytes >= scale:
            return f"{nbytes / scale:.3g} {unit}"
    return f"{nbytes:.0f} B"


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.2g} s"
    if seconds < 3600:
        return f"{seconds / 60:.2g} min"
    if seconds < 86400 * 2:
        return f"{seconds / 3600:.3g} h"
    return f"{seconds / 86400:.3g} days"


def _nice_hours(hours: float) -> str:
    """A round sample spacing at least ``hours``."""
    for nice in (0.0001, 0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 6, 12,
                 24, 48, 168, 720):
        if nice >= hours:
            return f"{nice:g}"
    return f"{math.ceil(hours):g}"


__all__ = ["RunEstimate", "estimate", "integrate_blocks", "blocks", "block_days", "sample_times", "n_samples", "progress_bar",
           "BLOCK_DAYS", "ENVELOPE_BLOCK_DAYS", "MAX_MEMORY_GB", "MAX_HOURS"]
