"""Copied-report detection: MinHash similarity with LSH candidates."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from scoring.extract.run import extract_reports
from scoring.extract.similarity import clean_text, estimate, nearest, shingles, signatures
from scoring.extract.text import normalize

REPORTS = Path(__file__).parent / "fixtures" / "reports"


def fixture_text(name: str) -> str:
    return normalize((REPORTS / "2021" / name).read_text(encoding="utf-8-sig"))


def similarity(a: str, b: str) -> float:
    sigs, valid = signatures([a, b])
    assert valid.all()
    return float(estimate(sigs, np.array([[0, 1]]))[0])


def test_reports_differing_only_in_unit_names_are_near_identical(tmp_path: Path) -> None:
    original = (REPORTS / "2021" / "市水利局2021年政务公开工作总结.txt").read_text(encoding="utf-8")
    (tmp_path / "水利.txt").write_text(original, encoding="utf-8")
    (tmp_path / "林业.txt").write_text(original.replace("水利局", "林业和园林局"), encoding="utf-8")
    (tmp_path / "教育.txt").write_text(fixture_text("市教育局2021年政府信息公开工作年度报告.txt"), encoding="utf-8")
    extraction = extract_reports([tmp_path], "2021", progress=False)
    sims = extraction.values[extraction.values["metric"] == "report_similarity"].set_index("unit")
    assert sims.loc["临江市水利局", "value"] > 0.9 and sims.loc["临江市林业和园林局", "value"] > 0.9
    assert "临江市林业和园林局" in sims.loc["临江市水利局", "evidence"]
    assert sims.loc["临江市教育局", "value"] < 0.3
    assert sims.loc["临江市教育局", "evidence"].startswith("未发现")


def test_unrelated_reports_are_far_apart() -> None:
    a = clean_text(fixture_text("市教育局2021年政府信息公开工作年度报告.txt"), ["临江市教育局", "市教育局"])
    b = clean_text(fixture_text("江口区2021年政府信息公开工作年度报告.txt"), ["江口区"])
    assert similarity(a, b) < 0.3


def test_unit_names_digits_and_punctuation_do_not_count() -> None:
    assert clean_text("临江市水利局2021年主动公开政府信息236条。", ["临江市水利局", "水利局"]) == "年主动公开政府信息条"
    a = clean_text("临江市水利局全年主动公开政府信息236条,回应关切5条,工作扎实有序推进,成效明显。" * 3, ["临江市水利局"])
    b = clean_text("临江市农业农村局全年主动公开政府信息248条,回应关切7条,工作扎实有序推进,成效明显。" * 3, ["临江市农业农村局"])
    assert a == b


def test_estimate_is_close_to_exact_jaccard() -> None:
    rng = np.random.default_rng(7)
    alphabet = np.array(list("政务公开信息工作主动依申请政策解读回应关切年度报告全年组织培训单位部门规范制度平台网站数据"))
    base = "".join(rng.choice(alphabet, 3000))
    other = base[:1500] + "".join(rng.choice(alphabet, 1500))
    exact = len(set(shingles(base).tolist()) & set(shingles(other).tolist())) / len(
        set(shingles(base).tolist()) | set(shingles(other).tolist()))
    assert 0.2 < exact < 0.6
    assert similarity(base, other) == pytest.approx(exact, abs=0.12)


def test_earlier_years_reports_are_compared() -> None:
    extraction = extract_reports([REPORTS / "2021" / "市教育局2021年政府信息公开工作年度报告.txt"], "2021",
                                 units_path=REPORTS / "units.csv", previous=[REPORTS / "2020"], progress=False)
    (row,) = extraction.values[extraction.values["metric"] == "report_similarity"].itertuples()
    assert row.unit == "D01" and row.value > 0.9
    assert "往年报告" in row.evidence and "2020年政府信息公开工作年度报告" in row.evidence


@pytest.mark.slow
def test_lsh_finds_planted_copies_among_many_reports() -> None:
    rng = np.random.default_rng(11)
    chars = np.array([chr(c) for c in range(0x4E00, 0x4E00 + 3000)])
    texts = ["".join(rng.choice(chars, 600)) for _ in range(2000)]
    for i in range(0, 40, 2):  # report i+1 is report i with a few characters changed
        copy = list(texts[i])
        for pos in rng.integers(0, 600, 6):
            copy[pos] = "〇"
        texts[i + 1] = "".join(copy)
    start = time.perf_counter()
    sigs, valid = signatures(texts)
    best, sims = nearest(sigs, valid, len(texts))
    assert time.perf_counter() - start < 10
    for i in range(0, 40, 2):
        assert best[i] == i + 1 and best[i + 1] == i and sims[i] > 0.8
    assert (best[40:] == -1).all() and (sims[40:] == 0).all()


def test_rows_after_the_batch_are_only_compared_with_the_batch() -> None:
    text = "政务公开工作扎实推进,主动公开政府信息,回应社会关切,规范依申请公开办理,加强平台建设和监督保障。"
    sigs, valid = signatures([text + "甲乙丙丁", "完全不同的内容" * 20, text, text])
    best, sims = nearest(sigs, valid, 2)
    assert best.tolist() == [2, -1] and sims[0] > 0.8  # rows 2 and 3 (earlier years) are not each other's match
