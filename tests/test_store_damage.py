"""Damaged sweep stores are never read as results (issue 17, item 1).

Each test damages one kind of file of a store (a finished Zarr chunk deleted or truncated,
a finished NetCDF truncated, a Zarr metadata file garbled, a part file truncated or
garbled, fingerprint.json truncated or garbled) and checks that the sweep names the exact
file and either recomputes the affected points (giving the undamaged result) or refuses.
"""
from __future__ import annotations

import json
import os
import shutil

import numpy as np
import pytest
import xarray as xr

import rlsmodel
from rlsmodel.sweeps import sweep

FAST = {"days": 2, "sample_every_hours": 12.0}
SPACE = {"diet_iron": [6.0, 9.0, 12.0, 15.0]}
OUT = ["brain_iron_final", "serum_ferritin_final"]


@pytest.fixture(scope="module")
def reference(model):
    return sweep(SPACE, model=model, outcomes=OUT, **FAST)


def _run(model, store, **kw):
    return sweep(SPACE, model=model, outcomes=OUT, store=store, chunk_size=1, **FAST, **kw)


def _truncate(path, keep=0.5):
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])


# -- the finished store --------------------------------------------------------------------------
def test_a_deleted_zarr_chunk_is_named_and_never_read_as_nan(tmp_path, model, reference):
    store = tmp_path / "out.zarr"
    xr.testing.assert_identical(_run(model, store), reference)
    chunk = store / "brain_iron_final" / "0"
    assert chunk.is_file()
    chunk.unlink()
    with pytest.raises(rlsmodel.StoreDamagedError) as err:
        _run(model, store)
    msg = str(err.value)
    assert f"{chunk}: chunk file missing" in msg
    assert f"rm -r '{store}'" in msg and "every point is recomputed" in msg
    # the fix works: delete and rerun gives the undamaged result
    shutil.rmtree(store)
    xr.testing.assert_identical(_run(model, store), reference)


@pytest.mark.parametrize("keep", [0.5, 0.1, 0.95])
def test_a_truncated_zarr_chunk_is_named(tmp_path, model, keep):
    store = tmp_path / "out.zarr"
    _run(model, store)
    chunk = store / "serum_ferritin_final" / "0"
    _truncate(chunk, keep)
    with pytest.raises(rlsmodel.StoreDamagedError) as err:
        _run(model, store)
    assert str(chunk) in str(err.value) and "blosc" not in str(err.value).split("Damaged")[0]


def test_a_garbled_zarr_chunk_that_still_decodes_is_caught_by_its_checksum(tmp_path, model):
    """An uncompressed rewrite of the chunk with other numbers decodes fine: only the
    checksum tells."""
    store = tmp_path / "out.zarr"
    _run(model, store)
    ds = xr.open_zarr(store).load()
    tampered = ds.copy()
    tampered["brain_iron_final"] = ds["brain_iron_final"] * 1.01
    # rewrite that one variable in place (as another process or a bit flip might)
    tampered[["brain_iron_final"]].to_zarr(store, mode="a", zarr_format=2, consolidated=True)
    with pytest.raises(rlsmodel.StoreDamagedError, match=r"brain_iron_final/0: the values of 'brain_iron_final'"):
        _run(model, store)


def test_garbled_zarr_metadata_is_named(tmp_path, model):
    store = tmp_path / "out.zarr"
    _run(model, store)
    meta = store / ".zmetadata"
    meta.write_text(meta.read_text()[:40])
    with pytest.raises(rlsmodel.StoreDamagedError, match=str(meta).replace(".", r"\.") + ": does not parse"):
        _run(model, store)


def test_a_truncated_netcdf_store_is_named(tmp_path, model, reference):
    store = tmp_path / "out.nc"
    _run(model, store)
    _truncate(store, 0.6)
    with pytest.raises(rlsmodel.StoreDamagedError) as err:
        _run(model, store)
    msg = str(err.value)
    assert f"{store}: cannot be read" in msg and f"rm '{store}'" in msg
    os.remove(store)
    xr.testing.assert_identical(_run(model, store), reference)


def test_a_sound_store_is_read_and_carries_checksums(tmp_path, model, reference):
    store = tmp_path / "out.zarr"
    first = _run(model, store)
    again = _run(model, store)
    xr.testing.assert_identical(again, first)
    checks = json.loads(first.attrs["sweep_checksums"])
    assert set(checks) >= {"brain_iron_final", "serum_ferritin_final", "status", "diet_iron"}
    assert first.attrs["sweep_checksums"] == reference.attrs["sweep_checksums"]   # in memory too


# -- parts -------------------------------------------------------------------------------------
class _StopAfter:
    """An outcome that raises KeyboardInterrupt at the ``n``-th point (counted on the class)."""

    calls = 0

    def __init__(self, n):
        self.n = n

    def __call__(self, ds):
        type(self).calls += 1
        if self.n is not None and type(self).calls == self.n:
            raise KeyboardInterrupt
        return float(ds["brain_iron"].values[-1])


def _interrupted(model, tmp_path, name="run.zarr"):
    """A store with parts for the first 3 points and the 4th missing."""
    store = tmp_path / name
    _StopAfter.calls = 0
    with pytest.raises(KeyboardInterrupt):
        sweep(SPACE, model=model, outcomes={"b": _StopAfter(4)}, store=store, chunk_size=1, **FAST)
    parts = sorted((tmp_path / (name + ".parts")).glob("part_*.nc"))
    assert len(parts) == 3
    return store, parts


def _resume(model, store):
    _StopAfter.calls = 0
    return sweep(SPACE, model=model, outcomes={"b": _StopAfter(None)}, store=store, chunk_size=1, **FAST)


@pytest.fixture(scope="module")
def full(model, tmp_path_factory):
    _StopAfter.calls = 0
    return sweep(SPACE, model=model, outcomes={"b": _StopAfter(None)}, chunk_size=1, **FAST)


@pytest.mark.parametrize("damage", ["truncate", "garbled header", "flipped value", "empty"])
def test_a_damaged_part_file_is_named_and_its_points_recomputed(tmp_path, model, full, damage):
    store, parts = _interrupted(model, tmp_path)
    victim = parts[1]
    data = bytearray(victim.read_bytes())
    if damage == "truncate":
        _truncate(victim, 0.5)
    elif damage == "garbled header":
        data[:64] = bytes(64)
        victim.write_bytes(bytes(data))
    elif damage == "flipped value":                   # one bit of the stored outcome, in place
        value = np.float64(full["b"].values[1]).tobytes()
        at = bytes(data).find(value)
        assert at > 0, "outcome value not found in the part file"
        data[at] ^= 0x01
        victim.write_bytes(bytes(data))
    else:
        victim.write_bytes(b"")
    with pytest.warns(rlsmodel.StoreRepairWarning, match=f"damaged sweep part file '{victim}'.*recomputed"):
        resumed = _resume(model, store)
    assert _StopAfter.calls == 2                       # the damaged part's point and the missing one
    xr.testing.assert_identical(resumed, full)


def test_a_part_whose_values_differ_from_its_checksum_is_recomputed(tmp_path, model, full):
    store, parts = _interrupted(model, tmp_path)
    victim = parts[0]
    with xr.open_dataset(victim) as part:
        part = part.load()
    part["b"] = part["b"] + 1.0                       # attrs (old checksum) kept
    part.to_netcdf(victim)
    with pytest.warns(rlsmodel.StoreRepairWarning, match="differ from its checksum"):
        resumed = _resume(model, store)
    xr.testing.assert_identical(resumed, full)


@pytest.mark.parametrize("damage", ["truncate", "garble", "not a table"])
def test_a_damaged_fingerprint_json_is_rewritten_from_the_parts(tmp_path, model, full, damage):
    store, parts = _interrupted(model, tmp_path)
    file = parts[0].parent / "fingerprint.json"
    text = file.read_text()
    file.write_text({"truncate": text[: len(text) // 2], "garble": "\x00" + text[5:],
                     "not a table": json.dumps({"components": 3})}[damage])
    with pytest.warns(rlsmodel.StoreRepairWarning, match=f"'{file}' was damaged"):
        resumed = _resume(model, store)
    assert _StopAfter.calls == 1
    xr.testing.assert_identical(resumed, full)


def test_a_damaged_fingerprint_json_with_foreign_parts_is_refused(tmp_path, model):
    store, parts = _interrupted(model, tmp_path)
    file = parts[0].parent / "fingerprint.json"
    with xr.open_dataset(parts[0]) as part:
        part = part.load()
    part.attrs["sweep_fingerprint"] = "0123456789abcdef"
    part.to_netcdf(parts[0])
    _truncate(file, 0.3)
    with pytest.raises(rlsmodel.StoreDamagedError, match=f"'{file}' is damaged.*restore fingerprint.json"):
        _resume(model, store)


def test_a_part_of_another_configuration_is_refused(tmp_path, model):
    store, parts = _interrupted(model, tmp_path)
    with xr.open_dataset(parts[2]) as part:
        part = part.load()
    part.attrs["sweep_fingerprint"] = "0123456789abcdef"
    part.to_netcdf(parts[2])
    with pytest.raises(ValueError, match=f"part file '{parts[2]}' was made for another sweep configuration"):
        _resume(model, store)
    assert np.all([p.exists() for p in parts])        # nothing deleted


def test_a_store_written_before_checksums_is_still_read(tmp_path, model, reference):
    """Backward compatibility: a finished store without checksums (and without the chunk
    files of all-NaN chunks, as earlier versions wrote them) is checked for readability and
    shapes, and read."""
    store = tmp_path / "old.zarr"
    first = _run(model, store)
    old = first.copy()
    del old.attrs["sweep_checksums"]
    old["all_nan"] = ("diet_iron", np.full(4, np.nan))
    shutil.rmtree(store)
    old.to_zarr(store, mode="w", zarr_format=2, consolidated=True)   # default: empty chunks not written
    assert not (store / "all_nan" / "0").exists()
    again = _run(model, store)
    assert "sweep_checksums" not in again.attrs
    np.testing.assert_array_equal(again["brain_iron_final"].values, reference["brain_iron_final"].values)
