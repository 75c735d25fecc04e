"""The import layering of the package, enforced with import-linter (contracts in pyproject.toml).

``model <- compile <- engines <- integrate <- simulator <- sweep <- trial/sensitivity <- validation
<- explore/figures <- cli``: a module imports only from layers below its own (lazy imports
inside functions count), engines are independent of each other over ``engines.base``, the
scorecard's target rows sit over its checks over its shared runs (``rlsmodel.validation``), and
no two sibling modules import each other at any depth. The second test shows the contracts
are not vacuous: the same configuration rejects a copy of the package with one import in
the wrong direction.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import rlsmodel

ROOT = Path(rlsmodel.__file__).resolve().parent.parent
LINT = "import sys; from importlinter.cli import lint_imports; sys.exit(lint_imports(no_cache=True, no_logo=True))"


def _lint(project: Path) -> subprocess.CompletedProcess:
    """Run import-linter on the package in ``project`` with ``project/pyproject.toml``."""
    env = dict(os.environ, PYTHONPATH=str(project) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run([sys.executable, "-c", LINT], cwd=project, env=env, capture_output=True, text=True,
                          timeout=300)


def test_import_contracts_hold():
    proc = _lint(ROOT)
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-2000:]
    assert "0 broken" in proc.stdout and "KEPT" in proc.stdout


@pytest.mark.parametrize("path, line, expected", [
    # a lazy import inside a function, from an engine up to the dispatcher (the old cycle)
    ("rlsmodel/engines/base.py", "def _late():\n    from ..integrate import integrate\n    return integrate\n",
     "rlsmodel.engines is not allowed to import rlsmodel.integrate"),
    # the declaration layer reaching up to the simulator
    ("rlsmodel/model/units.py", "from ..simulator import Model  # noqa\n",
     "rlsmodel.model is not allowed to import rlsmodel.simulator"),
    # one engine importing another
    ("rlsmodel/engines/lsoda.py", "from .scipy_ivp import ScipyEngine  # noqa\n",
     "rlsmodel.engines.lsoda is not allowed to import rlsmodel.engines.scipy_ivp"),
    # a scorecard check reaching up to the target rows
    ("rlsmodel/validation/checks/physiology.py", "from ..targets import TARGETS  # noqa\n",
     "rlsmodel.validation.checks is not allowed to import rlsmodel.validation.targets"),
])
def test_contracts_reject_a_wrong_direction_import(tmp_path, path, line, expected):
    shutil.copytree(ROOT / "rlsmodel", tmp_path / "rlsmodel",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    with open(tmp_path / path, "a") as fh:
        fh.write("\n\n" + line)
    proc = _lint(tmp_path)
    assert proc.returncode != 0, proc.stdout[-3000:]
    assert expected in " ".join(proc.stdout.split()), proc.stdout[-3000:]
