"""Townships and village centres as placed before the mesh exists (roads run between them)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Township:
    index: int
    code: str
    name: str
    county: str
    kind: str  # street | town | xiang
    seat: np.ndarray  # local xy
    is_county_seat: bool


@dataclass
class VillageSite:
    xy: np.ndarray
    township: int
    is_seat: bool  # the township's seat settlement
    home_radius: float
