#!/usr/bin/env bash
# The paper's claims (Tables II-III, l1 penalties on the codes) measured by
# training the model families: scripts/reproduce.py has the runs, budgets
# and verdict rules.
#
#   scripts/reproduce.sh --quick                       # minutes: a smoke run (CI)
#   scripts/reproduce.sh --docs docs/reproduction.md   # about an hour on 2 cores
#   scripts/reproduce.sh --data ~/cifar-10-batches-bin --seeds 3
#
# Needs a built cscc (scripts/build.sh) and, for the default data, Debian's
# dataset-fashion-mnist (scripts/setup.sh installs it).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
exec python3 "$root/scripts/reproduce.py" "$@"
