"""Peripheral iron: diet, hepcidin-gated absorption, plasma transferrin iron, red cells,
macrophage recycling and storage, hepatocyte stores and losses.

All iron amounts in mg, time in days. Hepcidin (half-life about 21 min) is treated as a
quasi-steady-state readout of stores and transferrin iron.

Macrophages hold two pools: the labile recycling pool (``fe_macrophage``, iron from
phagocytosed red cells on its way out through ferroportin within a day) and a ferritin
store (``fe_macrophage_store``) that exchanges with it over weeks. Serum ferritin is
secreted by macrophages in proportion to their ferritin iron (Cohen et al. 2010 Blood
116:1574), so an intravenous iron complex, which is taken up and stored by macrophages
before its iron is released to transferrin (Geisser and Burckhardt 2011 Pharmaceutics
3:12; Chiou et al. 2018 PLoS One 13:e0198775), makes serum ferritin jump within days and
decline over weeks as that store is mobilised, out of proportion to total body stores.
"""
import sympy as sp

from .declaration import Flow, Module, Observable, Parameter, State, sym

P, R, M, S = sym("fe_plasma"), sym("fe_rbc"), sym("fe_macrophage"), sym("fe_stores")
MS = sym("fe_macrophage_store")
hep = sym("hepcidin")
p = {n: sym(n) for n in (
    "diet_iron", "absorption_max_fraction", "hepcidin_absorption_k", "hepcidin_ferroportin_k",
    "hepcidin_store_ref", "hepcidin_plasma_ref", "hepcidin_plasma_exponent",
    "erythropoiesis_vmax", "erythropoiesis_km", "rbc_lifespan", "k_macrophage_export",
    "k_store_uptake", "k_store_release", "k_basal_loss", "blood_loss", "blood_volume",
    "macrophage_ferritin_iron_ratio", "k_macrophage_storage", "macrophage_store_half_life", "tibc", "k_ntbi_clearance", "ntbi_exponent")}
circ_iron = sym("circadian_iron_release")

states = (
    State("fe_plasma", "mg", "transferrin-bound iron in plasma", 3.0, quantity="iron",
          long_name="plasma transferrin iron"),
    State("fe_rbc", "mg", "haemoglobin iron in circulating red cells", 2500.0, quantity="iron",
          long_name="red-cell iron"),
    State("fe_macrophage", "mg", "iron in reticuloendothelial macrophages (red-cell recycling)",
          20.0, quantity="iron", long_name="macrophage iron"),
    State("fe_macrophage_store", "mg", "iron stored in macrophage ferritin and haemosiderin "
          "(reticuloendothelial stores; also where intravenous iron complexes are stored)", 100.0,
          quantity="iron", long_name="macrophage ferritin iron"),
    State("fe_stores", "mg", "storage iron in hepatocytes (ferritin/haemosiderin)", 1000.0,
          quantity="iron", long_name="hepatic storage iron"),
)

parameters = (
    Parameter("diet_iron", 15.0, "mg/day", (2.0, 60.0),
              "Hurrell and Egli 2010 Am J Clin Nutr 91:1461S (typical Western intake 10-20 mg/day); "
              "the range spans severely iron-poor diets (a few mg/day: severe_iron_deficiency) to "
              "iron-rich or fortified ones",
              "dietary iron intake", domain="nonnegative"),
    Parameter("absorption_max_fraction", 0.35, "1", (0.15, 0.5),
              "assumed: non-haem iron absorption rises several-fold in deficiency, to 20-40% "
              "(Hallberg et al. 1997 Am J Clin Nutr 66:347)",
              "fraction of dietary iron absorbed when hepcidin is fully suppressed",
              domain="fraction"),
    Parameter("hepcidin_absorption_k", 0.235, "1", (0.1, 30.0),
              "calibrated: makes healthy absorption 1 mg/day of a 15 mg/day diet (about 7%), "
              "matching obligatory losses (science.md section 4); the range extends to a blunted "
              "hepcidin response (haemochromatosis: the iron_overload profile)",
              "relative hepcidin level that halves maximal absorption"),
    Parameter("hepcidin_ferroportin_k", 0.1, "1", (0.03, 15.0),
              "assumed: hepcidin degrades ferroportin strongly; at healthy hepcidin macrophage "
              "and hepatocyte export run at about 10% of capacity (Nemeth et al. 2004 Science 306:2090); "
              "the range extends to a blunted hepcidin response (haemochromatosis: iron_overload)",
              "relative hepcidin level that halves ferroportin export"),
    Parameter("hepcidin_store_ref", 1100.0, "mg", (500.0, 2000.0),
              "set point: the healthy steady-state storage iron, hepatocytes plus macrophages (about "
              "1 g in adult men, physiology texts); liver iron, Kupffer cells included, induces "
              "hepcidin through BMP6 (Ganz and Nemeth 2012 Biochim Biophys Acta 1823:1434)",
              "storage iron at which store-driven hepcidin is at its healthy level",
              set_point="storage_iron"),
    Parameter("hepcidin_plasma_ref", 3.0, "mg", (2.0, 4.0),
              "set point: the healthy steady-state transferrin-bound plasma iron (about 3 mg, "
              "physiology texts)",
              "plasma iron at which holo-transferrin-driven hepcidin is at its healthy level",
              set_point="fe_plasma"),
    Parameter("hepcidin_plasma_exponent", 1.5, "1", (0.0, 4.0),
              "calibrated: hepcidin rises with holo-transferrin (BMP6/HFE/TfR2 sensing; Ganz and "
              "Nemeth 2012 Biochim Biophys Acta 1823:1434); 1.5 reproduces the rise of hepcidin (x3-5 "
              "at week 1, x2-3 at week 8) and of transferrin saturation (65% at week 1, 38% at week 8) "
              "after 1000 mg ferric carboxymaltose in iron-replete adults (BMJ Open Respir Res "
              "2020;7:e000577, FCM 15 mg/kg vs placebo, n = 48)",
              "sensitivity of hepcidin to plasma transferrin iron", domain="nonnegative"),
    Parameter("erythropoiesis_vmax", 24.3, "mg/day", (18.0, 30.0),
              "physiology texts: erythropoiesis takes 20-25 mg iron/day; set so healthy uptake "
              "is 20.8 mg/day (2500 mg / 120 days)",
              "maximal iron uptake by erythroid precursors"),
    Parameter("erythropoiesis_km", 0.5, "mg", (0.2, 1.5),
              "assumed: erythropoiesis becomes iron-restricted only when transferrin saturation "
              "falls below about 15-20%",
              "plasma iron at half-maximal erythroid uptake"),
    Parameter("rbc_lifespan", 120.0, "day", (100.0, 130.0), "physiology texts",
              "red-cell lifespan"),
    Parameter("k_macrophage_export", 11.5, "1/day", (5.0, 20.0),
              "calibrated: exports the 20.8 mg/day of recycled red-cell iron from a 20 mg "
              "macrophage pool at healthy hepcidin",
              "macrophage ferroportin export capacity"),
    Parameter("k_store_uptake", 3.0, "1/day", (0.5, 6.0),
              "calibrated: hepatocytes take up about 9 mg/day of transferrin iron at healthy "
              "saturation (ferrokinetics: about a fifth of the 35-50 mg/day plasma iron turnover is "
              "non-erythroid), enough to clear the iron released from macrophages after an iron "
              "infusion so that saturation is back near 38% by week 8 (BMJ Open Respir Res "
              "2020;7:e000577)",
              "hepatocyte uptake of plasma iron"),
    Parameter("k_store_release", 0.099, "1/day", (0.02, 0.3),
              "calibrated: balances hepatocyte uptake at 1 g stores and healthy hepcidin",
              "hepatocyte ferroportin export capacity"),
    Parameter("k_basal_loss", 0.333, "1/day", (0.0, 0.7),
              "Green et al. 1968 Am J Med 45:336: obligatory losses about 1 mg/day",
              "obligatory iron loss (cell shedding, sweat, bile) per mg plasma iron",
              domain="nonnegative"),
    Parameter("blood_loss", 0.0, "mL/day", (0.0, 20.0),
              "physiology texts: menstruation about 0.5-1 mg iron/day on average; 1 mL blood "
              "holds about 0.5 mg iron", "extra blood loss (menstrual, gastrointestinal, donation)",
              domain="nonnegative"),
    Parameter("blood_volume", 5000.0, "mL", (4000.0, 6000.0), "physiology texts",
              "circulating blood volume"),
    Parameter("macrophage_ferritin_iron_ratio", 0.8, "mg*L/ug", (0.4, 1.6),
              "calibrated: serum ferritin is secreted by macrophages (Cohen et al. 2010 Blood "
              "116:1574); 0.8 mg of macrophage ferritin iron per ug/L makes the healthy adult's "
              "about 1.1 g of storage iron read about 130 ug/L, i.e. about 8.5 mg storage iron per "
              "ug/L (Walters et al. 1973 J Clin Pathol 26:770: 8-10 mg), and 1000 mg of intravenous "
              "ferric carboxymaltose, stored by macrophages, raise serum ferritin by about 1100 ug/L "
              "at week 1 (science.md section 3: 96 -> 1150 ug/L)",
              "macrophage ferritin iron per unit serum ferritin"),
    Parameter("k_macrophage_storage", 0.25, "1/day", (0.05, 1.0),
              "calibrated: holds about 100 mg in healthy macrophage stores (about a tenth of storage "
              "iron sits in reticuloendothelial macrophages of spleen, marrow and liver; Kupffer "
              "cells: Andrews 1999 N Engl J Med 341:1986) against release with a 2-week half-life",
              "rate at which recycled macrophage iron is sequestered into ferritin"),
    Parameter("macrophage_store_half_life", 14.0, "day", (5.0, 60.0),
              "Geisser and Burckhardt 2011 Pharmaceutics 3:12 and Beshara et al. 2003 Br J Haematol "
              "120:853: iron from intravenous complexes is used for erythropoiesis over 2-4 weeks; "
              "serum ferritin falls to about a third between weeks 1 and 8 after 1000 mg ferric "
              "carboxymaltose (science.md section 3)",
              "half-life of iron in macrophage ferritin (release to the recycling pool)"),
    Parameter("k_ntbi_clearance", 50.0, "1/day", (10.0, 200.0),
              "assumed: non-transferrin-bound iron appears as transferrin saturation approaches "
              "100% and is cleared by the liver within hours (Brissot et al. 2012 Biochim "
              "Biophys Acta 1820:403)", "hepatic clearance rate of non-transferrin-bound iron"),
    Parameter("ntbi_exponent", 8.0, "1", (4.0, 16.0),
              "assumed: NTBI is negligible below about 50% saturation and dominant near 100%",
              "steepness of NTBI formation in transferrin saturation"),
    Parameter("tibc", 9.0, "mg", (6.0, 12.0),
              "physiology texts: total iron-binding capacity 250-400 ug/dL in 3 L plasma",
              "iron-binding capacity of plasma transferrin"),
)

_fpn_gate = 1 / (1 + hep / p["hepcidin_ferroportin_k"])

flows = (
    Flow("dietary_absorption", None, "fe_plasma",
         p["diet_iron"] * p["absorption_max_fraction"] / (1 + hep / p["hepcidin_absorption_k"]),
         "duodenal absorption of dietary iron, inhibited by hepcidin"),
    Flow("erythropoiesis", "fe_plasma", "fe_rbc",
         p["erythropoiesis_vmax"] * P / (P + p["erythropoiesis_km"]),
         "transferrin iron taken up by erythroid precursors"),
    Flow("red_cell_senescence", "fe_rbc", "fe_macrophage", R / p["rbc_lifespan"],
         "phagocytosis of senescent red cells by macrophages"),
    Flow("macrophage_export", "fe_macrophage", "fe_plasma",
         p["k_macrophage_export"] * M * _fpn_gate * circ_iron,
         "ferroportin export of recycled iron, gated by hepcidin, with a daily rhythm"),
    Flow("macrophage_ferritin_storage", "fe_macrophage", "fe_macrophage_store",
         p["k_macrophage_storage"] * M,
         "sequestration of recycled iron into macrophage ferritin"),
    Flow("macrophage_ferritin_release", "fe_macrophage_store", "fe_macrophage",
         sp.log(2) / p["macrophage_store_half_life"] * MS,
         "release of stored macrophage iron (ferritin degradation) back to the recycling pool"),
    Flow("store_uptake", "fe_plasma", "fe_stores", p["k_store_uptake"] * P,
         "hepatocyte uptake of plasma iron"),
    Flow("store_release", "fe_stores", "fe_plasma", p["k_store_release"] * S * _fpn_gate,
         "hepatocyte ferroportin export, gated by hepcidin"),
    Flow("ntbi_clearance", "fe_plasma", "fe_stores",
         p["k_ntbi_clearance"] * P * (P / p["tibc"]) ** p["ntbi_exponent"],
         "hepatic uptake of non-transferrin-bound iron when transferrin nears saturation"),
    Flow("basal_loss", "fe_plasma", None, p["k_basal_loss"] * P,
         "obligatory losses (shedding of enterocytes and skin, sweat, bile)"),
    Flow("blood_loss_iron", "fe_rbc", None, p["blood_loss"] * R / p["blood_volume"],
         "iron lost with blood"),
)

observables = (
    Observable("storage_iron", S + MS, "mg", "storage iron",
               "iron in hepatocyte stores plus macrophage ferritin"),
    Observable("hepcidin",
               (sym("storage_iron") / p["hepcidin_store_ref"]) * (P / p["hepcidin_plasma_ref"]) ** p["hepcidin_plasma_exponent"],
               "1", "hepcidin (1 = healthy)",
               "quasi-steady-state hepcidin driven by storage iron and holo-transferrin"),
    Observable("serum_ferritin", MS / p["macrophage_ferritin_iron_ratio"], "ug/L", "serum ferritin",
               "ferritin secreted by macrophages in proportion to their ferritin iron"),
    Observable("transferrin_saturation", 100 * P / p["tibc"], "percent",
               "transferrin saturation", "plasma iron over total iron-binding capacity"),
)

MODULE = Module(
    "periphery",
    "Dietary absorption, plasma transferrin iron, erythropoiesis, macrophage recycling, "
    "hepatocyte stores and losses; hepcidin gates absorption and ferroportin export.",
    states=states, parameters=parameters, flows=flows, observables=observables,
    references=("Mitchell and Mendes 2013 PLoS Comput Biol 9:e1003299 (structure of iron regulation)",),
)
