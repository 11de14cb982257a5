"""Texts kept as codes into their distinct values: join, distinct_texts, the detail table's
categorical columns and competition ranks, against values worked out by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd

from scoring.evaluate import MISSING, OK, STATUSES, Scored, Units
from scoring.ranking import competition_rank, sort_keys
from scoring.rules.base import Rewritten, codes_of, distinct_texts, factorize_objects, join, nums, pick
from scoring.tables import details_table, repeated, side_by_side


def test_join_of_a_pick_that_leaves_a_text_unchosen() -> None:
    bands = pick(["差", "中", "好"], np.array([0, 2, 2, 0]))  # "中" chosen by no unit
    assert join(bands, "。").tolist() == ["差。", "好。", "好。", "差。"]


def test_join_writes_numbers_among_its_parts_by_str() -> None:
    assert join("第", np.array([1, 2], dtype=object), "名").tolist() == ["第1名", "第2名"]


def test_join_of_many_combinations_numbers_them_densely() -> None:
    left, right = pick(["a", "b", "c"], np.array([0, 2, 2, 1, 0])), nums(np.array([1.0, np.nan, 1.0, 2.5, 1.0]))
    joined = join(left, "=", right)
    assert joined.tolist() == ["a=1", "c=—", "c=1", "b=2.5", "a=1"]
    codes = codes_of(joined)
    assert codes[0] == codes[4] and len(set(codes.tolist())) == 4 and codes.max() == 3


def test_rewritten_texts_keep_their_codes_in_step() -> None:
    why = Rewritten(join("得分 ", nums(np.array([1.0, 2.0, 1.0, 3.0]))))
    why.set(np.array([False, True, False, False]), "缺失")
    why.set(np.array([False, False, False, True]), join("不适用", np.array(["!"], dtype=object)))
    why.set(np.zeros(4, dtype=bool), "无人")
    out = why.result()
    assert out.tolist() == ["得分 1", "缺失", "得分 1", "不适用!"]
    codes, distinct = distinct_texts(out)
    assert distinct[codes].tolist() == out.tolist() and codes[0] == codes[2]


def test_distinct_texts_of_coded_and_plain_arrays() -> None:
    codes, distinct = distinct_texts(pick(["差", "中", "好"], np.array([2, 0, 2])))
    assert codes.tolist() == [2, 0, 2] and distinct.tolist() == ["差", None, "好"]
    plain = np.array(["乙", None, "甲", "乙"], dtype=object)
    codes, distinct = distinct_texts(plain)
    assert codes.tolist() == [0, -1, 1, 0] and distinct.tolist() == ["乙", "甲"]


def test_factorize_objects_groups_equal_texts_held_by_different_objects() -> None:
    values = np.array(["ab", "".join(["a", "b"]), "c", None], dtype=object)
    codes, uniques = factorize_objects(values)
    assert codes.tolist() == [0, 0, 1, -1] and list(uniques) == ["ab", "c"]


def test_side_by_side_reads_the_blocks_unit_major() -> None:
    first = (np.array([0, 1, -1]), np.array(["甲", "乙"], dtype=object))
    second = (np.array([1, 1, 0]), np.array(["乙", "丙"], dtype=object))
    column = side_by_side([first, second])
    assert list(column.astype(object)) == ["甲", "丙", "乙", "丙", np.nan, "乙"]
    assert sorted(column.categories) == ["丙", "乙", "甲"]  # "乙" once, though both blocks hold it


def test_repeated_keeps_texts_and_missing() -> None:
    assert list(repeated(np.array(["优秀", "", "优秀", None], dtype=object)).astype(object)) == ["优秀", "", "优秀", np.nan]


def test_details_table_texts_by_hand() -> None:
    units = Units(ids=np.array(["A", "B"], dtype=object), names=np.array(["甲局", "乙局"], dtype=object),
                  classes=np.array(["", ""], dtype=object))
    values = np.array([3.0, np.nan])

    def block(item_id: str, explanation: np.ndarray) -> Scored:
        return Scored("indicator", item_id, item_id, item_id, "g", "m", values, np.array([True, False]),
                      np.array([OK, MISSING], dtype=np.int8), "规则", np.array([1.0, 0.0]), np.array([2.0, 2.0]),
                      explanation, unit="条")

    said = join("数量 ", nums(values), " 条")
    details = details_table([block("x", said), block("y", np.array(["一", "二"], dtype=object))], units, 2)
    assert details["unit_id"].astype(object).tolist() == ["A", "A", "B", "B"]
    assert details["explanation"].astype(object).tolist() == ["数量 3 条", "一", "数量 — 条", "二"]
    assert details["value_text"].astype(object).tolist() == ["约3 条", "约3 条", "缺失", "缺失"]
    assert details["status"].astype(object).tolist() == [STATUSES[OK], STATUSES[OK], STATUSES[MISSING], STATUSES[MISSING]]


def test_competition_rank_by_hand() -> None:
    keys = sort_keys(np.array([90.0, 95.0, 90.0, 80.0, 95.0]), np.array([False, False, False, False, True]), [])
    assert competition_rank(keys).tolist() == [2, 1, 2, 4, 5]  # the vetoed unit last whatever its total
    classes = np.array(["a", "b", "a", "b", "a"], dtype=object)
    assert competition_rank(keys, classes).tolist() == [1, 1, 1, 2, 3]
    tiebreak = sort_keys(np.array([90.0, 90.0, 90.0]), np.zeros(3, dtype=bool), [np.array([5.0, 7.0, 5.0])])
    assert competition_rank(tiebreak).tolist() == [2, 1, 2]
    assert competition_rank(pd.DataFrame({"_failed": [], "_total": []})).tolist() == []


def test_peer_ranks_by_hand() -> None:
    from scoring.rules.base import coded
    from scoring.rules.rank import peer_ranks

    values = np.array([5.0, 3.0, np.nan, 5.0, 1.0, 7.0, 3.0])
    classes = coded(np.array(list("aabaaab"), dtype=object))
    peers = np.array([True, True, True, True, False, True, True])  # the unit valued 1 takes no part
    ranks, counts = peer_ranks(values, classes, peers, ascending=False)
    assert np.array_equal(ranks, [2, 4, np.nan, 2, np.nan, 1, 1], equal_nan=True)
    assert counts.tolist() == [4, 4, 1, 4, 4, 4, 1]
    ranks, _ = peer_ranks(values, classes, peers, ascending=True)
    assert np.array_equal(ranks, [2, 1, np.nan, 2, np.nan, 4, 1], equal_nan=True)
