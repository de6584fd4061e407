#!/usr/bin/env python3
"""fig4_plot.py OUT.svg LABEL=RUN_DIR... [--pursuit NAME]

The paper's Fig. 4 from training runs made with analyze_codes: for each
run, the mean number of the signal's dimensions that the first pursuit's
code fails to rebuild (Definition 1: |(D G)_j - X_j| > 2 beta), per image
of the first 256 test images, after every epoch (metrics.jsonl's
"codes"). Writes an SVG line chart and prints the numbers as a table.

The chart is a few lines of SVG written here: the machines this project
runs on have no plotting library (no matplotlib in Debian's python3 base
or the test venv), and this is all the figure needs."""
import json
import os
import sys


def series(run_dir, pursuit):
    out = []
    with open(os.path.join(run_dir, "metrics.jsonl")) as f:
        for line in f:
            if not line.strip():
                continue
            r = json.loads(line)
            codes = {c["name"]: c for c in r.get("codes", [])}
            if not codes:
                sys.exit("%s: epoch %d has no \"codes\" (train with "
                         "--analyze-codes true)" % (run_dir, r["epoch"]))
            name = pursuit or next(iter(codes))
            if name not in codes:
                sys.exit("%s: no pursuit %s among %s" % (run_dir, name, sorted(codes)))
            c = codes[name]
            out.append((r["epoch"], c["unsuccessful_mean"], c["signal_size"],
                        c["beta"], r.get("test_accuracy")))
    return out


def svg(path, runs):
    W, H, L, R, T, B = 640, 400, 70, 170, 30, 50
    xmax = max(e for _, s in runs for e, *_ in s)
    ymax = max(max(u for _, u, *_ in s) for _, s in runs)
    ymax = max(ymax * 1.1, 1.0)
    colors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"]
    px = lambda e: L + (W - L - R) * (e - 1) / max(xmax - 1, 1)
    py = lambda u: T + (H - T - B) * (1 - u / ymax)
    el = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
          'font-family="sans-serif" font-size="12">' % (W, H),
          '<rect width="100%" height="100%" fill="white"/>',
          '<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/>' % (L, H - B, W - R, H - B),
          '<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/>' % (L, T, L, H - B)]
    for k in range(5):
        u = ymax * k / 4
        el.append('<text x="%d" y="%.1f" text-anchor="end">%.3g</text>' % (L - 6, py(u) + 4, u))
    for e in sorted({e for _, s in runs for e, *_ in s}):
        if xmax <= 20 or e % 5 == 0 or e == 1:
            el.append('<text x="%.1f" y="%d" text-anchor="middle">%d</text>' % (px(e), H - B + 16, e))
    el.append('<text x="%d" y="%d" text-anchor="middle">epoch</text>' % ((L + W - R) // 2, H - 12))
    el.append('<text x="16" y="%d" transform="rotate(-90 16 %d)" text-anchor="middle">'
              'unsuccessfully rebuilt dimensions per signal</text>' % ((T + H - B) // 2, (T + H - B) // 2))
    for i, (label, s) in enumerate(runs):
        col = colors[i % len(colors)]
        pts = " ".join("%.1f,%.1f" % (px(e), py(u)) for e, u, *_ in s)
        el.append('<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>' % (col, pts))
        for e, u, *_ in s:
            el.append('<circle cx="%.1f" cy="%.1f" r="2.5" fill="%s"/>' % (px(e), py(u), col))
        el.append('<text x="%d" y="%d" fill="%s">%s</text>' % (W - R + 10, T + 16 + 18 * i, col, label))
    el.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(el) + "\n")


def main():
    args = sys.argv[1:]
    pursuit = None
    if "--pursuit" in args:
        i = args.index("--pursuit")
        pursuit = args[i + 1]
        del args[i:i + 2]
    if len(args) < 2 or any("=" not in a for a in args[1:]):
        sys.exit(__doc__)
    runs = [(a.split("=", 1)[0], series(a.split("=", 1)[1], pursuit)) for a in args[1:]]
    svg(args[0], runs)
    print("| epoch | " + " | ".join("%s unsuccessful (of %d) | %s test acc." % (l, s[0][2], l)
                                    for l, s in runs) + " |")
    print("|---|" + "---|---|" * len(runs))
    for k in range(max(len(s) for _, s in runs)):
        row = [str(k + 1)]
        for _, s in runs:
            if k < len(s):
                row += ["%.2f" % s[k][1], "%.4f" % s[k][4] if s[k][4] is not None else "-"]
            else:
                row += ["", ""]
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
