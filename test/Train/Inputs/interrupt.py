"""Runs a training command and sends it a signal once it is inside an epoch.

usage: interrupt.py SIGNAL [--at REGEX] CMD...   (SIGNAL: INT, TERM, KILL)

Reads the command's output (plain progress) line by line; at the first
line matching REGEX (default: any progress line of a running epoch,
"epoch E/N K/B ...") it sends SIGNAL once. Prints the output, then
"exit N" with the command's exit status (128 + the signal number when the
trainer stopped as asked; -9 for KILL). Fails when no line matched (the
signal was never sent).
"""
import re
import signal
import subprocess
import sys


def main():
    sig = getattr(signal, "SIG" + sys.argv[1])
    args = sys.argv[2:]
    at = r"^epoch \d+/\d+ \d+/\d+ "
    if args[0] == "--at":
        at, args = args[1], args[2:]
    p = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
    sent = False
    out = []
    for line in p.stdout:
        out.append(line)
        if not sent and re.match(at, line):
            p.send_signal(sig)
            sent = True
    rc = p.wait()
    sys.stdout.write("".join(out))
    print("exit %d" % rc)
    if not sent:
        sys.exit("interrupt.py: no progress line, no signal sent")


if __name__ == "__main__":
    main()
