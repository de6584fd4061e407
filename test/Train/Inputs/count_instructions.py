"""Counts the instructions matching a regular expression in the functions
of a binary whose names match another (llvm-objdump's disassembly).

usage: count_instructions.py BINARY FUNCTION_REGEX INSTRUCTION_REGEX

Prints 'functions F, instructions N, matching M'.
"""
import re
import subprocess
import sys


def main():
    binary, function_re, insn_re = sys.argv[1:4]
    out = subprocess.run(
        ["llvm-objdump", "-d", "--no-show-raw-insn", "--no-leading-addr",
         binary], check=True, capture_output=True, text=True).stdout
    functions = total = matching = 0
    inside = False
    for line in out.splitlines():
        m = re.match(r"^[0-9a-f]* ?<(.+)>:$", line)
        if m:
            inside = re.search(function_re, m.group(1)) is not None
            functions += inside
            continue
        if inside and line.startswith((" ", "\t")) and line.strip():
            total += 1
            matching += re.search(insn_re, line) is not None
    print("functions %d, instructions %d, matching %d"
          % (functions, total, matching))


if __name__ == "__main__":
    main()
