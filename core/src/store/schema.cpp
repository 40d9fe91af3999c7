#include "schema.h"

namespace wb::store {

// Times are Unix seconds (REAL, UTC). Metric columns are nullable because SQLite stores NaN as
// NULL (and the PostgreSQL backend does the same); readers turn NULL back into NaN. Alpha matrices
// are little-endian float32 BLOBs (edges x ops, row-major), genotypes the JSON form of
// Genotype::toJson().
static const char* const kSchema1 = R"sql(
CREATE TABLE datasets (
    fingerprint TEXT PRIMARY KEY,
    path TEXT NOT NULL,
    format TEXT NOT NULL,
    class_names TEXT NOT NULL,
    class_counts TEXT NOT NULL,
    recorded_at REAL NOT NULL
);

CREATE TABLE runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    status TEXT NOT NULL
        CHECK (status IN ('running', 'done', 'cancelled', 'failed', 'interrupted')),
    config TEXT NOT NULL,
    seed INTEGER NOT NULL,
    dataset_path TEXT NOT NULL,
    dataset_fingerprint TEXT REFERENCES datasets (fingerprint),
    channels INTEGER,
    image_size INTEGER,
    train_images INTEGER,
    val_images INTEGER,
    test_images INTEGER,
    directory TEXT NOT NULL,
    app_version TEXT NOT NULL,
    library_versions TEXT NOT NULL,
    sqlite_version TEXT NOT NULL,
    host TEXT NOT NULL,
    pid INTEGER NOT NULL,
    started_at REAL NOT NULL,
    heartbeat_at REAL NOT NULL,
    finished_at REAL,
    error TEXT NOT NULL DEFAULT ''
);
CREATE INDEX runs_status ON runs (status);
CREATE INDEX runs_dataset ON runs (dataset_fingerprint);

CREATE TABLE epochs (
    run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    epoch INTEGER NOT NULL,
    train_loss REAL,
    train_acc REAL,
    val_loss REAL,
    val_acc REAL,
    lr REAL,
    seconds REAL,
    PRIMARY KEY (run_id, epoch)
) WITHOUT ROWID;

CREATE TABLE steps (
    run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    epoch INTEGER NOT NULL,
    step INTEGER NOT NULL,
    steps_per_epoch INTEGER NOT NULL,
    train_loss REAL,
    train_acc REAL,
    alpha_loss REAL,
    lr REAL,
    seconds REAL,
    PRIMARY KEY (run_id, epoch, step)
) WITHOUT ROWID;

CREATE TABLE alphas (
    run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    epoch INTEGER NOT NULL,
    edges INTEGER NOT NULL,
    ops TEXT NOT NULL,
    normal BLOB NOT NULL,
    reduce BLOB NOT NULL,
    genotype TEXT NOT NULL,
    PRIMARY KEY (run_id, epoch)
);

CREATE TABLE collapse_signals (
    run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    epoch INTEGER NOT NULL,
    skip_normal INTEGER NOT NULL,
    skip_reduce INTEGER NOT NULL,
    param_free_normal REAL,
    param_free_reduce REAL,
    entropy_normal REAL,
    entropy_reduce REAL,
    PRIMARY KEY (run_id, epoch)
) WITHOUT ROWID;

CREATE TABLE issues (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    epoch INTEGER NOT NULL,
    severity TEXT NOT NULL CHECK (severity IN ('info', 'warning', 'error')),
    code TEXT NOT NULL,
    message TEXT NOT NULL,
    recorded_at REAL NOT NULL
);
CREATE INDEX issues_run ON issues (run_id);

CREATE TABLE checkpoints (
    run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('last', 'best')),
    epoch INTEGER NOT NULL,
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    val_acc REAL,
    recorded_at REAL NOT NULL,
    PRIMARY KEY (run_id, kind)
);
CREATE INDEX checkpoints_path ON checkpoints (path);
)sql";

// Version 2: the dataset distance cache (OTDD). One row per unordered pair of dataset
// fingerprints (stored in ascending order) and set of OT settings: `embedder` is the embedder's
// key JSON (model files by SHA-256), `settings` every setting that changes the value, canonical
// JSON (the embedder included). `details` holds the label distances and class coupling, oriented
// fingerprint_a = source, fingerprint_b = target.
static const char* const kSchema2 = R"sql(
CREATE TABLE distances (
    fingerprint_a TEXT NOT NULL,
    fingerprint_b TEXT NOT NULL,
    embedder TEXT NOT NULL,
    settings TEXT NOT NULL,
    value REAL,
    iterations INTEGER NOT NULL,
    marginal_error REAL,
    converged INTEGER NOT NULL,
    details TEXT NOT NULL,
    created_at REAL NOT NULL,
    PRIMARY KEY (fingerprint_a, fingerprint_b, embedder, settings),
    CHECK (fingerprint_a <= fingerprint_b)
);
CREATE INDEX distances_b ON distances (fingerprint_b);
)sql";

// Version 3: supernet transfer. `zoo` entries point at a finished search run's last checkpoint
// (no cascade: a run in the zoo cannot be deleted); `sources` is a JSON array of the datasets it
// was searched on (several for a multi-dataset supernet). `transfers` links a warm-started run
// to its source and the ranking that chose it; `experiments` and `experiment_cells` group the
// runs of a paired experiment (one cell per target x seed x arm).
static const char* const kSchema3 = R"sql(
CREATE TABLE zoo (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    run_id INTEGER NOT NULL REFERENCES runs (id),
    created_at REAL NOT NULL,
    sources TEXT NOT NULL,
    search_config TEXT NOT NULL,
    checkpoint TEXT NOT NULL,
    checkpoint_sha256 TEXT NOT NULL,
    val_acc REAL
);
CREATE INDEX zoo_run ON zoo (run_id);

CREATE TABLE transfers (
    run_id INTEGER PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
    zoo_id INTEGER REFERENCES zoo (id) ON DELETE SET NULL,
    zoo_name TEXT NOT NULL,
    mode TEXT NOT NULL CHECK (mode IN ('auto', 'random', 'id')),
    distance REAL,
    ranking TEXT NOT NULL
);

CREATE TABLE experiments (
    id INTEGER PRIMARY KEY,
    created_at REAL NOT NULL,
    spec TEXT NOT NULL,
    status TEXT NOT NULL,
    out_dir TEXT NOT NULL
);

CREATE TABLE experiment_cells (
    experiment_id INTEGER NOT NULL REFERENCES experiments (id) ON DELETE CASCADE,
    target TEXT NOT NULL,
    seed INTEGER NOT NULL,
    arm TEXT NOT NULL,
    status TEXT NOT NULL,
    search_run_id INTEGER REFERENCES runs (id) ON DELETE SET NULL,
    train_run_id INTEGER REFERENCES runs (id) ON DELETE SET NULL,
    zoo_id INTEGER REFERENCES zoo (id) ON DELETE SET NULL,
    source TEXT NOT NULL,
    distance REAL,
    test_acc REAL,
    seconds REAL NOT NULL,
    error TEXT NOT NULL,
    PRIMARY KEY (experiment_id, target, seed, arm)
);
)sql";

// Version 4: exact label distances move to the full squared cost ||dphi||^2 (they were half the
// reference library's). Cached exact distances of the halved cost are dropped, so they are
// recomputed on the next request; their settings lack `exact_label_cost`. Gaussian entries stay.
static const char* const kSchema4 = R"sql(
DELETE FROM distances
WHERE json_extract(settings, '$.inner') = 'exact'
  AND json_extract(settings, '$.exact_label_cost') IS NULL;
)sql";

// Version 5: the job queue that workers on many machines share. A job is a command recorded to
// run later (`spec`: its kind's JSON); `attempt` counts its claims and is the token every write
// of the claiming worker carries (a worker whose lease was taken over is fenced out);
// `failures` counts failed attempts (lease expiries included) against `max_attempts`, and
// `errors` keeps each one (a JSON array). `wait_for` is a JSON array of job ids that must be
// done first. `workers` is what each worker last said about itself. On a PostgreSQL workspace
// `run_files` keeps a copy of each checkpoint a run references (by file name, in the chunks of
// `run_file_chunks`), so a worker on another machine can resume from it.
static const char* const kSchema5 = R"sql(
CREATE TABLE jobs (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    spec TEXT NOT NULL,
    device TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed', 'cancelled')),
    wait_for TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    failures INTEGER NOT NULL,
    max_attempts INTEGER NOT NULL,
    worker TEXT NOT NULL,
    lease_until REAL,
    run_id INTEGER REFERENCES runs (id) ON DELETE SET NULL,
    experiment_id INTEGER REFERENCES experiments (id) ON DELETE CASCADE,
    progress REAL,
    errors TEXT NOT NULL,
    created_at REAL NOT NULL,
    started_at REAL,
    finished_at REAL
);
CREATE INDEX jobs_state ON jobs (state);

CREATE TABLE run_files (
    run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    stored_at REAL NOT NULL,
    PRIMARY KEY (run_id, name)
);

CREATE TABLE run_file_chunks (
    run_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    chunk INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (run_id, name, chunk),
    FOREIGN KEY (run_id, name) REFERENCES run_files (run_id, name) ON DELETE CASCADE
) WITHOUT ROWID;

CREATE TABLE workers (
    name TEXT PRIMARY KEY,
    host TEXT NOT NULL,
    pid INTEGER NOT NULL,
    device TEXT NOT NULL,
    state TEXT NOT NULL,
    job_id INTEGER,
    started_at REAL NOT NULL,
    heartbeat_at REAL NOT NULL
);
)sql";

// Version 6: PC-DARTS' edge weights (softmax of beta within each node) beside the op weights of
// each epoch, NULL for variants without edge normalisation; whether the architecture has decided
// (the chosen edges' top-two margins) and the dominant eigenvalue of the validation loss' Hessian
// w.r.t. the architecture (DARTS-ES) with its cost, NULL in epochs recorded before.
static const char* const kSchema6 = R"sql(
ALTER TABLE alphas ADD COLUMN edge_normal BLOB;
ALTER TABLE alphas ADD COLUMN edge_reduce BLOB;
ALTER TABLE collapse_signals ADD COLUMN margin_normal REAL;
ALTER TABLE collapse_signals ADD COLUMN margin_reduce REAL;
ALTER TABLE collapse_signals ADD COLUMN undecided_normal INTEGER;
ALTER TABLE collapse_signals ADD COLUMN undecided_reduce INTEGER;
ALTER TABLE collapse_signals ADD COLUMN hessian_eigenvalue REAL;
ALTER TABLE collapse_signals ADD COLUMN hessian_seconds REAL;
)sql";

// Version 7: a trained network's test result (measured once, after its last epoch); the user's
// note and tags per run; and the run's role, which tells pretrainings and warm-started searches
// apart from plain searches (all of kind 'search'), backfilled from the zoo and transfer links.
static const char* const kSchema7 = R"sql(
ALTER TABLE runs ADD COLUMN test_loss REAL;
ALTER TABLE runs ADD COLUMN test_acc REAL;
ALTER TABLE runs ADD COLUMN parameters INTEGER;
ALTER TABLE runs ADD COLUMN note TEXT NOT NULL DEFAULT '';
ALTER TABLE runs ADD COLUMN role TEXT NOT NULL DEFAULT '';
UPDATE runs SET role = 'transfer' WHERE id IN (SELECT run_id FROM transfers);
UPDATE runs SET role = 'pretrain' WHERE role = '' AND id IN (SELECT run_id FROM zoo);
CREATE TABLE run_tags (
    run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    tag TEXT NOT NULL,
    PRIMARY KEY (run_id, tag)
);
CREATE INDEX run_tags_tag ON run_tags (tag);
)sql";

// Version 8: files shared by name through a server workspace (the entries of the embedding
// cache, so workers on other machines reuse each other's embeddings), in chunks like run_files.
// A queued experiment's status now follows its cell jobs; those queued before stayed 'running'
// when their last cell ended, so they are settled once here, by the same rule.
static const char* const kSchema8 = R"sql(
CREATE TABLE cache_files (
    name TEXT PRIMARY KEY,
    sha256 TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    stored_at REAL NOT NULL
);

CREATE TABLE cache_file_chunks (
    name TEXT NOT NULL REFERENCES cache_files (name) ON DELETE CASCADE,
    chunk INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (name, chunk)
) WITHOUT ROWID;

UPDATE experiments SET status = CASE
    WHEN EXISTS (SELECT 1 FROM jobs j WHERE j.experiment_id = experiments.id
                 AND j.state IN ('queued', 'running')) THEN 'running'
    WHEN EXISTS (SELECT 1 FROM jobs j WHERE j.experiment_id = experiments.id
                 AND j.state = 'done') THEN 'done'
    WHEN EXISTS (SELECT 1 FROM jobs j WHERE j.experiment_id = experiments.id
                 AND j.state = 'failed') THEN 'failed'
    ELSE 'cancelled' END
WHERE status = 'running' AND EXISTS (SELECT 1 FROM jobs j WHERE j.experiment_id = experiments.id);
)sql";

const std::vector<Migration>& migrations()
{
    static const std::vector<Migration> list = {{1, kSchema1}, {2, kSchema2}, {3, kSchema3},
                                                {4, kSchema4}, {5, kSchema5}, {6, kSchema6},
                                                {7, kSchema7}, {8, kSchema8}};
    return list;
}

} // namespace wb::store
