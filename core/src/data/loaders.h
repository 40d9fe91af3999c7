#pragma once

#include "wb/data/dataset.h"

#include <filesystem>

namespace wb::data {

// One loader per format. Each fills classNames, channels, geometry, pixels, labels and warnings
// (loadDataset sets path, format and fingerprint), and throws wb::Error naming the file and the
// problem when the path does not hold that format or a file in it is corrupt.
Dataset loadIdx(const std::filesystem::path& path, const LoadOptions& options);
Dataset loadMetaAlbum(const std::filesystem::path& path, const LoadOptions& options);
Dataset loadImageFolder(const std::filesystem::path& path, const LoadOptions& options);
Dataset loadCifar(const std::filesystem::path& path, const LoadOptions& options);

// Cheap layout checks used by auto-detection: file names only, no file is decoded.
bool looksLikeIdx(const std::filesystem::path& path);
bool looksLikeMetaAlbum(const std::filesystem::path& path);
bool looksLikeImageFolder(const std::filesystem::path& path);
bool looksLikeCifar(const std::filesystem::path& path);

// Names of the class label space 0..count-1 as decimal strings, for formats without names.
std::vector<std::string> numberedClassNames(int count);

} // namespace wb::data
