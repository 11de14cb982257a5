"""The national template's tables read from text in every shape they arrive in.

The tables are written here the way web pages and PDF copies hand them over (a fictional
临江市 department, numbers made up): one "|" row per line, markdown, one cell per line,
space-separated, digits run together, a saved web page's HTML. Values checked by hand.
"""

from __future__ import annotations

import pytest

from scoring.extract.readers import html_to_text
from scoring.extract.template import read_template, split_run
from scoring.extract.text import TextView

APPLICANTS = "自然人 法人或其他组织 总计 商业企业 科研机构 社会公益组织 法律服务机构 其他"
# table 3 rows: label, seven cells (自然人, five kinds of 法人或其他组织, 总计); "" = blank cell
ROWS = [
    ("一、本年新收政府信息公开申请数量", ["23", "4", "0", "0", "1", "0", "28"]),
    ("二、上年结转政府信息公开申请数量", ["2", "0", "0", "0", "0", "0", "2"]),
    ("三、本年度办理结果 (一)予以公开", ["11", "2", "0", "0", "0", "0", "13"]),
    ("(二)部分公开(区分处理的,只计这一情形,不计其他情形)", ["3", "0", "0", "0", "0", "0", "3"]),
    ("(三)不予公开 1.属于国家秘密", ["0", "0", "0", "0", "0", "0", "0"]),
    ("2.其他法律行政法规禁止公开", ["0", "0", "0", "0", "0", "0", "0"]),
    ("3.危及“三安全一稳定”", ["0", "0", "0", "0", "0", "0", "0"]),
    ("4.保护第三方合法权益", ["1", "0", "0", "0", "0", "0", "1"]),
    ("5.属于三类内部事务信息", ["0", "0", "0", "0", "0", "0", "0"]),
    ("6.属于四类过程性信息", ["0", "0", "0", "0", "0", "0", "0"]),
    ("7.属于行政执法案卷", ["0", "0", "0", "0", "0", "0", "0"]),
    ("8.属于行政查询事项", ["0", "0", "0", "0", "0", "0", "0"]),
    ("(四)无法提供 1.本机关不掌握相关政府信息", ["6", "1", "0", "0", "0", "0", "7"]),
    ("2.没有现成信息需要另行制作", ["0", "0", "0", "0", "0", "0", "0"]),
    ("3.补正后申请内容仍不明确", ["0", "0", "0", "0", "0", "0", "0"]),
    ("(五)不予处理 1.信访举报投诉类申请", ["2", "0", "0", "0", "0", "0", "2"]),
    ("2.重复申请", ["0", "0", "0", "0", "0", "0", "0"]),
    ("3.要求提供公开出版物", ["0", "0", "0", "0", "0", "0", "0"]),
    ("4.无正当理由大量反复申请", ["0", "0", "0", "0", "0", "0", "0"]),
    ("5.要求行政机关确认或重新出具已获取信息", ["0", "0", "0", "0", "0", "0", "0"]),
    ("(六)其他处理 1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", ["0", "1", "0", "0", "0", "0", "1"]),
    ("2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", ["0", "0", "0", "0", "0", "0", "0"]),
    ("3.其他", ["1", "0", "0", "0", "0", "0", "1"]),
    ("(七)总计", ["23", "4", "0", "0", "1", "0", "28"]),
    ("四、结转下年度继续办理", ["2", "0", "0", "0", "0", "0", "2"]),
]
APPEALS = ["1", "1", "0", "0", "2", "0", "1", "0", "1", "2", "1", "0", "0", "0", "1"]
EXPECTED = {
    "applications_received": 28, "applications_carried_over": 2, "applications_completed": 28,
    "applications_carried_forward": 2, "applications_granted": 13, "applications_partly_granted": 3,
    "applications_refused": 1, "applications_unavailable": 7, "applications_not_processed": 2,
    "applications_other_handled": 2,
    "reconsiderations": 2, "reconsiderations_corrected": 1, "reconsiderations_upheld": 1,
    "lawsuits": 3, "lawsuits_corrected": 1, "lawsuits_pending": 1,
}
HEAD = "三、收到和处理政府信息公开申请情况\n(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和)\n"
APPEALS_HEAD = ("四、政府信息公开行政复议、行政诉讼情况\n行政复议 行政诉讼\n结果维持 结果纠正 其他结果 尚未审结 总计 "
                "未经复议直接起诉 复议后起诉\n")
TAIL = "\n五、存在的主要问题及改进情况\n一是公开深度不够。\n"


def shape(kind: str) -> str:
    """Tables 3 and 4 as one kind of copy makes them."""
    if kind == "pipes":
        body = "\n".join(f"{label} | {' | '.join(cells)} |" for label, cells in ROWS)
        appeals = " | ".join(APPEALS) + " |"
        head = "申请人情况 | " + " | ".join(APPLICANTS.split()) + " |\n"
    elif kind == "markdown":
        body = "\n".join(f"| {label} | {' | '.join(cells)} |" for label, cells in ROWS)
        appeals = "| " + " | ".join(APPEALS) + " |"
        head = "| 申请人情况 | " + " | ".join(APPLICANTS.split()) + " |\n|---|---|---|---|---|---|---|---|\n"
    elif kind == "cell_per_line":
        body = "\n".join(f"{label} |\n" + "".join(f"{c} |\n" for c in cells) for label, cells in ROWS)
        appeals = "".join(f"{c} |\n" for c in APPEALS)
        head = "申请人情况 |\n" + "".join(f"{w} |\n" for w in APPLICANTS.split())
    elif kind == "spaces":
        body = "\n".join(f"{label} {' '.join(cells)}" for label, cells in ROWS)
        appeals = " ".join(APPEALS)
        head = "申请人情况 " + APPLICANTS + "\n"
    else:  # run together: a PDF copy that lost every separator, one long line
        body = "".join(f"{label} {''.join(cells)}" for label, cells in ROWS)
        appeals = "".join(APPEALS)
        head = "申请人情况 " + APPLICANTS + " "
    return HEAD + head + body + "\n" + APPEALS_HEAD + appeals + TAIL


def read(text: str) -> tuple[dict[str, float], list]:
    values, issues = read_template(TextView.of(text), "报告“测试”")
    return {v.metric: v.value for v in values}, issues


@pytest.mark.parametrize("kind", ["pipes", "markdown", "cell_per_line", "spaces", "run_together"])
def test_tables_three_and_four_in_every_text_shape(kind: str) -> None:
    values, issues = read(shape(kind))
    assert {m: values.get(m) for m in EXPECTED} == EXPECTED
    assert issues == []


def test_a_saved_web_page_keeps_blank_cells_blank() -> None:
    def row(label: str, cells: list[str]) -> str:
        tds = "".join(f"<td><p align=\\\"center\\\">{c or '&nbsp;'}</p></td>" for c in cells)
        return f"<tr><td colspan=\\\"3\\\"><p>{label}</p></td>{tds}</tr>"
    page = ("<p>三、收到和处理政府信息公开申请情况</p><table><tr><td>申请人情况</td></tr>"
            "<tr><td>自然人</td><td>法人或其他组织</td><td>总计</td></tr>"
            + row("一、本年新收政府信息公开申请数量", ["40", "5", "", "", "", "1", "46"])
            + row("二、上年结转政府信息公开申请数量", ["3", "", "", "", "", "", "3"])
            + row("(七)总计", ["38", "5", "", "", "", "1", ""])  # 总计 cell left blank: not a zero
            + row("四、结转下年度继续办理", ["5", "", "", "", "", "", "5"])
            + "</table><p>四、政府信息公开行政复议、行政诉讼情况</p><table>"
            "<tr><td>未经复议直接起诉</td><td>复议后起诉</td></tr><tr><td>总计</td></tr><tr>"
            + "".join(f"<td>{c or '&nbsp;'}</td>" for c in ["2", "", "", "1", "3", "", "", "", "", "", "", "", "", "",
                                                              ""])
            + "</tr></table><p>五、存在的主要问题及改进情况</p>")
    text = html_to_text(page)
    assert "一、本年新收政府信息公开申请数量|40|5||||1|46|" in text
    values, _ = read(text)
    assert values["applications_received"] == 46 and values["applications_carried_over"] == 3
    assert "applications_completed" not in values  # blank total
    assert values["applications_carried_forward"] == 5
    assert values["reconsiderations"] == 3 and values["reconsiderations_pending"] == 1
    assert "lawsuits" not in values and "reconsiderations_corrected" not in values  # blank cells


def test_run_together_rows_are_cut_by_the_total_column() -> None:
    assert split_run("713000074", 7, lambda p: sum(p[:6]) == p[6]) == [(71, 3, 0, 0, 0, 0, 74)]
    # 1 1 1 0 0 0 2 or 11 … no: only readings whose applicant columns add up to the last cell
    assert split_run("1100002", 7, lambda p: sum(p[:6]) == p[6]) == [(1, 1, 0, 0, 0, 0, 2)]
    assert split_run("123", 7, lambda p: True) == []


def test_a_run_is_read_only_where_a_reading_adds_up() -> None:
    text = (HEAD + "自然人 法人或其他组织 总计\n一、本年新收政府信息公开申请数量 120000012二、上年结转政府信息公开申请数量 "
            "1200012(七)总计 120000012四、结转下年度继续办理 0000000\n五、存在的主要问题")
    values, issues = read(text)
    # 1200012 has no reading whose six applicant cells add up to the last one: no value, not a guess
    assert values == {"applications_received": 12, "applications_completed": 12, "applications_carried_forward": 0}
    assert issues == []


def test_a_failed_identity_is_reported() -> None:
    text = shape("pipes").replace("四、结转下年度继续办理 | 2 | 0 | 0 | 0 | 0 | 0 | 2 |",
                                  "四、结转下年度继续办理 | 5 | 0 | 0 | 0 | 0 | 0 | 5 |")
    values, issues = read(text)
    assert values["applications_carried_forward"] == 5
    assert any("勾稽关系不成立" in i.message and "28 + 上年结转 2 = 30" in i.message for i in issues)


def test_a_row_cut_off_by_the_end_of_the_excerpt_gives_nothing() -> None:
    text = HEAD + "申请人情况 |\n自然人 |\n一、本年新收政府信息公开申请数量 |\n4 |\n0 |\n0 |\n0 |\n0 |\n0 |\n4 |\n" \
                  "二、上年结转政府信息公开申请数量 |\n1 |\n0 |\n0"
    values, _ = read(text)
    assert values == {"applications_received": 4}


def test_a_page_with_only_the_last_row_and_table_four() -> None:
    text = ("第 7 页\n四、结转下年度继续办理 0 0 0 0 0 0 0\n四、政府信息公开行政复议、行政诉讼情况\n2021 年未发生复议诉讼。\n"
            "行政复议 行政诉讼\n未经复议直接起诉 复议后起诉\n结\n果\n维\n持\n" + " ".join(["0"] * 15) + "\n五、存在的主要问题")
    values, _ = read(text)
    assert values["applications_carried_forward"] == 0
    assert values["reconsiderations"] == 0 and values["lawsuits"] == 0 and values["lawsuits_corrected"] == 0


def test_table_two_in_the_2021_and_2019_formats() -> None:
    text = ("二、主动公开政府信息情况\n第二十条第(一)项\n信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |\n"
            "规章 | 0 | 0 | 0 |\n行政规范性文件 | 6 | 2 | 41 |\n第二十条第(五)项\n信息内容 | 本年处理决定数量 |\n"
            "行政许可 | 1375 |\n第二十条第(六)项\n信息内容 | 本年处理决定数量 |\n行政处罚 | 88 |\n行政强制 | 3 |\n"
            "第二十条第(八)项\n信息内容 | 本年收费金额(单位:万元) |\n行政事业性收费 | 12.6 |\n三、收到和处理政府信息公开申请情况\n")
    values, _ = read(text)
    assert values == {"regulations_issued": 0, "regulations_repealed": 0, "regulations_in_force": 0,
                      "normative_documents_issued": 6, "normative_documents_repealed": 2,
                      "normative_documents_in_force": 41, "licensing_decisions": 1375, "penalty_decisions": 88,
                      "enforcement_decisions": 3, "fees_collected": 12.6}
    old = ("第二十条第(一)项\n信息内容 本年新制作数量 本年新公开数量 对外公开总数量\n规章 0 0 0\n规范性文件 4 4 30\n"
           "第二十条第(五)项\n信息内容 上一年项目数量 本年增/减 处理决定数量\n行政许可 12 0 260\n三、收到和处理政府信息公开申请情况\n")
    values, _ = read(old)
    assert values == {"regulations_issued": 0, "normative_documents_issued": 4, "licensing_decisions": 260}


def test_table_four_whose_copy_lost_the_group_names() -> None:
    text = ("四、政府信息公开行政复议、行政诉讼情况\n结果维持 结果纠正 其他结果 尚未审结 总计\n"
            "2 1 0 0 3 | 0 0 0 1 1 | 1 0 0 0 1\n五、存在的主要问题")
    values, issues = read(text)
    assert (values["reconsiderations"], values["reconsiderations_corrected"], values["lawsuits"],
            values["lawsuits_upheld"], values["lawsuits_pending"]) == (3, 1, 2, 1, 1)
    assert issues == []
