#pragma once

// Fused log-sum-exp kernels of the Sinkhorn softmin over a row-major cost block, one pass that
// reads the block from memory (a second over the same cache-resident row or chunk), no
// temporaries. torch's logsumexp on an n x m block makes five passes and two n x m temporaries.
// Compiled on their own (no torch header) with vectorisation flags and an AVX2 clone picked at
// run time; rows / column blocks are split over at::parallel_for threads.

#include <cstdint>
#include <vector>

namespace wb::ot::kernels {

// out[i] = log sum_j exp(h[j] - s * C[i, j]) for i < rows (C: rows x cols, row-major).
void rowLogSumExp(const float* c, std::int64_t rows, std::int64_t cols, const float* h, float s,
                  double* out);
void rowLogSumExp(const double* c, std::int64_t rows, std::int64_t cols, const double* h, double s,
                  double* out);

// Column accumulation over a block of rows: with running maxima m[j] (start -inf) and sums
// sum[j] (start 0), after all blocks log sum_i exp(h[i] - s * C[i, j]) = m[j] + log(sum[j]).
void colLogSumExpAccumulate(const float* c, std::int64_t rows, std::int64_t cols, const float* h,
                            float s, float* m, float* sum);
void colLogSumExpAccumulate(const double* c, std::int64_t rows, std::int64_t cols, const double* h,
                            double s, double* m, double* sum);

// Rows of the plan with exact row sums, for Newton on the semi-dual: for each row i of a block,
// x_ij = h[j] - s * C[i, j], lse[i] = log sum_j exp(x_ij), pi_ij = exp(x_ij - lse[i]) (sums to
// 1), colSum[j] += weight[i] * pi_ij, and the pi_ij above `keep` appended to (index = column,
// value), rowEnd[i] = list size after row i. One thread.
void planRows(const float* c, std::int64_t rows, std::int64_t cols, const float* h, float s,
              const double* weight, float keep, double* lse, float* colSum,
              std::vector<std::int32_t>& index, std::vector<float>& value, std::int64_t* rowEnd);

// The entries of each row of a block that can matter to Newton on the semi-dual: with
// x_ij = h[j] - s * C[i, j], the columns with x_ij above (max_j x_ij) - window, appended with
// their costs to (index, cost) in column order; rowEnd[i] = list size after row i. One thread.
void rowCandidates(const float* c, std::int64_t rows, std::int64_t cols, const float* h, float s,
                   float window, std::vector<std::int32_t>& index, std::vector<float>& cost,
                   std::int64_t* rowEnd);
void rowCandidates(const double* c, std::int64_t rows, std::int64_t cols, const double* h, double s,
                   double window, std::vector<std::int32_t>& index, std::vector<double>& cost,
                   std::int64_t* rowEnd);

// x[k] = exp(x[k]) for k < n, to float precision (relative error about 2e-7).
void expInPlace(float* x, std::int64_t n);

} // namespace wb::ot::kernels
