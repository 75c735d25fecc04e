"""Literature identifiers of the citations in the declaration's sources (for MIRIAM annotations).

Parameter sources are free text such as ``"Walters et al. 2003 Sleep Med 4:121 ..."``.
:data:`IDENTIFIERS` maps a citation (author(s), year, journal, volume:first page, exactly as
the sources write it) to its PubMed id (``pubmed:<n>``) or DOI (``doi:<doi>``); an entry is
added only after the identifier was checked against the article's own record (title,
journal, volume and first page). :func:`identifiers_for` gives the identifiers.org URIs of
the listed citations a source contains, and :func:`citations` finds every citation of that
form, so a test can report which ones have no identifier yet.
"""
from __future__ import annotations

import re

#: citation as written in the sources -> ``pubmed:<id>`` or ``doi:<doi>``.
IDENTIFIERS = {
    "Andrews 1999 N Engl J Med 341:1986": "pubmed:10607817",
    "Connor et al. 2003 Neurology 61:304": "doi:10.1212/01.wnl.0000078887.16593.12",
    "Mierau et al. 1995 Eur J Pharmacol 290:29": "pubmed:7664822",
    "Mizuno et al. 2005 J Sleep Res 14:43": "pubmed:15743333",
    "Montplaisir et al. 1997 Mov Disord 12:61": "pubmed:8990055",
    "Trenkwalder et al. 1999 Mov Disord 14:102": "pubmed:9918351",
    "Walters et al. 2003 Sleep Med 4:121": "doi:10.1016/S1389-9457(02)00258-7",
}

_CITATION = re.compile(
    r"([A-Z][A-Za-z'\-]+(?: et al\.| and [A-Z][A-Za-z'\-]+|, [A-Z][A-Za-z'\-]+ and [A-Z][A-Za-z'\-]+)?)"
    r" (\d{4}) ([A-Z][A-Za-z .&]+?) (\d+):(e?\d+[A-Z]?)")


def citations(source: str) -> list:
    """The journal citations (``Author [et al.] YEAR Journal VOL:PAGE``) in ``source``, in order."""
    return [f"{a} {y} {j} {v}:{p}" for a, y, j, v, p in _CITATION.findall(source or "")]


def identifiers_for(source: str) -> list:
    """identifiers.org URIs of the citations in ``source`` that :data:`IDENTIFIERS` lists."""
    out = []
    for citation in citations(source):
        ident = IDENTIFIERS.get(citation)
        if ident is not None:
            uri = f"https://identifiers.org/{ident}"
            if uri not in out:
                out.append(uri)
    return out


__all__ = ["IDENTIFIERS", "citations", "identifiers_for"]
