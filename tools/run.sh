#!/usr/bin/env bash
# Installs what is missing, builds, and runs the main job: a short headless demo search on
# Fashion-MNIST (Debian's dataset-fashion-mnist), then prints the result.
set -euo pipefail
cd "$(dirname "$0")/.."
packaging/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build build --target supernet
export OMP_WAIT_POLICY=PASSIVE  # avoids OpenMP spin-waiting when the cores are shared
exec build/app/supernet search --data /usr/share/datasets/fashion-mnist --max-per-class 100 \
  --epochs 3 --seed 0 "$@"
