"""Chinese `--help` and usage errors: the command-line library's own words (Usage, Options,
Arguments, [required], Missing option …) in Chinese, like everything else an office reads.

The library writes its help and messages in English, so the finished text is translated phrase
by phrase; the command classes below do it for every `--help`, `usage_error` for error messages.
Imports nothing heavy: `score --help` stays fast.
"""

from __future__ import annotations

import re

from typer.core import TyperCommand, TyperGroup

HELP_PHRASES = (
    ("Usage:", "用法:"),
    ("[OPTIONS]", "[选项]"),
    ("COMMAND [ARGS]...", "子命令 [参数]..."),
    ("Arguments:", "参数:"),
    ("Options:", "选项:"),
    ("Commands:", "子命令:"),
    ("[required]", "[必填]"),
    ("Show this message and exit.", "显示本帮助并退出。"),
    ("[default: ", "[默认:"),
)
TYPE_NAMES = {"str": "文字", "path": "路径", "int": "整数", "int range": "整数", "float": "数", "bool": "是/否"}
_TYPE = re.compile(r"<(list\[)?(\w+(?: range)?)\]?>( *)")
_WIDE = re.compile(r"[\u2e80-\ufaff\uff00-\uffe6]")

ERROR_PHRASES = (
    ("No such option", "没有这个选项"),
    ("Missing argument", "缺少参数"),
    ("Missing option", "缺少选项"),
    ("Missing parameter", "缺少参数"),
    ("Missing command.", "缺少子命令。"),
    ("Invalid value for", "参数值无效:"),
    ("Invalid value", "参数值无效"),
    ("Got unexpected extra arguments", "多余的参数"),
    ("Got unexpected extra argument(s)", "多余的参数"),
    ("Got unexpected extra argument", "多余的参数"),
    ("No such command", "没有这个子命令"),
    ("Possible options:", "可用的选项:"),
    ("Did you mean", "是否想用"),
    ("requires an argument", "需要一个值"),
    ("does not exist", "不存在"),
    ("is not a valid", "不是有效的"),
    ("Error:", "错误:"),
    ("Option '", "选项 '"),
)


def translated(text: str, phrases: tuple[tuple[str, str], ...]) -> str:
    for english, chinese in phrases:
        text = text.replace(english, chinese)
    return text


def help_text(text: str) -> str:
    """A finished help page in Chinese, value types included (<str> → <文字>)."""
    return _TYPE.sub(_type_name, translated(text, HELP_PHRASES))


def _type_name(match: re.Match[str]) -> str:
    """<str>   → <文字>  : the same display width, so the help texts after it stay aligned."""
    name = f"<{TYPE_NAMES.get(match[2].lower(), match[2])}{'...' if match[1] else ''}>"
    if not match[3]:
        return name
    width = len(name) + len(_WIDE.findall(name))
    return name + " " * max(len(match[0]) - width, 1)


def usage_error(message: str) -> str:
    """A usage error's message in Chinese."""
    return translated(message, ERROR_PHRASES)


class ChineseGroup(TyperGroup):
    def get_help(self, ctx) -> str:  # type: ignore[no-untyped-def]
        return help_text(super().get_help(ctx))


class ChineseCommand(TyperCommand):
    def get_help(self, ctx) -> str:  # type: ignore[no-untyped-def]
        return help_text(super().get_help(ctx))
