#!/usr/bin/env bash
# Installs every Debian 12 package the build, the tests and the demos need.
# Idempotent: packages already present are skipped. Runs as root or through sudo.
set -euo pipefail

with_gui=1
for arg in "$@"; do
  case "$arg" in
    --no-gui) with_gui=0 ;;
    -h|--help) echo "usage: $0 [--no-gui]"; exit 0 ;;
    *) echo "install-deps: unknown option '$arg'" >&2; exit 2 ;;
  esac
done

core_pkgs=(
  build-essential cmake ninja-build ccache pkg-config git
  libtorch-dev libgloo-dev libopenblas0-openmp libsqlite3-dev nlohmann-json3-dev libcli11-dev libstb-dev
  libtomlplusplus-dev
  libgraphviz-dev graphviz libfreetype-dev zlib1g-dev libpq-dev postgresql openssl
  dataset-fashion-mnist fonts-dejavu-core help2man
  python3 python3-torch python3-onnx
)
# fonts-dejavu-core: the suite builder's glyph rendering test and contact-sheet labels.
# `supernet suite build` also runs apt-get and dpkg-deb (always on Debian); it downloads the
# packages it reads into its own cache, nothing is installed.
# libopenblas0-openmp: Debian's LibTorch calls the system BLAS/LAPACK, which is the unoptimised
# reference one unless OpenBLAS provides it (2.3x faster Gaussian label distances; OpenMP build so
# it shares LibTorch's thread count).
# libgloo-dev: Gloo's headers, which c10d's ProcessGroupGloo header includes (data-parallel
# search; the library itself comes with LibTorch).
# libpq-dev: PostgreSQL workspaces (--db postgresql://...). postgresql: only its server binaries
# (/usr/lib/postgresql/15/bin) are used, by the tests' throwaway servers; nothing needs the
# system cluster Debian sets up with it. openssl: the throwaway servers' self-signed certificate
# (the sslmode test; without it that half is skipped).
# python3-torch: tests check that exported weights and model.py load in PyTorch; tools/reference
# benchmarks. python3-onnx: the model export test checks the ONNX graph.
# libtomlplusplus-dev: --config FILE.toml of the job commands. help2man: the man pages.
# Qt Test drives every test executable, so QtCore/Test are needed even without the GUI.
qt_core_pkgs=(qt6-base-dev)
gui_pkgs=(qt6-svg-dev libqt6sql6-sqlite libqcustomplot-dev libgl-dev xvfb xauth)

wanted=("${core_pkgs[@]}" "${qt_core_pkgs[@]}")
[ "$with_gui" = 1 ] && wanted+=("${gui_pkgs[@]}")

missing=()
for p in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#wanted[@]} packages present"
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
