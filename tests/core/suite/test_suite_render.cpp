#include "wb/common/error.h"
#include "wb/suite/glyph_render.h"
#include "wb/suite/image.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>

#include <QTemporaryDir>
#include <QTest>

using wb::suite::FontFace;
using wb::suite::FontLibrary;
using wb::suite::Image;

// Glyph rendering with a font present on the machine (DejaVu Sans, Debian fonts-dejavu-core):
// byte-identical renders across library instances, the crop/pad/resize geometry, missing
// characters; and the integer area resampling it relies on.
class TestSuiteRender : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void deterministicGlyph_data();
    void deterministicGlyph();
    void glyphGeometry();
    void missingCharacter();
    void unreadableFont();
    void areaResizeByHand();
    void cropPadResizeCentres();
    void utf8RoundTrip();

private:
    static std::string dejaVuSans();
};

std::string TestSuiteRender::dejaVuSans()
{
    const char* path = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
    return std::filesystem::is_regular_file(path) ? path : std::string();
}

void TestSuiteRender::deterministicGlyph_data()
{
    QTest::addColumn<uint>("codepoint");
    QTest::newRow("Latin A") << uint(U'A');
    QTest::newRow("Greek alpha") << uint(U'α');
    QTest::newRow("Cyrillic ZHE") << uint(U'Ж');
    QTest::newRow("Arabic beh") << uint(U'ب');
}

void TestSuiteRender::deterministicGlyph()
{
    const std::string font = dejaVuSans();
    if (font.empty()) QSKIP("DejaVu Sans not installed (Debian fonts-dejavu-core)");
    QFETCH(uint, codepoint);

    FontLibrary first;
    FontFace a(first, font);
    const auto imageA = a.renderGlyph(char32_t(codepoint));
    FontLibrary second;
    FontFace b(second, font);
    const auto imageB = b.renderGlyph(char32_t(codepoint));
    QVERIFY(imageA.has_value());
    QVERIFY(imageB.has_value());
    QCOMPARE(imageA->width, 32);
    QCOMPARE(imageA->height, 32);
    QCOMPARE(imageA->channels, 3);
    QVERIFY(*imageA == *imageB);
    QVERIFY(wb::suite::encodePng(*imageA) == wb::suite::encodePng(*imageB));
    // Rendering again with the same face (size state reused) gives the same bytes too.
    QVERIFY(*a.renderGlyph(char32_t(codepoint)) == *imageA);
    // Black ink on white, grey in all three channels.
    int dark = 0;
    for (std::size_t p = 0; p < imageA->pixels.size(); p += 3) {
        QCOMPARE(imageA->pixels[p], imageA->pixels[p + 1]);
        QCOMPARE(imageA->pixels[p], imageA->pixels[p + 2]);
        dark += imageA->pixels[p] < 128;
    }
    QVERIFY(dark > 20);
}

void TestSuiteRender::glyphGeometry()
{
    const std::string font = dejaVuSans();
    if (font.empty()) QSKIP("DejaVu Sans not installed (Debian fonts-dejavu-core)");
    FontLibrary library;
    FontFace face(library, font);
    QVERIFY(face.isScalable());
    QCOMPARE(QString::fromStdString(face.family()), QString("DejaVu Sans"));
    for (const char32_t cp : {U'I', U'—', U'o'}) {
        const auto image = face.renderGlyph(cp);
        QVERIFY(image.has_value());
        int top = 32, bottom = -1, left = 32, right = -1;
        for (int y = 0; y < 32; ++y) {
            for (int x = 0; x < 32; ++x) {
                if (image->at(x, y)[0] == 255) continue;
                top = std::min(top, y);
                bottom = std::max(bottom, y);
                left = std::min(left, x);
                right = std::max(right, x);
            }
        }
        // The ink box spans the 28 px inside the 2 px margin on its larger side and is centred
        // on the other (within a pixel of resampling spill).
        const int height = bottom - top + 1;
        const int width = right - left + 1;
        QVERIFY2(std::max(width, height) >= 27 && std::max(width, height) <= 29,
                 qPrintable(QString("box %1x%2").arg(width).arg(height)));
        QVERIFY(top >= 1 && left >= 1 && bottom <= 30 && right <= 30);
        QVERIFY(std::abs((top + bottom) - 31) <= 2);
        QVERIFY(std::abs((left + right) - 31) <= 2);
    }
}

void TestSuiteRender::missingCharacter()
{
    const std::string font = dejaVuSans();
    if (font.empty()) QSKIP("DejaVu Sans not installed (Debian fonts-dejavu-core)");
    FontLibrary library;
    FontFace face(library, font);
    QVERIFY(face.hasChar(U'A'));
    QVERIFY(!face.hasChar(U'あ'));
    QVERIFY(!face.renderGlyph(U'あ').has_value());
    QVERIFY(!face.renderGlyph(U' ').has_value()); // no ink
}

void TestSuiteRender::unreadableFont()
{
    QTemporaryDir dir;
    const std::string file = dir.filePath("broken.ttf").toStdString();
    std::ofstream(file) << "not a font";
    FontLibrary library;
    QVERIFY_THROWS_EXCEPTION(wb::Error, FontFace(library, file));
    QVERIFY_THROWS_EXCEPTION(wb::Error, FontFace::faceCount(library, file));
    QVERIFY_THROWS_EXCEPTION(wb::Error,
                             FontFace(library, dir.filePath("missing.ttf").toStdString()));
}

void TestSuiteRender::areaResizeByHand()
{
    // 4x4 -> 2x2: means of 2x2 blocks.
    Image source = Image::filled(4, 4, 1, 0);
    for (int i = 0; i < 16; ++i)
        source.pixels[std::size_t(i)] = std::uint8_t(i * 10);
    const Image half = wb::suite::areaResize(source, 2, 2);
    QCOMPARE(int(half.pixels[0]), (0 + 10 + 40 + 50 + 2) / 4);
    QCOMPARE(int(half.pixels[3]), (100 + 110 + 140 + 150 + 2) / 4);
    // 3x1 -> 2x1: weights (2,1)/3 and (1,2)/3.
    Image row = Image::filled(3, 1, 1, 0);
    row.pixels = {0, 90, 180};
    const Image two = wb::suite::areaResize(row, 2, 1);
    QCOMPARE(int(two.pixels[0]), (2 * 0 + 1 * 90 + 1) / 3);
    QCOMPARE(int(two.pixels[1]), (1 * 90 + 2 * 180 + 1) / 3);
    // A constant image stays constant at any size.
    const Image grey = wb::suite::areaResize(Image::filled(37, 53, 3, 77), 32, 32);
    QVERIFY(std::all_of(grey.pixels.begin(), grey.pixels.end(), [](auto v) { return v == 77; }));
}

void TestSuiteRender::cropPadResizeCentres()
{
    // A 56x8 black bar somewhere in a 100x100 white image becomes a centred bar spanning the
    // 28 px inside the margin (56 px of ink fill a 64 px square, exactly 2x the output).
    Image canvas = Image::filled(100, 100, 3, 255);
    std::vector<std::uint8_t> ink(100 * 100, 0);
    for (int y = 60; y < 68; ++y) {
        for (int x = 5; x < 61; ++x) {
            std::fill_n(canvas.at(x, y), 3, 0);
            ink[std::size_t(y) * 100 + x] = 255;
        }
    }
    const Image out = wb::suite::cropPadResize(canvas, ink, 32, 2);
    QCOMPARE(out.width, 32);
    QCOMPARE(out.at(1, 16)[0], std::uint8_t(255));
    QCOMPARE(out.at(2, 16)[0], std::uint8_t(0));
    QCOMPARE(out.at(29, 16)[0], std::uint8_t(0));
    QCOMPARE(out.at(30, 16)[0], std::uint8_t(255));
    QCOMPARE(out.at(16, 13)[0], std::uint8_t(255));
    QCOMPARE(out.at(16, 14)[0], std::uint8_t(0));
    QCOMPARE(out.at(16, 17)[0], std::uint8_t(0));
    QCOMPARE(out.at(16, 18)[0], std::uint8_t(255));
    QVERIFY_THROWS_EXCEPTION(
        wb::Error,
        wb::suite::cropPadResize(canvas, std::vector<std::uint8_t>(100 * 100, 0), 32, 2));
}

void TestSuiteRender::utf8RoundTrip()
{
    const std::u32string text = U"aα Ж あ😀";
    std::string utf8;
    for (const char32_t cp : text)
        utf8 += wb::suite::encodeUtf8(cp);
    QVERIFY(wb::suite::decodeUtf8(utf8) == text);
    QCOMPARE(QString::fromStdString(wb::suite::codepointLabel(U'α')), QString("U+03B1"));
    QVERIFY(wb::suite::decodeUtf8("\xff") == std::u32string(1, U'\uFFFD'));
}

QTEST_APPLESS_MAIN(TestSuiteRender)
#include "test_suite_render.moc"
