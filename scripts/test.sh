#!/usr/bin/env bash
# Sets up a fresh machine, builds, and runs every test (lit + FileCheck).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/setup.sh"
"$root/scripts/build.sh"
"$root/scripts/build.sh" check-cscc
