#include "ot/pca.h"

namespace wb::ot {
namespace {

constexpr std::int64_t kDenseLimit = 4096; // largest d for the d x d eigen-decomposition
constexpr std::int64_t kOversample = 10;   // extra random directions (Halko et al.)
constexpr int kPowerIterations = 4;

} // namespace

std::pair<torch::Tensor, torch::Tensor> pcaFit(const torch::Tensor& x, std::int64_t dim,
                                               std::uint64_t seed)
{
    torch::NoGradGuard noGrad;
    const auto d = x.size(1);
    const auto z = x.to(torch::kFloat64);
    const auto mean = z.mean(0);
    const auto centred = z - mean;
    torch::Tensor basis; // d x dim
    if (d <= kDenseLimit) {
        const auto cov = centred.t().mm(centred);
        auto [values, vectors] = torch::linalg_eigh(cov, "L"); // ascending
        basis = vectors.slice(1, d - dim, d).flip({1});
    } else {
        auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
        auto q = torch::randn({d, std::min(d, dim + kOversample)}, gen,
                              torch::TensorOptions().dtype(torch::kFloat64));
        q = std::get<0>(torch::linalg_qr(centred.t().mm(centred.mm(q))));
        for (int i = 0; i < kPowerIterations; ++i)
            q = std::get<0>(torch::linalg_qr(centred.t().mm(centred.mm(q))));
        // Rayleigh-Ritz on the found subspace.
        const auto small = q.t().mm(centred.t().mm(centred.mm(q)));
        auto [values, vectors] = torch::linalg_eigh(small, "L");
        const auto k = vectors.size(1);
        basis = q.mm(vectors.slice(1, k - dim, k).flip({1}));
    }
    return {mean, basis};
}

torch::Tensor pcaProject(const torch::Tensor& x, std::int64_t dim, std::uint64_t seed)
{
    torch::NoGradGuard noGrad;
    if (dim <= 0 || dim >= x.size(1)) return x;
    const auto [mean, basis] = pcaFit(x, dim, seed);
    return (x.to(torch::kFloat64) - mean).mm(basis).to(x.scalar_type());
}

} // namespace wb::ot
