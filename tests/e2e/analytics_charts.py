"""The admin's analytics page as a browser shows it: Chart.js charts on canvases."""

from __future__ import annotations

CHARTS_DRAWN = (
    "() => [...document.querySelectorAll('canvas[data-chart]')]"
    ".every(canvas => window.Chart && window.Chart.getChart(canvas))"
)


def wait_for_charts(page) -> None:
    """Every analytics canvas has its Chart.js chart."""
    page.wait_for_function(CHARTS_DRAWN)
