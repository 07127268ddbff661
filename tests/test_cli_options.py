"""The command tree: every command's --help, the common options on both sides, the catalogue.

The command list is derived from the typer app, so a command added later is covered without
editing this file.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated, Any

import pytest
import typer
from typer.testing import CliRunner

from gcfinops.cli import app, messages, options
from gcfinops.cli import ingest as ingest_cli
from gcfinops.cli import rules as rules_cli
from gcfinops.cli.state import STATE

FIXTURES = Path(__file__).resolve().parent / "adapters" / "fixtures"
CUR2 = FIXTURES / "aws-cur2" / "cur2_lines.csv"
CLI_SOURCES = Path(options.__file__).resolve().parent
WIDE = {"COLUMNS": "200"}


def _subcommands(command: Any) -> dict[str, Any]:
    """A group's commands (typer vendors its own click, so no isinstance check)."""
    return dict(getattr(command, "commands", None) or {})


def _walk(command: Any, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths = [path]
    for name, sub in sorted(_subcommands(command).items()):
        paths += _walk(sub, (*path, name))
    return paths


ROOT = typer.main.get_command(app)
ALL = _walk(ROOT)


def _at(path: tuple[str, ...]) -> Any:
    command: Any = ROOT
    for name in path:
        command = _subcommands(command)[name]
    return command


LEAVES = [p for p in ALL if p and not _subcommands(_at(p))]


def test_the_tree_has_the_documented_commands() -> None:
    """A sanity check on the walk itself: nested groups are entered."""
    assert {("ingest",), ("status",), ("report",), ("demo",), ("rules", "list"),
            ("fx", "list"), ("baseline", "import")} <= set(ALL)  # fmt: skip
    assert len(LEAVES) >= 18


@pytest.mark.parametrize("path", ALL, ids=lambda p: " ".join(p) or "gcfinops")
def test_every_command_has_help(runner: CliRunner, path: tuple[str, ...]) -> None:
    """`--help` exits 0 and says something, for the app, every group and every command."""
    result = runner.invoke(app, [*path, "--help"], env=WIDE)
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.stdout
    assert len(result.stdout.split()) > 10
    if not _subcommands(_at(path)) or not path:  # a command, or the app itself
        assert "--workspace" in result.stdout and "--quiet" in result.stdout
        assert "--lang" in result.stdout


@pytest.mark.parametrize("path", LEAVES, ids=" ".join)
@pytest.mark.parametrize("where", ["before", "after"])
def test_common_options_parse_on_either_side(
    runner: CliRunner, tmp_path: Path, path: tuple[str, ...], where: str
) -> None:
    """-w, -q and --lang are accepted before and after every command (a usage error is 2)."""
    common = ["-w", str(tmp_path), "-q", "--lang", "en"]
    args = [*common, *path, "--help"] if where == "before" else [*path, *common, "--help"]
    result = runner.invoke(app, args, env=WIDE)
    assert result.exit_code == 0, result.output
    long_form = ["--workspace", str(tmp_path), "--quiet"]
    args = [*long_form, *path, "--help"] if where == "before" else [*path, *long_form, "--help"]
    assert runner.invoke(app, args, env=WIDE).exit_code == 0


def test_the_value_after_the_command_wins_and_the_env_is_the_fallback(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Precedence: after the command > before it > GCFINOPS_WORKSPACE > current directory."""
    probe = typer.Typer()
    seen: list[tuple[str | None, bool, str | None]] = []

    @probe.callback()
    def _root(
        workspace: options.WorkspaceOpt = None,
        quiet: options.QuietOpt = False,
        lang: options.LangOpt = None,
    ) -> None:
        STATE.workspace, STATE.quiet, STATE.lang = workspace, quiet, lang

    @probe.command("show")
    def _show() -> None:
        seen.append((STATE.workspace, STATE.quiet, STATE.lang))

    @probe.command("other")
    def _other() -> None:  # a second command keeps `show` a sub-command
        raise AssertionError

    options.install(probe)
    cases = [
        (["-w", "A", "show", "-w", "B"], {}, ("B", False, None)),
        (["-w", "A", "show"], {"GCFINOPS_WORKSPACE": "E"}, ("A", False, None)),
        (["show", "--workspace", "B"], {"GCFINOPS_WORKSPACE": "E"}, ("B", False, None)),
        (["show"], {"GCFINOPS_WORKSPACE": "E"}, ("E", False, None)),
        (["--lang", "ja", "show", "--lang", "en", "-q"], {}, (None, True, "en")),
        (["-q", "show"], {}, (None, True, None)),
    ]
    for args, env, expected in cases:
        monkeypatch.delenv("GCFINOPS_WORKSPACE", raising=False)
        result = runner.invoke(probe, args, env=env)
        assert result.exit_code == 0, (args, result.output)
        assert seen[-1] == expected, args


def _ingest(runner: CliRunner, *args: str) -> None:
    result = runner.invoke(app, list(args), env=WIDE)
    assert result.exit_code == 0, result.output


def test_ingest_quiet_after_the_file(runner: CliRunner, tmp_path: Path) -> None:
    """`gcfinops ingest FILE --quiet`: nothing on stderr or stdout."""
    result = runner.invoke(app, ["ingest", str(CUR2), "--quiet", "-w", str(tmp_path)], env=WIDE)
    assert result.exit_code == 0, result.output
    assert result.stdout == "" and result.stderr == ""
    loud = runner.invoke(app, ["ingest", str(CUR2), "-w", str(tmp_path / "b")], env=WIDE)
    assert "取り込み" in loud.stderr


def test_status_workspace_after_overrides_before(runner: CliRunner, tmp_path: Path) -> None:
    """`gcfinops -w EMPTY status -w FULL` reads FULL."""
    full, empty = tmp_path / "full", tmp_path / "empty"
    _ingest(runner, "-w", str(full), "ingest", str(CUR2))
    result = runner.invoke(app, ["-w", str(empty), "status", "--format", "json", "-w", str(full)])
    assert result.exit_code == 0, result.output
    assert [u["billing_period"] for u in json.loads(result.stdout)] == ["2025-04", "2025-05"]
    before = runner.invoke(app, ["-w", str(empty), "status", "--format", "json"])
    assert json.loads(before.stdout) == []


@pytest.mark.parametrize(
    ("args", "english", "japanese"),
    [
        (["rules", "list"], "enabled", "有効"),
        (["formats"], "Header sets (source)", "読み取るヘッダーの組"),
        (["fx", "list"], "No FX rates yet", "為替レートはまだありません"),
        (["status"], "The lake is empty", "レイクは空です"),
    ],
)
def test_lang_after_nested_commands(
    runner: CliRunner, tmp_path: Path, args: list[str], english: str, japanese: str
) -> None:
    """`gcfinops rules list --lang en`, `gcfinops fx list -w DIR --lang en`, …; ja by default."""
    ws = ["-w", str(tmp_path)]
    en = runner.invoke(app, [*args, *ws, "--lang", "en"], env=WIDE)
    assert en.exit_code == 0, en.output
    assert english in en.output and japanese not in en.output
    before = runner.invoke(app, ["--lang", "en", *ws, *args], env=WIDE)
    assert english in before.output
    overridden = runner.invoke(app, ["--lang", "en", *args, "--lang", "ja", *ws], env=WIDE)
    assert japanese in overridden.output
    default = runner.invoke(app, [*args, *ws], env=WIDE)
    assert japanese in default.output


def test_report_workspace_after_the_command(runner: CliRunner, tmp_path: Path) -> None:
    """`gcfinops report --workspace DIR …` reads DIR (an empty one says so, exit 2)."""
    result = runner.invoke(app, ["report", "--workspace", str(tmp_path), "--lang", "en"])
    assert result.exit_code == 2
    assert "Error:" in result.stderr


def test_a_bad_lang_after_the_command_is_exit_2(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["rules", "list", "-w", str(tmp_path), "--lang", "fr"])
    assert result.exit_code == 2
    assert "--lang must be ja or en (found 'fr')" in result.stderr


# --- the message catalogue ---------------------------------------------------------------------


def test_every_key_exists_in_both_languages() -> None:
    ja, en = messages.catalogue("ja"), messages.catalogue("en")
    assert set(ja) == set(en)
    for key in ja:
        placeholders = set(re.findall(r"{(\w+)", ja[key]))
        assert placeholders == set(re.findall(r"{(\w+)", en[key])), key
        assert ja[key].strip() and en[key].strip(), key


def _used_keys() -> set[str]:
    """Keys named in the CLI sources, plus the column keys built in loops.

    A key is any string literal 'section.key' whose section is one of the catalogue's (so
    'gcfinops.toml' is not mistaken for one): passed to `t(...)` or chosen before the call.
    """
    sections = {key.split(".")[0] for key in messages.catalogue("ja")}
    used: set[str] = set()
    for path in CLI_SOURCES.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        for section, key in re.findall(r"\"([a-z]+)\.([a-z_]+)\"", text):
            if section in sections:
                used.add(f"{section}.{key}")
    used |= {f"ingest.col_{k}" for k in ingest_cli.HEADINGS}
    used |= {f"rules.col_{k}" for k, _ in rules_cli.COLUMNS}
    used |= {f"rules.col_{k}" for k in rules_cli.PARAM_COLUMNS}
    used |= {f"rules.confidence_{k}" for k in rules_cli.CONFIDENCES}
    return used


def test_every_key_the_cli_uses_exists() -> None:
    used = _used_keys()
    assert len(used) > 40, "the scan found the t(...) calls"
    missing = sorted(k for k in used if k not in messages.catalogue("ja"))
    assert missing == []


def test_every_key_of_the_catalogue_is_used() -> None:
    """A key nobody uses is dead text; dynamic column keys are counted by their sections."""
    used = _used_keys()
    dynamic = ("status.col_", "formats.col_", "imports.col_", "fx.col_", "metrics.col_",
               "rules.col_", "rules.confidence_")  # fmt: skip
    unused = [k for k in messages.catalogue("ja") if k not in used and not k.startswith(dynamic)]
    assert unused == []


def test_a_command_with_its_own_lang_keeps_it(runner: CliRunner) -> None:
    """A command that declares --lang itself (as commands did before) gets only -w and -q."""
    probe = typer.Typer()
    seen: list[tuple[str, str | None]] = []

    @probe.command("show")
    def _show(lang: Annotated[str, typer.Option("--lang")] = "ja") -> None:
        seen.append((lang, STATE.workspace))

    @probe.command("other")
    def _other() -> None:
        raise AssertionError

    options.install(probe)
    result = runner.invoke(probe, ["show", "--lang", "en", "-w", "W"])
    assert result.exit_code == 0, result.output
    assert seen == [("en", "W")]
