#include "ot/cost_tiles.h"

#include <algorithm>
#include <cmath>

namespace wb::ot {

CostTiles::CostTiles(const CostSpec& spec, torch::ScalarType dtype, std::int64_t tileRows,
                     std::int64_t cacheBytes)
    : m_n(spec.x.size(0)), m_m(spec.y.size(0)), m_tileRows(std::max<std::int64_t>(1, tileRows)),
      m_dtype(dtype), m_device(spec.x.device()), m_lambdaX(spec.lambdaX),
      m_cacheBytesLeft(cacheBytes)
{
    torch::NoGradGuard noGrad;
    if (spec.squared.defined()) {
        m_squared = spec.squared.to(dtype);
    } else {
        // A common shift leaves every distance unchanged and keeps the norms small.
        const auto x = spec.x.to(torch::kFloat64), y = spec.y.to(torch::kFloat64);
        const auto shift = torch::cat({x, y}, 0).mean(0, true);
        const auto xc = x - shift, yc = y - shift;
        m_x = xc.to(dtype).contiguous();
        m_yT = yc.t().to(dtype).contiguous();
        m_halfX = xc.square().sum(1).mul_(0.5 * m_lambdaX).to(dtype);
        m_halfY = yc.square().sum(1).mul_(0.5 * m_lambdaX).to(dtype);
        if (dtype == torch::kFloat32 && m_device.is_cpu() && at::hasMKLDNN() && m_x.size(1) > 0)
            m_yMkldnn = yc.to(dtype).contiguous().to_mkldnn();
    }

    double labelMax = 0;
    if (spec.labelCost.defined()) {
        m_labelsX = spec.labelsX.to(torch::kInt64);
        m_labelRows =
            spec.labelCost.to(dtype).index_select(1, spec.labelsY.to(torch::kInt64)).contiguous();
        labelMax = spec.labelCost.numel() ? spec.labelCost.max().item<double>() : 0.0;
    }
    // Diameter of the joint bounding box: |x - y| never exceeds it.
    const auto all = torch::cat({spec.x, spec.y}, 0);
    const auto extent = std::get<0>(all.max(0)).to(torch::kFloat64) -
                        std::get<0>(all.min(0)).to(torch::kFloat64);
    const double diam2 = extent.square().sum().item<double>();
    m_bound = 0.5 * m_lambdaX * diam2 + std::max(0.0, labelMax);
    m_tiles.resize(std::size_t((m_n + m_tileRows - 1) / m_tileRows));
}

CostTiles::CostTiles(const torch::Tensor& cost)
    : m_n(cost.size(0)), m_m(cost.size(1)), m_tileRows(std::max<std::int64_t>(1, cost.size(0))),
      m_dtype(cost.scalar_type()), m_device(cost.device()), m_tiles{cost.contiguous()},
      m_bound(cost.numel() ? cost.max().item<double>() : 0.0)
{
}

torch::Tensor CostTiles::compute(std::int64_t k) const
{
    const auto i0 = tileBegin(k), i1 = tileEnd(k);
    torch::Tensor c;
    if (m_labelRows.defined())
        c = m_labelRows.index_select(0, m_labelsX.slice(0, i0, i1));
    else
        c = torch::zeros({i1 - i0, m_m}, torch::TensorOptions(m_dtype).device(m_device));
    if (m_squared.defined()) return c.add_(m_squared.slice(0, i0, i1), 0.5 * m_lambdaX);
    const auto xt = m_x.slice(0, i0, i1);
    c.add_(m_halfX.slice(0, i0, i1).unsqueeze(1)).add_(m_halfY.unsqueeze(0));
    if (m_yMkldnn.defined())
        c.sub_(at::mkldnn_linear(xt.contiguous().to_mkldnn(), m_yMkldnn, {}).to_dense(), m_lambdaX);
    else
        c.addmm_(xt, m_yT, 1.0, -m_lambdaX);
    // Rounding can leave -1e-7 where x_i == y_j; costs are never negative.
    return c.clamp_min_(0.0);
}

torch::Tensor CostTiles::tile(std::int64_t k)
{
    auto& cached = m_tiles[std::size_t(k)];
    if (cached.defined()) return cached;
    auto t = compute(k);
    const auto bytes = std::int64_t(t.numel()) * std::int64_t(t.element_size());
    if (bytes <= m_cacheBytesLeft) {
        m_cacheBytesLeft -= bytes;
        cached = t;
    }
    return t;
}

} // namespace wb::ot
