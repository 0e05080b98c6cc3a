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


# Series colours for bar charts: dark enough against white for WCAG's 3:1 for graphics.
SERIES = ("#0b5394", "#b45f06", "#38761d", "#741b47", "#4a5560", "#a1120f")


def bar_chart(labels: list[str], series: list[str], values: list[list[float | None]], *, title: str,
              fmt=str, maximum: float | None = None) -> str:
    """Horizontal grouped bars: one group per label (a unit), one bar per series (a table column).
    `values[i][j]` is label i's value of series j (None: no bar). Always shown with its table."""
    n_series = max(len(series), 1)
    bar, gap, label_w, value_w = 10, 8, 170, 44
    width = 560
    plot_w = width - label_w - value_w
    legend_h = 18 * ((n_series + 1) // 2) if n_series > 1 else 0
    height = legend_h + len(labels) * (n_series * bar + gap) + 8
    top = maximum if maximum is not None else max([v for row in values for v in row if v is not None] + [0.0])
    top = top or 1.0
    parts = [f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
             f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>']
    if n_series > 1:
        for j, name in enumerate(series):
            x, y = (j % 2) * (width // 2), (j // 2) * 18
            parts.append(f'<rect x="{x}" y="{y + 3}" width="10" height="10" fill="{SERIES[j % len(SERIES)]}"/>'
                         f'<text x="{x + 14}" y="{y + 12}" font-size="11" fill="#1f2933">{escape(name[:60])}</text>')
    y = legend_h
    for i, label in enumerate(labels):
        group_h = n_series * bar
        parts.append(f'<text x="{label_w - 6}" y="{y + group_h / 2 + 4:.1f}" font-size="11" text-anchor="end" '
                     f'fill="#1f2933">{escape(label[:28])}</text>')
        for j in range(n_series):
            v = values[i][j] if j < len(values[i]) else None
            if v is not None:
                w = max(plot_w * min(v, top) / top, 1)
                parts.append(f'<rect x="{label_w}" y="{y + j * bar}" width="{w:.1f}" height="{bar - 1}" '
                             f'fill="{SERIES[j % len(SERIES)]}"><title>{escape(label)}, '
                             f'{escape(series[j] if j < len(series) else "")}: {escape(fmt(v))}</title></rect>'
                             f'<text x="{label_w + w + 4:.1f}" y="{y + j * bar + bar - 2}" font-size="9" '
                             f'fill="#1f2933">{escape(fmt(v))}</text>')
        y += group_h + gap
    parts.append("</svg>")
    return "".join(parts)
