"""Seeded random streams.

Every purpose (and every township) draws from its own stream derived from the run seed, so that
results do not depend on the order in which work is done, on the number of worker processes, or on
how much randomness some unrelated step consumed.
"""

from __future__ import annotations

import numpy as np

# Stream tags: one per purpose. Never renumber (that would change every sample).
T_BLOB, T_COUNTY, T_TOWNSHIP, T_VILLAGE_SITES, T_LINES, T_SEEDS, T_TERRAIN, T_CLASSES = range(1, 9)
T_WORKER, T_NAMES, T_ROSTER, T_TRACKS, T_DEFECTS, T_WARP, T_DISPLACE = range(9, 16)


def rng(seed: int, *keys: int) -> np.random.Generator:
    """Independent generator for (seed, keys...); keys are small non-negative integers or codes."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([int(seed) & 0xFFFFFFFF, *map(int, keys)])))


def salt(seed: int, *keys: int) -> int:
    """A 64-bit salt for the hash-based noise fields, derived like `rng`."""
    return int(rng(seed, *keys).integers(0, 2**63 - 1))
