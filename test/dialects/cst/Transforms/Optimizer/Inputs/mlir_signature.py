"""The signature of a function in printed MLIR: argument and result types
with their attribute dictionaries (enough for the cst.* attributes)."""
import re
import sys


def split_top(s):
    """Split at commas outside <>, (), {}, [] and strings."""
    out, depth, cur, quoted = [], 0, "", False
    for ch in s:
        if ch == '"':
            quoted = not quoted
        if not quoted:
            if ch in "<({[":
                depth += 1
            elif ch in ">)}]":
                depth -= 1
            elif ch == "," and depth == 0:
                out.append(cur.strip())
                cur = ""
                continue
        cur += ch
    if cur.strip():
        out.append(cur.strip())
    return out


def attrs_of(text):
    m = re.search(r"\{(.*)\}\s*$", text)
    if not m:
        return {}
    out = {}
    for a in split_top(m.group(1)):
        if "=" in a:
            k, v = a.split("=", 1)
            out[k.strip()] = v.strip().strip('"')
        else:
            out[a.strip()] = True
    return out


def type_of(text):
    return re.sub(r"\s*\{.*\}\s*$", "", text).strip()


def signature(ir, name):
    m = re.search(r"func\.func (?:private )?@%s\((.*)\)\s*->\s*\((.*)\)\s*\{\s*$" % name,
                  ir, re.M)
    if not m:
        sys.exit("no @%s with several results in the pass output:\n%s" % (name, ir))
    args = []
    for a in split_top(m.group(1)):
        rest = a.split(":", 1)[1]
        args.append((type_of(rest), attrs_of(rest)))
    results = [(type_of(r), attrs_of(r)) for r in split_top(m.group(2))]
    return args, results
