"""A small server-side line chart as SVG (no JavaScript, no chart library).

The chart is decoration for sighted users; every page that shows one also shows the same
figures as a table, and the SVG carries a text alternative.
"""

from html import escape

WIDTH, HEIGHT, PAD_L, PAD_R, PAD_T, PAD_B = 560, 180, 56, 12, 12, 28


def line_chart(labels: list[str], values: list[float | None], *, title: str, fmt=str,
               yellow: float | None = None, red: float | None = None) -> str:
    points = [(i, v) for i, v in enumerate(values) if v is not None]
    top = max([v for _i, v in points] + [t for t in (yellow, red) if t is not None] + [0.0])
    top = top * 1.1 or 1.0
    n = max(len(labels) - 1, 1)

    def x(i):
        return PAD_L + i * (WIDTH - PAD_L - PAD_R) / n

    def y(v):
        return PAD_T + (1 - v / top) * (HEIGHT - PAD_T - PAD_B)

    parts = [
        f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>',
        f'<line x1="{PAD_L}" y1="{y(0):.1f}" x2="{WIDTH - PAD_R}" y2="{y(0):.1f}" stroke="#6e7781"/>',
        f'<text x="{PAD_L - 6}" y="{y(top / 1.1):.1f}" font-size="11" text-anchor="end" fill="#4a5560">'
        f"{escape(fmt(top / 1.1))}</text>",
        f'<text x="{PAD_L - 6}" y="{y(0):.1f}" font-size="11" text-anchor="end" fill="#4a5560">{escape(fmt(0))}</text>',
    ]
    for limit, colour, name in ((yellow, "#8a6d00", "gul gräns"), (red, "#a1120f", "röd gräns")):
        if limit is not None and limit <= top:
            parts.append(f'<line x1="{PAD_L}" y1="{y(limit):.1f}" x2="{WIDTH - PAD_R}" y2="{y(limit):.1f}" '
                         f'stroke="{colour}" stroke-dasharray="4 3"><title>{name}</title></line>')
    if points:
        path = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="#0b5394" stroke-width="2"/>')
        for i, v in points:
            parts.append(f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="3" fill="#0b5394">'
                         f"<title>{escape(labels[i])}: {escape(fmt(v))}</title></circle>")
    step = max(1, len(labels) // 6)
    for i, label in enumerate(labels):
        if i % step == 0 or i == len(labels) - 1:
            parts.append(f'<text x="{x(i):.1f}" y="{HEIGHT - 8}" font-size="11" text-anchor="middle" '
                         f'fill="#4a5560">{escape(label)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def bar_chart(labels: list[str], series: list[tuple[str, list[float | None]]], *, title: str, fmt=str,
              maximum: float | None = None) -> str:
    """Horizontal grouped bars: one group per label, one bar per series (name, values), e.g. providers
    per area on 1 January and 31 December, or a unit's figures per column of its table. A missing value
    draws no bar; each bar has a <title>; `maximum` fixes the scale (100 for percentages). The chart is
    always shown with its table."""
    colours = ["#0b5394", "#8a6d00", "#2e7d32", "#a1120f"]
    bar_h, gap, label_w, value_w = 12, 10, 210, 48
    group_h = bar_h * len(series) + gap
    # The legend starts above the bars and wraps onto another line rather than running off the chart
    # (widths estimated at 7 units per character of 11-px text).
    legend: list[tuple[float, float, int, str]] = []  # (x, baseline y, series index, name)
    x, line = label_w, 0
    if len(series) > 1:
        for k, (name, _values) in enumerate(series):
            width = 30 + 7 * len(name)
            if x > label_w and x + width > WIDTH:
                x, line = label_w, line + 1
            legend.append((x, PAD_T + 16 * line, k, name))
            x += width
    legend_h = 18 + 16 * line if legend else 0
    height = PAD_T + legend_h + group_h * len(labels) + 4
    top = maximum if maximum is not None else max([v for _n, values in series for v in values if v is not None]
                                                  + [0.0])
    top = top or 1.0
    span = WIDTH - label_w - value_w

    parts = [
        f'<svg viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>',
    ]
    for x, y, k, name in legend:
        parts.append(f'<rect x="{x}" y="{y - 9}" width="10" height="10" fill="{colours[k % 4]}"/>'
                     f'<text x="{x + 14}" y="{y}" font-size="11" fill="#222">{escape(name)}</text>')
    for i, label in enumerate(labels):
        y0 = PAD_T + legend_h + i * group_h
        short = label if len(label) <= 34 else label[:33] + "…"
        parts.append(f'<text x="{label_w - 6}" y="{y0 + group_h / 2:.1f}" font-size="11" text-anchor="end" '
                     f'fill="#222">{escape(short)}</text>')
        for k, (name, values) in enumerate(series):
            v = values[i]
            if v is None:
                continue
            y = y0 + k * bar_h
            w = max(min(v, top) / top * span, 0.5 if v else 0)
            parts.append(f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h - 2}" fill="{colours[k % 4]}">'
                         f"<title>{escape(label)}, {escape(name)}: {escape(fmt(v))}</title></rect>"
                         f'<text x="{label_w + w + 4:.1f}" y="{y + bar_h - 3}" font-size="10" fill="#222">'
                         f"{escape(fmt(v))}</text>")
    parts.append(f'<line x1="{label_w}" y1="{PAD_T + legend_h - 2}" x2="{label_w}" y2="{height - 2}" '
                 f'stroke="#6e7781"/></svg>')
    return "".join(parts)
