"""Bar charts as inline SVG, drawn on the server (no script, prints and scales cleanly)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 640
HEIGHT = 260
MARGIN_LEFT = 40
MARGIN_BOTTOM = 56
MARGIN_TOP = 28
PALETTE = ("#2b6cb0", "#dd6b20", "#2f855a", "#805ad5")


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float]


def nice_top(value: float) -> float:
    """The axis top: 1, 2 or 5 times a power of ten at or above ``value`` (at least 1)."""
    if value <= 1:
        return 1.0
    power = 10.0 ** math.floor(math.log10(value))
    return next(float(step * power) for step in (1, 2, 5, 10) if step * power >= value)


def _number(value: float) -> str:
    return f"{value:g}"


def bar_chart(title: str, labels: Sequence[str], series: Sequence[Series]) -> Markup:
    """Grouped bars: one group per label, one bar per series, with values, axis and legend."""
    if any(len(s.values) != len(labels) for s in series):
        raise ValueError("every series needs one value per label")
    top = nice_top(max((v for s in series for v in s.values), default=0))
    plot_w, plot_h = WIDTH - MARGIN_LEFT - 8, HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    base = MARGIN_TOP + plot_h
    group_w = plot_w / max(len(labels), 1)
    bar_w = group_w * 0.8 / max(len(series), 1)
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {WIDTH} {HEIGHT}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{MARGIN_LEFT}" y1="{base}" x2="{WIDTH - 8}" y2="{base}" class="axis"/>',
    ]
    for tick in (0, top / 2, top):
        y = base - plot_h * tick / top
        parts.append(
            f'<text x="{MARGIN_LEFT - 6}" y="{y + 4:.1f}" class="tick" '
            f'text-anchor="end">{_number(tick)}</text>'
        )
        parts.append(f'<line x1="{MARGIN_LEFT}" y1="{y:.1f}" x2="{WIDTH - 8}" y2="{y:.1f}" class="grid"/>')
    for i, label in enumerate(labels):
        x0 = MARGIN_LEFT + i * group_w + group_w * 0.1
        for j, s in enumerate(series):
            value = s.values[i]
            h = plot_h * value / top
            x = x0 + j * bar_w
            parts.append(
                f'<rect x="{x:.1f}" y="{base - h:.1f}" width="{bar_w * 0.9:.1f}" height="{h:.1f}" '
                f'fill="{PALETTE[j % len(PALETTE)]}"><title>{escape(s.name)} · {escape(label)}: '
                f"{_number(value)}</title></rect>"
            )
            parts.append(
                f'<text x="{x + bar_w * 0.45:.1f}" y="{base - h - 4:.1f}" class="value" '
                f'text-anchor="middle">{_number(value)}</text>'
            )
        parts.append(
            f'<text x="{x0 + group_w * 0.4:.1f}" y="{base + 18}" class="label" '
            f'text-anchor="middle">{escape(label)}</text>'
        )
    for j, s in enumerate(series):
        x = MARGIN_LEFT + j * 150
        parts.append(
            f'<rect x="{x}" y="{HEIGHT - 18}" width="12" height="12" fill="{PALETTE[j % len(PALETTE)]}"/>'
        )
        parts.append(f'<text x="{x + 18}" y="{HEIGHT - 8}" class="legend">{escape(s.name)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
