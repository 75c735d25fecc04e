"""The on-disk cache of generated scalar sources (rlsmodel.compile._cached_source).

Generating the default model's source costs about a minute per process; the cache must give the
same text for the same expressions (so the same structure hash and compiled functions), a new
text for changed expressions, and never fail a model build when the cache cannot be written.
"""
import sympy as sp

import rlsmodel
from rlsmodel import compile as rc


def _system(coefficient):
    a, b, k = sp.symbols("a b k")
    return ((a, b), (k,)), [-k * a * b, coefficient * k * a * b - b]


def _counting(text):
    calls = []

    def make():
        calls.append(1)
        return text
    return make, calls


def test_a_hit_returns_the_stored_text_without_generating(tmp_path, monkeypatch):
    monkeypatch.setenv("RLSMODEL_CACHE_DIR", str(tmp_path))
    args, rhs = _system(2)
    make, calls = _counting("def rhs(t, y, p):\n    return 1\n")
    first = rc._cached_source(args, rhs, make)
    second = rc._cached_source(args, rhs, make)
    assert first == second == "def rhs(t, y, p):\n    return 1\n"
    assert len(calls) == 1
    stored = list((tmp_path / "sources").iterdir())
    assert len(stored) == 1 and not any(".tmp" in p.name for p in stored)


def test_changed_expressions_or_symbols_miss(tmp_path, monkeypatch):
    monkeypatch.setenv("RLSMODEL_CACHE_DIR", str(tmp_path))
    args, rhs = _system(2)
    _, rhs3 = _system(3)
    make, calls = _counting("x")
    rc._cached_source(args, rhs, make)
    rc._cached_source(args, rhs3, make)
    renamed = ((sp.Symbol("a"), sp.Symbol("c")), args[1])
    rc._cached_source(renamed, rhs, make)
    assert len(calls) == 3


def test_an_unwritable_cache_still_builds(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("RLSMODEL_CACHE_DIR", str(blocker))
    args, rhs = _system(2)
    make, calls = _counting("y")
    assert rc._cached_source(args, rhs, make) == "y"
    assert rc._cached_source(args, rhs, make) == "y"
    assert len(calls) == 2


def test_the_default_model_is_built_from_its_cached_source():
    """After a build the default model's source is in the cache under its key, and the cached
    text is the model's source: a second build reads it (``make`` is not called) and gets the
    same structure hash, i.e. the same identity."""
    import hashlib

    model = rlsmodel.Model()
    c = model.compiled
    rhs = [rc.overflow_safe(e) for e in c.system.rhs]

    def must_not_generate():
        raise AssertionError("the default model's source was not in the cache")
    text = rc._cached_source((c.state_symbols[:], c.parameter_symbols), rhs, must_not_generate)
    assert text == c.source
    assert hashlib.sha256(text.encode()).hexdigest()[:16] == model.identity()["structure"]
