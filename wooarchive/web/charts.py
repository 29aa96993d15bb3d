"""Pictures for the public site, drawn as SVG on the server: no script, no tiles, nothing
fetched by the visitor's browser, and every picture has its data as CSV beside it."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

COLOURS = ("#1f4e79", "#b3541e", "#2e7d32", "#6a1b9a", "#8d6e00", "#00695c")


@dataclass(frozen=True)
class Point:
    days: int
    survival: float  # share still undecided after ``days``
    censored: int  # requests still open at ``days`` (marked, not counted as decided)


def survival_plot(
    series: list[tuple[str, list[Point]]], *, width: int = 640, height: int = 320, title: str = ""
) -> str:
    """Kaplan-Meier step curves: days since receipt against the share of requests not yet
    decided, a tick where a request is still open (censored), and the median line at 50%."""
    left, right, top, bottom = 48, 16, 24, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    longest = max((p.days for _, points in series for p in points), default=0)
    span = max(longest, 1)

    def x(days: float) -> float:
        return left + plot_w * days / span

    def y(share: float) -> float:
        return top + plot_h * (1 - share)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(title or "Overlevingscurve tijd tot besluit")}" '
        f'style="max-width:100%;height:auto;font:12px sans-serif">',
        f"<title>{escape(title or 'Aandeel verzoeken nog zonder besluit')}</title>",
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#444"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="#444"/>',
        f'<line x1="{left}" y1="{y(0.5):.1f}" x2="{left + plot_w}" y2="{y(0.5):.1f}" '
        f'stroke="#999" stroke-dasharray="4 3"/>',
    ]
    for share in (0, 0.5, 1):
        parts.append(
            f'<text x="{left - 6}" y="{y(share) + 4:.1f}" text-anchor="end">{share:.0%}</text>'
        )
    for days in sorted({0, span // 2, span}):
        parts.append(
            f'<text x="{x(days):.1f}" y="{top + plot_h + 16}" text-anchor="middle">{days}</text>'
        )
    parts.append(
        f'<text x="{left + plot_w / 2:.1f}" y="{height - 6}" text-anchor="middle">'
        "dagen na ontvangst</text>"
    )
    for number, (label, points) in enumerate(series):
        colour = COLOURS[number % len(COLOURS)]
        path, level = [f"M{x(0):.1f},{y(1):.1f}"], 1.0
        ticks = []
        for point in points:
            path.append(f"H{x(point.days):.1f}V{y(point.survival):.1f}")
            level = point.survival
            if point.censored:
                ticks.append(
                    f'<line x1="{x(point.days):.1f}" y1="{y(level) - 5:.1f}" '
                    f'x2="{x(point.days):.1f}" y2="{y(level) + 5:.1f}" stroke="{colour}"/>'
                )
        parts.append(
            f'<path d="{"".join(path)}" fill="none" stroke="{colour}" stroke-width="2">'
            f"<title>{escape(label)}</title></path>"
        )
        parts += ticks
        parts.append(
            f'<text x="{left + 8}" y="{top + 14 + 14 * number}" fill="{colour}">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def histogram(
    values: list[int],
    *,
    width: int = 640,
    height: int = 240,
    step: int = 7,
    title: str = "",
    upto: int | None = None,
    marks: tuple[tuple[int, str], ...] = (),
) -> str:
    """Bars of how many values fall in each ``step``-wide bin (days to decision per week).
    ``upto``: the axis runs to this value whatever the values, so that the pictures of several
    municipalities share one axis and can be compared. ``marks``: (value, label) drawn as
    dashed vertical lines (the legal terms), the axis long enough to hold them."""
    left, right, top, bottom = 40, 16, 16, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    if not values:
        return ""
    bins: dict[int, int] = {}
    for value in values:
        bins[value // step] = bins.get(value // step, 0) + 1
    last = max(
        max(bins),
        (upto // step) if upto is not None else 0,
        *(value // step for value, _ in marks),
    )
    tallest = max(bins.values())
    bar = plot_w / (last + 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" style="max-width:100%;height:auto;font:12px sans-serif">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#444"/>',
        f'<text x="{left - 6}" y="{top + 10}" text-anchor="end">{tallest}</text>',
        f'<text x="{left + plot_w / 2:.1f}" y="{height - 6}" text-anchor="middle">'
        f"dagen tot besluit (per {step})</text>",
    ]
    for index in range(last + 1):
        count = bins.get(index, 0)
        h = plot_h * count / tallest
        x = left + index * bar
        parts.append(
            f'<rect x="{x + 1:.1f}" y="{top + plot_h - h:.1f}" width="{max(bar - 2, 1):.1f}" '
            f'height="{h:.1f}" fill="{COLOURS[0]}"><title>{index * step}-{index * step + step - 1} '
            f"dagen: {count}</title></rect>"
        )
        if index % max(1, (last + 1) // 8) == 0:
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{top + plot_h + 16}" text-anchor="middle">'
                f"{index * step}</text>"
            )
    for number, (value, label) in enumerate(marks):
        x = left + value / step * bar  # the start of day ``value``: bars left of it are within
        parts.append(
            f'<line class="legal" x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + plot_h}" '
            f'stroke="#8c1010" stroke-dasharray="4 3"><title>{escape(label)}</title></line>'
        )
        if height >= 160:  # the small multiples carry the lines without words
            parts.append(
                f'<text x="{x + 3:.1f}" y="{top + 12 + 14 * number}" fill="#8c1010">'
                f"{escape(label)}</text>"
            )
    parts.append("</svg>")
    return "".join(parts)


def stacked_bars(
    rows: list[tuple[str, list[int]]],
    segments: list[tuple[str, str]],
    *,
    width: int = 640,
    title: str = "",
) -> str:
    """One horizontal bar per row, split into ``segments`` (label, colour) by the row's counts:
    how many municipalities are in each state for each item of the scorecard."""
    left, right, bar, gap, top = 170, 16, 22, 10, 8
    plot_w = width - left - right
    height = top + len(rows) * (bar + gap) + 30
    total = max((sum(counts) for _, counts in rows), default=0) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" style="max-width:100%;height:auto;font:12px sans-serif">',
        f"<title>{escape(title)}</title>",
    ]
    for index, (label, counts) in enumerate(rows):
        y = top + index * (bar + gap)
        parts.append(
            f'<text x="{left - 6}" y="{y + bar / 2 + 4:.1f}" text-anchor="end">{escape(label)}</text>'
        )
        x = float(left)
        for (name, colour), count in zip(segments, counts, strict=True):
            w = plot_w * count / total
            if count:
                parts.append(
                    f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar}" fill="{colour}">'
                    f"<title>{escape(label)}: {escape(name)} {count}</title></rect>"
                )
            x += w
    legend_y = top + len(rows) * (bar + gap) + 12
    x = float(left)
    for name, colour in segments:
        parts.append(
            f'<rect x="{x:.1f}" y="{legend_y - 9}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{x + 14:.1f}" y="{legend_y}">{escape(name)}</text>'
        )
        x += 14 + 7.5 * len(name) + 16
    parts.append("</svg>")
    return "".join(parts)
