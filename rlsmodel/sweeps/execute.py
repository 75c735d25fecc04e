"""Executors: run chunk tasks serially, on local processes, or on a Dask cluster.

Each yields :class:`~rlsmodel.sweeps.runner.ChunkResult` objects as chunks finish (any
order); the caller is the single writer. Interrupting the caller cancels what is pending.
"""
from __future__ import annotations

import multiprocessing
import sys
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

from .runner import dumps, run_chunk


def results(tasks, config, *, n_tasks: int, workers=None, client=None):
    """Iterate over chunk results; ``tasks`` yields ``n_tasks`` pairs ``(indices, points)``.

    ``config``: the :class:`~rlsmodel.sweeps.runner.SweepConfig`; serialised for workers.
    """
    if client is not None:
        return _dask(list(tasks), dumps(config), client)
    if workers is not None and workers > 1 and n_tasks > 1:
        return _processes(tasks, dumps(config), min(workers, n_tasks))
    return _serial(tasks, config)


def _serial(tasks, config):
    for indices, points in tasks:
        yield run_chunk(config, indices, points)


def mp_context():
    """fork on Linux (workers inherit the compiled model: no start-up cost), spawn elsewhere."""
    if sys.platform.startswith("linux"):
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _processes(tasks, blob, workers: int):
    """At most ``2 * workers`` chunks in flight, so a huge sweep is not all queued at once."""
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=mp_context())
    pending, queue = set(), iter(tasks)
    try:
        for indices, points in queue:
            pending.add(pool.submit(run_chunk, blob, indices, points))
            if len(pending) >= 2 * workers:
                break
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                yield future.result()
                nxt = next(queue, None)
                if nxt is not None:
                    pending.add(pool.submit(run_chunk, blob, *nxt))
    finally:
        for future in pending:
            future.cancel()
        pool.shutdown(wait=True, cancel_futures=True)


def _dask(tasks, blob, client):
    """One ``client.submit`` per chunk; results as they complete."""
    from distributed import as_completed
    blob_future = client.scatter(blob, broadcast=True)
    futures = [client.submit(run_chunk, blob_future, indices, points, pure=False)
               for indices, points in tasks]
    try:
        for future in as_completed(futures):
            yield future.result()
            future.release()
    finally:
        client.cancel([f for f in futures if not f.done()])


def dask_client(workers=None, scheduler=None):
    """``(client, cluster)``: a client of the Dask scheduler at ``scheduler`` (cluster None),
    or of a new ``LocalCluster`` of ``workers`` single-threaded worker processes (close both
    when done)."""
    from .. import checks
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise ValueError("workers/scheduler need dask.distributed: pip install 'rlsmodel[sweep]'") from None
    if scheduler is not None:
        return Client(scheduler), None
    workers = checks.whole("workers", workers, 1)
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True)
    return Client(cluster), cluster
