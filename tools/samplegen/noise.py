"""Smooth deterministic fields (value noise on hashed lattices).

The same field displaces the vertices computed by different worker processes, so a shared vertex
must land on exactly the same coordinates whoever computes it. Only element-wise IEEE operations
(+, -, *, /, floor) and integer hashing are used: no transcendental functions (whose SIMD and scalar
code paths may differ in the last bit) and no reductions (whose order may depend on array length).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

_U = np.uint64


def _lattice(i: np.ndarray, j: np.ndarray, salt: int) -> np.ndarray:
    """splitmix64 hash of integer lattice coordinates, mapped to [-1, 1)."""
    with np.errstate(over="ignore"):
        h = (i.view(_U) * _U(0x9E3779B97F4A7C15)) ^ (j.view(_U) * _U(0xC2B2AE3D27D4EB4F)) ^ _U(salt)
        h ^= h >> _U(30)
        h *= _U(0xBF58476D1CE4E5B9)
        h ^= h >> _U(27)
        h *= _U(0x94D049BB133111EB)
        h ^= h >> _U(31)
    return (h >> _U(11)).astype(np.float64) * (2.0 / 9007199254740992.0) - 1.0


def _octave(x: np.ndarray, y: np.ndarray, wavelength: float, salt: int) -> np.ndarray:
    """One octave of value noise with quintic fade (C2 smooth), amplitude 1."""
    u = x / wavelength
    v = y / wavelength
    fi = np.floor(u)
    fj = np.floor(v)
    fu = u - fi
    fv = v - fj
    i = fi.astype(np.int64)
    j = fj.astype(np.int64)
    su = fu * fu * fu * (fu * (fu * 6.0 - 15.0) + 10.0)
    sv = fv * fv * fv * (fv * (fv * 6.0 - 15.0) + 10.0)
    a = _lattice(i, j, salt)
    b = _lattice(i + 1, j, salt)
    c = _lattice(i, j + 1, salt)
    d = _lattice(i + 1, j + 1, salt)
    ab = a + (b - a) * su
    cd = c + (d - c) * su
    return ab + (cd - ab) * sv


class Field:
    """Sum of value-noise octaves, each given as (wavelength m, amplitude)."""

    def __init__(self, salt: int, octaves: Sequence[Sequence[float]]):
        self.salt = int(salt) & 0x7FFFFFFFFFFFFFFF
        self.octaves = [(float(w), float(a)) for w, a in octaves]

    def __call__(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        out = np.zeros(np.broadcast(x, y).shape)
        for k, (wl, amp) in enumerate(self.octaves):
            out = out + _octave(x, y, wl, self.salt + 7919 * (k + 1)) * amp
        return out


class Displacement:
    """The one smooth displacement applied to every output vertex of every layer.

    Shared boundaries stay shared because identical input coordinates give identical output; the
    amplitudes are kept small against the wavelengths so the map never folds (valid stays valid).
    """

    def __init__(self, salt: int, octaves: Sequence[Sequence[float]]):
        self.fx = Field(salt, octaves)
        self.fy = Field(salt ^ 0x5DEECE66D, octaves)

    def __call__(self, xy: np.ndarray) -> np.ndarray:
        x = xy[:, 0]
        y = xy[:, 1]
        return np.column_stack([x + self.fx(x, y), y + self.fy(x, y)])
