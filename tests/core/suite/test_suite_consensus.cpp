#include "wb/suite/consensus.h"

#include <QTest>

using wb::suite::ConsensusOptions;
using wb::suite::FontVerdict;
using wb::suite::Image;

// The font consensus filter on synthetic renders: five shape "classes" drawn by several
// "fonts" with small offsets and stroke widths; a font that draws the wrong shapes, a font with
// one wrong glyph and an exact duplicate must go, the others stay.
class TestSuiteConsensus : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void correlationBasics();
    void medianByHand();
    void wrongFontIsDropped();
    void oneWrongGlyphIsDropped();
    void duplicateIsDropped();

private:
    static Image shape(int kind, int dx, int dy, int stroke);
    static std::vector<std::vector<Image>> goodFonts(int count);
};

// Black shapes on white, 32x32 grey: 0 horizontal bar, 1 vertical bar, 2 square ring,
// 3 diagonal, 4 small filled square in a corner.
Image TestSuiteConsensus::shape(int kind, int dx, int dy, int stroke)
{
    Image image = Image::filled(32, 32, 1, 255);
    const auto ink = [&](int x, int y) {
        x += dx;
        y += dy;
        if (x >= 0 && y >= 0 && x < 32 && y < 32) *image.at(x, y) = 0;
    };
    for (int y = 0; y < 32; ++y) {
        for (int x = 0; x < 32; ++x) {
            const bool on =
                (kind == 0 && y >= 15 && y < 15 + stroke && x >= 4 && x < 28) ||
                (kind == 1 && x >= 15 && x < 15 + stroke && y >= 4 && y < 28) ||
                (kind == 2 && x >= 6 && x < 26 && y >= 6 && y < 26 &&
                 (x < 6 + stroke || x >= 26 - stroke || y < 6 + stroke || y >= 26 - stroke)) ||
                (kind == 3 && std::abs(x - y) < stroke && x >= 3 && x < 29) ||
                (kind == 4 && x >= 4 && x < 14 && y >= 4 && y < 14);
            if (on) ink(x, y);
        }
    }
    return image;
}

std::vector<std::vector<Image>> TestSuiteConsensus::goodFonts(int count)
{
    std::vector<std::vector<Image>> renders;
    for (int f = 0; f < count; ++f) {
        std::vector<Image> font;
        for (int c = 0; c < 5; ++c)
            font.push_back(shape(c, f % 3 - 1, (f / 3) % 3 - 1, 3 + f % 2));
        renders.push_back(font);
    }
    return renders;
}

void TestSuiteConsensus::correlationBasics()
{
    const Image a = shape(2, 0, 0, 3);
    QCOMPARE(wb::suite::normalizedCrossCorrelation(a, a), 1.0);
    Image inverted = a;
    for (auto& v : inverted.pixels)
        v = std::uint8_t(255 - v);
    QVERIFY(std::abs(wb::suite::normalizedCrossCorrelation(a, inverted) + 1.0) < 1e-12);
    QCOMPARE(wb::suite::normalizedCrossCorrelation(a, Image::filled(32, 32, 1, 255)), 0.0);
    // Colour images compare through their grey.
    QVERIFY(std::abs(wb::suite::normalizedCrossCorrelation(a, wb::suite::toRgb(a)) - 1.0) < 1e-12);
}

void TestSuiteConsensus::medianByHand()
{
    Image a = Image::filled(2, 1, 1, 0), b = a, c = a;
    a.pixels = {10, 200};
    b.pixels = {30, 100};
    c.pixels = {20, 0};
    const Image m = wb::suite::medianImage({&a, &b, &c});
    QCOMPARE(int(m.pixels[0]), 20);
    QCOMPARE(int(m.pixels[1]), 100);
}

void TestSuiteConsensus::wrongFontIsDropped()
{
    auto renders = goodFonts(8);
    std::vector<Image> wrong; // each class drawn with the next class's shape
    for (int c = 0; c < 5; ++c)
        wrong.push_back(shape((c + 1) % 5, 0, 0, 3));
    renders.insert(renders.begin() + 3, wrong);

    const std::vector<FontVerdict> verdicts = wb::suite::consensusFilter(renders);
    QCOMPARE(int(verdicts.size()), 9);
    for (int f = 0; f < 9; ++f) {
        if (f == 3) continue;
        QVERIFY2(verdicts[std::size_t(f)].kept, verdicts[std::size_t(f)].reason.c_str());
        QVERIFY(verdicts[std::size_t(f)].meanNcc > 0.5);
    }
    QVERIFY(!verdicts[3].kept);
    QVERIFY(verdicts[3].meanNcc < 0.5);
    QVERIFY(verdicts[3].reason.find("mean NCC") != std::string::npos);
    QCOMPARE(verdicts[3].duplicateOf, -1);
}

void TestSuiteConsensus::oneWrongGlyphIsDropped()
{
    auto renders = goodFonts(7);
    renders[5][1] = shape(0, 0, 0, 3); // vertical bar class drawn as a horizontal bar
    ConsensusOptions options;
    const auto verdicts = wb::suite::consensusFilter(renders, options);
    QVERIFY(!verdicts[5].kept);
    QCOMPARE(verdicts[5].worstClass, 1);
    QVERIFY(verdicts[5].minNcc < options.minClassNcc);
    QVERIFY(verdicts[5].meanNcc >= options.minMeanNcc); // the per-class rule caught it
    for (int f : {0, 1, 2, 3, 4, 6})
        QVERIFY(verdicts[std::size_t(f)].kept);
    // Without the per-class rule it would have stayed.
    options.minClassNcc = -1.0;
    QVERIFY(wb::suite::consensusFilter(renders, options)[5].kept);
}

void TestSuiteConsensus::duplicateIsDropped()
{
    auto renders = goodFonts(6);
    renders.push_back(renders[1]);
    const auto verdicts = wb::suite::consensusFilter(renders);
    QVERIFY(verdicts[1].kept);
    QVERIFY(!verdicts[6].kept);
    QCOMPARE(verdicts[6].duplicateOf, 1);
    QVERIFY(verdicts[6].reason.find("duplicate") != std::string::npos);
}

QTEST_APPLESS_MAIN(TestSuiteConsensus)
#include "test_suite_consensus.moc"
