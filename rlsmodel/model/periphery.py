"""Peripheral iron: diet, hepcidin-gated absorption, plasma transferrin iron, red cells,
macrophage recycling, hepatocyte stores and losses.

All iron amounts in mg, time in days. Hepcidin (half-life about 21 min) is treated as a
quasi-steady-state readout of stores and transferrin iron.
"""
from .declaration import Flow, Module, Observable, Parameter, State, sym

P, R, M, S = sym("fe_plasma"), sym("fe_rbc"), sym("fe_macrophage"), sym("fe_stores")
hep = sym("hepcidin")
p = {n: sym(n) for n in (
    "diet_iron", "absorption_max_fraction", "hepcidin_absorption_k", "hepcidin_ferroportin_k",
    "hepcidin_store_ref", "hepcidin_plasma_ref", "hepcidin_plasma_exponent",
    "erythropoiesis_vmax", "erythropoiesis_km", "rbc_lifespan", "k_macrophage_export",
    "k_store_uptake", "k_store_release", "k_basal_loss", "blood_loss", "blood_volume",
    "ferritin_iron_ratio", "tibc", "k_ntbi_clearance", "ntbi_exponent")}
circ_iron = sym("circadian_iron_release")

states = (
    State("fe_plasma", "mg", "transferrin-bound iron in plasma", 3.0, quantity="iron",
          long_name="plasma transferrin iron"),
    State("fe_rbc", "mg", "haemoglobin iron in circulating red cells", 2500.0, quantity="iron",
          long_name="red-cell iron"),
    State("fe_macrophage", "mg", "iron in reticuloendothelial macrophages (red-cell recycling)",
          20.0, quantity="iron", long_name="macrophage iron"),
    State("fe_stores", "mg", "storage iron in hepatocytes (ferritin/haemosiderin)", 1000.0,
          quantity="iron", long_name="hepatic storage iron"),
)

parameters = (
    Parameter("diet_iron", 15.0, "mg/day", (5.0, 30.0),
              "Hurrell and Egli 2010 Am J Clin Nutr 91:1461S (typical Western intake 10-20 mg/day)",
              "dietary iron intake", domain="nonnegative"),
    Parameter("absorption_max_fraction", 0.35, "1", (0.15, 0.5),
              "assumed: non-haem iron absorption rises several-fold in deficiency, to 20-40% "
              "(Hallberg et al. 1997 Am J Clin Nutr 66:347)",
              "fraction of dietary iron absorbed when hepcidin is fully suppressed",
              domain="fraction"),
    Parameter("hepcidin_absorption_k", 0.235, "1", (0.1, 1.0),
              "calibrated: makes healthy absorption 1 mg/day of a 15 mg/day diet (about 7%), "
              "matching obligatory losses (science.md section 4)",
              "relative hepcidin level that halves maximal absorption"),
    Parameter("hepcidin_ferroportin_k", 0.1, "1", (0.03, 0.5),
              "assumed: hepcidin degrades ferroportin strongly; at healthy hepcidin macrophage "
              "and hepatocyte export run at about 10% of capacity (Nemeth et al. 2004 Science 306:2090)",
              "relative hepcidin level that halves ferroportin export"),
    Parameter("hepcidin_store_ref", 1000.0, "mg", (500.0, 1500.0),
              "physiology texts: about 1 g storage iron in adult men",
              "storage iron at which store-driven hepcidin is at its healthy level"),
    Parameter("hepcidin_plasma_ref", 3.0, "mg", (2.0, 4.0),
              "physiology texts: about 3 mg transferrin-bound plasma iron",
              "plasma iron at which holo-transferrin-driven hepcidin is at its healthy level"),
    Parameter("hepcidin_plasma_exponent", 1.0, "1", (0.0, 2.0),
              "assumed: hepcidin rises with holo-transferrin (BMP6/HFE/TfR2 sensing; "
              "Ganz and Nemeth 2012 Biochim Biophys Acta 1823:1434)",
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
    Parameter("k_store_uptake", 0.5, "1/day", (0.1, 2.0),
              "assumed: hepatocytes take up a few mg/day of transferrin and non-transferrin iron",
              "hepatocyte uptake of plasma iron"),
    Parameter("k_store_release", 0.0165, "1/day", (0.005, 0.05),
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
    Parameter("ferritin_iron_ratio", 8.0, "mg*L/ug", (7.0, 10.0),
              "Walters et al. 1973 J Clin Pathol 26:770: 1 ug/L serum ferritin per 8-10 mg stores",
              "storage iron per unit serum ferritin"),
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
    Observable("hepcidin",
               (S / p["hepcidin_store_ref"]) * (P / p["hepcidin_plasma_ref"]) ** p["hepcidin_plasma_exponent"],
               "1", "hepcidin (1 = healthy)",
               "quasi-steady-state hepcidin driven by storage iron and holo-transferrin"),
    Observable("serum_ferritin", (S + M) / p["ferritin_iron_ratio"], "ug/L", "serum ferritin",
               "storage iron divided by the ferritin-to-stores ratio"),
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
