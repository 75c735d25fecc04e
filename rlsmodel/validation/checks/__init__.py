"""The checks of the scorecard's targets, one module per area (symptoms and circadian rhythm,
baseline physiology, iron therapy, treatment and augmentation). A check is a function
``check(runs, **arguments) -> Observation``; the target rows (:mod:`..targets`) bind the
arguments with :func:`functools.partial`."""
