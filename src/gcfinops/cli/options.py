"""Options shared by the commands, typed once, and the common ones accepted on both sides.

Users type `gcfinops ingest FILE --quiet` and `gcfinops report --workspace DIR` as often as
`gcfinops -q ingest FILE`. `--workspace/-w`, `--quiet/-q` and `--lang` are therefore options of
the app *and* of every command and sub-command: `install` adds them to each registered command
(so a command added later gets them too). The value given after the command wins over the one
given before it; `GCFINOPS_WORKSPACE` is read by the app-level option only, so it is the fallback.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.models import OptionInfo

from gcfinops.cli.state import STATE
from gcfinops.errors import ConfigError
from gcfinops.money import Unit

COMMON_PANEL = "Common options (before or after the command)"

WORKSPACE_HELP = "Workspace folder (default: the current directory)."
QUIET_HELP = "No progress or messages."
LANG_HELP = "Language of the output: ja (default) or en."

WorkspaceOpt = Annotated[
    str | None,
    typer.Option(
        "--workspace", "-w", envvar="GCFINOPS_WORKSPACE", help=WORKSPACE_HELP, show_envvar=True
    ),
]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help=QUIET_HELP)]
LangOpt = Annotated[str | None, typer.Option("--lang", help=LANG_HELP)]

# The same three on a command: no envvar (it would override the value given before the command).
_CommandWorkspace = Annotated[
    str | None,
    typer.Option("--workspace", "-w", help=WORKSPACE_HELP, rich_help_panel=COMMON_PANEL),
]
_CommandQuiet = Annotated[
    bool, typer.Option("--quiet", "-q", help=QUIET_HELP, rich_help_panel=COMMON_PANEL)
]
_CommandLang = Annotated[
    str | None, typer.Option("--lang", help=LANG_HELP, rich_help_panel=COMMON_PANEL)
]

UnitOpt = Annotated[str, typer.Option("--unit", help="Yen amounts in 円 (yen) or 千円 (thousand).")]
OutputOpt = Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file.")]
MonthOpt = Annotated[
    str | None, typer.Option("--month", help="Month YYYY-MM (default: the latest loaded).")
]


def format_option(choices: tuple[str, ...], *, short: bool = True) -> Any:
    """`--format` (and `-f`) with its choices in the help."""
    names = ("--format", "-f") if short else ("--format",)
    return typer.Option(*names, help=f"Output format: {', '.join(choices)}.")


def unit(value: str) -> Unit:
    """A validated --unit."""
    if value not in ("yen", "thousand"):
        raise ConfigError(f"--unit must be yen or thousand (found {value!r})")
    return "thousand" if value == "thousand" else "yen"


def choice(value: str, allowed: tuple[str, ...], option: str = "--format") -> str:
    """A validated choice option: exit 2 with the allowed values otherwise."""
    if value not in allowed:
        raise ConfigError(f"{option} must be one of {', '.join(allowed)} (found {value!r})")
    return value


COMMON = (  # parameter name, annotation, default, the flags it takes
    ("common_workspace", _CommandWorkspace, None, {"--workspace", "-w"}),
    ("common_quiet", _CommandQuiet, False, {"--quiet", "-q"}),
    ("common_lang", _CommandLang, None, {"--lang"}),
)


def _declared_flags(signature: inspect.Signature) -> set[str]:
    """The option flags a command declares itself (explicit names, else --param-name)."""
    flags: set[str] = set()
    for p in signature.parameters.values():
        infos = [m for m in getattr(p.annotation, "__metadata__", ()) if isinstance(m, OptionInfo)]
        if isinstance(p.default, OptionInfo):
            infos.append(p.default)
        decls = [d for info in infos for d in (info.param_decls or ()) if isinstance(d, str)]
        flags |= set(decls) or {"--" + p.name.replace("_", "-")}
    return flags


def with_common_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """`fn` as a command that also accepts --workspace, --quiet and --lang after its name.

    A flag the command declares itself (say its own --lang) is left to the command.
    """

    @functools.wraps(fn)
    def command(
        *args: Any,
        common_workspace: str | None = None,
        common_quiet: bool = False,
        common_lang: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if common_workspace is not None:
            STATE.workspace = common_workspace
        STATE.quiet = STATE.quiet or common_quiet
        if common_lang is not None:
            STATE.lang = common_lang
        return fn(*args, **kwargs)

    signature = inspect.signature(fn, eval_str=True)
    declared = _declared_flags(signature)
    extra = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=hint)
        for name, hint, default, flags in COMMON
        if not flags & declared
    ]
    params = [p for p in signature.parameters.values() if p.kind is not p.VAR_KEYWORD]
    keyword = [p for p in params if p.kind is p.KEYWORD_ONLY]
    positional = [p for p in params if p.kind is not p.KEYWORD_ONLY]
    command.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[*positional, *keyword, *extra]
    )
    command.__annotations__ = {p.name: p.annotation for p in [*params, *extra]}
    return command


def install(app: typer.Typer) -> None:
    """Give every command of `app` and of its sub-apps the common options."""
    for info in app.registered_commands:
        if info.callback is not None and not getattr(info.callback, "_common", False):
            info.callback = with_common_options(info.callback)
            info.callback._common = True  # type: ignore[attr-defined]
    for group in app.registered_groups:
        if group.typer_instance is not None:
            install(group.typer_instance)
