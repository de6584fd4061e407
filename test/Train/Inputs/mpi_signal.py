"""Signals one process of a data-parallel run (test/Train/mpi-*.test).

  mpi_signal.py kill|term RANK TIMEOUT -- MPIRUN ARGS...
      starts MPIRUN ARGS (an `mpirun -np N cscc train ...` command), waits
      until the process of rank RANK has trained a step (its progress is
      not visible, so: until rank 0 has printed a step line), sends it
      SIGKILL (kill) or SIGTERM (term), and waits for mpirun to end, at
      most TIMEOUT seconds. Prints mpirun's output, then 'exit status: S'
      (S != 0 when it failed), 'ended within TIMEOUT s: yes|no'. Exit 0
      unless mpirun had to be killed at the timeout.
"""
import os
import signal
import subprocess
import sys
import time


def rank_pids(parent, rank):
    """Processes below `parent` whose environment says they are `rank`."""
    want = ("OMPI_COMM_WORLD_RANK=%d" % rank).encode()
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/environ" % pid, "rb") as f:
                env = f.read().split(b"\0")
            with open("/proc/%s/stat" % pid) as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except OSError:
            continue
        if want in env and ppid != 0 and is_below(int(pid), parent):
            found.append(int(pid))
    return found


def is_below(pid, ancestor):
    while pid > 1:
        if pid == ancestor:
            return True
        try:
            with open("/proc/%d/stat" % pid) as f:
                pid = int(f.read().rsplit(")", 1)[1].split()[1])
        except OSError:
            return False
    return False


def main():
    how, rank, timeout = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    cmd = sys.argv[sys.argv.index("--") + 1:]
    out = open("mpi_signal.out", "w+b")
    p = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
    # Until rank 0 has printed a step (the processes are in the loop).
    deadline = time.time() + 120
    while time.time() < deadline and p.poll() is None:
        out.flush()
        with open("mpi_signal.out", "rb") as f:
            if b" img/s" in f.read():
                break
        time.sleep(0.05)
    targets = rank_pids(p.pid, rank)
    # The innermost: cscc itself, not a wrapper shell.
    targets = [t for t in targets if not any(is_below(t, o) and t != o for o in targets)] or targets
    sig = signal.SIGKILL if how == "kill" else signal.SIGTERM
    for t in targets[-1:]:
        os.kill(t, sig)
    start = time.time()
    try:
        rc = p.wait(timeout=timeout)
        within = True
    except subprocess.TimeoutExpired:
        p.kill()
        rc = p.wait()
        within = False
    with open("mpi_signal.out", "rb") as f:
        sys.stdout.write(f.read().decode(errors="replace"))
    print("signalled rank %d: %s" % (rank, "yes" if targets else "no (not found)"))
    print("exit status: %d" % rc)
    print("ended within %g s: %s (%.1f s)" % (timeout, "yes" if within else "no",
                                             time.time() - start))
    return 0 if within else 1


if __name__ == "__main__":
    sys.exit(main())
