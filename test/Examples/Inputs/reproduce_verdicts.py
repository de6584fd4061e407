"""Checks scripts/reproduce.py's verdict rule on known accuracies."""
import importlib.util
import sys

spec = importlib.util.spec_from_file_location("reproduce", sys.argv[1])
r = importlib.util.module_from_spec(spec)
spec.loader.exec_module(r)

cases = [
    ("every seed", [0.9, 0.8, 0.85], [0.8, 0.7, 0.8], ">"),
    ("mean only", [0.9, 0.7, 0.9], [0.8, 0.75, 0.8], ">"),
    ("opposite", [0.7, 0.7, 0.7], [0.8, 0.8, 0.8], ">"),
    ("tie, at least", [0.8, 0.8], [0.8, 0.8], ">="),
    ("tie, above", [0.8, 0.8], [0.8, 0.8], ">"),
    ("chance", [0.12, 0.14], [0.5, 0.6], ">"),
    ("missing", [], [0.5], ">"),
]
for name, better, worse, rel in cases:
    print("%s: %s" % (name, r.verdict(better, worse, rel, 0.1)))
print("fmt: %s" % r.fmt([0.9, 0.8, 0.85]))
