#pragma once

#include "wb/suite/image.h"
#include "wb/suite/utf8_text.h"

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

struct FT_LibraryRec_;
struct FT_FaceRec_;

namespace wb::suite {

// Owns one FreeType library instance. FreeType objects are not thread-safe: a FontLibrary and
// the faces opened from it belong to one thread.
class FontLibrary {
public:
    FontLibrary(); // never throws in a build without FreeType: every FontFace does then
    ~FontLibrary();
    // False in a build without FreeType (a CLI-only build may leave it out).
    static bool available();
    FontLibrary(const FontLibrary&) = delete;
    FontLibrary& operator=(const FontLibrary&) = delete;

    std::string version() const; // "2.12.1": rendering depends on it
    FT_LibraryRec_* handle() const { return m_library; }

private:
    FT_LibraryRec_* m_library = nullptr;
};

// How one character becomes a dataset image (see renderGlyph).
struct GlyphOptions {
    int renderPixels = 128; // em size in pixels for outline fonts: large, so the downscale
                            // antialiases (about 4x area averaging per output pixel)
    int outputSize = 32;    // output side in pixels
    int margin = 2;         // output pixels of white around the ink box on its larger side
    bool colour = false;    // FT_LOAD_COLOR: colour glyphs (emoji) composited on white; off,
                            // colour outline fonts (COLR) render as plain black outlines
};

// One face of a font file (a .ttc holds several), with its Unicode charmap selected.
// Belongs to the thread of its FontLibrary, which must outlive it.
class FontFace {
public:
    // Throws wb::Error naming the file when FreeType cannot read it or it has no Unicode charmap.
    FontFace(FontLibrary& library, const std::filesystem::path& file, int faceIndex = 0);
    ~FontFace();
    FontFace(const FontFace&) = delete;
    FontFace& operator=(const FontFace&) = delete;

    // Number of faces in a font file (1 for .ttf/.otf); throws wb::Error when unreadable.
    static int faceCount(FontLibrary& library, const std::filesystem::path& file);

    std::string family() const;
    std::string style() const;
    int faceCount() const;
    bool isScalable() const; // outline font (false: bitmap strikes only, e.g. colour emoji)
    bool hasColor() const;   // colour glyphs (CBDT/sbix/COLR)
    bool hasChar(char32_t codepoint) const;

    // The character as a dataset image: rendered at renderPixels (outline fonts: grey
    // antialiased, no hinting; bitmap fonts: their largest strike; options.colour: colour glyphs
    // via FT_LOAD_COLOR, composited on white), cropped to its ink box, padded to a white square and
    // area-resized to outputSize x outputSize RGB. Black ink on white for monochrome fonts. nullopt
    // when the face has no glyph for the character or the glyph has no ink.
    std::optional<Image> renderGlyph(char32_t codepoint, const GlyphOptions& options = {});

    // Draws UTF-8 text in black onto an RGB image, baseline at y, from x; clipped to the image.
    // Returns the x after the last glyph. For labels on contact sheets.
    int drawText(Image& canvas, int x, int y, std::string_view utf8, int pixelSize);

private:
    FT_FaceRec_* m_face = nullptr;
    std::string m_file;
};

} // namespace wb::suite
