#pragma once

// Optimal-transport dataset distance (OTDD; Alvarez-Melis & Fusi, NeurIPS 2020), as used by
// supernet transfer (Singh & Vanschoren 2024) to pick the nearest source dataset.
//
// A labelled dataset is a distribution over pairs z = (phi(x), y). The ground cost between pairs
//   c((x,y),(x',y')) = lambdaX * 0.5 * ||phi(x) - phi(x')||^2 + lambdaY * W(a_y, a_y') / p,  p = 2
// where a_y is the class-conditional distribution of phi(x) and W the label-to-label distance
// (exact: entropic OT between the class samples, cost ||dphi||^2, not debiased; gaussian:
// squared Bures-Wasserstein between per-class Gaussians). The dataset distance is the debiased
// Sinkhorn divergence S(A,B) = OT(A,B) - OT(A,A)/2 - OT(B,B)/2, OT the entropic transport cost
// taken as the dual objective <a,f> + <b,g> (- eps * (plan mass - 1)), which equals
// <P,C> + eps * KL(P | a x b) at the optimum (the geomloss/OTDD convention; S(A,A) = 0).
// Every value type here is torch-free; the engine lives in core/src/ot.

#include "wb/common/run_control.h"
#include "wb/common/run_types.h"
#include "wb/data/dataset.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace wb::ot {

enum class InnerMethod { Exact, Gaussian };
std::string innerMethodName(InnerMethod method);
// "exact" or "gaussian"; throws wb::Error otherwise.
InnerMethod parseInnerMethod(const std::string& text);

// The feature map phi. Parsed from "pixels", "torchscript:FILE" or "supernet:RUN_OR_CHECKPOINT";
// the supernet fields are filled in by whoever resolves the run (the CLI, from the store).
struct EmbedderConfig {
    enum class Kind { Pixels, TorchScript, Supernet };
    Kind kind = Kind::Pixels;
    std::string source;      // the text after "torchscript:" / "supernet:"
    std::string modelPath;   // the file loaded (TorchScript model or supernet checkpoint)
    std::string modelSha256; // identity of that file in cache keys; filled by the engine
    int size = 0;            // resize images to size x size first (0 = native; supernet: its run's)
    int channels = 0;        // 0 = native, 1 = grey (channel mean), 3 = RGB (grey replicated)
    double range = 1.0;      // model input: pixels scaled to [0, range] (authors' ResNet: 255)
    std::vector<double> mean; // model input: per-channel (x - mean) / std after scaling
    std::vector<double> std;
    int batchSize = 16; // images per forward pass: small enough to stop within about a second
    // Supernet only: the network of the run (SearchConfig JSON), input channels and classes.
    std::string supernetConfigJson;
    int supernetInChannels = 0;
    int supernetClasses = 0;

    static EmbedderConfig parse(const std::string& text); // throws wb::Error
    std::string name() const; // "pixels", "torchscript:FILE", "supernet:ID"
    // Everything that changes the features, as compact JSON (file content by its SHA-256).
    std::string key() const;
    void validate() const;
    // Fills modelSha256 from modelPath when empty (throws wb::Error when it cannot be read).
    void identify();
};

// A PCA basis shared by every distance of one matrix or one source ranking, fitted on the pooled
// samples of all its datasets: the distances are then measured in one space (a basis per pair
// would measure each pair in a space of its own).
struct PcaBasis {
    std::string id; // SHA-256 of the dimensions, mean and components: part of the cache key
    int inputDim = 0, outputDim = 0;
    std::vector<float> mean;       // inputDim
    std::vector<float> components; // inputDim x outputDim, row-major
};

// Settings of one dataset distance. Defaults are the paper authors' (method.md section 2),
// except `inner`, for which both are offered.
struct DistanceConfig {
    EmbedderConfig embedder;
    // PCA to D dimensions (0 = off): with `pcaBasis` that shared basis (D = its outputDim),
    // otherwise one fitted on the pair's pooled samples.
    int embedDim = 0;
    std::shared_ptr<const PcaBasis> pcaBasis;
    InnerMethod inner = InnerMethod::Exact;
    int maxSamples = 1000;    // per side, drawn with the seed (authors: 1000); 0 = all
    double entreg = 0.1;      // eps of the outer problem (authors: 0.1)
    double innerEntreg = 0.1; // eps of the exact label-to-label OT (authors: 0.1)
    double lambdaX = 1.0;
    double lambdaY = 1.0;
    double tolerance = 1e-3;   // stop when the L1 marginal error (plan mass 1) is below
    int maxIterations = 2000;  // Sinkhorn iterations at the target eps, after annealing
    // The same for each exact label-to-label problem. These are small (classes against classes),
    // so iterations are cheap, and those between equal-sized classes have near-permutation plans
    // that Newton cannot finish: on the offline suite they take 2,000-8,000 sweeps.
    int innerMaxIterations = 10000;
    double annealFactor = 0.5; // eps_{k+1} = max(eps, factor * eps_k) from the cost diameter
    // omega of the over-relaxed updates at the target eps (1 = plain Sinkhorn); 1.8 takes about
    // 5x fewer iterations on Fashion-MNIST subsets for the same value. Convergence is always
    // confirmed on an exact (f, g = T(f)) pair.
    double overRelaxation = 1.8;
    bool debiased = true;
    bool float64 = false; // Sinkhorn in double (tests); float32 tiles otherwise
    std::uint64_t seed = 0;
    // Not part of the result (excluded from cacheKeyJson):
    int threads = 0;                // LibTorch intra-op threads; 0 = leave as is
    // "cpu", "cuda" or "cuda:N": where the embedder runs and the dataset-level OT problems
    // are solved. The label-to-label problems stay on the CPU: thousands of small problems,
    // which the CPU kernels solve faster than a GPU's per-iteration launches would.
    std::string device = "cpu";
    int tileRows = 1024;            // rows of the n x m cost computed at a time
    std::int64_t costCacheMb = 512; // cost tiles kept between iterations (MB); beyond: recompute

    void validate() const; // throws wb::Error naming the field
    std::string toJson() const;
    // Every setting that changes the value (embedder included), canonical JSON: the cache key.
    std::string cacheKeyJson() const;
};

// A dataset and the name it is shown under. The dataset must be fingerprinted (loadDataset does).
struct DatasetRef {
    std::string name;
    std::shared_ptr<const data::Dataset> data;
};

// Embedded points with labels: what both OT levels run on. Row-major n x dim.
struct LabelledFeatures {
    std::string name;
    int dim = 0;
    std::vector<float> x;
    std::vector<int> labels; // in [0, classNames.size())
    std::vector<std::string> classNames;
    std::size_t count() const { return labels.size(); }
};

// One entropic OT problem as solved.
struct OtProblemStats {
    double cost = 0;          // dual objective
    int iterations = 0;       // annealing steps + iterations at the target eps
    double marginalError = 0; // L1, the plan has mass 1
    bool converged = false;
};

struct DistanceResult {
    RunStatus status = RunStatus::Failed;
    std::string error;
    std::string nameA, nameB; // A = source, B = target
    std::string fingerprintA, fingerprintB;
    double value = 0; // S(A,B) (or OT(A,B) when not debiased)
    // Of OT(A,B): what "iterations" and "marginal error" mean in reports.
    int iterations = 0;
    double marginalError = 0;
    bool converged = false;
    OtProblemStats ab, aa, bb;
    int samplesA = 0, samplesB = 0;
    int dim = 0; // feature dimension the OT ran on (after PCA)
    // Label-to-label distances W over the classes of both datasets, source classes first:
    // (sourceClasses + targetClasses)^2, row-major.
    std::vector<std::string> sourceClasses, targetClasses;
    std::vector<float> labelDistances;
    int labelPairsNotConverged = 0; // exact inner problems that hit their iteration cap
    // Transport mass between classes, targetClasses x sourceClasses, row-major, summing to 1:
    // which source classes each target class is carried to.
    std::vector<float> coupling;
    std::vector<Issue> issues;
    double seconds = 0;

    std::string toJson() const; // everything above
    // The reduced "details": label distances and coupling with class names.
    std::string detailsJson() const;
};

// Progress and problems of a distance computation, on the calling thread. Cheap, non-blocking.
class OtObserver {
public:
    virtual ~OtObserver() = default;
    // stage: "embed A", "labels", "OT(A,B)", "OT(A,A)", "OT(B,B)"; fraction in [0, 1].
    virtual void onProgress(const std::string& stage, double fraction) {}
    virtual void onIssue(const Issue& issue) {}
};

// Embeddings computed once per (dataset fingerprint, embedder key) and reused: in memory for
// the object's lifetime and, when a directory is given, as files
// <directory>/<fingerprint>-<embedder hash>.pt holding the rows computed so far. Pixel
// embeddings are never written (recomputing them is cheaper than reading). One thread at a time.
// A mirror shares those files beyond the folder (a server workspace's database, so workers on
// other machines reuse each other's embeddings): fetch(name, file) writes the shared copy of
// entry file `name` to `file` and says whether there was one; store(name, file) shares a file
// just written. Neither may make a distance fail: their errors are ignored.
struct EmbeddingMirror {
    std::function<bool(const std::string& name, const std::string& file)> fetch;
    std::function<void(const std::string& name, const std::string& file)> store;
};

class EmbeddingCache {
public:
    explicit EmbeddingCache(std::string directory = {}, EmbeddingMirror mirror = {});
    ~EmbeddingCache();
    EmbeddingCache(const EmbeddingCache&) = delete;
    EmbeddingCache& operator=(const EmbeddingCache&) = delete;
    const std::string& directory() const;
    int hits() const; // lookups answered without running the embedder
    struct Impl;
    Impl& impl();

private:
    std::unique_ptr<Impl> m_impl;
};

// The dataset distance between a (source) and b (target). Synchronous; never throws: bad input
// (corrupt or empty datasets, one class, mismatched image sizes under `pixels`, a TorchScript file
// that is not a model or gives the wrong rank) ends as status Failed with a message naming the
// dataset or file; a stop request ends as Cancelled within about a second.
DistanceResult computeDistance(const DatasetRef& a, const DatasetRef& b,
                               const DistanceConfig& config, RunControl& control,
                               OtObserver& observer, EmbeddingCache* cache = nullptr);

// The shared basis of a distance matrix or source ranking: PCA to config.embedDim dimensions of
// the samples (config's embedder, maxSamples and seed, so the same points the distances use) of
// every dataset, pooled. Null when embedDim is 0 or not below the feature dimension. Throws
// wb::Error naming the dataset or embedder that fails; a stop request returns null.
std::shared_ptr<const PcaBasis> fitPcaBasis(const std::vector<DatasetRef>& datasets,
                                            const DistanceConfig& config, RunControl& control,
                                            EmbeddingCache* cache = nullptr);

// The same on already embedded points (the embedder, sampling and PCA settings are ignored:
// every point is used). For benchmarks, tests and callers with their own features.
DistanceResult computeFeatureDistance(const LabelledFeatures& a, const LabelledFeatures& b,
                                      const DistanceConfig& config, RunControl& control,
                                      OtObserver& observer);

} // namespace wb::ot
