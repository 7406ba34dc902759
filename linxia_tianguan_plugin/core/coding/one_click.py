"""One-click parcel space-coding (一键赋码) of a county's farmland, township by township.

The job reads every input once into columnar :class:`~.layers.Layer` tables (WKB, boxes,
attributes), then cuts one self-contained task per township and codes the tasks in worker processes
(:mod:`.chunk`). Only the townships in flight hold live geometries, so memory stays bounded. Chunks
come back in township order, which is also code order, so a writer can stream them to a sink.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np
import shapely

from .. import parallel
from ..geometry import repair
from .chunk import CONTRACT, MU_PER_M2, UNASSIGNED, ChunkResult, ChunkTask, code_task, compact_text, unicode_text
from .groups import parcel_groups
from .kcxs import kcxs_fractions
from .layers import Issue, Layer
from .lineage import KEPT, NEW, LineageOptions
from .pieces import PieceOptions

DEFAULT_QR_TEMPLATE = "https://tianguan.example.cn/kjm/{code}"


Cancelled = parallel.Cancelled  # the analyst pressed cancel; nothing has been written


@dataclass(frozen=True)
class CodingOptions:
    pieces: PieceOptions = PieceOptions()
    lineage: LineageOptions = LineageOptions()
    qr_template: str = DEFAULT_QR_TEMPLATE
    beidou_level: int = 8
    workers: int = 2
    #: below this many input features, starting worker processes costs more than it saves
    parallel_min_features: int = 20_000


@dataclass
class CodingInput:
    land: Layer  # farmland 图斑; attrs DLBM, ZLDWDM, QSDWDM, BSM, TBDLMJ, KCXS
    parcels: Layer | None = None  # contract parcels; attrs DKBM, FBFBM, CBFBM
    basic: Layer | None = None  # 永久基本农田
    villages: Layer | None = None  # CJDCQ; attrs ZLDWDM
    previous: Layer | None = None  # coded parcels of an earlier run; attrs code, coded_at, run_id
    used_max: dict[str, tuple[int, int]] = field(default_factory=dict)
    crs_wkt: str = "EPSG:4522"
    run_id: str = ""
    run_time: str = ""


def _index_by(keys: np.ndarray) -> dict[str, np.ndarray]:
    """Row indices per key, from one sort (not one scan of the whole layer per township)."""
    order = np.argsort(keys, kind="stable")
    uniq, starts = np.unique(keys[order], return_index=True)
    return {str(k): np.sort(part) for k, part in zip(uniq, np.split(order, starts[1:]))}


def _prefix_if_digits(codes: np.ndarray, n: int) -> np.ndarray:
    """The first ``n`` characters where they are all digits, else '' (vectorised)."""
    head = np.asarray(codes, dtype=str).astype(f"U{n}")
    ok = (np.char.str_len(head) == n) & np.char.isdigit(head)
    return np.where(ok, head, "").astype(f"U{n}")


def _empty_layer(name: str) -> Layer:
    z = np.zeros(0)
    return Layer(name, z.astype(np.int64), z.astype(object), np.zeros((0, 4)), z, {})


def _str(layer: Layer, name: str, as_read: bool = False) -> np.ndarray:
    """A text column as text; ``as_read``: ASCII codes read as bytes stay bytes (see readers.read_layer)."""
    if name in layer.attrs:
        values = np.asarray(layer.attrs[name])
        return values if as_read and values.dtype.kind == "S" else np.asarray(values, dtype=str)
    return np.full(len(layer), "", dtype="S1" if as_read else "U1")


def _text(value) -> str:
    return value.decode("ascii") if isinstance(value, bytes) else str(value)


class CodingJob:
    """A coding run over prepared inputs; iterate :meth:`run` to get the chunks."""

    def __init__(self, data: CodingInput, options: CodingOptions = CodingOptions()):
        self.data, self.opts = data, options
        self.parcels = data.parcels or _empty_layer("DK")
        self.previous = data.previous or _empty_layer("PREVIOUS")
        self.issues: list[Issue] = []
        self._prepare_land()
        self._prepare_parcels()
        self._land_by_key = _index_by(self.land_key)
        self._parcels_by_key = _index_by(self.parcel_key)
        self.keys = sorted((set(self._land_by_key) | set(self._parcels_by_key)) - {""})

    # ------------------------------------------------------------------ preparation
    def _prepare_land(self) -> None:
        land = self.data.land
        dl = np.char.upper(np.char.strip(_str(land, "DLBM")))
        self.land_dlbm = dl
        self.land_bsm = _str(land, "BSM")
        self.land_qsdwdm = _str(land, "QSDWDM")
        self.land_zldwdm = _str(land, "ZLDWDM")
        village = _prefix_if_digits(self.land_zldwdm, 12)
        missing = np.flatnonzero(village == "")
        if len(missing) and self.data.villages is not None and len(self.data.villages):
            village[missing] = self._locate_villages(land, missing)
        for i in np.flatnonzero(village == ""):
            self.issues.append(Issue("land_no_village", land.name, int(land.fid[i]), str(self.land_bsm[i])))
        self.land_village = village
        self.land_key = village.astype("U9")
        self.land_tbdlmj = np.asarray(land.attrs.get("TBDLMJ", np.full(len(land), np.nan)), dtype=float)
        kcxs = kcxs_fractions(land.attrs.get("KCXS", np.full(len(land), np.nan)))
        self.land_kcxs = kcxs.fractions
        if kcxs.percent:  # said once for the layer, not per 图斑: the unit is the layer's
            self.issues.append(Issue("kcxs_percent", land.name, value=kcxs.largest))

    def _locate_villages(self, land: Layer, rows: np.ndarray) -> np.ndarray:
        villages = self.data.villages
        points = shapely.point_on_surface(repair(land.geoms(rows))[0])
        tree = shapely.STRtree(villages.geoms(np.arange(len(villages))))
        src, hit = tree.query(points, predicate="within")
        out = np.full(len(rows), "", dtype="U12")
        out[src] = _prefix_if_digits(_str(villages, "ZLDWDM")[hit], 12)
        return out

    def _prepare_parcels(self) -> None:
        p = self.parcels
        # the codes stay as read (bytes for ASCII codes from a file): they only go on to the workers, which get
        # them compact anyway (see chunk.compact_text)
        self.dkbm, self.fbfbm, self.cbfbm = (_str(p, "DKBM", True), _str(p, "FBFBM", True),
                                             _str(p, "CBFBM", True))
        self.parcel_group = parcel_groups(self.dkbm, self.fbfbm)
        self.parcel_key = self.parcel_group.astype("U9")
        # overlaps are resolved in favour of the lower DKBM (then the lower feature id)
        order = np.lexsort((p.fid, self.dkbm))
        self.parcel_rank = np.empty(len(p), dtype=np.int64)
        self.parcel_rank[order] = np.arange(len(p))
        ranked = self.dkbm[order]
        same = (ranked[1:] == ranked[:-1]) & (np.char.str_len(ranked[1:]) > 0)
        dup = np.zeros(len(p), dtype=bool)
        dup[order[1:][same]] = dup[order[:-1][same]] = True
        for i in np.flatnonzero(dup):
            self.issues.append(Issue("duplicate_dkbm", p.name, int(p.fid[i]), _text(self.dkbm[i])))
        for i in np.flatnonzero(np.char.str_len(self.dkbm) == 0):
            self.issues.append(Issue("parcel_no_dkbm", p.name, int(p.fid[i])))
        nogroup = np.flatnonzero(np.char.str_len(self.parcel_group) == 0)
        if len(nogroup):
            self.parcel_key[nogroup] = self._locate_parcels(nogroup)
            for i in nogroup:
                self.issues.append(Issue("parcel_group_from_location", p.name, int(p.fid[i]), _text(self.dkbm[i])))

    def _locate_parcels(self, rows: np.ndarray) -> np.ndarray:
        """Township chunk of parcels without a usable code: the farmland 图斑 they lie in."""
        points = shapely.point_on_surface(repair(self.parcels.geoms(rows))[0])
        ok = ~shapely.is_missing(points)
        out = np.full(len(rows), "", dtype="U9")
        cand = self.data.land.hits(shapely.bounds(points[ok]))
        if len(cand):
            tree = shapely.STRtree(repair(self.data.land.geoms(cand))[0])
            src, hit = tree.query(points[ok], predicate="within")
            out[np.flatnonzero(ok)[src]] = self.land_key[cand[hit]]
        return out

    # ------------------------------------------------------------------ tasks
    def task(self, key: str) -> ChunkTask:
        """Everything one township needs, cut out of the county-wide tables (picklable, self-contained).

        The township's own parcels and 图斑, plus every neighbour whose box touches them, so that
        decisions about a shared 图斑 come out the same in every chunk that sees it.
        """
        land, parcels, previous = self.data.land, self.parcels, self.previous
        none = np.zeros(0, dtype=np.int64)
        own_l = self._land_by_key.get(key, none)
        own_p = self._parcels_by_key.get(key, none)
        f_idx = np.union1d(own_l, land.hits(parcels.bounds[own_p]))
        p_idx = np.union1d(own_p, parcels.hits(land.bounds[f_idx]))
        query = np.concatenate([land.bounds[f_idx], parcels.bounds[own_p]])
        basic = self.data.basic
        b_idx = basic.hits(query) if basic is not None and len(basic) else none
        o_idx = previous.hits(query) if len(previous) else none
        return ChunkTask(
            key=key,
            land=compact_text(dict(
                wkb=land.wkb[f_idx], fid=land.fid[f_idx], own=np.isin(f_idx, own_l), dlbm=self.land_dlbm[f_idx],
                bsm=self.land_bsm[f_idx], tbdlmj=self.land_tbdlmj[f_idx], kcxs=self.land_kcxs[f_idx],
                village=self.land_village[f_idx], qsdwdm=self.land_qsdwdm[f_idx], zldwdm=self.land_zldwdm[f_idx])),
            parcels=compact_text(dict(
                wkb=parcels.wkb[p_idx], fid=parcels.fid[p_idx], own=np.isin(p_idx, own_p),
                rank=self.parcel_rank[p_idx], group=self.parcel_group[p_idx], dkbm=self.dkbm[p_idx],
                fbfbm=self.fbfbm[p_idx], cbfbm=self.cbfbm[p_idx])),
            basic_wkb=basic.wkb[b_idx] if basic is not None else np.zeros(0, dtype=object),
            previous=dict(wkb=previous.wkb[o_idx], index=o_idx, code=_str(previous, "code")[o_idx],
                          coded_at=_str(previous, "coded_at")[o_idx], run_id=_str(previous, "run_id")[o_idx]),
            used_max={g: v for g, v in self.data.used_max.items() if g.startswith(key)},
            land_name=land.name, parcel_name=parcels.name, crs_wkt=self.data.crs_wkt,
            run_id=self.data.run_id, run_time=self.data.run_time, options=self.opts,
        )

    def code_chunk(self, key: str) -> ChunkResult:
        """Code the farmland of one township in this process."""
        return code_task(self.task(key))

    def release_inputs(self) -> None:
        """Free the inputs' geometry once every township is coded (previous codes stay: retirements
        report their shapes). No task can be built afterwards."""
        for layer in (self.data.land, self.data.parcels, self.data.basic, self.data.villages):
            if layer is not None:
                layer.drop_geometry()

    # ------------------------------------------------------------------ running
    def run(
        self,
        progress: Callable[[int, int, str], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
        worker: Callable[[ChunkTask], ChunkResult] = code_task,
        pool=None,
        biggest_first: bool = False,
    ) -> Iterator[ChunkResult]:
        """Yield one :class:`ChunkResult` per township, in code order (``biggest_first``: the biggest township
        first, see :meth:`keys_in_order`).

        Townships are coded in ``workers`` processes (shapely holds the GIL, so threads would not
        use the second core), at most a few ahead of the consumer, so memory stays bounded while the
        caller writes the previous township. Small jobs, or a machine where no worker can start,
        run in this process. ``worker`` (a picklable callable, default :func:`~.chunk.code_task`)
        lets the caller add work that belongs beside the coding, such as staging the rows. ``pool`` is a pool
        the caller started earlier (see :meth:`wants_pool`), so that its workers started while the inputs were
        read; without one, the job starts its own.
        """
        keys = self.keys_in_order(biggest_first)
        parallel_ok = self.wants_pool(self.opts, len(self.keys), len(self.parcels) + len(self.data.land))
        if pool is not None:
            yield from self._run(keys, pool if parallel_ok else None, progress, cancelled, worker)
            return
        with parallel.process_pool(self.opts.workers if parallel_ok else 1) as own:
            yield from self._run(keys, own, progress, cancelled, worker)

    def keys_in_order(self, biggest_first: bool = False) -> list[str]:
        """The townships in code order, or biggest first (by own parcels and 图斑, ties in code order).

        For a caller that takes the chunks in any order: the workers then end on the smallest townships, together,
        where in code order one worker may still code a big township while the other has nothing left."""
        if not biggest_first:
            return list(self.keys)
        none = np.zeros(0, dtype=np.int64)
        size = {k: len(self._parcels_by_key.get(k, none)) + len(self._land_by_key.get(k, none)) for k in self.keys}
        return sorted(self.keys, key=lambda k: (-size[k], k))

    @staticmethod
    def wants_pool(options: CodingOptions, townships: int, features: int) -> bool:
        """Whether coding this many features in this many townships pays for worker processes."""
        return options.workers > 1 and townships > 1 and features >= options.parallel_min_features

    def _run(self, keys, pool, progress, cancelled, worker) -> Iterator[ChunkResult]:
        # several tasks per worker in flight: townships differ tenfold in size, and results are taken
        # in order, so a short window would leave a worker idle behind a big township
        tasks = (self.task(key) for key in keys)
        for done, result in enumerate(parallel.ordered_map(pool, worker, tasks, 4 * self.opts.workers,
                                                           cancelled), start=1):
            result.columns = unicode_text(result.columns)  # (a light result's codes travel compact)
            if progress:
                progress(done, len(keys), result.key)
            yield result


def retirements(job: CodingJob, kept: np.ndarray, edges: list[tuple[int, str, float]],
                relations: dict[str, str]) -> list[tuple[int, str, list[str]]]:
    """Old codes no new parcel keeps: (old index, reason, child codes), after all chunks ran."""
    from .lineage import retire_reason

    alive = np.zeros(len(job.previous), dtype=bool)
    alive[kept] = True
    children: dict[int, list[str]] = {}
    for i, child, _ in edges:
        children.setdefault(i, []).append(child)
    out = []
    for i in np.flatnonzero(~alive).tolist():
        kids = sorted(set(children.get(i, [])))
        out.append((i, retire_reason(set(kids), [relations.get(k, "") for k in kids]), kids))
    return out


__all__ = ["CodingJob", "CodingInput", "CodingOptions", "ChunkResult", "Cancelled", "KEPT", "NEW", "retirements",
           "CONTRACT", "UNASSIGNED", "MU_PER_M2"]
