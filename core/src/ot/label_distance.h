#pragma once

// Label-to-label distances W(a_y, a_y') between the class-conditional feature distributions of
// all labels of both datasets (within-dataset blocks included: the debiased divergence needs
// them). OTDD, Alvarez-Melis & Fusi 2020, section 3; method.md section 2.
//  - exact: entropic OT between the two classes' sample sets, cost ||x - x'||^2 (full, not
//    halved: the reference library's scale, on which the Gaussian value below is a lower bound up
//    to the entropic bias), uniform weights, eps = innerEntreg, not debiased (the dual objective,
//    see sinkhorn.h).
//  - gaussian: squared Bures-Wasserstein between Gaussians fitted per class,
//      ||mu - mu'||^2 + tr(S) + tr(S') - 2 tr((S^1/2 S' S^1/2)^1/2),
//    with unbiased covariances (n - 1). The cross term is computed from square-root factors
//    S = L L^T as ||L^T L'||_* (nuclear norm): L is the centred sample matrix / sqrt(n - 1)
//    (d x n) when a class has fewer samples than dimensions, else the symmetric square root from
//    an eigen-decomposition (d x d); ||M||_* = sum sqrt(eig(M^T M)) on the smaller side.

#include "ot/sinkhorn.h"

#include <torch/torch.h>

#include <functional>

namespace wb::ot {

struct LabelDistanceOptions {
    InnerMethod method = InnerMethod::Exact;
    SinkhornOptions sinkhorn; // exact only (eps = innerEntreg)
    torch::ScalarType dtype = torch::kFloat32;
    std::int64_t tileRows = 1024;
    std::int64_t cacheBytes = 0;
    // exact only: also return the squared distances between all points, which the class blocks
    // cover already (the dataset-level problems then need no products of their own).
    bool keepSquaredDistances = false;
};

struct LabelDistanceOutcome {
    torch::Tensor w;      // K x K double, symmetric
    int notConverged = 0; // exact problems that hit the iteration cap
    bool cancelled = false;
    // N x N ||x_i - x_j||^2 in the order of x (dtype), when asked for and every class was
    // computed (not when two classes hold the same samples); else undefined.
    torch::Tensor squared;
};

// x: N x d points, labels: int64 N in [0, classes); every class must have a sample (gaussian:
// two). progress(fraction) may block while paused; false = abandon. stop() is polled often.
LabelDistanceOutcome labelDistances(const torch::Tensor& x, const torch::Tensor& labels,
                                    std::int64_t classes, const LabelDistanceOptions& options,
                                    const SinkhornMonitor& monitor);

// Reference form for tests: squared Bures-Wasserstein from d x d eigen-decompositions.
double gaussianW2Eigen(const torch::Tensor& mu1, const torch::Tensor& cov1,
                       const torch::Tensor& mu2, const torch::Tensor& cov2);

} // namespace wb::ot
