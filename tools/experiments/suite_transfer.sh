#!/usr/bin/env bash
# The issue-6 experiment on the offline suite: a zoo pretrained on five suite datasets (one
# supernet each, plus one multi-dataset supernet over all five), then paired scratch / ot /
# random / multi searches on three other suite datasets x two seeds, each genotype retrained.
#
# usage: tools/experiments/suite_transfer.sh SUITE_DIR DB [OUT]
# Budget (fits a 2-core machine in well under an hour): 16x16 RGB images, 20 images per class
# (10 search-train, 5 search-val, 5 test), C=4, 5 cells, batch 32, 6 search epochs; retraining
# C=8, 5 cells, 5 epochs.
set -euo pipefail
suite=${1:?suite folder}
db=${2:?database file}
out=${3:-$(dirname "$db")/suite-transfer}
bin=${SUPERNET:-build/app/supernet}
budget=(--image-size 16 --max-per-class 20 --channels 4 --layers 5 --batch 32 --epochs 6)
sources=(FSH DIG GRK CYR ARB)
targets=(KAN EMO TEX)

start=$(date +%s)
# Two lanes of one thread each: the single-dataset supernets, and the multi-dataset one.
(
  for s in "${sources[@]}"; do
    "$bin" pretrain --db "$db" --data "$suite/$s" "${budget[@]}" --threads 1 --name "$s"
  done
) > "$out.pretrain-single.log" 2>&1 &
single=$!
multi_args=()
for s in "${sources[@]}"; do multi_args+=(--data "$suite/$s"); done
"$bin" pretrain --db "$db" "${multi_args[@]}" "${budget[@]}" --threads 1 --name multi5 \
  > "$out.pretrain-multi.log" 2>&1
wait "$single"
echo "pretraining: $(( $(date +%s) - start )) s"
"$bin" zoo list --db "$db"

target_args=()
for t in "${targets[@]}"; do target_args+=("$suite/$t"); done
"$bin" experiment --db "$db" --targets "${target_args[@]}" --arms scratch,ot,random,multi \
  --seeds 0,1 "${budget[@]}" --retrain-epochs 5 --retrain-channels 8 --retrain-layers 5 \
  --threads 2 --out "$out"
echo "total: $(( $(date +%s) - start )) s"
