"""Oligodendrocyte iron and myelin: oligodendrocytes are the most iron-rich brain cells and
need iron (as a cofactor for cholesterol and lipid synthesis) to make and maintain myelin.

Iron in mg (whole brain), myelin relative to healthy, time in days. Myelin synthesis
saturates in oligodendrocyte iron; turnover is first order with the months-long half-life
of myelin proteins.
"""
import sympy as sp

from .declaration import Flow, Module, Parameter, Regulation, State, sym

I, O, my = sym("fe_interstitial"), sym("fe_oligodendrocyte"), sym("myelin")
p = {n: sym(n) for n in (
    "oligodendrocyte_import_vmax", "oligodendrocyte_import_km", "k_oligodendrocyte_export",
    "oligodendrocyte_iron_ref", "myelin_iron_k", "myelin_half_life")}

states = (
    State("fe_oligodendrocyte", "mg", "iron in oligodendrocytes (mostly ferritin-bound)", 25.0,
          quantity="iron", long_name="oligodendrocyte iron"),
    State("myelin", "1", "myelin content (1 = healthy)", 1.0, long_name="myelin"),
)

parameters = (
    Parameter("oligodendrocyte_import_vmax", 0.3, "mg/day", (0.05, 1.0),
              "assumed: oligodendrocytes take up transferrin and H-ferritin iron (Todorich et al. "
              "2009 Glia 57:467); about 0.05 mg/day at healthy interstitial iron",
              "maximal oligodendrocyte iron import"),
    Parameter("oligodendrocyte_import_km", 1.0, "mg", (0.2, 3.0),
              "assumed: far from saturation, so oligodendrocyte iron tracks interstitial iron "
              "(myelin is the brain structure most sensitive to iron supply; Beard et al. 2003)",
              "interstitial iron at half-maximal oligodendrocyte import"),
    Parameter("k_oligodendrocyte_export", 0.002, "1/day", (0.0005, 0.01),
              "assumed: oligodendrocyte iron (about 5x neuronal per cell, Reinert et al. 2019 BMC "
              "Neurosci 20:25) turns over in about a year",
              "export of oligodendrocyte iron back to the interstitium"),
    Parameter("oligodendrocyte_iron_ref", 25.0, "mg", (5.0, 60.0),
              "set point: the healthy steady-state oligodendrocyte iron (the largest brain iron pool)",
              "reference oligodendrocyte iron for myelin synthesis", set_point="fe_oligodendrocyte"),
    Parameter("myelin_iron_k", 6.0, "1", (0.5, 20.0),
              "calibrated to Beard et al. 2003 Dev Neurosci 25:308 and Connor et al. 2011: 25-35% "
              "less myelin protein when oligodendrocyte iron is about 40% low",
              "relative oligodendrocyte iron at which myelin synthesis is half-maximal"),
    Parameter("myelin_half_life", 180.0, "day", (60.0, 400.0),
              "Luders et al. 2019 Glia; Meschkat et al. 2022 Nat Commun: PLP half-life about 6 months",
              "half-life of myelin (first-order turnover)"),
)

_relative_iron = O / p["oligodendrocyte_iron_ref"]
_k_turnover = sp.log(2) / p["myelin_half_life"]

flows = (
    Flow("oligodendrocyte_import", "fe_interstitial", "fe_oligodendrocyte",
         p["oligodendrocyte_import_vmax"] * I / (I + p["oligodendrocyte_import_km"]),
         "oligodendrocyte uptake of interstitial iron"),
    Flow("oligodendrocyte_export", "fe_oligodendrocyte", "fe_interstitial",
         p["k_oligodendrocyte_export"] * O, "oligodendrocyte iron release"),
)

regulations = (
    Regulation("myelin_synthesis", "myelin",
               _k_turnover * _relative_iron * (1 + p["myelin_iron_k"]) / (p["myelin_iron_k"] + _relative_iron),
               "iron-dependent myelin synthesis by oligodendrocytes"),
    Regulation("myelin_turnover", "myelin", -_k_turnover * my, "first-order myelin turnover"),
)

MODULE = Module(
    "myelin",
    "Oligodendrocyte iron uptake and release; iron-dependent myelin synthesis and turnover.",
    states=states, parameters=parameters, flows=flows, regulations=regulations,
    references=("Connor et al. 2011 Sleep Med", "Todorich et al. 2009 Glia 57:467"),
)
