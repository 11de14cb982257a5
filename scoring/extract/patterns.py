"""Extraction rules: the bundled patterns.yaml, optionally extended by an office's own file.

Loaded once, validated (Chinese messages naming the file and key), regexes compiled once.
An extension file may add patterns, replace a bundled one (same id), drop some (`disable`),
add tokens, title kinds, skip words, traps, channel words, breakdown totals and checks.

Two conventions of a pattern's regex, besides the group `value`: a group `prev_year` must hold
the year before the report's ("2021年结转…申请2件" in a 2022 report is last year's carry-over),
and such a pattern is exempt from the other-year rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scoring.errors import CriteriaError, Location
from scoring.extract.text import normalize
from scoring.scheme.yamlsrc import read_yaml, strip

BUNDLED = Path(__file__).with_name("patterns.yaml")
_METRIC_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_TOKEN = re.compile(r"\{([A-Z][A-Z0-9_]*)\}")
# A group holding an unbounded repeat that is itself repeated: "(a+)+", "(\d*,?)*" → exponential time
_NESTED_REPEAT = re.compile(r"\((?:[^()\\]|\\.)*[+*](?:[^()\\]|\\.)*\)[+*{]")
_TOP_KEYS = {"version", "settings", "tokens", "titles", "skip_sentence_words", "traps", "channels", "breakdowns",
             "checks", "patterns", "disable"}
_PATTERN_KEYS = {"id", "regex", "confidence", "value", "scale"}
_SETTINGS = {"max_report_chars": int, "min_report_chars": int, "approx_confidence_factor": float}


@dataclass(frozen=True)
class MetricPattern:
    id: str
    metric: str
    regex: re.Pattern[str]
    confidence: float
    value: float | None = None  # fixed value ("未收到申请" → 0); else read from group `value`
    scale: float = 1.0


@dataclass(frozen=True)
class Trap:
    """Words that, before a number in its sentence, say it counts something else (信访件 are not
    information-disclosure applications); the number is not taken for `metrics`."""

    words: tuple[str, ...]
    metrics: tuple[str, ...]
    clause: bool = False  # only in the number's own clause (from the last comma), not its whole sentence


@dataclass(frozen=True)
class Balance:
    left: tuple[str, ...]
    right: tuple[str, ...]


@dataclass(frozen=True)
class PatternSet:
    patterns: tuple[MetricPattern, ...]
    title: re.Pattern[str]
    inline_title: re.Pattern[str]  # a title inside a line: after a sentence, before a date
    collection_item: re.Pattern[str]  # "…工作总结 篇3" or "篇3" alone: one piece of a collection
    skip_words: tuple[str, ...]
    traps: tuple[Trap, ...]
    channel_words: tuple[str, ...]  # a count in a clause naming one of these is one channel's
    channel_metrics: tuple[str, ...]  # … and not the unit's total of these metrics
    website_words: tuple[str, ...]  # a count for the website alone: taken, but below a stated total
    breakdown_totals: tuple[str, ...]
    breakdown_stop: tuple[str, ...]
    parts: tuple[tuple[str, str], ...]
    balances: tuple[Balance, ...]
    overdue: tuple[str, ...]  # overdue metric, then the metrics whose sum bounds it
    max_report_chars: int
    min_report_chars: int
    approx_factor: float


def load_patterns(extra: str | Path | None = None) -> PatternSet:
    """The bundled rules, extended by `extra` (an office's YAML file) when given."""
    base = _read_yaml(BUNDLED)
    layers = [(BUNDLED, base)]
    if extra is not None:
        layers.append((Path(extra), _read_yaml(Path(extra))))
    return _build(layers)


def _read_yaml(path: Path) -> dict[str, Any]:
    """The patterns file through the criteria's safe reader (size, nesting and alias limits)."""
    data = strip(read_yaml(path, what="提取规则文件", empty=True))
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        raise CriteriaError(
            f"不认识的键“{unknown[0]}”;可用的键:{'、'.join(sorted(_TOP_KEYS))}", Location(file=str(path), key=unknown[0])
        )
    return data


def _build(layers: list[tuple[Path, dict[str, Any]]]) -> PatternSet:
    settings: dict[str, Any] = {}
    tokens: dict[str, str] = {}
    kinds: list[str] = []
    skip: list[str] = []
    traps: list[Trap] = []
    channel_words: list[str] = []
    channel_metrics: list[str] = []
    website_words: list[str] = []
    totals: list[str] = []
    stop: list[str] = []
    parts: list[tuple[str, str]] = []
    balances: list[Balance] = []
    overdue: tuple[str, ...] = ()
    raw_patterns: dict[str, tuple[Path, str, str, dict[str, Any]]] = {}  # id → (file, key, metric, spec)
    for path, data in layers:
        settings.update(_settings(path, data.get("settings") or {}))
        tokens.update(_string_map(path, data.get("tokens") or {}, "tokens"))
        titles = _mapping(path, data.get("titles") or {}, "titles")
        kinds += _title_kinds(path, titles.get("kinds") or [])
        skip += _strings(path, data.get("skip_sentence_words") or [], "skip_sentence_words")
        traps += _traps(path, data.get("traps") or [])
        channels = _mapping(path, data.get("channels") or {}, "channels")
        channel_words += _strings(path, channels.get("words") or [], "channels.words")
        channel_metrics += _metric_list(path, channels.get("metrics") or [], "channels.metrics")
        website_words += _strings(path, channels.get("website_words") or [], "channels.website_words")
        breakdowns = _mapping(path, data.get("breakdowns") or {}, "breakdowns")
        totals += _metric_list(path, breakdowns.get("totals") or [], "breakdowns.totals")
        stop += _strings(path, breakdowns.get("stop_words") or [], "breakdowns.stop_words")
        checks = _mapping(path, data.get("checks") or {}, "checks")
        parts += _parts(path, checks.get("parts") or [])
        balances += _balances(path, checks.get("balances") or [])
        if checks.get("overdue"):
            overdue = tuple(_metric_list(path, checks["overdue"], "checks.overdue"))
        for pattern_id in _strings(path, data.get("disable") or [], "disable"):
            if raw_patterns.pop(pattern_id, None) is None:
                raise CriteriaError(f"要停用的规则“{pattern_id}”不存在", Location(file=str(path), key="disable"))
        seen: set[str] = set()
        for metric, items in _mapping(path, data.get("patterns") or {}, "patterns").items():
            if not isinstance(metric, str) or not _METRIC_ID.match(metric):
                raise CriteriaError(
                    f"指标编号“{metric}”无效:应为小写英文、数字和下划线", Location(file=str(path), key=f"patterns.{metric}")
                )
            if not isinstance(items, list):
                raise CriteriaError("应为规则列表(每条以“- ”开头)", Location(file=str(path), key=f"patterns.{metric}"))
            for i, spec in enumerate(items):
                key = f"patterns.{metric}[{i}]"
                pattern_id = _pattern_id(path, spec, key)
                if pattern_id in seen:
                    raise CriteriaError(f"规则编号“{pattern_id}”重复", Location(file=str(path), key=f"{key}.id"))
                seen.add(pattern_id)
                raw_patterns[pattern_id] = (path, key, metric, spec)
    compiled = tuple(_compile(path, key, metric, spec, tokens) for path, key, metric, spec in raw_patterns.values())
    return PatternSet(
        patterns=compiled,
        title=_title_regex(kinds),
        inline_title=_inline_title_regex(kinds),
        collection_item=_collection_item_regex(kinds),
        skip_words=tuple(dict.fromkeys(skip)),
        traps=tuple(traps),
        channel_words=tuple(normalize(w) for w in dict.fromkeys(channel_words)),
        channel_metrics=tuple(dict.fromkeys(channel_metrics)),
        website_words=tuple(normalize(w) for w in dict.fromkeys(website_words)),
        breakdown_totals=tuple(dict.fromkeys(totals)),
        breakdown_stop=tuple(dict.fromkeys(stop)),
        parts=tuple(dict.fromkeys(parts)),
        balances=tuple(balances),
        overdue=overdue,
        max_report_chars=int(settings.get("max_report_chars", 200_000)),
        min_report_chars=int(settings.get("min_report_chars", 60)),
        approx_factor=float(settings.get("approx_confidence_factor", 0.8)),
    )


def _compile(path: Path, key: str, metric: str, spec: dict[str, Any], tokens: dict[str, str]) -> MetricPattern:
    where = Location(file=str(path), key=f"{key}.regex")
    source = spec.get("regex")
    if not isinstance(source, str) or not source:
        raise CriteriaError("缺少 regex(正则表达式)", where)
    unknown = sorted({name for name in _TOKEN.findall(source) if name not in tokens})
    if unknown:
        raise CriteriaError(f"未定义的占位符“{{{unknown[0]}}}”;可用:{'、'.join('{' + t + '}' for t in tokens)}", where)
    source = normalize(source)  # full-width punctuation in a rule means the same as in the text
    _check_regex(path, f"{key}.regex", source)
    expanded = _TOKEN.sub(lambda m: tokens[m.group(1)], source)
    try:
        regex = re.compile(expanded, re.MULTILINE)
    except re.error as exc:
        raise CriteriaError(f"正则表达式无效:{exc}", where) from None
    value = spec.get("value")
    if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
        raise CriteriaError("value 应为数字", Location(file=str(path), key=f"{key}.value"))
    if value is None and "value" not in regex.groupindex:
        raise CriteriaError("正则中没有命名组 value(或占位符 {NUM}/{PCT}),也没有给出固定的 value", where)
    confidence = _number(path, f"{key}.confidence", spec.get("confidence", 0.8))
    if not 0 < confidence <= 1:
        raise CriteriaError("confidence 应在 0 到 1 之间", Location(file=str(path), key=f"{key}.confidence"))
    scale = _number(path, f"{key}.scale", spec.get("scale", 1.0))
    return MetricPattern(str(spec["id"]), metric, regex, confidence, None if value is None else float(value), scale)


def _title_kinds(path: Path, data: Any) -> list[str]:
    kinds = _strings(path, data, "titles.kinds")
    for i, kind in enumerate(kinds):
        _check_regex(path, f"titles.kinds[{i}]", kind)
    return kinds


_TITLE_BODY = (
    r"(?P<pre>[^\d,。;:!?《》\"“”|\n]{{0,40}}?)(?:关于)?"
    r"(?P<year>(?:19|20)\d{{2}}|二[〇零○][〇零○一二三四五六七八九]{{2}})年度?"
    r"(?P<post>[^\d,。;:!?《》\"“”|\n]{{0,40}}?)的?(?:{kinds})"
)
_COLLECTION_NUMBER = r"(?:篇[\d一二三四五六七八九十]{1,3})?"


def _title_regex(kinds: list[str]) -> re.Pattern[str]:
    """A whole line that is a title; "标题:" before it, "(…)", "篇3" or "|" after it allowed."""
    alternatives = "|".join(f"(?:{normalize(k)})" for k in dict.fromkeys(kinds))
    return re.compile(
        r"^(?:标题|题目|文章标题)?[:]?" + _TITLE_BODY.format(kinds=alternatives)
        + rf"(?:\([^()\n]{{0,20}}\))?{_COLLECTION_NUMBER}\|*$"
    )


def _collection_item_regex(kinds: list[str]) -> re.Pattern[str]:
    """A line heading one piece of a collection (范文 sites, 汇编): "篇3" alone, or after a report
    kind without a year ("政府信息公开工作总结 篇3", "XX局度政府信息公开工作总结篇二")."""
    alternatives = "|".join(f"(?:{normalize(k)})" for k in dict.fromkeys(kinds))
    return re.compile(
        rf"^(?:[^\d,。;:!?《》\"“”|\n]{{0,40}}?(?:{alternatives}|信息公开年度报告|工作总结|工作报告))?"
        r"篇(?:\d{1,3}|[一二三四五六七八九十]{1,3})$"
    )


def _inline_title_regex(kinds: list[str]) -> re.Pattern[str]:
    """A title starting after a sentence end (or a line start) and followed by a date or "篇N"."""
    alternatives = "|".join(f"(?:{normalize(k)})" for k in dict.fromkeys(kinds))
    body = _TITLE_BODY.format(kinds=alternatives).replace("?P<pre>", "?:").replace("?P<year>", "?:") \
        .replace("?P<post>", "?:")
    return re.compile(
        rf"(?:^|(?<=[。!?;”\"]))(?P<title>{body}{_COLLECTION_NUMBER})"
        r"(?=\(?(?:19|20)\d{2}年\d{1,2}月\d{1,2}日|篇[\d一二三四五六七八九十])",
        re.MULTILINE,
    )


def _check_regex(path: Path, key: str, source: str) -> None:
    """A regex (without placeholders expanded) that compiles and cannot backtrack for ages."""
    where = Location(file=str(path), key=key)
    if _NESTED_REPEAT.search(source):
        raise CriteriaError("正则含嵌套的重复(如 (a+)+),长报告上可能极慢;请改写为有上限的简单形式", where)
    try:
        re.compile(_TOKEN.sub("x", source))
    except re.error as exc:
        raise CriteriaError(f"正则表达式无效:{exc}", where) from None


def _pattern_id(path: Path, spec: Any, key: str) -> str:
    if not isinstance(spec, dict):
        raise CriteriaError("每条规则应是“键: 值”形式(id、regex、confidence…)", Location(file=str(path), key=key))
    unknown = sorted(set(spec) - _PATTERN_KEYS)
    if unknown:
        raise CriteriaError(
            f"不认识的键“{unknown[0]}”;可用:{'、'.join(sorted(_PATTERN_KEYS))}", Location(file=str(path), key=f"{key}.{unknown[0]}")
        )
    if not isinstance(spec.get("id"), str) or not spec["id"]:
        raise CriteriaError("缺少规则编号 id", Location(file=str(path), key=f"{key}.id"))
    return spec["id"]


def _settings(path: Path, data: Any) -> dict[str, Any]:
    data = _mapping(path, data, "settings")
    out: dict[str, Any] = {}
    for name, value in data.items():
        if name not in _SETTINGS:
            raise CriteriaError(f"不认识的设置“{name}”", Location(file=str(path), key=f"settings.{name}"))
        number = _number(path, f"settings.{name}", value)
        if number <= 0:
            raise CriteriaError("应为正数", Location(file=str(path), key=f"settings.{name}"))
        out[name] = _SETTINGS[name](number)
    return out


def _parts(path: Path, data: Any) -> list[tuple[str, str]]:
    out = []
    for i, pair in enumerate(_list(path, data, "checks.parts")):
        pair = _metric_list(path, pair, f"checks.parts[{i}]")
        if len(pair) != 2:
            raise CriteriaError("应写作 [分项, 总数]", Location(file=str(path), key=f"checks.parts[{i}]"))
        out.append((pair[0], pair[1]))
    return out


def _traps(path: Path, data: Any) -> list[Trap]:
    pairs = _paired_lists(path, data, "traps", ("words", "metrics"), (_strings, _metric_list), "words 和 metrics 都应列出")
    scopes = [item.get("scope", "sentence") for item in data]
    for i, scope in enumerate(scopes):
        if scope not in ("sentence", "clause"):
            raise CriteriaError("scope 应为 sentence(整句)或 clause(分句)", Location(file=str(path), key=f"traps[{i}].scope"))
    return [Trap(tuple(normalize(w) for w in words), metrics, scope == "clause")
            for (words, metrics), scope in zip(pairs, scopes)]


def _balances(path: Path, data: Any) -> list[Balance]:
    pairs = _paired_lists(path, data, "checks.balances", ("left", "right"), (_metric_list, _metric_list),
                          "left 和 right 都应列出指标")
    return [Balance(left, right) for left, right in pairs]


def _paired_lists(path: Path, data: Any, key: str, names: tuple[str, str], readers, message: str) -> list[tuple]:
    """Items with two non-empty lists each (`names`), read by `readers`."""
    out = []
    for i, item in enumerate(_list(path, data, key)):
        item = _mapping(path, item, f"{key}[{i}]")
        pair = [tuple(read(path, item.get(name) or [], f"{key}[{i}].{name}")) for name, read in zip(names, readers)]
        if not all(pair):
            raise CriteriaError(message, Location(file=str(path), key=f"{key}[{i}]"))
        out.append(tuple(pair))
    return out


def _metric_list(path: Path, data: Any, key: str) -> list[str]:
    items = _strings(path, data, key)
    for item in items:
        if not _METRIC_ID.match(item):
            raise CriteriaError(f"指标编号“{item}”无效", Location(file=str(path), key=key))
    return items


def _strings(path: Path, data: Any, key: str) -> list[str]:
    items = _list(path, data, key)
    if not all(isinstance(x, str) and x for x in items):
        raise CriteriaError("应为文字列表", Location(file=str(path), key=key))
    return items


def _string_map(path: Path, data: Any, key: str) -> dict[str, str]:
    data = _mapping(path, data, key)
    for name, value in data.items():
        if not isinstance(name, str) or not re.fullmatch(r"[A-Z][A-Z0-9_]*", name) or not isinstance(value, str):
            raise CriteriaError("占位符名应为大写英文,值为正则文字", Location(file=str(path), key=f"{key}.{name}"))
        _check_regex(path, f"{key}.{name}", value)
    return {name: normalize(value) for name, value in data.items()}


def _mapping(path: Path, data: Any, key: str) -> dict[Any, Any]:
    if not isinstance(data, dict):
        raise CriteriaError("应为“键: 值”形式", Location(file=str(path), key=key))
    return data


def _list(path: Path, data: Any, key: str) -> list[Any]:
    if not isinstance(data, list):
        raise CriteriaError("应为列表", Location(file=str(path), key=key))
    return data


def _number(path: Path, key: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise CriteriaError("应为数字", Location(file=str(path), key=key))
    return float(value)
