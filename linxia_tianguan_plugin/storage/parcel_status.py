"""地块巡管状态 readers: what every coded parcel's status (:mod:`..core.patrol.parcel_status`) is derived from, for
the status layer of a county (300 000 parcels) and for a field package's parcels.

The statuses are never stored. What they come from is small apart from the parcels themselves: the unclosed cases (a
few hundred) with the codes they touch, and per 社 its tasks and patrols. Those are read once
(:func:`status_facts`); the parcels are then read township by township (:func:`townships`, :func:`parcels`) as
index range scans on the code, so a county is never held in memory at once.
"""
from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Iterator

import shapely

from ..core.cases.workflow import TERMINAL_STATES
from ..core.patrol import parcel_status as rules
from ..core.patrol.tasks import local_date
from . import gpkg
from .migrations import SPACE_CODE_TABLE
from .parcel_history import active_codes, active_near, listed_codes
from .store import GpkgStore
from .tasks import code_range, patrols, tasks

#: digits of a township's code (the chunks the status layer is written in)
TOWNSHIP_DIGITS = 9
#: parcels fetched per round trip while streaming
FETCH = 2000


def townships(store: GpkgStore, prefix: str = "") -> list[str]:
    """The townships (9-digit codes) with active coded parcels under ``prefix``, in order."""
    where, args = code_range("code", prefix)
    return [r[0] for r in store.conn.execute(
        f'SELECT DISTINCT substr(code, 1, {TOWNSHIP_DIGITS}) FROM "{SPACE_CODE_TABLE}" WHERE status = ? AND {where} '
        "ORDER BY 1", ["active", *args])]


def parcels(store: GpkgStore, prefix: str) -> Iterator[tuple[str, str | None, float | None, bytes | None]]:
    """(code, dlmc, gdmj_mu, WKB) of the active parcels under ``prefix``, by code, streamed."""
    where, args = code_range("code", prefix)
    cur = store.conn.execute(
        f'SELECT code, dlmc, gdmj_mu, geom FROM "{SPACE_CODE_TABLE}" WHERE status = ? AND {where} ORDER BY code',
        ["active", *args])
    while True:
        rows = cur.fetchmany(FETCH)
        if not rows:
            return
        for code, dlmc, mu, blob in rows:
            yield code, dlmc, mu, gpkg.decode_blob(blob)


def case_touches(store: GpkgStore) -> list[tuple[str, str, list[str]]]:
    """(case_id, state, active codes it touches) of every case not closed — by its list, or by its polygon where
    the list names no active parcel or a retired one (:func:`..core.patrol.parcel_status.touched_codes`; the
    registry's R-tree finds the parcels near the polygon). A store without cases has none."""
    if not store.has_table("tg_case"):
        return []
    marks = ", ".join("?" * len(TERMINAL_STATES))
    rows = store.conn.execute(
        f"SELECT case_id, state, parcel_codes, geom FROM tg_case WHERE state NOT IN ({marks}) ORDER BY case_id",
        list(TERMINAL_STATES)).fetchall()
    listed = {case_id: listed_codes(text) for case_id, _, text, _ in rows}
    active = active_codes(store, (c for codes in listed.values() for c in codes))
    out = []
    for case_id, state, _, blob in rows:
        codes = listed[case_id]
        geometry, near = None, []
        if rules.needs_geometry(codes, active) and blob is not None:
            geometry = shapely.from_wkb(gpkg.decode_blob(blob))
            near = active_near(store, geometry)
        out.append((case_id, state, rules.touched_codes(codes, active, geometry, near)))
    return out


def status_facts(store: GpkgStore, prefix: str, now: dt.datetime,
                 touches: Iterable[tuple[str, str, list[str]]] | None = None) -> rules.StatusFacts:
    """:class:`..core.patrol.parcel_status.StatusFacts` of the parcels under ``prefix`` at ``now``: the unclosed
    cases (``touches`` when already read by :func:`case_touches`), the 社 tasks started by ``now``'s Beijing date and
    the patrols of the groups under ``prefix``."""
    if touches is None:
        touches = case_touches(store)
    counts = rules.case_counts((state, codes) for _, state, codes in touches)
    if not store.has_table("tg_task"):
        return rules.StatusFacts(counts)
    found = tasks(store, prefix, end=local_date(now), levels=[rules.GROUP_LEVEL])
    walked = patrols(store, prefix)
    return rules.StatusFacts(counts, rules.group_task_statuses(found, walked, now), rules.last_patrols(walked))


def statuses_for(store: GpkgStore, codes: Iterable[str], now: dt.datetime) -> dict[str, str]:
    """code → status (:data:`..core.patrol.parcel_status.PRECEDENCE`) of ``codes`` at ``now`` — e.g. a field
    package's parcels: the tasks and patrols read are those under the codes' common group prefix."""
    wanted = sorted({str(c) for c in codes if c})
    if not wanted:
        return {}
    prefix = os.path.commonprefix([c[:rules.GROUP_DIGITS] for c in wanted])
    columns = status_facts(store, prefix, now).evaluate(wanted)
    return dict(zip(wanted, columns["status"].tolist()))
