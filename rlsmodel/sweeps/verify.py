"""Checksums of sweep results, and the check of a store's files before they are trusted.

Every sweep Dataset carries ``attrs["sweep_checksums"]`` (JSON): for each variable and
coordinate, the sha256 (first 16 hex digits) of its values in blocks of ``chunk`` rows
along its first dimension, the same blocks a Zarr store holds as chunk files
(:func:`zarr_encoding`). Part files carry the checksums of their own contents.

When a finished store is resumed into, :func:`damage` reads it variable by variable and
reports every problem as ``"<exact path>: <what is wrong>"``: metadata files that do not
parse, variables or chunk files that are missing or do not decode, shapes that do not
match, and blocks whose values differ from the recorded checksum (a deleted Zarr chunk
reads back as NaN, a truncated one sometimes as garbage: only a checksum catches both).
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

CHECKSUM_ATTR = "sweep_checksums"
#: Largest chunk (bytes) of a variable in a Zarr store; variables are chunked along their
#: first dimension only, so a chunk file is a block of consecutive rows.
CHUNK_BYTES = 32 * 1024 ** 2


def chunk_rows(shape, itemsize: int) -> int:
    """Rows (along the first dimension) per chunk of an array of ``shape``."""
    if len(shape) == 0:
        return 1
    row = max(int(np.prod(shape[1:], dtype=np.int64)) * itemsize, 1)
    return int(max(1, min(shape[0], CHUNK_BYTES // row)))


def _itemsize(values: np.ndarray) -> int:
    return 8 if values.dtype.kind in "fiub" else max(values.dtype.itemsize, 1)


def _canonical(values) -> bytes:
    """Bytes of ``values`` independent of the backend's representation (NaN payloads, string widths)."""
    a = np.asarray(values)
    if a.dtype.kind == "f":
        a = np.where(np.isnan(a), np.nan, a).astype("<f8")
        return a.tobytes()
    if a.dtype.kind in "iub":
        return a.astype("<i8").tobytes()
    return "\x1f".join(str(v) for v in a.ravel()).encode()


def checksums(ds) -> dict:
    """``{name: {"chunk": rows, "sha256": [per block]}}`` for every variable and coordinate of ``ds``."""
    out = {}
    for name in sorted(ds.variables):
        values = np.asarray(ds.variables[name].values)
        rows = chunk_rows(values.shape, _itemsize(values))
        blocks = [values] if values.ndim == 0 else [values[i:i + rows] for i in range(0, values.shape[0], rows)]
        out[str(name)] = {"chunk": rows, "shape": list(values.shape),
                          "sha256": [hashlib.sha256(_canonical(b)).hexdigest()[:16] for b in blocks]}
    return out


def checksum_attr(ds) -> str:
    return json.dumps(checksums(ds), sort_keys=True)


def zarr_encoding(ds) -> dict:
    """Chunking of every variable that matches the checksum blocks."""
    enc = {}
    for name in ds.variables:
        values = ds.variables[name]
        if values.ndim == 0:
            continue
        rows = chunk_rows(values.shape, _itemsize(np.asarray(values.values)))
        enc[name] = {"chunks": (rows,) + tuple(values.shape[1:])}
    return enc


def compare(ds, recorded: dict, where) -> list:
    """Problems (``"<path>: ..."``) where ``ds`` differs from the ``recorded`` checksums.

    ``where(name, block_index)`` gives the file (a Zarr chunk) or the store (NetCDF) to name.
    """
    problems = []
    now = checksums(ds)
    for name, rec in sorted(recorded.items()):
        if name not in now:
            problems.append(f"{where(name, None)}: variable {name!r} is missing")
            continue
        got = now[name]
        if got["shape"] != rec["shape"]:
            problems.append(f"{where(name, None)}: {name!r} has shape {tuple(got['shape'])}, "
                            f"the store was written with {tuple(rec['shape'])}")
            continue
        for k, (a, b) in enumerate(zip(got["sha256"], rec["sha256"])):
            if a != b:
                problems.append(f"{where(name, k)}: the values of {name!r} (rows {k * rec['chunk']}-"
                                f"{min((k + 1) * rec['chunk'], rec['shape'][0] if rec['shape'] else 1) - 1}) "
                                "differ from the checksum recorded when the store was written")
    return problems


def brief(exc: BaseException) -> str:
    """``Type: first line of the message`` (at most 160 characters), for one-line reports."""
    text = (str(exc).strip().splitlines() or [""])[0]
    text = text if len(text) <= 160 else text[:157] + "..."
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


# -- Zarr files -------------------------------------------------------------------------------
def zarr_files(path: Path, all_chunks: bool = True) -> list:
    """Problems with the files of a Zarr (format 2) store: metadata that does not parse,
    variables or chunk files that are missing or do not decode.

    ``all_chunks=False`` for stores written before checksums were recorded (and before every
    chunk was written): a missing chunk file there may be an all-NaN chunk, so it is not
    reported.
    """
    import zarr
    problems = []
    for meta in (".zgroup", ".zattrs", ".zmetadata"):
        file = path / meta
        try:
            json.loads(file.read_text())
        except FileNotFoundError:
            problems.append(f"{file}: missing")
        except (ValueError, UnicodeDecodeError) as exc:
            problems.append(f"{file}: does not parse as JSON ({brief(exc)})")
    names = _zarr_variables(path)
    for name in names:
        folder = path / name
        meta_file = folder / ".zarray"
        try:
            meta = json.loads(meta_file.read_text())
        except FileNotFoundError:
            problems.append(f"{folder}: variable {name!r} is missing" if not folder.exists()
                            else f"{meta_file}: missing")
            continue
        except (ValueError, UnicodeDecodeError) as exc:
            problems.append(f"{meta_file}: does not parse as JSON ({brief(exc)})")
            continue
        try:
            array = zarr.open_array(str(folder), mode="r", zarr_format=2)
        except Exception as exc:       # any backend failure is a damaged variable
            problems.append(f"{folder}: variable {name!r} cannot be opened ({brief(exc)})")
            continue
        sep = meta.get("dimension_separator") or "."
        grid = array.cdata_shape if array.ndim else ()
        for index in (np.ndindex(*grid) if grid else [()]):
            file = chunk_path(path, name, index, sep)
            if not file.exists():
                if all_chunks:
                    problems.append(f"{file}: chunk file missing")
                continue
            try:
                array.get_block_selection(index) if index else array[...]
            except Exception as exc:   # blosc, zlib, ... errors: the file is damaged
                problems.append(f"{file}: chunk file does not decode ({brief(exc)})")
    return problems


def chunk_path(path: Path, name: str, index, sep: str = ".") -> Path:
    """The file of chunk ``index`` of variable ``name`` in a Zarr format 2 store."""
    key = sep.join(str(i) for i in index) if len(index) else "0"
    return path / name / key


def _zarr_variables(path: Path) -> list:
    """Variable names the store's consolidated metadata lists (else its sub-directories)."""
    try:
        meta = json.loads((path / ".zmetadata").read_text())["metadata"]
        names = sorted({key.split("/")[0] for key in meta if key.endswith("/.zarray")})
        if names:
            return names
    except (OSError, ValueError, KeyError, TypeError, UnicodeDecodeError):
        pass
    return sorted(p.name for p in path.iterdir() if p.is_dir()) if path.is_dir() else []


__all__ = ["brief", "checksums", "checksum_attr", "compare", "zarr_files", "zarr_encoding", "chunk_path",
           "CHECKSUM_ATTR"]
