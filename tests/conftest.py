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
