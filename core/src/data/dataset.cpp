#include "wb/data/dataset.h"

#include "data/file_io.h"
#include "wb/common/error.h"

#include <algorithm>

namespace wb::data {

std::string formatName(Format format)
{
    switch (format) {
    case Format::Auto:
        return "auto";
    case Format::Idx:
        return "idx";
    case Format::MetaAlbum:
        return "metaalbum";
    case Format::ImageFolder:
        return "imagefolder";
    case Format::Cifar:
        return "cifar";
    }
    throw Error("unknown dataset format value " + std::to_string(int(format)));
}

Format parseFormat(const std::string& text)
{
    // Case, '-' and '_' are ignored so "Meta-Album" and "image_folder" are accepted too.
    std::string key = toLowerAscii(text);
    std::erase_if(key, [](char c) { return c == '-' || c == '_'; });
    for (Format format :
         {Format::Auto, Format::Idx, Format::MetaAlbum, Format::ImageFolder, Format::Cifar}) {
        if (key == formatName(format)) return format;
    }
    throw Error("unknown dataset format '" + text +
                "' (expected auto, idx, metaalbum, imagefolder or cifar)");
}

std::vector<int> Dataset::classCounts() const
{
    std::vector<int> counts(classNames.size(), 0);
    for (int label : labels) {
        if (label >= 0 && std::size_t(label) < counts.size()) ++counts[label];
    }
    return counts;
}

} // namespace wb::data
