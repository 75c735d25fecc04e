"""Run the targets against one model: :func:`validate`."""
from __future__ import annotations

import time

from tqdm.auto import tqdm

from .._version import __version__
from .protocol import (BASELINE_DAYS, IRON_PROFILE, POPULATION_MIN_BASELINE_IRLS, POPULATION_PROFILE,
                       POPULATION_SEED, POPULATION_WEEKS, TREATMENT_PROFILE, population_regimens)
from .runs import Runs, check_population, check_seed, check_workers
from .scoring import Scorecard, evaluate
from .targets import TARGETS, get


def validate(model=None, quick: bool = False, targets=None, progress: bool = False, population=None,
             seed=POPULATION_SEED, workers=None, *, population_weeks=POPULATION_WEEKS) -> Scorecard:
    """Run every target (or those with ids in ``targets``); return a :class:`Scorecard`.

    Parameters
    ----------
    model
        a :class:`rlsmodel.Model` (default: ``Model()``); any hypothesis, built-in or
        your own (the scorecard of another hypothesis is ``validate(Model(augmentation=...))``).
    quick
        shorter horizons and coarser sampling (:data:`~rlsmodel.validation.protocol.HORIZONS`);
        every target still runs.
    targets
        iterable of target ids to run (default: all), or of
        :class:`~rlsmodel.validation.scoring.Target` objects (rows of your own).
    progress
        show a tqdm progress bar (and the population trial's).
    population
        patients per arm of the virtual trial the population targets (augmentation
        rates, placebo response) are scored on; None: those rows are "not modelled". One
        shared 52-week trial, placebo and every arm of
        :func:`~rlsmodel.validation.protocol.population_regimens`, scores them all
        (:meth:`~rlsmodel.validation.runs.Runs.population_trial`); it runs only if a chosen
        target needs it. Quick mode does not shorten it.
    seed
        the trial's seed (default :data:`~rlsmodel.validation.protocol.POPULATION_SEED`).
    workers
        local worker processes for the trial (None: serial in this process).
    population_weeks
        treated weeks of the trial (default 52, the published horizon); shorter
        only to exercise the machinery (the 26- and 52-week targets then read what there is
        and say so).
    """
    from ..simulator import Model
    t_start = time.perf_counter()
    check_population(population), check_seed(seed), check_workers(workers)      # before any work
    model = Model() if model is None else model
    chosen = TARGETS if targets is None else tuple(t if hasattr(t, "compute") else get(t) for t in targets)
    runs = Runs(model, quick, population=population, seed=seed, workers=workers,
                population_weeks=population_weeks, progress=progress)
    it = tqdm(chosen, desc="validation targets", unit="target", disable=not progress)
    rows = [evaluate(t, runs) for t in it]
    meta = {"rlsmodel_version": __version__, "quick": bool(quick), **runs.h,
            "augmentation_mechanism": getattr(model, "augmentation", ""),
            "model_identity": model.identity() if hasattr(model, "identity") else None,
            "dat_hypothesis": getattr(model, "dat_hypothesis", ""),
            "treatment_profile": TREATMENT_PROFILE, "iron_profile": IRON_PROFILE,
            "baseline_days": BASELINE_DAYS, "seconds": round(time.perf_counter() - t_start, 1),
            "simulations": runs.simulation_count,
            "population": runs.population, "population_seed": runs.seed,
            "population_weeks": runs.population_weeks, "population_profile": POPULATION_PROFILE,
            "population_min_baseline_irls": POPULATION_MIN_BASELINE_IRLS,
            "population_arms": ["placebo", *population_regimens()],
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
    return Scorecard(rows, meta)
