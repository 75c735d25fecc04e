"""Reading a written calibration back (``OUT/calibration.nc``)."""
from __future__ import annotations

from pathlib import Path

import xarray as xr


def open_result(path) -> xr.Dataset:
    """A written calibration (``OUT`` directory or its ``calibration.nc``), loaded."""
    path = Path(path)
    if path.is_dir():
        path = path / "calibration.nc"
    if not path.exists():
        raise ValueError(f"no calibration result at {str(path)!r} (run rlsmodel calibrate SPEC -o DIR first)")
    with xr.open_dataset(path) as ds:
        from ..sweeps.store import normalise_strings
        return normalise_strings(ds.load())


__all__ = ["open_result"]
