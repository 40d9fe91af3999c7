#!/usr/bin/env bash
# The leave-one-out distance-vs-gain study (issue 19) through the job queue: every suite dataset
# is pretrained once (and all of them jointly, for the supernet-feature embedder); then every
# dataset in turn is the target of an experiment whose each-source arms warm-start from the other
# datasets' supernets (an entry pretrained on the target itself is left out); finally
# `experiment study` rank-correlates each embedder's distances with the realized gains.
#
# usage: tools/experiments/leave_one_out_study.sh SUITE_DIR DB [OUT]
#   DB: a SQLite file or a postgresql:// URI. With a server workspace, more workers may join from
#   other machines at any time: supernet worker --db DB --data-root SUITE_DIR
# environment:
#   WORKERS (2) local workers of THREADS (1) threads each; 0 = only remote workers
#   SEEDS (0,1,2), BUDGET (the search flags below), RETRAIN (the retraining flags below)
#   TORCHSCRIPT=FILE also studies a TorchScript feature extractor (torchscript:FILE)
#   SUPERNET the binary (build/app/supernet)
# Caveat: the joint supernet has seen every dataset, the held-out target included, so its
# features know the target; its distances are an optimistic reading of that embedder.
set -euo pipefail
suite=$(realpath "${1:?suite folder}")
db=${2:?workspace}
out=$(realpath -m "${3:-leave-one-out}")
bin=${SUPERNET:-build/app/supernet}
workers=${WORKERS:-2}
threads=${THREADS:-1}
seeds=${SEEDS:-0,1,2}
read -r -a budget <<< "${BUDGET:---image-size 16 --max-per-class 12 --channels 4 --layers 3 --batch 32 --epochs 5}"
read -r -a retrain <<< "${RETRAIN:---retrain-epochs 3 --retrain-channels 8 --retrain-layers 3}"

datasets=()
for d in "$suite"/*/; do
  [ -f "$d/labels.csv" ] && datasets+=("$(basename "$d")")
done
[ "${#datasets[@]}" -ge 4 ] || { echo "need at least 4 datasets in $suite" >&2; exit 2; }
echo "datasets: ${datasets[*]}"

# Local workers until the queue has been empty for a minute; remote ones may help meanwhile.
drain() {
  local pids=()
  for ((k = 0; k < workers; ++k)); do
    "$bin" worker --db "$db" --data-root "$suite" --threads "$threads" --idle-exit 60 \
      --name "local-$k" >> "$out/worker-$k.log" 2>&1 &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || echo "worker $p ended with $?" >&2; done
  [ "$workers" -gt 0 ] || read -r -p "press Enter once the remote workers have drained the queue "
}

mkdir -p "$out"
start=$(date +%s)
zoo=$("$bin" zoo list --db "$db" --json 2>/dev/null || echo '[]')
all=()
for d in "${datasets[@]}"; do
  all+=(--data "$suite/$d")
  if ! grep -q "\"name\": \"$d\"" <<< "$zoo"; then
    "$bin" pretrain --queue --db "$db" --data-root "$suite" --data "$suite/$d" --name "$d" \
      "${budget[@]}" --seed 0
  fi
done
grep -q '"name": "suite-all"' <<< "$zoo" ||
  "$bin" pretrain --queue --db "$db" --data-root "$suite" "${all[@]}" --name suite-all \
    "${budget[@]}" --seed 0
drain
echo "pretraining: $(( $(date +%s) - start )) s"
"$bin" zoo list --db "$db"

targets=()
for d in "${datasets[@]}"; do targets+=("$suite/$d"); done
id=$("$bin" experiment --queue --db "$db" --data-root "$suite" --targets "${targets[@]}" \
  --arms scratch,each-source --seeds "$seeds" "${budget[@]}" "${retrain[@]}" --out "$out")
drain
echo "experiment $id: $(( $(date +%s) - start )) s"
"$bin" experiment report "$id" --db "$db" --out "$out" > /dev/null

embedders=(--embedder pixels --embedder pixels@8 --embedder auto)
[ -n "${TORCHSCRIPT:-}" ] && embedders+=(--embedder "torchscript:$TORCHSCRIPT")
"$bin" experiment study "$id" --db "$db" --data-root "$suite" "${embedders[@]}" \
  --threads "$(( workers > 0 ? workers * threads : 1 ))" --out "$out" | tee "$out/study.txt"
echo "total: $(( $(date +%s) - start )) s"
