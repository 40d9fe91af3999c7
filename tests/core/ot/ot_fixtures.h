#pragma once

// Point sets shared by the OT tests. The formulas are the ones tools/ot_reference/
// make_reference.py evaluates for the POT reference values: keep both in step.

#include "wb/data/dataset.h"
#include "wb/data/fingerprint.h"
#include "wb/ot/distance.h"

#include <torch/torch.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace otfix {

inline torch::Tensor cloudA() // 7 x 3
{
    auto t = torch::empty({7, 3}, torch::kFloat64);
    for (int i = 0; i < 7; ++i)
        for (int k = 0; k < 3; ++k)
            t[i][k] = std::sin(0.9 * i + 1.7 * k);
    return t;
}

inline torch::Tensor cloudB() // 5 x 3
{
    auto t = torch::empty({5, 3}, torch::kFloat64);
    for (int j = 0; j < 5; ++j)
        for (int k = 0; k < 3; ++k)
            t[j][k] = std::cos(1.3 * j + 0.4 * k) + 0.5;
    return t;
}

// 12 points in 2-D, 3 classes (label i % 3).
inline wb::ot::LabelledFeatures labelledA()
{
    wb::ot::LabelledFeatures f;
    f.name = "A";
    f.dim = 2;
    f.classNames = {"a0", "a1", "a2"};
    for (int i = 0; i < 12; ++i) {
        const int l = i % 3;
        f.x.push_back(float(std::sin(0.8 * i) + 1.0 * l));
        f.x.push_back(float(std::cos(1.1 * i) * 0.7 + 0.3 * l));
        f.labels.push_back(l);
    }
    return f;
}

// 10 points in 2-D, 2 classes (label j % 2).
inline wb::ot::LabelledFeatures labelledB()
{
    wb::ot::LabelledFeatures f;
    f.name = "B";
    f.dim = 2;
    f.classNames = {"b0", "b1"};
    for (int j = 0; j < 10; ++j) {
        const int l = j % 2;
        f.x.push_back(float(std::cos(0.6 * j) * 0.9 + 1.5 * l + 0.4));
        f.x.push_back(float(std::sin(1.4 * j) * 0.5 - 0.2 * l));
        f.labels.push_back(l);
    }
    return f;
}

// Random labelled points: `classes` clusters, shifted by `shift` in every coordinate.
inline wb::ot::LabelledFeatures clusters(const std::string& name, int n, int dim, int classes,
                                         double shift, std::uint64_t seed)
{
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> noise(0.0, 0.3);
    wb::ot::LabelledFeatures f;
    f.name = name;
    f.dim = dim;
    for (int c = 0; c < classes; ++c)
        f.classNames.push_back(name + std::to_string(c));
    for (int i = 0; i < n; ++i) {
        const int l = i % classes;
        for (int k = 0; k < dim; ++k)
            f.x.push_back(float((k % classes == l ? 1.5 : 0.0) + shift + noise(rng)));
        f.labels.push_back(l);
    }
    return f;
}

// A synthetic image dataset in memory: class k brightens its own band of rows; fingerprinted.
inline std::shared_ptr<wb::data::Dataset> images(int n, int classes, int size, int channels,
                                                 unsigned seed, int brightness = 0)
{
    auto ds = std::make_shared<wb::data::Dataset>();
    ds->path = "synthetic-" + std::to_string(seed);
    ds->format = wb::data::Format::Idx;
    ds->channels = channels;
    ds->height = ds->width = size;
    for (int c = 0; c < classes; ++c)
        ds->classNames.push_back("class" + std::to_string(c));
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int> noise(0, 50);
    for (int i = 0; i < n; ++i) {
        const int label = i % classes;
        ds->labels.push_back(label);
        for (int ch = 0; ch < channels; ++ch)
            for (int y = 0; y < size; ++y)
                for (int x = 0; x < size; ++x) {
                    const bool lit = y * classes / size == label;
                    ds->pixels.push_back(
                        std::uint8_t(std::min(255, noise(rng) + brightness + (lit ? 150 : 0))));
                }
    }
    ds->fingerprint = wb::data::datasetFingerprint(*ds);
    return ds;
}

} // namespace otfix
