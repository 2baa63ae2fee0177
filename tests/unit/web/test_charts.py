"""The server-drawn SVG bar charts."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from services.web.charts import Series, bar_chart, nice_top

SVG = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize(
    ("value", "top"), [(0, 1), (1, 1), (3, 5), (7, 10), (12, 20), (250, 500), (1000, 1000)]
)
def test_the_axis_ends_at_a_round_number_above_the_largest_value(value: float, top: float) -> None:
    assert nice_top(value) == top


def test_a_grouped_chart_has_a_bar_per_value_scaled_to_the_axis() -> None:
    svg = ET.fromstring(
        bar_chart("录用", ["11-21", "11-28"], [Series("意向", [2, 4]), Series("录用", [1, 3])])
    )
    bars = [rect for rect in svg.iter(f"{SVG}rect") if rect.find(f"{SVG}title") is not None]
    assert len(bars) == 4
    heights = [float(rect.get("height", 0)) for rect in bars]
    # group by group: 11-21 (意向 2, 录用 1), then 11-28 (意向 4, 录用 3); the axis tops at 5
    assert heights == pytest.approx([h * heights[1] for h in (2, 1, 4, 3)])
    titles = [rect.findtext(f"{SVG}title") for rect in bars]
    assert "意向 · 11-28: 4" in titles
    texts = [text.text for text in svg.iter(f"{SVG}text")]
    assert {"11-21", "11-28", "意向", "录用"} <= set(texts)


def test_labels_are_escaped() -> None:
    svg = str(bar_chart("<b>", ["<script>"], [Series("a&b", [1])]))
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    ET.fromstring(svg)  # still well-formed


def test_an_empty_chart_is_still_drawn() -> None:
    svg = ET.fromstring(bar_chart("空", [], [Series("n", [])]))
    assert svg.findtext(f"{SVG}title") == "空"
    assert [rect for rect in svg.iter(f"{SVG}rect") if rect.find(f"{SVG}title") is not None] == []
    assert [text.text for text in svg.iter(f"{SVG}text") if text.get("class") == "tick"] == ["0", "0.5", "1"]


def test_series_must_match_the_labels() -> None:
    with pytest.raises(ValueError, match="one value per label"):
        bar_chart("x", ["a", "b"], [Series("n", [1])])
