#include "darts/dirichlet.h"

namespace wb::darts {
namespace {

// Forward: a draw from ATen's Dirichlet sampler. Backward: for x ~ Dir(c), dx_i/dc_j holding the
// Gamma CDFs fixed. ATen's _dirichlet_grad gives the per-coordinate term for each c_i; the
// projection keeps the sample on the simplex (its coordinates sum to 1).
class DirichletSample : public torch::autograd::Function<DirichletSample> {
public:
    static torch::Tensor forward(torch::autograd::AutogradContext* ctx,
                                 const torch::Tensor& concentration)
    {
        auto x = at::_sample_dirichlet(concentration);
        ctx->save_for_backward({x, concentration});
        return x;
    }

    static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::tensor_list grads)
    {
        const auto saved = ctx->get_saved_variables();
        const auto& x = saved[0];
        const auto& c = saved[1];
        const auto& g = grads[0];
        const auto total = c.sum(-1, true).expand_as(c);
        const auto dxdc = at::_dirichlet_grad(x, c, total);
        return {dxdc * (g - (x * g).sum(-1, true))};
    }
};

} // namespace

torch::Tensor dirichletConcentration(const torch::Tensor& alpha)
{
    return torch::elu(alpha) + 1;
}

torch::Tensor sampleDirichlet(const torch::Tensor& concentration)
{
    return DirichletSample::apply(concentration);
}

torch::Tensor dirichletMean(const torch::Tensor& concentration)
{
    return concentration / concentration.sum(-1, true);
}

torch::Tensor dirichletKl(const torch::Tensor& p, const torch::Tensor& q)
{
    const auto sp = p.sum(-1);
    return torch::lgamma(sp) - torch::lgamma(p).sum(-1) - torch::lgamma(q.sum(-1)) +
           torch::lgamma(q).sum(-1) +
           ((p - q) * (torch::digamma(p) - torch::digamma(sp).unsqueeze(-1))).sum(-1);
}

} // namespace wb::darts
