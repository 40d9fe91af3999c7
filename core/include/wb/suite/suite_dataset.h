#pragma once

#include "wb/suite/image.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace wb::suite {

// A source package a dataset was derived from, as recorded in info.json.
struct SourcePackage {
    std::string name;
    std::string version;
    std::string kind;                  // "deb"
    std::vector<std::string> licences; // from the package's metadata
    std::string role;                  // what it contributed ("fonts", "emoji list", ...)
};

struct SuiteClass {
    std::string name;                                  // CATEGORY
    std::string superCategory;                         // SUPER_CATEGORY
    nlohmann::json details = nlohmann::json::object(); // e.g. code point, character
};

struct SuiteImage {
    int classIndex = 0;
    Image image;        // imageSize x imageSize RGB
    std::string source; // how this image was made (font, source index, crop), for info.json
};

// One derived dataset held in memory before it is written in Meta-Album layout. Plain value type.
struct SuiteDataset {
    std::string id;   // "GRK"; also the folder name
    std::string name; // "Greek letters"
    std::string description;
    std::string domain;     // "glyphs", "photos", "textures", "pictograms"
    std::uint64_t seed = 0; // the suite seed it was built with
    int imageSize = 32;
    int requiredClasses = 20;
    int requiredImagesPerClass = 40;
    std::vector<SuiteClass> classes;
    std::vector<SuiteImage> images; // grouped by class, in file order
    std::vector<SourcePackage> sources;
    std::string licence;                                  // summary for users of the data
    std::string derivation;                               // how images were derived, in words
    nlohmann::json parameters = nlohmann::json::object(); // everything that changes the output
    nlohmann::json details = nlohmann::json::object();    // e.g. fonts kept and dropped
};

} // namespace wb::suite
