"""``rlsmodel explore``: a browser explorer of the model for teaching (Panel + Bokeh).

Modules: :mod:`.runs` (the simulations behind the page, no GUI code), :mod:`.views` (one
class and one function per view, and the numbers each view plots), :mod:`.schematic`
(compartments and flows drawn from the declaration), :mod:`.controls` (widgets bounded
by the declared ranges) and :mod:`.app` (the page and the server).

>>> from rlsmodel.explore import serve
>>> serve(port=5006, open_browser=False)                  # doctest: +SKIP

Needs the ``explore`` extra: ``pip install 'rlsmodel[explore]'``.
"""
from __future__ import annotations


def serve(port: int = 5006, open_browser: bool = True, address: str = "127.0.0.1") -> None:
    """Start the explorer server (see :func:`rlsmodel.explore.app.serve`)."""
    from .app import serve as _serve
    _serve(port=port, open_browser=open_browser, address=address)


__all__ = ["serve"]
