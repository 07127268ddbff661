"""The 業務 table, honest about what the FY2018 baseline says (issue #12 item 5).

FY2018 baselines are often kept per ward for common work (system operation, data centre,
lines) and per 業務 only for some items, while today's cloud cost is mostly tagged to a 業務. So
a 業務's ratio to FY2018 compares its cost *with* a share of today's common cost against a
baseline *without* its share of the then common cost, and 業務 with no FY2018 amount at all
(児童手当, 健康管理) distort nothing only if they are shown apart. Two honest views, chosen by
`[report] common_cost`:

- `"row"` (default): common baseline (rows without business_system) and common current cost
  (cloud cost without a 業務, non-cloud rows without business_system) stay one row 「共通」 in
  both columns;
- `"apportion"`: both common amounts are spread over the 業務 that have a baseline of their
  own, by the same key on both sides — each 業務's share of the 業務-specific FY2018 baseline —
  so a 業務's ratio is (own cost + its share of common cost) / (own baseline + the same share of
  the common baseline). Σ over the table is unchanged. With no 業務-specific baseline there is
  no key, and the 「共通」 row stays.

業務 without a baseline row are marked 「基準額なし」 (`Line.has_baseline`) and get no ratio.
"""

from __future__ import annotations

from dataclasses import replace

from gcfinops.report.model import Line

COMMON_COST_MODES = ("row", "apportion")
COMMON_NAME = ("共通", "Common")


def apportion_common(lines: list[Line]) -> list[Line]:
    """Spread the common row (key None) over the 業務 with a baseline, by baseline share."""
    common = next((x for x in lines if x.key is None), None)
    own = {x.key: x.baseline_jpy for x in lines if x.key is not None and x.has_baseline}
    total = sum(v for v in own.values() if v > 0)
    if common is None or total <= 0:
        return lines
    out = []
    for x in lines:
        if x.key is None:
            continue
        share = own.get(x.key, 0.0) / total if own.get(x.key, 0.0) > 0 else 0.0
        if share == 0.0:
            out.append(x)
            continue
        forecast = x.forecast_jpy
        if forecast is not None or common.forecast_jpy is not None:
            forecast = (forecast or 0.0) + (common.forecast_jpy or 0.0) * share
        out.append(
            replace(
                x,
                baseline_jpy=x.baseline_jpy + common.baseline_jpy * share,
                actual_to_date_jpy=x.actual_to_date_jpy + common.actual_to_date_jpy * share,
                forecast_jpy=forecast,
                previous_fy_to_date_jpy=x.previous_fy_to_date_jpy
                + common.previous_fy_to_date_jpy * share,
                common_share=share,
            )
        )
    return out
