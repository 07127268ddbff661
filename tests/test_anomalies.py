"""Daily anomalies: median ± k·MAD over each series' own history, with a yen floor."""

from __future__ import annotations

from datetime import date

import pytest

from check.lakes import line, sample_workspace, write_config, write_fx, write_lake
from gcfinops.errors import ConfigError, NoDataError
from gcfinops.gate.anomalies import AnomalySettings, detect
from gcfinops.workspace import Workspace

__all__ = ["sample_workspace"]  # the session fixture, shared with test_cli_check.py

SETAGAYA, EDOGAWA = "131121", "131237"
HISTORY = [100_000, 102_000, 98_000, 101_000, 99_000]  # median 100,000; MAD 1,000


def daily(values: list[float], first_day: int = 1, **cols: object) -> list[dict]:
    """One JPY line per JST day of 2025-05 (UTC 00:00 is 09:00 JST, same date)."""
    return [
        {**line(f"2025-05-{first_day + i:02d}", v, **cols), "BillingCurrency": "JPY"}
        for i, v in enumerate(values)
    ]


def ws_with(tmp_path, rows, toml: str = "") -> Workspace:
    write_lake(tmp_path, rows)
    write_fx(tmp_path, {})
    if toml:
        write_config(tmp_path, toml)
    return Workspace.resolve(tmp_path)


def test_spike_above_median_plus_k_mad_and_floor_is_flagged(tmp_path):
    # day 6: 111,000 → excess 11,000 > 3.5 × 1.4826 × 1,000 = 5,189 and >= 10,000 floor
    # day 7: 109,000 → excess 8,000 over its own median (101,000) is below the floor → quiet
    rows = daily([*HISTORY, 111_000, 109_000], x_Ward=SETAGAYA)
    result = detect(ws_with(tmp_path, rows), days=5, by=["ward"])
    assert result.first_day == date(2025, 5, 6) and result.last_day == date(2025, 5, 7)
    assert len(result.anomalies) == 1
    a = result.anomalies[0]
    assert (a.dimension, a.key, a.name, a.day) == ("ward", SETAGAYA, "世田谷区", date(2025, 5, 6))
    assert a.median_jpy == 100_000 and a.excess_jpy == 11_000
    assert a.mad_jpy == pytest.approx(1_482.6)
    assert a.score == pytest.approx(11_000 / 1_482.6)
    assert a.threshold_jpy == 110_000  # the floor dominates k × MAD here
    assert result.exit_code == 1


def test_floor_and_k_are_tunable(tmp_path):
    ws = ws_with(tmp_path, daily([*HISTORY, 108_000], x_Ward=SETAGAYA))
    assert detect(ws, days=5, by=["ward"]).anomalies == ()  # 8,000 < 10,000 floor
    low_floor = detect(ws, days=5, by=["ward"], min_jpy=5_000)
    assert [a.day for a in low_floor.anomalies] == [date(2025, 5, 6)]
    assert detect(ws, days=5, by=["ward"], min_jpy=5_000, k=6).anomalies == ()  # 8,000 < 8,896


def test_a_new_series_is_a_jump_from_zero_and_drops_are_not_flagged(tmp_path):
    rows = daily([50_000] * 6, x_Ward=SETAGAYA, ServiceName="EC2")
    rows += daily([40_000], first_day=6, x_Ward=SETAGAYA, ServiceName="New service")
    rows += daily([90_000] * 5 + [10_000], x_Ward=EDOGAWA, ServiceName="EC2")
    result = detect(ws_with(tmp_path, rows), days=5, by=["service", "ward"])
    got = [(a.dimension, a.key, a.excess_jpy) for a in result.anomalies]
    assert ("service", "New service", 40_000) in got
    assert all(a.key != EDOGAWA for a in result.anomalies)  # a drop is not an anomaly
    assert ("ward", SETAGAYA, 40_000) in got


def test_monthly_lines_do_not_spike_the_first_of_the_month(tmp_path):
    rows = daily([10_000] * 6, x_Ward=SETAGAYA)
    rows.append({**line("2025-05", 500_000, x_Ward=SETAGAYA), "BillingCurrency": "JPY"})
    result = detect(ws_with(tmp_path, rows), days=5, by=["ward"])
    assert result.anomalies == ()


def test_not_enough_history_and_no_data_are_errors(tmp_path):
    ws = ws_with(tmp_path, daily([1_000] * 4, x_Ward=SETAGAYA))
    with pytest.raises(NoDataError, match="not enough history for 2025-05"):
        detect(ws, days=5)
    with pytest.raises(NoDataError, match="no billing data for 2026-01"):
        detect(ws, month="2026-01", days=3)
    with pytest.raises(NoDataError, match="holds no billing data"):
        detect(Workspace.resolve(tmp_path / "empty"))


def test_usd_series_are_converted_with_the_month_rate(tmp_path):
    rows = [line(f"2025-05-{d:02d}", 100.0, x_Ward=SETAGAYA) for d in range(1, 7)]
    rows.append(line("2025-05-07", 300.0, x_Ward=SETAGAYA))
    write_lake(tmp_path, rows)
    write_fx(tmp_path, {"2025-05": 150.0})
    result = detect(Workspace.resolve(tmp_path), days=5, by=["ward"])
    assert [(a.cost_jpy, a.median_jpy) for a in result.anomalies] == [(45_000, 15_000)]


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[check.anomalies]\nwindow = 7\n", r"\[check.anomalies\] unknown key\(s\) window"),
        ("[check.anomalies]\ndays = 1\n", r"days must be an integer 3–90"),
        ("[check.anomalies]\nk = 0\n", r"k must be a number > 0"),
        ("[check.anomalies]\nby = ['region']\n", r"by must list some of ward, service"),
    ],
)
def test_config_errors_name_file_and_key(tmp_path, toml, message):
    ws = ws_with(tmp_path, daily([1_000] * 8, x_Ward=SETAGAYA), toml)
    with pytest.raises(ConfigError, match=message) as info:
        detect(ws)
    assert str(tmp_path / "gcfinops.toml") in info.value.message


def test_config_settings_apply(tmp_path):
    toml = "[check.anomalies]\ndays = 5\nmin_jpy = 5000\nby = ['ward']\n"
    ws = ws_with(tmp_path, daily([*HISTORY, 108_000], x_Ward=SETAGAYA), toml)
    result = detect(ws)
    assert result.settings == AnomalySettings(days=5, k=3.5, min_jpy=5000.0, by=("ward",))
    assert len(result.anomalies) == 1


def test_planted_runaway_cluster_in_the_sample_is_flagged(sample_workspace):
    """江戸川区's dev load-test cluster starts 2026-03-09 10:00 JST and runs to the month end."""
    result = detect(Workspace.resolve(sample_workspace), month="2026-03")
    wards = [a for a in result.anomalies if a.dimension == "ward"]
    assert {a.key for a in wards} == {EDOGAWA}
    assert wards[0].day == date(2026, 3, 9)
    services = {a.key for a in result.anomalies if a.dimension == "service"}
    assert services == {"Amazon Elastic Compute Cloud"}
    assert all(a.day >= date(2026, 3, 9) for a in result.anomalies)
