"""Reading the TOML specs of sweeps, sensitivity analyses and calibrations: one set of field checks.

:func:`read_toml` parses a spec file; :func:`check_keys` refuses unknown keys (suggesting the
closest valid one); :func:`number`, :func:`integer`, :func:`string` and :func:`string_list`
check one field, naming it in the message. Numbers follow :mod:`rlsmodel.checks`
(:func:`~rlsmodel.checks.real`, :func:`~rlsmodel.checks.whole`), as arguments given in Python do.
Used by :mod:`rlsmodel.sweeps.spec`, :mod:`rlsmodel.sensitivity` and
:mod:`rlsmodel.calibration.spec`.
"""
from __future__ import annotations

import sys
from pathlib import Path

from . import checks
from .model.system import closest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def read_toml(path: Path, what: str) -> dict:
    """The parsed TOML file ``path``; a missing or malformed file is a ValueError naming ``what``."""
    try:
        return tomllib.loads(Path(path).read_text())
    except FileNotFoundError:
        raise ValueError(f"{what} {str(path)!r} does not exist") from None
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{what} {str(path)!r} is not valid TOML: {exc}") from None


def check_keys(table: dict, valid, prefix: str, what: str) -> None:
    """ValueError for the first key of ``table`` not in ``valid`` (shown as ``prefix + key``
    in the ``what``, with the closest valid key)."""
    for key in table:
        if key not in valid:
            raise ValueError(f"unknown key {prefix + key!r} in the {what}; " + closest(key, valid))


def number(value, field: str) -> float:
    """The number ``value`` of spec field ``field`` as a float."""
    return checks.real(field, value)


def integer(value, field: str, minimum: int | None = None) -> int:
    """The whole number ``value`` of spec field ``field`` (``>= minimum``)."""
    return checks.whole(field, value, minimum)


def string(value, field: str) -> str:
    """The string ``value`` of spec field ``field``."""
    if not isinstance(value, str):
        raise ValueError(f"{field} must be a string; got {value!r}")
    return value


def string_list(value, field: str) -> list:
    """The list of strings ``value`` of spec field ``field``."""
    if not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
        raise ValueError(f"{field} must be a list of strings; got {value!r}")
    return list(value)


__all__ = ["read_toml", "check_keys", "number", "integer", "string", "string_list"]
