#!/usr/bin/env bash
# The second build: the whole project, tests included, against a LibTorch 2.x from PyPI's `torch`
# (a CUDA build; without a GPU it runs on the CPU) instead of Debian's 1.13. Not part of CI: the
# wheel and its CUDA libraries are several GB.
#
# usage: tools/build_torch2.sh [VENV] [BUILD_DIR]
#   VENV       a virtual environment outside the repository (default: ../torch2-venv); created
#              with torch==$TORCH_VERSION (default 2.11.0) when it has no torch
#   BUILD_DIR  default: build-torch2
# Then: ctest --test-dir BUILD_DIR (the script runs it; extra ctest flags in CTEST_FLAGS).
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${1:-$(cd .. && pwd)/torch2-venv}
build=${2:-build-torch2}
if ! "$venv/bin/python3" -c 'import torch' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install "torch==${TORCH_VERSION:-2.11.0}"
fi
prefix=$("$venv/bin/python3" -c 'import torch; print(torch.utils.cmake_prefix_path)')
echo "LibTorch $("$venv/bin/python3" -c 'import torch; print(torch.__version__)') from $prefix"
# The torch folder itself is on the prefix path too: TorchConfig finds libc10 with a plain
# find_library, which would otherwise pick Debian's 1.13 copy from the system paths and load two
# LibTorch versions into one process. The CUDA wheel's CMake package looks for the CUDA toolkit
# (nvcc). Naming the GPU architectures
# (sm_90: H100/H200) skips its probe of the local GPU, a try_run that CMake 3.25 cannot build
# with nvcc 13 at our C++20 standard; we compile no CUDA code ourselves.
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$prefix;$(dirname "$(dirname "$prefix")")" \
  -DTORCH_CUDA_ARCH_LIST="${TORCH_CUDA_ARCH_LIST:-9.0}" \
  -DCMAKE_CUDA_COMPILER="${CUDACXX:-$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)}"
cmake --build "$build"
# The wheel's shared libraries (libtorch, CUDA) are found through the RPATH CMake sets.
OMP_WAIT_POLICY=PASSIVE QT_QPA_PLATFORM=offscreen ctest --test-dir "$build" ${CTEST_FLAGS:-}
