"""Iron therapy in iron-deficient RLS: oral versus IV iron, and iron before dopaminergic drugs.

Part 1 -- oral versus IV iron (profile ``rls_iron_deficient``, serum ferritin about 11 ug/L):
an untreated month, then either ferrous sulfate 65 mg elemental iron every morning, a single
1000 mg ferric carboxymaltose infusion, or nothing, followed for 52 weeks. Readouts:
serum ferritin, transferrin saturation (daily mean), hepcidin, brain iron, CSF ferritin,
myelin, and the symptoms (weekly IRLS-like score, symptom onset hour). The IRLS panel also
shows the published time course of one infusion (Trenkwalder et al. 2017: placebo-corrected
change and 95% CI at weeks 4 and 12, :data:`PUBLISHED_IV_COURSE`), drawn on the untreated
patient's curve: the benefit grows for weeks and lasts for months because the brain stores
the iron (neuronal ferritin; docs/decisions.md entry 35).

Part 2 -- does iron repletion before a dopaminergic drug change augmentation? IV iron on day 28,
then the drug daily from day 90, versus the drug alone from day 90; augmentation is scored
(MPI criteria, :func:`rlsmodel.outcomes.augmentation`) against each arm's own last 28
untreated days, and IRLS is also compared with the common pre-iron baseline.

Writes into the output directory: ``iron_therapy.png``, ``iron_then_dopaminergic.png``,
``iron_therapy_table.md`` (both tables), ``iron_therapy_table.csv`` and
``iron_therapy_augmentation.csv`` (the last two files of part 2 only when drugs are given).

Run: ``rlsmodel run iron_therapy [-o DIR] [--quick]``.
"""
from __future__ import annotations

import json
import sys
import warnings

import numpy as np

from .. import outcomes, plotting
from .._version import __version__
from ..pharmacology import Regimen, dose_text, reference_dose, reference_doses
from ..simulator import Model
from ..validation.runs import value_at, window_mean
from .outputs import DEFAULT_OUT, ExperimentResult, OutputDir, experiment_parser, markdown_stamp

NAME = "iron_therapy"
DESCRIPTION = ("Oral versus IV iron in iron-deficient RLS, and iron repletion before dopaminergic treatment.")
FIGURE_IRON = "iron_therapy.png"
FIGURE_DRUG = "iron_then_dopaminergic.png"
TABLE_MD = "iron_therapy_table.md"
TABLE_IRON = "iron_therapy_table.csv"
TABLE_DRUG = "iron_therapy_augmentation.csv"
#: Figures of a run with the default options, main figure first (the docs gallery reads this).
FIGURES = (FIGURE_IRON, FIGURE_DRUG)

PROFILE = "rls_iron_deficient"

#: Iron arms: name -> (drug, dose mg iron, clock hour, daily?), from the drug table's reference
#: doses (science.md section 3): 65 mg elemental iron every morning; 1000 mg FCM once.
IRON_ARMS = {
    "untreated": None,
    "oral": ("ferrous_sulfate", *reference_dose("ferrous_sulfate"), True),
    "iv": ("ferric_carboxymaltose", *reference_dose("ferric_carboxymaltose"), False),
}
ARM_COLOURS = {"untreated": "0.3", "oral": plotting.colour("ferrous_sulfate"),
               "iv": plotting.colour("ferric_carboxymaltose")}
ARM_LABELS = {"untreated": "untreated", "oral": f"oral ferrous sulfate {dose_text('ferrous_sulfate')}/day",
              "iv": f"IV ferric carboxymaltose {dose_text('ferric_carboxymaltose')}"}

#: Dopaminergic regimens for part 2: drug -> (dose mg, clock hour), the drug table's reference
#: doses (as in rlsmodel.experiments.augmentation and the scorecard).
DRUG_DOSES = reference_doses(("levodopa", "pramipexole", "ropinirole", "rotigotine"))


# ============================================================================================
# part 1: oral versus IV iron
# ============================================================================================
def iron_regimen(arm, start_day):
    """The :class:`Regimen` of an iron arm starting on ``start_day`` (None if untreated)."""
    spec = IRON_ARMS[arm]
    if spec is None:
        return None
    drug, dose, hour, daily = spec
    if daily:
        return Regimen.daily(drug, dose, hour, start_day=start_day)
    return Regimen.once(drug, dose, start_day, hour)


def run_iron_arms(model, profile=PROFILE, start_day=28, follow_up_days=364, sample_every_hours=1.0,
                  arms=tuple(IRON_ARMS), progress=False):
    """Simulate each iron arm; return ``{arm: {"ds": Dataset, "daily": Dataset}}``.

    Each run is ``start_day`` untreated days, then ``follow_up_days`` from the first iron dose.
    """
    from tqdm.auto import tqdm
    out = {}
    for arm in tqdm(arms, desc="iron arms", disable=not progress):
        ds = model.simulate(start_day + follow_up_days, profile, regimen=iron_regimen(arm, start_day),
                            sample_every_hours=sample_every_hours)
        out[arm] = {"ds": ds, "daily": outcomes.daily(ds)}
    return out


def daily_mean(ds, name):
    """(day index, daily mean of ``name``) over whole days of the run (removes the rhythm)."""
    t, v = ds["time"].values, ds[name].values
    day = np.floor(t + 1e-9).astype(int)
    n = int(np.floor(t[-1] + 1e-9))
    keep = day < n
    sums = np.bincount(day[keep], weights=v[keep], minlength=n)
    counts = np.bincount(day[keep], minlength=n)
    return np.arange(n), sums / np.maximum(counts, 1)


def summarise_iron(results, start_day):
    """One table row per arm: ferritin course, saturation, brain readouts and symptoms."""
    rows = []
    ref = results["untreated"]["ds"] if "untreated" in results else None
    for arm, res in results.items():
        ds, daily = res["ds"], res["daily"]
        t_end = float(ds["time"].values[-1])
        follow = t_end - start_day
        _, tsat = daily_mean(ds, "transferrin_saturation")

        def rel_end(name):
            base = value_at(ds, name, start_day)
            return round(100.0 * (value_at(ds, name, t_end) / base - 1.0), 2)

        row = {
            "arm": arm,
            "ferritin_baseline": round(value_at(ds, "serum_ferritin", start_day), 1),
            "ferritin_week1": round(value_at(ds, "serum_ferritin", start_day + 7.5), 1),
            "ferritin_week4": round(value_at(ds, "serum_ferritin", start_day + 28.5), 1),
            "ferritin_week12": round(value_at(ds, "serum_ferritin", start_day + 84.5), 1) if follow >= 85 else None,
            "ferritin_end": round(value_at(ds, "serum_ferritin", t_end), 1),
            "tsat_week1_pct": round(float(tsat[start_day + 7]), 1),
            "tsat_end_pct": round(float(tsat[-1]), 1),
            "brain_iron_change_pct": rel_end("brain_iron"),
            "csf_ferritin_change_pct": rel_end("csf_ferritin"),
            "myelin_change_pct": rel_end("myelin"),
            "irls_baseline": round(window_mean(daily, "irls", 0, start_day), 2),
            "irls_week4": round(window_mean(daily, "irls", start_day + 21, start_day + 28), 2),
            "irls_week6": round(window_mean(daily, "irls", start_day + 35, start_day + 42), 2),
            "irls_week12": round(window_mean(daily, "irls", start_day + 77, start_day + 84), 2) if follow >= 84 else None,
            "irls_week24": round(window_mean(daily, "irls", start_day + 161, start_day + 168), 2) if follow >= 168 else None,
            "bbb_release_week4_vs_baseline_pct": round(100.0 * (value_at(ds, "bbb_iron_release", start_day + 28.0)
                                                                / value_at(ds, "bbb_iron_release", start_day) - 1.0), 1),
            "irls_last_4_weeks": round(window_mean(daily, "irls", int(t_end) - 28, int(t_end)), 2),
            "onset_baseline_h": round(window_mean(daily, "onset_hour", 0, start_day), 2),
            "onset_last_4_weeks_h": round(window_mean(daily, "onset_hour", int(t_end) - 28, int(t_end)), 2),
        }
        if ref is not None:
            row["brain_iron_vs_untreated_pct"] = round(
                100.0 * (value_at(ds, "brain_iron", t_end) / value_at(ref, "brain_iron", t_end) - 1.0), 2)
        # a change that rounds to zero from below prints "0.0", not "-0.0" (x + 0.0 is +0.0 for x = -0.0)
        rows.append({k: v + 0.0 if isinstance(v, float) else v for k, v in row.items()})
    return rows


#: The chain from blood to brain to symptoms, one row each: (variable, axis label).
#: Variables with a daily rhythm are drawn as daily means.
IRON_CHAIN_PANELS = (
    (("serum_ferritin", "serum ferritin (ug/L)"),
     ("transferrin_saturation", "transferrin saturation (%)"),
     ("hepcidin", "hepcidin (1 = healthy)"),
     ("fe_macrophage_store", "macrophage ferritin iron (mg)")),
    (("bbb_iron_release", "BBB iron release into brain (mg/day)"),
     ("fe_endothelium", "BBB endothelial iron (mg)"),
     ("fe_interstitial", "brain interstitial iron (mg)"),
     ("fe_neuron_labile", "neuronal labile iron (mg)")),
    (("d2_density", "D2 density (1 = healthy)"),
     ("excitability", "excitability (1 = healthy)"),
     ("irls", "IRLS-like score (0-40), weekly mean"),
     ("onset_hour", "symptom onset (clock hour), weekly mean")),
)
_ROW_TITLES = ("blood", "barrier and brain", "dopamine, excitability and symptoms")
_WEEKLY = ("irls", "onset_hour")


#: Published time course of IV ferric carboxymaltose 1000 mg in iron-deficient RLS (ferritin
#: < 75 ug/L): (week, placebo-corrected IRLS change, 95% CI low, high); Trenkwalder et al. 2017
#: Mov Disord 32:1478 (science.md section 9). The scorecard rows T-iron-IV-trial-week4/-week12.
PUBLISHED_IV_COURSE = ((4, -2.5, -5.93, 1.02), (12, -4.66, -8.59, -0.73))


def draw_published_course(ax, untreated_daily, start_day):
    """Draw :data:`PUBLISHED_IV_COURSE` on an IRLS panel.

    Each published week is drawn at the untreated patient's weekly IRLS plus the published
    placebo-corrected change, with its 95% CI as the error bar (the model's comparator for a
    placebo-corrected effect is the same patient untreated); weeks beyond the run are left out.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The IRLS panel; its x axis is weeks since the infusion.
    untreated_daily : xarray.Dataset
        Daily outcomes (:func:`rlsmodel.outcomes.daily`) of the untreated patient.
    start_day : int
        Day of the infusion (day).
    """
    for i, (week, change, lo, hi) in enumerate(PUBLISHED_IV_COURSE):
        ref = window_mean(untreated_daily, "irls", start_day + 7 * (week - 1), start_day + 7 * week)
        if not np.isfinite(ref):            # a run shorter than the published week
            continue
        ax.errorbar(week - 0.5, ref + change, yerr=[[change - lo], [hi - change]], fmt="D", ms=6, capsize=4,
                    color="k", mfc="white", zorder=5,
                    label=None if i else "published IV vs placebo, 95% CI\n(Trenkwalder 2017), on the untreated curve")


def figure_iron(results, start_day, path, provenance):
    """The weeks after oral and IV iron, from blood (top) through the barrier and brain iron
    (middle) to D2 density, excitability and the weekly IRLS-like score (bottom)."""
    plt = plotting.plt
    fig, axes = plt.subplots(3, 4, figsize=(17, 10.5), sharex=True)
    for arm, res in results.items():
        ds, daily = res["ds"], res["daily"]
        c = ARM_COLOURS[arm]
        for row, panels in zip(axes, IRON_CHAIN_PANELS):
            for ax, (name, label) in zip(row, panels):
                if name in _WEEKLY:
                    wk, v = plotting.weekly(daily, name)
                    ax.plot(wk + 0.5 - start_day / 7.0, v, "o-", ms=3, color=c, label=ARM_LABELS[arm])
                else:
                    d, v = daily_mean(ds, name)
                    ax.plot((d + 0.5 - start_day) / 7.0, v, color=c, label=ARM_LABELS[arm])
                ax.set_ylabel(label, fontsize=9)
    for row, title in zip(axes, _ROW_TITLES):
        row[0].set_title(title, loc="left", fontsize=10, fontweight="bold")
    for ax in axes.flat:
        ax.axvline(0, color="0.5", lw=0.8, ls="--")
    for ax in axes[-1]:
        ax.set_xlabel("weeks since the first iron dose")
    if "untreated" in results and "iv" in results:
        irls_ax = axes[-1, [name for name, _ in IRON_CHAIN_PANELS[-1]].index("irls")]
        draw_published_course(irls_ax, results["untreated"]["daily"], start_day)
        irls_ax.legend(fontsize=6.5, loc="lower right")
    axes[-1, 3].invert_yaxis()
    axes[0, 0].legend(fontsize=8)
    fig.suptitle(f"Oral versus IV iron in {PROFILE}: from blood to brain to symptoms (daily means)")
    fig.tight_layout()
    return plotting.save(fig, path, provenance)


# ============================================================================================
# part 2: iron repletion before a dopaminergic drug
# ============================================================================================
def run_iron_then_drug(model, drug, profile=PROFILE, iron_day=28, drug_day=90, treatment_days=365,
                       sample_every_hours=1.0, baseline_days=28):
    """Drug alone versus IV iron then the drug; return ``{arm: {"ds", "daily", "verdict"}}``.

    Arms ``"drug alone"`` and ``"IV iron first"``: the drug (``DRUG_DOSES``) daily from
    ``drug_day`` for ``treatment_days``; in the second arm 1000 mg FCM on ``iron_day``.
    Augmentation is scored against the last ``baseline_days`` untreated (drug-free) days.
    """
    if not 0 < iron_day < drug_day - baseline_days + 1:
        raise ValueError("need iron_day < drug_day - baseline_days: the pre-drug baseline must follow the infusion")
    dose, hour = DRUG_DOSES[drug]
    drug_reg = Regimen.daily(drug, dose, hour, start_day=drug_day)     # the reference regimen
    regimens = {"drug alone": drug_reg, "IV iron first": iron_regimen("iv", iron_day) + drug_reg}
    out = {}
    for arm, reg in regimens.items():
        ds = model.simulate(drug_day + treatment_days, profile, regimen=reg, sample_every_hours=sample_every_hours)
        out[arm] = {"ds": ds, "daily": outcomes.daily(ds),
                    "verdict": outcomes.augmentation(ds, regimen_start_day=drug_day, baseline_days=baseline_days)}
    return out


def summarise_augmentation(drug, runs, iron_day, drug_day):
    """One row per arm: symptoms before and on the drug, and the augmentation verdict."""
    rows = []
    for arm, res in runs.items():
        v, daily = res["verdict"], res["daily"]
        n = int(daily["day"].values[-1]) + 1

        def weeks(day):
            return None if day is None else round((day - drug_day) / 7.0, 1)
        rows.append({
            "drug": drug, "arm": arm,
            "ferritin_at_drug_start": round(value_at(res["ds"], "serum_ferritin", drug_day), 1),
            "brain_iron_at_drug_start": round(value_at(res["ds"], "brain_iron", drug_day), 3),
            "irls_pre_iron": round(window_mean(daily, "irls", 0, iron_day), 2),
            "irls_pre_drug": round(float(v["baseline_irls"]), 2),
            "irls_drug_weeks_1_3": round(window_mean(daily, "irls", drug_day, drug_day + 21), 2),
            "irls_last_4_weeks": round(float(v["late_irls"]), 2),
            "weeks_to_mpi": weeks(v["day_met"]),
            "weeks_to_clinically_relevant": weeks(v["day_met_clinically_relevant"]),
            "onset_advance_h": round(float(v["onset_advance_h"]), 2),
            "late_asrs": round(float(v["late_asrs"]), 2),
            "treated_days": n - drug_day,
        })
    return rows


def figure_iron_then_drug(all_runs, iron_day, drug_day, path, provenance):
    """Per drug: weekly IRLS and onset hour, drug alone versus IV iron first."""
    plt = plotting.plt
    drugs = list(all_runs)
    fig, axes = plt.subplots(2, len(drugs), figsize=(6.5 * len(drugs), 7), squeeze=False, sharex=True)
    styles = {"drug alone": "-", "IV iron first": "--"}
    for j, drug in enumerate(drugs):
        for arm, res in all_runs[drug].items():
            wk, irls = plotting.weekly(res["daily"], "irls")
            _, onset = plotting.weekly(res["daily"], "onset_hour")
            x = wk + 0.5 - drug_day / 7.0
            c = plotting.colour(drug)
            axes[0, j].plot(x, irls, styles[arm], color=c, label=arm)
            axes[1, j].plot(x, onset, styles[arm], color=c, label=arm)
        for ax in axes[:, j]:
            ax.axvline(0, color="0.5", lw=0.8)
            ax.axvline((iron_day - drug_day) / 7.0, color=ARM_COLOURS["iv"], lw=0.8, ls=":")
        axes[0, j].set_title(f"{drug} from day {drug_day} ({PROFILE})")
        axes[0, j].set_ylabel("IRLS-like score (0-40), weekly mean")
        axes[1, j].set_ylabel("symptom onset (clock hour), weekly mean")
        axes[1, j].invert_yaxis()
        axes[1, j].set_xlabel("weeks since the first dose of the drug (dotted: IV iron)")
        axes[0, j].legend(fontsize=8)
    fig.suptitle("Does iron repletion before a dopaminergic drug change augmentation?")
    fig.tight_layout()
    return plotting.save(fig, path, provenance)


# ============================================================================================
# tables and run
# ============================================================================================
def markdown_table(rows) -> str:
    """The rows as a Markdown table (``none``: criteria never met)."""
    keys = list(rows[0])
    fmt = lambda v: "none" if v is None else str(v)  # noqa: E731
    lines = ["| " + " | ".join(keys) + " |", "|" + " --- |" * len(keys)]
    lines += ["| " + " | ".join(fmt(r[k]) for k in keys) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def tables_page(iron_rows, aug_rows, settings) -> str:
    """The Markdown page ``iron_therapy_table.md`` (both tables; part 2 only with ``aug_rows``)."""
    text = (
        "# Iron therapy in iron-deficient RLS\n\n"
        f"Generated by `rlsmodel run iron_therapy` (rlsmodel {__version__}); settings "
        f"`{json.dumps(settings)}`.\n\n"
        f"## Oral versus IV iron ({PROFILE})\n\n"
        "Ferritin in ug/L at the first iron dose (baseline) and weeks after it; transferrin saturation "
        "as a daily mean; changes in % from the first dose to the end of follow-up; IRLS-like score "
        "(0-40) and onset clock hour (24 = midnight) averaged over the windows named.\n\n"
        + markdown_table(iron_rows))
    if aug_rows:
        text += (
            "\n## Iron repletion before a dopaminergic drug\n\n"
            f"IV ferric carboxymaltose {dose_text('ferric_carboxymaltose')} on day {settings['iron_day']} then the "
            f"drug (its reference dose: " + ", ".join(f"{d} {dose_text(d, v[0])} at {v[1]:g} h"
                                                      for d, v in DRUG_DOSES.items()) + ") from day "
            f"{settings['drug_day']}, versus the drug alone. Augmentation is scored against each arm's last "
            "28 drug-free days (`irls_pre_drug`); `irls_pre_iron` is the common untreated baseline. Weeks count "
            "from the first dose of the drug; `none` = criteria never met.\n\n" + markdown_table(aug_rows))
    return text


def output_names(drugs=("pramipexole", "levodopa")) -> list:
    """The files :func:`run` writes (part 2's only when ``drugs`` is not empty)."""
    return [TABLE_IRON] + ([TABLE_DRUG] if drugs else []) + [TABLE_MD, FIGURE_IRON] + ([FIGURE_DRUG] if drugs else [])


def _check(follow_up_days, iron_day, drug_day, treatment_days, drugs, sample_every_hours):
    for name, v in (("follow_up_days", follow_up_days), ("iron_day", iron_day), ("drug_day", drug_day),
                    ("treatment_days", treatment_days)):
        if isinstance(v, bool) or not isinstance(v, int):
            raise ValueError(f"{name} must be a whole number of days; got {v!r}")
    for d in drugs:
        if d not in DRUG_DOSES:
            raise ValueError(f"unknown drug {d!r}; choose from {', '.join(DRUG_DOSES)}")
    if iron_day < 7 or follow_up_days < 49:
        raise ValueError(f"iron_day must be >= 7 and follow_up_days >= 49 (the table reads week 6); got "
                         f"iron_day = {iron_day}, follow_up_days = {follow_up_days}")
    if drugs and drug_day - iron_day < 28 + 1:
        raise ValueError(f"drug_day ({drug_day}) must be at least 29 days after iron_day ({iron_day}): a drug-free "
                         "baseline after the infusion")
    if drugs and treatment_days < 28:
        raise ValueError(f"treatment_days must be >= 28 (the verdict reads the last 4 weeks); got {treatment_days}")
    if not (isinstance(sample_every_hours, (int, float)) and 0 < sample_every_hours <= 24):
        raise ValueError(f"sample_every_hours must lie in (0, 24] h; got {sample_every_hours!r}")


def run(out=None, *, follow_up_days=364, iron_day=28, drug_day=90, treatment_days=365,
        drugs=("pramipexole", "levodopa"), sample_every_hours=1.0, augmentation="d2_tolerance", quick=False,
        overwrite=False, progress=None) -> ExperimentResult:
    """Run both parts and write the tables and figures into ``out``.

    Parameters
    ----------
    out : str or os.PathLike, optional
        Output directory (default ``./rlsmodel-output``); existing files refused unless ``overwrite``.
    follow_up_days : int
        Days of follow-up after the first iron dose (part 1; >= 49).
    iron_day : int
        Day of the first iron dose, and of the infusion in part 2 (>= 7).
    drug_day : int
        First day of the dopaminergic drug (part 2; >= ``iron_day`` + 29).
    treatment_days : int
        Days of dopaminergic treatment (part 2).
    drugs : sequence of str
        Dopaminergic drugs of part 2 (empty: skip part 2).
    sample_every_hours : float
        Output sampling (h).
    augmentation : str
        Augmentation mechanism of the model.
    quick : bool
        12 weeks of iron follow-up and 6 months of drug (overrides ``follow_up_days`` and
        ``treatment_days``).
    overwrite : bool
        Replace existing output files.
    progress : bool or None
        Progress bar (None: when stderr is a terminal).

    Returns
    -------
    ExperimentResult
        ``tables["iron"]`` (one row per iron arm) and ``tables["augmentation"]`` (per drug
        and arm); ``datasets``: the runs, keyed ``"iron <arm>"`` and ``"<drug>: <arm>"``.
    """
    from tqdm.auto import tqdm
    if quick:
        follow_up_days, treatment_days = 84, 182
    drugs = list(drugs)
    _check(follow_up_days, iron_day, drug_day, treatment_days, drugs, sample_every_hours)
    out_dir = OutputDir(DEFAULT_OUT if out is None else out, output_names(drugs), overwrite)
    model = Model(augmentation=augmentation)
    settings = {"profile": PROFILE, "iron_day": iron_day, "follow_up_days": follow_up_days,
                "drug_day": drug_day, "treatment_days": treatment_days, "drugs": drugs,
                "augmentation_mechanism": augmentation, "sample_every_hours": sample_every_hours}
    provenance = {"experiment": NAME, "rlsmodel_version": __version__, **settings,
                  "iron_arms": {k: v for k, v in IRON_ARMS.items() if v}, "drug_doses": DRUG_DOSES}

    jobs = len(IRON_ARMS) + 2 * len(drugs)
    with tqdm(total=jobs, desc="iron_therapy runs", disable=None if progress is None else not progress) as bar:
        iron = {}
        for arm in IRON_ARMS:
            iron.update(run_iron_arms(model, start_day=iron_day, follow_up_days=follow_up_days,
                                      sample_every_hours=sample_every_hours, arms=(arm,)))
            bar.update(1)
        aug_runs, aug_rows = {}, []
        for drug in drugs:
            aug_runs[drug] = run_iron_then_drug(model, drug, iron_day=iron_day, drug_day=drug_day,
                                                treatment_days=treatment_days, sample_every_hours=sample_every_hours)
            aug_rows += summarise_augmentation(drug, aug_runs[drug], iron_day, drug_day)
            bar.update(2)

    iron_rows = summarise_iron(iron, iron_day)
    out_dir.write_csv(TABLE_IRON, iron_rows)
    if aug_rows:
        out_dir.write_csv(TABLE_DRUG, aug_rows)
    out_dir.write_text(TABLE_MD, markdown_stamp() + tables_page(iron_rows, aug_rows, settings))
    with warnings.catch_warnings():      # weeks without symptoms have no onset hour (NaN)
        warnings.filterwarnings("ignore", "Mean of empty slice", RuntimeWarning)
        out_dir.save(FIGURE_IRON, lambda p: figure_iron(iron, iron_day, p, provenance))
        if aug_runs:
            out_dir.save(FIGURE_DRUG, lambda p: figure_iron_then_drug(aug_runs, iron_day, drug_day, p, provenance))
    datasets = {f"iron {arm}": res["ds"] for arm, res in iron.items()}
    datasets.update({f"{drug}: {arm}": res["ds"] for drug, runs in aug_runs.items() for arm, res in runs.items()})
    return ExperimentResult(NAME, out_dir.path, list(out_dir.written),
                            tables={"iron": iron_rows, "augmentation": aug_rows}, datasets=datasets)


def main(argv=None, prog=None, default_out=DEFAULT_OUT, overwrite=False) -> int:
    """Command line of :func:`run` (``rlsmodel run iron_therapy``); returns the exit status."""
    ap = experiment_parser(prog or f"rlsmodel run {NAME}", DESCRIPTION, default_out, overwrite)
    ap.add_argument("--follow-up-days", type=int, default=364, help="iron follow-up after the first dose (days)")
    ap.add_argument("--iron-day", type=int, default=28, help="day of the first iron dose / the infusion")
    ap.add_argument("--drug-day", type=int, default=90, help="first day of the dopaminergic drug (part 2)")
    ap.add_argument("--treatment-days", type=int, default=365, help="days of dopaminergic treatment (part 2)")
    ap.add_argument("--drugs", nargs="*", default=["pramipexole", "levodopa"],
                    help="dopaminergic drugs for part 2 (none: skip part 2)")
    ap.add_argument("--sample-every-hours", type=float, default=1.0)
    ap.add_argument("--augmentation", default="d2_tolerance", help="augmentation mechanism")
    ap.add_argument("--quick", action="store_true", help="12 weeks of iron follow-up, 6 months of drug")
    args = ap.parse_args(argv)
    result = run(args.out, follow_up_days=args.follow_up_days, iron_day=args.iron_day, drug_day=args.drug_day,
                 treatment_days=args.treatment_days, drugs=args.drugs, sample_every_hours=args.sample_every_hours,
                 augmentation=args.augmentation, quick=args.quick, overwrite=args.overwrite)
    print((result.out / TABLE_MD).read_text(encoding="utf-8"))
    print(f"figures and tables written to {result.out}")
    return 0


if __name__ == "__main__":      # pragma: no cover
    sys.exit(main())
