#!/usr/bin/env bash
# The GPU check of issue 16, on the device machine, from the repository root with .gpu carried
# (tools/gpu/bundle.sh). Each step prints its command, output and exit code; JSON results go to
# $OUT (the device tool's return folder; /tmp/gpu-check elsewhere). About 5 minutes on an H100.
#   DEVICE=cpu SUPERNET=build/app/supernet C=4 L=2 tools/gpu/check.sh   rehearses it on a CPU.
set -uo pipefail
device=${DEVICE:-cuda}
C=${C:-16}
L=${L:-8}
out=${OUT:-/tmp/gpu-check}
mkdir -p "$out"
S=${SUPERNET:-$PWD/.gpu/supernet}
if [ -z "${SUPERNET:-}" ]; then
  torchlib=$(python3 -c 'import os, torch; print(os.path.join(os.path.dirname(torch.__file__), "lib"))')
  export LD_LIBRARY_PATH="$torchlib:$PWD/.gpu/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi
data=.gpu/data
ws=$(mktemp -d)/ws.sqlite
step() { echo; echo "\$ $*"; "$@"; echo "exit $?"; }
json() { local file=$1; shift; echo; echo "\$ $* > $file"; "$@" > "$out/$file"; echo "exit $?"; cat "$out/$file"; }

nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv 2>/dev/null
python3 -c 'import torch; print("python torch", torch.__version__, "cuda", torch.cuda.is_available())'

# 1. A DARTS search iteration at the paper's network (C=16, 8 cells, batch 64): ours in first and
#    second order, then the Python reference (first order only) on the same device.
for order in 1 2; do
  json bench-order$order.json "$S" bench search --device "$device" --channels $C --layers $L \
    --batch 64 --order $order --iterations 5 --warmup 2 --json
done
# Mixed precision (first order): bfloat16, and float16 with its loss scale (CUDA only).
amps="bf16"
[ "$device" = cpu ] || amps="bf16 fp16"
for amp in $amps; do
  json bench-order1-$amp.json "$S" bench search --device "$device" --channels $C --layers $L \
    --batch 64 --order 1 --iterations 5 --warmup 2 --amp $amp --json
done
json reference-order1.json python3 tools/reference/darts_reference_bench.py --device "$device" \
  --channels $C --layers $L --batch 64 --iterations 5 --warmup 2 --threads 4 --json

# 2. A 2-epoch search on Fashion-MNIST (200 per class) at that size, recorded; and with bf16.
json pretrain-$device.json "$S" pretrain --data $data/fashion-train-200 --db "$ws" --name gpu \
  --device "$device" --epochs 2 --channels $C --layers $L --batch 64 --threads 4 --json
json search-$device-bf16.json "$S" search --data $data/fashion-train-200 --no-store \
  --device "$device" --epochs 2 --channels $C --layers $L --batch 64 --threads 4 --amp bf16 --json

# 3. Checkpoints across devices: the supernet pretrained on $device warm-starts a search on the
#    CPU; one pretrained on the CPU warm-starts a search on $device.
step "$S" pretrain --data $data/fashion-train-200 --db "$ws" --name cpu --device cpu --epochs 1 \
  --channels $C --layers $L --batch 64 --threads 8 --max-per-class 20
step "$S" transfer --data $data/fashion-t10k-100 --db "$ws" --source 1 --device cpu --epochs 1 \
  --channels $C --layers $L --batch 64 --threads 8 --max-per-class 20
step "$S" transfer --data $data/fashion-t10k-100 --db "$ws" --source 2 --device "$device" \
  --epochs 1 --channels $C --layers $L --batch 64
# ... and a search interrupted on $device resumes on the CPU.
"$S" search --data $data/fashion-train-200 --db "$ws" --device "$device" --epochs 3 \
  --channels $C --layers $L --batch 64 > /dev/null 2> "$out/interrupted.log" &
pid=$!
until grep -q "epoch 1/3" "$out/interrupted.log" || ! kill -0 $pid 2>/dev/null; do sleep 1; done
kill -INT $pid
wait $pid
echo "interrupted search: exit $?"
run=$("$S" runs list --db "$ws" --json | python3 -c 'import json,sys; print(max(r["id"] for r in json.load(sys.stdin)))')
json resumed-on-cpu.json "$S" runs resume "$run" --db "$ws" --device cpu --threads 8 --json

# 4. The dataset distance between the two subsets on $device and on the CPU (the label-to-label
#    problems run on the CPU in both), then a larger pair where the dataset-level OT dominates.
for d in "$device" cpu; do
  json distance-$d.json "$S" distance --data "$data/fashion-train-200" \
    --data "$data/fashion-t10k-100" --no-store --embed pixels --threads 8 --device $d --json
done
for d in "$device" cpu; do
  json distance-all-$d.json "$S" distance --data "$data/fashion-train-200" \
    --data "$data/fashion-t10k-100" --maxsamples 0 --no-store --embed pixels --inner gaussian \
    --threads 8 --device $d --json
done
echo; echo "results in $out"
