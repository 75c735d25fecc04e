"""Figures shared by experiments, notebooks and the CLI (matplotlib, Agg-safe).

Every function draws into axes it is given (or a new figure) and labels units; nothing is
shown interactively. ``save(fig, path, provenance)`` writes PNG (and SVG if asked) with the
package version and run details in the file metadata.
"""
from __future__ import annotations

import json
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg", force=False)
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from ._version import __version__  # noqa: E402

DRUG_COLOURS = {
    "untreated": "0.3", "levodopa": "#d62728", "pramipexole": "#1f77b4", "ropinirole": "#17becf",
    "rotigotine": "#9467bd", "pregabalin": "#2ca02c", "gabapentin_enacarbil": "#8c564b",
    "ferrous_sulfate": "#ff7f0e", "ferric_carboxymaltose": "#bcbd22",
}


def colour(name: str) -> str:
    return DRUG_COLOURS.get(name, None)


def one_day(ds, day: int, variable: str = "symptom"):
    """(clock hours, values) of ``variable`` over day ``day`` (00:00 to 24:00)."""
    sel = ds[variable].sel(time=slice(day, day + 1.0))
    return (sel.time.values - day) * 24.0, sel.values


def plot_day(ax, ds, day: int, variable: str = "symptom", label=None, **kw):
    """Plot ``variable`` against clock hour for one day; shade the default sleep period."""
    h, v = one_day(ds, day, variable)
    ax.plot(h, v, label=label, **kw)
    ax.set_xlim(0, 24)
    ax.set_xticks(range(0, 25, 6))
    ax.set_xlabel("clock hour (h)")
    units = ds[variable].attrs.get("units", "")
    name = ds[variable].attrs.get("long_name", variable)
    ax.set_ylabel(f"{name}" + (f" ({units})" if units not in ("", "1") else ""))
    return ax


def shade_sleep(ax, start=23.0, end=7.0):
    ax.axvspan(start, 24, color="0.92", zorder=0)
    ax.axvspan(0, end, color="0.92", zorder=0)


def weekly(daily, variable: str):
    """Weekly means of a daily-outcome variable: (week index, values)."""
    v = daily[variable].values
    n = len(v) // 7
    if n == 0:
        return np.array([]), np.array([])
    with warnings.catch_warnings():      # a week with no onset at all is NaN, not a warning
        warnings.simplefilter("ignore", category=RuntimeWarning)
        w = np.nanmean(v[: n * 7].reshape(n, 7), axis=1)
    return np.arange(n), w


def save(fig, path, provenance: dict | None = None, svg: bool = False):
    """Save ``fig`` as PNG (and SVG) with provenance in the file metadata.

    The PNG text chunks hold ``Software`` (rlsmodel version), ``Source`` (git revision,
    "(dirty)" when the checkout has uncommitted changes, or "unknown"), ``Creation Time``
    and ``Description``: the JSON of :func:`rlsmodel.provenance.provenance` (versions,
    git revision, UTC timestamp) updated with ``provenance`` (profile, parameters,
    regimen...; the caller's values win). The SVG gets the same ``Description``.
    Read them back with ``PIL.Image.open(path).text``.
    """
    from .fileio import atomic_output
    from .provenance import git_description, model_stamp
    from .provenance import provenance as _package_provenance
    path = Path(path)
    record = {**_package_provenance(), **(provenance or {})}
    description = json.dumps(record, sort_keys=True, default=str)
    meta = {"Software": f"rlsmodel {__version__}", "Source": f"git {git_description()}",
            "Creation Time": str(record["created_utc"]), "Description": description}
    identity = record.get("model_identity")
    if isinstance(identity, dict):          # the model the figure came from (tests/test_generated_files.py)
        meta["Comment"] = model_stamp(identity)
        description = f"{description}\n{model_stamp(identity)}"
    with atomic_output(path) as tmp:
        fig.savefig(tmp, dpi=150, bbox_inches="tight", metadata=meta)
    if svg:
        with atomic_output(path.with_suffix(".svg")) as tmp:
            fig.savefig(tmp, bbox_inches="tight", metadata={"Description": description})
    plt.close(fig)
    return path
