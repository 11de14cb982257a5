"""The metric vocabulary: agency-data metric ids every scheme may use without declaring them.

Each entry: id → (Chinese name, unit, other names a spreadsheet header or a report may use).
"""

from __future__ import annotations

from typing import NamedTuple


class Term(NamedTuple):
    name: str
    unit: str
    aliases: tuple[str, ...] = ()


VOCABULARY: dict[str, Term] = {
    "proactive_items": Term("主动公开政府信息", "条", ("主动公开信息", "主动公开", "主动公开数量", "信息公开数量")),
    "policy_interpretations": Term("政策解读", "条", ("政策解读数量", "解读")),
    "responses_to_concerns": Term("回应关切", "条", ("回应社会关切", "回应关切数量")),
    "applications_received": Term("本年新收依申请公开申请", "件", ("本年新收申请", "依申请公开申请", "收到申请", "新收申请")),
    "applications_carried_over": Term("上年结转申请", "件", ("上年结转",)),
    "applications_completed": Term("办理结果总计", "件", ("办结", "办结申请", "已办结")),
    "applications_carried_forward": Term("结转下年度继续办理", "件", ("结转下年度",)),
    "applications_overdue": Term("逾期答复", "件", ("逾期答复件数", "超期答复")),
    # 办理结果 breakdown of the national template's table 3 (总计 column)
    "applications_granted": Term("予以公开", "件", ("依申请予以公开",)),
    "applications_partly_granted": Term("部分公开", "件", ("依申请部分公开",)),
    "applications_refused": Term("不予公开", "件", ("依申请不予公开",)),
    "applications_unavailable": Term("无法提供", "件", ("依申请无法提供",)),
    "applications_not_processed": Term("不予处理", "件", ("依申请不予处理",)),
    "applications_other_handled": Term("其他处理", "件", ("依申请其他处理",)),
    "reconsiderations": Term("行政复议", "件", ("行政复议案件",)),
    "reconsiderations_corrected": Term("行政复议结果纠正", "件", ("复议纠错", "复议纠正")),
    "reconsiderations_upheld": Term("行政复议结果维持", "件", ("复议维持",)),
    "reconsiderations_other": Term("行政复议其他结果", "件", ()),
    "reconsiderations_pending": Term("行政复议尚未审结", "件", ()),
    # 行政诉讼 = 未经复议直接起诉 + 复议后起诉 (table 4's two 总计 added; likewise each outcome)
    "lawsuits": Term("行政诉讼", "件", ("行政诉讼案件",)),
    "lawsuits_corrected": Term("行政诉讼结果纠正", "件", ("诉讼纠错", "诉讼纠正")),
    "lawsuits_upheld": Term("行政诉讼结果维持", "件", ("诉讼维持",)),
    "lawsuits_other": Term("行政诉讼其他结果", "件", ()),
    "lawsuits_pending": Term("行政诉讼尚未审结", "件", ()),
    # the national template's table 2 (主动公开); 2019-format reports give 本年新制作 as issued
    "regulations_issued": Term("本年制发规章", "件", ("规章制发",)),
    "regulations_repealed": Term("本年废止规章", "件", ()),
    "regulations_in_force": Term("现行有效规章", "件", ()),
    "normative_documents_issued": Term("本年制发行政规范性文件", "件", ("规范性文件制发",)),
    "normative_documents_repealed": Term("本年废止行政规范性文件", "件", ()),
    "normative_documents_in_force": Term("现行有效行政规范性文件", "件", ()),
    "licensing_decisions": Term("行政许可处理决定", "件", ("行政许可决定",)),
    "penalty_decisions": Term("行政处罚处理决定", "件", ("行政处罚决定",)),
    "enforcement_decisions": Term("行政强制处理决定", "件", ("行政强制决定",)),
    "fees_collected": Term("行政事业性收费金额", "万元", ("行政事业性收费",)),
    "trainings": Term("培训", "期", ("培训期数", "培训次数", "组织培训")),
    "trainees": Term("培训人次", "人次", ("参训人次", "培训人数")),
    "fulltext_rate": Term("全文电子化率", "%", ("电子化率",)),
    "consultations": Term("咨询", "次", ("咨询次数", "接受咨询")),
    "proposals_handled": Term("人大建议、政协提案办理", "件", ("建议提案办理", "人大建议政协提案")),
    "staff_fulltime": Term("专职工作人员", "人", ("专职人员",)),
    "staff_parttime": Term("兼职工作人员", "人", ("兼职人员",)),
    "spending": Term("信息公开经费", "万元", ("经费", "工作经费")),
    "late_publications": Term("未按时公开", "条", ("未按时公开信息", "公开不及时")),
    "leaks": Term("泄密、泄露隐私等严重问题", "件", ("泄密", "泄露隐私")),
    "report_similarity": Term("年报与他人或往年雷同度", "0–1", ("雷同度", "年报雷同度")),
}


def display_name(metric_id: str) -> str:
    term = VOCABULARY.get(metric_id)
    return term.name if term else metric_id
