"""Inline SVG charts for the HTML report: no script, no network, Japanese labels.

Every text goes through `html.escape`; the result is wrapped in `markupsafe.Markup` by the caller
only after that. Fonts come from the page's CSS (Noto Sans CJK JP and the usual Japanese system
fonts), so labels render wherever a CJK font is installed.
"""

from __future__ import annotations

import math
from html import escape

from gcfinops.report.i18n import Fmt
from gcfinops.report.model import WardReport

CLOUD = "#1f5fa8"
NONCLOUD = "#8fb8e6"
PREVIOUS = "#7a7a7a"
BASELINE = "#b0b0b0"
TARGET = "#c0392b"
GOOD = "#2e8b57"


def _svg(width: int, height: int, label: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(label)}">'
        f"<title>{escape(label)}</title>" + "".join(body) + "</svg>"
    )


def _text(
    x: float,
    y: float,
    text: str,
    *,
    anchor: str = "start",
    size: int = 11,
    fill: str = "#222",
    weight: str = "normal",
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" '
        f'fill="{fill}" font-weight="{weight}">{escape(text)}</text>'
    )


def _rect(x: float, y: float, w: float, h: float, fill: str, extra: str = "") -> str:
    return (
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(w, 0):.1f}" height="{max(h, 0):.1f}" '
        f'fill="{fill}"{extra}/>'
    )


def nice_max(value: float) -> float:
    """Axis top: 1, 2, 2.5 or 5 × 10^n at or above value."""
    if value <= 0:
        return 1.0
    exp = 10.0 ** math.floor(math.log10(value))
    return next(float(m) * exp for m in (1, 2, 2.5, 5, 10) if m * exp >= value)


def headline_chart(w: WardReport, f: Fmt) -> str:
    """Horizontal bars: baseline, 3割 target, forecast and forecast after savings."""
    bars = [
        (f.t("col.baseline"), w.baseline_jpy, BASELINE),
        (f.t("col.amount"), w.target.amount_jpy, TARGET),
        (f.t("col.forecast"), w.forecast_jpy, CLOUD),
        (f.t("headline.after"), w.forecast_after_savings_jpy, GOOD),
    ]
    width, left, right, row = 620, 170, 150, 30
    height = 20 + row * len(bars)
    top = nice_max(max((v or 0.0) for _, v, _ in bars))
    scale = (width - left - right) / top
    body = []
    for i, (label, value, color) in enumerate(bars):
        y = 10 + i * row
        body.append(_text(left - 8, y + 16, label, anchor="end"))
        if value is None:
            body.append(_text(left, y + 16, "—", fill=PREVIOUS))
            continue
        body.append(_rect(left, y + 4, value * scale, row - 10, color))
        ratio = w.baseline_jpy and value / w.baseline_jpy
        note = f"{f.yen(value)}  {f.ratio(ratio) if ratio else ''}".strip()
        body.append(_text(left + value * scale + 6, y + 16, note))
    if w.baseline_jpy:
        x = left + w.baseline_jpy * scale
        body.append(
            f'<line x1="{x:.1f}" y1="6" x2="{x:.1f}" y2="{height - 4}" '
            f'stroke="{PREVIOUS}" stroke-dasharray="3,3"/>'
        )
    return _svg(width, height, f.t("section.summary"), body)


def monthly_chart(w: WardReport, f: Fmt) -> str:
    """Stacked bars per month (cloud, non-cloud; run-rate outlined), previous year as a line."""
    width, height, left, bottom, top_pad = 700, 200, 70, 44, 12
    plot_w, plot_h = width - left - 20, height - bottom - top_pad
    values = [
        max((m.total_jpy or 0.0), (m.forecast_jpy or 0.0), (m.previous_fy_jpy or 0.0))
        for m in w.by_month
    ]
    monthly_target = (w.target.amount_jpy or 0.0) / 12
    top = nice_max(max([*values, monthly_target, 1.0]))
    scale = plot_h / top
    slot = plot_w / len(w.by_month)
    body = []
    for k in range(5):
        v = top * k / 4
        y = top_pad + plot_h - v * scale
        body.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - 20}" y2="{y:.1f}" stroke="#ddd"/>'
        )
        body.append(_text(left - 6, y + 4, f.yen(v), anchor="end", size=9))
    points = []
    for i, m in enumerate(w.by_month):
        x = left + i * slot + slot * 0.18
        bw = slot * 0.64
        base = top_pad + plot_h
        if m.status == "future" or (m.status == "partial" and m.forecast_jpy):
            h = (m.forecast_jpy or 0.0) * scale
            body.append(
                _rect(
                    x,
                    base - h,
                    bw,
                    h,
                    "none",
                    f' stroke="{CLOUD}" stroke-dasharray="4,3" class="forecast"',
                )
            )
        if m.status != "future":
            hc, hn = (m.cloud_jpy or 0.0) * scale, (m.noncloud_jpy or 0.0) * scale
            body.append(_rect(x, base - hc, bw, hc, CLOUD, ' class="cloud"'))
            body.append(_rect(x, base - hc - hn, bw, hn, NONCLOUD, ' class="noncloud"'))
        label = f"{int(m.month[5:7])}月" if f.lang == "ja" else f.month(m.month)[:3]
        body.append(_text(x + bw / 2, base + 16, label, anchor="middle", size=10))
        if m.previous_fy_jpy is not None:
            points.append((x + bw / 2, base - m.previous_fy_jpy * scale))
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    if points:
        body.append(f'<polyline points="{path}" fill="none" stroke="{PREVIOUS}" stroke-width="2"/>')
    body += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{PREVIOUS}"/>' for x, y in points]
    if monthly_target:
        y = top_pad + plot_h - monthly_target * scale
        body.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - 20}" y2="{y:.1f}" '
            f'stroke="{TARGET}" stroke-dasharray="6,3" stroke-width="1.5"/>'
        )
    legend = [
        (CLOUD, f.t("col.cloud")),
        (NONCLOUD, f.t("col.noncloud")),
        (PREVIOUS, f.t("col.previous_month")),
        (TARGET, f.t("doc.monthly_target")),
    ]
    for i, (color, text) in enumerate(legend):
        x = left + i * 150
        body.append(_rect(x, height - 18, 12, 10, color))
        body.append(_text(x + 16, height - 9, text, size=10))
    return _svg(width, height, f.t("section.by_month"), body)


def cost_item_chart(w: WardReport, f: Fmt) -> str:
    """Baseline against forecast for each cost item (grouped horizontal bars)."""
    width, left, right, row = 700, 170, 110, 26
    height = 30 + row * len(w.by_cost_item)
    values = [max(x.baseline_jpy, x.forecast_jpy or x.actual_to_date_jpy) for x in w.by_cost_item]
    top = nice_max(max([*values, 1.0]))
    scale = (width - left - right) / top
    body = []
    for i, x in enumerate(w.by_cost_item):
        y = 8 + i * row
        now = x.forecast_jpy if x.forecast_jpy is not None else x.actual_to_date_jpy
        body.append(_text(left - 8, y + 14, f.name(x.name_ja, x.name_en), anchor="end", size=10))
        body.append(_rect(left, y + 3, x.baseline_jpy * scale, 8, BASELINE))
        body.append(_rect(left, y + 12, now * scale, 8, CLOUD))
        body.append(_text(left + max(x.baseline_jpy, now) * scale + 4, y + 15, f.yen(now), size=9))
    legend = [(BASELINE, f.t("col.baseline")), (CLOUD, f.t("col.forecast"))]
    for i, (color, text) in enumerate(legend):
        lx = left + i * 160
        body.append(_rect(lx, height - 16, 12, 10, color))
        body.append(_text(lx + 16, height - 7, text, size=10))
    return _svg(width, height, f.t("section.by_cost_item"), body)
