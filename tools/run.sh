#!/usr/bin/env bash
# Installs what is missing, builds, and runs the main job: the workbench when a display is
# available, otherwise a short headless demo search on Fashion-MNIST (Debian's
# dataset-fashion-mnist) that prints the per-epoch metrics and the found cell.
set -euo pipefail
cd "$(dirname "$0")/.."
packaging/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
export OMP_WAIT_POLICY=PASSIVE  # avoids OpenMP spin-waiting when the cores are shared
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  cmake --build build --target supernet-workbench supernet
  exec build/app/gui/supernet-workbench "$@"
fi
cmake --build build --target supernet
echo "run.sh: no display; running the headless demo search" >&2
exec build/app/supernet search --data /usr/share/datasets/fashion-mnist --max-per-class 100 \
  --epochs 3 --seed 0 "$@"
