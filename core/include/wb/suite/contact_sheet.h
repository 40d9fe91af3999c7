#pragma once

#include "wb/suite/image.h"

#include <string>

namespace wb::suite {

struct SheetOptions {
    int columns = 40;     // images shown per class (the first ones in labels.csv order)
    int scale = 2;        // each pixel drawn as scale x scale
    std::string fontFile; // for the class labels; empty: the first of a few standard fonts,
                          // and no labels when none is found
};

// A contact sheet of a dataset folder (any format loadDataset reads): one row per class, a
// label with the class name and count on the left. Throws wb::Error when the dataset cannot be
// loaded.
Image contactSheet(const std::string& datasetPath, const SheetOptions& options = {});

} // namespace wb::suite
