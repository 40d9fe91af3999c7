#include "darts/hessian.h"

#include <ATen/CPUGeneratorImpl.h>

#include <cmath>

namespace wb::darts {
namespace {

double dot(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b)
{
    double sum = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
        sum += (a[i] * b[i]).sum().item<double>();
    return sum;
}

} // namespace

HessianEstimate dominantHessianEigenvalue(Supernet& net, const Batch& val, int maxIterations,
                                          std::uint64_t seed, double tolerance)
{
    HessianEstimate estimate;
    const auto params = net->alphas();
    // The forward pass in training mode would move BN's running statistics: they are put back.
    std::vector<torch::Tensor> buffers, saved;
    for (const auto& b : net->buffers()) {
        buffers.push_back(b);
        saved.push_back(b.detach().clone());
    }
    // DrNAS: at the Dirichlet mean (the sampler has no second derivative, and one draw would
    // make the curvature that of a random architecture).
    net->setDirichletSampling(false);
    const auto loss = torch::nn::functional::cross_entropy(net->forward(val.x), val.y);
    net->setDirichletSampling(true);
    // create_graph: the gradient is differentiated again for every product.
    auto grads = torch::autograd::grad({loss}, params, {}, /*retain_graph=*/true,
                                       /*create_graph=*/true, /*allow_unused=*/true);
    for (std::size_t i = 0; i < grads.size(); ++i)
        if (!grads[i].defined()) grads[i] = torch::zeros_like(params[i], torch::requires_grad());

    auto generator = at::detail::createCPUGenerator(seed);
    std::vector<torch::Tensor> v;
    for (const auto& p : params)
        v.push_back(torch::randn(p.sizes(), generator, torch::TensorOptions().dtype(p.dtype()))
                        .to(p.device()));
    double norm = std::sqrt(dot(v, v));
    for (auto& t : v)
        t = t / norm;

    for (int it = 0; it < maxIterations; ++it) {
        torch::Tensor gv = torch::zeros({}, params.front().options().requires_grad(false));
        for (std::size_t i = 0; i < params.size(); ++i)
            gv = gv + (grads[i] * v[i]).sum();
        auto hv = torch::autograd::grad({gv}, params, {}, /*retain_graph=*/true, false, true);
        for (std::size_t i = 0; i < hv.size(); ++i)
            if (!hv[i].defined()) hv[i] = torch::zeros_like(params[i]);
        ++estimate.iterations;
        const double rayleigh = dot(v, hv); // v has unit norm
        norm = std::sqrt(dot(hv, hv));
        const bool settled =
            std::abs(rayleigh - estimate.eigenvalue) <= tolerance * std::abs(rayleigh);
        estimate.eigenvalue = rayleigh;
        if (!(norm > 0) || settled) break;
        for (std::size_t i = 0; i < v.size(); ++i)
            v[i] = hv[i].detach() / norm;
    }
    // Only now: the graph holds the buffers, and writing them earlier would invalidate it.
    torch::NoGradGuard noGrad;
    for (std::size_t i = 0; i < buffers.size(); ++i)
        buffers[i].copy_(saved[i]);
    return estimate;
}

} // namespace wb::darts
