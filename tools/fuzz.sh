#!/usr/bin/env bash
# tools/fuzz.sh [SECONDS]: builds the libFuzzer targets of tests/fuzz with clang, AddressSanitizer
# and UndefinedBehaviorSanitizer in build-fuzz/ (the normal build/ is untouched) and runs each for
# SECONDS (default 60) from a generated seed corpus; FUZZ_TARGETS="..." runs only those. Prints
# executions and crashes per target; crashing inputs land in build-fuzz/crashes/<target>/ (each
# must become a regression test).
# Exit code: 0 no crash, 1 a target crashed, 2 usage.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
[[ "$seconds" =~ ^[0-9]+$ ]] || { echo "usage: $0 [SECONDS]" >&2; exit 2; }
all=(fuzz_idx fuzz_cifar fuzz_csv fuzz_image fuzz_genotype fuzz_search_config
     fuzz_checkpoint_meta)
# FUZZ_TARGETS="fuzz_a fuzz_b" runs only those.
read -r -a targets <<< "${FUZZ_TARGETS:-${all[*]}}"

# Debian's clang and its libFuzzer runtime (libclang-rt-14-dev holds libclang_rt.fuzzer).
if ! command -v clang++ >/dev/null || ! compgen -G "/usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a" >/dev/null; then
  sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get install -y --no-install-recommends clang libclang-rt-14-dev
fi

san="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER=clang++ -DWB_FUZZ=ON -DWB_BUILD_GUI=OFF -DWB_BUILD_TESTS=OFF \
  -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link $san" \
  -DCMAKE_EXE_LINKER_FLAGS="$san" >/dev/null
nice -n 10 cmake --build build-fuzz -j2 --target "${targets[@]}"

out=build-fuzz/fuzz-run
rm -rf "$out/seeds"
mkdir -p "$out/seeds" build-fuzz/crashes
# Seeds: one small valid input per format (the fuzzer mutates from there).
python3 - "$out/seeds" <<'PY'
import os, struct, sys, json
root = sys.argv[1]
def put(target, name, data):
    os.makedirs(os.path.join(root, target), exist_ok=True)
    with open(os.path.join(root, target, name), "wb") as f:
        f.write(data.encode() if isinstance(data, str) else data)
labels = struct.pack(">II", 0x801, 3) + bytes([0, 1, 2])
images = struct.pack(">IIII", 0x803, 3, 2, 2) + bytes(range(12))
for gz in (0, 1):
    put("fuzz_idx", f"pair{gz}", bytes([gz]) + struct.pack("<H", len(labels)) + labels + images)
record = lambda label: bytes(label) + bytes((i * 7) % 256 for i in range(3072))
put("fuzz_cifar", "cifar10", bytes([0]) + record([1]) + record([2]))
put("fuzz_cifar", "cifar100", bytes([1]) + record([3, 40]) + record([1, 99]))
put("fuzz_csv", "labels", "FILE_NAME,CATEGORY,SUPER_CATEGORY\na.png,cat,x\n\"a.png\",\"d,og\",y\r\n")
png = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108000000003a7e9b55"
                    "0000000a49444154789c636000000002000148afa4710000000049454e44ae426082")
put("fuzz_image", "grey.png", png)
bmp = b"BM" + struct.pack("<IHHI", 58, 0, 0, 54) + struct.pack("<IiiHHIIiiII", 40, 1, 1, 1, 24, 0, 4, 0, 0, 0, 0) + bytes([10, 20, 30, 0])
put("fuzz_image", "rgb.bmp", bmp)
lit = ("Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('skip_connect', 0), "
       "('dil_conv_3x3', 2)], normal_concat=range(2, 4), reduce=[('max_pool_3x3', 0), "
       "('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1)], reduce_concat=[2, 3])")
put("fuzz_genotype", "literal", lit)
put("fuzz_genotype", "json", json.dumps({"normal": [["sep_conv_3x3", 0], ["skip_connect", 1]],
    "normal_concat": [2], "reduce": [["max_pool_3x3", 0], ["avg_pool_3x3", 1]], "reduce_concat": [2]}))
put("fuzz_search_config", "search", json.dumps({"data": {"path": "/data", "format": "auto",
    "max_per_class": 5, "image_size": 8}, "runtime": {"seed": 1, "threads": 1, "device": "cpu",
    "channels_last": True}, "channels": 4, "layers": 2, "nodes": 2, "batch": 8, "epochs": 1,
    "order": 1, "variant": "darts"}))
# A sampler state as libstdc++ prints a freshly seeded std::mt19937_64 (312 words, then the index).
mt = [5]
for i in range(1, 312):
    mt.append((6364136223846793005 * (mt[-1] ^ (mt[-1] >> 62)) + i) % 2**64)
state = "4 2 2 " + " ".join(map(str, mt)) + " 312 3 1 0 2"
put("fuzz_checkpoint_meta", "sampler", bytes([0, 3, 1]) + state.encode())
rows = [1, 2.3, 0.1, 2.2, 0.2, 0.025, 1.5, 2, 2.1, 0.2, 2.0, 0.3, 0.013, 1.4]
put("fuzz_checkpoint_meta", "history", bytes([1, 7]) + struct.pack("<14d", *rows))
PY

status=0
printf "%-20s %12s %8s %8s\n" target executions seconds crashes
for t in "${targets[@]}"; do
  corpus="$out/corpus/$t"; crashes="build-fuzz/crashes/$t"
  mkdir -p "$corpus" "$crashes"
  log="$out/$t.log"
  # 2 GB RSS and 10 s per input: a parser that needs more on a small input is a finding too.
  set +e
  nice -n 10 build-fuzz/tests/fuzz/$t -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
    -max_len=65536 -print_final_stats=1 -artifact_prefix="$crashes/" \
    "$corpus" "$out/seeds/$t" >"$log" 2>&1
  rc=$?
  set -e
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
  found=$(find "$crashes" -type f | wc -l)
  printf "%-20s %12s %8s %8s\n" "$t" "$execs" "$seconds" "$found"
  if [ "$rc" != 0 ] || [ "$found" != 0 ]; then
    status=1
    grep -m3 -E 'ERROR|SUMMARY|Test unit written' "$log" || true
  fi
done
exit $status
