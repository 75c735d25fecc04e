"""Where pyPESTO's tasks run, and how a long fit resumes.

:class:`Engine` is a :class:`pypesto.engine.Engine`: pyPESTO hands it its multistart
(:class:`~pypesto.optimize.task.OptimizerTask`) and profile
(:class:`~pypesto.profile.task.ProfilerTask`) tasks, and it runs them serially, on local
worker processes (``workers=N``; forked on Linux like the sweep harness, so workers inherit
the compiled model) or on a Dask cluster (``client=``). With a :class:`PartStore` every
finished task is written at once (a start as JSON, a profile direction as a pickle), and a
rerun of the same fit loads them instead of recomputing: an interrupted fit loses only the
tasks in flight.

Store layout (``OUT`` is the ``-o`` directory)::

    OUT/parts/fingerprint.json        what the parts were made for (refused if different)
    OUT/parts/start_0003.json         one finished multistart
    OUT/parts/profile_1_up.pkl        one finished profile direction
"""
from __future__ import annotations

import json
import os
import pickle
import sys
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from pathlib import Path

import numpy as np

from .. import checks

try:
    import pypesto.engine as _pypesto_engine
    _EngineBase = _pypesto_engine.Engine
except ImportError:  # pragma: no cover - pypesto is the calibrate extra
    _EngineBase = object

#: Fields of a pyPESTO OptimizerResult kept for a start.
START_FIELDS = ("id", "x", "fval", "x0", "fval0", "exitflag", "message", "n_fval", "n_grad", "n_res", "n_sres",
                "time", "optimizer")


def _work(blob):
    import cloudpickle
    return cloudpickle.loads(blob).execute()


class PartStore:
    """The ``parts`` directory of a calibration output directory."""

    def __init__(self, out, components: dict):
        self.out = Path(out)
        self.parts = self.out / "parts"
        self.components = components

    def prepare(self) -> None:
        """Create the directory, or check that existing parts were made for this fit."""
        from ..sweeps.store import check_match, fingerprint, write_text_atomic
        file = self.parts / "fingerprint.json"
        if file.exists():
            check_match(self.out, json.loads(file.read_text())["components"], self.components)
            return
        self.parts.mkdir(parents=True, exist_ok=True)
        payload = {"fingerprint": fingerprint(self.components), "components": self.components}
        write_text_atomic(file, json.dumps(payload, indent=1, sort_keys=True))

    @staticmethod
    def key(task):
        """File stem for a task, or None for tasks that are not stored."""
        from pypesto.optimize.task import OptimizerTask
        from pypesto.profile.task import ProfilerTask
        if isinstance(task, OptimizerTask):
            return f"start_{int(task.id):04d}" if str(task.id).isdigit() else f"start_{task.id}"
        if isinstance(task, ProfilerTask):
            return f"profile_{task.i_par}_{'down' if task.par_direction == -1 else 'up'}"
        return None

    def _path(self, key):
        return self.parts / (key + (".json" if key.startswith("start_") else ".pkl"))

    def has(self, key) -> bool:
        return self._path(key).exists()

    def load(self, key):
        path = self._path(key)
        if key.startswith("start_"):
            from pypesto.result import OptimizerResult
            d = json.loads(path.read_text())
            for k in ("x", "x0"):
                if d.get(k) is not None:
                    d[k] = np.array(d[k], dtype=float)
            return OptimizerResult(**d)
        with open(path, "rb") as fh:
            return pickle.load(fh)

    def save(self, key, result) -> None:
        path = self._path(key)
        tmp = path.with_name(path.name + f".tmp{os.getpid()}")
        if key.startswith("start_"):
            tmp.write_text(json.dumps({f: _jsonable(result.get(f)) for f in START_FIELDS}, indent=1))
        else:
            with open(tmp, "wb") as fh:
                pickle.dump(result, fh)
        os.replace(tmp, path)

    def starts(self) -> dict:
        """``{start id: OptimizerResult}`` of every stored start."""
        return {p.stem: self.load(p.stem) for p in sorted(self.parts.glob("start_*.json"))}


def _jsonable(v):
    if isinstance(v, np.ndarray):
        return [None if not np.isfinite(a) else float(a) for a in v.ravel()]
    if isinstance(v, (np.floating, float)):
        return None if not np.isfinite(v) else float(v)
    if isinstance(v, (np.integer,)):
        return int(v)
    if v is None or isinstance(v, (str, int, bool)):
        return v
    return str(v)


class Engine(_EngineBase):
    """Run pyPESTO tasks serially, on ``workers`` local processes or a Dask ``client``,
    storing each finished task in ``store`` (a :class:`PartStore`) and skipping stored ones."""

    def __init__(self, workers=None, client=None, store=None, progress=None, desc="tasks"):
        if client is not None and workers not in (None, 1):
            raise ValueError("give workers= (local processes) or client= (a Dask cluster), not both")
        workers = checks.whole("workers", workers, 1, optional=True)
        self.workers, self.client, self.store = workers, client, store
        self.progress, self.desc = progress, desc

    def execute(self, tasks, progress_bar=None):
        from tqdm.auto import tqdm
        tasks = list(tasks)
        keys = [self.store.key(t) if self.store is not None else None for t in tasks]
        results = [None] * len(tasks)
        todo = []
        for i, key in enumerate(keys):
            if key is not None and self.store.has(key):
                results[i] = self.store.load(key)
            else:
                todo.append(i)
        show = self.progress if self.progress is not None else (sys.stderr.isatty() and len(todo) > 1)
        bar = tqdm(total=len(tasks), initial=len(tasks) - len(todo), desc=self.desc, unit="task",
                   disable=not show, file=sys.stderr, dynamic_ncols=True)
        try:
            for i, result in self._run(tasks, todo):
                results[i] = result
                if keys[i] is not None:
                    self.store.save(keys[i], result)
                bar.update(1)
        finally:
            bar.close()
        return results

    def _run(self, tasks, todo):
        if not todo:
            return
        if self.client is not None:
            yield from self._dask(tasks, todo)
        elif self.workers is not None and self.workers > 1 and len(todo) > 1:
            yield from self._processes(tasks, todo)
        else:
            for i in todo:
                yield i, tasks[i].execute()

    def _processes(self, tasks, todo):
        import cloudpickle
        from ..sweeps.execute import mp_context
        pool = ProcessPoolExecutor(max_workers=min(self.workers, len(todo)), mp_context=mp_context())
        try:
            futures = {pool.submit(_work, cloudpickle.dumps(tasks[i])): i for i in todo}
            pending = set(futures)
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for f in done:
                    yield futures[f], f.result()
        finally:
            for f in futures:
                f.cancel()
            pool.shutdown(wait=True, cancel_futures=True)

    def _dask(self, tasks, todo):
        import cloudpickle
        from distributed import as_completed
        futures = {self.client.submit(_work, cloudpickle.dumps(tasks[i]), pure=False): i for i in todo}
        try:
            for f in as_completed(list(futures)):
                yield futures[f], f.result()
        finally:
            self.client.cancel([f for f in futures if not f.done()])


__all__ = ["Engine", "PartStore", "START_FIELDS"]
