#!/usr/bin/env python3
"""Do small searches decide? Alpha settings compared on a Meta-Album-sized Fashion-MNIST subset.

Each setting searches with three seeds (`supernet search`, recorded in a study workspace) and
reports, per seed: the normal cell's mean top-two margin per epoch (units of the uniform weight
1/#ops, from `runs show --json`), the undecided and collapse signals, and the genotype. Then:
how many seeds share a genotype (`supernet genotype diff`, isomorphism-aware), and how many of the
normal cell's 8 edges differ between two seeds (mean over pairs), and each genotype retrained from
scratch (`supernet train`, same data and schedule for all) with its test accuracy.

usage: tools/experiments/small_budget_defaults.py [--settings NAME=FLAGS ...] [--seeds 0 1 2]
       [--per-class N] [--no-retrain]
Environment: SUPERNET (binary, default build/app/supernet), FASHION_MNIST (dataset folder).
Standard library only. Prints a Markdown report on stdout; progress goes to stderr.
"""
import argparse
import itertools
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time

BIN = os.environ.get("SUPERNET", "build/app/supernet")
DATA = os.environ.get("FASHION_MNIST", "/usr/share/datasets/fashion-mnist")
# Meta-Album Micro holds 40 images per class over 20 classes (800); 80 per class of Fashion-MNIST's
# 10 gives the same 800 images, so 400 search-train images: 7 steps per epoch at batch 64.
DATA_FLAGS = ["--data", DATA, "--max-per-class", "80", "--image-size", "16", "--threads", "1"]
PER_CLASS = DATA_FLAGS.index("--max-per-class") + 1
SEARCH_FLAGS = ["--epochs", "10"]
TRAIN_FLAGS = ["--epochs", "10", "--seed", "0"]
COLLAPSE_CODES = {"collapse.skip", "collapse.param_free", "collapse.stopped"}
DEFAULT_SETTINGS = [
    "lr3e-4=--alpha-budget 0",
    "budget1=--alpha-budget 1",
    "budget3=--alpha-budget 3",
    "budget3+warmup3=--alpha-budget 3 --warmup-epochs 3",
]


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def run_json(args):
    out = subprocess.run([BIN, *args, "--json"], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def search(db, flags, seed):
    start = time.time()
    defaults = [] if "--epochs" in flags else SEARCH_FLAGS
    r = run_json(["search", *DATA_FLAGS, *defaults, *flags, "--seed", str(seed), "--db", db])
    shown = run_json(["runs", "show", str(r["run_id"]), "--db", db])
    return {
        "seed": seed,
        "run_id": r["run_id"],
        "seconds": time.time() - start,
        "genotype": r["genotype"],
        "genotype_json": r["genotype_json"],
        "signals": r["signals"],
        "val_acc": r["epoch_metrics"][-1]["val_acc"],
        "margins": [s["margin_normal"] for s in shown["signals"]],
        "undecided": any(i["code"] == "architecture.undecided" for i in r["issues"]),
        "collapse": sorted({i["code"] for i in r["issues"] if i["code"] in COLLAPSE_CODES}),
    }


def same(a, b):
    return subprocess.run([BIN, "genotype", "diff", a, b], capture_output=True).returncode == 0


def differing_edges(a, b):
    """Edges of A's normal cell with no match in B under the best relabelling (0 = equal cells).
    Each difference reads 'node k: op(input) [+ op(input)] in A, ... in B'."""
    out = subprocess.run([BIN, "genotype", "diff", a, b, "--json"], capture_output=True, text=True)
    return sum(len(d.split(": ", 1)[1].split(" in A")[0].split(" + "))
               for d in json.loads(out.stdout)["normal"]["differences"])


def largest_agreeing(runs):
    """Size of the largest group of seeds with one genotype (up to isomorphism)."""
    for size in range(len(runs), 1, -1):
        for group in itertools.combinations(runs, size):
            if all(same(x["genotype"], y["genotype"]) for x, y in itertools.combinations(group, 2)):
                return size
    return 1


def retrain(genotype_json, folder):
    path = os.path.join(folder, "genotype.json")
    with open(path, "w") as f:
        json.dump(genotype_json, f)
    r = run_json(["train", *DATA_FLAGS, *TRAIN_FLAGS, "--genotype", path, "--no-store"])
    return r["test_acc"]


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--settings", nargs="+", default=DEFAULT_SETTINGS,
                   help="NAME=FLAGS: search flags of each setting")
    p.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    p.add_argument("--no-retrain", action="store_true")
    p.add_argument("--per-class", type=int, default=80,
                   help="images per class (80: Meta-Album Micro's 800 images)")
    args = p.parse_args()
    DATA_FLAGS[PER_CLASS] = str(args.per_class)
    rows, margins, summary = [], [], []
    with tempfile.TemporaryDirectory() as folder:
        db = os.path.join(folder, "study.sqlite")
        for setting in args.settings:
            name, _, flags = setting.partition("=")
            runs = []
            for seed in args.seeds:
                log(f"search {name} seed {seed}")
                run = search(db, shlex.split(flags), seed)
                if not args.no_retrain:
                    log(f"retrain {name} seed {seed}")
                    run["test_acc"] = retrain(run["genotype_json"], folder)
                runs.append(run)
                s = run["signals"]
                test = f"{run['test_acc']:.3f}" if "test_acc" in run else "-"
                rows.append(f"| {name} | {seed} | {run['val_acc']:.3f} | {s['margin_normal']:.2f} | "
                            f"{s['undecided_normal']} | {s['skip_normal']} | "
                            f"{s['param_free_normal']:.3f} | {'yes' if run['undecided'] else 'no'} | "
                            f"{', '.join(run['collapse']) or '-'} | {test} | {run['seconds']:.0f} | "
                            f"`{run['genotype']}` |")
                margins.append(f"| {name} | {seed} | " +
                               " ".join(f"{m:.2f}" for m in run["margins"]) + " |")
            agree = largest_agreeing(runs)
            pairs = list(itertools.combinations(runs, 2))
            apart = sum(differing_edges(x["genotype"], y["genotype"]) for x, y in pairs)
            apart = f"{apart / len(pairs):.1f}" if pairs else "-"
            accs = [r["test_acc"] for r in runs if "test_acc" in r]
            mean = f"{sum(accs) / len(accs):.3f}" if accs else "-"
            summary.append(f"| {name} | `{flags or '(defaults)'}` | {agree} of {len(runs)} | {apart} | "
                           f"{sum(r['undecided'] for r in runs)} | "
                           f"{sum(bool(r['collapse']) for r in runs)} | {mean} |")
    print("## Settings\n")
    print("| setting | flags | same genotype | normal-cell edges apart (of 8) | undecided | "
          "collapse warnings | mean test acc |")
    print("|---|---|---|---|---|---|---|")
    print("\n".join(summary))
    print("\n## Runs\n")
    print("| setting | seed | search val acc | margin (normal) | undecided edges | skips | "
          "param-free mass | undecided | collapse | retrained test acc | search s | genotype |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    print("\n## Normal-cell margin after each epoch (units of 1/#ops)\n")
    print("| setting | seed | epochs 1.. |")
    print("|---|---|---|")
    print("\n".join(margins))


if __name__ == "__main__":
    main()
