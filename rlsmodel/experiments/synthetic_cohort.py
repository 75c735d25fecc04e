"""Worked example of calibration as code: recover two parameters from a synthetic cohort (pyPESTO).

See ``docs/calibration_howto.md``.

1. Write ``synthetic_cohort.csv`` into the output directory: a small synthetic cohort
   simulated by the model itself with two parameters away from their declared defaults
   (``da_synthesis_max`` x 1.3, ``d2_iron_k`` x 0.6) and 3 % Gaussian noise: steady-state D2
   density and extracellular dopamine in three profiles, D2 density on days 7 and 14 of
   pramipexole 0.25 mg in ``rls_genetic``. Beside it go the spec ``synthetic_cohort.toml``
   and its user prediction ``synthetic_cohort_predictions.py`` (shipped as package data in
   ``rlsmodel/experiments/data/``; identical to ``experiments/calibration/`` in the repository).
2. Fit the spec (multistart, profiles, prediction bands) into ``synthetic_cohort_fit/`` and
   report the recovered values beside the truth.
3. With ``docs``: regenerate the ``synthetic_cohort`` section of that Markdown page
   (``docs/calibration.md`` in the repository).

Needs the ``calibrate`` extra (pyPESTO). Run: ``rlsmodel run synthetic_cohort [-o DIR]
[--workers N] [--docs PATH]`` (about a minute on 2 cores).
"""
from __future__ import annotations

import shutil
import sys
import time
from importlib import resources
from pathlib import Path

from ..pharmacology import Regimen
from ..simulator import Model
from .outputs import DEFAULT_OUT, ExperimentResult, OutputDir, experiment_parser

NAME = "synthetic_cohort"
DESCRIPTION = "Calibration worked example: recover two parameters from a synthetic cohort (needs pyPESTO)."
DATA = "synthetic_cohort.csv"
SPEC = "synthetic_cohort.toml"
PREDICTIONS = "synthetic_cohort_predictions.py"
FIT = "synthetic_cohort_fit"
#: Figures of a run with the default options, main figure first (the docs gallery reads this): the
#: fit's profile likelihoods and multistart waterfall (:func:`rlsmodel.calibrate` draws them).
FIGURES = (f"{FIT}/profiles.png", f"{FIT}/waterfall.png")
#: Truth as factors on the declared defaults (so the example follows model changes).
FACTORS = {"da_synthesis_max": 1.3, "d2_iron_k": 0.6}
PROFILES = ("healthy", "rls_genetic", "rls_iron_deficient")
RELATIVE_SD = 0.03
SEED = 2026


def design():
    """The measurement design: rows of profile, (regimen,) time and observable."""
    rows = [{"profile": p, "time": "steady", "observable": o}
            for p in PROFILES for o in ("d2_density", "dopamine_extracellular")]
    rows += [{"profile": "rls_genetic", "regimen": "pramipexole", "time": t, "observable": "d2_density"}
             for t in (7, 14)]
    return rows


def truth(model):
    """The true parameter values: :data:`FACTORS` times the declared defaults (parameter units)."""
    return {name: f * model.parameters[name].default for name, f in FACTORS.items()}


def package_file(name) -> bytes:
    """The bytes of a data file shipped in ``rlsmodel/experiments/data/``."""
    return resources.files(__package__).joinpath("data", name).read_bytes()


def run(out=None, *, workers=None, docs=None, overwrite=False, progress=None) -> ExperimentResult:
    """Write the synthetic cohort, fit it, and (with ``docs``) regenerate the docs section.

    Parameters
    ----------
    out : str or os.PathLike, optional
        Output directory (default ``./rlsmodel-output``). Existing files and an existing
        ``synthetic_cohort_fit/`` are refused unless ``overwrite`` (which removes that fit
        directory first, so the fit never resumes from data of another run).
    workers : int, optional
        Local worker processes for the starts and profiles.
    docs : str or os.PathLike, optional
        A Markdown page whose ``synthetic_cohort`` section to regenerate (its directory must exist).
    overwrite : bool
        Replace existing outputs.
    progress : bool or None
        Progress bars (None: when stderr is a terminal).

    Returns
    -------
    ExperimentResult
        ``tables["recovery"]``: per parameter the truth, the fit and its 95 % interval;
        ``datasets["fit"]``: the calibration result; ``meta["bands"]``: prediction bands.
    """
    try:
        from ..calibration import bands_from, calibrate, write_docs_section
        from ..calibration.synthetic import write_synthetic_csv
        import pypesto  # noqa: F401
    except ImportError as exc:
        raise ImportError(f"the synthetic_cohort experiment fits with pyPESTO ({exc}); "
                          "pip install 'rlsmodel[calibrate]'") from None
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise ValueError(f"workers must be a whole number >= 1; got {workers!r}")
    if docs is not None and not Path(docs).parent.is_dir():
        raise ValueError(f"docs page {str(docs)!r}: its directory does not exist; give an existing Markdown page")
    out_dir = OutputDir(DEFAULT_OUT if out is None else out, (DATA, SPEC, PREDICTIONS, FIT), overwrite)
    fit_dir = out_dir.path / FIT
    if fit_dir.is_dir():
        shutil.rmtree(fit_dir)          # only reached with overwrite (OutputDir refused it otherwise)
    elif fit_dir.exists():
        fit_dir.unlink()
    for name in (SPEC, PREDICTIONS):
        out_dir.write_bytes(name, package_file(name))
    model = Model()
    true = truth(model)
    out_dir.save(DATA, lambda p: write_synthetic_csv(p, design(), true, relative_sd=RELATIVE_SD, seed=SEED,
                                                     regimens={"pramipexole": Regimen.daily("pramipexole", 0.25, 21.0)}))
    t0 = time.perf_counter()
    ds = calibrate(out_dir / SPEC, fit_dir, workers=workers, profiles=True, bands=True, progress=progress)
    seconds = round(time.perf_counter() - t0, 1)
    out_dir.written.append(fit_dir)
    rows = []
    for name in ds["parameter"].values:
        p = ds.sel(parameter=name)
        lo, hi = float(p["ci_lower"]), float(p["ci_upper"])
        rows.append({"parameter": str(name), "truth": true[str(name)], "fitted": float(p["best"]),
                     "ci_lower": lo, "ci_upper": hi, "recovered": bool(lo <= true[str(name)] <= hi)})
    meta = {"seconds": seconds, "bands": bands_from(ds)}
    paths = list(out_dir.written)
    if docs is not None:
        paths.append(write_docs_section(ds, docs, NAME))
    return ExperimentResult(NAME, out_dir.path, paths, tables={"recovery": rows}, datasets={"fit": ds}, meta=meta)


def main(argv=None, prog=None, default_out=DEFAULT_OUT, overwrite=False, default_docs=None) -> int:
    """Command line of :func:`run` (``rlsmodel run synthetic_cohort``); returns the exit status.

    ``default_docs``: the page whose section is regenerated unless ``--no-docs`` (the
    repository's script passes ``docs/calibration.md``).
    """
    ap = experiment_parser(prog or f"rlsmodel run {NAME}", DESCRIPTION, default_out, overwrite)
    ap.add_argument("--workers", type=int, default=None, help="local worker processes")
    ap.add_argument("--docs", type=Path, default=default_docs, metavar="PAGE.md",
                    help="regenerate the synthetic_cohort section of this Markdown page"
                         + (f" (default {default_docs})" if default_docs else ""))
    ap.add_argument("--no-docs", action="store_true", help="do not regenerate any docs page")
    args = ap.parse_args(argv)
    result = run(args.out, workers=args.workers, docs=None if args.no_docs else args.docs, overwrite=args.overwrite)
    print(f"fit, profiles and bands in {result.meta['seconds']:.0f} s")
    print(f"{'parameter':<18} {'truth':>10} {'fitted':>10} {'95% interval':>22}  recovered")
    for r in result.tables["recovery"]:
        print(f"{r['parameter']:<18} {r['truth']:>10.4g} {r['fitted']:>10.4g} {r['ci_lower']:>10.4g} - "
              f"{r['ci_upper']:<10.4g} {'yes' if r['recovered'] else 'NO'}")
    for name, band in result.meta["bands"].items():
        print(f"{name}: {band.format(digits=2)}")
    print("wrote " + ", ".join(str(p) for p in result.paths))
    return 0


if __name__ == "__main__":      # pragma: no cover
    sys.exit(main())
