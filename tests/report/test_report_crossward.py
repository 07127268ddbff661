"""Cross-ward comparison (issue #13 item 4), hand-computed on the fixed workspace
(tests/report/lake.py): forecasts 世田谷区 3,435,000 (運用管理補助者 50,000 a month → 600,000),
千代田区 600,000 (no operation-support contract)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from gcfinops import api, report
from gcfinops.errors import ConfigError
from report import lake


@pytest.fixture
def ws(fixed_ws: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(fixed_ws, tmp_path / "ws"))


def test_cost_per_resident_and_joint_contract_line(ws: Path) -> None:
    (ws / "population.csv").write_text(
        "ward,population,source,reference_date\n千代田区,60000,テスト人口,2025-01-01\n",
        encoding="utf-8",
    )
    (ws / "gcfinops.toml").write_text(
        '[population]\nsource = "手入力"\nreference_date = "2025-01-01"\n'
        'wards = { setagaya = 900000 }\nfile = "population.csv"\n',
        encoding="utf-8",
    )
    data = api.report("all", workspace=ws, as_of=lake.AS_OF)
    c = data.crossward
    assert c is not None
    peers = {w.ward: w for w in c.wards}
    assert peers["131121"].cost_per_resident_jpy == pytest.approx(3_435_000 / 900_000)
    assert peers["131016"].cost_per_resident_jpy == pytest.approx(10.0)
    assert peers["131016"].population_source == "テスト人口, 2025-01-01"
    assert peers["131121"].vendors == ["運用管理補助者"]
    assert c.operation_support_total_jpy == pytest.approx(600_000)
    assert c.joint_contract_target_jpy == pytest.approx(480_000)
    assert c.joint_saving_needed_jpy == pytest.approx(120_000)
    doc = json.loads(report.render(data, "json"))["cross_ward"]
    assert doc["joint_saving_needed_jpy"] == 120_000
    assert [w["cost_per_resident_jpy"] for w in doc["wards"]] == [10, 4]
    md = str(report.render(data, "md"))
    assert "住民1人あたり" in md and "480,000円 以下" in md
    # one ward: no comparison
    assert api.report("131121", workspace=ws, as_of=lake.AS_OF).crossward is None


def test_population_errors(ws: Path) -> None:
    (ws / "gcfinops.toml").write_text("[population]\nwards = { nowhere = 1 }\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown ward"):
        api.report("all", workspace=ws, as_of=lake.AS_OF)


def test_shipped_census_populations_without_configuration(ws: Path) -> None:
    """No [population]: the 23 wards' census figures, with their source and date, by hand."""
    c = api.report("all", workspace=ws, as_of=lake.AS_OF).crossward
    assert c is not None
    peers = {w.ward: w for w in c.wards}
    assert peers["131121"].population == 943_664  # 世田谷区, 令和2年国勢調査
    assert peers["131121"].cost_per_resident_jpy == pytest.approx(3_435_000 / 943_664)
    assert peers["131016"].cost_per_resident_jpy == pytest.approx(600_000 / 66_680)
    assert (
        peers["131016"].population_source
        == "令和2年国勢調査 人口等基本集計（総務省統計局）, 2020-10-01"
    )


def test_configured_population_overrides_one_ward_and_shipped_false_drops_the_rest(
    ws: Path,
) -> None:
    (ws / "gcfinops.toml").write_text(
        '[population]\nsource = "手入力"\nreference_date = "2025-01-01"\n'
        "wards = { setagaya = 900000 }\n",
        encoding="utf-8",
    )
    peers = {w.ward: w for w in api.report("all", workspace=ws, as_of=lake.AS_OF).crossward.wards}  # type: ignore[union-attr]
    assert (peers["131121"].population, peers["131121"].population_source) == (
        900_000,
        "手入力, 2025-01-01",
    )
    assert peers["131016"].population == 66_680  # still the shipped census figure
    (ws / "gcfinops.toml").write_text(
        "[population]\nshipped = false\nwards = { setagaya = 900000 }\n", encoding="utf-8"
    )
    peers = {w.ward: w for w in api.report("all", workspace=ws, as_of=lake.AS_OF).crossward.wards}  # type: ignore[union-attr]
    assert peers["131016"].population is None and peers["131016"].cost_per_resident_jpy is None
    (ws / "gcfinops.toml").write_text("[population]\nshipped = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"population\.shipped"):
        api.report("all", workspace=ws, as_of=lake.AS_OF)
