"""Where the 案件审核 dock reads and moves cases: the desk's GeoPackage 田管库 or the county's PostGIS.

Both answer the same three calls with the same row shapes (see :mod:`.cases` and :mod:`.postgis`), so
the dock does the same thing against either; the workflow rules and the optimistic locking are the
stores' own (both go through :mod:`..core.case_workflow`).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from . import cases as gpkg_cases


@dataclass
class Loaded:
    cases: list[dict]
    entered: dict[str, str]  # case_id → when it entered its state
    names: dict[str, str]  # administrative code → name
    srs_id: int


class GpkgCaseSource:
    """Cases of a GeoPackage store (opened per call: the dock never holds a connection)."""

    def __init__(self, path: str):
        self.path = str(path)
        self.label = self.path

    def _open(self):
        from .store import GpkgStore

        return GpkgStore(self.path, create=False)

    def load(self) -> Loaded:
        store = self._open()
        try:
            if not gpkg_cases.has_cases(store):
                return Loaded([], {}, gpkg_cases.unit_names(store), store.srs_id)
            return Loaded(gpkg_cases.cases(store), gpkg_cases.entered_at(store), gpkg_cases.unit_names(store),
                          store.srs_id)
        finally:
            store.close()

    def events(self, case_id: str) -> list[dict]:
        store = self._open()
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

    def events(self, case_id: str) -> list[dict]:
        with self._open() as pg:
            return pg.case_events(case_id)

    def take_action(self, case_id: str, action: str, actor: str, role: str, version: int, comment: str = "",
                    attachments: Sequence[str] = ()) -> dict:
        with self._open() as pg:
            return pg.take_action(case_id, action, actor, role, version, comment, attachments)
