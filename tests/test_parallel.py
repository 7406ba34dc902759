"""Townships coded in worker processes give exactly what coding in this process gives."""
import numpy as np
from osgeo import ogr

from linxia_tianguan_plugin.core import parallel
from linxia_tianguan_plugin.core.coding.layers import prepare_layer
from linxia_tianguan_plugin.core.coding.one_click import CodingInput, CodingJob, CodingOptions


def _layer(gpkg, name, fields, where=None):
    ds = ogr.Open(str(gpkg))  # keep the dataset alive while its layer is read
    layer = ds.GetLayerByName(name)
    if where:
        layer.SetAttributeFilter(where)
    fid, wkb, attrs = [], [], {f: [] for f in fields}
    for feature in layer:
        fid.append(feature.GetFID())
        wkb.append(bytes(feature.GetGeometryRef().ExportToWkb()))
        for f in fields:
            attrs[f].append(feature.GetField(f) or "")
    return prepare_layer(name, np.array(fid), np.array(wkb, dtype=object),
                         {k: np.array(v, dtype=object) for k, v in attrs.items()})[0]


def _code(sample_gpkg, workers):
    data = CodingInput(
        land=_layer(sample_gpkg, "DLTB", ["DLBM", "ZLDWDM", "QSDWDM", "BSM"], "DLBM LIKE '01%'"),
        parcels=_layer(sample_gpkg, "DK", ["DKBM", "FBFBM", "CBFBM"]),
        basic=_layer(sample_gpkg, "YJJBNTTB", []), run_id="R", run_time="T")
    job = CodingJob(data, CodingOptions(workers=workers, parallel_min_features=0))
    return list(job.run())


def test_worker_processes_agree_with_in_process_coding(sample_gpkg):
    assert parallel.python_executable()
    alone, pooled = _code(sample_gpkg, 1), _code(sample_gpkg, 2)
    assert [c.key for c in alone] == [c.key for c in pooled] and len(alone) > 5
    for a, b in zip(alone, pooled):
        assert list(a.wkb) == list(b.wkb)
        for name in a.columns:
            assert list(a.columns[name]) == list(b.columns[name]), name
        assert [i.kind for i in a.issues] == [i.kind for i in b.issues]


def test_pool_start_hides_the_main_script(monkeypatch):
    import sys

    main = sys.modules["__main__"]
    before = getattr(main, "__file__", None)
    with parallel.process_pool(2) as pool:
        assert pool is not None
        assert getattr(main, "__file__", None) is None
        assert pool.submit(parallel.cpu_count).result() >= 1
    assert getattr(main, "__file__", None) == before


def _imported(name: str) -> bool:
    import sys

    return name in sys.modules


def test_a_pool_started_and_warmed_before_the_inputs_are_read_codes_the_same(sample_gpkg):
    """The coding algorithm starts its workers before it reads DLTB and DK (they spawn and import meanwhile) and
    hands the pool to the job: the chunks are those of the job's own pool, and the workers did import the kernel."""
    kernel = "linxia_tianguan_plugin.storage.workers"
    with parallel.process_pool(2) as pool:
        parallel.warm(pool, 2, kernel)
        assert pool.submit(_imported, kernel).result()
        data = CodingInput(
            land=_layer(sample_gpkg, "DLTB", ["DLBM", "ZLDWDM", "QSDWDM", "BSM"], "DLBM LIKE '01%'"),
            parcels=_layer(sample_gpkg, "DK", ["DKBM", "FBFBM", "CBFBM"]),
            basic=_layer(sample_gpkg, "YJJBNTTB", []), run_id="R", run_time="T")
        job = CodingJob(data, CodingOptions(workers=2, parallel_min_features=0))
        given = list(job.run(pool=pool))
    own = _code(sample_gpkg, 2)
    assert [c.key for c in given] == [c.key for c in own] and len(own) > 5
    for a, b in zip(given, own):
        assert list(a.wkb) == list(b.wkb) and list(a.columns["code"]) == list(b.columns["code"])


def test_biggest_first_gives_the_same_chunks_in_another_order(sample_gpkg):
    """A store being built takes the townships biggest first (the workers then end together on small ones): the
    chunks are those of code order, only their order differs, and it is by size."""
    data = CodingInput(
        land=_layer(sample_gpkg, "DLTB", ["DLBM", "ZLDWDM", "QSDWDM", "BSM"], "DLBM LIKE '01%'"),
        parcels=_layer(sample_gpkg, "DK", ["DKBM", "FBFBM", "CBFBM"]),
        basic=_layer(sample_gpkg, "YJJBNTTB", []), run_id="R", run_time="T")
    job = CodingJob(data, CodingOptions(workers=2, parallel_min_features=0))
    ordered = job.keys_in_order(biggest_first=True)
    assert sorted(ordered) == job.keys and ordered != job.keys
    sizes = [int((job.parcel_key == k).sum() + (job.land_key == k).sum()) for k in ordered]
    assert sizes == sorted(sizes, reverse=True)
    by_code = {c.key: c for c in job.run()}
    chunks = list(job.run(biggest_first=True))
    assert [c.key for c in chunks] == ordered
    for chunk in chunks:
        assert list(chunk.columns["code"]) == list(by_code[chunk.key].columns["code"])


def _priority_and_lock():
    import os

    with parallel.exclusive():
        return os.nice(0) if os.name != "nt" else 0, parallel._pool_lock is not None


def test_workers_run_below_the_parent_and_share_a_lock():
    import os

    with parallel.process_pool(2) as pool:
        results = [pool.submit(_priority_and_lock).result() for _ in range(4)]
    base = os.nice(0) if os.name != "nt" else 0
    for niceness, locked in results:
        assert locked
        if os.name != "nt":
            assert niceness == min(base + 10, 19)
    with parallel.exclusive():  # outside a worker: nothing to take
        assert parallel._pool_lock is None


def test_text_columns_travel_compact_and_come_back_the_same():
    from linxia_tianguan_plugin.core.coding.chunk import compact_text, unicode_text

    table = {"dkbm": np.array(["6229211002010000101", ""], dtype="U19"), "name": np.array(["临夏县", "x"]),
             "fid": np.array([1, 2]), "wkb": np.array([b"\x01", b"\x02"], dtype=object),
             "empty": np.zeros(0, dtype="U3")}
    small = compact_text(table)
    assert small["dkbm"].dtype == np.dtype("S19") and small["name"].dtype.kind == "U"
    back = unicode_text(small)
    for name, values in table.items():
        assert back[name].dtype == values.dtype, name
        assert back[name].tolist() == values.tolist(), name


def test_a_pool_starts_where_pipes_cannot_be_widened(monkeypatch):
    """Windows has no fcntl (and macOS no F_SETPIPE_SZ): the pool starts and works with the pipes as they are."""
    import sys

    monkeypatch.setitem(sys.modules, "fcntl", None)  # import fcntl now raises ImportError
    with parallel.process_pool(2) as pool:
        assert pool is not None
        assert pool.submit(parallel.cpu_count).result() >= 1
