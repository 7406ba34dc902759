"""Small helpers shared by the processing tests: run algorithms, read layers back as arrays."""
from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import shapely


def run(algorithm: str, params: dict, context=None, feedback=None) -> dict:
    import processing
    from qgis.core import QgsProcessingContext, QgsProcessingFeedback

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


def prepared_store(county, store) -> None:
    """A 田管库 as a desk has it before the change analysis: the sample county coded, its patrol grid
    built and its roster imported (``county`` is a generated sample's folder)."""
    src = county / "sample_county.gpkg"
    layer = lambda name: f"{src}|layername={name}"  # noqa: E731
    run("linxia_tianguan:space_code", {"DLTB": layer("DLTB"), "DK": layer("DK"), "YJJBNT": layer("YJJBNTTB"),
                                       "CJDCQ": layer("CJDCQ"), "STORE": str(store)})
    run("linxia_tianguan:build_grid", {"XZQ": layer("XZQ"), "CJDCQ": layer("CJDCQ"), "STORE": str(store)})
    run("linxia_tianguan:import_roster", {"INPUT": str(county / "roster.csv"), "STORE": str(store)})


def change_params(src, **extra) -> dict:
    """变化图斑提取与预判 on a sample's two survey years with all four reference layers."""
    layer = lambda name: f"{src}|layername={name}"  # noqa: E731
    params = {"BEFORE": layer("DLTB"), "AFTER": layer("DLTB_2025"), "YJJBNT": layer("YJJBNTTB"),
              "APPROVED": layer("PZYD"), "FACILITY": layer("SSNYDBA"), "TEMPORARY": layer("LSYD"),
              "BOUNDARY": layer("CZKFBJ"), "TODAY": "2025-06-30"}
    params.update(extra)
    return params
