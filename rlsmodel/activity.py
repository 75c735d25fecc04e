"""Rest/activity schedules: moving relieves the urge while it lasts; at rest it builds up.

The schedule acts on the urge after integration (it changes no state of the ODE):

``symptom = urge_at_rest * (1 - movement_relief)`` while active, and
``symptom = urge_at_rest * (1 - exp(-time_at_rest / rest_latency_h))`` at rest, where
``time_at_rest`` counts from the last switch from activity to rest (sitting in the evening
then lying down at night is one continuous rest period).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MODES = ("active", "sedentary", "asleep")


@dataclass(frozen=True)
class Activity:
    """A daily schedule of ``(start_hour, end_hour, mode)`` segments covering 24 hours.

    ``movement_relief``: fraction of the urge relieved while moving (Allen et al. 2014
    IRLSSG criteria: relief by movement as long as it lasts). ``rest_latency_h``: time
    constant of the build-up of the urge at rest (suggested immobilisation test: symptoms
    within 10-30 min; Michaud et al. 2002 Eur Neurol 48:108).
    """

    segments: tuple = ((7.0, 18.0, "active"), (18.0, 23.0, "sedentary"), (23.0, 7.0, "asleep"))
    movement_relief: float = 0.9
    rest_latency_h: float = 0.33

    def __post_init__(self):
        total = 0.0
        for seg in self.segments:
            if len(seg) != 3:
                raise ValueError(f"activity segment {seg!r} must be (start_hour, end_hour, mode)")
            a, b, mode = seg
            if mode not in MODES:
                raise ValueError(f"unknown activity mode {mode!r}; valid modes: {', '.join(MODES)}")
            for h in (a, b):
                if not 0 <= h < 24:
                    raise ValueError(f"activity hour {h!r} outside [0, 24)")
            total += (b - a) % 24 or 24.0
        if abs(total - 24.0) > 1e-9:
            raise ValueError(f"activity segments must tile 24 hours; they cover {total} h")
        if not 0 <= self.movement_relief <= 1:
            raise ValueError(f"movement_relief must lie in [0, 1]; got {self.movement_relief!r}")
        if not self.rest_latency_h > 0:
            raise ValueError(f"rest_latency_h must be > 0; got {self.rest_latency_h!r}")

    @classmethod
    def default(cls) -> "Activity":
        """Active 07:00-18:00, sedentary evening 18:00-23:00, asleep 23:00-07:00."""
        return cls()

    @classmethod
    def always_at_rest(cls) -> "Activity":
        return cls(segments=((0.0, 0.0, "sedentary"),))

    def _ordered(self):
        segs = sorted(self.segments, key=lambda s: s[0])
        return [(a, (b - a) % 24 or 24.0, mode) for a, b, mode in segs]

    @staticmethod
    def _offset(h, a):
        """Hours from ``a`` forward to ``h`` on the 24-h clock, robust to round-off."""
        return np.mod(np.round(h - a, 9), 24.0)

    def mode_at(self, clock_hours):
        """Mode label per clock hour."""
        h = np.asarray(clock_hours, dtype=float)
        out = np.empty(h.shape, dtype=object)
        for a, length, mode in self._ordered():
            out[self._offset(h, a) < length] = mode
        return out

    def factor(self, clock_hours):
        """Multiplier on ``urge_at_rest`` at each clock hour (array)."""
        h = np.asarray(clock_hours, dtype=float)
        segs = self._ordered()
        # rest already accumulated when each segment starts: walk back over the rest segments
        # before it (a schedule with no active segment has rested forever)
        never_active = all(mode != "active" for _, _, mode in segs)
        acc = []
        for i in range(len(segs)):
            total = 0.0
            for back in range(1, len(segs)):
                _, plen, pmode = segs[(i - back) % len(segs)]
                if pmode == "active":
                    break
                total += plen
            acc.append(np.inf if never_active else total)
        out = np.full(h.shape, np.nan)
        for (a, length, mode), start_rest in zip(segs, acc):
            offset = self._offset(h, a)
            sel = offset < length
            if mode == "active":
                out[sel] = 1.0 - self.movement_relief
            else:
                elapsed = start_rest + offset[sel]
                out[sel] = 1.0 - np.exp(-elapsed / self.rest_latency_h)
        return out
