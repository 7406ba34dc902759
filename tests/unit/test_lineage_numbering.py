"""Stable codes across re-coding (lineage) and Hilbert numbering within a group."""
import numpy as np
import pytest
import shapely

from linxia_tianguan_plugin.core.coding.lineage import KEPT, MERGE, NEW, RESHAPED, SPLIT, match, retire_reason
from linxia_tianguan_plugin.core.coding.numbering import NumberingError, merge_maxima, next_numbers, used_maxima


def boxes(*coords):
    return np.array([shapely.box(*c) for c in coords], dtype=object)


def test_identical_parcels_keep_codes_without_overlay():
    old = boxes((0, 0, 10, 10), (10, 0, 20, 10))
    new = boxes((10, 0, 20, 10), (0, 0, 10, 10))
    m = match(old, new)
    assert m.kept.tolist() == [1, 0]
    assert list(m.relation) == [KEPT, KEPT] and m.edges == []


def test_small_edits_keep_the_code():
    old = boxes((0, 0, 100, 10))
    new = boxes((0, 0, 95, 10))  # IoU 0.95
    assert match(old, new).kept.tolist() == [0]


def test_split_merge_new_reshape_and_delete():
    old = boxes((0, 0, 100, 10), (100, 0, 150, 10), (150, 0, 200, 10), (300, 0, 310, 10), (400, 0, 500, 10))
    new = boxes(
        (0, 0, 50, 10), (50, 0, 100, 10),  # old 0 split in two
        (100, 0, 200, 10),  # old 1 + old 2 merged
        (600, 0, 610, 10),  # brand new
        (400, 0, 440, 10),  # old 4 shrunk far below the IoU threshold
    )  # old 3 deleted
    m = match(old, new)
    assert m.kept.tolist() == [-1, -1, -1, -1, -1]
    assert list(m.relation) == [SPLIT, SPLIT, MERGE, NEW, RESHAPED]
    parents = {}
    for i, j, _ in m.edges:
        parents.setdefault(j, set()).add(i)
    assert parents == {0: {0}, 1: {0}, 2: {1, 2}, 4: {4}}
    assert retire_reason({0, 1}, [SPLIT, SPLIT]) == "split"
    assert retire_reason({2}, [MERGE]) == "merged"
    assert retire_reason(set(), []) == "deleted"
    assert retire_reason({4}, [RESHAPED]) == "reshaped"


def test_a_piece_cut_off_a_kept_parcel_is_a_split_child():
    old = boxes((0, 0, 100, 10))
    new = boxes((0, 0, 95, 10), (95, 0, 100, 10))
    m = match(old, new)
    assert m.kept.tolist() == [0, -1]
    assert m.relation[1] == SPLIT and m.edges == [(0, 1, pytest.approx(50.0))]


def test_numbering_follows_hilbert_order_within_group_and_never_reuses():
    groups = np.array(["62292110020101"] * 4 + ["62292110020102"] * 2)
    free = np.array([False, False, False, True, False, False])
    x = np.array([0.0, 0.0, 10.0, 5.0, 0.0, 1.0])
    y = np.array([0.0, 10.0, 10.0, 5.0, 0.0, 0.0])
    used = {"62292110020101": (7, 90003)}
    seq = next_numbers(groups, free, x, y, used)
    # group 01 contract parcels continue after 7 along the curve (0,0) → (0,10) → (10,10)
    assert seq.tolist() == [8, 9, 10, 90004, 1, 2]


def test_numbering_runs_out_loudly():
    with pytest.raises(NumberingError) as err:
        next_numbers(np.array(["62292110020101"] * 2), np.array([False, False]), np.zeros(2), np.zeros(2),
                     {"62292110020101": (89998, 0)})
    assert err.value.group_code == "62292110020101"


def test_used_maxima_counts_both_ranges_and_merges():
    codes = np.array(["62292110020101000012", "62292110020101000050", "62292110020101900010", "junk", ""])
    table = used_maxima(codes)
    assert table == {"62292110020101": (5, 90001)}
    assert merge_maxima(table, {"62292110020101": (9, 0), "62292110020102": (1, 0)}) == {
        "62292110020101": (9, 90001), "62292110020102": (1, 0)}
