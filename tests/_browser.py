"""Shared set-up of the browser tests (the explorer and the documentation site).

Headless Debian Chromium driven by Playwright (``playwright-core`` API, no browser download).
CI (``.ci/run``) installs Chromium and sets ``RLSMODEL_REQUIRE_BROWSER=1``: then a missing
browser or Python package fails the tests instead of skipping them.
"""
from __future__ import annotations

import importlib
import os
import shutil
import socket
from pathlib import Path

import pytest

#: Set by CI: the browser tests must run (fail, never skip, when something is missing).
REQUIRED = os.environ.get("RLSMODEL_REQUIRE_BROWSER", "") not in ("", "0")

#: Flags for a headless Chromium on a machine with no network beyond loopback.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


def need(module: str, reason: str):
    """Import ``module``; skip with ``reason`` when missing, or fail when CI requires the browser."""
    if REQUIRED:
        return importlib.import_module(module)      # an ImportError fails the run in CI
    return pytest.importorskip(module, reason=reason)


def chromium() -> str | None:
    """Path of a Chromium binary (``$CHROMIUM`` first), or None."""
    for candidate in (os.environ.get("CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"),
                      shutil.which("chromium-browser"), shutil.which("google-chrome")):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


def require_chromium() -> str:
    """The Chromium path; skips the test (or fails it in CI) when there is none."""
    path = chromium()
    if path is None:
        if REQUIRED:
            pytest.fail("RLSMODEL_REQUIRE_BROWSER is set but no Chromium binary was found "
                        "(apt-get install chromium, or set CHROMIUM=/path)")
        pytest.skip("no Chromium binary found (apt-get install chromium, or set CHROMIUM=/path)")
    return path


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
