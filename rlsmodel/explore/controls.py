"""The explorer's controls, bounded by the declaration.

* Parameter sliders take their bounds from the parameters' declared ranges
  (``Parameter.range``) as hard limits (``fixed_start``/``fixed_end``): neither the slider
  nor its number box can leave the range.
* Choosing a profile resets the sliders to that profile's values.
* Choosing a drug sets the dose and clock hour to its reference dose (the drug table's
  ``reference_dose_mg`` at ``dose_clock_h``, the typical dose every experiment uses) and
  shows the documented maximum daily dose; the dose box itself accepts any number so that a dose above the
  maximum reaches :class:`rlsmodel.Regimen`, whose own error message the page shows.
* Clock hours lie in [0, 24); treatment lasts 7 days to 5 years; the stop day lies after
  the start day.
"""
from __future__ import annotations

import panel as pn

from ..pharmacology import DRUGS, reference_dose
from ..profiles import PROFILES
from ..simulator import AUGMENTATION_MECHANISMS
from .runs import BASELINE_DAYS, SLIDER_PARAMETERS, Settings, get_model, profile_values
from .views import drug_note

NO_DRUG = "none (untreated)"
MAX_TREATMENT_DAYS = 5 * 365
#: Default settings of a new page: genetic RLS, levodopa at its reference dose and hour for a year.
DEFAULTS = Settings(profile="rls_genetic", drug="levodopa", dose_mg=reference_dose("levodopa")[0],
                    clock_hour=reference_dose("levodopa")[1], treatment_days=365)


def _unit_label(unit: str) -> str:
    return "" if unit in ("1", "") else f" ({unit})"


class Controls:
    """Widgets for every :class:`~rlsmodel.explore.runs.Settings` field.

    ``widgets`` maps a field name to its widget (each has the CSS class ``ctl-<field>``,
    so a browser test can find it); :meth:`settings` reads them into a Settings object;
    :attr:`panel` is the column shown in the page.
    """

    def __init__(self, defaults: Settings = DEFAULTS):
        model = get_model(defaults.mechanism)
        w = {}
        w["profile"] = pn.widgets.Select(name="patient profile", options=list(PROFILES), value=defaults.profile)
        values = profile_values(defaults.profile, defaults.mechanism)
        for name, label in SLIDER_PARAMETERS.items():
            p = model.parameters[name]
            lo, hi = (float(x) for x in p.range)
            w[name] = pn.widgets.EditableFloatSlider(
                name=label + _unit_label(p.unit), start=lo, end=hi, fixed_start=lo, fixed_end=hi,
                step=_step(lo, hi), value=min(max(values[name], lo), hi), format="0.00")
        drug_options = {NO_DRUG: NO_DRUG, **{d.long_name: name for name, d in DRUGS.items()}}
        w["drug"] = pn.widgets.Select(name="drug", options=drug_options, value=defaults.drug or NO_DRUG)
        w["dose_mg"] = pn.widgets.FloatInput(name="dose (mg; patch: mg/24 h)", value=defaults.dose_mg, start=0.0,
                                             step=_dose_step(defaults.drug))
        w["clock_hour"] = pn.widgets.EditableFloatSlider(
            name="dose clock time (h after midnight)", start=0.0, end=23.75, fixed_start=0.0, fixed_end=23.75,
            step=0.25, value=defaults.clock_hour, format="0.00")
        w["mechanism"] = pn.widgets.Select(name="augmentation mechanism", options=list(AUGMENTATION_MECHANISMS),
                                           value=defaults.mechanism)
        w["treatment_days"] = pn.widgets.EditableIntSlider(
            name="treatment length (days)", start=7, end=MAX_TREATMENT_DAYS, fixed_start=7,
            fixed_end=MAX_TREATMENT_DAYS, step=7, value=defaults.treatment_days)
        w["stop_early"] = pn.widgets.Checkbox(name="stop the drug before the end of the run",
                                              value=defaults.stop_day is not None)
        stop = defaults.stop_day if defaults.stop_day is not None else BASELINE_DAYS + defaults.treatment_days // 2
        w["stop_day"] = pn.widgets.EditableIntSlider(
            name="stop day (first day without a dose)", start=BASELINE_DAYS + 1,
            end=BASELINE_DAYS + MAX_TREATMENT_DAYS, fixed_start=BASELINE_DAYS + 1,
            fixed_end=BASELINE_DAYS + MAX_TREATMENT_DAYS, step=1, value=stop)
        for key, widget in w.items():
            widget.css_classes = [f"ctl-{key.replace('_', '-')}"]
            widget.sizing_mode = "stretch_width"
        self.widgets = w
        self.note = pn.pane.Markdown(drug_note(defaults.drug), css_classes=["drug-note"],
                                     sizing_mode="stretch_width", styles={"font-size": "0.85em"})
        w["drug"].param.watch(self._drug_changed, "value")
        w["profile"].param.watch(self._profile_changed, "value")
        self.panel = pn.Column(
            pn.pane.Markdown("### Patient"), w["profile"], w["bbb_uptake_gain"], w["diet_iron"], w["blood_loss"],
            pn.pane.Markdown("### Treatment"), w["drug"], self.note, w["dose_mg"], w["clock_hour"],
            w["treatment_days"], w["stop_early"], w["stop_day"],
            pn.pane.Markdown("### Hypothesis"), w["mechanism"],
            pn.pane.Markdown(f"The first dose is on day {BASELINE_DAYS}; days 0-{BASELINE_DAYS - 1} are the "
                             "untreated baseline.", styles={"font-size": "0.85em"}),
            sizing_mode="stretch_width", min_width=280, max_width=340,
        )

    # -- reactions inside the panel ------------------------------------------------------------
    def _drug_changed(self, event):
        drug = None if event.new == NO_DRUG else event.new
        self.note.object = drug_note(drug)
        if drug is not None:
            self.widgets["dose_mg"].step = _dose_step(drug)
            dose, hour = reference_dose(drug)
            self.widgets["dose_mg"].value = dose
            self.widgets["clock_hour"].value = hour

    def _profile_changed(self, event):
        values = profile_values(event.new, self.widgets["mechanism"].value)
        for name, v in values.items():
            wdg = self.widgets[name]
            wdg.value = min(max(v, wdg.fixed_start), wdg.fixed_end)

    # -- reading ---------------------------------------------------------------------------------
    @property
    def watched(self):
        """The widgets whose changes start a new run."""
        return list(self.widgets.values())

    def settings(self) -> Settings:
        """The current control values as :class:`Settings` (no validation beyond the widgets')."""
        w = self.widgets
        drug = None if w["drug"].value == NO_DRUG else w["drug"].value
        stop = int(w["stop_day"].value) if w["stop_early"].value else None
        return Settings(
            profile=w["profile"].value,
            bbb_uptake_gain=float(w["bbb_uptake_gain"].value),
            diet_iron=float(w["diet_iron"].value),
            blood_loss=float(w["blood_loss"].value),
            drug=drug,
            dose_mg=float(w["dose_mg"].value) if w["dose_mg"].value is not None else float("nan"),
            clock_hour=float(w["clock_hour"].value),
            mechanism=w["mechanism"].value,
            treatment_days=int(w["treatment_days"].value),
            stop_day=stop,
        )


def _step(lo: float, hi: float) -> float:
    span = hi - lo
    return 0.01 if span <= 5 else 0.1 if span <= 50 else 1.0


def _dose_step(drug) -> float:
    if drug is None:
        return 1.0
    top = DRUGS[drug].max_daily_dose_mg
    return 0.125 if top <= 1 else 0.25 if top <= 5 else 25.0 if top >= 100 else 1.0
