"""Reports as offices receive them, end to end: compilations copied out of a PDF, titles inside
sentences, units only in file names, fuzzy unit names, real tables in .docx and .pdf, 繁体,
page furniture, mojibake and a very large file. Fictional units of 临江市; numbers by hand."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from scoring.extract.run import SIMILARITY, extract_reports

FIXTURES = Path(__file__).parent / "fixtures"
UNITS = """unit_id,name,class,aliases
U1,东湖区城管局,dept,临江市东湖区城市管理局
U2,西山县林业局,dept,
U3,北岭区教育体育局,dept,
U4,白沙镇,county,白沙镇人民政府
U5,市自然资源和规划局,dept,市自然资源局
U6,市住房和城乡建设局,dept,市住建局
U7,青石街道,county,青石街道办事处
U8,市档案馆,dept,
"""


def extract(tmp_path: Path, files: dict[str, str | bytes], **kwargs):
    folder = tmp_path / "reports"
    folder.mkdir(exist_ok=True)
    for name, content in files.items():
        path = folder / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    units = tmp_path / "units.csv"
    units.write_text(UNITS, encoding="utf-8")
    return extract_reports([folder], "2021", units_path=units, progress=False, **kwargs)


def numbers(extraction) -> dict[tuple[str, str], float]:
    values = extraction.values[extraction.values["metric"] != SIMILARITY]
    return {(u, m): v for u, m, v in zip(values["unit"], values["metric"], values["value"])}


# A compilation as a PDF copy gives it: reports run together in two long lines, each title
# starting mid-line after a sentence and followed by its date, one title cut by a stray space,
# collection numbers (篇2) after the titles, a table of contents first.
COMPILATION = (
    "临江市2021年度区县部门政务公开工作总结选编 目录 东湖区城管局……1 西山县林业局……4 北岭区教体局……7\n"
    "前言:各单位总结按收到先后排列。 临江市东湖区城市管理局2021年度政务公 开工作总结 篇1 2022年1月10日 "
    "2021年,区城管局坚持以公开促规范,全年主动公开政府信息186条,其中政策解读9篇。全年收到政府信息公开申请4件,"
    "上年结转1件,均已办结。未发生因政府信息公开引起的行政复议、行政诉讼。 西山县林业局2021年度政务公开工作总结 篇2 "
    "2022年1月12日 2021年,县林业局依托门户网站主动公开信息77条,通过微信公众号发布信息120条。全年未收到政府信息公开"
    "申请。下一步,我局将继续做好公开工作。\n"
    "临江市北岭区教体局2021年度政务公开工作总结 篇3 2022年1月15日 2021年,区教体局主动公开各类信息412条,发布政策法规、"
    "政策解读类信息24篇,回应社会关切15条。本年新收政府信息公开申请6件,2020年结转政府信息公开申请2件。\n"
)


def test_compilation_copied_out_of_a_pdf(tmp_path: Path) -> None:
    extraction = extract(tmp_path, {"区县部门总结选编.txt": COMPILATION})
    reports = extraction.reports
    assert reports["title"].tolist() == [
        "临江市东湖区城市管理局2021年度政务公开工作总结篇1",
        "西山县林业局2021年度政务公开工作总结篇2",
        "临江市北岭区教体局2021年度政务公开工作总结篇3",
    ]
    assert reports["unit_match"].tolist() == ["确定", "确定", "待确认"]
    assert reports["candidate"].iloc[2].startswith("U3 北岭区教育体育局")
    got = numbers(extraction)
    assert got == {
        ("U1", "proactive_items"): 186, ("U1", "policy_interpretations"): 9, ("U1", "applications_received"): 4,
        ("U1", "applications_carried_over"): 1, ("U1", "reconsiderations"): 0, ("U1", "lawsuits"): 0,
        # the website's 77 is the count; the WeChat account's 120 is one channel's, not the unit's
        ("U2", "proactive_items"): 77, ("U2", "applications_received"): 0,
        # "政策法规、政策解读类信息24篇" is a combined category, not 24 interpretations;
        # "2020年结转…2件" in a 2021 report is last year's carry-over
        ("U3", "proactive_items"): 412, ("U3", "responses_to_concerns"): 15, ("U3", "applications_received"): 6,
        ("U3", "applications_carried_over"): 2,
    }
    proposed = [i for i in extraction.issues if "北岭区教体局" in i.message]
    assert proposed and "请确认" in proposed[0].message and "U3 北岭区教育体育局" in proposed[0].message


def test_collection_pieces_headed_pian_n(tmp_path: Path) -> None:
    body = ("我局全年主动公开政府信息{n}条,未收到政府信息公开申请,各项工作有序推进,群众满意度不断提高。"
            "下一步,我局将进一步规范公开流程,提升公开质量。\n")
    text = ("政务公开工作总结(精选3篇)\n目录\n政务公开工作总结 篇1\n政务公开工作总结 篇2\n政务公开工作总结 篇3\n"
            "政务公开工作总结 篇1\n" + body.format(n=40) + "政务公开工作总结 篇2\n" + body.format(n=41)
            + "篇3\n" + body.format(n=42))
    extraction = extract(tmp_path, {"0042_9fae31c.txt": text})
    assert extraction.reports["title"].tolist() == ["政务公开工作总结篇1", "政务公开工作总结篇2", "篇3"]
    assert extraction.reports["unit_match"].tolist() == ["未匹配"] * 3  # nothing names them; not "fae" either
    values = extraction.values[extraction.values["metric"] == "proactive_items"]
    assert values["value"].tolist() == [40, 41, 42]


def test_units_from_sentences_file_names_and_nowhere(tmp_path: Path) -> None:
    extraction = extract(tmp_path, {
        # no title line: the first line is a heading; a sentence names the report
        "a.txt": "一、总体情况\n根据条例规定,现公布临江市白沙镇人民政府2021年政府信息公开工作年度报告。全镇主动公开信息58条。\n",
        # the file name is the unit; the text says only 我街道
        "青石街道.txt": "(2022年1月8日)\n2021年,我街道主动公开政府信息45条,未受理依申请公开事项。\n",
        # a title ending in "|", as a copied table header gives it
        "b.txt": "临江市档案馆2021年政府信息公开工作年度报告|\n本馆全年主动公开信息31条,依申请公开政府信息的数量:无。\n",
        # nothing names the unit
        "年报.txt": "一、总体情况\n我单位全年主动公开政府信息12条。\n",
        # a unit the list lacks: kept under its own name, with its closest candidate
        "c.txt": "临江市西山县气象台2021年政务公开工作总结\n全年主动公开政府信息8条,政策解读2条。本台工作扎实。\n",
    })
    reports = extraction.reports.set_index("file")
    assert reports.loc["a.txt", ["unit", "unit_match", "unit_via"]].tolist() == ["U4", "确定", "正文"]
    assert reports.loc["青石街道.txt", ["unit", "unit_match", "unit_via"]].tolist() == ["U7", "确定", "文件名"]
    assert reports.loc["b.txt", ["unit", "unit_via"]].tolist() == ["U8", "标题"]
    assert reports.loc["年报.txt", "unit_match"] == "未匹配" and reports.loc["年报.txt", "unit"].startswith("未识别单位")
    assert reports.loc["c.txt", ["unit", "unit_match"]].tolist() == ["临江市西山县气象台", "未匹配"]
    assert reports.loc["c.txt", "candidate"].startswith("U2 西山县林业局")  # listed, never dropped
    got = numbers(extraction)
    assert got[("U4", "proactive_items")] == 58
    assert got[("U7", "proactive_items")] == 45 and got[("U7", "applications_received")] == 0
    assert got[("U8", "proactive_items")] == 31 and got[("U8", "applications_received")] == 0
    assert got[("临江市西山县气象台", "proactive_items")] == 8
    assert "临江市西山县气象台" in extraction.unmatched
    messages = " ".join(i.message for i in extraction.issues)
    assert "最接近的是 U2 西山县林业局" in messages and "没能从标题、正文、文件名或开头几行认出" in messages


def _generator():
    spec = importlib.util.spec_from_file_location("make_template_reports", FIXTURES / "make_template_reports.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("maker, name, unit", [
    ("make_docx", "市自然资源和规划局2021年报.docx", "U5"),
    ("make_pdf", "市住房和城乡建设局2021年报.pdf", "U6"),
])
def test_real_tables_in_docx_and_pdf(tmp_path: Path, maker: str, name: str, unit: str) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    getattr(_generator(), maker)(folder / name)
    extraction = extract(tmp_path, {})
    values = extraction.values.set_index("metric")
    assert (values["unit"] == unit).all()
    expected = {"applications_received": 20, "applications_carried_over": 1, "applications_completed": 20,
                "applications_carried_forward": 1, "applications_granted": 10, "applications_partly_granted": 2,
                "applications_unavailable": 6, "reconsiderations": 2, "reconsiderations_pending": 1, "lawsuits": 1,
                "lawsuits_corrected": 1, "proactive_items": 342}
    assert {m: values.at[m, "value"] for m in expected} == expected
    assert values.at["applications_received", "origin"] == "表格"
    assert values.at["proactive_items", "origin"] == "正文"
    # the sentence says 19, the table 20: the table wins and both are shown
    issue = next(i for i in extraction.issues if i.metric == "applications_received")
    assert "表格为 20" in issue.message and "正文为 19" in issue.message and "共收到政府信息公开申请19件" in issue.message


def test_traditional_characters_are_matched_and_shown_as_written(tmp_path: Path) -> None:
    # as a site serving 繁体 gives it (mainland wording, traditional characters, full-width digits)
    text = "臨江市白沙鎮人民政府2021年政府信息公開工作年度報告\n本鎮全年主動公開政府信息１２６條,政策解讀８條。全年未收到政府信息公開申請。\n"
    extraction = extract(tmp_path, {"白沙.txt": text})
    got = numbers(extraction)
    assert got == {("U4", "proactive_items"): 126, ("U4", "policy_interpretations"): 8,
                   ("U4", "applications_received"): 0}
    assert extraction.reports["unit_match"].tolist() == ["确定"]
    evidence = extraction.values.set_index("metric")["evidence"]
    assert evidence["proactive_items"] == "本鎮全年主動公開政府信息１２６條,政策解讀８條。"
    assert evidence["applications_received"] == "全年未收到政府信息公開申請。"


def test_page_furniture_and_traps_do_not_mislead(tmp_path: Path) -> None:
    page = (
        "当前位置:首页 > 政府信息公开 > 政府信息公开年报 > 2021年度\n|||\n"
        "临江市市档案馆2021年政府信息公开工作年度报告\n发布时间:2022-01-20 来源:市档案馆 作者:办公室 浏览次数:1532\n"
        "【字体:大 中 小】 打印本页 关闭窗口\n|||\n"
        "一、总体情况\n全年主动公开政府信息64条,网站总访问量38126人次。受理群众来信来访信访件203件,办结203件。"
        "开展在线访谈5期,组织政务公开培训2期、参训人员40人次。\n"
        "扫一扫在手机打开当前页 主办:临江市人民政府办公室 联系电话:0000-1234567 邮编:100000\n"
    )
    extraction = extract(tmp_path, {"档案馆.txt": page})
    assert numbers(extraction) == {("U8", "proactive_items"): 64, ("U8", "trainings"): 2, ("U8", "trainees"): 40}


def test_a_report_without_numbers_says_so(tmp_path: Path) -> None:
    extraction = extract(tmp_path, {"青石街道.txt": "一、总体情况\n我街道高度重视政务公开工作,扎实推进各项任务。\n"})
    assert numbers(extraction) == {}
    assert any("没有找到可提取的数值" in i.message for i in extraction.issues)


def test_mojibake_and_binary_junk_do_not_crash(tmp_path: Path) -> None:
    junk = "锟斤拷烫烫烫 Ã¤Â¸Â­Ã¦Â–Â‡ \ufffd\ufffd \x00\x07 ||||| 政府信息公开工作年度报告 2021年 |||"
    extraction = extract(tmp_path, {"青石街道.txt": junk * 50, "d.txt": b"\xff\xfe\x00\x00" * 100})
    assert len(extraction.reports) == 1
    assert any(i.severity == "error" and i.file == "d.txt" for i in extraction.issues)


def test_a_ten_megabyte_file(tmp_path: Path) -> None:
    paragraph = "2021年,我局持续推进政务公开标准化规范化建设,完善公开目录,规范发布流程,强化保密审查。\n"
    body = paragraph * (10_000_000 // len(paragraph.encode("utf-8")))
    text = "临江市档案馆2021年政府信息公开工作年度报告\n全年主动公开政府信息77条。\n" + body
    extraction = extract(tmp_path, {"大文件.txt": text})
    assert numbers(extraction) == {("U8", "proactive_items"): 77}
    assert any("只提取了前" in i.message for i in extraction.issues)  # the cap is said, not silent
