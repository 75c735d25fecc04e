"""Run the targets against one model: :func:`validate`."""
from __future__ import annotations

import time

from .._version import __version__
from .protocol import BASELINE_DAYS, IRON_PROFILE, TREATMENT_PROFILE
from .runs import Runs
from .scoring import Scorecard, evaluate
from .targets import TARGETS, get


def validate(model=None, quick: bool = False, targets=None, progress: bool = False) -> Scorecard:
    """Run every target (or those with ids in ``targets``); return a :class:`Scorecard`.

    Parameters
    ----------
    model: a :class:`rlsmodel.Model` (default: ``Model()``); any hypothesis, built-in or
        your own (the scorecard of another hypothesis is ``validate(Model(augmentation=...))``).
    quick: shorter horizons and coarser sampling (:data:`~rlsmodel.validation.protocol.HORIZONS`);
        every target still runs.
    targets: iterable of target ids to run (default: all), or of
        :class:`~rlsmodel.validation.scoring.Target` objects (rows of your own).
    progress: show a tqdm progress bar.
    """
    from ..simulator import Model
    t_start = time.perf_counter()
    model = Model() if model is None else model
    chosen = TARGETS if targets is None else tuple(t if hasattr(t, "compute") else get(t) for t in targets)
    runs = Runs(model, quick)
    it = chosen
    if progress:
        try:
            from tqdm.auto import tqdm
            it = tqdm(chosen, desc="validation targets", unit="target")
        except ImportError:       # pragma: no cover
            pass
    rows = [evaluate(t, runs) for t in it]
    meta = {"rlsmodel_version": __version__, "quick": bool(quick), **runs.h,
            "augmentation_mechanism": getattr(model, "augmentation", ""),
            "dat_hypothesis": getattr(model, "dat_hypothesis", ""),
            "treatment_profile": TREATMENT_PROFILE, "iron_profile": IRON_PROFILE,
            "baseline_days": BASELINE_DAYS, "seconds": round(time.perf_counter() - t_start, 1),
            "simulations": runs.simulation_count,
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
    return Scorecard(rows, meta)
