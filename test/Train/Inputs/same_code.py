"""Compares the machine code of functions in two binaries, instruction by
instruction (mnemonics; addresses and relocated operands differ between a
JIT's object and a linked executable).

usage: same_code.py A B FUNCTION... [--expect-different]

Prints, per function, its instruction count and how many instructions use
256- or 512-bit vector registers, then exits 0 when every function has the
same mnemonic sequence in A and B (or, with --expect-different, when one
differs).
"""
import re
import subprocess
import sys


def mnemonics(binary, function):
    out = subprocess.run(
        ["llvm-objdump", "-d", "--no-show-raw-insn", "--no-leading-addr",
         "--disassemble-symbols=" + function, binary],
        check=True, capture_output=True, text=True).stdout
    insns = [line.split(None, 1) for line in out.splitlines()
             if line.startswith((" ", "\t")) and line.strip()]
    return [i[0] for i in insns], sum(
        1 for i in insns if len(i) > 1 and re.search(r"%[yz]mm", i[1]))


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    expect_diff = "--expect-different" in sys.argv
    a, b, functions = args[0], args[1], args[2:]
    differ = False
    for f in functions:
        ma, wide_a = mnemonics(a, f)
        mb, wide_b = mnemonics(b, f)
        if not ma or not mb:
            sys.exit("%s: no instructions in %s" % (f, a if not ma else b))
        same = ma == mb
        differ |= not same
        print("%s: %d / %d instructions, %d / %d on ymm/zmm, %s" %
              (f, len(ma), len(mb), wide_a, wide_b,
               "same" if same else "different"))
    sys.exit(0 if differ == expect_diff else 1)


if __name__ == "__main__":
    main()
