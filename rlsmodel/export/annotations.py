"""Annotations of the SBML export: SBO terms, MIRIAM references, notes and rlsmodel's own tags.

SBO terms (Systems Biology Ontology) say what kind of thing each element is; they are chosen
from the declaration by the rules below and are all in the branch libsbml's SBO check expects
for the element (a test runs that check).

* **Parameters** (:func:`parameter_sbo`), by name and unit: half-lives ``*_half_life``
  SBO:0000331 (half-life); Michaelis constants ``*_km`` SBO:0000027; maximal velocities
  ``*vmax*`` SBO:0000186; receptor affinities ``kd_*`` and ``*_ki_*`` SBO:0000282
  (dissociation constant); ``*ec50*`` SBO:0000287 (EC50); exponents ``*_exponent``
  SBO:0000382 (biochemical exponential coefficient); any other constant with unit 1/time
  SBO:0000009 (kinetic constant), with unit time SBO:0000346 (temporal measure); the rest
  SBO:0000002 (quantitative systems description parameter).
* **Species** (:func:`species_sbo`): amounts and concentrations of iron, dopamine and drugs
  SBO:0000247 (simple chemical); the relative protein levels in :data:`PROTEIN_STATES`
  SBO:0000252 (polypeptide chain); other dimensionless states (myelin, the D2 adaptation
  states) SBO:0000285 (material entity of unspecified nature).
* **Reactions** (:func:`reaction_sbo`): a flow between two states SBO:0000185
  (translocation reaction); a flow or regulation that produces SBO:0000393 (production), one
  that removes SBO:0000179 (degradation). Kinetic laws SBO:0000001 (rate law); reactants,
  products and modifiers SBO:0000010, SBO:0000011, SBO:0000019.
* The model is SBO:0000293 (non-spatial continuous framework); compartments SBO:0000410
  (implicit compartment); species conversion factors SBO:0000381 (biochemical
  proportionality coefficient).

MIRIAM references: each parameter's ``source`` is a free-text citation. Citations listed in
:mod:`rlsmodel.export.references` with a PubMed id or DOI become
``bqmodel:isDescribedBy`` resources (``https://identifiers.org/pubmed:...`` or
``https://identifiers.org/doi:...``); every element keeps the full source text in its notes.
"""
from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from .references import identifiers_for

#: XML namespace of rlsmodel's own annotations.
ANNOTATION_NS = "urn:rlsmodel:sbml:1"

SBO_MODEL = 293               # non-spatial continuous framework
SBO_COMPARTMENT = 410         # implicit compartment
SBO_RATE_LAW = 1
SBO_REACTANT, SBO_PRODUCT, SBO_MODIFIER = 10, 11, 19
SBO_PARAMETER = 2             # quantitative systems description parameter
SBO_CONVERSION_FACTOR = 381   # biochemical proportionality coefficient
SBO_TEMPORAL = 346            # temporal measure
SBO_TRANSLOCATION, SBO_PRODUCTION, SBO_DEGRADATION = 185, 393, 179
SBO_SIMPLE_CHEMICAL, SBO_POLYPEPTIDE, SBO_UNSPECIFIED_ENTITY = 247, 252, 285

#: Dimensionless states that are relative levels of one protein (SBO:0000252).
PROTEIN_STATES = frozenset({"tfr_bbb", "tfr_neuron", "hif", "th", "dat", "d2_density"})


def _dimension(unit: str):
    from ..model import units as _units
    return _units.parse(unit).dimensionality


def parameter_sbo(name: str, unit: str) -> int:
    """The SBO term of a declared parameter (see the module docstring for the rules)."""
    low = name.lower()
    if low.endswith("half_life"):
        return 331
    if low.endswith("_km") or low.startswith("km_"):
        return 27
    if "vmax" in low:
        return 186
    if low.startswith("kd_") or "_ki_" in low or low.startswith("ki_"):
        return 282
    if "ec50" in low:
        return 287
    if low.endswith("_exponent"):
        return 382
    dim = _dimension(unit)
    if dim == _dimension("1/day"):
        return 9
    if dim == _dimension("day"):
        return SBO_TEMPORAL
    return SBO_PARAMETER


def species_sbo(name: str, unit: str) -> int:
    """The SBO term of a state exported as a species."""
    if name in PROTEIN_STATES:
        return SBO_POLYPEPTIDE
    if unit.strip() in ("1", "", "dimensionless"):
        return SBO_UNSPECIFIED_ENTITY
    return SBO_SIMPLE_CHEMICAL


def reaction_sbo(reactant, products) -> int:
    """The SBO term of a reaction from its reactant (or None) and its products (the state
    species it produces, ledgers excluded)."""
    if reactant is not None and products:
        return SBO_TRANSLOCATION
    return SBO_PRODUCTION if products else SBO_DEGRADATION


def set_sbo(element, term: int) -> None:
    _check(element.setSBOTerm(int(term)), f"SBO term {term}")


# -- notes and annotations --------------------------------------------------------------------
def notes(element, lines) -> None:
    """Set ``element``'s notes to one XHTML paragraph per non-empty line."""
    body = "".join(f"<p>{escape(str(line))}</p>" for line in lines if line)
    if body:
        _check(element.setNotes(f'<body xmlns="http://www.w3.org/1999/xhtml">{body}</body>'), "notes")


def annotate(element, **attrs) -> None:
    """Set the ``rlsmodel:element`` annotation (rlsmodel name, unit, role...) of ``element``."""
    text = " ".join(f"{k}={quoteattr(str(v))}" for k, v in attrs.items() if v is not None)
    _check(element.setAnnotation(
        f'<annotation><rlsmodel:element xmlns:rlsmodel="{ANNOTATION_NS}" {text}/></annotation>'),
        "annotation")


def add_references(element, source: str) -> list:
    """Add ``bqmodel:isDescribedBy`` MIRIAM resources for the citations in ``source`` that
    :mod:`rlsmodel.export.references` resolves; return the URIs added. ``element`` needs a
    metaid (it gets ``meta_<id>`` if it has none)."""
    import libsbml
    uris = identifiers_for(source)
    if not uris:
        return []
    if not element.isSetMetaId():
        _check(element.setMetaId(f"meta_{element.getId()}"), "metaid")
    cv = libsbml.CVTerm(libsbml.MODEL_QUALIFIER)
    cv.setModelQualifierType(libsbml.BQM_IS_DESCRIBED_BY)
    for uri in uris:
        cv.addResource(uri)
    _check(element.addCVTerm(cv), "MIRIAM reference")
    return uris


def _check(code, what):
    import libsbml
    if code is not None and code != libsbml.LIBSBML_OPERATION_SUCCESS:
        raise RuntimeError(f"libsbml failed setting {what}: {libsbml.OperationReturnValue_toString(code)}")


__all__ = ["ANNOTATION_NS", "PROTEIN_STATES", "add_references", "annotate", "notes", "parameter_sbo",
           "reaction_sbo", "set_sbo", "species_sbo"]
