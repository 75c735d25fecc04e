"""Resolving ``ref`` strings of calibration specs to callables."""
from __future__ import annotations

import hashlib
import importlib
import inspect
import importlib.util
from pathlib import Path

from ..model.system import closest

#: Values of a measurement CSV's ``regimen`` column that mean "no regimen", and of its
#: ``time`` column that mean "the day-averaged steady state".
NO_REGIMEN = ("", "none")
STEADY = ("steady", "ss")


def resolve_callable(ref: str, base=".", where="ref"):
    """The callable ``ref`` names: ``"package.module:function"``, ``"path/file.py:function"``
    (relative to ``base``, the spec's directory) or the name of a built-in prediction
    (:data:`rlsmodel.calibration.predictions.NAMED`)."""
    from . import predictions
    if not isinstance(ref, str) or not ref:
        raise ValueError(f"{where} must be a string \"module:function\"; got {ref!r}")
    if ":" not in ref:
        if ref in predictions.NAMED:
            return predictions.NAMED[ref]
        raise ValueError(f"{where} {ref!r} is neither \"module:function\" nor a named prediction; "
                         + closest(ref, predictions.NAMED))
    module_name, _, func = ref.rpartition(":")
    if module_name.endswith(".py"):
        file = Path(module_name)
        if not file.is_absolute():
            file = Path(base) / file
        if not file.is_file():
            raise ValueError(f"{where}: file {str(file)!r} does not exist")
        spec = importlib.util.spec_from_file_location(f"rlsmodel_calibration_{file.stem}", file)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    else:
        try:
            module = importlib.import_module(module_name)
        except ImportError as exc:
            raise ValueError(f"{where}: cannot import {module_name!r} ({exc})") from None
    target = getattr(module, func, None)
    if not callable(target):
        names = [n for n, v in vars(module).items() if callable(v) and not n.startswith("_")]
        raise ValueError(f"{where}: {module_name!r} has no function {func!r}; " + closest(func, names))
    params = inspect.signature(target).parameters
    if "model" not in params and not any(p.kind == p.VAR_KEYWORD for p in params.values()):
        raise ValueError(f"{where}: {ref!r} must take a 'model' argument (called as f(model=..., **args))")
    return target


def source_digest(func) -> str:
    """sha256 of the source a callable named in a spec runs: its whole module file (helpers
    it calls there included), else its own source, else its qualified name. A fit's
    fingerprint includes it, so editing a function target's file is a changed spec."""
    module = inspect.getmodule(func)
    file = getattr(module, "__file__", None) or getattr(getattr(func, "__code__", None), "co_filename", None)
    if file and Path(file).is_file():
        data = Path(file).read_bytes()
    else:
        try:
            data = inspect.getsource(func).encode()
        except (OSError, TypeError):
            data = f"{getattr(func, '__module__', '')}.{getattr(func, '__qualname__', repr(func))}".encode()
    return hashlib.sha256(data).hexdigest()


__all__ = ["resolve_callable", "source_digest", "NO_REGIMEN", "STEADY"]
