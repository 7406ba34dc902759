"""The packed R-tree is a valid SQLite R-tree that answers box queries like a brute-force scan."""
import sqlite3

import numpy as np
import pytest

from linxia_tianguan_plugin.storage.rtree import bulk_load, write_leaves, write_upper


def _answers_like_a_scan(conn, rng, ids, x, y, w, h, size):
    """Box queries on table r find what a brute-force scan finds (float32 boxes are rounded outwards: never a miss,
    and only a few extra)."""
    for qx, qy in rng.uniform(0, 1, (20, 2)):
        x0, y0 = 34_500_000 + qx * 100_000, 3_900_000 + qy * 100_000
        x1, y1 = x0 + size, y0 + size
        got = {r[0] for r in conn.execute("SELECT id FROM r WHERE maxx >= ? AND minx <= ? AND maxy >= ? AND miny <= ?",
                                          (x0, x1, y0, y1))}
        want = set(ids[(x + w >= x0) & (x <= x1) & (y + h >= y0) & (y <= y1)].tolist())
        assert want <= got
        assert len(got - want) <= max(2, len(want) // 100)


@pytest.mark.parametrize("n", [1, 7, 51, 52, 3000, 200_000])
def test_bulk_loaded_rtree_is_valid_and_answers_queries(n):
    rng = np.random.default_rng(n)
    x = rng.uniform(34_500_000, 34_600_000, n)
    y = rng.uniform(3_900_000, 4_000_000, n)
    w, h = rng.uniform(1, 200, n), rng.uniform(1, 200, n)
    ids = rng.permutation(n) * 3 + 1
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE r USING rtree(id, minx, maxx, miny, maxy)")
    conn.execute("INSERT INTO r VALUES (999999999, 0, 1, 0, 1)")  # replaced by the bulk load
    bulk_load(conn, "r", ids, x, x + w, y, y + h)
    assert conn.execute("SELECT rtreecheck('r')").fetchone()[0] == "ok"
    assert conn.execute("SELECT count(*) FROM r").fetchone()[0] == n
    _answers_like_a_scan(conn, rng, ids, x, y, w, h, 2_000)
    # the tree stays a normal R-tree: later inserts and deletes work
    conn.execute("INSERT INTO r VALUES (5, 1, 2, 1, 2)")
    conn.execute("DELETE FROM r WHERE id = ?", (int(ids[0]),))
    assert conn.execute("SELECT rtreecheck('r')").fetchone()[0] == "ok"


@pytest.mark.parametrize("parts", [[], [1], [3], [51], [52], [40, 1, 7], [2000, 30, 5000, 1, 51, 900]])
def test_a_tree_built_in_parts_is_valid_and_answers_queries(parts):
    """Workers write the leaves of their townships' rows (consecutive ids each, any order), the commit tops them: the
    result is a valid R-tree, the same answers as a brute-force scan, and an ordinary one afterwards."""
    rng = np.random.default_rng(len(parts) + sum(parts))
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE r USING rtree(id, minx, maxx, miny, maxy)")
    n = sum(parts)
    x, y = rng.uniform(34_500_000, 34_600_000, n), rng.uniform(3_900_000, 4_000_000, n)
    w, h = rng.uniform(1, 200, n), rng.uniform(1, 200, n)
    firsts = np.cumsum([0, *parts])[:-1] + 1
    leaves, boxes = [], []
    for k in rng.permutation(len(parts)):  # (workers finish in any order)
        a, b = firsts[k] - 1, firsts[k] - 1 + parts[k]
        got = write_leaves(conn, "r", int(firsts[k]), x[a:b], x[a:b] + w[a:b], y[a:b], y[a:b] + h[a:b])
        leaves.append(got[0])
        boxes.append(got[1])
    write_upper(conn, "r", np.concatenate(leaves) if leaves else np.zeros(0),
                np.concatenate(boxes) if boxes else np.zeros((0, 4)))
    assert conn.execute("SELECT rtreecheck('r')").fetchone()[0] == "ok"
    assert conn.execute("SELECT count(*) FROM r").fetchone()[0] == n
    _answers_like_a_scan(conn, rng, np.arange(1, n + 1), x, y, w, h, 3_000)
    conn.execute("INSERT INTO r VALUES (?, 1, 2, 1, 2)", (n + 10,))
    if n:
        conn.execute("DELETE FROM r WHERE id = 1")
    assert conn.execute("SELECT rtreecheck('r')").fetchone()[0] == "ok"


def test_packed_boxes_are_the_boxes_sqlite_stores():
    """Packed leaves hold, to the bit, the float32 box SQLite's own insert stores for the same doubles (its rounding
    may go a step past the next float): a layer copied node for node equals one OGR wrote row by row."""
    rng = np.random.default_rng(7)
    n = 3000
    x = np.r_[rng.uniform(34_500_000, 34_600_000, n - 2), -12.3456789, 0.1]
    y = np.r_[rng.uniform(3_900_000, 4_000_000, n - 2), -0.3, 1e-9]
    w, h = rng.uniform(0.001, 200, n), rng.uniform(0.001, 200, n)
    ids = np.arange(1, n + 1)
    conn = sqlite3.connect(":memory:")
    for name in ("packed", "inserted"):
        conn.execute(f"CREATE VIRTUAL TABLE {name} USING rtree(id, minx, maxx, miny, maxy)")
    bulk_load(conn, "packed", ids, x, x + w, y, y + h)
    conn.executemany("INSERT INTO inserted VALUES (?,?,?,?,?)",
                     zip(ids.tolist(), x.tolist(), (x + w).tolist(), y.tolist(), (y + h).tolist()))
    packed = conn.execute("SELECT * FROM packed ORDER BY id").fetchall()
    assert packed == conn.execute("SELECT * FROM inserted ORDER BY id").fetchall()
