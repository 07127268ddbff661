"""The options of one command line (workspace, quiet, language, debug), set while parsing it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class State:
    """Common options: set by the app callback, then by the command when given after its name."""

    workspace: str | None = None
    quiet: bool = False
    debug: bool = False
    lang: str | None = None  # validated by `messages.lang()`


STATE = State()
