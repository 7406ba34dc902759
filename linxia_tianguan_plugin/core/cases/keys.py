"""Identity of a change case: the same candidate found again gets the same key and the same UUID.

A re-run of the change analysis on the same inputs must not add its cases twice, and a case already
moving through the workflow must keep its history. The key is therefore made from what the candidate
*is* — its source (survey comparison or an external 卫片 polygon), the 图斑 codes and classes before
and after, and its geometry snapped to a centimetre grid and normalised (vertex order and start
point do not matter) — not from when or by whom it was found. The UUID (the case's key in PostGIS)
is a name-based UUID of that key.
"""
from __future__ import annotations

import hashlib
import uuid

import shapely

#: namespace of case UUIDs (uuid5): fixed forever, or every exported case would change its id
CASE_NAMESPACE = uuid.UUID("6f1c2a1e-3b8d-5c47-9a60-4c1d2f7e8b90")
GRID_M = 0.01


def geometry_fingerprint(geom) -> bytes:
    """WKB of the geometry snapped to 1 cm and normalised: equal for the same polygon however written."""
    if geom is None or shapely.is_empty(geom):
        return b""
    return shapely.to_wkb(shapely.normalize(shapely.set_precision(geom, GRID_M)), output_dimension=2)


def case_key(source: str, bsm_before: str, bsm_after: str, kind: str, to_dlbm: str, external_id: str,
             geom) -> str:
    """SHA-1 (hex) of the candidate's identity."""
    h = hashlib.sha1()
    for part in (source, bsm_before, bsm_after, kind, to_dlbm, external_id):
        h.update(str(part or "").encode("utf-8") + b"\x1f")
    h.update(geometry_fingerprint(geom))
    return h.hexdigest()


def case_uuid(key: str) -> str:
    return str(uuid.uuid5(CASE_NAMESPACE, key))
