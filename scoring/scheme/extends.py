"""`extends`, `remove` and override-by-id: a file starts from another and changes only what differs.

Merging works on the raw YAML data (with line numbers), child over parent:
- scalars and `grades`, `tiebreak`: the child's value replaces the parent's;
- `classes`, `metrics`, `penalties`, `vetoes`, `bonus.items`: merged by `id` (keys the child
  gives replace the parent's keys of that entry; new ids are appended);
- `indicators`: an entry whose id exists anywhere in the parent's tree is merged into that
  node (its `children`, if given, merge the same way); a new id is appended at the top level,
  or under the group named by its `parent:` key;
- `remove: [ids]` then drops indicators, bonus items, penalties, vetoes or metrics by id.
"""

from __future__ import annotations

import copy
import hashlib
from pathlib import Path
from typing import Any

from scoring.errors import CriteriaError, Location
from scoring.scheme.yamlsrc import LINES, line_of, read_yaml

BY_ID_LISTS = ("classes", "metrics", "penalties", "vetoes")


def resolve(path: Path, stack: tuple[Path, ...] = ()) -> tuple[dict[str, Any], list[Path], str]:
    """Read `path` and everything it extends. Returns merged data, files read, chained hash."""
    real = path.resolve()
    if real in stack:
        chain = " → ".join(p.name for p in (*stack, real))
        raise CriteriaError(f"extends 形成循环:{chain}", Location(str(stack[-1]) if stack else str(path), key="extends"))
    data = read_yaml(path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    parent_name = data.pop("extends", None)
    if parent_name is None:
        _check_remove_without_parent(data, path)
        return data, [path], digest
    if not isinstance(parent_name, str) or not parent_name.strip():
        raise CriteriaError("extends 应写另一个准则文件的路径", _at(data, "extends", path))
    parent_path = (path.parent / parent_name).resolve()
    if not parent_path.exists():
        raise CriteriaError(f"extends 指向的文件“{parent_name}”不存在(相对于本文件所在目录)", _at(data, "extends", path))
    if not parent_path.is_file():
        raise CriteriaError(f"extends 指向的“{parent_name}”不是准则文件(是文件夹或特殊文件)", _at(data, "extends", path))
    parent, files, parent_digest = resolve(parent_path, (*stack, real))
    merged = merge(parent, data, path)
    chained = hashlib.sha256((parent_digest + digest).encode()).hexdigest()
    return merged, [path, *files], chained


def _at(data: dict, key: str, path: Path) -> Location:
    where = line_of(data, key)
    return Location(file=where[0] if where else str(path), line=where[1] if where else None, key=key)


def _check_remove_without_parent(data: dict, path: Path) -> None:
    if data.get("remove"):
        raise CriteriaError("remove 只能与 extends 一起使用", _at(data, "remove", path))


def merge(parent: dict, child: dict, child_path: Path) -> dict:
    out = copy.deepcopy(parent)
    out[LINES] = {**parent.get(LINES, {}), **child.get(LINES, {})}
    for key, value in child.items():
        if key in (LINES, "remove"):
            continue
        if key in BY_ID_LISTS and isinstance(value, list) and isinstance(out.get(key), list):
            out[key] = _merge_by_id(out[key], value)
        elif key == "indicators" and isinstance(value, list) and isinstance(out.get(key), list):
            out[key] = _merge_indicators(out[key], value, child_path)
        elif key == "bonus" and isinstance(value, dict) and isinstance(out.get(key), dict):
            bonus = {**out[key], **{k: v for k, v in value.items() if k not in ("items", LINES)}}
            bonus[LINES] = {**out[key].get(LINES, {}), **value.get(LINES, {})}
            if isinstance(value.get("items"), list):
                bonus["items"] = _merge_by_id(out[key].get("items", []), value["items"])
            out[key] = bonus
        else:
            out[key] = copy.deepcopy(value)
    removals = child.get("remove") or []
    if not isinstance(removals, list):
        raise CriteriaError("remove 应为编号列表,如 [two_publicity]", _at(child, "remove", child_path))
    for i, rid in enumerate(removals):
        if not _remove(out, str(rid)):
            where = line_of(child, "remove")
            raise CriteriaError(
                f"remove 中的“{rid}”在被继承的准则中不存在",
                Location(where[0] if where else str(child_path), where[1] if where else None, f"remove[{i}]"),
            )
    return out


def _merge_entry(base: dict, patch: dict) -> dict:
    merged = {**base, **{k: copy.deepcopy(v) for k, v in patch.items() if k != LINES}}
    merged[LINES] = {**base.get(LINES, {}), **patch.get(LINES, {})}
    return merged


def _merge_by_id(base: list, patch: list) -> list:
    out = list(base)
    index = {e.get("id"): i for i, e in enumerate(out) if isinstance(e, dict)}
    for entry in patch:
        if isinstance(entry, dict) and entry.get("id") in index:
            i = index[entry["id"]]
            out[i] = _merge_entry(out[i], entry)
        else:
            out.append(copy.deepcopy(entry))
    return out


def _find(nodes: list, node_id: str) -> dict | None:
    for node in nodes:
        if not isinstance(node, dict):
            continue
        if node.get("id") == node_id:
            return node
        found = _find(node.get("children") or [], node_id)
        if found is not None:
            return found
    return None


def _merge_indicators(base: list, patch: list, child_path: Path) -> list:
    out = copy.deepcopy(base)
    for entry in patch:
        if not isinstance(entry, dict):
            out.append(copy.deepcopy(entry))
            continue
        entry = dict(entry)
        parent_id = entry.pop("parent", None)
        target = _find(out, entry.get("id"))
        if target is not None:
            children = entry.pop("children", None)
            merged = _merge_entry(target, entry)
            if isinstance(children, list):
                merged["children"] = _merge_indicators(target.get("children") or [], children, child_path)
            target.clear()
            target.update(merged)
        elif parent_id is not None:
            group = _find(out, str(parent_id))
            if group is None or not isinstance(group.get("children"), list):
                raise CriteriaError(
                    f"parent“{parent_id}”不是被继承准则中的分组指标", _at(entry, "parent", child_path)
                )
            group["children"].append(copy.deepcopy(entry))
        else:
            out.append(copy.deepcopy(entry))
    return out


def _remove(data: dict, rid: str) -> bool:
    removed = False
    for key in ("metrics", "penalties", "vetoes"):
        items = data.get(key)
        if isinstance(items, list):
            kept = [e for e in items if not (isinstance(e, dict) and e.get("id") == rid)]
            removed |= len(kept) != len(items)
            data[key] = kept
    bonus = data.get("bonus")
    if isinstance(bonus, dict) and isinstance(bonus.get("items"), list):
        kept = [e for e in bonus["items"] if not (isinstance(e, dict) and e.get("id") == rid)]
        removed |= len(kept) != len(bonus["items"])
        bonus["items"] = kept

    def prune(nodes: list) -> list:
        nonlocal removed
        kept = []
        for node in nodes:
            if isinstance(node, dict) and node.get("id") == rid:
                removed = True
                continue
            if isinstance(node, dict) and isinstance(node.get("children"), list):
                node["children"] = prune(node["children"])
            kept.append(node)
        return kept

    if isinstance(data.get("indicators"), list):
        data["indicators"] = prune(data["indicators"])
    return removed
