#!/usr/bin/env python3
"""Checks the layering rules of docs/design.md §2 on a source tree.

usage: check_layering.py ROOT

Prints one line per violation, `path:line: rule: what`, and exits 1 if
there is any (0 otherwise). The rules:

  frontend-runtime-no-mlir  nothing under lib/Frontend, include/cscc/Frontend
                            or runtime/ includes an MLIR or LLVM header
  dialect-independent       nothing under dialects/ includes a target,
                            execution, runtime or CUDA header, or names a
                            runtime kernel (a `cscc_...` symbol)
  kind-not-string           no kind (threshold, solver, optimizer, ...)
                            compared with a string literal anywhere: kinds
                            are enums with exhaustive switches
  thin-tool                 every source file under tools/*/ stays under
                            MAX_TOOL_LINES lines (a tool is options plus one
                            call into lib)
"""
import os
import re
import sys

CXX = (".h", ".cpp", ".td", ".def", ".inc")
MAX_TOOL_LINES = 300

INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]')
MLIR_OR_LLVM = re.compile(r"^(mlir|llvm|llvm-c)/")
# What a dialect must not depend on: targets and execution (lib/), the
# runtime, CUDA.
DIALECT_FORBIDDEN = re.compile(
    r"^(cscc/(Target|Execution|Runtime)/|cuda\.h$|cudnn\.h$|cuda_runtime|"
    r"cudnn_)")
RUNTIME_SYMBOL = re.compile(r"\bcscc_[a-z0-9_]+")
# A kind-like name (getKind(), o.prox, s.optimizer.kind, bnAffine, ...)
# compared with a string literal, on either side.
KIND_NAME = (r"\w*(?:[Kk]ind|[Pp]rox|[Ss]olver|[Gg]ram|[Bb]n|[Bb]nAffine|"
             r"[Oo]ptimizer|[Ss]chedule|[Tt]hreshold|[Pp]lacement|[Dd]ata|"
             r"[Dd]ataset|[Ii]nit|[Ll]oss|[Ss]tep)(?:\(\))?")
KIND_COMPARE = re.compile(r"\b" + KIND_NAME + r'\s*[!=]=\s*"|"\s*[!=]=\s*'
                          r"(?:\w+(?:\.|->))*" + KIND_NAME + r"\b")


def sources(root, top):
    base = os.path.join(root, top)
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames[:] = sorted(d for d in dirnames if d not in ("build", ".git"))
        for name in sorted(filenames):
            if name.endswith(CXX):
                yield os.path.join(dirpath, name)


def lines(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read().splitlines()


def check(root):
    found = []

    def report(path, lineno, rule, what):
        found.append(f"{os.path.relpath(path, root)}:{lineno}: {rule}: {what}")

    for top in ("lib/Frontend", "include/cscc/Frontend", "runtime"):
        for path in sources(root, top):
            for i, text in enumerate(lines(path), 1):
                m = INCLUDE.match(text)
                if m and MLIR_OR_LLVM.match(m.group(1)):
                    report(path, i, "frontend-runtime-no-mlir",
                           f"includes {m.group(1)}")

    for path in sources(root, "dialects"):
        for i, text in enumerate(lines(path), 1):
            m = INCLUDE.match(text)
            if m and DIALECT_FORBIDDEN.match(m.group(1)):
                report(path, i, "dialect-independent", f"includes {m.group(1)}")
            for sym in RUNTIME_SYMBOL.findall(text):
                report(path, i, "dialect-independent",
                       f"names the runtime symbol {sym}")

    for top in ("lib", "include", "dialects", "runtime", "tools"):
        for path in sources(root, top):
            for i, text in enumerate(lines(path), 1):
                code = text.split("//", 1)[0]
                m = KIND_COMPARE.search(code)
                if m:
                    report(path, i, "kind-not-string",
                           f"compares a kind with a string: {m.group(0).strip()}")

    tools = os.path.join(root, "tools")
    for path in sources(root, "tools"):
        n = len(lines(path))
        if n >= MAX_TOOL_LINES:
            report(path, n, "thin-tool",
                   f"{n} lines (a tool file stays under {MAX_TOOL_LINES}: "
                   "move the logic into lib/)")
    return found


def main(argv):
    if len(argv) != 2 or not os.path.isdir(argv[1]):
        print(__doc__, file=sys.stderr)
        return 2
    found = check(os.path.abspath(argv[1]))
    for line in found:
        print(line)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
