"""Compiles every ```csc block of a Markdown file with `cscc summary`.

Each block must be a complete .csc file. Prints one line per block and exits
1 if any block fails to compile (its diagnostics are printed), so the
language reference cannot drift from the parser.
"""
import os
import re
import subprocess
import sys
import tempfile

cscc, doc = sys.argv[1], sys.argv[2]
text = open(doc).read()
blocks = re.findall(r"^```csc\n(.*?)^```", text, re.S | re.M)
if not blocks:
    sys.exit(f"{doc}: no csc examples found")
bad = 0
with tempfile.TemporaryDirectory() as tmp:
    for i, src in enumerate(blocks):
        path = os.path.join(tmp, f"example{i}.csc")
        open(path, "w").write(src)
        line = text[: text.index(src)].count("\n") + 1
        # A block with several models compiles each of them.
        models = re.findall(r"^model (\w+)", src, re.M)
        picks = [["--model", m] for m in models] if len(models) > 1 else [[]]
        for pick in picks:
            r = subprocess.run([cscc, "summary", path] + pick,
                               capture_output=True, text=True)
            m = re.search(r"^total parameters: (\d+)$", r.stdout, re.M)
            if r.returncode != 0 or not m:
                bad = 1
                print(f"FAIL {os.path.basename(doc)}:{line}\n{r.stderr}")
            else:
                print(f"ok {os.path.basename(doc)}:{line}: "
                      f"{m.group(1)} parameters")
print(f"{len(blocks)} examples")
sys.exit(bad)
