// Glyph rendering in a build without FreeType (a CLI-only build may leave it out): the glyph and
// emoji datasets are skipped with the reason, contact sheets have no labels, and FSH, DIG and TEX
// build as usual.

#include "builders.h"

#include "wb/common/error.h"

namespace wb::suite {
namespace {

[[noreturn]] void refuse(const std::string& what)
{
    throw Error(what + ": this build has no FreeType (install libfreetype-dev and rebuild)");
}

} // namespace

FontLibrary::FontLibrary() = default;
FontLibrary::~FontLibrary() = default;

bool FontLibrary::available()
{
    return false;
}

FontFace::FontFace(FontLibrary&, const std::filesystem::path& file, int)
{
    refuse(file.string());
}

FontFace::~FontFace() = default;

int FontFace::drawText(Image&, int, int, std::string_view, int)
{
    refuse("text");
}

namespace detail {

SuiteDataset buildGlyphSet(BuildContext&, const std::string& id)
{
    refuse(id + " (glyphs)");
}

SuiteDataset buildEmojiSet(BuildContext&)
{
    refuse("EMO (emoji)");
}

} // namespace detail
} // namespace wb::suite
