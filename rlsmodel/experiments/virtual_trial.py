"""Virtual replays of two published designs, simulated incidences beside the published ones.

1. **Allen et al. 2014** (NEJM 370:621; 719 patients, 52 weeks): pregabalin 300 mg/day versus
   pramipexole 0.25 and 0.5 mg/day, plus placebo. In the trial the placebo arm lasted the
   first 12 weeks (then re-randomised); here the placebo arm is followed for the whole
   trial (one run length per trial); its 12-week IRLS change is the comparable number and
   its later MPI incidence is background only. Augmentation over 40-52 weeks: 2.1 %
   pregabalin, 5.3 % pramipexole 0.25 mg, 7.7 % pramipexole 0.5 mg.
2. **An early levodopa series** (Allen and Earley 1996, Sleep 19:205): levodopa/carbidopa
   in the evening (here 200 mg at 21:00) for about 6 months (26 weeks); 82 % reported
   augmentation (symptoms spreading into the afternoon and evening), i.e. a majority.

Doses and clock hours are the drug table's reference doses (``rlsmodel.pharmacology.reference_regimen``;
oral drugs at 21:00, 1-3 h before the default 23:00 bedtime), except Allen et al. 2014's higher
pramipexole arm (0.5 mg, twice the 0.25 mg reference). The same virtual
patients (``rlsmodel.population(n, seed)``) are in every arm of a design; summaries count
patients with a baseline weekly IRLS >= 15 (``n`` in the table: eligible patients).

Writes ``virtual_trial.md`` and ``.csv`` into the output directory (per design and arm:
simulated incidences with Wilson 95 % intervals, IRLS change, published figures) and
``virtual_trial.png`` (bars with intervals, published values marked).

Run: ``rlsmodel run virtual_trial [-o DIR] [--n 100] [--weeks 52] [--workers 2]``. With ``--bands FIT`` (a calibration output directory or
NetCDF with prediction bands, ``rlsmodel calibrate ... --bands``), an arm whose name is
also the name of a prediction gets the calibration's model-uncertainty band beside its
incidence, e.g. ``7.2% (4.1-11.0%)`` (:func:`rlsmodel.trial.format_incidence`).
"""
from __future__ import annotations

import sys
import time

import numpy as np

from .._version import __version__
from ..pharmacology import arm_name, reference_regimen
from ..trial import virtual_trial
from ..validation.protocol import ALLEN_2014_PRAMIPEXOLE_MG, POPULATION_MIN_BASELINE_IRLS
from .outputs import DEFAULT_OUT, ExperimentResult, OutputDir, experiment_parser, markdown_stamp

NAME = "virtual_trial"
DESCRIPTION = "Virtual replays of two published designs, simulated incidences beside the published ones."
TABLE_MD = "virtual_trial.md"
TABLE_CSV = "virtual_trial.csv"
FIGURE = "virtual_trial.png"
#: Figures of a run with the default options, main figure first (the docs gallery reads this).
FIGURES = (FIGURE,)

#: Inclusion criterion (moderate-to-severe RLS, the usual IRLS >= 15 of RLS drug trials); the
#: levodopa series predates the IRLS, the same criterion stands in for "treated patients".
MIN_BASELINE_IRLS = POPULATION_MIN_BASELINE_IRLS


def _arm(drug, dose=None):
    """``(arm name, regimen)``: ``drug`` daily from randomisation at the drug table's reference dose
    and clock hour, or at ``dose`` (a published arm's other strength)."""
    return arm_name(drug, dose), reference_regimen(drug, dose=dose)


#: design -> arm -> (regimen or None, published augmentation incidence or None, note); doses are
#: the drug table's reference doses except pramipexole 0.5 mg, Allen et al. 2014's higher arm.
ALLEN_2014 = {name: (reg, published, "Allen et al. 2014, 40-52 weeks") for (name, reg), published in (
    (_arm("pregabalin"), 0.021),
    (_arm("pramipexole"), 0.053),
    (_arm("pramipexole", ALLEN_2014_PRAMIPEXOLE_MG), 0.077))}
LEVODOPA_1996 = {name: (reg, 0.82, "Allen and Earley 1996: 82 % reported augmentation (spread to earlier hours)")
                 for name, reg in (_arm("levodopa"),)}
PLACEBO_NOTE = "trial placebo ran 12 weeks: IRLS about -6.6 (Silva et al. 2017); no published augmentation figure"


def run_design(name, arms, *, n, weeks, seed, placebo, workers):
    """Run one design; return (Dataset, rows for the table)."""
    t0 = time.perf_counter()
    ds = virtual_trial({a: spec[0] for a, spec in arms.items()}, n=n, weeks=weeks, seed=seed,
                                placebo=placebo, workers=workers, min_baseline_irls=MIN_BASELINE_IRLS)
    elapsed = time.perf_counter() - t0
    rows = []
    for arm in ds["arm"].values:
        arm = str(arm)
        published, note = (arms[arm][1], arms[arm][2]) if arm in arms else (None, PLACEBO_NOTE)
        a = ds.sel(arm=arm)
        rows.append({
            "design": name, "arm": arm, "weeks": weeks, "n": int(a["n_evaluated"]),
            "augmentation": float(a["augmentation_incidence"]),
            "augmentation_low": float(a["augmentation_incidence_ci"].sel(bound="lower")),
            "augmentation_high": float(a["augmentation_incidence_ci"].sel(bound="upper")),
            "mpi_positive": float(a["mpi_positive_incidence"]),
            "mpi_positive_low": float(a["mpi_positive_incidence_ci"].sel(bound="lower")),
            "mpi_positive_high": float(a["mpi_positive_incidence_ci"].sel(bound="upper")),
            "augmented_noise_free": float(np.nanmean(a["augmented_biological"].values)),
            "irls_change_week_12": float(a["irls_change"].sel(timepoint="week_12")),
            "irls_change_end": float(a["irls_change"].sel(timepoint="end")),
            "irls_change_end_sd": float(a["irls_change_sd"].sel(timepoint="end")),
            "published_augmentation": published, "published_note": note,
            "seconds": round(elapsed, 1),
        })
    return ds, rows


def _pct(x):
    return "n/a" if x is None or not np.isfinite(x) else f"{100 * x:.1f} %"


def _num(x):
    return "n/a" if x is None or not np.isfinite(x) else f"{x:+.1f}"


def table_markdown(rows, header) -> str:
    """The Markdown page of ``rows`` (a ``model band`` column when rows carry one)."""
    banded = any(r.get("model_band") for r in rows)
    lines = [header, "",
             "| design | arm | weeks | n | augmentation (95 % CI) | MPI-positive (95 % CI) | noise-free verdict | "
             "IRLS change wk 12 | IRLS change end (SD) | published augmentation |",
             "| --- | --- | ---: | ---: | --- | --- | ---: | ---: | --- | --- |"]
    if banded:
        lines[2] += " augmentation with calibration band |"
        lines[3] += " --- |"
    for r in rows:
        pub = _pct(r["published_augmentation"]) + f" ({r['published_note']})" if r["published_augmentation"] is not None \
            else r["published_note"]
        lines.append(
            f"| {r['design']} | {r['arm']} | {r['weeks']} | {r['n']} | {_pct(r['augmentation'])} "
            f"({_pct(r['augmentation_low'])}-{_pct(r['augmentation_high'])}) | {_pct(r['mpi_positive'])} "
            f"({_pct(r['mpi_positive_low'])}-{_pct(r['mpi_positive_high'])}) | {_pct(r['augmented_noise_free'])} | "
            f"{_num(r['irls_change_week_12'])} | {_num(r['irls_change_end'])} ({r['irls_change_end_sd']:.1f}) | {pub} |"
            + (f" {r.get('model_band') or 'n/a'} |" if banded else ""))
    return "\n".join(lines) + "\n"


def header(n, seed) -> str:
    """The heading paragraph of ``virtual_trial.md``."""
    return (f"# Virtual trials (n = {n} per arm, seed {seed}, rlsmodel {__version__})\n\n"
            "Simulated incidences as the model stands. Fitted to (issue 14, "
            "experiments/calibration/augmentation_population.toml, 52 weeks): pramipexole 0.5 mg and "
            "pregabalin MPI-positive, levodopa's noise-free majority within a year; every other "
            "number is a prediction. Augmentation = "
            "clinically relevant tier adjudicated at 4-weekly visits; MPI-positive = criteria met at some "
            "visit; noise-free verdict = rlsmodel.outcomes.augmentation on the model's own daily series. "
            "IRLS change = reported weekly IRLS (placebo term and day-to-day noise included) minus baseline.")


def draw(rows, path, provenance):
    """Bar chart: simulated incidences (both tiers) with Wilson intervals; published marked."""
    from .. import plotting
    import matplotlib.pyplot as plt
    labels = [f"{r['arm']}\n({r['weeks']} wk)" for r in rows]
    x = np.arange(len(rows))
    fig, ax = plt.subplots(figsize=(max(6.0, 1.5 * len(rows)), 4.2))
    for off, key, lab, col in ((-0.2, "augmentation", "clinically relevant augmentation", "#d62728"),
                               (0.2, "mpi_positive", "MPI-positive at a visit", "#1f77b4")):
        v = np.array([100 * r[key] for r in rows])
        lo = v - np.array([100 * r[key + "_low"] for r in rows])
        hi = np.array([100 * r[key + "_high"] for r in rows]) - v
        ax.bar(x + off, v, 0.38, yerr=[lo, hi], capsize=3, label=f"simulated: {lab}", color=col, alpha=0.8)
    pub = [(i, 100 * r["published_augmentation"]) for i, r in enumerate(rows) if r["published_augmentation"] is not None]
    if pub:
        ax.scatter([i for i, _ in pub], [p for _, p in pub], marker="D", color="k", zorder=5,
                   label="published augmentation")
    ax.set_xticks(x)
    ax.set_xticklabels(labels, fontsize=8)
    ax.set_ylabel("patients (%)")
    ax.set_ylim(0, 105)
    ax.set_title("Virtual trials: Allen et al. 2014 design and an early levodopa series")
    ax.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    plotting.save(fig, path, provenance)
    plt.close(fig)


OUTPUT_NAMES = (TABLE_CSV, TABLE_MD, FIGURE)


def run(out=None, *, n=100, weeks=52, levodopa_weeks=26, seed=2014, workers=2, bands=None,
        overwrite=False) -> ExperimentResult:
    """Replay both designs and write the table and figure into ``out``.

    Parameters
    ----------
    out : str or os.PathLike, optional
        Output directory (default ``./rlsmodel-output``); existing files refused unless ``overwrite``.
    n : int
        Virtual patients per arm (before the IRLS >= 15 inclusion criterion).
    weeks : int
        Treated weeks of the Allen et al. 2014 design.
    levodopa_weeks : int
        Treated weeks of the levodopa series.
    seed : int
        Seed of the virtual population (the same patients in every arm of a design).
    workers : int
        Local worker processes.
    bands : str or os.PathLike, optional
        A calibration result with prediction bands named like the arms (``rlsmodel calibrate
        --bands``); each such arm gets its model-uncertainty band in the table.
    overwrite : bool
        Replace existing output files.

    Returns
    -------
    ExperimentResult
        ``tables["virtual_trial"]``: one row per design and arm (incidences as fractions);
        ``datasets``: the trial Dataset of each design.
    """
    for name, v, low in (("n", n, 1), ("weeks", weeks, 1), ("levodopa_weeks", levodopa_weeks, 1),
                         ("workers", workers, 1), ("seed", seed, 0)):
        if isinstance(v, bool) or not isinstance(v, int) or v < low:
            raise ValueError(f"{name} must be a whole number >= {low}; got {v!r}")
    out_dir = OutputDir(DEFAULT_OUT if out is None else out, OUTPUT_NAMES, overwrite)
    band_table = None
    if bands is not None:
        from ..calibration import bands_from
        band_table = bands_from(bands)          # read before the trials: a bad path fails fast
    t0 = time.perf_counter()
    ds_a, rows = run_design("Allen 2014", ALLEN_2014, n=n, weeks=weeks, seed=seed, placebo=True, workers=workers)
    ds_l, rows_l = run_design("levodopa series", LEVODOPA_1996, n=n, weeks=levodopa_weeks, seed=seed,
                              placebo=False, workers=workers)
    rows += rows_l
    total = time.perf_counter() - t0
    if band_table is not None:
        from ..trial import format_incidence
        for r in rows:
            band = band_table.get(r["arm"]) or band_table.get(f"{r['design']}: {r['arm']}")
            r["model_band"] = format_incidence(r["augmentation"], band) if band is not None else ""
    out_dir.write_csv(TABLE_CSV, rows)
    out_dir.write_text(TABLE_MD, markdown_stamp() + table_markdown(rows, header(n, seed)))
    provenance = {"experiment": NAME, "n": n, "seed": seed, "weeks": weeks, "levodopa_weeks": levodopa_weeks}
    out_dir.save(FIGURE, lambda p: draw(rows, p, provenance))
    return ExperimentResult(NAME, out_dir.path, list(out_dir.written), tables={"virtual_trial": rows},
                            datasets={"Allen 2014": ds_a, "levodopa series": ds_l}, meta={"seconds": round(total, 1)})


def main(argv=None, prog=None, default_out=DEFAULT_OUT, overwrite=False) -> int:
    """Command line of :func:`run` (``rlsmodel run virtual_trial``); returns the exit status."""
    from pathlib import Path
    ap = experiment_parser(prog or f"rlsmodel run {NAME}", DESCRIPTION, default_out, overwrite)
    ap.add_argument("--n", type=int, default=100, help="patients per arm (default 100)")
    ap.add_argument("--weeks", type=int, default=52, help="treated weeks of the Allen 2014 design (default 52)")
    ap.add_argument("--levodopa-weeks", type=int, default=26, help="treated weeks of the levodopa series (default 26)")
    ap.add_argument("--seed", type=int, default=2014)
    ap.add_argument("--workers", type=int, default=2, help="local worker processes (default 2)")
    ap.add_argument("--bands", type=Path, default=None, metavar="FIT",
                    help="calibration result with prediction bands named like the arms (rlsmodel calibrate --bands)")
    args = ap.parse_args(argv)
    if args.n < 1 or args.weeks < 1 or args.levodopa_weeks < 1:
        ap.error("--n, --weeks and --levodopa-weeks must be >= 1")
    result = run(args.out, n=args.n, weeks=args.weeks, levodopa_weeks=args.levodopa_weeks, seed=args.seed,
                 workers=args.workers, bands=args.bands, overwrite=args.overwrite)
    rows = result.tables["virtual_trial"]
    print(f"virtual trials: n = {args.n} per arm, seed {args.seed}, {result.meta['seconds']:.0f} s on "
          f"{args.workers} worker(s)")
    print(f"{'design':<16} {'arm':<20} {'wk':>3} {'augmentation (95% CI)':>26} {'MPI-positive':>14} "
          f"{'IRLS d12':>9} {'IRLS end':>9}   published")
    for r in rows:
        ci = f"{_pct(r['augmentation'])} ({_pct(r['augmentation_low'])}-{_pct(r['augmentation_high'])})"
        pub = _pct(r["published_augmentation"]) if r["published_augmentation"] is not None else "-"
        print(f"{r['design']:<16} {r['arm']:<20} {r['weeks']:>3} {ci:>26} {_pct(r['mpi_positive']):>14} "
              f"{_num(r['irls_change_week_12']):>9} {_num(r['irls_change_end']):>9}   {pub}  {r['published_note']}"
              + (f"  [calibration band: {r['model_band']}]" if r.get("model_band") else ""))
    print("wrote " + ", ".join(str(p) for p in result.paths))
    return 0


if __name__ == "__main__":      # pragma: no cover
    sys.exit(main())
