"""The directional physiology targets P1-P12 of science.md section 2, one named test each,
plus the circadian shape of the urge.

Comparisons use the day-averaged steady state of each profile (``model.steady_state``) for
slow quantities and the entrained second day of a 2-day run for daily rhythms. Unless a
test says otherwise, "higher"/"lower" means by more than 0.5%: steady states are solved to
~1e-9, so 0.5% is a real model effect, not numerical noise.

A target the model misses is marked ``xfail(strict=True)`` with the numbers, never
weakened; when calibration fixes it, the strict xfail turns into a failure that says
"remove the marker".
"""
from __future__ import annotations

import numpy as np
import pytest

RLS = ("rls_genetic", "rls_iron_deficient")
NOISE = 0.005   # relative margin that separates a model effect from solver noise

#: Profiles of the rodent iron-status studies (rlsmodel.profiles): severe dietary iron
#: deficiency with brain iron about 35% low (P8, P9-b, P12) and haemochromatosis-like overload
#: with transferrin saturation above 55% (P12).
SEVERE, OVERLOAD = "severe_iron_deficiency", "iron_overload"


def v(ds, name):
    return float(ds[name])


def rel(a, b):
    return a / b - 1.0


def at_hour(day, name, hour):
    return float(np.interp(hour, day["hour"].values, day[name].values))


# -- P1 / P2 ----------------------------------------------------------------------------
def test_P1_P2_rls_genetic_low_brain_and_csf_iron_with_normal_serum_ferritin(steady):
    h, r = steady("healthy"), steady("rls_genetic")
    # P1: brain iron clearly low (MRI SN iron and autopsy H-ferritin reductions are tens of
    # percent; Allen 2001, Connor 2003): at least 10% below healthy
    assert rel(v(r, "brain_iron"), v(h, "brain_iron")) < -0.10
    # P2: CSF ferritin clearly low (Earley 2000: roughly half of controls): at least 10% low
    assert rel(v(r, "csf_ferritin"), v(h, "csf_ferritin")) < -0.10
    # ... while serum ferritin is normal: within 10% of healthy and in 30-400 ug/L
    assert abs(rel(v(r, "serum_ferritin"), v(h, "serum_ferritin"))) < 0.10
    assert 30.0 <= v(r, "serum_ferritin") <= 400.0
    assert 30.0 <= v(h, "serum_ferritin") <= 400.0
    # Mizuno 2005: the CSF/serum ferritin relation has a lower gain in RLS
    assert v(r, "csf_ferritin") / v(r, "serum_ferritin") < (1 - 0.10) * v(h, "csf_ferritin") / v(h, "serum_ferritin")


def test_P1_rls_iron_deficient_has_the_lowest_brain_iron(steady):
    """Both hits together lower brain and CSF iron further than the genetic defect alone."""
    g, b = steady("rls_genetic"), steady("rls_iron_deficient")
    assert v(b, "brain_iron") < (1 - NOISE) * v(g, "brain_iron")
    assert v(b, "csf_ferritin") < (1 - NOISE) * v(g, "csf_ferritin")


# -- P3 ---------------------------------------------------------------------------------
def test_P3_neuronal_tfr_low_in_rls_despite_low_iron_but_high_in_iron_deficiency(steady):
    h, r, d = steady("healthy"), steady("rls_genetic"), steady("iron_deficient")
    # RLS: neuronal labile iron is low ...
    assert v(r, "fe_neuron_labile") < (1 - 0.10) * v(h, "fe_neuron_labile")
    # ... yet TfR on neuromelanin cells is lower (Connor 2003/2004: clearly reduced; >10%)
    assert v(r, "neuron_tfr") < (1 - 0.10) * v(h, "neuron_tfr")
    # the normal IRP response: plain iron deficiency lowers labile iron and raises TfR
    assert v(d, "fe_neuron_labile") < (1 - NOISE) * v(h, "fe_neuron_labile")
    assert v(d, "neuron_tfr") > (1 + NOISE) * v(h, "neuron_tfr")
    assert v(d, "irp_activity") > v(h, "irp_activity")


# -- P4 ---------------------------------------------------------------------------------
def test_P4_hif_raised_in_rls_and_in_iron_deficiency(steady):
    h = steady("healthy")
    for profile in RLS:
        # Patton 2011: HIF-1a clearly raised in RLS SN and microvessels: > 10%
        assert v(steady(profile), "hif") > 1.10 * v(h, "hif"), profile
        assert v(steady(profile), "hif_endothelial") > (1 + NOISE) * v(h, "hif_endothelial"), profile
    assert v(steady("iron_deficient"), "hif") > (1 + NOISE) * v(h, "hif")


# -- P5 ---------------------------------------------------------------------------------
@pytest.mark.parametrize("profile", RLS)
def test_P5_rls_th_activity_up_and_d2_density_down_about_30_percent(steady, profile):
    h, r = steady("healthy"), steady(profile)
    # Connor 2009: TH and phospho-TH raised in putamen and SN: > 10%
    assert v(r, "th_activity") > 1.10 * v(h, "th_activity")
    # D2 about 30% lower in putamen: accept 15-45% lower
    drop = -rel(v(r, "d2_density"), v(h, "d2_density"))
    assert 0.15 <= drop <= 0.45, f"D2 density {100 * drop:.1f}% lower"


@pytest.mark.parametrize("profile", RLS)
def test_P5_rls_tissue_dopamine_unchanged_membrane_dat_lower(steady, profile):
    """Connor 2009: no difference in tissue dopamine (or total DAT) at autopsy: tissue
    dopamine within +-20% of healthy. The model's ``dat`` is *membrane* DAT, which science.md
    P6 says falls in iron deficiency (Bianco 2008) and RLS (Earley et al. 2011 Sleep 34:341,
    'the dopamine transporter is decreased in the striatum'): lower in RLS."""
    h, r = steady("healthy"), steady(profile)
    assert abs(rel(v(r, "da_tissue"), v(h, "da_tissue"))) <= 0.20
    assert v(r, "dat") < (1 - NOISE) * v(h, "dat"), f"membrane DAT {100 * rel(v(r, 'dat'), v(h, 'dat')):+.1f}%"


# -- P6 ---------------------------------------------------------------------------------
def test_P6_membrane_dat_direction_follows_the_declared_hypothesis(steady, model):
    import rlsmodel
    h, d = steady("healthy"), steady("iron_deficient")
    # default hypothesis (Bianco 2008): membrane DAT falls in iron deficiency
    assert model.dat_hypothesis == "reduced"
    assert v(d, "dat") < (1 - NOISE) * v(h, "dat")
    # alternative (Lai 2017): it rises
    inc = rlsmodel.Model(dat_hypothesis="increased")
    assert inc.parameters["dat_iron_exponent"].default < 0
    hi, di = inc.steady_state("healthy"), inc.steady_state("iron_deficient")
    assert v(di, "dat") > (1 + NOISE) * v(hi, "dat")
    # the hypothesis is recorded in outputs
    assert hi.attrs["dat_hypothesis"] == "increased"
    # ... and changes nothing upstream of DAT (iron is the same under both)
    assert v(di, "fe_neuron_labile") == pytest.approx(v(d, "fe_neuron_labile"), rel=1e-8)


# -- P7 / P8 ----------------------------------------------------------------------------
@pytest.mark.parametrize("profile", RLS + ("iron_deficient",))
def test_P7_P8_extracellular_dopamine_not_low_and_daily_swing_not_smaller(day_run, profile):
    h, r = day_run("healthy"), day_run(profile)
    da_h, da_r = h["dopamine_extracellular"].values, r["dopamine_extracellular"].values
    # not lower: daily mean at least the healthy one (Earley 2006/2013; Beard 1994 +30-53%)
    assert da_r.mean() >= da_h.mean(), f"mean {da_r.mean():.2f} vs healthy {da_h.mean():.2f} nM"
    # and not lower at any clock time
    assert np.all(da_r >= da_h * (1 - 1e-6))
    # daily swing (max - min) at least as large as in controls (Earley 2006)
    assert np.ptp(da_r) >= np.ptp(da_h), f"swing {np.ptp(da_r):.2f} vs {np.ptp(da_h):.2f} nM"


@pytest.mark.parametrize("profile", RLS)
def test_P7_rls_dopamine_higher_at_10h_than_at_22h(day_run, profile):
    """Earley 2006: CSF dopamine markers higher at 10:00 than at 22:00 (by > 10%)."""
    r = day_run(profile)
    for name in ("dopamine_extracellular", "dopamine_release"):
        assert at_hour(r, name, 10.0) > 1.10 * at_hour(r, name, 22.0), name


# -- P9 ---------------------------------------------------------------------------------
@pytest.mark.parametrize("profile", RLS + ("iron_deficient",))
def test_P9_myelin_lower_in_rls_and_iron_deficiency(steady, profile):
    h, r = steady("healthy"), steady(profile)
    assert v(r, "myelin") < (1 - NOISE) * v(h, "myelin")
    assert v(r, "fe_oligodendrocyte") < (1 - NOISE) * v(h, "fe_oligodendrocyte")


# -- P10 --------------------------------------------------------------------------------
@pytest.mark.parametrize("profile", ["healthy", "iron_deficient", "rls_genetic"])
def test_P10_plasma_iron_at_18h_well_below_its_morning_value(day_run, profile):
    """Plasma iron 'well below the morning value by 18:00': at least 10% below the
    07:00-10:00 mean, for plasma iron and transferrin saturation alike."""
    day = day_run(profile)
    hour = day["hour"].values
    morning = (hour >= 7.0) & (hour <= 10.0)
    for name in ("fe_plasma", "transferrin_saturation"):
        m = day[name].values[morning].mean()
        evening = at_hour(day, name, 18.0)
        assert evening < 0.90 * m, f"{name}: 18:00 {evening:.3g} vs morning {m:.3g}"
    # the daily maximum is in the morning half of the day
    assert 3.0 <= hour[np.argmax(day["fe_plasma"].values)] <= 12.0


# -- P11 --------------------------------------------------------------------------------
def _evening_peak(day):
    """Max symptom from 18:00 to 04:00 (the evening/night period of RLS)."""
    h = day["hour"].values
    sel = (h >= 18.0) | (h <= 4.0)
    return float(day["symptom"].values[sel].max())


def test_P11_iron_deficiency_worsens_rls_and_lowers_serum_ferritin(steady, day_run):
    # iron deficiency (profile): serum ferritin < 30 ug/L, the usual clinical cut-off
    assert v(steady("iron_deficient"), "serum_ferritin") < 30.0
    assert v(steady("rls_iron_deficient"), "serum_ferritin") < 30.0
    # two hits: worse evening symptom peak than the genetic defect alone (> 2% worse)
    worse, base = _evening_peak(day_run("rls_iron_deficient")), _evening_peak(day_run("rls_genetic"))
    assert worse > 1.02 * base, f"evening peak {worse:.2f} vs {base:.2f}"


def test_P11_lower_serum_ferritin_goes_with_more_severe_rls(steady, day_run):
    """Sun 1998: within RLS, lower serum ferritin correlates with more severe symptoms.
    Lowering dietary iron in the genetic profile lowers ferritin and raises the peak."""
    diets = (20.0, 15.0, 11.0, 8.0)
    ferritin = [v(steady("rls_genetic", diet_iron=d), "serum_ferritin") for d in diets]
    peak = [_evening_peak(day_run("rls_genetic", diet_iron=d)) for d in diets]
    assert np.all(np.diff(ferritin) < 0), ferritin
    assert np.all(np.diff(peak) > 0), peak


# -- P12 --------------------------------------------------------------------------------
def test_P12_bbb_transferrin_receptor_up_in_iron_deficiency_down_in_overload(steady):
    h, d, o = steady("healthy"), steady("iron_deficient"), steady(OVERLOAD)
    # the overload is a real overload (issue 13: transferrin saturation >= 55%)
    assert v(o, "transferrin_saturation") >= 55.0
    assert v(o, "fe_stores") > 2.0 * v(h, "fe_stores")
    # Taylor and Morgan 1991: BBB transferrin receptor/uptake up in deficiency, down in
    # overload; direction with a margin beyond noise (the magnitude, x2 / x0.5, is a
    # calibration matter tested below)
    assert v(d, "tfr_bbb") > (1 + NOISE) * v(h, "tfr_bbb")
    assert v(o, "tfr_bbb") < (1 - NOISE) * v(h, "tfr_bbb")


def test_P12_brain_iron_uptake_per_plasma_pool_doubles_and_halves(steady):
    """Taylor and Morgan 1991 measured uptake of injected 59Fe-transferrin as a percentage of
    the dose, i.e. per plasma iron pool (``bbb_iron_uptake_fraction``): about x2 in dietary
    deficiency, x0.5 in overload. We accept at least x1.41 and at most x0.71."""
    name = "bbb_iron_uptake_fraction"
    h = v(steady("healthy"), name)
    up, down = v(steady(SEVERE), name) / h, v(steady(OVERLOAD), name) / h
    assert up >= 2 ** 0.5 and down <= 2 ** -0.5, f"uptake per plasma pool x{up:.2f} / x{down:.2f}"


@pytest.mark.parametrize("profile", ["healthy", "iron_deficient", SEVERE, OVERLOAD, "rls_genetic"])
def test_brain_iron_influx_equals_efflux_in_steady_state(steady, profile):
    """Why the *absolute* BBB flux cannot double while brain iron is low: in a steady state the
    iron released into the brain equals what leaves it with interstitial drainage, and drainage
    grows with brain interstitial iron. So the absolute flux follows brain iron: down in severe
    deficiency (transferrin saturation about 9%), up in overload (about 90%)."""
    s = steady(profile)
    p = s.attrs.get("parameters")
    import json
    k = json.loads(p)["k_csf_drainage"]
    assert v(s, "bbb_iron_flux") == pytest.approx(v(s, "bbb_iron_release"), rel=1e-6)
    assert v(s, "bbb_iron_release") == pytest.approx(k * v(s, "fe_interstitial"), rel=1e-6)
    h = steady("healthy")
    if profile == SEVERE:
        assert v(s, "bbb_iron_flux") < v(h, "bbb_iron_flux") and v(s, "brain_iron") < v(h, "brain_iron")
    if profile == OVERLOAD:
        assert v(s, "bbb_iron_flux") > v(h, "bbb_iron_flux") and v(s, "brain_iron") > v(h, "brain_iron")


# -- circadian shape of the urge --------------------------------------------------------
@pytest.mark.parametrize("profile", RLS)
def test_untreated_rls_urge_peaks_at_night_and_is_least_in_the_morning_or_midday(day_run, profile):
    """Trenkwalder 1999 / Hening 1999: maximum around midnight-01:00, minimum 09:00-11:00,
    independent of posture. We accept a peak anywhere 20:00-04:00 and the minimum of the
    posture-independent urge (urge_at_rest) anywhere 06:00-14:00."""
    day = day_run(profile)
    hour = day["hour"].values
    urge, symptom = day["urge_at_rest"].values, day["symptom"].values
    for name, series in (("urge_at_rest", urge), ("symptom", symptom)):
        peak_hour = hour[np.argmax(series)]
        assert peak_hour >= 20.0 or peak_hour <= 4.0, f"{name} peaks at {peak_hour:.2f} h"
    min_hour = hour[np.argmin(urge)]
    assert 6.0 <= min_hour <= 14.0, f"urge_at_rest least at {min_hour:.2f} h"
    # RLS is clinically relevant at night (moderate or worse) and mild at midday
    assert symptom.max() >= 5.0
    midday = (hour >= 9.0) & (hour <= 14.0)
    assert symptom[midday].max() < 0.1 * symptom.max()
    assert urge[midday].max() < 0.25 * urge.max()


def test_healthy_peak_urge_is_small(day_run):
    day = day_run("healthy")
    assert day["symptom"].max() < 2.0
    assert day["urge_at_rest"].max() < 2.0


# -- magnitudes where science.md gives numbers (calibration targets) ---------------------
def test_severe_profile_has_the_rodents_brain_iron_deficit(steady):
    """The severe profile is defined by the studies it stands for: brain iron 30-40% low."""
    b = rel(v(steady(SEVERE), "brain_iron"), v(steady("healthy"), "brain_iron"))
    assert -0.40 <= b <= -0.30, f"brain iron {100 * b:+.1f}%"


def test_P8_magnitude_iron_deficiency_raises_extracellular_dopamine_substantially(day_run):
    """Beard 1994 / Erikson 2001: +30 to +53% extracellular striatal dopamine in iron-
    deficient rodents (severe dietary deficiency, brain iron 30-40% low)."""
    gain = rel(day_run(SEVERE)["dopamine_extracellular"].values.mean(),
               day_run("healthy")["dopamine_extracellular"].values.mean())
    assert 0.30 <= gain <= 0.53, f"{SEVERE} extracellular dopamine {100 * gain:+.1f}% (target +30-53%)"


@pytest.mark.parametrize("profile,lo,hi", [("rls_genetic", 0.10, 0.40), ("rls_iron_deficient", 0.10, 0.40),
                                           (SEVERE, 0.25, 0.35)])
def test_P9_magnitude_myelin_deficit_is_substantial(steady, profile, lo, hi):
    """Connor 2011: about 25% less MBP/PLP/CNPase in RLS (accepted 10-40%); 25-35% less MBP in
    severely iron-deficient rodents (Beard 2003)."""
    deficit = -rel(v(steady(profile), "myelin"), v(steady("healthy"), "myelin"))
    assert lo <= deficit <= hi, f"{profile} myelin {100 * deficit:.1f}% lower"


def test_P12_magnitude_bbb_tfr_roughly_doubles_and_halves(steady):
    """Taylor and Morgan 1991: x2 in deficiency, x0.5 in overload. We accept at least
    x1.41 and at most x0.71 (half-way on a log scale)."""
    h = v(steady("healthy"), "tfr_bbb")
    up = v(steady(SEVERE), "tfr_bbb") / h
    down = v(steady(OVERLOAD), "tfr_bbb") / h
    msg = f"tfr_bbb x{up:.2f} in iron deficiency, x{down:.2f} in overload (target x2 / x0.5)"
    assert up >= 2 ** 0.5, msg
    assert down <= 2 ** -0.5, msg
