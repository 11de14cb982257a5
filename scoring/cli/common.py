"""What every verb shares: error → exit code mapping, the --debug switch, Chinese output."""

from __future__ import annotations

import os
import sys
import traceback

import typer
from typer.exceptions import TyperException

EXIT_OK, EXIT_STRICT, EXIT_USAGE = 0, 1, 2
DEBUG_ENV = "SCORING_DEBUG"


def echo(text: str = "", err: bool = False) -> None:
    typer.echo(text, err=err)


def fail(message: str) -> typer.Exit:
    """Print a Chinese error and return the exit for bad usage/criteria/input (raise it)."""
    echo(f"错误:{message}", err=True)
    return typer.Exit(EXIT_USAGE)


def run_safely(app: typer.Typer, argv: list[str] | None = None) -> int:
    """Run the typer app; user errors become exit 2 without a traceback (unless --debug)."""
    from scoring.errors import ScoringError

    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args or os.environ.get(DEBUG_ENV) == "1"
    args = [a for a in args if a != "--debug"]
    try:
        # without standalone mode, typer hands back the code a command exited with
        code = app(args=args, prog_name="score", standalone_mode=False)
        return code if isinstance(code, int) else EXIT_OK
    except typer.Exit as exc:
        return exc.exit_code
    except TyperException as exc:  # bad usage: unknown option, missing argument
        echo(f"用法错误:{_usage_message(exc)}", err=True)
        echo("运行 score --help 查看用法和示例。", err=True)
        return EXIT_USAGE
    except typer.Abort:
        echo("已中止。", err=True)
        return EXIT_USAGE
    except ScoringError as exc:
        if debug:
            traceback.print_exc()
        echo(f"错误:{exc}", err=True)
        return EXIT_USAGE
    except KeyboardInterrupt:
        echo("已中断,未写出不完整的文件。", err=True)
        return 130
    except Exception as exc:  # a bug: say so plainly, traceback only with --debug
        if debug:
            traceback.print_exc()
        echo(f"程序内部错误({type(exc).__name__}: {exc})。请加 --debug 重新运行并把输出报告给维护者。", err=True)
        return 3


def _usage_message(exc: TyperException) -> str:
    text = exc.format_message()
    replacements = {
        "No such option": "没有这个选项",
        "Missing argument": "缺少参数",
        "Missing option": "缺少选项",
        "Invalid value for": "参数值无效",
        "Got unexpected extra argument": "多余的参数",
        "Got unexpected extra arguments": "多余的参数",
        "No such command": "没有这个子命令",
        "requires an argument": "需要一个值",
        "does not exist": "不存在",
        "Did you mean": "是否想用",
    }
    for en, zh in replacements.items():
        text = text.replace(en, zh)
    return text
