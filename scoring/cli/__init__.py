"""The `score` command. Thin: parse arguments, call the library, print, map errors to exit codes.

One module per verb: main job in `run_cmd.py`, `check_cmd.py`, `explain_cmd.py`, `init_cmd.py`,
`extract_cmd.py`, `publish_cmd.py`, `form_cmd.py`, `feedback_cmd.py`. Modules import pandas & co. inside their functions so `score --help` is fast.

Exit codes: 0 success; 1 the run finished but `--strict` found data issues (errors or
warnings); 2 bad usage, bad criteria, unreadable input; 3 a bug (程序内部错误, never a
traceback); 130 / 143 interrupted by Ctrl-C / SIGTERM (temporary files removed); 141 the
reader of the output went away (`score … | head`), ended quietly.
"""

from __future__ import annotations

import atexit
import os
import sys

import typer
from typer.core import TyperCommand

from scoring.cli import check_cmd, explain_cmd, extract_cmd, feedback_cmd, form_cmd, init_cmd, publish_cmd, run_cmd
from scoring.cli.chinese import ChineseCommand, ChineseGroup
from scoring.cli.common import run_safely

app = typer.Typer(
    cls=ChineseGroup,
    name="score",
    help=run_cmd.HELP,
    add_completion=False,
    no_args_is_help=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.callback(invoke_without_command=True)(run_cmd.main_job)
app.command("check", help=check_cmd.HELP)(check_cmd.check)
app.command("explain", help=explain_cmd.HELP)(explain_cmd.explain)
app.command("init", help=init_cmd.HELP)(init_cmd.init)
app.command("extract", help=extract_cmd.HELP)(extract_cmd.extract)
app.command("publish", help=publish_cmd.HELP)(publish_cmd.publish)
app.command("form", help=form_cmd.HELP)(form_cmd.form)
app.command("feedback", help=feedback_cmd.HELP)(feedback_cmd.feedback)
for _command in app.registered_commands:  # every verb's --help in Chinese (see chinese.py)
    if _command.cls in (None, TyperCommand):
        _command.cls = ChineseCommand


def main(argv: list[str] | None = None) -> None:
    """Run the command (from Python or tests): exits with its code through SystemExit."""
    sys.exit(run_safely(app, argv))


def entry() -> None:
    """The `score` executable: `main`, then an exit that skips only the object teardown.

    Why: Python's teardown frees every object of the run one by one, a quarter of a city's run
    and seconds of a province's. What still happens, as in a normal exit (tested): every
    `atexit` handler runs (libraries' clean-ups), and standard output and error are flushed.
    Threads the run starts (stability draws) have finished and its files are closed by the time
    it returns.
    """
    code = run_safely(app, None)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (`score … | head`): nothing more to show
            pass
    os._exit(code)
