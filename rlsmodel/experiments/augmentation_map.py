"""Time to augmentation over drug half-life x dose x BBB iron uptake capacity (heat maps).

A dopamine agonist (default pramipexole; ``--drug levodopa`` for levodopa) taken every
evening at 21:00 after an untreated baseline, on the sweep harness: a full grid of
``<drug>_half_life`` (h; values outside the label's range are hypothetical drugs: the
absorption rate is kept, so Tmax shifts a little with the half-life), dose (mg, a
regimen field) and ``bbb_uptake_gain`` (the genotype-scaled BBB iron acquisition gain;
profile ``rls_genetic`` otherwise). Outcomes (computed inside the sweep, no trajectories
kept): days from the first dose to the first MPI-positive week and to clinically relevant
augmentation (:func:`rlsmodel.outcomes.augmentation`, noise-free, daily), NaN when it
does not happen within the run.

Writes ``augmentation_map_<drug>.png`` into the output directory (one heat-map panel per
uptake gain: x half-life, y dose, colour weeks to clinically relevant augmentation, grey =
none within the run) and ``augmentation_map_<drug>.nc`` (the sweep Dataset with provenance).

At a fixed dose a longer half-life also means more drug (the daily exposure, AUC, grows with
the half-life), so the half-life axis mixes two things. ``--equal-exposure`` separates them: the
dose on the y axis is the dose at the drug's label half-life, and at another half-life ``h`` the
dose taken is scaled by ``label / h``, so every column of a row has the same daily exposure and
only the peak-to-trough swing differs (science.md section 3: shorter-acting drugs augment more).
Files then end in ``_equal_exposure``.

Run: ``rlsmodel run augmentation_map [-o DIR] [--drug pramipexole] [--weeks 26] [--workers 2]
[--full] [--equal-exposure]`` (default grid 4 x 4 x 3 = 48 points, a few minutes at most;
``--full`` 8 x 6 x 5).
"""
from __future__ import annotations

import sys
import time

import numpy as np

from .. import clinical, outcomes
from .._version import __version__
from ..pharmacology import Regimen, get_drug
from ..sweeps import OutcomeGroup, sweep
from .outputs import DEFAULT_OUT, ExperimentResult, OutputDir, experiment_parser

NAME = "augmentation_map"
DESCRIPTION = "Time to augmentation over drug half-life x dose x BBB iron uptake capacity (heat maps)."

DOSE_HOUR = 21.0
BASELINE_DAYS = 14
#: Figures of a run with the default options (pramipexole, dose not scaled), main figure first (the docs
#: gallery reads this); ``drug="levodopa"`` or ``equal_exposure=True`` name theirs with :func:`stem`.
FIGURES = ("augmentation_map_pramipexole.png",)

GRIDS = {
    "pramipexole": {
        "small": {"half_life": [3.0, 6.0, 10.0, 20.0], "dose_mg": [0.125, 0.25, 0.5, 0.75],
                  "bbb_uptake_gain": [0.4, 0.55, 1.0]},
        "full": {"half_life": [2.0, 3.0, 4.5, 6.0, 8.0, 10.0, 14.0, 20.0],
                 "dose_mg": [0.125, 0.25, 0.375, 0.5, 0.625, 0.75],
                 "bbb_uptake_gain": [0.3, 0.45, 0.55, 0.75, 1.0]},
    },
    "levodopa": {
        "small": {"half_life": [0.75, 1.5, 3.0, 6.0], "dose_mg": [50.0, 100.0, 200.0, 300.0],
                  "bbb_uptake_gain": [0.4, 0.55, 1.0]},
        "full": {"half_life": [0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.5, 6.0],
                 "dose_mg": [50.0, 100.0, 150.0, 200.0, 250.0, 300.0],
                 "bbb_uptake_gain": [0.3, 0.45, 0.55, 0.75, 1.0]},
    },
}


class EveningDose:
    """Regimen factory: the swept dose of ``drug`` every evening from ``start_day``; with
    ``exposure_half_life_h`` (h) the dose is scaled by ``exposure_half_life_h / half-life`` of
    the point, so the daily exposure equals that of the swept dose at that half-life."""

    fields = ("dose_mg",)

    def __init__(self, drug: str, start_day: int, exposure_half_life_h=None):
        self.drug, self.start_day, self.exposure_half_life_h = drug, start_day, exposure_half_life_h
        scaled = "" if exposure_half_life_h is None else f", equal exposure to {exposure_half_life_h:g} h"
        self.__qualname__ = f"EveningDose({drug}, {DOSE_HOUR:g} h, from day {start_day}{scaled})"

    def dose(self, point) -> float:
        """The dose (mg) taken at ``point``."""
        if self.exposure_half_life_h is None:
            return float(point["dose_mg"])
        return float(point["dose_mg"]) * self.exposure_half_life_h / float(point[f"{self.drug}_half_life"])

    def __call__(self, point):
        return Regimen.daily(self.drug, self.dose(point), DOSE_HOUR, start_day=self.start_day,
                             allow_off_label=True)


class DaysTo:
    """Outcome: days from the first dose to the MPI-positive (``tier="mpi"``) or clinically
    relevant (``tier="relevant"``) verdict of :func:`rlsmodel.outcomes.augmentation`; NaN: none."""

    units = "day"

    def __init__(self, start_day: int, tier: str):
        self.start_day, self.tier = start_day, tier
        self.__doc__ = f"days from the first dose to {tier} augmentation (NaN: none within the run)"

    def __call__(self, ds) -> float:
        v = outcomes.augmentation(ds, clinical.treatment_start(self.start_day, DOSE_HOUR))
        day = v["day_met"] if self.tier == "mpi" else v["day_met_clinically_relevant"]
        return np.nan if day is None else float(day - self.start_day + 1)


class DaysToBoth:
    """Both :class:`DaysTo` outcomes from one :func:`rlsmodel.outcomes.augmentation` call per point."""

    def __init__(self, start_day: int):
        self.start_day = start_day

    def __call__(self, ds) -> dict:
        v = outcomes.augmentation(ds, clinical.treatment_start(self.start_day, DOSE_HOUR))
        since = {k: np.nan if v[k] is None else float(v[k] - self.start_day + 1)
                 for k in ("day_met", "day_met_clinically_relevant")}
        return {"days_to_mpi_positive": since["day_met"],
                "days_to_augmentation": since["day_met_clinically_relevant"]}


def draw(ds, drug, path, provenance, weeks, exposure_half_life_h=None):
    """One panel per uptake gain: weeks to clinically relevant augmentation over half-life x dose."""
    import matplotlib.pyplot as plt
    from matplotlib import colors
    from .. import plotting
    hl_name = f"{drug}_half_life"
    gains = ds["bbb_uptake_gain"].values
    fig, axes = plt.subplots(1, len(gains), figsize=(3.6 * len(gains) + 1.0, 3.6), squeeze=False, sharey=True)
    norm = colors.Normalize(vmin=0, vmax=weeks)
    cmap = plt.get_cmap("magma").copy()
    cmap.set_bad("0.8")
    image = None
    for ax, g in zip(axes[0], gains):
        sub = ds["days_to_augmentation"].sel(bbb_uptake_gain=g).transpose("dose_mg", hl_name) / 7.0
        hl, dose = ds[hl_name].values, ds["dose_mg"].values
        image = ax.imshow(np.ma.masked_invalid(sub.values), origin="lower", aspect="auto", cmap=cmap, norm=norm)
        for (i, j), v in np.ndenumerate(sub.values):
            ax.text(j, i, "none" if not np.isfinite(v) else f"{v:.0f}", ha="center", va="center", fontsize=7,
                    color="k" if (not np.isfinite(v) or v > 0.6 * weeks) else "w")
        ax.set_xticks(range(len(hl)))
        ax.set_xticklabels([f"{h:g}" for h in hl])
        ax.set_yticks(range(len(dose)))
        ax.set_yticklabels([f"{d:g}" for d in dose])
        ax.set_xlabel(f"{drug} half-life (h)")
        ax.set_title(f"bbb_uptake_gain = {g:g}", fontsize=9)
    if exposure_half_life_h is None:
        axes[0][0].set_ylabel(f"{drug} dose at {DOSE_HOUR:g}:00 (mg)")
    else:
        axes[0][0].set_ylabel(f"dose at the {exposure_half_life_h:g} h half-life (mg),\n"
                              f"scaled by {exposure_half_life_h:g} h / half-life (equal exposure)")
    cb = fig.colorbar(image, ax=axes[0].tolist(), shrink=0.9)
    cb.set_label(f"weeks to clinically relevant augmentation (grey: none in {weeks} wk)")
    if exposure_half_life_h is None:
        title = f"Time to augmentation, {drug}, profile rls_genetic (model as it stands)"
    else:
        title = f"Time to augmentation, {drug}, rls_genetic, equal daily exposure per row"
    fig.suptitle(title, fontsize=10)
    plotting.save(fig, path, provenance)
    plt.close(fig)


def stem(drug, equal_exposure=False) -> str:
    """File stem of the map of ``drug``: ``augmentation_map_<drug>[_equal_exposure]``."""
    return f"augmentation_map_{drug}" + ("_equal_exposure" if equal_exposure else "")


def output_names(drug="pramipexole", equal_exposure=False) -> list:
    """The files :func:`run` writes."""
    s = stem(drug, equal_exposure)
    return [f"{s}.nc", f"{s}.png"]


def run(out=None, *, drug="pramipexole", weeks=26, full=False, workers=2, equal_exposure=False,
        overwrite=False) -> ExperimentResult:
    """Sweep half-life x dose x uptake gain and write the map and its Dataset into ``out``.

    Parameters
    ----------
    out : str or os.PathLike, optional
        Output directory (default ``./rlsmodel-output``); existing files refused unless ``overwrite``.
    drug : str
        ``"pramipexole"`` or ``"levodopa"``.
    weeks : int
        Treated weeks after the 14-day untreated baseline.
    full : bool
        The finer grid (8 x 6 x 5 points) instead of 4 x 4 x 3.
    workers : int
        Local worker processes of the sweep.
    equal_exposure : bool
        Scale the dose by label half-life / half-life (equal daily exposure along a row).
    overwrite : bool
        Replace existing output files.

    Returns
    -------
    ExperimentResult
        ``datasets["map"]``: the sweep Dataset (``days_to_mpi_positive``, ``days_to_augmentation``
        in days, NaN = none within the run).
    """
    if drug not in GRIDS:
        raise ValueError(f"unknown drug {drug!r} for the augmentation map; choose from {', '.join(sorted(GRIDS))}")
    if not isinstance(weeks, int) or weeks < 1:
        raise ValueError(f"weeks must be a whole number >= 1; got {weeks!r}")
    if not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be a whole number >= 1; got {workers!r}")
    s = stem(drug, equal_exposure)
    out_dir = OutputDir(DEFAULT_OUT if out is None else out, output_names(drug, equal_exposure), overwrite)
    grid = GRIDS[drug]["full" if full else "small"]
    hl_name = f"{drug}_half_life"
    space = {hl_name: grid["half_life"], "dose_mg": grid["dose_mg"], "bbb_uptake_gain": grid["bbb_uptake_gain"]}
    days = BASELINE_DAYS + 7 * weeks + clinical.DAY_START
    label_h = get_drug(drug).half_life_h if equal_exposure else None
    t0 = time.perf_counter()
    ds = sweep(space, days=days, profile="rls_genetic", regimen=EveningDose(drug, BASELINE_DAYS, label_h),
               outcomes=[OutcomeGroup(
                   DaysToBoth(BASELINE_DAYS), ("days_to_mpi_positive", "days_to_augmentation"),
                   units={"days_to_mpi_positive": "day", "days_to_augmentation": "day"},
                   descriptions={"days_to_mpi_positive": DaysTo(BASELINE_DAYS, "mpi").__doc__,
                                 "days_to_augmentation": DaysTo(BASELINE_DAYS, "relevant").__doc__})],
               workers=workers)
    ds.attrs["experiment"] = NAME
    ds.attrs["seconds"] = round(time.perf_counter() - t0, 1)
    ds.attrs["equal_exposure_half_life_h"] = float("nan") if label_h is None else float(label_h)
    out_dir.save(f"{s}.nc", lambda p: ds.to_netcdf(p))
    provenance = {"experiment": NAME, "rlsmodel_version": __version__, "drug": drug, "weeks": weeks,
                  "grid": str(space), "equal_exposure": bool(equal_exposure)}
    out_dir.save(f"{s}.png", lambda p: draw(ds, drug, p, provenance, weeks, label_h))
    return ExperimentResult(NAME, out_dir.path, list(out_dir.written), datasets={"map": ds})


def main(argv=None, prog=None, default_out=DEFAULT_OUT, overwrite=False) -> int:
    """Command line of :func:`run` (``rlsmodel run augmentation_map``); returns the exit status."""
    ap = experiment_parser(prog or f"rlsmodel run {NAME}", DESCRIPTION, default_out, overwrite)
    ap.add_argument("--drug", choices=sorted(GRIDS), default="pramipexole")
    ap.add_argument("--weeks", type=int, default=26, help="treated weeks (default 26)")
    ap.add_argument("--full", action="store_true", help="finer grid (8 x 6 x 5 points)")
    ap.add_argument("--workers", type=int, default=2, help="local worker processes (default 2)")
    ap.add_argument("--equal-exposure", action="store_true",
                    help="scale the dose by label half-life / half-life (equal daily exposure along a row)")
    args = ap.parse_args(argv)
    if args.weeks < 1:
        ap.error("--weeks must be >= 1")
    result = run(args.out, drug=args.drug, weeks=args.weeks, full=args.full, workers=args.workers,
                 equal_exposure=args.equal_exposure, overwrite=args.overwrite)
    ds = result.datasets["map"]
    print(f"{int(ds.attrs['n_points'])} points ({ds.attrs['n_failed']} failed) in {ds.attrs['seconds']:.0f} s "
          f"on {args.workers} worker(s)")
    print((ds["days_to_augmentation"] / 7.0).round(1).to_dataframe().unstack("bbb_uptake_gain").to_string())
    print("wrote " + ", ".join(str(p) for p in result.paths))
    return 0


if __name__ == "__main__":      # pragma: no cover
    sys.exit(main())
