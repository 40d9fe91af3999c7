#!/usr/bin/env bash
# A small workspace for the workbench's README screenshots: three single-dataset zoo supernets
# (FSH, GRK, CYR) and one multi-dataset supernet over all three, then an experiment on KAN
# (scratch / ot / random / multi arms x seeds 0 and 1, each genotype retrained). The
# README screenshots are made from it with tools/experiments/screenshots.sh.
#
# usage: tools/experiments/demo_workspace.sh SUITE_DIR DB
# SUITE_DIR needs FSH, GRK, CYR and KAN (`supernet suite build --out SUITE_DIR --only FSH,GRK,CYR,KAN`).
# Budget: 16x16 RGB, 20 images per class, C=4, 5 cells, batch 32, 6 search epochs; retraining
# C=8, 5 cells, 5 epochs. About 15 minutes on two cores.
set -euo pipefail
suite=${1:?suite folder}
db=${2:?database file}
bin=${SUPERNET:-build/app/supernet}
budget=(--image-size 16 --max-per-class 20 --channels 4 --layers 5 --batch 32 --epochs 6)
export OMP_WAIT_POLICY=PASSIVE

start=$(date +%s)
(
  for s in FSH GRK CYR; do
    "$bin" pretrain --db "$db" --data "$suite/$s" "${budget[@]}" --threads 1 --name "$s"
  done
) > "$db.pretrain-single.log" 2>&1 &
single=$!
"$bin" pretrain --db "$db" --data "$suite/FSH" --data "$suite/GRK" --data "$suite/CYR" \
  "${budget[@]}" --threads 1 --name multi3 > "$db.pretrain-multi.log" 2>&1
wait "$single"
echo "pretraining: $(( $(date +%s) - start )) s"
"$bin" zoo list --db "$db"
"$bin" experiment --db "$db" --targets "$suite/KAN" --arms scratch,ot,random,multi --seeds 0,1 \
  "${budget[@]}" --retrain-epochs 5 --retrain-channels 8 --retrain-layers 5 --threads 2 \
  --out "$(dirname "$db")/demo-experiment"
echo "total: $(( $(date +%s) - start )) s"
