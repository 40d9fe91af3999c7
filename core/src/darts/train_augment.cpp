#include "darts/train_augment.h"

namespace wb::darts {

torch::Tensor cutout(const torch::Tensor& images, int length)
{
    const auto n = images.size(0), h = images.size(2), w = images.size(3);
    const auto opts = torch::TensorOptions().dtype(torch::kLong).device(images.device());
    const auto cy = torch::randint(h, {n, 1}, opts) - length / 2;
    const auto cx = torch::randint(w, {n, 1}, opts) - length / 2;
    const auto ys = torch::arange(h, opts).unsqueeze(0);
    const auto xs = torch::arange(w, opts).unsqueeze(0);
    const auto rows = ys.ge(cy).logical_and(ys.lt(cy + length));        // n x h
    const auto cols = xs.ge(cx).logical_and(xs.lt(cx + length));        // n x w
    const auto hole = rows.unsqueeze(2).logical_and(cols.unsqueeze(1)); // n x h x w
    return images * hole.logical_not().unsqueeze(1).to(images.dtype());
}

} // namespace wb::darts
