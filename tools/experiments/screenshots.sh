#!/usr/bin/env bash
# The README's workbench screenshots, made with `supernet-workbench --screenshot` (offscreen)
# from a workspace with a finished experiment (tools/experiments/demo_workspace.sh).
#
# usage: tools/experiments/screenshots.sh SUITE_DIR DB [OUT_DIR]   (OUT_DIR: resources/screenshots)
set -euo pipefail
suite=${1:?suite folder}
db=${2:?database file}
out=${3:-resources/screenshots}
gui=${WORKBENCH:-build/app/gui/supernet-workbench}
export QT_QPA_PLATFORM=offscreen
mkdir -p "$out"

# Run ids of the newest experiment's seed-0 cells, by arm (read-only query).
ids=$(python3 - "$db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
(exp,) = db.execute("SELECT MAX(id) FROM experiments").fetchone()
cells = dict(db.execute("SELECT arm, search_run_id FROM experiment_cells "
                        "WHERE experiment_id = ? AND seed = 0", (exp,)).fetchall())
print(exp, cells["scratch"], cells["ot"])
PY
)
read -r experiment scratch warm <<< "$ids"
echo "experiment $experiment: scratch run $scratch, ot run $warm"

shot() { "$gui" --db "$db" --screenshot "$out/$1" "${@:2}"; echo "wrote $out/$1"; }
shot run-view.png --view run --open-run "$warm"
shot run-view-dark.png --view run --open-run "$warm" --dark
shot datasets-view.png --view datasets --datasets "$suite/KAN"
shot distance-view.png --view distance --datasets "$suite/FSH,$suite/GRK,$suite/CYR,$suite/KAN"
shot compare-view.png --view compare --compare "$scratch,$warm"
shot compare-experiment.png --view compare --experiment "$experiment"
