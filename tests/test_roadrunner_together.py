"""libroadrunner and rlsmodel in one process, in either import order (issue 26).

libroadrunner's extension module links its own SUNDIALS statically but exports those
symbols and calls them through the dynamic linker. The cvode engine once loaded the SUNDIALS
7 libraries of scikit-sundae with RTLD_GLOBAL, so their ``CVodeCreate`` & co. interposed
libroadrunner's and ``RoadRunner(...)`` crashed with SIGSEGV whenever rlsmodel had run first.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytest.importorskip("libsbml", reason="python-libsbml is not installed (pip install 'rlsmodel[sbml]')")
pytest.importorskip("roadrunner", reason="libroadrunner is not installed (pip install 'rlsmodel[sbml]')")

from rlsmodel.engines.base import EngineUnavailable  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def _sundials():
    from rlsmodel.engines.sundials import probe
    try:
        return probe()
    except EngineUnavailable as exc:
        pytest.skip(f"the cvode engine cannot run here: {exc}")


class _DlInfo(ctypes.Structure):
    _fields_ = [("dli_fname", ctypes.c_char_p), ("dli_fbase", ctypes.c_void_p),
                ("dli_sname", ctypes.c_char_p), ("dli_saddr", ctypes.c_void_p)]


def _global_definition(symbol):
    """File that defines ``symbol`` in the process's global scope (None if none does)."""
    libc = ctypes.CDLL(None)
    try:
        address = ctypes.cast(getattr(libc, symbol), ctypes.c_void_p).value
    except AttributeError:
        return None
    info = _DlInfo()
    libdl = ctypes.CDLL(ctypes.util.find_library("dl") or None)
    libdl.dladdr.argtypes = [ctypes.c_void_p, ctypes.POINTER(_DlInfo)]
    assert libdl.dladdr(address, ctypes.byref(info))
    return info.dli_fname.decode()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="dladdr/RTLD_DEFAULT checks are Linux-specific")
def test_sundials_symbols_are_not_global():
    """After the cvode engine loaded SUNDIALS and ran its compiled driver, no SUNDIALS symbol
    of scikit-sundae is in the global scope, where it would interpose the copy inside libroadrunner."""
    from rlsmodel.engines.cvode import available
    abi = _sundials()
    assert available() == (True, "")
    ours = {str(Path(p).resolve()) for p in abi.libraries.values()}
    for symbol in ("CVodeCreate", "CVode", "N_VNew_Serial", "SUNContext_Create", "SUNDenseMatrix"):
        where = _global_definition(symbol)
        assert where is None or str(Path(where).resolve()) not in ours, (
            f"{symbol} resolves globally to {where}: SUNDIALS was loaded RTLD_GLOBAL")


SCRIPT = textwrap.dedent("""
    import sys
    order, sbml_path = sys.argv[1:3]
    if order == "roadrunner-first":
        import roadrunner
    from rlsmodel.engines import cvode, default_engine
    from rlsmodel.engines.sundials import probe
    # loads scikit-sundae's SUNDIALS and a compiled driver (the engine's end-to-end check),
    # as every Model() with the default engine does, without building the whole model
    assert default_engine() == "cvode"
    import roadrunner
    rr = roadrunner.RoadRunner(sbml_path)
    out = rr.simulate(0.0, 1.0, 3)
    cvode._SELF_TEST.clear()
    cvode.self_test(probe())          # the driver still integrates right after libroadrunner ran
    print("ok", out.shape)
""")


@pytest.fixture(scope="module")
def sbml_file(model, tmp_path_factory):
    from rlsmodel.export.sbml import sbml
    return sbml(tmp_path_factory.mktemp("rr") / "healthy.xml", "healthy", model=model)


@pytest.mark.parametrize("order", ["rlsmodel-first", "roadrunner-first"])
def test_roadrunner_and_the_cvode_engine_in_one_process(sbml_file, order):
    """A fresh interpreter loads the cvode engine's SUNDIALS and libroadrunner in ``order``
    and loads the exported SBML: no crash (with RTLD_GLOBAL, rlsmodel-first died with SIGSEGV),
    and the compiled CVODE driver still passes its analytic check. (lsoda never loads SUNDIALS.)"""
    _sundials()
    proc = subprocess.run([sys.executable, "-c", SCRIPT, order, str(sbml_file)],
                          capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert proc.returncode == 0, (f"{order}: exit {proc.returncode} (-11 is SIGSEGV)\n{proc.stderr[-3000:]}")
    assert proc.stdout.startswith("ok"), proc.stdout
