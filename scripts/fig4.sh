#!/usr/bin/env bash
# The paper's Fig. 4: trains examples/paper/fig4_ml_csc.csc and
# fig4_msd_csc.csc on the Gaussian-centres simulated set with
# analyze_codes, then draws the first layer's unsuccessfully rebuilt
# dimensions per epoch for both (scripts/fig4_plot.py).
#
#   scripts/fig4.sh [OUT_DIR] [extra cscc train flags, e.g. --epochs 5]
#
# OUT_DIR (default runs/fig4) gets ml/ and msd/ run directories, fig4.svg
# and fig4.md (the table). Needs a built cscc (scripts/build.sh).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-runs/fig4}
shift || true
cscc=${CSCC:-$root/build/bin/cscc}
mkdir -p "$out"
for m in ml msd; do
  "$cscc" train "$root/examples/paper/fig4_${m}_csc.csc" --run-dir "$out/$m" \
    --progress plain "$@"
done
python3 "$root/scripts/fig4_plot.py" "$out/fig4.svg" \
  "ML-CSC=$out/ml" "MSD-CSC=$out/msd" | tee "$out/fig4.md"
echo "wrote $out/fig4.svg and $out/fig4.md"
