"""Console handling shared by commands: data on stdout, messages on stderr, errors → exit codes.

Text from bills and user files (resource ids, tags, service names, file names) is data: the
consoles here never read console markup or emoji codes, so `vol [prod] x` prints as itself and
`[/tmp] x` cannot crash a command. Styling is done with `rich.text.Text` styles, never markup.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn
from rich.text import Text

from gcfinops.cli.messages import t
from gcfinops.cli.state import STATE, State
from gcfinops.errors import GcfinopsError

__all__ = ["STATE", "State", "emit_json", "err", "file_progress", "guarded", "info", "out", "warn"]

P = ParamSpec("P")
R = TypeVar("R")


# Piped output (logs, CI, `> file`) is read on wide screens; rich's default of 80 columns
# would fold ids and yen amounts in tables, which a finance officer cannot read.
PIPED_MIN_WIDTH = 100


def _console(*, stderr: bool) -> Console:
    console = Console(stderr=stderr, highlight=False, soft_wrap=True, markup=False, emoji=False)
    if not console.is_terminal:
        console.width = max(console.width, PIPED_MIN_WIDTH)
    return console


def out() -> Console:
    """Console for data (stdout); no colour codes when piped."""
    return _console(stderr=False)


def err() -> Console:
    """Console for messages and progress (stderr)."""
    return _console(stderr=True)


def info(message: str) -> None:
    """A message on stderr (plain text), unless --quiet."""
    if not STATE.quiet:
        err().print(Text(message))


def warn(message: str) -> None:
    """A warning on stderr, also with --quiet (it says something about the numbers)."""
    err().print(Text(message))


def guarded(fn: Callable[P, R]) -> Callable[P, R]:
    """Run a command; a GcfinopsError prints `Error: …` (+ hint) and exits with its code."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except GcfinopsError as exc:
            console = err()
            console.print(Text.assemble((t("error.prefix"), "bold red"), " ", exc.message))
            if exc.hint:
                console.print(Text(t("error.hint", hint=exc.hint)))
            raise typer.Exit(exc.exit_code) from None
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except Exception as exc:
            if STATE.debug:
                raise
            err().print(Text(t("error.internal", kind=type(exc).__name__, error=str(exc))))
            raise typer.Exit(3) from None

    return wrapper


def emit_json(data: Any) -> None:
    """Write JSON to stdout (UTF-8, not ASCII-escaped: Japanese stays readable)."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


@contextmanager
def file_progress(enabled: bool) -> Iterator[Callable[[str, int, int], None] | None]:
    """A rich progress bar over bytes read, on a terminal only."""
    if not enabled or STATE.quiet or not sys.stderr.isatty():
        yield None
        return
    bar = Progress(
        TextColumn("{task.description}", markup=False, style="bold"),  # a file name
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=err(),
        transient=True,
    )
    with bar:
        task = bar.add_task("ingest", total=None)

        def update(name: str, done: int, total: int) -> None:
            bar.update(task, description=name or "done", completed=done, total=total)

        yield update
