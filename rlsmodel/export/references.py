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
    "Abercrombie et al. 1990 Brain Res 525:36": "pubmed:2123121",
    "Allen et al. 2011 Sleep Med 12:431": "pubmed:21493132",
    "Allen et al. 2013 Neurology 80:2028": "doi:10.1212/WNL.0b013e318294b3f6",
    "Allen et al. 2014 Sleep Med 15:860": "doi:10.1016/j.sleep.2014.03.025",
    "Andrews 1999 N Engl J Med 341:1986": "pubmed:10607817",
    "Bianco et al. 2008 J Neurochem 106:205": "doi:10.1111/j.1471-4159.2008.05358.x",
    "Buvanendran et al. 2010 Reg Anesth Pain Med 35:535": "pubmed:20975469",
    "Connor et al. 2003 Neurology 61:304": "doi:10.1212/01.wnl.0000078887.16593.12",
    "Dooley et al. 2007 Trends Pharmacol Sci 28:75": "pubmed:17222465",
    "Earley et al. 2004 Sleep Med 5:231": "pubmed:15165528",
    "Earley et al. 2006 Sleep Med 7:263": "pubmed:16564215",
    "Elshoff et al. 2015 Drugs 75:487": "pubmed:25795100",
    "Geisser and Burckhardt 2011 Pharmaceutics 3:12": "doi:10.3390/pharmaceutics3010012",
    "Green et al. 1968 Am J Med 45:336": "doi:10.1016/0002-9343(68)90069-7",
    "Kim and Reed 2021 Theor Biol Med Model 18:8": "pubmed:33596936",
    "Laruelle et al. 1997 Neuropsychopharmacology 17:162": "pubmed:9272483",
    "McCarthy and Kosman 2014 PLoS One 9:e89003": "doi:10.1371/journal.pone.0089003",
    "Michaud et al. 2005 Sleep 28:843": "pubmed:16124663",
    "Mierau et al. 1995 Eur J Pharmacol 290:29": "pubmed:7664822",
    "Mizuno et al. 2005 J Sleep Res 14:43": "pubmed:15743333",
    "Montplaisir et al. 1997 Mov Disord 12:61": "pubmed:8990055",
    "Nutt et al. 1985 Ann Neurol 18:537": "pubmed:4073849",
    "Pardridge et al. 1987 Metabolism 36:892": "pubmed:3306281",
    "Sykova and Nicholson 2008 Physiol Rev 88:1277": "pubmed:18923183",
    "Thobois et al. 2004 Arch Neurol 61:1705": "doi:10.1001/archneur.61.11.1705",
    "Trenkwalder et al. 1999 Mov Disord 14:102": "pubmed:9918351",
    "Trenkwalder et al. 2008 Lancet Neurol 7:595": "pubmed:18515185",
    "Walters et al. 2003 Sleep Med 4:121": "doi:10.1016/S1389-9457(02)00258-7",
    "Wright et al. 1997 J Clin Pharmacol 37:520": "pubmed:9208359",
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
