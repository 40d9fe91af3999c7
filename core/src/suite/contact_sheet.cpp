#include "wb/suite/contact_sheet.h"

#include "wb/common/error.h"
#include "wb/data/dataset.h"
#include "wb/suite/glyph_render.h"

#include <algorithm>
#include <filesystem>
#include <memory>

namespace wb::suite {

namespace {

// Label area and spacing of the sheet, in sheet pixels.
constexpr int kLabelWidth = 190;
constexpr int kGap = 2;
constexpr int kHeaderHeight = 24;
constexpr int kTextPixels = 13;

std::string findLabelFont(const std::string& requested)
{
    if (!requested.empty()) return requested;
    for (const char* candidate :
         {"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
          "/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf",
          "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
          "/usr/share/fonts/truetype/freefont/FreeSans.ttf"}) {
        if (std::filesystem::is_regular_file(candidate)) return candidate;
    }
    return {};
}

} // namespace

Image contactSheet(const std::string& datasetPath, const SheetOptions& options)
{
    if (options.columns <= 0 || options.scale <= 0)
        throw Error("contact sheet: columns and scale must be positive");
    const data::Dataset dataset = data::loadDataset(datasetPath);
    const int classes = int(dataset.classNames.size());
    std::vector<std::vector<std::size_t>> byClass(static_cast<std::size_t>(classes));
    for (std::size_t i = 0; i < dataset.count(); ++i)
        byClass[std::size_t(dataset.labels[i])].push_back(i);

    const int cellWidth = dataset.width * options.scale + kGap;
    const int cellHeight = dataset.height * options.scale + kGap;
    int columns = 0;
    for (const auto& images : byClass)
        columns = std::max(columns, std::min(options.columns, int(images.size())));

    std::unique_ptr<FontLibrary> library;
    std::unique_ptr<FontFace> font;
    const std::string file = FontLibrary::available() ? findLabelFont(options.fontFile) : "";
    if (!file.empty()) {
        library = std::make_unique<FontLibrary>();
        font = std::make_unique<FontFace>(*library, file);
    }
    const int labelWidth = font ? kLabelWidth : 0;
    const int headerHeight = font ? kHeaderHeight : 0;
    Image sheet =
        Image::filled(labelWidth + columns * cellWidth + kGap,
                      headerHeight + classes * std::max(cellHeight, font ? 16 : 0) + kGap, 3, 255);
    const int rowHeight = std::max(cellHeight, font ? 16 : 0);
    if (font) {
        font->drawText(sheet, 4, 17,
                       std::filesystem::path(datasetPath).filename().string() + ": " +
                           std::to_string(classes) + " classes, " +
                           std::to_string(dataset.count()) + " images, " +
                           std::to_string(dataset.width) + "x" + std::to_string(dataset.height),
                       kTextPixels);
    }

    const std::size_t plane = std::size_t(dataset.height) * dataset.width;
    for (int c = 0; c < classes; ++c) {
        const int top = headerHeight + c * rowHeight + kGap;
        if (font) {
            // Labels are clipped at the first image column by drawing into a label-sized canvas.
            Image label = Image::filled(labelWidth - 6, rowHeight, 3, 255);
            font->drawText(label, 0, std::min(rowHeight - 3, rowHeight / 2 + 5),
                           dataset.classNames[std::size_t(c)] + " (" +
                               std::to_string(byClass[std::size_t(c)].size()) + ")",
                           kTextPixels);
            for (int y = 0; y < label.height && top + y < sheet.height; ++y)
                std::copy_n(label.at(0, y), std::size_t(label.width) * 3, sheet.at(4, top + y));
        }
        const auto& images = byClass[std::size_t(c)];
        for (int k = 0; k < std::min(columns, int(images.size())); ++k) {
            const std::uint8_t* source = dataset.image(images[std::size_t(k)]);
            const int left = labelWidth + k * cellWidth + kGap;
            for (int y = 0; y < dataset.height * options.scale; ++y) {
                for (int x = 0; x < dataset.width * options.scale; ++x) {
                    const std::size_t p = std::size_t(y / options.scale) * dataset.width +
                                          std::size_t(x / options.scale);
                    std::uint8_t* out = sheet.at(left + x, top + y);
                    for (int ch = 0; ch < 3; ++ch)
                        out[ch] = source[(dataset.channels == 3 ? std::size_t(ch) : 0) * plane + p];
                }
            }
        }
    }
    return sheet;
}

} // namespace wb::suite
