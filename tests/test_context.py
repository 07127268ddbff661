"""One context per call: gcfinops.toml is read once, the ward directory and FX table built once."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from check.lakes import line, write_config, write_fx, write_lake
from gcfinops import api
from gcfinops.allocation import wards as wards_module
from gcfinops.context import Context
from gcfinops.fx import FxTable

SETAGAYA = "131121"


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    write_lake(
        tmp_path,
        [
            {**line("2025-04", 100_000, x_Ward=SETAGAYA), "BillingCurrency": "JPY"},
            {**line("2025-05", 150_000, x_Ward=SETAGAYA), "BillingCurrency": "JPY"},
        ],
    )
    write_fx(tmp_path, {})
    write_config(tmp_path, "[check]\nmax_mom_growth = 90\n")
    return tmp_path


@pytest.fixture
def counts(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    seen = {"toml": 0, "wards": 0, "fx": 0}
    real_loads, real_init = tomllib.loads, wards_module.WardDirectory.__init__
    real_fx = FxTable.load.__func__  # type: ignore[attr-defined]

    def loads(text: str, **kwargs: Any) -> dict[str, Any]:
        seen["toml"] += 1
        return real_loads(text, **kwargs)

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        seen["wards"] += 1
        real_init(self, *args, **kwargs)

    def fx_load(cls: Any, *args: Any, **kwargs: Any) -> Any:
        seen["fx"] += 1
        return real_fx(cls, *args, **kwargs)

    monkeypatch.setattr(tomllib, "loads", loads)
    monkeypatch.setattr(wards_module.WardDirectory, "__init__", init)
    monkeypatch.setattr(FxTable, "load", classmethod(fx_load))
    return seen


@pytest.mark.parametrize(
    "call",
    [
        lambda ws: api.check(workspace=ws),
        lambda ws: api.report("all", workspace=ws, fiscal_year=2025),
        lambda ws: api.ward_months(workspace=ws),
        lambda ws: api.analyze(workspace=ws),
    ],
    ids=["check", "report", "ward_months", "analyze"],
)
def test_a_call_reads_the_configuration_once(ws: Path, counts: dict[str, int], call: Any) -> None:
    from gcfinops.config import load

    load(ws / "gcfinops.toml")  # parsing alone may build a directory to check [allocation]
    parse_only = dict(counts)
    counts.update(toml=0, wards=0, fx=0)
    call(ws)
    assert counts == {"toml": 1, "wards": parse_only["wards"] + 1, "fx": 1}


def test_context_of_a_context_is_itself_and_loads_lazily(ws: Path, counts: dict[str, int]) -> None:
    ctx = api.context(ws)
    assert Context.of(ctx) is ctx and api.context(ctx) is ctx
    after_parse = counts["wards"]
    assert counts["toml"] == 1 and counts["fx"] == 0  # rates only when used
    assert ctx.wards is ctx.wards and ctx.fx is ctx.fx
    assert counts == {"toml": 1, "wards": after_parse + 1, "fx": 1}
