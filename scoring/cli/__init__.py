"""The `score` command. Thin: parse arguments, call the library, print, map errors to exit codes.

One module per verb: main job in `run_cmd.py`, `check_cmd.py`, `explain_cmd.py`, `init_cmd.py`,
`extract_cmd.py`. Modules import pandas & co. inside their functions so `score --help` is fast.

Exit codes: 0 success; 1 the run finished but `--strict` found data issues; 2 bad usage, bad
criteria, unreadable input; 130 / 143 interrupted by Ctrl-C / SIGTERM (temporary files removed).
"""

from __future__ import annotations

import sys

import typer

from scoring.cli import check_cmd, explain_cmd, extract_cmd, init_cmd, run_cmd
from scoring.cli.common import run_safely

app = typer.Typer(
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


def main(argv: list[str] | None = None) -> None:
    sys.exit(run_safely(app, argv))
