"""Numbers in report sentences: phrasing, Chinese numerals, approximations, zero in words,
context (plans, other years), conflicts and breakdowns."""

from __future__ import annotations

import pytest

from scoring.extract.finder import find_values
from scoring.extract.patterns import load_patterns
from scoring.extract.split import Report
from scoring.extract.text import normalize

RULES = load_patterns()


def run(text: str, year: int | None = 2021):
    report = Report("r.txt", 1, "标题", "某局", year, normalize(text), 1)
    return find_values(report, RULES, "某局")


def values(text: str) -> dict[str, tuple[float, bool]]:
    return {f.metric: (f.value, f.approx) for f in run(text)[0]}


@pytest.mark.parametrize("sentence, metric, value, approx", [
    ("全年主动公开政府信息665条。", "proactive_items", 665, False),
    ("主动公开各类信息600余条。", "proactive_items", 600, True),
    ("主动公开政府信息1.2万条。", "proactive_items", 12000, False),
    ("主动公开政府信息１２８条。", "proactive_items", 128, False),
    ("全年主动公开交易公告等政府信息56,304条。", "proactive_items", 56304, False),
    ("共公开信息218条。", "proactive_items", 218, False),
    ("主动公开政府信息近500条。", "proactive_items", 500, True),
    ("发布政策解读材料15篇。", "policy_interpretations", 15, False),
    ("全年编发政策解读十五篇。", "policy_interpretations", 15, False),
    ("对9件规范性文件进行了解读。", "policy_interpretations", 9, False),
    ("回应社会关切问题近百条。", "responses_to_concerns", 100, True),
    ("回应公众关注热点或重大舆情数12062条。", "responses_to_concerns", 12062, False),
    ("共受理群众提出的信息公开申请七件。", "applications_received", 7, False),
    ("本年新收政府信息公开申请1,024件。", "applications_received", 1024, False),
    ("全年受理依申请公开事项3项。", "applications_received", 3, False),
    ("全年未收到政府信息公开申请。", "applications_received", 0, False),
    ("本年度无依申请公开事项。", "applications_received", 0, False),
    ("二、政府信息依申请公开情况（无）", "applications_received", 0, False),
    ("上年结转零件。", "applications_carried_over", 0, False),
    ("尚有2件结转至2022年继续办理。", "applications_carried_forward", 2, False),
    ("全年无逾期答复。", "applications_overdue", 0, False),
    ("行政复议：无", "reconsiderations", 0, False),
    ("行政复议6件，其中结果纠正1件；", "reconsiderations_corrected", 1, False),
    ("被提起行政诉讼3件，结果纠正0件。", "lawsuits_corrected", 0, False),
    ("组织开展政务公开培训三期。", "trainings", 3, False),
    ("培训乡镇业务骨干200余人次。", "trainees", 200, True),
    ("全文电子化率达到百分之百。", "fulltext_rate", 100, False),
    ("全文电子化率达100。", "fulltext_rate", 100, False),
    ("全年接受群众咨询1.2万余人次。", "consultations", 12000, True),
    ("全年办理人大建议、政协提案56件。", "proposals_handled", 56, False),
    ("其中专职200人、兼职148人。", "staff_parttime", 148, False),
    ("用于政府信息公开工作的经费为22.38万元。", "spending", 22.38, False),
    ("政务公开工作经费36000元。", "spending", 3.6, False),
    ("全年未发生泄密事件。", "leaks", 0, False),
])
def test_phrasings(sentence: str, metric: str, value: float, approx: bool) -> None:
    found = values(sentence)
    assert found[metric] == pytest.approx((value, approx))


def test_breakdown_items_each_go_to_their_metric() -> None:
    found = values("全年主动公开政府信息685条,其中政策文件46条,政策解读32条,回应关切21条,工作动态398条。")
    assert found == {"proactive_items": (685, False), "policy_interpretations": (32, False),
                     "responses_to_concerns": (21, False)}


def test_one_statement_gives_several_zeros() -> None:
    found = values("本机关未发生因政府信息公开引起的行政复议和行政诉讼。")
    assert found == {"reconsiderations": (0, False), "lawsuits": (0, False)}


def test_evidence_is_the_sentence_and_approximations_lower_confidence() -> None:
    found = {f.metric: f for f in run("一、概况\n全年主动公开各类信息600余条;政策解读26篇。回应关切9条")[0]}
    assert found["proactive_items"].evidence == "全年主动公开各类信息600余条;"
    assert found["policy_interpretations"].evidence == "政策解读26篇。"
    assert found["responses_to_concerns"].evidence == "回应关切9条"
    assert found["proactive_items"].confidence == pytest.approx(0.9 * 0.8)
    assert found["policy_interpretations"].confidence == pytest.approx(0.9)


@pytest.mark.parametrize("sentence", [
    "下一步,我局将组织全系统政务公开培训4期。",
    "2022年,我委将组织培训6期。",
    "全年主动公开各类信息600余条,较2020年主动公开政府信息480余条有明显增长。",
])
def test_plans_and_other_years_are_not_taken(sentence: str) -> None:
    found = values(sentence)
    assert "trainings" not in found
    assert found.get("proactive_items", (600, True)) == (600, True)


def test_other_years_are_kept_when_the_report_year_is_unknown() -> None:
    report = Report("r.txt", 1, "标题", "某局", None, "2022年,组织培训6期。", 1)
    assert [(f.metric, f.value) for f in find_values(report, RULES, "某局")[0]] == [("trainings", 6)]


def test_without_a_title_year_the_period_year_decides() -> None:
    report = Report("r.txt", 1, "一、总体情况", "某局", None, "2020年,组织培训6期。2021年,组织培训9期。", 1)
    assert [(f.metric, f.value) for f in find_values(report, RULES, "某局", 2021)[0]] == [("trainings", 9)]


def test_conflicting_values_keep_the_more_confident_one_with_an_issue() -> None:
    found, issues = run("截至2021年底,累计主动公开政府信息14316条,其中本年度新增4621条。")
    assert values_of(found) == {"proactive_items": 4621}
    (issue,) = issues
    assert issue.severity == "warning" and issue.metric == "proactive_items" and issue.unit == "某局"
    assert "采用 4621" in issue.message and "14316" in issue.message and "置信度较高" in issue.message


def test_equal_confidence_keeps_the_first_stated() -> None:
    found, issues = run("主动公开政府信息120条。下半年主动公开政府信息150条。")
    assert values_of(found) == {"proactive_items": 120}
    assert "先出现" in issues[0].message


def test_same_value_twice_is_no_conflict() -> None:
    found, issues = run("主动公开政府信息412条。\n主动公开政府信息(条)|412")
    assert values_of(found) == {"proactive_items": 412} and issues == []


def test_breakdown_above_its_total_is_an_issue() -> None:
    _, issues = run("主动公开政府信息523条,其中政策法规30条,政策解读41条,工作动态420条,其他信息35条。")
    (issue,) = issues
    assert issue.metric == "proactive_items" and "526条" in issue.message and "30+41+420+35" in issue.message


@pytest.mark.parametrize("sentence", [
    "主动公开政府信息685条,其中政策文件46条,政策解读32条,比2020年的597条增加88条。",  # comparison ends the list
    "收到政府信息公开申请41件,其中自然人申请35件、法人申请6件,上年结转2件。",  # another metric ends it
    "主动公开政府信息(其中政策文件46条、工作动态900条)。",  # no total number
])
def test_breakdowns_within_their_total_or_not_breakdowns_are_quiet(sentence: str) -> None:
    assert run(sentence)[1] == []


def test_report_longer_than_the_cap_is_cut_with_an_issue() -> None:
    text = "主动公开政府信息100条。" + "工作扎实推进。" * 40_000 + "政策解读5条。"
    found, issues = run(text)
    assert values_of(found) == {"proactive_items": 100}
    assert len(issues) == 1 and "只提取了前 200000 字" in issues[0].message


def values_of(found) -> dict[str, float]:
    return {f.metric: f.value for f in found}


@pytest.mark.parametrize("sentence, expected", [
    # zero said in words
    ("依申请公开政府信息的数量:无。", {"applications_received": 0}),
    ("本年度未受理依申请公开事项。", {"applications_received": 0}),
    ("全年未收到任何公民、法人和其他组织提出的公开政府信息的申请。", {"applications_received": 0}),
    ("我办全年没有接到群众要求公开政府信息的申请。", {"applications_received": 0}),
    ("全年未收到针对本局政府信息公开工作的行政复议、行政诉讼。", {"reconsiderations": 0, "lawsuits": 0}),
    ("政府信息公开行政复议、行政诉讼0件。", {"reconsiderations": 0, "lawsuits": 0}),
    # carry-over written with last year, and the slip 转结
    ("2020年结转政府信息公开申请3件,全部办结。", {"applications_carried_over": 3}),
    ("上年转结申请1件。", {"applications_carried_over": 1}),
    ("上年结转政府信息公开申请数量2件。", {"applications_carried_over": 2}),
    # the number before the words
    ("全年共收到14份政府信息依申请公开件。", {"applications_received": 14}),
    ("收到政府信息公开书面申请9件。", {"applications_received": 9}),
    # a list of categories ending in 等…信息
    ("依托门户网站公开财政预决算、人事任免、工作动态等政府信息203条。", {"proactive_items": 203}),
    # a reconsideration decided against the unit
    ("被申请行政复议2件,经复议机关审理,2件均纳入结果纠正范围。", {"reconsiderations": 2, "reconsiderations_corrected": 2}),
    ("涉及信息公开行政复议1项,纳入结果纠正范围。", {"reconsiderations": 1, "reconsiderations_corrected": 1}),
    # trainings and trainees, the number first or counted in people
    ("全年举办了3期政务公开业务培训,累计参训180余人。", {"trainings": 3, "trainees": 180}),
    ("开展2次专题培训,培训干部65名。", {"trainings": 2, "trainees": 65}),
])
def test_more_phrasings(sentence: str, expected: dict[str, float]) -> None:
    assert {m: v for m, (v, _) in values(sentence).items()} == expected


@pytest.mark.parametrize("sentence, expected", [
    # a combined category is not the count of one of its parts
    ("发布政策法规、政策解读类信息24篇。", {}),
    ("发布回应社会关切及政策解读类稿件11篇。", {}),
    ("发布政策文件12条、政策解读8条。", {"policy_interpretations": 8}),
    # one channel's count is not the unit's total; a count across channels is
    ("微信公众号发布信息198条。", {}),
    ("通过政务微博发布信息51条,抖音号发布短视频20条。", {}),
    ("在局门户网站和微信公众号发布政务信息共326条。", {"proactive_items": 326}),
    ("通过网站、新媒体等平台公开政府信息共计1486条。", {"proactive_items": 1486}),
    # traps
    ("全年受理信访件1531件,办结1531件。", {}),
    ("网站总访问量442868人次,主动公开政府信息90条。", {"proactive_items": 90}),
    ("开展在线访谈8期。", {}),
])
def test_channels_combined_categories_and_traps(sentence: str, expected: dict[str, float]) -> None:
    assert {m: v for m, (v, _) in values(sentence).items()} == expected


def test_a_stated_total_outranks_the_website_count() -> None:
    found = values("区政府网站发布工作动态信息27条。全年共计公开各类信息236条。")
    assert found["proactive_items"] == (236, False)
