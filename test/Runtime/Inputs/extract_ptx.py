"""Writes the PTX held in a C++ raw string R"PTX(...)PTX" of IN to OUT.

usage: extract_ptx.py IN OUT
"""
import sys

text = open(sys.argv[1]).read()
start = text.index('R"PTX(') + len('R"PTX(')
end = text.index(')PTX"', start)
with open(sys.argv[2], "w") as f:
    f.write(text[start:end])
