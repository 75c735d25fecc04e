"""Find the SUNDIALS shared libraries and determine their ABI empirically.

The ``cvode`` engine links generated C code against SUNDIALS 7 without its headers: the
PyPI wheel of ``scikit-sundae`` ships the shared libraries (``scikit_sundae.libs/`` on
Linux) but no ``include/`` directory. We therefore declare the few prototypes we use
ourselves, and the two types whose size a SUNDIALS build may choose must be found out:

* ``sunrealtype`` (``double``, ``float`` or ``long double``): we fill a serial vector with
  ``N_VConst(1.5, v)`` and read its data back as ``double``;
* ``sunindextype`` (``int64_t`` when ``SUNDIALS_INDEX_SIZE=64``, ``int32_t`` when 32):
  symbol tables do not record it, so we read two structures whose layout depends on it
  and whose contents we know: the content of a serial ``N_Vector`` (``length``,
  ``own_data``, ``data``: ``data`` sits at byte 8 with 32-bit indices, at byte 16 with
  64-bit ones, and must equal ``N_VGetArrayPointer``), and the column pointers of a
  compressed-sparse-column matrix converted from a known dense one (``[0, 1, 2, 3, 3, 3]``
  in one of the two widths). Both probes must agree, otherwise the engine refuses to run.

The end-to-end check (a linear two-compartment ODE with an event, compared with its
analytic solution) lives in :mod:`rlsmodel.engines.cvode`, because it needs the compiled
driver.

``RLSMODEL_SUNDIALS_LIBDIR`` points to another directory holding ``libsundials_*`` shared
libraries of SUNDIALS 7 (e.g. a distribution's), instead of the wheel's.
"""
from __future__ import annotations

import ctypes
import importlib.util
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from .base import EngineUnavailable

#: SUNDIALS components the engine links, by the stem of their library name.
COMPONENTS = ("core", "nvecserial", "sunmatrixdense", "sunlinsoldense", "cvode")
#: Needed only by the ABI probe (sparse column pointers), not by generated code.
PROBE_COMPONENTS = ("sunmatrixsparse",)
#: SUNDIALS major version whose prototypes the generated code declares.
SUPPORTED_MAJOR = 7


@dataclass(frozen=True)
class SundialsABI:
    """What the engine needs to know about one SUNDIALS installation.

    ``libraries`` maps component stem -> absolute path of its shared library;
    ``index_bits`` is the width of ``sunindextype`` (32 or 64); ``version`` the library's
    own version string.
    """

    libdir: Path
    libraries: dict
    version: str
    index_bits: int

    @property
    def index_ctype(self) -> str:
        """C type of ``sunindextype`` for generated code."""
        return "int32_t" if self.index_bits == 32 else "int64_t"

    def fingerprint(self) -> str:
        """Identity of the installation: paths, sizes and modification times of the libraries."""
        parts = [self.version, str(self.index_bits)]
        for stem in COMPONENTS:
            path = Path(self.libraries[stem])
            st = path.stat()
            parts.append(f"{path}:{st.st_size}:{int(st.st_mtime)}")
        return "|".join(parts)


def _candidate_dirs():
    """Directories that may hold SUNDIALS libraries, most specific first."""
    env = os.environ.get("RLSMODEL_SUNDIALS_LIBDIR")
    if env:
        return [Path(env)], "RLSMODEL_SUNDIALS_LIBDIR=" + env
    spec = importlib.util.find_spec("sksundae")
    if spec is None or not spec.origin:
        return [], "the Python package scikit-sundae is not installed (pip install 'rlsmodel[fast]')"
    pkg = Path(spec.origin).parent
    # auditwheel (Linux) puts vendored libraries beside the package; delocate (macOS) inside it
    return [pkg.parent / "scikit_sundae.libs", pkg / ".dylibs", pkg], f"scikit-sundae at {pkg}"


def _find_library(directory: Path, stem: str):
    """Path of ``libsundials_<stem>`` in ``directory`` (names may carry a wheel hash)."""
    suffixes = (".so", ".dylib")
    found = sorted(p for p in directory.glob(f"libsundials_{stem}*")
                   if any(s in p.name for s in suffixes)
                   and (p.name[len(f"libsundials_{stem}"):][:1] in ("-", ".")))
    return found[0] if found else None


def locate():
    """(libdir, {stem: path}) of a complete SUNDIALS installation, or raise EngineUnavailable."""
    if not sys.platform.startswith("linux") and not sys.platform == "darwin":
        raise EngineUnavailable(f"the cvode engine supports Linux and macOS, not {sys.platform}")
    dirs, origin = _candidate_dirs()
    if not dirs:
        raise EngineUnavailable(f"no SUNDIALS shared libraries: {origin}")
    missing_report = []
    for d in dirs:
        if not d.is_dir():
            continue
        libs = {stem: _find_library(d, stem) for stem in COMPONENTS + PROBE_COMPONENTS}
        missing = [s for s, p in libs.items() if p is None]
        if not missing:
            return d, {s: str(p.resolve()) for s, p in libs.items()}
        missing_report.append(f"{d}: missing libsundials_{', libsundials_'.join(missing)}")
    raise EngineUnavailable(f"no complete set of SUNDIALS shared libraries ({origin}); "
                            + ("; ".join(missing_report) or "no library directory found"))


_ABI_CACHE = {}


def probe() -> SundialsABI:
    """Locate SUNDIALS and determine ``sunrealtype`` and ``sunindextype`` (memoised per process)."""
    libdir, libs = locate()
    key = tuple(sorted(libs.items()))
    if key in _ABI_CACHE:
        return _ABI_CACHE[key]
    try:
        # RTLD_LOCAL, never RTLD_GLOBAL: libroadrunner's extension module carries its own
        # (older) SUNDIALS statically but exports those symbols and calls them through the
        # dynamic linker. Globally loaded SUNDIALS 7 symbols would interpose them and
        # libroadrunner would crash in the same process (issue 26). The compiled driver
        # needs no global symbols: it is linked against these libraries by path (DT_NEEDED).
        handles = {s: ctypes.CDLL(libs[s], mode=ctypes.RTLD_LOCAL)
                   for s in ("core", "nvecserial", "sunmatrixdense", "sunmatrixsparse")}
    except OSError as exc:
        raise EngineUnavailable(f"cannot load the SUNDIALS libraries in {libdir}: {exc}") from None
    version, index_bits = _probe_abi(handles)
    abi = SundialsABI(libdir=libdir, libraries={s: libs[s] for s in COMPONENTS},
                      version=version, index_bits=index_bits)
    _ABI_CACHE[key] = abi
    return abi


def _probe_abi(h):
    """(version string, width of sunindextype) from live SUNDIALS objects; see module docstring."""
    core, nv, md, ms = h["core"], h["nvecserial"], h["sunmatrixdense"], h["sunmatrixsparse"]
    vp = ctypes.c_void_p
    major, minor, patch = ctypes.c_int(), ctypes.c_int(), ctypes.c_int()
    label = ctypes.create_string_buffer(64)
    core.SUNDIALSGetVersionNumber.argtypes = [ctypes.POINTER(ctypes.c_int)] * 3 + [ctypes.c_char_p, ctypes.c_int]
    if core.SUNDIALSGetVersionNumber(ctypes.byref(major), ctypes.byref(minor), ctypes.byref(patch), label, 64):
        raise EngineUnavailable("SUNDIALSGetVersionNumber failed: cannot identify the SUNDIALS libraries")
    version = f"{major.value}.{minor.value}.{patch.value}" + (f"-{label.value.decode()}" if label.value else "")
    if major.value != SUPPORTED_MAJOR:
        raise EngineUnavailable(f"SUNDIALS {version} found; the cvode engine declares the SUNDIALS "
                                f"{SUPPORTED_MAJOR} interface (scikit-sundae >= 1.2 ships it)")

    # Arguments of type sunindextype are passed as small positive int64 values: on the
    # x86-64 and AArch64 calling conventions a 32-bit callee reads the low half of the
    # same register, so these calls are correct for either width.
    core.SUNContext_Create.argtypes = [ctypes.c_int, ctypes.POINTER(vp)]
    core.SUNContext_Free.argtypes = [ctypes.POINTER(vp)]
    nv.N_VNew_Serial.restype = vp
    nv.N_VNew_Serial.argtypes = [ctypes.c_int64, vp]
    nv.N_VGetArrayPointer.restype = vp
    nv.N_VGetArrayPointer.argtypes = [vp]
    nv.N_VDestroy.argtypes = [vp]
    nv.N_VConst.argtypes = [ctypes.c_double, vp]
    md.SUNDenseMatrix.restype = vp
    md.SUNDenseMatrix.argtypes = [ctypes.c_int64, ctypes.c_int64, vp]
    md.SUNDenseMatrix_Data.restype = vp
    md.SUNDenseMatrix_Data.argtypes = [vp]
    core.SUNMatDestroy.argtypes = [vp]
    ms.SUNSparseFromDenseMatrix.restype = vp
    ms.SUNSparseFromDenseMatrix.argtypes = [vp, ctypes.c_double, ctypes.c_int]
    ms.SUNSparseMatrix_IndexPointers.restype = vp
    ms.SUNSparseMatrix_IndexPointers.argtypes = [vp]

    ctx = vp()
    if core.SUNContext_Create(0, ctypes.byref(ctx)) or not ctx.value:
        raise EngineUnavailable("SUNContext_Create failed (a SUNDIALS build with MPI communicators "
                                "is not supported)")
    v = dense = sparse = None
    try:
        n = 7
        v = nv.N_VNew_Serial(n, ctx)
        data = nv.N_VGetArrayPointer(v)
        if not v or not data:
            raise EngineUnavailable("N_VNew_Serial failed during the SUNDIALS ABI probe")
        # sunrealtype: must be IEEE double
        nv.N_VConst(1.5, v)
        values = ctypes.cast(data, ctypes.POINTER(ctypes.c_double))[:n]
        if values != [1.5] * n:
            raise EngineUnavailable("this SUNDIALS build does not use double precision "
                                    f"(sunrealtype); probe read {values[:2]}")
        # sunindextype, probe 1: layout of the serial vector content
        content = ctypes.cast(v, ctypes.POINTER(vp))[0]
        words32 = ctypes.cast(content, ctypes.POINTER(ctypes.c_int32))
        ptrs = ctypes.cast(content, ctypes.POINTER(vp))
        by_layout = set()
        if words32[0] == n and ptrs[1] == data:
            by_layout.add(32)
        if ctypes.cast(content, ctypes.POINTER(ctypes.c_int64))[0] == n and ptrs[2] == data:
            by_layout.add(64)
        # sunindextype, probe 2: CSC column pointers of a 3 x 5 matrix with a known pattern
        dense = md.SUNDenseMatrix(3, 5, ctx)
        a = ctypes.cast(md.SUNDenseMatrix_Data(dense), ctypes.POINTER(ctypes.c_double))
        for i in range(15):
            a[i] = 0.0
        a[0], a[4], a[8] = 1.0, 2.0, 3.0          # diagonal, column-major with leading dim 3
        sparse = ms.SUNSparseFromDenseMatrix(dense, 0.0, 0)   # 0 = CSC_MAT
        if not sparse:
            raise EngineUnavailable("SUNSparseFromDenseMatrix failed during the SUNDIALS ABI probe")
        ip = ms.SUNSparseMatrix_IndexPointers(sparse)
        expected = [0, 1, 2, 3, 3, 3]
        by_sparse = set()
        if ctypes.cast(ip, ctypes.POINTER(ctypes.c_int32))[:6] == expected:
            by_sparse.add(32)
        if ctypes.cast(ip, ctypes.POINTER(ctypes.c_int64))[:6] == expected:
            by_sparse.add(64)
    finally:
        if sparse:
            core.SUNMatDestroy(sparse)
        if dense:
            core.SUNMatDestroy(dense)
        if v:
            nv.N_VDestroy(v)
        core.SUNContext_Free(ctypes.byref(ctx))
    if len(by_layout) != 1 or by_layout != by_sparse:
        raise EngineUnavailable(
            "cannot determine the width of sunindextype in SUNDIALS "
            f"{version} (vector-layout probe: {sorted(by_layout) or 'no match'}, sparse-index probe: "
            f"{sorted(by_sparse) or 'no match'}); refusing to run generated code against it")
    return version, by_layout.pop()
