"""Provenance in every output (simulate, steady state, sweeps, figures) and CITATION.cff."""
from __future__ import annotations

import json
import re
import subprocess
from datetime import datetime
from pathlib import Path

import matplotlib.pyplot as plt
import pytest

import rlsmodel
from rlsmodel import plotting, provenance

ROOT = Path(rlsmodel.__file__).resolve().parent.parent
CITATION = ROOT / "CITATION.cff"
VERSION_KEYS = ("rlsmodel_version", "git_revision", "git_dirty", "python_version", "numpy_version",
                "scipy_version", "sympy_version", "xarray_version")


def _git_head():
    """HEAD of the checkout holding the package, independently of rlsmodel.provenance (or None)."""
    try:
        proc = subprocess.run(["git", "--no-optional-locks", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True,
                              text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    return proc.stdout.strip() if proc.returncode == 0 else None


# -- provenance() ------------------------------------------------------------------------
def test_provenance_has_versions_revision_and_utc_time():
    p = provenance.provenance({"profile": "healthy"})
    for key in VERSION_KEYS + ("created_utc", "profile"):
        assert key in p
    assert p["rlsmodel_version"] == rlsmodel.__version__
    assert p["numpy_version"] == __import__("numpy").__version__
    assert datetime.fromisoformat(p["created_utc"]).utcoffset().total_seconds() == 0
    head = _git_head()
    if head is not None and (ROOT / ".git").exists():
        assert p["git_revision"] == head
        # dirty exactly when git itself reports changed tracked files (asked independently)
        status = subprocess.run(["git", "--no-optional-locks", "status", "--porcelain", "--untracked-files=no"],
                                cwd=ROOT, capture_output=True, text=True, timeout=10).stdout
        provenance.clear_cache()
        assert provenance.provenance()["git_dirty"] is bool(status.strip())
    else:
        assert p["git_revision"] is None


def test_extra_may_not_silently_replace_package_keys():
    with pytest.raises(ValueError, match="rlsmodel_version"):
        provenance.provenance({"rlsmodel_version": "9.9"})


def test_dataset_attrs_are_netcdf_safe_and_timeless():
    a = provenance.dataset_attrs({"note": None, "flags": [1, 2]})
    assert "created_utc" not in a
    assert all(isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in a.values())
    assert a["note"] == provenance.UNKNOWN and a["flags"] == "[1, 2]"
    assert a["git_dirty"] in ("true", "false", provenance.UNKNOWN)
    assert "created_utc" in provenance.dataset_attrs(timestamp=True)


def test_no_git_checkout_means_no_revision(monkeypatch):
    provenance.clear_cache()
    try:
        monkeypatch.setattr(provenance, "_git", lambda root, *args: None)
        assert provenance.git_revision() == (None, None)
        assert provenance.provenance()["git_revision"] is None
        assert provenance.dataset_attrs()["git_revision"] == provenance.UNKNOWN
        assert provenance.git_description() == provenance.UNKNOWN
    finally:
        provenance.clear_cache()


def _git_in(repo, *args):
    cmd = ["git", "-c", "user.name=rlsmodel test", "-c", "user.email=test@example.org", "-c", "commit.gpgsign=false",
           *args]
    return subprocess.run(cmd, cwd=repo, capture_output=True, text=True, check=True, timeout=30).stdout.strip()


@pytest.mark.parametrize("worktree", [False, True], ids=["checkout", "worktree"])
def test_revision_refreshes_after_a_commit_without_restarting(tmp_path, monkeypatch, worktree):
    """A commit (or a reset) is seen at once; working-tree edits within the TTL; no git run otherwise."""
    repo = tmp_path / "repo"
    (repo / "rlsmodel").mkdir(parents=True)
    (repo / "rlsmodel" / "__init__.py").write_text("x = 1\n")
    _git_in(repo, "init", "-q")
    _git_in(repo, "add", ".")
    _git_in(repo, "commit", "-qm", "first")
    if worktree:      # a linked worktree: .git is a file, the branch ref lives in the common dir
        _git_in(repo, "worktree", "add", "-q", "-b", "side", str(tmp_path / "wt"))
        repo = tmp_path / "wt"
    calls = []
    real_git = provenance._git
    monkeypatch.setattr(provenance, "_git", lambda root, *args: calls.append(args) or real_git(root, *args))
    first = _git_in(repo, "rev-parse", "HEAD")
    assert provenance.git_revision(repo) == (first, False)
    n = len(calls)
    assert provenance.git_revision(repo) == (first, False) and len(calls) == n   # cached: no git process

    (repo / "rlsmodel" / "__init__.py").write_text("x = 2\n")
    _git_in(repo, "commit", "-qam", "second")
    second = _git_in(repo, "rev-parse", "HEAD")
    assert second != first
    assert provenance.git_revision(repo) == (second, False)

    (repo / "rlsmodel" / "__init__.py").write_text("x = 3\n")      # an edit changes no file under .git
    monkeypatch.setattr(provenance, "GIT_STATUS_TTL", 0.0)
    assert provenance.git_revision(repo) == (second, True)
    _git_in(repo, "reset", "-q", "--hard", first)
    assert provenance.git_revision(repo) == (first, False)


# -- outputs carry it ----------------------------------------------------------------------
def test_simulate_and_steady_state_attrs_carry_version_and_git_revision(model, tmp_path):
    ds = model.simulate(1, sample_every_hours=6.0)
    ss = model.steady_state()
    for out in (ds, ss):
        for key in VERSION_KEYS:
            assert key in out.attrs, key
        assert out.attrs["rlsmodel_version"] == rlsmodel.__version__
        assert out.attrs["git_revision"] == provenance.dataset_attrs()["git_revision"]
    # and it survives a NetCDF round trip
    path = tmp_path / "run.nc"
    ds.to_netcdf(path, engine="h5netcdf")
    import xarray as xr
    assert xr.load_dataset(path).attrs["git_revision"] == ds.attrs["git_revision"]


def test_sweep_store_attrs_carry_git_revision(model, tmp_path):
    ds = rlsmodel.sweep({"diet_iron": [10.0]}, days=1, model=model, outcomes=["serum_ferritin_final"],
                        sample_every_hours=12.0, store=tmp_path / "s.nc")
    assert ds.attrs["git_revision"] == provenance.dataset_attrs()["git_revision"]
    assert ds.attrs["rlsmodel_version"] == rlsmodel.__version__


def test_saved_png_metadata_records_provenance(tmp_path):
    from PIL import Image
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    path = plotting.save(fig, tmp_path / "f.png", provenance={"profile": "rls_genetic", "days": 30})
    meta = Image.open(path).text
    record = json.loads(meta["Description"])
    assert record["profile"] == "rls_genetic" and record["days"] == 30
    assert record["rlsmodel_version"] == rlsmodel.__version__ and "git_revision" in record
    assert meta["Software"] == f"rlsmodel {rlsmodel.__version__}"
    assert meta["Source"] == f"git {provenance.git_description()}"
    assert meta["Creation Time"] == record["created_utc"]


# -- CITATION.cff --------------------------------------------------------------------------
def _load_cff(text: str) -> dict:
    """YAML via PyYAML when installed; otherwise the top-level ``key: value`` lines."""
    try:
        import yaml
    except ImportError:
        out = {}
        for line in text.splitlines():
            m = re.match(r"^([A-Za-z-]+):\s*(.*)$", line)
            if m:
                out[m.group(1)] = m.group(2).strip().strip('"') or True
        return out
    return yaml.safe_load(text)


def test_citation_cff_is_valid_and_matches_the_package():
    assert CITATION.is_file(), f"missing {CITATION}"
    cff = _load_cff(CITATION.read_text())
    for key in ("cff-version", "message", "title", "authors", "version", "date-released", "license",
                "abstract", "keywords"):
        assert key in cff, key
    assert str(cff["cff-version"]) == "1.2.0"
    assert str(cff["version"]) == rlsmodel.__version__
    assert str(cff["license"]) == "MIT"
    assert str(cff["date-released"]) == "2026-11-25"
    if isinstance(cff["authors"], list):
        assert {"name": "rlsmodel developers"} in cff["authors"]
        assert isinstance(cff["keywords"], list) and "restless legs syndrome" in cff["keywords"]
