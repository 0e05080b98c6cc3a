"""bar_chart: one bar per value with its figure as a title, missing values draw nothing."""

from xml.etree import ElementTree

from foljsam.lib.svgchart import bar_chart, line_chart


def test_bars_and_titles():
    svg = bar_chart(["Hemtjänst", "Särskilt boende"], [("1 januari", [10, None]), ("31 december", [7, 52])],
                    title="Utförare")
    root = ElementTree.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    rects = [r for r in root.iter(f"{ns}rect") if r.find(f"{ns}title") is not None]
    assert [r.find(f"{ns}title").text for r in rects] == [
        "Hemtjänst, 1 januari: 10", "Hemtjänst, 31 december: 7", "Särskilt boende, 31 december: 52"]
    widths = [float(r.get("width")) for r in rects]
    assert widths[2] > widths[0] > widths[1] > 0
    assert root.get("aria-label") == "Utförare"


def test_line_chart_api_unchanged():
    assert line_chart(["a", "b"], [1.0, 2.0], title="t").startswith("<svg")


def test_a_fixed_maximum_scales_percentages_and_clamps():
    ns = "{http://www.w3.org/2000/svg}"

    def widths(svg):
        root = ElementTree.fromstring(svg)
        return [float(r.get("width")) for r in root.iter(f"{ns}rect") if r.find(f"{ns}title") is not None]

    free = widths(bar_chart(["A", "B"], [("Andel", [50, 25])], title="t"))
    fixed = widths(bar_chart(["A", "B"], [("Andel", [50, 25])], title="t", maximum=100))
    assert fixed[0] == free[0] / 2 and fixed[1] == free[1] / 2  # 50 % is half the scale, not all of it
    over = widths(bar_chart(["A", "B"], [("Andel", [150, 100])], title="t", maximum=100))
    assert over[0] == over[1]  # a value over the maximum is drawn at the maximum


def test_a_long_legend_wraps_inside_the_chart():
    ns = "{http://www.w3.org/2000/svg}"
    names = ["Lex Sarah", "Interna avvikelser", "Klagomål", "Synpunkter"]
    svg = bar_chart(["Alfa Omsorg AB (Hemtjänst)"], [(n, [1]) for n in names], title="Avvikelser")
    root = ElementTree.fromstring(svg)
    width = float(root.get("viewBox").split()[2])
    legend = [t for t in root.iter(f"{ns}text") if t.text in names]
    assert [t.text for t in legend] == names
    for t in legend:  # each legend entry's estimated end stays inside the chart
        assert float(t.get("x")) + 7 * len(t.text) <= width, t.text
    assert len({t.get("y") for t in legend}) == 2  # wrapped onto a second line
    # The bars start below the legend's last line.
    bars = [r for r in root.iter(f"{ns}rect") if r.find(f"{ns}title") is not None]
    assert min(float(r.get("y")) for r in bars) > max(float(t.get("y")) for t in legend)
    # Two short names stay on one line, as before.
    two = ElementTree.fromstring(bar_chart(["a"], [("1 januari", [1]), ("31 december", [2])], title="t"))
    assert len({t.get("y") for t in two.iter(f"{ns}text") if t.text in ("1 januari", "31 december")}) == 1
