"""Platform-independent float math for the generator: same bits on numpy 1.x and 2.x.

numpy's transcendental ufuncs (np.sin, np.cos, np.arctan, np.arctan2, np.power with a float
exponent, np.exp, np.log …) dispatch at run time to SIMD implementations chosen by the CPU and the
numpy build (SVML on AVX-512 machines, Highway, or the C library otherwise). Their results differ in
the last bit between numpy 1.26 and 2.x on the same machine, and between machines with one numpy —
which was enough to change the generated sample. Everything here is computed element-wise with
Python's `math` module (the C library's libm, the same on every numpy) or with IEEE basic operations
only (+, -, *, /, sqrt, which are exactly rounded everywhere):

- sin, cos, atan, atan2, power: `math.*` element by element;
- hypot(x, y): sqrt(x*x + y*y) (no scaling; the generator's values are far from overflow);
- degrees(x): x * (180 / pi);
- snap(xy): coordinates rounded to a 1 mm grid (round-half-even of x * 1000, then / 1000), applied
  where computed coordinates become geometry, so that a last-bit difference upstream cannot show in
  the output unless it straddles a half-millimetre.

Scalars in give Python floats out; arrays in give float64 arrays of the broadcast shape out.
tests/test_samplegen.py checks that each function agrees with the numpy function it replaced to
~1e-12, and that no numpy transcendental call is left in tools/samplegen.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

PI = math.pi
_GRID_DECIMALS = 3  # the output grid: 1 mm


def _map(f: Callable[..., float], *args: Any) -> Any:
    if all(isinstance(a, (float, int)) for a in args):  # Python or numpy scalars: the fast path
        return f(*(float(a) for a in args))
    arrs = np.broadcast_arrays(*(np.asarray(a, dtype=np.float64) for a in args))
    shape = arrs[0].shape
    if shape == ():
        return f(*(float(a) for a in arrs))
    lists = [a.ravel().tolist() for a in arrs]
    return np.fromiter(map(f, *lists), dtype=np.float64, count=arrs[0].size).reshape(shape)


def _total(f: Callable[..., float], fallback: Callable[..., Any]) -> Callable[..., float]:
    """f, with numpy's answer (inf or nan) where math raises instead (pow(0, -p), sin(inf) …)."""

    def g(*a: float) -> float:
        try:
            return f(*a)
        except (ValueError, OverflowError):
            with np.errstate(all="ignore"):
                return float(fallback(*a))

    return g


_sin = _total(math.sin, np.sin)  # numpy only for the inf/nan cases
_cos = _total(math.cos, np.cos)
_pow = _total(math.pow, np.power)


def sin(x: Any) -> Any:
    return _map(_sin, x)


def cos(x: Any) -> Any:
    return _map(_cos, x)


def atan(x: Any) -> Any:
    return _map(math.atan, x)


def atan2(y: Any, x: Any) -> Any:
    return _map(math.atan2, y, x)


def power(x: Any, p: float) -> Any:
    """x ** p with a float exponent (math.pow element-wise)."""
    return _map(_pow, x, p)


def hypot(x: Any, y: Any) -> Any:
    """sqrt(x² + y²) with IEEE basic operations only (np.hypot calls the C library's hypot)."""
    if isinstance(x, (float, int)) and isinstance(y, (float, int)):
        x, y = float(x), float(y)
        return math.sqrt(x * x + y * y)
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    r = np.sqrt(x * x + y * y)
    return float(r) if r.shape == () else r


def degrees(x: Any) -> Any:
    r = np.asarray(x, dtype=np.float64) * (180.0 / PI)
    return float(r) if r.shape == () else r


def unit(angle: float) -> np.ndarray:
    """(cos a, sin a) as an array."""
    return np.array([math.cos(angle), math.sin(angle)])


def snap(xy: Any) -> np.ndarray:
    """Coordinates rounded to the 1 mm output grid (np.round: x * 1000, round half even, / 1000)."""
    return np.round(np.asarray(xy, dtype=np.float64), _GRID_DECIMALS)
