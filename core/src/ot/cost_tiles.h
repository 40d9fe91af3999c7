#pragma once

// The ground cost of the OTDD problems, computed a block of rows at a time so the n x m matrix is
// never built at once unless it fits the cache budget:
//   C_ij = lambdaX * 0.5 * ||x_i - y_j||^2 + L[lx_i, ly_j]
// with L the label term (lambdaY * W / p, or absent), as 0.5|x|^2 + 0.5|y|^2 - x.y after
// centring both sets on their joint mean. In float32 the x.y products go through oneDNN's
// inner-product primitive (Debian's LibTorch has only the reference BLAS: 35x slower); the
// rounding error of a cost entry (about 1e-6 of the squared radius) moves the OT value by at
// most that much, since OT is 1-Lipschitz in the sup norm of the cost. Double precision (tests)
// stays on the BLAS, and so do points on a GPU (cuBLAS). Owned and used by one thread.

#include <torch/torch.h>

#include <cstdint>
#include <vector>

namespace wb::ot {

struct CostSpec {
    torch::Tensor x; // n x d
    torch::Tensor y; // m x d
    double lambdaX = 1.0;
    torch::Tensor labelsX;   // int64 n, rows of labelCost; undefined = no label term
    torch::Tensor labelsY;   // int64 m, columns of labelCost
    torch::Tensor labelCost; // Kx x Ky, already scaled by lambdaY / p
    // n x m ||x_i - y_j||^2 computed elsewhere (working dtype, device of the points); the tiles
    // then read it instead of multiplying the points. Undefined = from the points.
    torch::Tensor squared;
};

class CostTiles {
public:
    // tileRows: rows per tile; cacheBytes: tiles kept for later passes up to this many bytes.
    CostTiles(const CostSpec& spec, torch::ScalarType dtype, std::int64_t tileRows,
              std::int64_t cacheBytes);
    // A cost matrix computed elsewhere (float32 or float64), held as one tile.
    explicit CostTiles(const torch::Tensor& cost);

    std::int64_t rows() const { return m_n; }
    std::int64_t cols() const { return m_m; }
    std::int64_t tileCount() const { return std::int64_t(m_tiles.size()); }
    std::int64_t tileBegin(std::int64_t k) const { return k * m_tileRows; }
    std::int64_t tileEnd(std::int64_t k) const { return std::min(m_n, (k + 1) * m_tileRows); }
    torch::Tensor tile(std::int64_t k); // (tileEnd - tileBegin) x m, working dtype
    // An upper bound of every C_ij from the bounding boxes (geomloss' diameter estimate).
    double bound() const { return m_bound; }
    torch::ScalarType dtype() const { return m_dtype; }
    // Where the tiles live: that of the points (or of the given matrix).
    torch::Device device() const { return m_device; }

private:
    torch::Tensor compute(std::int64_t k) const;
    std::int64_t m_n = 0, m_m = 0, m_tileRows = 1;
    torch::ScalarType m_dtype;
    torch::Device m_device = torch::kCPU;
    double m_lambdaX = 1.0;
    torch::Tensor m_x, m_yT, m_halfX, m_halfY; // working dtype, centred
    torch::Tensor m_squared;                   // CostSpec::squared
    torch::Tensor m_yMkldnn;                   // y as a oneDNN weight (float32 only)
    torch::Tensor m_labelsX, m_labelRows;      // labelRows: Kx x m (label term per x label)
    std::vector<torch::Tensor> m_tiles;        // cached tiles (undefined = not kept)
    std::int64_t m_cacheBytesLeft = 0;
    double m_bound = 0;
};

} // namespace wb::ot
