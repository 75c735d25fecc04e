"""Shared fixtures: one compiled Model per test session (building one costs a few seconds)."""
from __future__ import annotations

import numpy as np
import pytest

import rlsmodel
from rlsmodel.profiles import PROFILES

#: The four profiles the core issue requires (others may be added later).
CORE_PROFILES = ("healthy", "iron_deficient", "rls_genetic", "rls_iron_deficient")


@pytest.fixture(scope="session")
def model():
    return rlsmodel.Model()


@pytest.fixture(scope="session")
def exact_model():
    """The default model on cvode's exact path (every day integrated; cvode's default follows the
    slow envelope, decision 60): for tests of segmentation, restarts, baseline sharing or
    integrator convergence, where two integrations of one run must agree to the integrator's
    tolerance (the envelope places its jumps by the run's own history, so two segmentations differ
    by up to its tolerance). The default solver where cvode is not the engine."""
    from rlsmodel.engines import default_engine
    from rlsmodel.engines.envelope import exact_solver
    return rlsmodel.Model(**exact_solver()) if default_engine() == "cvode" else rlsmodel.Model()


@pytest.fixture(scope="session")
def all_profiles():
    return tuple(PROFILES)


@pytest.fixture(scope="session")
def steady(model):
    """``steady(profile, **params)`` -> steady-state Dataset, memoised for the session."""
    cache = {}

    def get(profile="healthy", **params):
        key = (profile, tuple(sorted(params.items())))
        if key not in cache:
            cache[key] = model.steady_state(profile, params=params or None)
        return cache[key]

    return get


@pytest.fixture(scope="session")
def day_run(model):
    """``day_run(profile)`` -> the second day of a 2-day run sampled every 15 min
    (clock hours 0 <= h < 24 in coordinate ``hour``), memoised for the session.

    Runs start on the profile's daily limit cycle, so day 2 is the entrained day.
    """
    cache = {}

    def get(profile="healthy", **params):
        key = (profile, tuple(sorted(params.items())))
        if key not in cache:
            ds = model.simulate(2, profile, params=params or None, sample_every_hours=0.25)
            day = ds.sel(time=slice(1.0, 2.0 - 1e-9))
            hour = np.round((day.time.values - 1.0) * 24.0, 9)
            cache[key] = day.assign_coords(hour=("time", hour))
        return cache[key]

    return get


def state_vector(model, ds):
    """States of a (time-less) Dataset in the compiled order."""
    return np.array([float(ds[n]) for n in model.compiled.state_names])


def dynamic_mask(model):
    return np.array([model.states[n].kind == "dynamic" for n in model.compiled.state_names])


def nominal_scale(model):
    """Per-state magnitude used for relative residuals: max(|nominal|, 1e-3)."""
    return np.maximum(np.abs([model.states[n].nominal for n in model.compiled.state_names]), 1e-3)


def roadrunner_answer(sbml_source, op, **request):
    """Run libroadrunner in this process on ``sbml_source`` (a path or an SBML string).

    ``op`` is ``"rates"`` (-> ``{"ids", "rates"}``), ``"simulate"`` (``selections``, ``t0``,
    ``t1``, ``n`` -> ``{"result"}``) or ``"values"`` (``ids`` -> ``{"values"}``); ``set`` maps
    SBML ids to values applied first. libroadrunner shares the process with the cvode
    engine's SUNDIALS since issue 26 (they are loaded RTLD_LOCAL, see
    :mod:`rlsmodel.engines.sundials`), so no worker process is needed.
    """
    roadrunner = pytest.importorskip(
        "roadrunner", reason="libroadrunner is not installed; pip install 'rlsmodel[sbml]'")
    rr = roadrunner.RoadRunner(str(sbml_source))
    rr.integrator.relative_tolerance = 1e-8
    rr.integrator.absolute_tolerance = 1e-10
    rr.integrator.maximum_num_steps = 100000
    for key, value in request.get("set", {}).items():
        rr[key] = value
    if op == "rates":
        return {"ids": list(rr.model.getFloatingSpeciesIds()), "rates": list(map(float, rr.getRatesOfChange()))}
    if op == "simulate":
        rr.timeCourseSelections = request["selections"]
        return {"result": np.asarray(rr.simulate(request["t0"], request["t1"], request["n"]))}
    if op == "values":
        return {"values": [float(rr[i]) for i in request["ids"]]}
    raise ValueError(f"unknown roadrunner op {op!r}: use 'rates', 'simulate' or 'values'")
