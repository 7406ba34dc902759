"""Replay (轨迹复现) of one patrol: where the officer was at any moment, how fast, how far so far.

The replay dock only turns a slider position or a clock time into these figures; everything it shows
comes from here, so it is the same in the dock, in tests and in a report.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np
import shapely

SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class ReplayState:
    index: int
    x: float
    y: float
    time: dt.datetime  # aware, Asia/Shanghai
    elapsed_s: float
    distance_m: float
    speed_kmh: float  # over the last ``window_s`` seconds, so a single noisy fix does not spike it


class Replay:
    """A patrol's fixes in order: projected coordinates (m) and UTC epoch seconds."""

    def __init__(self, xy: np.ndarray, t: np.ndarray, window_s: float = 60.0):
        xy, t = np.asarray(xy, dtype=float).reshape(-1, 2), np.asarray(t, dtype=float)
        if len(xy) != len(t) or len(t) == 0:
            raise ValueError("a replay needs as many times as fixes, and at least one fix")
        if np.any(np.diff(t) < 0):
            raise ValueError("fix times must not run backwards (clean the track first)")
        self.xy, self.t, self.window_s = xy, t, window_s
        steps = np.hypot(*np.diff(xy, axis=0).T) if len(xy) > 1 else np.zeros(0)
        self.cumdist = np.concatenate([[0.0], np.cumsum(steps)])

    def __len__(self) -> int:
        return len(self.t)

    @property
    def duration_s(self) -> float:
        return float(self.t[-1] - self.t[0])

    @property
    def length_m(self) -> float:
        return float(self.cumdist[-1])

    def state(self, index: int) -> ReplayState:
        i = int(np.clip(index, 0, len(self) - 1))
        j = int(np.searchsorted(self.t, self.t[i] - self.window_s, side="left"))
        j = min(j, max(i - 1, 0))
        span = self.t[i] - self.t[j]
        speed = (self.cumdist[i] - self.cumdist[j]) / span * 3.6 if span > 0 else 0.0
        moment = dt.datetime.fromtimestamp(float(self.t[i]), tz=dt.timezone.utc).astimezone(SHANGHAI)
        return ReplayState(i, float(self.xy[i, 0]), float(self.xy[i, 1]), moment, float(self.t[i] - self.t[0]),
                           float(self.cumdist[i]), float(speed))

    def index_at(self, epoch_s: float) -> int:
        """The last fix at or before ``epoch_s`` (the first fix before the start)."""
        return int(np.clip(np.searchsorted(self.t, epoch_s, side="right") - 1, 0, len(self) - 1))

    def position_at(self, epoch_s: float) -> tuple[float, float]:
        """Interpolated position at ``epoch_s`` (clamped to the patrol)."""
        x = np.interp(epoch_s, self.t, self.xy[:, 0])
        y = np.interp(epoch_s, self.t, self.xy[:, 1])
        return float(x), float(y)


def seen_parcels(xy: np.ndarray, parcels: np.ndarray, distance: float = 50.0) -> np.ndarray:
    """Mask of ``parcels`` within ``distance`` of the patrol's path (what the officer could see)."""
    if len(parcels) == 0 or len(xy) == 0:
        return np.zeros(len(parcels), dtype=bool)
    path = shapely.linestrings(xy) if len(xy) > 1 else shapely.points(xy[0])
    view = shapely.buffer(path, distance)
    shapely.prepare(view)
    return shapely.intersects(view, parcels)
