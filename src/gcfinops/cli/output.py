"""Console handling shared by commands: data on stdout, messages on stderr, errors → exit codes."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

from gcfinops.errors import GcfinopsError

P = ParamSpec("P")
R = TypeVar("R")


@dataclass
class State:
    """Global options, set by the app callback."""

    workspace: str | None = None
    quiet: bool = False
    debug: bool = False


STATE = State()


# Piped output (logs, CI, `> file`) is read on wide screens; rich's default of 80 columns
# would fold ids and yen amounts in tables, which a finance officer cannot read.
PIPED_MIN_WIDTH = 100


def _console(*, stderr: bool) -> Console:
    console = Console(stderr=stderr, highlight=False, soft_wrap=True)
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
    if not STATE.quiet:
        err().print(message)


def guarded(fn: Callable[P, R]) -> Callable[P, R]:
    """Run a command; a GcfinopsError prints `Error: …` (+ hint) and exits with its code."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except GcfinopsError as exc:
            console = err()
            console.print(
                f"[bold red]Error:[/] {escape(exc.message)}", markup=True, highlight=False
            )
            if exc.hint:
                console.print(f"Hint: {exc.hint}", markup=False)
            raise typer.Exit(exc.exit_code) from None
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except Exception as exc:
            if STATE.debug:
                raise
            err().print(
                f"Internal error: {type(exc).__name__}: {exc}\n"
                "This is a bug in gcfinops; run with --debug for the traceback.",
                markup=False,
            )
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
        TextColumn("[bold]{task.description}"),
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
