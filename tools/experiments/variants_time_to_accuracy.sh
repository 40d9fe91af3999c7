#!/usr/bin/env bash
# Time to accuracy of the search variants: Fashion-MNIST, 500 images per class, 16x16, one
# thread. Each variant searches until the supernet's validation accuracy first reaches TARGET
# (or MAX_EPOCHS pass); the wall time is the sum of the epoch times up to that epoch, read from
# `search --json` (`epoch_metrics[].seconds`, data loading excluded).
#
# usage: tools/experiments/variants_time_to_accuracy.sh [TARGET] [MAX_EPOCHS] [VARIANTS...]
# defaults: 0.80, 15, darts pc-darts drnas. Extra search flags: SEARCH_FLAGS="--channels 16".
set -euo pipefail
target=${1:-0.80}
max_epochs=${2:-15}
shift $(( $# > 2 ? 2 : $# ))
variants=("$@")
[ ${#variants[@]} -gt 0 ] || variants=(darts pc-darts drnas)
bin=${SUPERNET:-build/app/supernet}
data=${FASHION_MNIST:-/usr/share/datasets/fashion-mnist}
export OMP_WAIT_POLICY=PASSIVE

# Reads one `search --json` object on stdin; prints the variant's row.
report='
import json, sys
variant, target = sys.argv[1], float(sys.argv[2])
run = json.load(sys.stdin)
elapsed, reached, best = 0.0, None, 0.0
for e in run["epoch_metrics"]:
    elapsed += e["seconds"]
    best = max(best, e["val_acc"])
    if reached is None and e["val_acc"] >= target:
        reached = (e["epoch"], elapsed)
if reached:
    print(f"{variant:<9} {reached[0]:>8} {reached[1]:>14.1f} {best:>10.3f}")
else:
    dash, missing = "-", "not reached"
    print(f"{variant:<9} {dash:>8} {missing:>14} {best:>10.3f}")
'
printf '%-9s %8s %14s %10s\n' variant epochs "seconds to $target" "best acc"
for v in "${variants[@]}"; do
  # --alpha-budget 0: the alpha rate 3e-4 as given, like the Python reference's.
  # shellcheck disable=SC2086  # SEARCH_FLAGS is a list of flags
  "$bin" search --data "$data" --max-per-class 500 --image-size 16 --threads 1 --seed 0 \
    --epochs "$max_epochs" --variant "$v" --alpha-budget 0 --no-store --json ${SEARCH_FLAGS:-} |
    python3 -c "$report" "$v" "$target"
done
