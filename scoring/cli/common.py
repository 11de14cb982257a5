"""What every verb shares: error → exit code mapping, the --debug switch, Chinese output."""

from __future__ import annotations

import os
import signal
import sys
import threading
import traceback
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from typer.exceptions import TyperException

from scoring.cli.chinese import usage_error

EXIT_OK, EXIT_STRICT, EXIT_USAGE, EXIT_BUG = 0, 1, 2, 3
# 128 + SIGINT / SIGTERM / SIGPIPE, as shells report a process those signals end
EXIT_INTERRUPTED, EXIT_TERMINATED, EXIT_CLOSED_PIPE = 130, 143, 141
INTERRUPTED = "已中断,未写出不完整的文件。"
DEBUG_ENV = "SCORING_DEBUG"


def echo(text: str = "", err: bool = False) -> None:
    from scoring.errors import printable

    typer.echo(printable(text), err=err)


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
        with _sigterm_as_interrupt():
            code = app(args=args, prog_name="score", standalone_mode=False)
        if code == EXIT_INTERRUPTED:  # typer turns Ctrl-C into this code
            echo(INTERRUPTED, err=True)
        return code if isinstance(code, int) else EXIT_OK
    except typer.Exit as exc:
        return exc.exit_code
    except SystemExit:
        # Without standalone mode typer raises SystemExit only for a closed output pipe (EPIPE:
        # `score … | head` stopped reading), as exit 1, --strict's code; end quietly with the
        # shells' code for a process a closed pipe ends instead.
        _silence_stdout()
        return EXIT_CLOSED_PIPE
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
        echo(INTERRUPTED, err=True)
        return EXIT_INTERRUPTED
    except Terminated:
        echo(INTERRUPTED, err=True)
        return EXIT_TERMINATED
    except Exception as exc:  # a bug: say so plainly, traceback only with --debug
        if debug:
            traceback.print_exc()
        echo(f"程序内部错误({type(exc).__name__}: {exc})。请加 --debug 重新运行并把输出报告给维护者。", err=True)
        return EXIT_BUG


def _silence_stdout() -> None:
    """Point standard output at the null device, so the final flush of what the closed pipe
    did not take raises nothing (Python's own advice for EPIPE)."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no real file descriptor (tests capture output)
        pass


class Terminated(BaseException):
    """SIGTERM (`kill`, a service stopping): unwinds like Ctrl-C so temporary files are removed.

    Not a KeyboardInterrupt, which typer would turn into a bare exit code 130."""


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():  # only the main thread may set handlers
        yield
        return

    def terminate(signum: int, frame: object) -> None:
        raise Terminated

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _usage_message(exc: TyperException) -> str:
    return usage_error(exc.format_message())
