"""COMBINE archive (OMEX) of the flagship experiment: the SBML model and its SED-ML description.

``rlsmodel export omex DIR`` (or :func:`write_omex`) writes
``DIR/rlsmodel_augmentation_<drug>_<profile>.omex``, a zip holding

* ``model.xml`` -- the SBML (:func:`rlsmodel.export.sbml.sbml_document`) of the profile with the
  drug's reference regimen starting after the untreated baseline, doses listed to the end;
* ``simulation.sedml`` -- the SED-ML (:func:`rlsmodel.export.sedml.flagship_sedml`): untreated
  and treated arms, a report and plots of the readouts (the master file);
* ``metadata.rdf`` -- a description of the archive;
* ``manifest.xml`` -- the OMEX manifest.

The defaults are the flagship experiment of ``rlsmodel run augmentation``: the
``rls_genetic`` profile, the ``d2_tolerance`` mechanism, pramipexole at its reference dose
(:func:`rlsmodel.pharmacology.reference_regimen`) after a 28-day untreated baseline, two
years of treatment. python-libcombine packs the archive when it is installed; otherwise the
zip and its manifest are written as the OMEX specification lays out (Bergmann et al. 2014,
BMC Bioinformatics 15:369).
"""
from __future__ import annotations

import zipfile
from datetime import datetime, timezone
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from .._version import __version__

try:  # python-libcombine is optional: the archive is then zipped by hand
    import libcombine
except ImportError:  # pragma: no cover - depends on the environment
    libcombine = None

#: The flagship experiment (``rlsmodel run augmentation``, one drug).
FLAGSHIP = {"profile": "rls_genetic", "drug": "pramipexole", "augmentation": "d2_tolerance",
            "baseline_days": 28, "years": 2.0}
#: Readouts in the report and plots, where the model has them (states, then observables).
READOUTS = ("{drug}_plasma", "d2_density", "d2_tolerance", "d1_density", "d2_signal", "urge_at_rest")

SBML_LOCATION, SEDML_LOCATION = "model.xml", "simulation.sedml"
FORMATS = {
    "omex": "http://identifiers.org/combine.specifications/omex",
    "manifest": "http://identifiers.org/combine.specifications/omex-manifest",
    "sbml": "http://identifiers.org/combine.specifications/sbml.level-3.version-2",
    "sedml": "http://identifiers.org/combine.specifications/sed-ml.level-1.version-4",
    "metadata": "http://identifiers.org/combine.specifications/omex-metadata",
}


def treatment_days(years: float) -> int:
    """Days of treatment in ``years`` (365 days a year, as the augmentation experiment)."""
    return int(round(float(years) * 365))


def flagship_documents(model=None, profile=FLAGSHIP["profile"], drug=FLAGSHIP["drug"],
                       baseline_days=FLAGSHIP["baseline_days"], years=FLAGSHIP["years"],
                       sample_every_hours=3.0):
    """(SBML document, SED-ML document, days, readouts) of the untreated-versus-treated experiment.

    ``model`` defaults to ``rlsmodel.Model(augmentation="d2_tolerance")``; ``readouts`` is
    ``[(sbml_id, "species" | "parameter")]``.
    """
    from ..pharmacology import reference_regimen
    from .sbml import sbml_document, sbml_id
    from .sedml import check, flagship_sedml
    if model is None:
        from ..simulator import Model
        model = Model(augmentation=FLAGSHIP["augmentation"])
    if not (float(years) > 0):
        raise ValueError(f"years must be > 0; got {years!r}")
    if int(baseline_days) != baseline_days or baseline_days < 0:
        raise ValueError(f"baseline_days must be a whole number of days >= 0; got {baseline_days!r}")
    days = int(baseline_days) + treatment_days(years)
    regimen = reference_regimen(drug, start_day=int(baseline_days))
    doc = sbml_document(profile, regimen=regimen, model=model, days=days)
    m = doc.getModel()
    counts = [m.getParameter(i).getId() for i in range(m.getNumParameters())
              if m.getParameter(i).getId().startswith("dose_") and m.getParameter(i).getId().endswith("_count")]
    readouts = []
    for pattern in READOUTS:
        sid = sbml_id(pattern.format(drug=drug))
        if m.getSpecies(sid) is not None:
            readouts.append((sid, "species"))
        elif m.getParameter(sid) is not None:
            readouts.append((sid, "parameter"))
    sed = flagship_sedml(SBML_LOCATION, days, counts, readouts, sample_every_hours=sample_every_hours,
                         title=f"{profile}: untreated versus {regimen.describe()}")
    check(sed)
    return doc, sed, days, readouts


def write_omex(out_dir, model=None, profile=FLAGSHIP["profile"], drug=FLAGSHIP["drug"],
               baseline_days=FLAGSHIP["baseline_days"], years=FLAGSHIP["years"], sample_every_hours=3.0,
               use_libcombine=None) -> Path:
    """Write the COMBINE archive of the flagship experiment into ``out_dir``; return its path.

    Parameters are as in :func:`flagship_documents`; ``use_libcombine`` (default: when it is
    installed) chooses python-libcombine or the hand-written zip.
    """
    import libsbml
    import libsedml
    doc, sed, days, readouts = flagship_documents(model, profile, drug, baseline_days, years, sample_every_hours)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"rlsmodel_augmentation_{drug}_{profile}.omex"
    description = (f"rlsmodel {__version__}: {profile} untreated for {baseline_days} days, then {drug} at its "
                   f"reference dose for {years:g} years ({days} days), against no treatment. Readouts: "
                   + ", ".join(sid for sid, _ in readouts) + ". Generated by 'rlsmodel export omex'.")
    files = [(SBML_LOCATION, FORMATS["sbml"], False, libsbml.writeSBMLToString(doc)),
             (SEDML_LOCATION, FORMATS["sedml"], True, libsedml.writeSedMLToString(sed))]
    if use_libcombine is None:
        use_libcombine = libcombine is not None
    if path.exists():
        path.unlink()
    (_pack_libcombine if use_libcombine else _pack_zip)(path, files, description)
    return path


def _pack_libcombine(path: Path, files, description: str) -> None:
    archive = libcombine.CombineArchive()
    for location, fmt, master, text in files:
        if not archive.addFileFromString(text, f"./{location}", fmt, master):
            raise OSError(f"libcombine could not add {location}")
    meta = libcombine.OmexDescription()
    meta.setAbout(".")
    meta.setDescription(description)
    meta.setCreated(libcombine.OmexDescription.getCurrentDateAndTime())
    archive.addMetadata(".", meta)
    if not archive.writeToFile(str(path)):
        raise OSError(f"libcombine could not write {path}")
    archive.cleanUp()


def manifest_xml(files) -> str:
    """The OMEX manifest listing the archive itself, the manifest, the metadata and ``files``."""
    rows = [(".", FORMATS["omex"], False), ("./manifest.xml", FORMATS["manifest"], False),
            ("./metadata.rdf", FORMATS["metadata"], False)]
    rows += [(f"./{location}", fmt, master) for location, fmt, master, _ in files]
    body = "".join(f"  <content location={quoteattr(loc)} format={quoteattr(fmt)}"
                   + (' master="true"' if master else "") + "/>\n" for loc, fmt, master in rows)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<omexManifest xmlns="http://identifiers.org/combine.specifications/omex-manifest">\n'
            + body + "</omexManifest>\n")


def metadata_rdf(description: str) -> str:
    """Dublin Core description and creation date of the archive (OMEX metadata, RDF/XML)."""
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            'xmlns:dcterms="http://purl.org/dc/terms/">\n'
            '  <rdf:Description rdf:about=".">\n'
            f"    <dcterms:description>{escape(description)}</dcterms:description>\n"
            '    <dcterms:created rdf:parseType="Resource">\n'
            f"      <dcterms:W3CDTF>{now}</dcterms:W3CDTF>\n"
            "    </dcterms:created>\n"
            "  </rdf:Description>\n"
            "</rdf:RDF>\n")


def _pack_zip(path: Path, files, description: str) -> None:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("manifest.xml", manifest_xml(files))
        z.writestr("metadata.rdf", metadata_rdf(description))
        for location, _, _, text in files:
            z.writestr(location, text)


__all__ = ["FLAGSHIP", "FORMATS", "READOUTS", "flagship_documents", "manifest_xml", "metadata_rdf",
           "treatment_days", "write_omex"]
