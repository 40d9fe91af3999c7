// FSH: Fashion-MNIST from Debian's dataset-fashion-mnist.

#include "builders.h"

#include "wb/common/error.h"
#include "wb/data/dataset.h"
#include "wb/suite/rng.h"

#include <array>

namespace wb::suite::detail {

namespace {

struct IdxClass {
    const char* name;
    const char* superCategory;
};

const std::array<IdxClass, 10> kFashionClasses = {{{"T-shirt/top", "upper body"},
                                                   {"Trouser", "lower body"},
                                                   {"Pullover", "upper body"},
                                                   {"Dress", "full body"},
                                                   {"Coat", "upper body"},
                                                   {"Sandal", "footwear"},
                                                   {"Shirt", "upper body"},
                                                   {"Sneaker", "footwear"},
                                                   {"Bag", "accessory"},
                                                   {"Ankle boot", "footwear"}}};

// 28x28 grey -> 32x32 RGB: the image centred on a background of its own border colour (0), so
// no pixel is resampled.
Image padToSize(const std::uint8_t* pixels, int height, int width, int size)
{
    Image out = Image::filled(size, size, 3, 0);
    const int top = (size - height) / 2;
    const int left = (size - width) / 2;
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x)
            std::fill_n(out.at(left + x, top + y), 3, pixels[std::size_t(y) * width + x]);
    }
    return out;
}

} // namespace

SuiteDataset buildFashionSet(BuildContext& context)
{
    const std::string id = "FSH";
    SuiteDataset dataset;
    dataset.id = id;
    dataset.seed = context.seed;
    dataset.imageSize = kImageSize;
    dataset.requiredClasses = 10;
    dataset.requiredImagesPerClass = kImagesPerClass;

    const PackageFiles& package = context.cache.deb("dataset-fashion-mnist");
    context.useSource(dataset, package, "images and labels (gzipped IDX)");
    const auto folder = package.root / "usr/share/datasets/fashion-mnist";
    dataset.name = "Fashion-MNIST clothing";
    dataset.description = "Zalando article photos (grey, 28x28), 10 clothing classes.";
    dataset.domain = "photos (product images)";
    dataset.licence = "MIT (Zalando Research); see ATTRIBUTION.txt";

    data::LoadOptions options;
    options.format = data::Format::Idx;
    const data::Dataset source = data::loadDataset(folder.string(), options);
    if (source.channels != 1 || source.height > kImageSize || source.width > kImageSize ||
        source.classNames.size() != 10)
        throw Error(id + ": " + folder.string() + " is not a 10-class grey IDX set of at most " +
                    std::to_string(kImageSize) + "x" + std::to_string(kImageSize) + " images");

    std::vector<std::vector<std::size_t>> byClass(10);
    for (std::size_t i = 0; i < source.count(); ++i)
        byClass[std::size_t(source.labels[i])].push_back(i);
    for (int c = 0; c < 10; ++c) {
        SuiteClass suiteClass;
        suiteClass.name = kFashionClasses[std::size_t(c)].name;
        suiteClass.superCategory = kFashionClasses[std::size_t(c)].superCategory;
        suiteClass.details = {{"label", c}, {"available", byClass[std::size_t(c)].size()}};
        dataset.classes.push_back(suiteClass);

        const auto& candidates = byClass[std::size_t(c)];
        if (int(candidates.size()) < kImagesPerClass)
            throw Error(id + ": class " + suiteClass.name + " has only " +
                        std::to_string(candidates.size()) + " images");
        SeededRng rng(deriveSeed(context.seed, id + "/images/" + std::to_string(c)));
        for (const int k : chooseSorted(int(candidates.size()), kImagesPerClass, rng)) {
            const std::size_t index = candidates[std::size_t(k)];
            dataset.images.push_back(
                {c, padToSize(source.image(index), source.height, source.width, kImageSize),
                 "image #" + std::to_string(index)});
        }
    }
    dataset.derivation =
        "All " + std::to_string(source.count()) +
        " images of the IDX files (t10k first, then train, as the project's IDX loader orders "
        "them; 'image #N' counts in that order). Per class, " +
        std::to_string(kImagesPerClass) +
        " images drawn by the seed. Each 28x28 grey image is centred on a 32x32 black canvas "
        "(its own background colour) and replicated to RGB; no pixel is resampled.";
    dataset.parameters = {{"images_per_class", kImagesPerClass},
                          {"image_size", kImageSize},
                          {"padding", "centred on black, no resampling"},
                          {"selection", "SplitMix64 stream '" + id + "/images/<label>'"}};
    return dataset;
}

} // namespace wb::suite::detail
