#!/usr/bin/env bash
# The main job: set up, build, compile the README's MSD-CSC for Fashion-MNIST
# (examples/msd_csc_fmnist.csc) and run its forward pass on real test images.
#
# Training needs the generated backward pass and the training runtime
# (issues 4 and 5), which are not built yet. Until then this shows what the
# compiler does today: the checked model, its initial weights, and the
# compiled eval-mode forward pass on 1000 Fashion-MNIST test images (an
# untrained network, so its accuracy is chance, about 0.1).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/setup.sh"
"$root/scripts/build.sh" >/dev/null
cscc="$root/build/bin/cscc"
model="$root/examples/msd_csc_fmnist.csc"
out="$root/build/out"
mkdir -p "$out"
"$cscc" summary "$model"
"$cscc" init "$model" -o "$out/msd_csc_fmnist.init.safetensors" --seed 1
data=/usr/share/datasets/fashion-mnist
/usr/bin/python3 "$root/scripts/idx_to_npy.py" "$data/t10k-images-idx3-ubyte.gz" \
  "$data/t10k-labels-idx1-ubyte.gz" 1000 "$out/test_x.npy" "$out/test_y.npy"
"$cscc" run "$model" --weights "$out/msd_csc_fmnist.init.safetensors" \
  --input "$out/test_x.npy" -o "$out/test_logits.npy"
/usr/bin/python3 - "$out" <<'PY'
import sys, numpy as np
out = sys.argv[1]
logits, labels = np.load(out + "/test_logits.npy"), np.load(out + "/test_y.npy")
print("forward pass on %d Fashion-MNIST test images: logits %s written to "
      "build/out/test_logits.npy" % (len(labels), list(logits.shape)))
print("untrained accuracy: %.4f (chance; training arrives with issue 5)"
      % (logits.argmax(1) == labels).mean())
np.save(out + "/batch_x.npy", np.load(out + "/test_x.npy")[:64])
np.save(out + "/batch_y.npy", labels[:64].astype(np.int64))
PY
# One generated backward pass (train mode) on a batch of 64 images.
"$cscc" grad "$model" --weights "$out/msd_csc_fmnist.init.safetensors" \
  --input "$out/batch_x.npy" --labels "$out/batch_y.npy" \
  -o "$out/msd_csc_fmnist.grad.safetensors"
echo "gradients of every learned parameter: build/out/msd_csc_fmnist.grad.safetensors"
