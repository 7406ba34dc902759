"""Where the 案件审核 dock reads and moves cases: the desk's GeoPackage 田管库 or the county's PostGIS.

Both answer the same three calls with the same row shapes (see :mod:`.cases` and :mod:`.postgis`), so
the dock does the same thing against either; the workflow rules and the optimistic locking are the
stores' own (both go through :mod:`..core.cases.workflow`).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from . import cases as gpkg_cases


@dataclass
class Loaded:
    cases: list[dict]
    entered: dict[str, str]  # case_id → when it entered its state
    names: dict[str, str]  # administrative code → name
    srs_id: int


PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png", ".heic", ".webp")


def evidence_kind(name: str) -> str:
    """photo / sketch (a GeoJSON polygon the officer drew) / document, by the file's suffix."""
    suffix = Path(name).suffix.lower()
    return "photo" if suffix in PHOTO_SUFFIXES else "sketch" if suffix in (".geojson", ".json") else "document"


def store_evidence(store_path: str, case_id: str, files: Sequence[str], actor: str) -> list[str]:
    """Copy the files into the desk store's evidence folder (checksummed, never deleted) and return the
    paths events refer to; a missing or unreadable file stops before anything is stored."""
    from . import evidence
    from .store import GpkgStore

    missing = [f for f in files if not Path(f).is_file()]
    if missing:
        raise evidence.EvidenceError(f"file not found: {missing[0]}", "missing", tuple(missing))
    store = GpkgStore(store_path, create=False)
    try:
        out: list[str] = []
        for kind in ("photo", "sketch", "document"):
            chosen = [f for f in files if evidence_kind(f) == kind]
            if chosen:
                rows = evidence.add_evidence(store, case_id, chosen, actor, kind=kind)
                out += [r["rel_path"] for r in rows]
        return out
    finally:
        store.close()


def evidence_of(store_path: str, case_id: str) -> list[dict]:
    from . import evidence
    from .store import GpkgStore

    store = GpkgStore(store_path, create=False, read_only=True)
    try:
        return evidence.evidence_for(store, case_id)
    finally:
        store.close()


def parcel_geometries(store_path: str | None, codes: Sequence[str]) -> list[tuple[str, object]]:
    """(space code, shapely geometry) of the active coded parcels among ``codes`` (the parcels a case
    touches), from the desk's store; [] when there is no store or no such parcel."""
    import shapely

    from . import gpkg
    from .store import existing_store

    codes = [str(c) for c in codes if c]
    if not store_path or not codes:
        return []
    with existing_store(store_path) as store:
        if store is None:
            return []
        rows = store.conn.execute(f"SELECT code, geom FROM tg_space_code WHERE status = 'active' AND code IN "
                                  f"({', '.join('?' * len(codes))}) ORDER BY code", codes).fetchall()
    return [(code, shapely.from_wkb(gpkg.decode_blob(blob))) for code, blob in rows if blob is not None]


class GpkgCaseSource:
    """Cases of a GeoPackage store (opened per call: the dock never holds a connection)."""

    def __init__(self, path: str):
        self.path = str(path)
        self.label = self.path

    def _open(self, read_only: bool = False):
        from .store import GpkgStore

        return GpkgStore(self.path, create=False, read_only=read_only)

    def load(self) -> Loaded:
        store = self._open(read_only=True)
        try:
            if not gpkg_cases.has_cases(store):
                return Loaded([], {}, gpkg_cases.unit_names(store), store.srs_id)
            return Loaded(gpkg_cases.cases(store), gpkg_cases.entered_at(store), gpkg_cases.unit_names(store),
                          store.srs_id)
        finally:
            store.close()

    def store_evidence(self, case_id: str, files: Sequence[str], actor: str) -> list[str]:
        return store_evidence(self.path, case_id, files, actor)

    def evidence(self, case_id: str) -> list[dict]:
        return evidence_of(self.path, case_id)

    def parcels(self, codes: Sequence[str]) -> list[tuple[str, object]]:
        return parcel_geometries(self.path, codes)

    def events(self, case_id: str) -> list[dict]:
        store = self._open(read_only=True)
        try:
            return gpkg_cases.case_events(store, case_id)
        finally:
            store.close()

    def take_action(self, case_id: str, action: str, actor: str, role: str, version: int, comment: str = "",
                    attachments: Sequence[str] = ()) -> dict:
        store = self._open()
        try:
            return gpkg_cases.take_action(store, case_id, action, actor, role, version, comment, attachments)
        finally:
            store.close()


@dataclass
class PgCaseSource:
    """Cases of the shared PostGIS store, as the connection's database role may see them (row-level
    security); unit names come from a local store when one is given (PostGIS keeps no name table)."""

    params: Mapping
    schema: str = "tianguan"
    srid: int = 4522
    names_from: str | None = None
    label: str = field(default="PostGIS")

    def _open(self):
        from .postgis import PgStore

        return PgStore(dict(self.params), schema=self.schema, srid=self.srid)

    def load(self) -> Loaded:
        names: dict[str, str] = {}
        if self.names_from:
            try:
                local = GpkgCaseSource(self.names_from)._open()
            except (OSError, ValueError, RuntimeError):  # names are a convenience; PostGIS is the source
                local = None
            if local is not None:
                try:
                    names = gpkg_cases.unit_names(local)
                finally:
                    local.close()
        with self._open() as pg:
            return Loaded(pg.cases(), pg.entered_at(), names, self.srid)

    def store_evidence(self, case_id: str, files: Sequence[str], actor: str) -> list[str]:
        """Files stay with the desk's store (PostGIS holds their paths and checksums through the events)."""
        if not self.names_from:
            raise ValueError("evidence files need the desk's store next to the PostGIS connection")
        return store_evidence(self.names_from, case_id, files, actor)

    def evidence(self, case_id: str) -> list[dict]:
        return evidence_of(self.names_from, case_id) if self.names_from else []

    def parcels(self, codes: Sequence[str]) -> list[tuple[str, object]]:
        return parcel_geometries(self.names_from, codes)

    def events(self, case_id: str) -> list[dict]:
        with self._open() as pg:
            return pg.case_events(case_id)

    def take_action(self, case_id: str, action: str, actor: str, role: str, version: int, comment: str = "",
                    attachments: Sequence[str] = ()) -> dict:
        with self._open() as pg:
            return pg.take_action(case_id, action, actor, role, version, comment, attachments)
