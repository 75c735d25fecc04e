"""Reading a calibration: waterfall and profile figures, tables, the docs section.

:func:`write_docs_section` regenerates one section of ``docs/calibration.md`` from a result,
between the markers ``<!-- calibration:NAME:begin -->`` and ``<!-- calibration:NAME:end -->``
(appended at the end of the page the first time), so the hand-written rest of the page stays.
"""
from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import numpy as np

MARKER = "<!-- calibration:{name}:{which} -->"


def _fmt(v) -> str:
    if v is None or not np.isfinite(v):
        return "n/a"
    a = abs(v)
    return f"{v:.3g}" if (a == 0 or 1e-3 <= a < 1e4) else f"{v:.3e}"


def plot_waterfall(ds, path):
    """Sorted start objectives minus the best (+1, log scale): a plateau of many starts at
    the left means the optimum was found repeatedly."""
    from ..plotting import save
    import matplotlib.pyplot as plt
    f = np.sort(ds["objective"].values[np.isfinite(ds["objective"].values)])
    fig, ax = plt.subplots(figsize=(5.5, 3.6))
    if f.size:
        ax.plot(np.arange(1, f.size + 1), f - f[0] + 1.0, "o-", color="#1f77b4", ms=4)
        ax.axhline(1.0 + 0.1, color="0.6", lw=0.8, ls="--", label="best + 0.1")
        ax.legend(fontsize=8)
    ax.set_yscale("log")
    ax.set_ylim(0.8, max(10.0, 2.0 * (f[-1] - f[0] + 1.0)) if f.size else 10.0)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_xlabel("start (sorted by objective)")
    ax.set_ylabel("objective - best + 1")
    ax.set_title(f"waterfall: {int(ds['n_converged'])} of {ds.sizes['start']} starts at the best "
                 f"(objective {_fmt(float(ds['best_objective']))})", fontsize=9)
    fig.tight_layout()
    save(fig, path, {"calibration": ds.attrs.get("spec_digest", "")})
    plt.close(fig)
    return Path(path)


def plot_profiles(ds, path):
    """One panel per parameter: profile likelihood ratio, threshold, interval and best fit."""
    from ..plotting import save
    import matplotlib.pyplot as plt
    names = [str(p) for p in ds["parameter"].values]
    k = len(names)
    fig, axes = plt.subplots(1, k, figsize=(3.2 * k, 3.0), squeeze=False)
    thr = float(ds.attrs.get("ratio_threshold", ds["profile_ratio"].attrs.get("threshold", 0.1465)))
    for ax, name in zip(axes[0], names):
        p = ds.sel(parameter=name)
        ax.plot(p["profile_value"].values, p["profile_ratio"].values, "-", color="#1f77b4")
        ax.axhline(thr, color="#d62728", lw=0.8, ls="--")
        ax.axvline(float(p["best"]), color="k", lw=0.8)
        ax.axvspan(float(p["ci_lower"]), float(p["ci_upper"]), color="#1f77b4", alpha=0.12)
        vals = p["profile_value"].values
        vals = vals[np.isfinite(vals)]
        if vals.size and vals.max() > vals.min():      # linear axis over the profiled stretch
            lo, hi = vals.min(), vals.max()
            ax.set_xlim(lo - 0.05 * (hi - lo), hi + 0.05 * (hi - lo))
        ax.set_ylim(0, 1.05)
        ax.set_xlabel(f"{name} ({p['unit'].values}); bounds {_fmt(float(p['lower']))}-{_fmt(float(p['upper']))}",
                      fontsize=8)
        ax.set_title(str(p["identifiability"].values), fontsize=8)
    axes[0][0].set_ylabel("likelihood ratio")
    fig.tight_layout()
    save(fig, path, {"calibration": ds.attrs.get("spec_digest", "")})
    plt.close(fig)
    return Path(path)


def residual_csv(ds, path):
    cols = ["residual_target", "residual_kind", "residual_label", "residual_observable", "residual_time",
            "simulated", "observed", "residual_lo", "residual_hi", "residual_scale", "residual_value"]
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow([c.replace("residual_", "") if c != "residual_value" else "residual" for c in cols])
        for i in range(ds.sizes["residual"]):
            w.writerow([ds[c].values[i] for c in cols])
    return Path(path)


def parameter_table(ds) -> list:
    """Rows ``{parameter, unit, default, fitted, ci_lower, ci_upper, identifiable}``."""
    rows = []
    for i, name in enumerate(ds["parameter"].values):
        p = ds.isel(parameter=i)
        rows.append({"parameter": str(name), "unit": str(p["unit"].values), "default": float(p["default"]),
                     "fitted": float(p["best"]),
                     "ci_lower": float(p["ci_lower"]) if "ci_lower" in ds else np.nan,
                     "ci_upper": float(p["ci_upper"]) if "ci_upper" in ds else np.nan,
                     "identifiable": str(p["identifiability"].values) if "identifiability" in ds else "not profiled"})
    return rows


def identifiability_markdown(ds) -> str:
    conf = ds.attrs.get("confidence", json.loads(ds.attrs.get("options", "{}")).get("confidence", 0.95))
    lines = [f"| parameter | unit | un-fitted | fitted | {100 * float(conf):g} % interval | identifiable |",
             "| --- | --- | ---: | ---: | --- | --- |"]
    for r in parameter_table(ds):
        interval = f"{_fmt(r['ci_lower'])} - {_fmt(r['ci_upper'])}" if np.isfinite(r["ci_lower"]) else "not profiled"
        lines.append(f"| `{r['parameter']}` | {r['unit']} | {_fmt(r['default'])} | {_fmt(r['fitted'])} | "
                     f"{interval} | {r['identifiable']} |")
    return "\n".join(lines) + "\n"


def section_markdown(ds, name: str, spec_shown=None) -> str:
    """The generated section: parameters, intervals, identifiability, targets, fit summary."""
    targets = sorted(set(str(t) for t in ds["residual_target"].values))
    kinds = {str(t): str(k) for t, k in zip(ds["residual_target"].values, ds["residual_kind"].values)}
    lines = [f"### Calibration `{name}`", "",
             f"Generated by `rlsmodel.calibration.write_docs_section` from spec "
             f"`{spec_shown or ds.attrs.get('spec_path') or '(inline)'}` (digest {ds.attrs.get('spec_digest', '')}), "
             f"{ds.attrs.get('augmentation_mechanism', '')} / DAT {ds.attrs.get('dat_hypothesis', '')}, "
             f"rlsmodel {ds.attrs.get('rlsmodel_version', '')}, {ds.attrs.get('fit_date', '')}. "
             f"Do not edit between the markers: rerun the fit and regenerate.", ""]
    if ds.attrs.get("description"):
        lines += [ds.attrs["description"], ""]
    lines += [identifiability_markdown(ds).rstrip(), ""]
    lines += [f"Best objective {_fmt(float(ds['best_objective']))} over {int(ds.sizes['residual'])} residuals; "
              f"{int(ds['n_converged'])} of {int(ds.sizes['start'])} starts reached it "
              f"(optimizer {ds.attrs.get('optimizer', '')}).", "",
              "Targets used: " + ", ".join(f"`{t}` ({kinds[t]})" for t in targets) + ".", ""]
    if "prediction_best" in ds:
        from .bands import bands_from
        method = ds["prediction_lower"].attrs.get("method", "")
        lines += [f"Prediction bands ({method}):", "", "| prediction | unit | best fit | interval |",
                  "| --- | --- | ---: | --- |"]
        for pname, band in bands_from(ds).items():
            scale, unit = (100.0, "%") if band.percent else (1.0, band.unit)
            lines.append(f"| {pname} | {unit} | {_fmt(scale * band.best)} | "
                         f"{_fmt(scale * band.lower)} to {_fmt(scale * band.upper)} |")
        lines.append("")
    return "\n".join(lines)


def write_docs_section(result, path="docs/calibration.md", name=None) -> Path:
    """Regenerate the section ``name`` (default: the spec file's stem) of ``path`` from a
    calibration result (a Dataset, or an output directory / NetCDF path)."""
    from .result import open_result
    ds = result if hasattr(result, "data_vars") else open_result(result)
    if name is None:
        spec_path = ds.attrs.get("spec_path", "")
        name = Path(spec_path).stem if spec_path else "calibration"
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", name):
        raise ValueError(f"section name {name!r} must use letters, digits, '_', '-' or '.'")
    path = Path(path)
    text = path.read_text() if path.exists() else "# Calibration\n"
    begin, end = MARKER.format(name=name, which="begin"), MARKER.format(name=name, which="end")
    shown = ds.attrs.get("spec_path", "")
    if shown:
        try:      # the spec relative to the repository holding the page (docs/..)
            shown = str(Path(shown).resolve().relative_to(path.resolve().parent.parent))
        except ValueError:
            shown = Path(shown).name
    block = f"{begin}\n{section_markdown(ds, name, shown)}\n{end}"
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        _, tail = rest.split(end, 1)
        text = head + block + tail
    elif begin in text or end in text:
        raise ValueError(f"{path}: only one of the markers {begin} / {end} is present; fix the page by hand")
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


__all__ = ["plot_waterfall", "plot_profiles", "residual_csv", "parameter_table", "identifiability_markdown",
           "section_markdown", "write_docs_section"]
