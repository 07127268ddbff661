"""The rule file format: a YAML header in a leading `/* --- … --- */` block, then one SELECT.

What a header may say (keys, categories, parameter specs), how a file is parsed and checked
(every problem names the file and line), and the recommendation sentences (`render`). The
registry that loads built-in and user folders is `ruleset/__init__.py`.
"""

from __future__ import annotations

import difflib
import re
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

HEADER_RE = re.compile(r"\A\s*/\*\s*---[ \t]*\n(?P<yaml>.*?)\n[ \t]*---\s*\*/", re.DOTALL)
ID_RE = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*")
PARAM_RE = re.compile(r"[a-z][a-z0-9_]*")

CATEGORIES = ("idle", "rightsizing", "storage", "commitment", "hygiene")
PROVIDERS = ("aws", "azure", "gcp", "oci", "sakura")
COST_BASES = ("EffectiveCost", "BilledCost", "ListCost", "ContractedCost")
CONFIDENCES = ("high", "medium", "low")
REQUIRES = ("metrics", "calendar")
PARAM_TYPES = ("integer", "number", "string", "boolean", "list")
RESERVED_PARAMS = ("as_of",)
#: Parameters the engine applies itself after converting to JPY (documented in the contract).
ENGINE_PARAMS = ("min_monthly_savings", "min_monthly_cost")

REQUIRED_KEYS = (
    "id", "title", "title_ja", "category", "providers", "cost_basis", "confidence", "rationale",
    "sources", "recommendation", "recommendation_ja",
)  # fmt: skip
OPTIONAL_KEYS = ("rationale_ja", "parameters", "requires", "skip_reasons", "aliases")
PARAM_KEYS = ("default", "type", "min", "max", "unit", "description", "description_ja", "source")

#: Output contract: every rule's SELECT returns these columns (docs/rules/README.md).
REQUIRED_COLUMNS = (
    "resource_id", "provider", "billing_account_id", "region", "billing_currency",
    "current_monthly_cost", "estimated_monthly_savings", "lookback_start", "lookback_end",
    "evidence",
)  # fmt: skip
OPTIONAL_COLUMNS = (
    "sub_account_id", "resource_name", "service_name", "ward", "business_system", "environment",
    "confidence", "status", "skip_reason", "fx_month",
)  # fmt: skip
#: Fields the engine adds for the recommendation sentences (amounts in JPY).
ENGINE_FIELDS = (
    "rule_id",
    "ward_name",
    "business_system_name",
    "monthly_savings_yen",
    "monthly_cost_yen",
)


@dataclass(frozen=True)
class Parameter:
    """One tunable threshold of a rule, with the source of its default."""

    name: str
    default: Any
    type: str
    description: str
    source: str | None = None
    unit: str | None = None
    min: float | None = None
    max: float | None = None
    description_ja: str | None = None


@dataclass(frozen=True)
class Rule:
    """A parsed rule file: header fields, parameters, the SQL body and where it came from."""

    id: str
    title: str
    title_ja: str
    category: str
    providers: tuple[str, ...]
    cost_basis: str
    confidence: str
    rationale: str
    sources: tuple[str, ...]
    recommendation: str
    recommendation_ja: str
    sql: str
    path: Path
    sql_line: int  # 1-based line of the file where the SQL body starts
    parameters: dict[str, Parameter] = field(default_factory=dict)
    rationale_ja: str | None = None
    requires: tuple[str, ...] = ()
    skip_reasons: dict[str, dict[str, str]] = field(default_factory=dict)
    aliases: tuple[str, ...] = ()
    builtin: bool = False
    enabled: bool = True
    overrides: dict[str, Any] = field(default_factory=dict)
    # Per-dialect SQL bodies beside the rule (`<id>.spark.sql`), used instead of the transpiled
    # DuckDB body on that engine (docs/scale.md); keyed by dialect name.
    dialect_sql: dict[str, str] = field(default_factory=dict)

    def params(self) -> dict[str, Any]:
        """Effective parameter values: defaults, then gcfinops.toml overrides."""
        values = {name: p.default for name, p in self.parameters.items()}
        values.update(self.overrides)
        return values

    def title_for(self, lang: str) -> str:
        return self.title_ja if lang == "ja" else self.title

    def to_dict(self) -> dict[str, Any]:
        """The rule's header as JSON (`rules list|show --format json`), effective parameters."""
        values = self.params()
        return {
            "id": self.id, "title": self.title, "title_ja": self.title_ja,
            "category": self.category, "providers": list(self.providers),
            "cost_basis": self.cost_basis, "confidence": self.confidence,
            "enabled": self.enabled, "builtin": self.builtin, "path": str(self.path),
            "rationale": self.rationale, "rationale_ja": self.rationale_ja,
            "sources": list(self.sources),
            "parameters": {
                p.name: {"value": values[p.name], "default": p.default, "type": p.type,
                         "unit": p.unit, "description": p.description, "source": p.source}
                for p in self.parameters.values()
            },
        }  # fmt: skip


# --- parsing -------------------------------------------------------------------------------


def parse_file(path: Path, *, is_builtin: bool = False) -> tuple[Rule | None, list[str]]:
    """Parse one rule file; return the rule or the list of problems (each naming the file)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [f"{path}: cannot read rule file ({exc})"]
    match = HEADER_RE.match(text)
    if match is None:
        return None, [
            f"{path}:1: no YAML header: a rule file starts with '/* ---', the header, then '--- */'"
        ]
    header_line = text[: match.start("yaml")].count("\n") + 1
    try:
        header = yaml.safe_load(match["yaml"])
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = header_line + mark.line if mark is not None else header_line
        problem = getattr(exc, "problem", None) or str(exc)
        return None, [f"{path}:{line}: header is not valid YAML ({problem})"]
    if not isinstance(header, dict):
        return None, [f"{path}:{header_line}: header must be a YAML mapping of keys"]
    body = text[match.end() :]
    sql_line = text[: match.end()].count("\n") + 1
    problems = _check_header(path, header)
    if not body.strip():
        problems.append(f"{path}:{sql_line}: the SQL body is empty")
    if problems:
        return None, problems
    params = {
        name: Parameter(
            name=name,
            default=spec["default"],
            type=spec["type"],
            description=str(spec["description"]),
            source=spec.get("source"),
            unit=spec.get("unit"),
            min=spec.get("min"),
            max=spec.get("max"),
            description_ja=spec.get("description_ja"),
        )
        for name, spec in (header.get("parameters") or {}).items()
    }
    rule = Rule(
        id=header["id"],
        title=str(header["title"]),
        title_ja=str(header["title_ja"]),
        category=header["category"],
        providers=tuple(header["providers"]),
        cost_basis=header["cost_basis"],
        confidence=header["confidence"],
        rationale=str(header["rationale"]).strip(),
        rationale_ja=(str(header["rationale_ja"]).strip() if header.get("rationale_ja") else None),
        sources=tuple(str(s) for s in header["sources"]),
        recommendation=str(header["recommendation"]),
        recommendation_ja=str(header["recommendation_ja"]),
        sql=body,
        path=path,
        sql_line=sql_line,
        parameters=params,
        requires=tuple(header.get("requires") or ()),
        skip_reasons={k: dict(v) for k, v in (header.get("skip_reasons") or {}).items()},
        aliases=tuple(header.get("aliases") or ()),
        builtin=is_builtin,
    )
    return rule, []


def _check_header(path: Path, h: dict[str, Any]) -> list[str]:
    """Header keys, types and allowed values; all problems, each naming the file and key."""
    out: list[str] = []

    def bad(key: str, msg: str) -> None:
        out.append(f"{path}: header key {key!r}: {msg}")

    for key in REQUIRED_KEYS:
        if key not in h or h[key] in (None, "", []):
            bad(key, "is required")
    unknown = sorted(set(h) - set(REQUIRED_KEYS) - set(OPTIONAL_KEYS))
    for key in unknown:
        bad(key, f"unknown key{suggest(key, REQUIRED_KEYS + OPTIONAL_KEYS)}")
    rid = h.get("id")
    if isinstance(rid, str):
        if not ID_RE.fullmatch(rid):
            bad("id", f"must be kebab-case, e.g. idle-nonprod-offhours (found {rid!r})")
        elif rid != path.stem:
            bad("id", f"must equal the file name {path.stem!r} (found {rid!r})")
    elif rid is not None:
        bad("id", f"must be a string (found {rid!r})")
    choices: tuple[tuple[str, tuple[str, ...]], ...] = (
        ("category", CATEGORIES), ("cost_basis", COST_BASES), ("confidence", CONFIDENCES),
    )  # fmt: skip
    for key, allowed in choices:
        if key in h and h[key] not in allowed:
            bad(key, f"must be one of {', '.join(allowed)} (found {h[key]!r})")
    lists: tuple[tuple[str, tuple[str, ...]], ...] = (
        ("providers", PROVIDERS), ("requires", REQUIRES),
    )  # fmt: skip
    for key, allowed in lists:
        value = h.get(key)
        if value is None:
            continue
        if not isinstance(value, list) or any(v not in allowed for v in value):
            bad(key, f"must be a list of {', '.join(allowed)} (found {value!r})")
    if "sources" in h and not (
        isinstance(h["sources"], list) and all(isinstance(s, str) and s for s in h["sources"])
    ):
        bad("sources", "must be a list of non-empty strings (URLs or peer tool files)")
    for key in ("title", "title_ja", "rationale", "recommendation", "recommendation_ja"):
        if key in h and not isinstance(h[key], str):
            bad(key, "must be a string")
    for key in ("recommendation", "recommendation_ja"):
        if isinstance(h.get(key), str):
            out += [f"{path}: header key {key!r}: {p}" for p in template_problems(h[key])]
    skips = h.get("skip_reasons")
    if skips is not None and (
        not isinstance(skips, dict)
        or any(not isinstance(v, dict) or set(v) != {"en", "ja"} for v in skips.values())
    ):
        bad("skip_reasons", "must map each reason code to {en: …, ja: …}")
    out += _check_parameters(path, h.get("parameters"))
    return out


def _check_parameters(path: Path, params: Any) -> list[str]:
    if params is None:
        return []
    if not isinstance(params, dict):
        return [f"{path}: header key 'parameters' must be a mapping name → {{default, type, …}}"]
    out = []
    for name, spec in params.items():
        where = f"{path}: parameter {name!r}"
        if not isinstance(name, str) or not PARAM_RE.fullmatch(name) or name in RESERVED_PARAMS:
            out.append(f"{where}: name must be snake_case and not one of {RESERVED_PARAMS}")
            continue
        if not isinstance(spec, dict):
            out.append(f"{where}: must be a mapping with default, type, description")
            continue
        unknown = sorted(set(spec) - set(PARAM_KEYS))
        out += [f"{where}: unknown key {k!r}{suggest(k, PARAM_KEYS)}" for k in unknown]
        for key in ("default", "type", "description"):
            if key not in spec:
                out.append(f"{where}: {key!r} is required")
        if spec.get("type") not in PARAM_TYPES:
            out.append(f"{where}: type must be one of {', '.join(PARAM_TYPES)}")
            continue
        if "default" in spec:
            problem = check_value(spec, spec["default"])
            if problem:
                out.append(f"{where}: default {problem}")
    return out


def check_value(spec: Mapping[str, Any] | Parameter, value: Any) -> str | None:
    """Why a value does not fit a parameter's type and bounds, or None when it does."""
    get = spec.get if isinstance(spec, Mapping) else lambda k: getattr(spec, k)
    kind = str(get("type"))
    ok = {
        "integer": isinstance(value, int) and not isinstance(value, bool),
        "number": isinstance(value, int | float) and not isinstance(value, bool),
        "string": isinstance(value, str),
        "boolean": isinstance(value, bool),
        "list": isinstance(value, list) and all(isinstance(v, str) for v in value),
    }[kind]
    if not ok:
        return f"must be of type {kind} (found {value!r})"
    lo, hi = get("min"), get("max")
    if lo is not None and value < lo:
        return f"must be ≥ {lo} (found {value!r})"
    if hi is not None and value > hi:
        return f"must be ≤ {hi} (found {value!r})"
    return None


def suggest(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(str(word), list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


# --- recommendation sentences --------------------------------------------------------------


class SafeFormatter(string.Formatter):
    """str.format restricted to plain field names: rule files may come from users."""

    def get_field(self, field_name: str, args: Any, kwargs: Any) -> tuple[Any, str]:
        if not PARAM_RE.fullmatch(field_name):
            raise ValueError(f"only plain field names are allowed (found {{{field_name}}})")
        return kwargs[field_name], field_name

    def convert_field(self, value: Any, conversion: str | None) -> Any:
        if conversion is not None:
            raise ValueError("conversions such as !r are not allowed")
        return value

    def format_field(self, value: Any, format_spec: str) -> Any:
        if value is None:
            return "—"
        return super().format_field(value, format_spec)


FORMATTER = SafeFormatter()


def template_fields(template: str) -> list[tuple[str, str]]:
    """(field name, format spec) of every replacement field of a template."""
    return [
        (name, spec or "") for _, name, spec, _ in FORMATTER.parse(template) if name is not None
    ]


def template_problems(template: str) -> list[str]:
    """Syntax problems of a sentence template (bad braces, attribute or index lookups)."""
    try:
        fields = list(FORMATTER.parse(template))
    except ValueError as exc:
        return [f"template is not valid ({exc})"]
    out = []
    for _, name, spec, conversion in fields:
        if name is None:
            continue
        if not PARAM_RE.fullmatch(name):
            out.append(f"field {{{name}}}: only plain names such as {{resource_id}} are allowed")
        if conversion:
            out.append(f"field {{{name}}}: conversions such as !{conversion} are not allowed")
        if spec and "{" in spec:
            out.append(f"field {{{name}}}: nested fields in a format spec are not allowed")
    return out


def render(template: str, values: Mapping[str, Any]) -> str:
    """Fill a sentence template from a finding's fields; a template with lookups is refused."""
    problems = template_problems(template)
    if problems:
        raise ValueError("; ".join(problems))
    return FORMATTER.vformat(template, (), dict(values))
