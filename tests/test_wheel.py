"""The package works when installed from a wheel, not only as an editable checkout (issue 27).

``python -m build`` makes an sdist and a wheel from a copy of the source; the wheel goes into
a fresh virtual environment (its dependencies are borrowed from the environment running the
tests, so nothing is downloaded); then, from an unrelated directory, ``rlsmodel run
augmentation -o DIR`` (a short version of the flagship) must write the flagship's table and
figures into ``DIR`` and nothing into the installed package, and a smoke test simulates.
CI runs this test with the rest of the suite, so one CI job installs the wheel.
"""
from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
import sysconfig
import tarfile
import venv
import zipfile
from pathlib import Path

import pytest

import rlsmodel

ROOT = Path(rlsmodel.__file__).resolve().parent.parent
#: Files a build needs (the package, its metadata and the README it embeds).
SOURCE = ("rlsmodel", "pyproject.toml", "README.md", "CITATION.cff")
#: The flagship, shortened: one profile and drug, about five weeks of treatment, both mechanisms
#: (so both figures are drawn).
FLAGSHIP = ("run", "augmentation", "--years", "0.1", "--profiles", "rls_genetic", "--drugs", "pramipexole")
FLAGSHIP_FILES = ("augmentation_table.csv", "augmentation_table.md", "augmentation_onset_irls.png",
                  "augmentation_day_profiles.png", "augmentation_summary.nc")
#: Files a build ships besides Python modules.
PACKAGE_DATA = ("rlsmodel/engines/cvode_driver.c", "rlsmodel/experiments/data/synthetic_cohort.toml",
                "rlsmodel/experiments/data/synthetic_cohort_predictions.py")


def _clean_env(**extra) -> dict:
    """The environment without PYTHONPATH (the checkout must not shadow the installed wheel)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env.update(extra)
    return env


def _run(cmd, cwd, timeout=600, **env) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(c) for c in cmd], cwd=cwd, env=_clean_env(**env), capture_output=True, text=True,
                          timeout=timeout)
    assert proc.returncode == 0, f"{cmd} failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}"
    return proc


def _site_dirs() -> list:
    """Directories the running interpreter imports third-party packages from."""
    dirs = list(site.getsitepackages()) + [site.getusersitepackages(), sysconfig.get_paths()["purelib"],
                                           sysconfig.get_paths()["platlib"]]
    dirs += [p for p in sys.path if p.rstrip("/").endswith(("site-packages", "dist-packages"))]
    out = []
    for d in dirs:
        if d and Path(d).is_dir() and d not in out:
            out.append(d)
    return out


def _files(directory: Path) -> set:
    return {p.relative_to(directory).as_posix() for p in directory.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """``(wheel, sdist)`` built from a copy of the source (the checkout itself stays untouched)."""
    tmp = tmp_path_factory.mktemp("build")
    src = tmp / "src"
    src.mkdir()
    for name in SOURCE:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        elif path.is_file():
            shutil.copy2(path, src / name)
    dist = tmp / "dist"
    _run([sys.executable, "-m", "build", "--no-isolation", "--outdir", dist, src], cwd=tmp)
    wheels, sdists = sorted(dist.glob("rlsmodel-*.whl")), sorted(dist.glob("rlsmodel-*.tar.gz"))
    assert len(wheels) == 1 and len(sdists) == 1, sorted(p.name for p in dist.iterdir())
    return wheels[0], sdists[0]


@pytest.fixture(scope="module")
def installed(built, tmp_path_factory):
    """A fresh venv with the wheel installed; returns ``(bin directory, package directory)``."""
    env_dir = tmp_path_factory.mktemp("venv") / "env"
    venv.create(env_dir, with_pip=False, symlinks=os.name != "nt")      # installed by this env's pip (--python)
    bindir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    python = bindir / ("python.exe" if os.name == "nt" else "python")
    purelib = _run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd=env_dir)
    purelib = Path(purelib.stdout.strip())
    # dependencies come from the test environment: plain path entries, appended after the venv's own
    # site-packages (an editable rlsmodel there is not activated: its .pth files are not processed)
    (purelib / "_rlsmodel_test_deps.pth").write_text("\n".join(_site_dirs()) + "\n")
    _run([sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index",
          "--disable-pip-version-check", built[0]], cwd=env_dir)
    where = _run([python, "-c", "import rlsmodel; print(rlsmodel.__file__)"], cwd=env_dir).stdout.strip()
    package = Path(where).resolve().parent
    assert package == (purelib / "rlsmodel").resolve(), f"rlsmodel imported from {where}, not the wheel"
    return bindir, package


def test_build_makes_a_wheel_and_an_sdist_with_the_package_data(built):
    wheel, sdist = built
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        metadata = zf.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    for path in PACKAGE_DATA + ("rlsmodel/experiments/augmentation.py", "rlsmodel/cli.py"):
        assert path in names, path
    assert not any(n.startswith(("experiments/", "tests/")) for n in names)
    assert "License-Expression: MIT" in metadata
    with tarfile.open(sdist) as tf:
        members = {m.split("/", 1)[1] for m in tf.getnames() if "/" in m}
    for path in PACKAGE_DATA + ("pyproject.toml", "README.md"):
        assert path in members, path


def test_the_installed_wheel_runs_the_flagship_from_any_directory(installed, tmp_path):
    bindir, package = installed
    rls = bindir / ("rlsmodel.exe" if os.name == "nt" else "rlsmodel")
    before = _files(package)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    listing = _run([rls, "run", "--list"], cwd=elsewhere).stdout
    assert listing.split()[0] == "augmentation"
    assert "rlsmodel-output" in _run([rls, "run", "augmentation", "--help"], cwd=elsewhere).stdout
    out = tmp_path / "results"
    proc = _run([rls, *FLAGSHIP, "-o", out], cwd=elsewhere)
    for name in FLAGSHIP_FILES:
        assert (out / name).stat().st_size > 0, (name, proc.stdout[-2000:])
    table = (out / "augmentation_table.csv").read_text().splitlines()
    assert len(table) == 3 and table[0].startswith("mechanism,profile,drug")      # header + two mechanisms
    assert list(elsewhere.iterdir()) == [], "wrote into the working directory"
    assert not [p for p in out.iterdir() if p.name.startswith(".")], "temporary files left behind"
    added = _files(package) - before
    assert not added, f"wrote into the installed package: {sorted(added)}"
    # a rerun refuses the existing files before computing (one line, status 2)
    again = subprocess.run([str(rls), *FLAGSHIP, "-o", str(out)], cwd=elsewhere, env=_clean_env(),
                           capture_output=True, text=True, timeout=600)
    assert again.returncode == 2 and "already exist" in again.stderr and "--overwrite" in again.stderr


def test_smoke_simulation_with_the_installed_wheel(installed, tmp_path):
    bindir, package = installed
    python = bindir / ("python.exe" if os.name == "nt" else "python")
    code = ("import rlsmodel; ds = rlsmodel.Model().simulate(2, 'rls_genetic', sample_every_hours=6); "
            "assert ds.sizes['time'] == 9 and float(ds.symptom.max()) > 0; print(rlsmodel.__file__)")
    before = _files(package)
    proc = _run([python, "-c", code], cwd=tmp_path)
    assert Path(proc.stdout.strip()).resolve().parent == package
    assert not _files(package) - before
