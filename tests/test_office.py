"""The office folder: `score init` makes it, `score` finds its score.toml from any subfolder and
never falls back to the bundled sample or writes into the install folder; no data, no result."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from scoring.cli.paths import project_root
from tests.helpers import TINY_CRITERIA, TINY_UNITS

METRICS = "单位,第三方评估得分,主动公开政府信息\n甲局,100,150\n乙局,50,20\n丙局,80,5\n"


@pytest.fixture
def office(tmp_path: Path, score_cli, monkeypatch) -> Path:
    """An office folder made by `score init`, with the tiny criteria and one quarter of data."""
    monkeypatch.chdir(tmp_path)
    assert score_cli("init", "临江", "--name", "临江市政务公开办", "--period", "2021Q4").code == 0
    root = tmp_path / "临江"
    (root / "criteria" / "my_criteria.yaml").write_text(TINY_CRITERIA, encoding="utf-8")
    (root / "data" / "units.csv").write_text(TINY_UNITS, encoding="utf-8")
    (root / "data" / "2021Q4" / "metrics.csv").write_text(METRICS, encoding="utf-8-sig")
    return root


def install_outputs() -> set[Path]:
    return set((project_root() / "outputs").rglob("*"))


def test_init_makes_an_office_folder(office):
    config = (office / "score.toml").read_text(encoding="utf-8")
    assert 'name = "临江市政务公开办"' in config and 'criteria = "criteria/my_criteria.yaml"' in config
    for folder in ("criteria", "data", "outputs"):
        assert (office / folder).is_dir()


def test_run_from_a_subfolder_uses_the_office_paths(office, score_cli, monkeypatch):
    before = install_outputs()
    (office / "data" / "2021Q4").mkdir(exist_ok=True)
    monkeypatch.chdir(office / "data" / "2021Q4")
    run = score_cli("--period", "2021Q4")
    assert run.code == 0, run.err
    book = office / "outputs" / "2021Q4" / "tiny_2021Q4.xlsx"
    # hand-computed: 甲局 6 + 4 = 10
    ws = openpyxl.load_workbook(book)["排名"]
    rows = [r for r in ws.iter_rows(values_only=True) if r and "甲局" in r]
    assert rows and 10 in rows[0]
    assert openpyxl.load_workbook(book).properties.creator  # written by the tool
    assert install_outputs() == before


def test_office_name_reaches_the_workbook(office, score_cli, monkeypatch):
    monkeypatch.chdir(office)
    assert score_cli("--period", "2021Q4").code == 0
    import zipfile

    with zipfile.ZipFile(office / "outputs" / "2021Q4" / "tiny_2021Q4.xlsx") as z:
        assert "临江市政务公开办" in z.read("docProps/app.xml").decode("utf-8")


def test_units_file_named_in_the_config(office, score_cli, monkeypatch):
    (office / "名单").mkdir()
    (office / "data" / "units.csv").rename(office / "名单" / "单位名单.csv")
    with open(office / "score.toml", "a", encoding="utf-8") as f:
        f.write('units = "名单/单位名单.csv"\n')
    monkeypatch.chdir(office)
    run = score_cli("explain", "甲局", "--period", "2021Q4")
    assert run.code == 0, run.err
    assert "总分 10" in run.out


def test_no_office_and_no_options_stops_with_how_to_start(tmp_path, score_cli, monkeypatch):
    monkeypatch.chdir(tmp_path)
    before = install_outputs()
    run = score_cli("--period", "2021Q4")
    assert run.code == 2 and "score.toml" in run.err and "score init" in run.err
    assert not (tmp_path / "outputs").exists() and install_outputs() == before
    run = score_cli("--period", "2021Q4", "--criteria", "x.yaml")
    assert run.code == 2 and "--input" in run.err and "--criteria" not in run.err.split("直接指定")[1]


def test_options_without_an_office_write_beside_the_caller(office, score_cli, monkeypatch, tmp_path):
    elsewhere = tmp_path / "别处"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    before = install_outputs()
    run = score_cli("--period", "2021Q4", "--criteria", office / "criteria" / "my_criteria.yaml",
                    "--input", office / "data")
    assert run.code == 0, run.err
    assert (elsewhere / "outputs" / "2021Q4" / "tiny_2021Q4.xlsx").exists()
    assert install_outputs() == before


@pytest.mark.parametrize("text, words", [
    ('name = "x"\ncriteria = "c.yaml"\ndata = "data"\nouput = "o"\n', ["score.toml", "ouput", "未知的键"]),
    ('name = "x"\ndata = "data"\n', ["score.toml", "criteria", "缺少"]),
    ('name = x\n', ["score.toml", "格式有误"]),
    ('name = "x"\ncriteria = 3\ndata = "d"\n', ["criteria", "文字"]),
])
def test_bad_config_is_a_clear_message(tmp_path, score_cli, monkeypatch, text, words):
    (tmp_path / "score.toml").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    run = score_cli("--period", "2021Q4")
    assert run.code == 2
    for word in words:
        assert word in run.err


def test_period_without_data_stops_naming_the_folder(office, score_cli, monkeypatch):
    """A year's records (data/2021/) must not pass for a half year's data: every unit would tie."""
    (office / "data" / "2021" / "records.csv").write_text(
        "单位,发布日期,栏目,标题\n甲局,2021-08-01,工作动态,通知\n", encoding="utf-8-sig")
    monkeypatch.chdir(office)
    run = score_cli("--period", "2021H2")
    assert run.code == 2
    assert str(office / "data" / "2021H2") in run.err and "不存在" in run.err and "考评完成" not in run.out
    assert not (office / "outputs" / "2021H2").exists()


def test_explicit_comparison_without_data_stops(office, score_cli, monkeypatch):
    monkeypatch.chdir(office)
    run = score_cli("--period", "2021Q4", "--compare", "2021Q2")
    assert run.code == 2 and str(office / "data" / "2021Q2") in run.err
    assert not (office / "outputs" / "2021Q4").exists()


def test_default_comparison_skipped_only_when_nothing_exists(office, score_cli, monkeypatch):
    monkeypatch.chdir(office)
    run = score_cli("--period", "2021Q4")
    assert run.code == 0 and "对比期间" not in run.out
    (office / "data" / "2021Q3").mkdir()  # a folder for the previous quarter, but nothing in it
    run = score_cli("--period", "2021Q4", "--overwrite")
    assert run.code == 2 and str(office / "data" / "2021Q3") in run.err
