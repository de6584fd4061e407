"""compare_codes.py METRICS.jsonl ANALYZE.json NAMES...

Checks that every record of metrics.jsonl has "codes" for exactly the
pursuits NAMES (in order), each measured on 256 images, and that the last
record's numbers equal those of `cscc analyze --json` on the same images
and weights (to 1e-9 relative; the counts exactly). Prints one line per
pursuit."""
import json
import sys

metrics, report, names = sys.argv[1], sys.argv[2], sys.argv[3:]
records = [json.loads(l) for l in open(metrics) if l.strip()]
for r in records:
    got = [c["name"] for c in r.get("codes", [])]
    if got != names:
        sys.exit("FAIL epoch %d: codes of %s, expected %s" % (r["epoch"], got, names))
    if any(c["images"] != 256 for c in r["codes"]):
        sys.exit("FAIL epoch %d: not 256 images" % r["epoch"])
data = {d["name"]: d.get("data") for d in json.load(open(report))["dictionaries"]}
for c in records[-1]["codes"]:
    d = data[c["name"]]
    for k in ("code_zero_fraction", "relative_error", "beta", "unsuccessful_mean",
              "unsuccessful_max", "signal_size", "code_size"):
        if abs(c[k] - d[k]) > 1e-9 * max(1.0, abs(d[k])):
            sys.exit("FAIL %s %s: training %r, analyze %r" % (c["name"], k, c[k], d[k]))
    print("%s: %d records; last: error %.4f, unsuccessful %.1f of %d: as analyze"
          % (c["name"], len(records), c["relative_error"], c["unsuccessful_mean"],
             c["signal_size"]))
