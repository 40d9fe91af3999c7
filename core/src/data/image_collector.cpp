#include "data/image_collector.h"

#include "wb/common/error.h"
#include "wb/data/dataset.h"

#include <algorithm>

#include <stb_image_resize.h>

namespace wb::data {

namespace {

std::string sizeText(int width, int height)
{
    return std::to_string(width) + "x" + std::to_string(height);
}

} // namespace

ImageCollector::ImageCollector(std::string rootPath, int imageSize)
    : m_rootPath(std::move(rootPath)), m_imageSize(imageSize)
{
}

void ImageCollector::add(const std::uint8_t* pixels, int channels, int height, int width, int label,
                         const std::string& source)
{
    if (m_channels == 0) {
        m_channels = channels;
        m_height = m_imageSize > 0 ? m_imageSize : height;
        m_width = m_imageSize > 0 ? m_imageSize : width;
        m_firstSource = source;
    } else if (m_imageSize == 0 && (height != m_height || width != m_width)) {
        throw Error(m_rootPath + ": images differ in size (" + sizeText(m_width, m_height) +
                    " in " + m_firstSource + ", " + sizeText(width, height) + " in " + source +
                    "); pass an image size");
    }
    if (channels == 3 && m_channels == 1) promoteToRgb();

    const std::uint8_t* image = resized(pixels, channels, height, width, source);
    const std::size_t plane = std::size_t(m_height) * m_width;
    // Grey images in an RGB dataset get their one plane replicated into R, G and B.
    for (int c = 0; c < m_channels; ++c) {
        const std::uint8_t* from = image + (channels == 1 ? 0 : c) * plane;
        m_pixels.insert(m_pixels.end(), from, from + plane);
    }
    m_labels.push_back(label);
}

void ImageCollector::moveInto(Dataset& dataset)
{
    dataset.channels = m_channels;
    dataset.height = m_height;
    dataset.width = m_width;
    dataset.pixels = std::move(m_pixels);
    dataset.labels = std::move(m_labels);
    m_pixels.clear();
    m_labels.clear();
    m_channels = 0;
}

void ImageCollector::promoteToRgb()
{
    const std::size_t plane = std::size_t(m_height) * m_width;
    std::vector<std::uint8_t> rgb;
    rgb.reserve(m_pixels.size() * 3);
    for (std::size_t offset = 0; offset < m_pixels.size(); offset += plane) {
        for (int c = 0; c < 3; ++c)
            rgb.insert(rgb.end(), m_pixels.begin() + offset, m_pixels.begin() + offset + plane);
    }
    m_pixels = std::move(rgb);
    m_channels = 3;
}

const std::uint8_t* ImageCollector::resized(const std::uint8_t* pixels, int channels, int height,
                                            int width, const std::string& source)
{
    if (height == m_height && width == m_width) return pixels;

    // Planes are resized one at a time: with no alpha channel stb_image_resize filters each
    // channel independently anyway, and the data is already planar.
    const std::size_t inPlane = std::size_t(height) * width;
    const std::size_t outPlane = std::size_t(m_height) * m_width;
    m_resizeBuffer.resize(outPlane * channels);
    for (int c = 0; c < channels; ++c) {
        if (!stbir_resize_uint8(pixels + c * inPlane, width, height, 0,
                                m_resizeBuffer.data() + c * outPlane, m_width, m_height, 0, 1))
            throw Error(source + ": cannot resize from " + sizeText(width, height) + " to " +
                        sizeText(m_width, m_height));
    }
    return m_resizeBuffer.data();
}

void dropEmptyClasses(Dataset& dataset)
{
    const std::vector<int> counts = dataset.classCounts();
    if (std::find(counts.begin(), counts.end(), 0) == counts.end()) return;

    std::vector<int> newLabel(counts.size(), -1);
    std::vector<std::string> kept;
    for (std::size_t c = 0; c < counts.size(); ++c) {
        if (counts[c] == 0) {
            dataset.warnings.push_back("class '" + dataset.classNames[c] +
                                       "' has no usable images and was dropped");
        } else {
            newLabel[c] = int(kept.size());
            kept.push_back(std::move(dataset.classNames[c]));
        }
    }
    for (int& label : dataset.labels)
        label = newLabel[label];
    dataset.classNames = std::move(kept);
}

} // namespace wb::data
