#!/usr/bin/env bash
# tools/bench_queue.sh [CELLS]: the job queue's figures (issue 15). Starts a throwaway
# PostgreSQL server on 127.0.0.1 (TCP, as `nobody` when run as root), then prints:
#   1. claim + finish per job with 2 workers claiming at once, PostgreSQL over TCP and SQLite;
#   2. step metrics written per second on both backends;
#   3. the wall time of a CELLS-cell tiny experiment (default 8) with 1 worker, then 2 workers,
#      one thread each, on a SQLite workspace (Fashion-MNIST, 8x8, 20 images per class).
# Run it alone: another build or benchmark on the same cores changes every number.
set -euo pipefail
cd "$(dirname "$0")/.."
cells=${1:-8}
bin=${SUPERNET:-build/app/supernet}
pgbin=/usr/lib/postgresql/15/bin
data=/usr/share/datasets/fashion-mnist
[ -x "$bin" ] || { echo "build $bin first" >&2; exit 2; }
tmp=$(mktemp -d)
as_server=()
if [ "$(id -u)" = 0 ]; then
  chown nobody "$tmp"
  as_server=(setpriv --reuid=65534 --regid=65534 --clear-groups --)
fi
cleanup() {
  "${as_server[@]}" "$pgbin/pg_ctl" -D "$tmp/pg" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"${as_server[@]}" "$pgbin/initdb" -D "$tmp/pg" -U wb -A trust -E UTF8 --locale=C --no-sync >/dev/null
"${as_server[@]}" "$pgbin/pg_ctl" -D "$tmp/pg" -l "$tmp/pg.log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$tmp -c fsync=on" start >/dev/null
"${as_server[@]}" "$pgbin/createdb" -h 127.0.0.1 -p "$port" -U wb bench
uri="postgresql://wb@127.0.0.1:$port/bench"
export SUPERNET_ARTIFACTS="$tmp/artifacts"
"$bin" workspace migrate --db "$uri" >/dev/null

echo "== 1, 2: queue overhead and step writes"
"$bin" bench queue --db "$uri" --workers 2 --jobs 300
"$bin" bench queue --db "$tmp/bench.sqlite" --workers 2 --jobs 300

echo "== 3: $cells-cell experiment, 1 worker vs 2 workers (1 thread each)"
seeds=$(seq -s, 0 $((cells - 1)))
for workers in 1 2; do
  db="$tmp/cells-$workers.sqlite"
  "$bin" experiment --targets "$data" --arms scratch --seeds "$seeds" --retrain-epochs 1 \
    --retrain-channels 4 --retrain-layers 2 --epochs 2 --channels 4 --layers 3 --nodes 2 \
    --batch 16 --image-size 8 --max-per-class 20 --threads 1 --queue --data-root "$data" \
    --db "$db" >/dev/null 2>&1
  start=$(date +%s.%N)
  for w in $(seq 1 "$workers"); do
    OMP_NUM_THREADS=1 OMP_WAIT_POLICY=PASSIVE "$bin" worker --db "$db" --name "w$w" --threads 1 \
      --data-root "$data" --idle-exit 1 --poll 0.2 2>/dev/null &
  done
  wait
  end=$(date +%s.%N)
  done=$("$bin" queue list --db "$db" --json | python3 -c 'import json, sys; print(sum(j["state"] == "done" for j in json.load(sys.stdin)))')
  printf '  %d worker(s): %.1f s wall, %s of %d cells done\n' "$workers" \
    "$(python3 -c "print($end - $start)")" "$done" "$cells"
done
