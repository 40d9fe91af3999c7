#pragma once

#include "wb/suite/suite_dataset.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace wb::suite {

// Format version of the suite's info.json and derivation; bump when outputs change meaning.
inline constexpr int kSuiteFormatVersion = 1;

// Throws wb::Error when the dataset is partial or malformed: fewer classes or images per class
// than required, an image of the wrong size or channel count, a bad class index, empty names.
void validateComplete(const SuiteDataset& dataset);

// The image file name of the i-th image of class c: "<ID>_<cc>_<ii>.png".
std::string imageFileName(const std::string& id, int classIndex, int imageIndex);

// info.json as written next to labels.csv (no timestamps or paths: equal inputs, equal bytes).
nlohmann::json infoJson(const SuiteDataset& dataset);

// Keys every info.json has at its top level.
std::vector<std::string> requiredInfoKeys();

// Writes suiteDir/<id>/{labels.csv, images/*.png, info.json, ATTRIBUTION.txt} after
// validateComplete: first into a temporary sibling folder, then renamed over any previous
// version, so a failure never leaves a partial dataset. Returns the dataset folder.
// extraLicenceTexts: (package, copyright text) pairs appended to ATTRIBUTION.txt.
std::filesystem::path
writeMetaAlbum(const SuiteDataset& dataset, const std::filesystem::path& suiteDir,
               const std::vector<std::pair<std::string, std::string>>& extraLicenceTexts = {});

} // namespace wb::suite
