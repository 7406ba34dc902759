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

    from linxia_tianguan_plugin.core.cases.workflow import format_time, parse_time
    from linxia_tianguan_plugin.core.patrol.tasks import make_patrol
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
