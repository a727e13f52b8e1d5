"""An interval chart as SVG, written with the standard library alone.

Volume per interval as bars (left scale), service level and abandonment rate
as lines from 0 to 100 % (right scale): the chart an interval report is read
with. SVG is text, so it needs no plotting library; open it in a browser or
convert it to PNG with any SVG tool.
"""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr

from callcore.errors import DocumentError, InvalidInputError, Problem
from callcore.kpi._export import Row, check_table

__all__ = ["interval_chart"]

_LEFT, _RIGHT, _TOP, _BOTTOM = 56, 56, 24, 72  # margins, in pixels
_HEIGHT = 240  # the plot area's height
_STEP = 28  # pixels per interval
_COLOURS = ("#d62728", "#ff7f0e", "#2ca02c", "#9467bd")  # one per rate line


def _number(value: object) -> float | None:
    return None if value is None or isinstance(value, str) else float(value)  # type: ignore[arg-type]


def _problems(table: Sequence[Row], label: str, volume: str, rates: Sequence[str]) -> list[Problem]:
    problems = [
        Problem(f"[{index}]", f"has no column {name!r}")
        for index, row in enumerate(table)
        for name in (label, volume, *rates)
        if name not in row
    ]
    for index, row in enumerate(table):
        amount = row.get(volume)
        if amount is not None and (_number(amount) is None or float(amount) < 0):
            problems.append(Problem(f"[{index}].{volume}", "must be a number from 0"))
        for name in rates:
            rate = row.get(name)
            if rate is not None and (_number(rate) is None or not 0 <= float(rate) <= 1):
                problems.append(Problem(f"[{index}].{name}", "must be a number from 0 to 1"))
    return problems


def _bars(table: Sequence[Row], label: str, volume: str, largest: float) -> list[str]:
    base = _TOP + _HEIGHT
    parts = []
    for index, row in enumerate(table):
        x = _LEFT + index * _STEP
        amount = _number(row[volume]) or 0.0
        bar = amount / largest * _HEIGHT
        parts.append(
            f'<rect class="volume" x="{x + 4}" y="{base - bar:.2f}" width="{_STEP - 8}" '
            f'height="{bar:.2f}" fill="#1f77b4" data-value="{amount:g}"/>'
        )
        text = str(row[label])
        shown = text[11:16] if len(text) >= 16 and text[10] == "T" else text
        middle = x + _STEP / 2
        parts.append(
            f'<text x="{middle}" y="{base + 12}" text-anchor="end" '
            f'transform="rotate(-60 {middle} {base + 12})">{escape(shown)}</text>'
        )
    return parts


def _lines(table: Sequence[Row], name: str, colour: str) -> list[str]:
    base = _TOP + _HEIGHT
    runs: list[list[str]] = [[]]
    for index, row in enumerate(table):
        rate = _number(row[name])
        if rate is None:  # undefined: the line breaks
            runs.append([])
            continue
        x = _LEFT + index * _STEP + _STEP / 2
        runs[-1].append(f"{x:.2f},{base - rate * _HEIGHT:.2f}")
    return [
        f'<polyline class="rate" data-column={quoteattr(name)} fill="none" '
        f'stroke="{colour}" stroke-width="2" points="{" ".join(run)}"/>'
        for run in runs
        if run
    ]


def interval_chart(
    table: Sequence[Row],
    *,
    label: str = "interval",
    volume: str = "contacts",
    rates: Sequence[str] = ("service_level", "abandonment_rate"),
) -> str:
    """Return an SVG chart of volume (bars) and rates (lines) per row.

    Args:
        table: Rows, as from :func:`~callcore.kpi.rows`, one per interval (group
            by interval only, or filter the rows of one queue first).
        label: The column naming each bar (an ISO interval start shows as its
            ``HH:MM``).
        volume: The column drawn as bars, against a scale from 0 to its
            largest value.
        rates: The columns drawn as lines, against a scale from 0 to 1
            (shown as 0 to 100 %); an undefined value (``None``) breaks the line.

    Raises:
        DocumentError: The table has problems (as for :func:`to_csv`), a column
            named is missing, a volume is not a number from 0, or a rate not
            one from 0 to 1.
        InvalidInputError: ``rates`` is a string, or names more than four columns.
    """
    check_table(table)
    if isinstance(rates, str) or len(rates) > len(_COLOURS):
        raise InvalidInputError(
            f"rates must be a list of at most {len(_COLOURS)} column names", field="rates"
        )
    problems = _problems(table, label, volume, rates)
    if problems:
        raise DocumentError(problems, "KPI chart")
    width = _LEFT + _RIGHT + max(len(table), 1) * _STEP
    height = _TOP + _HEIGHT + _BOTTOM
    largest = max((_number(row[volume]) or 0.0 for row in table), default=0.0) or 1.0
    base = _TOP + _HEIGHT
    parts = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">'
        ),
        f'<line x1="{_LEFT}" y1="{base}" x2="{width - _RIGHT}" y2="{base}" stroke="#333"/>',
        f'<text x="{_LEFT - 6}" y="{_TOP + 4}" text-anchor="end">{largest:g}</text>',
        f'<text x="{_LEFT - 6}" y="{base}" text-anchor="end">0</text>',
        f'<text x="{width - _RIGHT + 6}" y="{_TOP + 4}">100%</text>',
        f'<text x="{width - _RIGHT + 6}" y="{base}">0%</text>',
        *_bars(table, label, volume, largest),
    ]
    legend = [(volume, "#1f77b4")]
    for colour, name in zip(_COLOURS, rates, strict=False):
        parts.extend(_lines(table, name, colour))
        legend.append((name, colour))
    for index, (name, colour) in enumerate(legend):
        x = _LEFT + index * 140
        parts.append(f'<rect x="{x}" y="6" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{x + 14}" y="15">{escape(name)}</text>')
    parts.append("</svg>")
    return "\n".join(parts)
