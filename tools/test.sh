#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite (the README's test command).
set -euo pipefail
cd "$(dirname "$0")/.."
packaging/install-deps.sh "$@"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build build
ctest --test-dir build --output-on-failure
