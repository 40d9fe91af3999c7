#!/usr/bin/env bash
# The CLI-only build without the optional libraries (issue 16): configures build-cli with the GUI
# and tests off and Graphviz, FreeType, libpq and toml++ left out (WB_WITHOUT), builds
# `supernet`, and checks that it links none of them and that each feature that needs one says so.
# Not part of CI (a second build of the core); run it after touching the optional parts.
#
# usage: tools/build_cli_minimal.sh [BUILD_DIR]   (default build-cli)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-cli}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DWB_BUILD_GUI=OFF \
  -DWB_BUILD_TESTS=OFF "-DWB_WITHOUT=graphviz;freetype;libpq;toml++" | grep -i "without" || true
cmake --build "$build" --target supernet
bin=$build/app/supernet
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
check() { # check NAME EXPECTED_EXIT PATTERN COMMAND...
  local name=$1 want=$2 pattern=$3
  shift 3
  local out rc=0
  out=$("$@" 2>&1) || rc=$?
  if [ "$rc" = "$want" ] && grep -q -- "$pattern" <<< "$out"; then
    echo "ok   $name"
  else
    echo "FAIL $name (exit $rc): $out" | head -5
    failures=$((failures + 1))
  fi
}

# Its own links (readelf's NEEDED): Debian's LibTorch itself pulls FreeType and libpq in.
linked=$(readelf -d "$bin" | grep -E -o "lib(gvc|cgraph|freetype|pq|tomlplusplus|Qt6[A-Za-z]*)\.so[^]]*" ||
  true)
if [ -z "$linked" ]; then echo "ok   links no Graphviz, FreeType, libpq, toml++ or Qt"; else
  echo "FAIL links $linked"; failures=$((failures + 1)); fi

check "postgresql:// refused" 2 "no PostgreSQL client library" \
  "$bin" runs list --db postgresql:///nowhere
printf 'epochs = 1\n' > "$tmp/run.toml"
check "--config refused" 2 "no TOML parser" "$bin" search --config "$tmp/run.toml" --data "$tmp"
check "glyph dataset skipped" 1 "no FreeType" \
  "$bin" suite build --only GRK --out "$tmp/suite" --cache "$tmp/cache"

# A tiny search and its export: the DOT text without its drawings, and a note saying why.
mkdir -p "$tmp/data"
python3 - "$tmp/data" <<'EOF'
import random, struct, sys
random.seed(0)
n, size = 48, 8
labels = [i % 3 for i in range(n)]
pixels = bytes(min(255, 80 * l + random.randrange(60)) for l in labels for _ in range(size * size))
with open(sys.argv[1] + "/train-images-idx3-ubyte", "wb") as f:
    f.write(struct.pack(">IIII", 2051, n, size, size) + pixels)
with open(sys.argv[1] + "/train-labels-idx1-ubyte", "wb") as f:
    f.write(struct.pack(">II", 2049, n) + bytes(labels))
EOF
check "search runs" 0 "genotype" "$bin" search --data "$tmp/data" --db "$tmp/ws.sqlite" \
  --epochs 1 --channels 4 --layers 2 --nodes 2 --batch 16 --threads 1
check "export notes the drawings" 0 "no Graphviz" \
  "$bin" runs export 1 --to "$tmp/export" --db "$tmp/ws.sqlite"
if [ -f "$tmp/export/normal.dot" ] && [ ! -e "$tmp/export/normal.svg" ]; then
  echo "ok   export has normal.dot, no normal.svg"
else
  echo "FAIL export files: $(ls "$tmp/export")"; failures=$((failures + 1))
fi
check "preview without labels" 0 "x" "$bin" suite preview "$tmp/data" --out "$tmp/sheet.png"

echo "$failures failure(s)"
[ "$failures" = 0 ]
