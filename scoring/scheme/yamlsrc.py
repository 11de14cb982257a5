"""YAML to plain Python, remembering the line of every key and list item.

The one safe YAML reader: criteria files and `score extract`'s patterns files both go through
`read_yaml(path, what)`, so both get the same limits (size, nodes, nesting, no anchors blowing
up, no tags) and the same Chinese messages, naming `what` ("准则文件", "提取规则文件").
Only PyYAML's safe composer is used: nodes are built into dicts, lists and scalars by hand, so
no tag can construct an object. Each mapping gets a hidden `__lines__` entry mapping its keys
(and `.` for itself) to (file, line); list items are located by their own line. The engine never
sees those entries: `strip()` removes them after validation.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import yaml

from scoring.errors import CriteriaError, Location

LINES = "__lines__"
MAX_BYTES = 2_000_000
MAX_NODES = 100_000
MAX_DEPTH = 40
# The tags plain YAML resolves to; anything else (!!python/object, !!set, custom !tags) is refused.
_STANDARD = "tag:yaml.org,2002:"
# Plain scalars YAML reads as text but pydantic would turn into inf/nan ("nan", "1e999").
_NON_FINITE = re.compile(r"^[-+]?(inf|infinity|nan|(\d+\.?\d*|\.\d+)e[-+]?\d+)$", re.IGNORECASE)
ALLOWED_TAGS = frozenset(_STANDARD + t for t in ("str", "int", "float", "bool", "null", "seq", "map", "timestamp", "binary"))


class _Builder:
    def __init__(self, file: str, what: str):
        self.file, self.what = file, what
        self.count = 0
        self.constructor = yaml.SafeLoader("")

    def build(self, node: yaml.Node, path: tuple = ()) -> Any:
        """`path` is the key path of `node` (keys and list positions), for messages."""
        self.count += 1
        line = node.start_mark.line + 1
        if self.count > MAX_NODES:
            raise CriteriaError(f"{self.what}内容过多(超过 {MAX_NODES} 个元素),请检查是否有误用的锚点/别名", Location(self.file, line))
        if len(path) > MAX_DEPTH:
            raise CriteriaError(f"嵌套层级过深(超过 {MAX_DEPTH} 层)", Location(self.file, line))
        if node.tag not in ALLOWED_TAGS:
            raise CriteriaError(_tag_message(node.tag, self.what), self._where(line, path))
        if isinstance(node, yaml.MappingNode):
            out: dict[str, Any] = {}
            lines: dict[str, tuple[str, int]] = {".": (self.file, line)}
            for key_node, value_node in node.value:
                key = self.build(key_node, path)
                if not isinstance(key, (str, int, float, bool)) or isinstance(key, bool):
                    raise CriteriaError("键必须是文字", Location(self.file, key_node.start_mark.line + 1))
                key = str(key)
                if key in out:
                    raise CriteriaError(f"键“{key}”重复出现", Location(self.file, key_node.start_mark.line + 1, key))
                out[key] = self.build(value_node, (*path, key))
                lines[key] = (self.file, key_node.start_mark.line + 1)
            out[LINES] = lines
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        if node.tag in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:binary"):
            return str(node.value)
        try:
            value = self.constructor.construct_object(node)
        except (yaml.YAMLError, ValueError, OverflowError):  # ValueError: an int of thousands of digits
            raise CriteriaError(f"无法读取的值“{_short(node.value)}”", self._where(line, path)) from None
        if isinstance(value, float) and not math.isfinite(value) or (
            not node.style and isinstance(value, str) and _NON_FINITE.match(value) and not math.isfinite(float(value))
        ):
            raise CriteriaError(f"数值“{_short(node.value)}”不是有限数,请写一个普通数字", self._where(line, path))
        return value

    def _where(self, line: int, path: tuple) -> Location:
        return Location(self.file, line, key_path(path) or None)


def _tag_message(tag: str, what: str) -> str:
    if tag == _STANDARD + "merge":
        return "不支持 YAML 合并键“<<”,请把内容直接写出"
    shown = "!!" + tag[len(_STANDARD):] if tag.startswith(_STANDARD) else tag
    return f"不支持 YAML 标签“{_short(shown)}”:{what}只能写普通的文字、数字、列表和“键: 值”"


def _short(text: object, limit: int = 40) -> str:
    text = str(text)
    return text if len(text) <= limit else text[:limit] + "…"


# libyaml where PyYAML was built with it: a province's 16 KB criteria parse in 0.02 s instead of
# 0.2 s (its plain scalars have style "" where Python's have None). On any error the pure-Python
# parser runs again, so messages and marks stay the ones `_yaml_problem` words.
_FAST = getattr(yaml, "CSafeLoader", None)


def _compose(text: str) -> yaml.Node | None:
    if _FAST is not None:
        try:
            return yaml.compose(text, Loader=_FAST)
        except yaml.YAMLError:
            pass
    return yaml.compose(text, Loader=yaml.SafeLoader)


def read_yaml(path: Path, what: str = "准则文件", empty: bool = False) -> dict[str, Any]:
    """Read a YAML file (a `what`: "准则文件", "提取规则文件") into dicts/lists carrying line numbers.

    Refused with a CriteriaError naming the file and line: more than MAX_BYTES, MAX_NODES
    values (anchors and aliases count each time they are used) or MAX_DEPTH levels, any tag,
    non-finite numbers, duplicate keys, a top level that is not a mapping; an empty file
    unless `empty` (then {}).
    """
    shown = str(path)
    try:
        size = path.stat().st_size
    except OSError:
        raise CriteriaError(f"找不到{what}", Location(shown)) from None
    if not path.is_file():
        raise CriteriaError(f"不是普通文件,请指定一个 .yaml {what}", Location(shown))
    if size > MAX_BYTES:
        raise CriteriaError(f"{what}过大({size // 1024} KB,上限 {MAX_BYTES // 1000} KB),请确认选择了正确的文件", Location(shown))
    try:
        with path.open("rb") as f:
            raw = f.read(MAX_BYTES + 1)  # the file may grow after stat(); never read more than this
        if len(raw) > MAX_BYTES:
            raise CriteriaError(f"{what}过大(上限 {MAX_BYTES // 1000} KB),请确认选择了正确的文件", Location(shown))
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CriteriaError(f"{what}不是 UTF-8 编码,请另存为 UTF-8", Location(shown)) from None
    except OSError as exc:
        raise CriteriaError(f"无法读取{what}({exc.strerror})", Location(shown)) from None
    try:
        _check_depth(text, shown)
        node = _compose(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = _yaml_problem(exc)
        start = exc.context_mark.line + 1 if exc.context_mark else line
        since = f"(从第{start}行开始)" if start != line else ""  # where the unclosed [ { or quote opened
        raise CriteriaError(f"YAML 格式错误:{problem}{since}", Location(shown, line)) from None
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        raise CriteriaError(f"含有不允许的控制字符(U+{exc.character:04X}),请删除", Location(shown, line)) from None
    except yaml.YAMLError as exc:
        raise CriteriaError(f"YAML 格式错误:{exc}", Location(shown)) from None
    except RecursionError:
        raise CriteriaError(f"嵌套层级过深(超过 {MAX_DEPTH} 层)", Location(shown)) from None
    if node is None:
        if empty:
            return {}
        raise CriteriaError(f"{what}是空的", Location(shown))
    try:
        data = _Builder(shown, what).build(node)
    except RecursionError:
        raise CriteriaError(f"嵌套层级过深(超过 {MAX_DEPTH} 层)", Location(shown)) from None
    if not isinstance(data, dict):
        raise CriteriaError(f"{what}的顶层应是“键: 值”形式的映射", Location(shown, 1))
    return data


def _check_depth(text: str, shown: str) -> None:
    """Refuse deep nesting while parsing, before PyYAML's recursive composer builds it."""
    if _FAST is not None:
        try:
            _walk_depth(yaml.parse(text, Loader=_FAST), shown)
            return
        except yaml.YAMLError:
            pass
    _walk_depth(yaml.parse(text, Loader=yaml.SafeLoader), shown)


def _walk_depth(events, shown: str) -> None:
    depth = 0
    for event in events:
        if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                raise CriteriaError(f"嵌套层级过深(超过 {MAX_DEPTH} 层)", Location(shown, event.start_mark.line + 1))
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            depth -= 1


def _yaml_problem(exc: yaml.MarkedYAMLError) -> str:
    problem = (exc.problem or "").strip()
    known = {
        "could not find expected ':'": "缺少冒号“:”",
        "found character '\\t' that cannot start any token": "含有制表符(Tab),请改用空格缩进",
        "mapping values are not allowed here": "此处不能出现“键: 值”(可能是缩进不对,或值中含冒号需加引号)",
        "expected <block end>, but found": "缩进不一致",
        "found undefined alias": "使用了未定义的别名(*)",
        "found unexpected end of stream": "文件意外结束(引号或括号未闭合)",
        "expected ',' or ']'": "方括号“[”未闭合,或列表项之间缺少逗号",
        "expected ',' or '}'": "花括号“{”未闭合,或项目之间缺少逗号",
        "found unknown escape character": "双引号内有无效的转义字符“\\”,可改用单引号",
    }
    for en, zh in known.items():
        if problem.startswith(en) or en in problem:
            return zh
    return problem or str(exc)


def line_of(data: Any, key: str | None = None) -> tuple[str, int] | None:
    if isinstance(data, dict) and LINES in data:
        lines = data[LINES]
        return lines.get(key) if key is not None and key in lines else lines.get(".")
    return None


def strip(data: Any) -> Any:
    """A copy without the hidden line entries."""
    if isinstance(data, dict):
        return {k: strip(v) for k, v in data.items() if k != LINES}
    if isinstance(data, list):
        return [strip(v) for v in data]
    return data


def locate(data: Any, path: tuple) -> Location:
    """File, line and dotted key path for a path into the (unstripped) data."""
    where: tuple[str, int] | None = line_of(data)
    node = data
    for part in path:
        if isinstance(node, dict) and isinstance(part, str) and part in node:
            where = line_of(node, part) or where
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
            where = line_of(node) or where
        else:
            if isinstance(node, dict) and isinstance(part, str):
                where = line_of(node, part) or where
            break
    file, line = where if where else (None, None)
    return Location(file=file, line=line, key=key_path(path))


def key_path(path: tuple) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out
