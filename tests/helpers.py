"""Small helpers shared by the processing tests: run algorithms, read layers back as arrays."""
from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import shapely

#: the algorithms that may start a 田管库 (their NEW_STORE parameter)
STORE_CREATORS = {"linxia_tianguan:space_code", "linxia_tianguan:build_grid", "linxia_tianguan:import_tracks",
                  "linxia_tianguan:import_roster"}


def run(algorithm: str, params: dict, context=None, feedback=None) -> dict:
    """Run ``algorithm``; a test that names a STORE not there yet means a new one (the user's explicit
    NEW_STORE choice), unless it sets NEW_STORE itself."""
    import processing
    from qgis.core import QgsProcessingContext, QgsProcessingFeedback

    store = params.get("STORE")
    if (algorithm in STORE_CREATORS and "NEW_STORE" not in params and isinstance(store, (str, Path)) and store
            and not Path(store).exists()):
        params = {**params, "NEW_STORE": True}
    context = context or QgsProcessingContext()
    feedback = feedback or QgsProcessingFeedback()
    return processing.run(algorithm, params, context=context, feedback=feedback)


def read(uri: str, fields: list[str] | None = None, expression: str | None = None) -> dict:
    """Features of ``uri`` as {"fid", "geom" (shapely), field: array} — through QGIS, as the plugin reads."""
    from qgis.core import QgsFeatureRequest, QgsVectorLayer

    layer = QgsVectorLayer(uri, "t", "ogr")
    assert layer.isValid(), uri
    names = fields or [f.name() for f in layer.fields()]
    request = QgsFeatureRequest()
    if expression:
        request.setFilterExpression(expression)
    out = {"fid": [], "geom": [], **{n: [] for n in names}}
    for f in layer.getFeatures(request):
        out["fid"].append(f.id())
        g = f.geometry()
        out["geom"].append(None if g.isNull() else shapely.from_wkb(bytes(g.asWkb())))
        for n in names:
            v = f[n]
            out[n].append(None if v is None or (hasattr(v, "isNull") and v.isNull()) else v)
    return {k: np.array(v, dtype=object) for k, v in out.items()}


def file_digest(path: Path) -> str:
    """Digest of a dataset's files (all files sharing the stem: .shp/.dbf/.cpg …, or the .gpkg)."""
    h = hashlib.sha256()
    for p in sorted(Path(path).parent.glob(Path(path).stem + ".*")):
        if p.suffix in (".gpkg-wal", ".gpkg-shm"):
            continue
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def recording_feedback():
    """A Processing feedback that keeps what the algorithm reported (errors, warnings, info)."""
    from qgis.core import QgsProcessingFeedback

    class Recording(QgsProcessingFeedback):
        def __init__(self):
            super().__init__()
            self.errors, self.warnings, self.infos = [], [], []

        def reportError(self, error, fatalError=False):
            self.errors.append(error)

        def pushWarning(self, warning):
            self.warnings.append(warning)

        def pushInfo(self, info):
            self.infos.append(info)

    return Recording()


def run_failing(algorithm: str, params: dict) -> str:
    """Run an algorithm that must fail; return everything it reported as one string."""
    from qgis.core import QgsProcessingException

    feedback = recording_feedback()
    try:
        run(algorithm, params, feedback=feedback)
    except QgsProcessingException as err:
        return "\n".join([str(err), *feedback.errors])
    raise AssertionError(f"{algorithm} did not fail")


def coded_with_grid(county, store) -> None:
    """A new 田管库 with the sample county coded and its patrol grid built (``county``: a generated sample's folder)."""
    src = county / "sample_county.gpkg"
    layer = lambda name: f"{src}|layername={name}"  # noqa: E731
    run("linxia_tianguan:space_code", {"DLTB": layer("DLTB"), "DK": layer("DK"), "YJJBNT": layer("YJJBNTTB"),
                                       "CJDCQ": layer("CJDCQ"), "STORE": str(store), "OUTPUT": None})
    run("linxia_tianguan:build_grid", {"XZQ": layer("XZQ"), "CJDCQ": layer("CJDCQ"), "STORE": str(store)})


def prepared_store(county, store) -> None:
    """A 田管库 as a desk has it before the change analysis: the sample county coded, its patrol grid
    built and its roster imported (``county`` is a generated sample's folder)."""
    coded_with_grid(county, store)
    run("linxia_tianguan:import_roster", {"INPUT": str(county / "roster.csv"), "STORE": str(store)})


def change_params(src, **extra) -> dict:
    """变化图斑提取与预判 on a sample's two survey years with all four reference layers."""
    layer = lambda name: f"{src}|layername={name}"  # noqa: E731
    params = {"BEFORE": layer("DLTB"), "AFTER": layer("DLTB_2025"), "YJJBNT": layer("YJJBNTTB"),
              "APPROVED": layer("PZYD"), "FACILITY": layer("SSNYDBA"), "TEMPORARY": layer("LSYD"),
              "BOUNDARY": layer("CZKFBJ"), "TODAY": "2025-06-30"}
    params.update(extra)
    return params


#: the case moves of :func:`fill_store`: (action, role, comment, attachments)
CLOSE_PATH = [("issue", "county_reviewer", "", ()), ("submit_evidence", "group_officer", "", ("p.jpg",)),
              ("report", "village_township", "", ()), ("approve", "county_reviewer", "", ())]


#: townships whose tracks :func:`fill_store` imports (all 1 095 files of the sample take a minute)
TRACK_TOWNSHIPS = ("622921100", "622921102", "622921200")


def store_copy(store, folder, name: str = "tianguan.gpkg") -> Path:
    """A writable copy of a shared (read-only) 田管库 as ``folder``/``name``, with its -wal/-shm files."""
    import shutil

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    for suffix in ("", "-wal", "-shm"):
        src = Path(str(store) + suffix)
        if src.exists():
            shutil.copy(src, Path(str(target) + suffix))
    return target


def fill_store(county, store, prepared=None) -> dict:
    """A 田管库 with everything the statistics read, made by the plugin's own algorithms where they exist:
    the county coded, grid built, roster imported; the 2024 → 2025 change analysis (cases); the tasks of
    June 2025 dispatched; the tracks of three townships (:data:`TRACK_TOWNSHIPS`) imported, checked and
    analysed for coverage (9–15 June, rates kept); patrols recorded by hand for two of every three groups in
    the first week; and the first six cases moved through the workflow (two closed as legal, two rectified
    and closed, one enforcing, one reported). Returns the algorithms' results by step. ``prepared``: a store
    already made by :func:`prepared_store` for ``county``, copied instead of coding the county again."""
    import datetime as dt

    from linxia_tianguan_plugin.core.case_workflow import format_time, parse_time
    from linxia_tianguan_plugin.core.tasks import make_patrol
    from linxia_tianguan_plugin.storage import GpkgStore
    from linxia_tianguan_plugin.storage.cases import take_action
    from linxia_tianguan_plugin.storage.tasks import add_patrols

    src = Path(county) / "sample_county.gpkg"
    if prepared is None:
        prepared_store(Path(county), store)
    else:
        store_copy(prepared, Path(store).parent, Path(store).name)
    out = {"changes": run("linxia_tianguan:change_detection", change_params(src, STORE=str(store), OUTPUT=None))}
    out["tasks"] = run("linxia_tianguan:dispatch_tasks", {"STORE": str(store), "START": "2025-06-01",
                                                          "END": "2025-06-30", "OUTPUT": None})
    import shutil

    tracks = Path(store).parent / "tracks"
    tracks.mkdir(exist_ok=True)
    for gpx in sorted((Path(county) / "tracks").glob("*.gpx")):
        if gpx.name.startswith(TRACK_TOWNSHIPS):
            shutil.copy(gpx, tracks / gpx.name)
    out["tracks"] = run("linxia_tianguan:import_tracks", {"FOLDER": str(tracks), "STORE": str(store)})
    out["checks"] = run("linxia_tianguan:check_tracks", {"STORE": str(store), "OUTPUT": None})
    out["coverage"] = run("linxia_tianguan:patrol_coverage", {"STORE": str(store), "START": "2025-06-09",
                                                              "END": "2025-06-15"})
    gpkg = GpkgStore(store, create=False)
    try:
        groups = [r[0] for r in gpkg.conn.execute("SELECT DISTINCT grid_code FROM tg_task WHERE level = 5 "
                                                  "ORDER BY grid_code")]
        add_patrols(gpkg, [make_patrol(code, "巡田员", f"2025-06-0{2 + i % 3} 09:00")
                           for i, code in enumerate(groups) if i % 3 != 0])
        ids = gpkg.conn.execute("SELECT case_id, detected_at FROM tg_case ORDER BY case_id").fetchall()
        assert len(ids) >= 6, "the sample has too few cases"
        for n, (case_id, detected) in enumerate(ids[:6]):
            version, day = 1, 1
            steps = list(CLOSE_PATH) if n < 5 else list(CLOSE_PATH[:3])
            if n < 2:
                steps.append(("close", "county_reviewer", "合法用地", ()))
            elif n < 5:
                steps += [("start_enforcement", "enforcement", "", ())]
                if n < 4:
                    steps += [("report_rectified", "group_officer", "", ("after.jpg",)),
                              ("close", "county_reviewer", "", ())]
            for action, role, comment, files in steps:
                day += n + 1
                take_action(gpkg, case_id, action, "tester", role, version, comment, files,
                            at=format_time(parse_time(detected) + dt.timedelta(days=day, hours=n)))
                version += 1
    finally:
        gpkg.close()
    return out


def sql_rows(path, sql: str, args=()) -> list[tuple]:
    """Rows of a plain SQL query on a store, read-only: the independent computation tests compare with."""
    import sqlite3

    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


#: the GeoPackage of a field package (``core.field_package.GPKG_NAME``)
FIELD_GPKG = "tianguan_field.gpkg"


class Phone:
    """The patrol app (QField) on an officer's phone, as the tests stand it in: it writes into a field
    package's layers with QGIS's editing API what QField writes — tracking lines (epoch milliseconds in M)
    and evidence points. (``tools/phone.py`` is the demo's and the qgis_process chain's stand-in.)"""

    officer = "马福禄"

    def walk(self, package: Path, start, n: int = 48) -> list[str]:
        """One tracking line (a fix every 5 s at ≈ 1.3 m/s) through a parcel of the package; returns the
        fixes' UTC times."""
        import datetime as dt

        from qgis.core import QgsPoint

        lonlat = self._lonlat(package, self._parcels(package), [self._first_parcel(package)])[0]
        t0 = int(start.timestamp())
        points = [QgsPoint(lonlat.x() + i * 1.4e-5, lonlat.y() + i * 0.3e-5, 2010.0 + i * 0.1, (t0 + 5 * i) * 1000.0)
                  for i in range(n)]
        self._line(package, points, start)
        return [(start + dt.timedelta(seconds=5 * i)).strftime("%Y-%m-%dT%H:%M:%SZ") for i in range(n)]

    def patrol(self, package: Path, start, group: str) -> int:
        """A walk at ≈ 1.2 m/s through every parcel of ``group`` (fixes every 4–6 s, slightly noisy, as a phone
        records them; no start time on the line); returns the number of fixes."""
        from qgis.core import QgsPoint, QgsPointXY

        parcels = self._parcels(package)
        stops = [f.geometry().pointOnSurface().asPoint()
                 for f in sorted(parcels.getFeatures(), key=lambda f: f["code"]) if f["code"].startswith(group)]
        path = shapely.LineString([(p.x(), p.y()) for p in stops])
        rng = np.random.default_rng(7)
        dts = rng.uniform(4.0, 6.0, size=int(path.length / 5.0) + 2)
        along = np.minimum(np.cumsum(np.concatenate([[0.0], dts[:-1]])) * 1.2, path.length)
        along = along[: int(np.searchsorted(along, path.length)) + 1]
        xy = shapely.get_coordinates(shapely.line_interpolate_point(path, along)) + rng.normal(0, 1.0, (len(along), 2))
        seconds = start.timestamp() + np.concatenate([[0.0], np.cumsum(dts[: len(along) - 1])])
        lonlat = self._lonlat(package, parcels, [QgsPointXY(x, y) for x, y in xy])
        points = [QgsPoint(ll.x(), ll.y(), 2000.0, round(t * 1000.0)) for ll, t in zip(lonlat, seconds)]
        self._line(package, points, None)
        return len(points)

    def evidence(self, package: Path, rows: list[tuple[str, str | None, str]]) -> None:
        """Evidence points (case_id, photo path relative to the project or None, note), each on its case."""
        from qgis.core import QgsFeature, QgsGeometry, QgsVectorLayer

        gpkg = package / FIELD_GPKG
        cases = QgsVectorLayer(f"{gpkg}|layername=cases", "c", "ogr")
        where = {f["case_id"]: f.geometry().pointOnSurface() for f in cases.getFeatures()}
        layer = QgsVectorLayer(f"{gpkg}|layername=evidence", "e", "ogr")
        assert layer.isValid() and layer.startEditing()
        for case_id, photo, note in rows:
            feature = QgsFeature(layer.fields())
            feature.setGeometry(QgsGeometry(where.get(case_id) or next(iter(where.values()))))
            feature["case_id"], feature["photo"], feature["note"] = case_id, photo, note
            feature["officer"] = self.officer
            assert layer.addFeature(feature)
        assert layer.commitChanges(), layer.commitErrors()

    @staticmethod
    def _parcels(package: Path):
        from qgis.core import QgsVectorLayer

        return QgsVectorLayer(f"{package / FIELD_GPKG}|layername=parcels", "p", "ogr")

    def _first_parcel(self, package: Path):
        return next(self._parcels(package).getFeatures()).geometry().pointOnSurface().asPoint()

    @staticmethod
    def _lonlat(package: Path, parcels, points: list) -> list:
        """Points of the package's CRS in CGCS2000 lon/lat, as the phone's GNSS gives them."""
        from qgis.core import QgsCoordinateReferenceSystem, QgsCoordinateTransform, QgsProject

        to_lonlat = QgsCoordinateTransform(parcels.crs(), QgsCoordinateReferenceSystem("EPSG:4490"),
                                           QgsProject.instance())
        return [to_lonlat.transform(p) for p in points]

    def _line(self, package: Path, points: list, start) -> None:
        """Add one tracking line to the package's tracks layer, by this officer, in the package's group."""
        from qgis.core import QgsFeature, QgsGeometry, QgsLineString, QgsVectorLayer

        tracks = QgsVectorLayer(f"{package / FIELD_GPKG}|layername=tracks", "t", "ogr")
        assert tracks.isValid() and tracks.startEditing()
        feature = QgsFeature(tracks.fields())
        feature.setGeometry(QgsGeometry(QgsLineString(points)))
        feature["officer"] = self.officer
        if start is not None:
            feature["started_at"] = start.replace(tzinfo=None)
        feature["grid_code"] = package.name
        assert tracks.addFeature(feature)
        assert tracks.commitChanges(), tracks.commitErrors()
