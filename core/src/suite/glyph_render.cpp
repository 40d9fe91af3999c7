#include "wb/suite/glyph_render.h"

#include "wb/common/error.h"

#include <algorithm>
#include <cstdio>

#include <ft2build.h>
#include FT_FREETYPE_H

namespace wb::suite {

namespace {

std::string freetypeMessage(FT_Error error)
{
    const char* text = FT_Error_String(error);
    if (text) return text;
    char code[32];
    std::snprintf(code, sizeof code, "FreeType error 0x%02x", unsigned(error));
    return code;
}

// The glyph slot's bitmap as RGB on white plus its ink mask (coverage or alpha).
struct InkBitmap {
    Image onWhite;
    std::vector<std::uint8_t> ink;
};

InkBitmap slotBitmap(const FT_Bitmap& bitmap)
{
    InkBitmap result;
    const int width = int(bitmap.width);
    const int height = int(bitmap.rows);
    result.onWhite = Image::filled(width, height, 3, 255);
    result.ink.assign(std::size_t(width) * height, 0);
    for (int y = 0; y < height; ++y) {
        const unsigned char* row = bitmap.buffer + std::ptrdiff_t(y) * bitmap.pitch;
        for (int x = 0; x < width; ++x) {
            std::uint8_t* out = result.onWhite.at(x, y);
            std::uint8_t& ink = result.ink[std::size_t(y) * width + x];
            switch (bitmap.pixel_mode) {
            case FT_PIXEL_MODE_GRAY: {
                const int levels = std::max(1, int(bitmap.num_grays) - 1);
                ink = std::uint8_t((row[x] * 255 + levels / 2) / levels);
                std::fill_n(out, 3, std::uint8_t(255 - ink));
                break;
            }
            case FT_PIXEL_MODE_MONO:
                ink = (row[x / 8] & (0x80 >> (x % 8))) ? 255 : 0;
                std::fill_n(out, 3, std::uint8_t(255 - ink));
                break;
            case FT_PIXEL_MODE_BGRA: {
                // Premultiplied BGRA: over white, colour + (255 - alpha).
                const unsigned char* p = row + 4 * x;
                ink = p[3];
                out[0] = std::uint8_t(std::min(255, p[2] + 255 - p[3]));
                out[1] = std::uint8_t(std::min(255, p[1] + 255 - p[3]));
                out[2] = std::uint8_t(std::min(255, p[0] + 255 - p[3]));
                break;
            }
            default:
                throw Error("unsupported FreeType pixel mode " +
                            std::to_string(int(bitmap.pixel_mode)));
            }
        }
    }
    return result;
}

} // namespace

FontLibrary::FontLibrary()
{
    FT_Library library = nullptr;
    if (const FT_Error error = FT_Init_FreeType(&library))
        throw Error("cannot initialise FreeType: " + freetypeMessage(error));
    m_library = library;
}

bool FontLibrary::available()
{
    return true;
}

FontLibrary::~FontLibrary()
{
    FT_Done_FreeType(m_library);
}

std::string FontLibrary::version() const
{
    FT_Int major = 0, minor = 0, patch = 0;
    FT_Library_Version(m_library, &major, &minor, &patch);
    return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
}

FontFace::FontFace(FontLibrary& library, const std::filesystem::path& file, int faceIndex)
    : m_file(file.string())
{
    FT_Face face = nullptr;
    if (const FT_Error error = FT_New_Face(library.handle(), file.c_str(), faceIndex, &face))
        throw Error(m_file + ": cannot read font face " + std::to_string(faceIndex) + " (" +
                    freetypeMessage(error) + ")");
    m_face = face;
    if (FT_Select_Charmap(m_face, FT_ENCODING_UNICODE) != 0) {
        FT_Done_Face(m_face);
        m_face = nullptr;
        throw Error(m_file + ": no Unicode character map (legacy or symbol encoding)");
    }
}

FontFace::~FontFace()
{
    if (m_face) FT_Done_Face(m_face);
}

int FontFace::faceCount(FontLibrary& library, const std::filesystem::path& file)
{
    FT_Face face = nullptr;
    // Face index -1 only reads the number of faces.
    if (const FT_Error error = FT_New_Face(library.handle(), file.c_str(), -1, &face))
        throw Error(file.string() + ": cannot read font (" + freetypeMessage(error) + ")");
    const int count = int(face->num_faces);
    FT_Done_Face(face);
    return count;
}

std::string FontFace::family() const
{
    return m_face->family_name ? m_face->family_name : "";
}

std::string FontFace::style() const
{
    return m_face->style_name ? m_face->style_name : "";
}

int FontFace::faceCount() const
{
    return int(m_face->num_faces);
}

bool FontFace::isScalable() const
{
    return FT_IS_SCALABLE(m_face);
}

bool FontFace::hasColor() const
{
    return FT_HAS_COLOR(m_face);
}

bool FontFace::hasChar(char32_t codepoint) const
{
    return FT_Get_Char_Index(m_face, FT_ULong(codepoint)) != 0;
}

std::optional<Image> FontFace::renderGlyph(char32_t codepoint, const GlyphOptions& options)
{
    const FT_UInt index = FT_Get_Char_Index(m_face, FT_ULong(codepoint));
    if (index == 0) return std::nullopt;
    FT_Int32 flags = FT_LOAD_RENDER;
    if (FT_IS_SCALABLE(m_face)) {
        if (const FT_Error error = FT_Set_Pixel_Sizes(m_face, 0, FT_UInt(options.renderPixels)))
            throw Error(m_file + ": cannot set size (" + freetypeMessage(error) + ")");
        // Outlines only: no hinting (it depends on the interpreter, not the design) and no
        // embedded bitmaps (some CJK fonts carry small-size bitmaps in another design).
        flags |= FT_LOAD_NO_HINTING | FT_LOAD_NO_BITMAP;
    } else {
        if (m_face->num_fixed_sizes <= 0)
            throw Error(m_file + ": neither outlines nor bitmap strikes");
        int best = 0; // the largest strike
        for (int i = 1; i < m_face->num_fixed_sizes; ++i) {
            if (m_face->available_sizes[i].height > m_face->available_sizes[best].height) best = i;
        }
        if (const FT_Error error = FT_Select_Size(m_face, best))
            throw Error(m_file + ": cannot select bitmap strike (" + freetypeMessage(error) + ")");
    }
    if (options.colour && FT_HAS_COLOR(m_face)) flags |= FT_LOAD_COLOR;
    if (const FT_Error error = FT_Load_Glyph(m_face, index, flags))
        throw Error(m_file + ": cannot render " + codepointLabel(codepoint) + " (" +
                    freetypeMessage(error) + ")");
    const FT_Bitmap& bitmap = m_face->glyph->bitmap;
    if (bitmap.width == 0 || bitmap.rows == 0) return std::nullopt;
    InkBitmap ink = slotBitmap(bitmap);
    if (std::none_of(ink.ink.begin(), ink.ink.end(), [](std::uint8_t v) { return v != 0; }))
        return std::nullopt;
    return cropPadResize(ink.onWhite, ink.ink, options.outputSize, options.margin);
}

int FontFace::drawText(Image& canvas, int x, int y, std::string_view utf8, int pixelSize)
{
    if (canvas.channels != 3) throw Error("drawText: expected an RGB canvas");
    if (FT_IS_SCALABLE(m_face)) FT_Set_Pixel_Sizes(m_face, 0, FT_UInt(pixelSize));
    for (const char32_t codepoint : decodeUtf8(utf8)) {
        const FT_UInt index = FT_Get_Char_Index(m_face, FT_ULong(codepoint));
        if (FT_Load_Glyph(m_face, index, FT_LOAD_RENDER) != 0) continue;
        const FT_GlyphSlot slot = m_face->glyph;
        if (slot->bitmap.width > 0 && slot->bitmap.rows > 0) {
            const InkBitmap ink = slotBitmap(slot->bitmap);
            const int left = x + slot->bitmap_left;
            const int top = y - slot->bitmap_top;
            for (int gy = 0; gy < ink.onWhite.height; ++gy) {
                for (int gx = 0; gx < ink.onWhite.width; ++gx) {
                    const int cx = left + gx;
                    const int cy = top + gy;
                    if (cx < 0 || cy < 0 || cx >= canvas.width || cy >= canvas.height) continue;
                    const int alpha = ink.ink[std::size_t(gy) * ink.onWhite.width + gx];
                    std::uint8_t* out = canvas.at(cx, cy);
                    for (int c = 0; c < 3; ++c)
                        out[c] = std::uint8_t((out[c] * (255 - alpha) + 127) / 255);
                }
            }
        }
        x += int(slot->advance.x >> 6);
    }
    return x;
}

} // namespace wb::suite
