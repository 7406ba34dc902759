"""Bulk loading of SQLite R*Tree indexes (the GeoPackage spatial index) by Sort-Tile-Recursive packing.

Inserting 2.5 million boxes one by one into an SQLite R-tree costs ~10 µs each (25 s) and leaves a
tree of half-empty nodes. Like GDAL's GeoPackage writer, the 田管库 instead packs the whole tree in
numpy and writes its nodes directly into the R-tree's shadow tables, in the exact format SQLite's
rtree module reads (big-endian node blobs; rowid/parent maps). ``rtreecheck()`` verifies the result.
"""
from __future__ import annotations

import math
import sqlite3

import numpy as np

_CELL = np.dtype([("id", ">i8"), ("box", ">f4", (4,))])  # minx, maxx, miny, maxy as float32


# SQLite's rtreeValueDown / rtreeValueUp: a double whose nearest float32 lies on the wrong side is scaled by
# 1 -/+ 2^-23 towards / away from zero before the cast, which may land a step further out than the next float; the
# same formula here gives the boxes SQLite (and GDAL) would store for the same geometry, to the bit
_TOWARDS, _AWAY = 1.0 - 1.0 / 8388608.0, 1.0 + 1.0 / 8388608.0


def _down(values) -> np.ndarray:
    values = np.asarray(values, dtype=float)
    f = values.astype(np.float32)
    scaled = (values * np.where(values < 0, _AWAY, _TOWARDS)).astype(np.float32)
    return np.where(f.astype(np.float64) > values, scaled, f)


def _up(values) -> np.ndarray:
    values = np.asarray(values, dtype=float)
    f = values.astype(np.float32)
    scaled = (values * np.where(values < 0, _TOWARDS, _AWAY)).astype(np.float32)
    return np.where(f.astype(np.float64) < values, scaled, f)


def float32_outwards(minx, maxx, miny, maxy) -> np.ndarray:
    """Boxes as float32 rows (minx, maxx, miny, maxy), rounded outwards exactly as SQLite's R-tree stores them."""
    return np.column_stack([_down(minx), _up(maxx), _down(miny), _up(maxy)]).astype(np.float32)


def _str_order(cx: np.ndarray, cy: np.ndarray, per_node: int) -> np.ndarray:
    """Sort-Tile-Recursive order: vertical slices by x, each sorted by y."""
    n = len(cx)
    nodes = math.ceil(n / per_node)
    slices = max(1, math.ceil(math.sqrt(nodes)))
    by_x = np.argsort(cx, kind="stable")
    slice_of = np.empty(n, dtype=np.int64)
    slice_of[by_x] = np.arange(n) // (slices * per_node)
    return np.lexsort((cy, slice_of))


def _pack(ids: np.ndarray, boxes: np.ndarray, per_node: int):
    """One level: (cells in node order, node boxes, node sizes)."""
    order = _str_order((boxes[:, 0] + boxes[:, 1]) / 2, (boxes[:, 2] + boxes[:, 3]) / 2, per_node)
    ids, boxes = ids[order], boxes[order]
    starts = np.arange(0, len(ids), per_node)
    sizes = np.diff(np.append(starts, len(ids)))
    node_boxes = np.column_stack([
        np.minimum.reduceat(boxes[:, 0], starts), np.maximum.reduceat(boxes[:, 1], starts),
        np.minimum.reduceat(boxes[:, 2], starts), np.maximum.reduceat(boxes[:, 3], starts)])
    return ids, boxes, sizes, node_boxes


def pack(ids: np.ndarray, minx: np.ndarray, maxx: np.ndarray, miny: np.ndarray, maxy: np.ndarray,
         node_size: int) -> list[tuple[list, list, list]]:
    """STR-pack boxes into R-tree nodes of ``node_size`` bytes: per level, (node rows, rowid or parent
    rows). Pure numpy — it can run in a thread while SQLite writes the table rows."""
    per_node = (node_size - 4) // _CELL.itemsize
    ids = np.asarray(ids, dtype=np.int64)
    boxes = float32_outwards(minx, maxx, miny, maxy)
    levels = []  # bottom-up: (cell ids, cell boxes, node sizes)
    while True:
        cell_ids, cell_boxes, sizes, node_boxes = _pack(ids, boxes, per_node)
        levels.append((cell_ids, cell_boxes, sizes))
        if len(sizes) == 1:
            break
        ids, boxes = np.arange(len(sizes), dtype=np.int64), node_boxes.astype(np.float32)  # placeholders
    # number the nodes top-down so that the root is node 1; children refer to these numbers
    first = 1
    numbers = []
    for _, _, sizes in reversed(levels):
        numbers.append(np.arange(first, first + len(sizes), dtype=np.int64))
        first += len(sizes)
    numbers.reverse()  # numbers[k] = node numbers of level k (0 = leaves)
    depth = len(levels) - 1
    out = []
    for k, (cell_ids, cell_boxes, sizes) in enumerate(levels):
        if k > 0:  # cells of an inner level point at the nodes of the level below
            cell_ids = numbers[k - 1][cell_ids]
        nodes = list(zip(numbers[k].tolist(), _blobs(cell_ids, cell_boxes, sizes, per_node, node_size,
                                                     depth if k == depth else 0)))
        owners = np.repeat(numbers[k], sizes)
        if k == 0:  # the rowid map is keyed by feature id: written in id order, it is appended, not inserted
            by_id = np.argsort(cell_ids, kind="stable")
            cell_ids, owners = cell_ids[by_id], owners[by_id]
        links = list(zip(cell_ids.tolist(), owners.tolist()))
        out.append((nodes, links, k))
    return out


def _blobs(cell_ids: np.ndarray, cell_boxes: np.ndarray, sizes: np.ndarray, per_node: int, node_size: int,
           depth: int = 0) -> list[bytes]:
    """The node blobs of one level: header (depth, cell count), then the cells, node after node."""
    blobs = np.zeros((len(sizes), node_size), dtype=np.uint8)
    header = np.zeros(len(sizes), dtype=[("depth", ">u2"), ("n", ">u2")])
    header["n"] = sizes
    header["depth"] = depth  # (read from the root only)
    blobs[:, :4] = header.view(np.uint8).reshape(len(sizes), 4)
    # every node but the last of a level is full (see _pack): the cells are laid out node after node, the
    # missing cells of the last node left zero — one copy, not a scatter of every byte
    cells = np.zeros(len(sizes) * per_node, dtype=_CELL)
    cells["id"][:len(cell_ids)], cells["box"][:len(cell_ids)] = cell_ids, cell_boxes
    blobs[:, 4:4 + per_node * _CELL.itemsize] = cells.view(np.uint8).reshape(len(sizes), -1)
    return [bytes(row) for row in blobs]


def write_leaves(conn: sqlite3.Connection, table: str, first_id: int, minx: np.ndarray, maxx: np.ndarray,
                 miny: np.ndarray, maxy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Write the leaves of a packed tree for the consecutive ids ``first_id``… into the R-tree's shadow tables
    (inside the caller's transaction); returns (their node numbers, their boxes) for :func:`write_upper`.

    For a tree built in parts — each worker writing the leaves of the rows it wrote, while the others still work —
    and topped once all parts are in. The leaves of ids ``first_id``… are numbered ``first_id + 1``…: fewer nodes
    than rows, so parts of disjoint id ranges never share a number, and none is the root's (1).
    """
    size = node_size(conn, table)
    per_node = (size - 4) // _CELL.itemsize
    ids = first_id + np.arange(len(minx), dtype=np.int64)
    boxes = float32_outwards(minx, maxx, miny, maxy)
    cell_ids, cell_boxes, sizes, node_boxes = _pack(ids, boxes, per_node)
    numbers = first_id + 1 + np.arange(len(sizes), dtype=np.int64)
    conn.executemany(f'INSERT INTO "{table}_node" (nodeno, data) VALUES (?, ?)',
                     zip(numbers.tolist(), _blobs(cell_ids, cell_boxes, sizes, per_node, size)))
    owners = np.repeat(numbers, sizes)
    by_id = np.argsort(cell_ids, kind="stable")  # (appended in id order)
    conn.executemany(f'INSERT INTO "{table}_rowid" (rowid, nodeno) VALUES (?, ?)',
                     zip(cell_ids[by_id].tolist(), owners[by_id].tolist()))
    return numbers, node_boxes.astype(np.float32)


def write_upper(conn: sqlite3.Connection, table: str, leaves: np.ndarray, leaf_boxes: np.ndarray) -> None:
    """Top the leaves that :func:`write_leaves` wrote with the inner levels and the root (node 1), packed over the
    leaves' boxes (inside the caller's transaction; the tree held only its empty root before the leaves came)."""
    leaves = np.asarray(leaves, dtype=np.int64)
    if len(leaves) == 0:
        return  # (the empty root stays)
    size = node_size(conn, table)
    conn.execute(f'DELETE FROM "{table}_node" WHERE nodeno = 1')  # (the empty root)
    if len(leaves) == 1:  # one leaf is the whole tree: it becomes the root
        conn.execute(f'UPDATE "{table}_node" SET nodeno = 1 WHERE nodeno = ?', (int(leaves[0]),))
        conn.execute(f'UPDATE "{table}_rowid" SET nodeno = 1 WHERE nodeno = ?', (int(leaves[0]),))
        return
    per_node = (size - 4) // _CELL.itemsize
    levels = []  # bottom-up above the leaves: (cells = numbers of the level below, their boxes, sizes, numbers)
    ids, boxes = leaves, np.asarray(leaf_boxes, dtype=np.float32)
    next_number = int(leaves.max()) + 1
    while True:
        cell_ids, cell_boxes, sizes, node_boxes = _pack(ids, boxes, per_node)
        root = len(sizes) == 1
        numbers = np.array([1], dtype=np.int64) if root else next_number + np.arange(len(sizes), dtype=np.int64)
        next_number += len(sizes)
        levels.append((cell_ids, cell_boxes, sizes, numbers))
        if root:
            break
        ids, boxes = numbers, node_boxes.astype(np.float32)
    for k, (cell_ids, cell_boxes, sizes, numbers) in enumerate(levels):
        conn.executemany(f'INSERT INTO "{table}_node" (nodeno, data) VALUES (?, ?)',
                         zip(numbers.tolist(), _blobs(cell_ids, cell_boxes, sizes, per_node, size,
                                                      len(levels) if k == len(levels) - 1 else 0)))
        conn.executemany(f'INSERT INTO "{table}_parent" (nodeno, parentnode) VALUES (?, ?)',
                         zip(cell_ids.tolist(), np.repeat(numbers, sizes).tolist()))


def node_size(conn: sqlite3.Connection, table: str) -> int:
    return conn.execute(f'SELECT length(data) FROM "{table}_node" WHERE nodeno = 1').fetchone()[0]


def write_packed(conn: sqlite3.Connection, table: str, packed: list) -> None:
    """Replace the R-tree's shadow tables by a packed tree (inside the caller's transaction)."""
    for shadow in ("node", "rowid", "parent"):
        conn.execute(f'DELETE FROM "{table}_{shadow}"')
    for nodes, links, level in packed:
        conn.executemany(f'INSERT INTO "{table}_node" (nodeno, data) VALUES (?, ?)', nodes)
        if level == 0:
            conn.executemany(f'INSERT INTO "{table}_rowid" (rowid, nodeno) VALUES (?, ?)', links)
        else:
            conn.executemany(f'INSERT INTO "{table}_parent" (nodeno, parentnode) VALUES (?, ?)', links)


def bulk_load(conn: sqlite3.Connection, table: str, ids: np.ndarray, minx: np.ndarray, maxx: np.ndarray,
              miny: np.ndarray, maxy: np.ndarray) -> None:
    """Replace the content of the 2D R-tree virtual table ``table`` by a packed tree of the boxes.

    Runs inside the caller's transaction. The boxes are rounded outwards to float32 as SQLite does.
    """
    write_packed(conn, table, pack(ids, minx, maxx, miny, maxy, node_size(conn, table)))
