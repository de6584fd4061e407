"""plot_check.py FIGURE.svg ANALYZE.json

Checks `cscc analyze --plot` against the same run's --json: the figure is
well-formed SVG with one panel per quantity (c L; mu with --coherence;
the unreconstructed fraction and ||X - D G|| / ||X|| with --input), one
bar per dictionary that has the quantity, each bar's printed value equal
to the JSON's (to the 6 digits printed) and its length proportional to
it (one scale per panel)."""
import json
import sys
import xml.etree.ElementTree as ET

NS = "{http://www.w3.org/2000/svg}"
svg, report = sys.argv[1], json.load(open(sys.argv[2]))
rows = report["dictionaries"]
want = {"c L (stable below 2)": [d["c_times_lipschitz"] for d in rows]}
if any("coherence" in d for d in rows):
    want["mutual coherence mu"] = [d["coherence"]["mu"] for d in rows]
if any("data" in d for d in rows):
    want["unreconstructed fraction (Def. 1)"] = [
        d["data"]["unsuccessful_mean"] / d["data"]["signal_size"] if "data" in d else None
        for d in rows]
    want["||X - D G|| / ||X||"] = [d["data"]["relative_error"] if "data" in d else None
                                   for d in rows]
root = ET.parse(svg).getroot()
panels = {g.get("data-panel"): g for g in root.iter(NS + "g") if g.get("data-panel")}
bad = []
if sorted(panels) != sorted(want):
    bad.append("panels %s, expected %s" % (sorted(panels), sorted(want)))
for title, values in want.items():
    g = panels.get(title)
    if g is None:
        continue
    bars = [r for r in g.iter(NS + "rect") if r.get("class") == "bar"]
    texts = [t.text for t in g.iter(NS + "text") if t.get("class") == "value"]
    expected = [v for v in values if v is not None]
    if len(bars) != len(expected):
        bad.append("%s: %d bars, expected %d" % (title, len(bars), len(expected)))
        continue
    scales = []
    for bar, v, label in zip(bars, expected, texts):
        if abs(float(label) - v) > 1e-5 * max(1.0, abs(v)):
            bad.append("%s: label %s, value %r" % (title, label, v))
        if v > 0:
            scales.append(float(bar.get("width")) / v)
    if scales and max(scales) - min(scales) > 1e-6 * max(scales) + 1e-9:
        bad.append("%s: bar lengths not proportional %s" % (title, scales))
if bad:
    print("FAIL " + "; ".join(bad))
    sys.exit(1)
print("plot: %d panels, %d dictionaries: as the JSON" % (len(panels), len(rows)))
