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
    OUT/parts/evaluations.jsonl       every objective evaluation (the journal, see below)

The journal (:data:`JOURNAL_FILE`) keeps what a task in flight had already computed: each
evaluation of the objective appends one line (internal ``x``, the residual vector, whether
the run failed). A rerun's objective answers a point it finds there without simulating, and
the optimizers are deterministic from a given start, so an interrupted start replays its
path from the journal in seconds and continues where it stopped (a 5-year population spec
costs minutes per evaluation). Processes of one machine append to it (one ``write`` per
line, ``O_APPEND``); on a Dask cluster whose workers do not share the directory they find
no journal and simply compute.
"""
from __future__ import annotations

import json
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

#: The evaluation journal in the parts directory (see the module docstring).
JOURNAL_FILE = "evaluations.jsonl"

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
        from ..sweeps.store import FINGERPRINT_FILE_ERRORS, check_match, read_fingerprint_file
        file = self.parts / "fingerprint.json"
        if file.exists():
            try:
                stored = read_fingerprint_file(file)
            except FINGERPRINT_FILE_ERRORS as exc:
                raise ValueError(
                    f"{str(file)!r} is damaged ({type(exc).__name__}: {exc}), so the finished starts in "
                    f"'{self.parts}' cannot be matched to this fit. Restore the file, or delete '{self.parts}' "
                    "to start the fit over") from None
            if stored != self.components and not self.finished_tasks():
                # nothing finished was made for the old configuration, so nothing can be mixed;
                # its journal of evaluations is kept aside, not read (and not deleted)
                self._set_aside_journal()
                self._write_fingerprint(file)
                return
            check_match(self.out, stored, self.components, kind="fit", noun="calibration directory",
                        notes={"spec": "digest of the spec text, its data files and its function targets' source"})
            return
        self.parts.mkdir(parents=True, exist_ok=True)
        self._write_fingerprint(file)

    @property
    def journal(self) -> Path:
        """The evaluation journal of this fit (:data:`JOURNAL_FILE`)."""
        return self.parts / JOURNAL_FILE

    def _set_aside_journal(self) -> None:
        if not self.journal.exists():
            return
        n = 1
        while (self.parts / f"evaluations.stale-{n}.jsonl").exists():
            n += 1
        aside = self.parts / f"evaluations.stale-{n}.jsonl"
        self.journal.rename(aside)
        import warnings
        warnings.warn(f"the evaluations in {str(self.journal)!r} were made for another configuration of this fit; "
                      f"kept as {aside.name!r}, not used", stacklevel=3)

    def _write_fingerprint(self, file) -> None:
        from ..sweeps.store import write_fingerprint_file
        write_fingerprint_file(file, self.components)

    def finished_tasks(self) -> list:
        """Stored finished tasks (start and profile files)."""
        return sorted(list(self.parts.glob("start_*.json")) + list(self.parts.glob("profile_*.pkl")))

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
        try:
            if key.startswith("start_"):
                from pypesto.result import OptimizerResult
                d = json.loads(path.read_text())
                if not isinstance(d, dict) or set(d) - set(START_FIELDS):
                    raise ValueError(f"not a start record (fields {sorted(d) if isinstance(d, dict) else d!r})")
                for k in ("x", "x0"):
                    if d.get(k) is not None:
                        d[k] = np.array(d[k], dtype=float)
                return OptimizerResult(**d)
            with open(path, "rb") as fh:
                return pickle.load(fh)
        except Exception as exc:        # a truncated or garbled part: name it
            raise ValueError(f"finished-task file {str(path)!r} is damaged ({type(exc).__name__}: {exc}). Delete "
                             "that file and rerun: only its task is recomputed") from None

    def save(self, key, result) -> None:
        from ..fileio import atomic_output
        with atomic_output(self._path(key)) as tmp:
            if key.startswith("start_"):
                tmp.write_text(json.dumps({f: _jsonable(result.get(f)) for f in START_FIELDS}, indent=1))
            else:
                with open(tmp, "wb") as fh:
                    pickle.dump(result, fh)

    def starts(self) -> dict:
        """``{start id: OptimizerResult}`` of every stored start."""
        return {p.stem: self.load(p.stem) for p in sorted(self.parts.glob("start_*.json"))}


class StartFailedError(ValueError):
    """A multistart raised (pyPESTO records it as exit flag -1 with the exception's message)."""


def failed_start(result) -> bool:
    """Whether ``result`` is a pyPESTO start that raised instead of finishing."""
    try:
        return result.get("exitflag") == -1 and result.get("x") is None
    except AttributeError:          # a profile result
        return False


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
            stored = self.store.load(key) if key is not None and self.store.has(key) else None
            if stored is not None and not failed_start(stored):   # failed starts of old versions: rerun
                results[i] = stored
            else:
                todo.append(i)
        show = self.progress if self.progress is not None else (sys.stderr.isatty() and len(todo) > 1)
        bar = tqdm(total=len(tasks), initial=len(tasks) - len(todo), desc=self.desc, unit="task",
                   disable=not show, file=sys.stderr, dynamic_ncols=True)
        try:
            for i, result in self._run(tasks, todo):
                if failed_start(result):
                    # never stored: a rerun after the cause is fixed computes it again
                    raise StartFailedError(
                        f"calibration start {result.get('id')} failed: {result.get('message')}. Nothing of it was "
                        "saved (finished starts are kept); fix the cause and rerun")
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


__all__ = ["Engine", "PartStore", "START_FIELDS", "StartFailedError", "failed_start"]
