"""Every target under every hypothesis, side by side: the table a paper would print.

A *hypothesis* is one model: an augmentation mechanism (the plug-ins of
:mod:`rlsmodel.model.hypotheses`: ``d2_tolerance``, ``d3_d1_spinal``) combined with a
direction of the membrane-DAT change in iron deficiency (``dat_hypothesis``: ``reduced``,
``increased``). :func:`compare` runs the scorecard (:func:`~rlsmodel.validation.validate`)
under each and returns a :class:`Comparison`; :func:`write_comparison` writes
``docs/hypotheses.md`` (:func:`comparison_markdown`) and ``figures/hypotheses.png``
(:func:`comparison_figure`). ``rlsmodel validate --compare [--quick] [--population N] [-o DIR]``
does both.

>>> from rlsmodel import validation
>>> cmp = validation.compare(quick=True)                      # doctest: +SKIP
>>> cmp.discriminating()                                      # doctest: +SKIP
>>> validation.write_comparison(cmp, ".")                     # doctest: +SKIP

A target *discriminates* when its status (pass, fail, not modelled) is not the same under
every hypothesis: those rows are marked ◆ and listed first. Each hypothesis gets a verdict
generated from the results: how many targets it passes, and which discriminating targets it
passes and fails.
"""
from __future__ import annotations
from ..fileio import write_text_atomic

import time
from dataclasses import dataclass, field
from pathlib import Path

from tqdm.auto import tqdm

from .._version import __version__
from .protocol import POPULATION_SEED, POPULATION_WEEKS
from . import reporting
from .reporting import STATUS_COLOURS, population_sentence, shorten
from .runs import check_population, check_seed, check_workers
from .scorecard import validate
from .scoring import FAIL, NOT_MODELLED, PASS, STATUSES, count_statuses, format_value

#: Marker of a discriminating target (its status differs between hypotheses).
MARK = "◆"
#: Status symbols in the table cells.
SYMBOLS = {PASS: "✓", FAIL: "✗", NOT_MODELLED: "–"}


def hypothesis_label(model) -> str:
    """Column label of a model: ``"<augmentation mechanism> / DAT <direction>"``."""
    return f"{model.augmentation} / DAT {model.dat_hypothesis}"


def default_models() -> dict:
    """``{label: Model}`` for every built-in augmentation mechanism x every DAT direction."""
    from ..model.hypotheses import DAT_HYPOTHESES, augmentation_names
    from ..simulator import Model
    models = {}
    for mechanism in augmentation_names():
        for dat in DAT_HYPOTHESES:
            m = Model(augmentation=mechanism, dat_hypothesis=dat)
            models[hypothesis_label(m)] = m
    return models


def _as_models(models) -> dict:
    if models is None:
        return default_models()
    if hasattr(models, "items"):
        out = dict(models)
    else:
        out = {}
        for m in models:
            label = hypothesis_label(m)
            if label in out:
                raise ValueError(f"two models share the label {label!r}; pass a dict {{label: model}} to name them")
            out[label] = m
    if len(out) < 1:
        raise ValueError("compare needs at least one model (default: every mechanism x DAT direction)")
    for label, m in out.items():
        if not isinstance(label, str) or not label.strip():
            raise ValueError(f"hypothesis labels must be non-empty strings; got {label!r}")
        if not hasattr(m, "simulate"):
            raise ValueError(f"hypothesis {label!r}: expected an rlsmodel.Model; got {type(m).__name__}")
    return out


@dataclass
class Comparison:
    """The scorecard of every hypothesis, aligned by target.

    ``labels``: hypothesis labels (column order); ``scorecards``: ``{label: Scorecard}``;
    ``rows``: one dict per target in scorecard order with ``id, category, target, source,
    expected, unit`` and ``cells`` (``{label: scorecard row}``); ``meta``: mode, population,
    seconds per hypothesis, version, date.
    """

    labels: tuple
    scorecards: dict
    rows: list
    meta: dict = field(default_factory=dict)

    @staticmethod
    def from_scorecards(scorecards: dict, meta=None) -> "Comparison":
        """Align ``{label: Scorecard}`` (the same targets in each) into a Comparison."""
        labels = tuple(scorecards)
        if not labels:
            raise ValueError("no scorecards to compare")
        ids = [r["id"] for r in scorecards[labels[0]]]
        for label in labels[1:]:
            other = [r["id"] for r in scorecards[label]]
            if other != ids:
                raise ValueError(f"scorecard {label!r} has other targets than {labels[0]!r}; compare needs the same "
                                 "targets under every hypothesis")
        by_label = {label: {r["id"]: r for r in card} for label, card in scorecards.items()}
        rows = []
        for first in scorecards[labels[0]]:
            i = first["id"]
            rows.append({k: first[k] for k in ("id", "category", "target", "source", "expected", "unit")}
                        | {"cells": {label: by_label[label][i] for label in labels}})
        return Comparison(labels, dict(scorecards), rows, dict(meta or {}))

    # -- reading ---------------------------------------------------------------------------------
    def statuses(self, target_id) -> dict:
        """``{label: status}`` of one target."""
        return {label: cell["status"] for label, cell in self._row(target_id)["cells"].items()}

    def _row(self, target_id):
        for r in self.rows:
            if r["id"] == target_id:
                return r
        raise ValueError(f"no target {target_id!r} in this comparison")

    def is_discriminating(self, target_id) -> bool:
        """True when the target's status is not the same under every hypothesis."""
        return len(set(self.statuses(target_id).values())) > 1

    def discriminating(self) -> list:
        """Ids of the discriminating targets, in scorecard order."""
        return [r["id"] for r in self.rows if self.is_discriminating(r["id"])]

    def ordered_rows(self) -> list:
        """Rows with the discriminating targets first (each group in scorecard order)."""
        disc = set(self.discriminating())
        return [r for r in self.rows if r["id"] in disc] + [r for r in self.rows if r["id"] not in disc]

    def counts(self) -> dict:
        """``{label: {status: number of targets}}``."""
        return {label: count_statuses(self.scorecards[label]) for label in self.labels}

    def verdicts(self) -> dict:
        """``{label: one paragraph}`` generated from the results."""
        counts = self.counts()
        disc = self.discriminating()
        best = max(counts[label][PASS] for label in self.labels)
        leaders = [label for label in self.labels if counts[label][PASS] == best]
        out = {}
        for label in self.labels:
            c = counts[label]
            scored = c[PASS] + c[FAIL]
            words = [f"passes {c[PASS]} of {scored} scored targets ({c[FAIL]} fail, {c[NOT_MODELLED]} not modelled)"]
            if len(self.labels) > 1:
                if label in leaders:
                    words[0] += (", the most of the hypotheses compared" if len(leaders) == 1
                                 else f", level with {', '.join(x for x in leaders if x != label)} for the most")
                else:
                    words[0] += f", {best - c[PASS]} fewer than {', '.join(leaders)}"
            if not disc:
                words.append("no target discriminates between the hypotheses in this run")
            else:
                won = [i for i in disc if self.statuses(i)[label] == PASS]
                lost = [i for i in disc if self.statuses(i)[label] == FAIL]
                other = [i for i in disc if self.statuses(i)[label] == NOT_MODELLED]
                part = f"of the {len(disc)} discriminating targets it passes {len(won)}"
                if won:
                    part += f" ({', '.join(won)})"
                part += f" and fails {len(lost)}"
                if lost:
                    part += f" ({', '.join(lost)})"
                if other:
                    part += f"; {len(other)} not modelled ({', '.join(other)})"
                words.append(part)
            out[label] = "; ".join(words) + "."
        return out


def compare(models=None, quick: bool = False, targets=None, population=None, seed=POPULATION_SEED, workers=None,
            progress: bool = False, *, population_weeks=POPULATION_WEEKS) -> Comparison:
    """Score every target under every hypothesis; return a :class:`Comparison`.

    Parameters
    ----------
    models
        ``{label: Model}``, an iterable of models (labelled by :func:`hypothesis_label`),
        or None: every built-in augmentation mechanism x every DAT direction
        (:func:`default_models`).
    quick, targets, population, seed, workers, population_weeks
        as for
        :func:`~rlsmodel.validation.validate`, the same for every hypothesis (each hypothesis
        runs its own population trial, with the same seed: the same virtual patients).
    progress
        tqdm bars over the hypotheses and their targets.
    """
    check_population(population), check_seed(seed), check_workers(workers)      # before any work
    t0 = time.perf_counter()
    models = _as_models(models)
    items = list(models.items())
    it = tqdm(items, desc="hypotheses", unit="hypothesis", disable=not progress)
    cards, seconds = {}, {}
    for label, model in it:
        card = validate(model, quick=quick, targets=targets, progress=progress, population=population, seed=seed,
                        workers=workers, population_weeks=population_weeks)
        cards[label], seconds[label] = card, card.meta["seconds"]
    first = next(iter(cards.values())).meta
    # the stamp names the default hypothesis's model (the package's Model()), else the first one
    default = [m for m in models.values() if (getattr(m, "augmentation", None), getattr(m, "dat_hypothesis", None))
               == ("d2_tolerance", "reduced")]
    identity_of = (default or list(models.values()))[0]
    meta = {"rlsmodel_version": __version__, "quick": bool(quick), "population": first.get("population"),
            "model_identity": identity_of.identity() if hasattr(identity_of, "identity") else None,
            "population_seed": first.get("population_seed"), "population_weeks": first.get("population_weeks"),
            "population_profile": first.get("population_profile"),
            "population_min_baseline_irls": first.get("population_min_baseline_irls"),
            "population_arms": first.get("population_arms"), "treatment_days": first.get("treatment_days"),
            "seconds_per_hypothesis": seconds, "seconds": round(time.perf_counter() - t0, 1),
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
    return Comparison.from_scorecards(cards, meta)


# ================================================================================================
# writing
# ================================================================================================
def _md(s) -> str:
    return " ".join(str(s).split()).replace("|", "\\|")


def cell_text(row) -> str:
    """A table cell: status symbol and the simulated headline value (``"✓ 12.3 %"``; ``"–"``)."""
    if row["status"] == NOT_MODELLED:
        return SYMBOLS[NOT_MODELLED]
    value = format_value(row["value"], row["unit"])
    return f"{SYMBOLS[row['status']]} {value}" + (" **fail**" if row["status"] == FAIL else "")


def command_line(meta) -> str:
    """The ``rlsmodel validate --compare ...`` call that reproduces a comparison with ``meta``."""
    return reporting.command_line(meta, compare=True)


def _stamp_lines(meta) -> list:
    """The model stamp as a Markdown comment line (none when the meta has no identity)."""
    from ..provenance import model_stamp
    identity = meta.get("model_identity")
    return [f"<!-- {model_stamp(identity)} -->"] if isinstance(identity, dict) else []


def comparison_markdown(cmp: Comparison) -> str:
    """``docs/hypotheses.md``: verdicts, counts and one table (a row per target, a column per
    hypothesis; discriminating targets marked and first)."""
    meta = cmp.meta
    mode = "quick" if meta.get("quick") else "full"
    disc = cmp.discriminating()
    counts = cmp.counts()
    head = " | ".join(_md(label) for label in cmp.labels)
    lines = [
        "# Hypotheses compared",
        "",
        f"Generated by `{command_line(meta)}` (rlsmodel {meta.get('rlsmodel_version', __version__)}, "
        f"{meta.get('date', '')}; {mode} mode, {meta.get('seconds', '?')} s). Do not edit by hand.",
        *_stamp_lines(meta),
        "",
        "Every target of the validation scorecard (docs/validation.md) scored under every hypothesis: an "
        "augmentation mechanism (`rlsmodel.model.hypotheses`) combined with a direction of the membrane-DAT change "
        "in iron deficiency (`dat_hypothesis`). A cell gives the status (✓ pass, ✗ fail, – not modelled) and the "
        f"simulated headline value. {MARK} marks a target whose status differs between hypotheses: it "
        f"discriminates, and such targets are listed first ({len(disc)} of {len(cmp.rows)} here).",
        "",
        population_sentence(meta),
        "",
        "## Verdicts",
        "",
    ]
    for label, text in cmp.verdicts().items():
        lines.append(f"- **{_md(label)}** {_md(text)}")
    lines += ["", "## Counts", "", f"| status | {head} |", "| --- |" + " ---: |" * len(cmp.labels)]
    for status in STATUSES:
        lines.append(f"| {status} | " + " | ".join(str(counts[label][status]) for label in cmp.labels) + " |")
    lines.append("| discriminating passed | " + " | ".join(
        str(sum(cmp.statuses(i)[label] == PASS for i in disc)) + f" of {len(disc)}" for label in cmp.labels) + " |")
    lines += ["", "## Every target", "",
              f"| id | category | target | expected | {head} |",
              "| --- | --- | --- | --- |" + " --- |" * len(cmp.labels)]
    for r in cmp.ordered_rows():
        ident = f"{MARK} **{_md(r['id'])}**" if r["id"] in disc else _md(r["id"])
        cells = " | ".join(_md(cell_text(r["cells"][label])) for label in cmp.labels)
        lines.append(f"| {ident} | {_md(r['category'])} | {_md(r['target'])} | {_md(shorten(r['expected'], 160))} "
                     f"| {cells} |")
    lines += ["", "Per-hypothesis details (readouts behind each value, failed conditions): run "
              "`rlsmodel validate --augmentation NAME --dat-hypothesis NAME` for that hypothesis's scorecard.", ""]
    return "\n".join(lines)


def comparison_figure(cmp: Comparison, path):
    """Heat map: targets (discriminating first, marked) x hypotheses, coloured by status."""
    import numpy as np
    from matplotlib import colors, patches

    from .. import plotting
    plt = plotting.plt
    rows = cmp.ordered_rows()
    disc = set(cmp.discriminating())
    code = {s: i for i, s in enumerate(STATUSES)}
    grid = np.array([[code[r["cells"][label]["status"]] for label in cmp.labels] for r in rows])
    height = 0.16 * len(rows) + 1.6
    fig, ax = plt.subplots(figsize=(2.2 + 1.5 * len(cmp.labels), height))
    cmap = colors.ListedColormap([STATUS_COLOURS[s] for s in STATUSES])
    ax.imshow(grid, cmap=cmap, vmin=-0.5, vmax=len(STATUSES) - 0.5, aspect="auto", interpolation="nearest")
    ax.set_xticks(range(len(cmp.labels)))
    ax.set_xticklabels([label.replace(" / ", "\n") for label in cmp.labels], fontsize=7)
    ax.xaxis.tick_top()
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([(f"{MARK} " if r["id"] in disc else "") + r["id"] for r in rows], fontsize=5.5)
    for tick, r in zip(ax.get_yticklabels(), rows):
        if r["id"] in disc:
            tick.set_fontweight("bold")
    if disc:
        ax.axhline(len(disc) - 0.5, color="k", lw=1.0)
    counts = cmp.counts()
    ax.set_xlabel("pass / fail / not modelled: " + ";  ".join(
        f"{counts[label][PASS]}/{counts[label][FAIL]}/{counts[label][NOT_MODELLED]}" for label in cmp.labels), fontsize=7)
    handles = [patches.Patch(color=STATUS_COLOURS[s], label=s) for s in STATUSES]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7, frameon=False)
    ax.set_title(f"Targets by hypothesis ({MARK} discriminating, first)", fontsize=8, pad=24)
    prov = {"figure": "hypotheses compared", **{k: v for k, v in cmp.meta.items()}}
    return plotting.save(fig, path, prov)


def write_comparison(cmp: Comparison, out_dir, figure: bool = True) -> dict:
    """Write ``docs/hypotheses.md`` (and ``figures/hypotheses.png``) under ``out_dir``.

    Returns ``{"markdown": path, "figure": path or None}``.
    """
    out = Path(out_dir)
    md = out / "docs" / "hypotheses.md"
    md.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(md, comparison_markdown(cmp))
    png = comparison_figure(cmp, out / "figures" / "hypotheses.png") if figure else None
    return {"markdown": md, "figure": png}


__all__ = ["Comparison", "compare", "default_models", "hypothesis_label", "comparison_markdown", "comparison_figure",
           "write_comparison", "cell_text", "MARK"]
