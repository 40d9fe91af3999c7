#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace wb::data {

struct Dataset;

// Accumulates images of one dataset into a single planar pixel buffer while loading, applying
// the shared policies: grey until the first colour image arrives (then everything is RGB, grey
// images replicated), every image resized to imageSize x imageSize when imageSize > 0, and
// otherwise every image required to have the first image's size. Owned by one loader call.
class ImageCollector {
public:
    // rootPath names the dataset in the "images differ in size" error; imageSize >= 0, as
    // loadDataset has already checked.
    ImageCollector(std::string rootPath, int imageSize);

    // pixels: planar channels x height x width, channels 1 or 3. source names the image in
    // errors (its file). Throws wb::Error on a size mismatch.
    void add(const std::uint8_t* pixels, int channels, int height, int width, int label,
             const std::string& source);

    std::size_t count() const { return m_labels.size(); }

    // Moves channels, geometry, pixels and labels into the dataset; the collector is empty after.
    void moveInto(Dataset& dataset);

private:
    void promoteToRgb();
    const std::uint8_t* resized(const std::uint8_t* pixels, int channels, int height, int width,
                                const std::string& source);

    std::string m_rootPath;
    int m_imageSize = 0;
    int m_channels = 0; // 0 until the first image
    int m_height = 0;
    int m_width = 0;
    std::string m_firstSource; // names the reference size in the size-mismatch message
    std::vector<std::uint8_t> m_pixels;
    std::vector<int> m_labels;
    std::vector<std::uint8_t> m_resizeBuffer;
};

// Removes classes no image carries (all their files were skipped) and renumbers the labels,
// keeping the class order; adds one warning per removed class. For the folder formats, whose
// class list comes from names rather than from a fixed label space.
void dropEmptyClasses(Dataset& dataset);

} // namespace wb::data
