"""No hidden process-global state: every cache is bounded, keyed by content, and thread-safe.

* compiled code is shared by Models built from *equal* declarations (not by object id);
* a Model's start-state caches never grow beyond their bound;
* simulations run from several threads at once give exactly the serial numbers;
* :class:`rlsmodel.caching.LRUCache` keeps its bound and its most recently used entries.
"""
from __future__ import annotations

import copy
import threading
from dataclasses import replace
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import rlsmodel
from rlsmodel import simulator
from rlsmodel.caching import LRUCache
from rlsmodel.engines import ENGINES


def test_equal_but_distinct_declarations_share_compiled_code(model, monkeypatch):
    copies = copy.deepcopy(simulator.CORE_MODULES)
    assert all(c is not o and c == o for c, o in zip(copies, simulator.CORE_MODULES))
    monkeypatch.setattr(simulator, "CORE_MODULES", copies)
    again = rlsmodel.Model()
    assert again.compiled is model.compiled            # no second compilation
    assert again.start_states is not model.start_states      # start-state caches stay per Model


def test_modules_key_follows_content_not_identity():
    mods = simulator.CORE_MODULES
    assert simulator.modules_key(copy.deepcopy(mods)) == simulator.modules_key(mods)
    first = mods[0]
    param = first.parameters[0]
    changed = replace(first, parameters=(replace(param, default=param.default * 2),) + first.parameters[1:])
    assert simulator.modules_key((changed,) + mods[1:]) != simulator.modules_key(mods)
    # a module holding lists (unhashable) is keyed by a digest of its content
    as_lists = replace(first, states=list(first.states))
    key = simulator.modules_key((as_lists,) + mods[1:])
    assert key[0] == "sha256"
    assert key == simulator.modules_key((copy.deepcopy(as_lists),) + mods[1:])
    assert key != simulator.modules_key((replace(as_lists, states=list(first.states[1:])),) + mods[1:])


def test_start_state_caches_stay_bounded_over_1000_parameter_sets(model, monkeypatch):
    m = rlsmodel.Model()
    p0 = m.parameter_vector("healthy")
    # the solves themselves are tested elsewhere; here each distinct vector must pass the cache
    monkeypatch.setattr(m.start_states, "solve_averaged_steady_state", lambda p: (np.asarray(p, float).copy(), "stub"))
    monkeypatch.setattr(m.start_states, "solve_periodic_state", lambda p: (np.asarray(p, float) * 2.0, "stub"))
    for i in range(1000):
        p = p0.copy()
        p[0] = p0[0] * (1.0 + 1e-3 * i)
        y, _ = m.periodic_state(p)
        np.testing.assert_array_equal(y, 2.0 * p)
        m.averaged_steady_state(p)
        assert len(m.start_states.periodic_cache) <= simulator.STATE_CACHE_SIZE
        assert len(m.start_states.steady_cache) <= simulator.STATE_CACHE_SIZE
    assert len(m.start_states.periodic_cache) == len(m.start_states.steady_cache) == simulator.STATE_CACHE_SIZE
    m.clear_caches()
    assert len(m.start_states.periodic_cache) == len(m.start_states.steady_cache) == 0


def test_cached_start_state_is_the_solved_one_and_not_aliased(model):
    p = model.parameter_vector("rls_genetic", {"diet_iron": 12.5})
    y1, method = model.periodic_state(p)
    y1[:] = -1.0                                         # the caller's copy: the cache is untouched
    y2, _ = model.periodic_state(p)
    model.clear_caches()
    y3, method3 = model.periodic_state(p)
    assert np.all(y2 >= -1e-30) and method == method3      # a state resting at 0 may solve to -5e-58
    np.testing.assert_array_equal(y2, y3)


@pytest.mark.parametrize("engine", ["lsoda", "cvode"])
def test_threaded_simulations_equal_serial(engine):
    ok, why = ENGINES[engine].available()
    if not ok:
        pytest.skip(f"{engine} unavailable: {why}")
    regimen = rlsmodel.Regimen.daily("pramipexole", 0.25, 21.0)
    points = [{"diet_iron": v, "bbb_uptake_gain": g} for v in (9.0, 12.0, 15.0) for g in (0.7, 1.3)]

    def run(m, params):
        return m.simulate(3, "rls_genetic", params=params, regimen=regimen, engine=engine, sample_every_hours=3.0)

    serial_model = rlsmodel.Model()
    serial = [run(serial_model, pt) for pt in points]
    shared = rlsmodel.Model()          # cold caches, filled concurrently by the threads
    with ThreadPoolExecutor(max_workers=4) as pool:
        threaded = list(pool.map(lambda pt: run(shared, pt), points + points))
    for k, ds in enumerate(threaded):
        ref = serial[k % len(points)]
        for name in shared.compiled.state_names + ["symptom"]:
            np.testing.assert_array_equal(ds[name].values, ref[name].values, err_msg=f"{name} at point {k}")
        assert ds.attrs == ref.attrs


def test_lru_cache_keeps_recent_entries_and_its_bound():
    cache = LRUCache(3)
    for k in "abc":
        cache.put(k, k.upper())
    assert cache.get("a") == "A"              # a is now the most recent
    cache.put("d", "D")                       # evicts b, the least recently used
    assert "b" not in cache and len(cache) == 3
    assert cache.get_or_compute("e", lambda: "E") == "E" and "c" not in cache
    calls = []
    assert cache.get_or_compute("e", lambda: calls.append(1)) == "E" and not calls
    with pytest.raises(ValueError, match="maxsize"):
        LRUCache(0)


def test_lru_cache_under_threads_stays_bounded_and_consistent():
    cache = LRUCache(16)
    errors = []

    def work(seed):
        rng = np.random.default_rng(seed)
        try:
            for key in rng.integers(0, 64, 2000):
                value = cache.get_or_compute(int(key), lambda k=int(key): k * k)
                assert value == int(key) ** 2
                assert len(cache) <= 16
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(s,)) for s in range(6)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors and len(cache) == 16


def test_a_sweep_runs_with_its_own_models_engine(model):
    """Two models of one structure but different engines, swept in one process: each sweep
    uses its own model's engine (the per-process model registry keys on solver settings)."""
    ok, why = ENGINES["cvode"].available()
    if not ok:
        pytest.skip(f"cvode unavailable: {why}")
    regimen = rlsmodel.Regimen.daily("pramipexole", 0.25, 21.0)
    runs = {}
    for engine in ("lsoda", "cvode"):
        m = rlsmodel.Model(engine=engine)
        ds = rlsmodel.sweep({"diet_iron": [11.0]}, days=2, model=m, regimen=regimen, progress=False,
                            outcomes=["pramipexole_plasma_final"])
        direct = m.simulate(2, params={"diet_iron": 11.0}, regimen=regimen)
        assert ds.attrs["solver_engine"] == direct.attrs["solver_engine"] == engine
        assert float(ds["pramipexole_plasma_final"].values[0]) == float(direct["pramipexole_plasma"].values[-1])
        runs[engine] = float(direct["pramipexole_plasma"].values[-1])
    assert runs["lsoda"] != runs["cvode"]            # the two engines' numbers differ in the last digits
