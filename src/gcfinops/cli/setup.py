"""`gcfinops init` and `gcfinops demo`."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from gcfinops import api, populations
from gcfinops.allocation.wards import WardDirectory
from gcfinops.cli.check import demo_check
from gcfinops.cli.ingest import print_ingest
from gcfinops.cli.inspection import demo_inspect, write_vendor_template
from gcfinops.cli.messages import lang as current_lang
from gcfinops.cli.messages import t
from gcfinops.cli.output import STATE, file_progress, guarded, info, out
from gcfinops.cli.plan import write_plan_templates
from gcfinops.cli.report import demo_report, write_baseline_template
from gcfinops.cli.rules import demo_analyze
from gcfinops.errors import ConfigError
from gcfinops.resources import builtin
from gcfinops.summary import WardMonth
from gcfinops.workspace import Workspace

DEMO_MARKER = ".gcfinops-demo"
DEFAULT_DEMO_DIR = "gcfinops-demo"

CONFIG_TEMPLATE = """\
# gcfinops configuration. Every setting is optional: gcfinops works with no file at all.
# Documentation: docs/allocation.md (allocation), docs/rules/ (rules), docs/ci.md (check).

[allocation]
# Tag keys that carry the ward, the business system (業務) and the environment. Keys match
# case-insensitively after removing provider prefixes such as `user:` / `user_`.
# ward_tag_keys = ["ward", "municipality", "lg-code"]
# system_tag_keys = ["system", "business-system", "gyomu"]
# environment_tag_keys = ["env", "environment", "stage"]

# Accounts (AWS account, Azure subscription, Google Cloud project, OCI compartment) whose cost
# belongs to a ward, 業務 or environment even when resources are untagged. Tags win over this.
# [allocation.accounts."123456789012"]
# ward = "世田谷区"          # 6-digit code, kanji, kana or romaji
# system = "resident_registry"
# environment = "dev"

# Municipalities other than the 23 special wards (code with its check digit):
# [[allocation.municipalities]]
# code = "132098"
# kanji = "町田市"
# kana = "まちだし"
# romaji = "machida"

# The ward's own targets besides the presets reduction-30, kgi-1.5x, avg-plus-30 (docs/targets.md):
# [[targets]]
# id = "kgi-juki"
# name = "Resident register within 1.5x of the pre-migration system"
# name_ja = "住民記録 移行前の1.5倍以内"
# base = "pre_migration"     # fy2018 | pre_migration | amount (then amount_jpy = …)
# ratio = 1.5
# business_system = "住民記録"

# 業務 kept out of the 3割 / KGI scope besides business_system = out_of_scope:
# [scope]
# out_of_scope = []

# Budget book 節 of each cost item (docs/budget.md); defaults shown for two of them:
# [budget]
# setsu = { cloud_usage = "使用料及び賃借料", network_lines = "役務費" }

# Populations for cost per resident (report --ward all). The 23 special wards' 令和2年国勢調査
# figures ship with gcfinops; population_template.csv holds them to update (docs/reports.md):
# [population]
# file = "population_template.csv"   # ward,population,source,reference_date
# shipped = true                      # false: only the figures given here
"""


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("demo")(demo)


@guarded
def init(
    force: Annotated[bool, typer.Option(help="Overwrite an existing gcfinops.toml.")] = False,
) -> None:
    """Write a commented gcfinops.toml into the workspace.

    Example: gcfinops -w ./ws init
    """
    ws = Workspace.resolve(STATE.workspace)
    ws.root.mkdir(parents=True, exist_ok=True)
    if ws.config_path.exists() and not force:
        raise ConfigError(f"{ws.config_path} exists", hint="use --force to overwrite it")
    ws.config_path.write_text(CONFIG_TEMPLATE, encoding="utf-8")
    info(t("files.wrote", path=ws.config_path))
    write_baseline_template(ws.root)
    write_vendor_template(ws.root)
    write_plan_templates(ws.root)
    write_population_template(ws.root)


def write_population_template(root: Path) -> None:
    """`gcfinops init`: the shipped census populations as a CSV to update (never overwritten)."""
    path = root / "population_template.csv"
    if path.exists():
        return
    lines = ["ward,population,source,reference_date"]
    lines += [f"{code},{people},{populations.SOURCE},{populations.REFERENCE_DATE}"
              for code, people in populations.SPECIAL_WARDS.items()]  # fmt: skip
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    info(t("files.template_population", path=path))


@guarded
def demo() -> None:
    """Ingest the shipped sample data into a fresh workspace and print what landed.

    Example: gcfinops demo   (workspace: ./gcfinops-demo unless --workspace is given)
    """
    root = Path(STATE.workspace or DEFAULT_DEMO_DIR).resolve()
    _fresh(root)
    samples = builtin("sample_billing")
    for name in ("gcfinops.toml", "fx_rates.csv"):
        if (samples / name).exists():
            shutil.copy(samples / name, root / name)
    info(t("demo.workspace", path=root))
    with file_progress(True) as progress:
        result = api.ingest(
            [samples / "aws", samples / "azure", samples / "gcp"], workspace=root, progress=progress
        )
    print_ingest(result, current_lang())
    print_ward_months(api.ward_months(workspace=root), api.context(root).wards)
    demo_analyze(root, samples)  # rules: metrics + analyze, top findings with a yen total
    demo_check(root)  # check: CI gate summary on the latest month (exit 0 in the demo)
    demo_report(root, samples, lang=current_lang())  # reports: baseline + non-cloud costs
    demo_inspect(root, samples)  # 検収: the month with the planted mispriced line


def _fresh(root: Path) -> None:
    if root.exists() and any(root.iterdir()):
        if not (root / DEMO_MARKER).exists():
            raise ConfigError(
                f"{root} exists and is not a gcfinops demo workspace",
                hint="choose another folder with --workspace",
            )
        shutil.rmtree(root)
    root.mkdir(parents=True, exist_ok=True)
    (root / DEMO_MARKER).write_text("created by `gcfinops demo`; safe to delete\n")


def print_ward_months(rows: list[WardMonth], directory: WardDirectory | None = None) -> None:
    """A month × ward table of billed cost (JPY when every rate is known); ward names in the
    language of the call (kanji, or the English name from the directory with --lang en)."""
    if not rows:
        return
    english = current_lang() == "en" and directory is not None

    def label(r: WardMonth) -> str:
        ward = directory.get(r.ward) if english and directory and r.ward else None
        return (ward.name_en if ward else r.ward_name) or t("demo.unallocated")

    jpy = all(r.billed_cost_jpy is not None for r in rows)
    wards = sorted({(r.ward or "", label(r)) for r in rows})
    currencies = sorted({r.currency for r in rows})
    unit = t("demo.yen") if jpy else "/".join(currencies)
    table = Table(title=Text(t("demo.ward_months", unit=unit)), title_justify="left")
    table.add_column(Text(t("demo.month")))
    for _code, name in wards:
        table.add_column(Text(name), justify="right")
    table.add_column(Text(t("demo.total")), justify="right")
    months = sorted({r.month for r in rows})
    for m in months:
        cells = []
        total = 0.0
        for code, _name in wards:
            vals = [r for r in rows if r.month == m and (r.ward or "") == code]
            v = sum((r.billed_cost_jpy or 0.0) if jpy else r.billed_cost for r in vals)
            total += v
            cells.append(f"{v:,.0f}" if jpy else f"{v:,.2f}")
        row = [m, *cells, f"{total:,.0f}" if jpy else f"{total:,.2f}"]
        table.add_row(*(Text(c) for c in row))
    out().print(table)
