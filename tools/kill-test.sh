#!/usr/bin/env bash
# tools/kill-test.sh [N] [BUILD_DIR]: kills a real tiny search with SIGKILL at N (default 20)
# random moments and checks after each kill that
#   - the workspace passes PRAGMA integrity_check,
#   - the run shows as `interrupted`,
#   - `runs resume` finishes it (status done, every epoch recorded) from a checkpoint no older
#     than the last recorded epoch minus one: at most the epoch in flight is lost.
# Needs a built `supernet` (BUILD_DIR defaults to build), sqlite3 and python3.
# Exit code: 0 all trials passed, 1 a trial failed, 2 usage.
set -euo pipefail
cd "$(dirname "$0")/.."
trials=${1:-20}
build=${2:-build}
[[ "$trials" =~ ^[0-9]+$ ]] || { echo "usage: $0 [N] [BUILD_DIR]" >&2; exit 2; }
supernet="$build/app/supernet"
[ -x "$supernet" ] || { echo "kill-test: $supernet not built" >&2; exit 2; }
epochs=6

work=$(mktemp -d /tmp/wb-kill-test.XXXXXX)
trap 'rm -rf "$work"' EXIT
# A separable 4-class IDX set, 60 images per class, 10x10 (the CLI tests' kind of data).
python3 - "$work/data" <<'PY'
import os, random, struct, sys
d = sys.argv[1]; os.makedirs(d)
rng = random.Random(1); n = 240; side = 10
labels = [k % 4 for k in range(n)]
pixels = bytearray()
for k in labels:
    img = [rng.randint(0, 60) for _ in range(side * side)]
    r0, c0 = (k // 2) * 5, (k % 2) * 5
    for r in range(r0, r0 + 4):
        for c in range(c0, c0 + 4):
            img[r * side + c] = 255
    pixels += bytes(img)
open(os.path.join(d, "train-images-idx3-ubyte"), "wb").write(struct.pack(">IIII", 0x803, n, side, side) + pixels)
open(os.path.join(d, "train-labels-idx1-ubyte"), "wb").write(struct.pack(">II", 0x801, n) + bytes(labels))
PY
search_args=(search --data "$work/data" --channels 4 --layers 2 --nodes 2 --batch 8 --threads 1
             --epochs "$epochs" --seed 7)

# Calibrate: the whole run's length bounds the random kill moments.
start=$(date +%s.%N)
"$supernet" "${search_args[@]}" --no-store >/dev/null 2>&1
total=$(python3 -c "import time; print(max(1.0, time.time() - $start))")
echo "kill-test: an uninterrupted search takes ${total}s; $trials trials"

json_field() { python3 -c "import json,sys; j=json.load(sys.stdin); print($1)"; }
passed=0
for ((i = 1; i <= trials; i++)); do
  db="$work/ws-$i.sqlite"
  moment=$(python3 -c "import random; print(round(random.uniform(0.1, 0.9) * $total, 2))")
  "$supernet" "${search_args[@]}" --db "$db" >/dev/null 2>"$work/search-$i.log" &
  pid=$!
  sleep "$moment"
  if ! kill -KILL "$pid" 2>/dev/null; then
    wait "$pid" || true
    echo "trial $i: finished before the kill at ${moment}s; not counted, repeated"
    ((i--)); continue
  fi
  wait "$pid" 2>/dev/null || true
  problem=""
  if [ ! -f "$db" ]; then
    echo "trial $i: killed at ${moment}s before the workspace existed; repeated"
    ((i--)); continue
  fi
  check=$(sqlite3 "$db" "PRAGMA integrity_check")
  [ "$check" = ok ] || problem="integrity_check: $check"
  shown=$("$supernet" runs show 1 --db "$db" --json 2>/dev/null || true)
  status=$(echo "$shown" | json_field 'j["status"]' 2>/dev/null || echo "?")
  recorded=$(echo "$shown" | json_field 'j["epochs"]' 2>/dev/null || echo 0)
  if [ "$status" = done ]; then
    # The kill landed while the finished process was exiting.
    echo "trial $i: finished before the kill at ${moment}s (exiting); not counted, repeated"
    ((i--)); continue
  fi
  [ -z "$problem" ] && [ "$status" != interrupted ] && problem="status $status, expected interrupted"
  if [ -z "$problem" ]; then
    resumed=$("$supernet" runs resume 1 --db "$db" --json 2>"$work/resume-$i.log" || true)
    final=$(echo "$resumed" | json_field 'j["status"]' 2>/dev/null || echo "?")
    done_epochs=$(echo "$resumed" | json_field 'len(j["epochs"])' 2>/dev/null || echo 0)
    # "resumed from <file> (epoch K)", or no checkpoint yet: K = 0.
    from=$(echo "$resumed" | json_field \
      '[int(i["message"].rsplit("(epoch ",1)[1].split(")")[0]) for i in j["issues"] if i["code"]=="resume"] or [0]' \
      2>/dev/null | tr -d '[]' || echo "?")
    if [ "$final" != done ] || [ "$done_epochs" != "$epochs" ]; then
      problem="resume ended $final with $done_epochs epochs"
    elif [ "$from" = "?" ] || [ "$from" -lt $((recorded - 1)) ]; then
      problem="resumed from epoch $from with $recorded recorded: more than the epoch in flight lost"
    fi
  fi
  if [ -n "$problem" ]; then
    echo "trial $i: killed at ${moment}s: FAILED: $problem"
  else
    echo "trial $i: killed at ${moment}s: ok ($recorded epochs recorded, resumed from epoch $from)"
    passed=$((passed + 1))
  fi
done
echo "kill-test: $passed of $trials trials passed"
[ "$passed" = "$trials" ]
