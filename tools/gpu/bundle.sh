#!/usr/bin/env bash
# Prepares the GPU check of issue 16 on this machine, for a GPU machine that has PyTorch but
# reaches no registry: the CLI built against PyPI's CUDA LibTorch without the optional libraries
# (build-gpu), the shared libraries it needs beyond LibTorch and the C/C++ runtime, and two
# Fashion-MNIST subsets, all in .gpu/ (kept out of git through .git/info/exclude).
# Then, with the device tool: command `tools/gpu/check.sh`, carry [".gpu"].
#
# usage: tools/gpu/bundle.sh [VENV] [BUILD_DIR]   (defaults as tools/build_torch2.sh, build-gpu)
set -euo pipefail
cd "$(dirname "$0")/../.."
venv=${1:-$(cd .. && pwd)/torch2-venv}
build=${2:-build-gpu}
prefix=$("$venv/bin/python3" -c 'import torch; print(torch.utils.cmake_prefix_path)')
# The prefix path and the CUDA settings are build_torch2.sh's (see the reasons there).
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DWB_BUILD_GUI=OFF \
  -DWB_BUILD_TESTS=OFF "-DWB_WITHOUT=graphviz;freetype;libpq;toml++" \
  -DCMAKE_PREFIX_PATH="$prefix;$(dirname "$(dirname "$prefix")")" \
  -DTORCH_CUDA_ARCH_LIST="${TORCH_CUDA_ARCH_LIST:-9.0}" \
  -DCMAKE_CUDA_COMPILER="${CUDACXX:-$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)}"
cmake --build "$build" --target supernet
rm -rf .gpu
mkdir -p .gpu/lib .gpu/data
cp "$build/app/supernet" .gpu/
# Everything ldd resolves outside the venv (LibTorch and its CUDA libraries come from the GPU
# machine's PyTorch), except the C and C++ runtime, which that machine has.
ldd "$build/app/supernet" | awk '$3 ~ /^\// {print $3}' |
  grep -v -e "$venv" -e '/lib\(c\|m\|dl\|rt\|pthread\|gcc_s\|stdc++\)\.so' |
  xargs -r cp -L -t .gpu/lib
/usr/bin/python3 tools/gpu/fashion_subset.py /usr/share/datasets/fashion-mnist train 200 \
  .gpu/data/fashion-train-200
/usr/bin/python3 tools/gpu/fashion_subset.py /usr/share/datasets/fashion-mnist t10k 100 \
  .gpu/data/fashion-t10k-100
grep -qx '/.gpu/' .git/info/exclude 2>/dev/null || echo '/.gpu/' >> .git/info/exclude
ls .gpu/lib
du -sh .gpu
