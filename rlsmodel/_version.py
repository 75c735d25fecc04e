"""The package version, in a module of its own so that any layer can read it without
importing :mod:`rlsmodel` itself (whose ``__init__`` imports the simulator)."""
__version__ = "0.1.0"
