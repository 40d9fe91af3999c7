#include "wb/common/error.h"
#include "wb/suite/package_cache.h"
#include "wb/suite/process.h"
#include "wb/suite/sources.h"

#include <filesystem>
#include <fstream>

#include <QTemporaryDir>
#include <QTest>

// Source readers of the suite builder: GIMP patterns, emoji-test.txt, Debian copyright
// licences, and the no-shell process runner.
class TestSuiteSources : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void gimpPattern();
    void gimpPatternErrors();
    void emojiTest();
    void debianLicences();
    void processRunner();
    void packageCacheOffline();
    void packageNamesChecked();

private:
    static std::vector<std::uint8_t> patternBytes(std::uint32_t width, std::uint32_t height,
                                                  std::uint32_t depth, const std::string& name);
};

std::vector<std::uint8_t> TestSuiteSources::patternBytes(std::uint32_t width, std::uint32_t height,
                                                         std::uint32_t depth,
                                                         const std::string& name)
{
    std::vector<std::uint8_t> bytes;
    const auto word = [&](std::uint32_t v) {
        for (int shift = 24; shift >= 0; shift -= 8)
            bytes.push_back(std::uint8_t(v >> shift));
    };
    word(std::uint32_t(24 + name.size() + 1));
    word(1);
    word(width);
    word(height);
    word(depth);
    for (const char c : std::string("GPAT"))
        bytes.push_back(std::uint8_t(c));
    for (const char c : name)
        bytes.push_back(std::uint8_t(c));
    bytes.push_back(0);
    for (std::uint32_t i = 0; i < width * height * depth; ++i)
        bytes.push_back(std::uint8_t(i * 40));
    return bytes;
}

void TestSuiteSources::gimpPattern()
{
    // 2x1 RGBA: pixel 0 = (0, 40, 80, alpha 120), pixel 1 = (160, 200, 240, alpha 24).
    const auto pattern = wb::suite::parseGimpPattern(patternBytes(2, 1, 4, "Tiny"), "tiny.pat");
    QCOMPARE(QString::fromStdString(pattern.name), QString("Tiny"));
    QCOMPARE(pattern.image.width, 2);
    QCOMPARE(pattern.image.channels, 3);
    const auto over = [](int v, int a) { return (v * a + 255 * (255 - a) + 127) / 255; };
    QCOMPARE(int(pattern.image.pixels[0]), over(0, 120));
    QCOMPARE(int(pattern.image.pixels[2]), over(80, 120));
    QCOMPARE(int(pattern.image.pixels[3]), over(160, 24));
    // Grey patterns replicate to RGB.
    const auto grey = wb::suite::parseGimpPattern(patternBytes(1, 1, 1, "G"), "g.pat");
    QCOMPARE(int(grey.image.pixels[0]), 0);
    QCOMPARE(int(grey.image.pixels[2]), 0);
}

void TestSuiteSources::gimpPatternErrors()
{
    auto bytes = patternBytes(2, 2, 3, "X");
    auto badMagic = bytes;
    badMagic[20] = 'X';
    QVERIFY_THROWS_EXCEPTION(wb::Error, wb::suite::parseGimpPattern(badMagic, "bad.pat"));
    auto truncated = bytes;
    truncated.resize(truncated.size() - 1);
    QVERIFY_THROWS_EXCEPTION(wb::Error, wb::suite::parseGimpPattern(truncated, "short.pat"));
    auto badDepth = patternBytes(2, 2, 5, "X");
    QVERIFY_THROWS_EXCEPTION(wb::Error, wb::suite::parseGimpPattern(badDepth, "depth.pat"));
    QVERIFY_THROWS_EXCEPTION(wb::Error, wb::suite::parseGimpPattern({1, 2, 3}, "tiny.pat"));
    QVERIFY_THROWS_EXCEPTION(wb::Error, wb::suite::readGimpPattern("/nonexistent/x.pat"));
}

void TestSuiteSources::emojiTest()
{
    const std::string text = "# emoji-test.txt\n"
                             "# group: Animals & Nature\n"
                             "\n"
                             "# subgroup: animal-mammal\n"
                             "1F435                                                  ; "
                             "fully-qualified     # \xF0\x9F\x90\xB5 E0.6 monkey face\n"
                             "1F415 200D 1F9BA ; fully-qualified # x E12.0 service dog\n"
                             "263A FE0F ; fully-qualified # x E0.6 smiling face\n"
                             "263A ; unqualified # x E0.6 smiling face\n";
    const auto entries = wb::suite::parseEmojiTest(text, "emoji-test.txt");
    QCOMPARE(int(entries.size()), 4);
    QVERIFY(entries[0].codepoints == std::u32string(1, U'\U0001F435'));
    QCOMPARE(QString::fromStdString(entries[0].group), QString("Animals & Nature"));
    QCOMPARE(QString::fromStdString(entries[0].subgroup), QString("animal-mammal"));
    QCOMPARE(QString::fromStdString(entries[0].name), QString("monkey face"));
    QCOMPARE(QString::fromStdString(entries[0].status), QString("fully-qualified"));
    QCOMPARE(int(entries[1].codepoints.size()), 3);
    QCOMPARE(QString::fromStdString(entries[3].status), QString("unqualified"));
    QVERIFY_THROWS_EXCEPTION(wb::Error,
                             wb::suite::parseEmojiTest("XYZ ; fully-qualified # x E1 bad\n", "t"));
    QVERIFY_THROWS_EXCEPTION(wb::Error, wb::suite::parseEmojiTest("1F600 no separator\n", "t"));
}

void TestSuiteSources::debianLicences()
{
    const std::string copyright =
        "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"
        "\nFiles: *\nCopyright: someone\nLicense: OFL-1.1\n text\n"
        "\nFiles: debian/*\nLicense: GPL-2+\n"
        "\nLicense: OFL-1.1\n full text\n";
    const auto licences = wb::suite::parseDebianLicences(copyright);
    QVERIFY((licences == std::vector<std::string>{"OFL-1.1", "GPL-2+"}));
    QVERIFY(wb::suite::parseDebianLicences("free-form text\n").empty());
}

void TestSuiteSources::processRunner()
{
    const auto echo = wb::suite::runProcess({"printf", "%s-%s", "a b", "c"});
    QCOMPARE(echo.exitCode, 0);
    QCOMPARE(QString::fromStdString(echo.output), QString("a b-c")); // no shell splitting
    QTemporaryDir dir;
    const auto pwd = wb::suite::runProcess({"pwd"}, dir.path().toStdString());
    QCOMPARE(std::filesystem::canonical(pwd.output.substr(0, pwd.output.size() - 1)),
             std::filesystem::canonical(dir.path().toStdString()));
    const auto failing = wb::suite::runProcess({"ls", "/nonexistent-suite-path"});
    QVERIFY(failing.exitCode != 0);
    QVERIFY(!failing.output.empty()); // stderr is captured too
    QVERIFY_THROWS_EXCEPTION(wb::Error, wb::suite::runProcess({"no-such-program-for-suite-tests"}));
    QCOMPARE(QString::fromStdString(wb::suite::outputTail("one\ntwo\nthree\n", 2)),
             QString("two three"));
}

void TestSuiteSources::packageCacheOffline()
{
    // A .deb already in the cache is unpacked and read without any network: it is built here
    // with dpkg-deb.
    if (wb::suite::runProcess({"sh", "-c", "command -v dpkg-deb"}).exitCode != 0)
        QSKIP("dpkg-deb not installed");
    QTemporaryDir dir;
    const std::filesystem::path root = dir.path().toStdString();
    const std::filesystem::path tree = root / "tree";
    std::filesystem::create_directories(tree / "DEBIAN");
    std::filesystem::create_directories(tree / "usr/share/doc/wb-suite-test");
    std::filesystem::create_directories(tree / "usr/share/fonts");
    std::ofstream(tree / "DEBIAN/control")
        << "Package: wb-suite-test\nVersion: 1.2-3\nArchitecture: all\n"
           "Maintainer: Test <test@example.org>\nDescription: suite cache test\n";
    std::ofstream(tree / "usr/share/doc/wb-suite-test/copyright")
        << "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\n"
           "Files: *\nLicense: OFL-1.1\n";
    std::ofstream(tree / "usr/share/fonts/a.ttf") << "x";
    std::filesystem::create_symlink("a.ttf", tree / "usr/share/fonts/link.ttf");
    const std::filesystem::path cacheDir = root / "cache";
    std::filesystem::create_directories(cacheDir / "debs");
    QCOMPARE(wb::suite::runProcess({"dpkg-deb", "--root-owner-group", "--build", tree.string(),
                                    (cacheDir / "debs/wb-suite-test_1.2-3_all.deb").string()})
                 .exitCode,
             0);

    std::vector<std::string> log;
    wb::suite::PackageCache cache(cacheDir, [&](const std::string& line) { log.push_back(line); });
    const wb::suite::PackageFiles& deb = cache.deb("wb-suite-test");
    QCOMPARE(QString::fromStdString(deb.version), QString("1.2-3"));
    QCOMPARE(QString::fromStdString(deb.origin), QString("cache"));
    QVERIFY((deb.licences == std::vector<std::string>{"OFL-1.1"}));
    QCOMPARE(QString::fromStdString(deb.licenceFile),
             QString("usr/share/doc/wb-suite-test/copyright"));
    QVERIFY(std::filesystem::is_regular_file(deb.root / "usr/share/fonts/a.ttf"));
    // Links are not listed (in a real package they point into other packages).
    QVERIFY((deb.files == std::vector<std::string>{"usr/share/doc/wb-suite-test/copyright",
                                                   "usr/share/fonts/a.ttf"}));
    QVERIFY(std::filesystem::is_directory(cacheDir / "x/wb-suite-test_1.2-3_all"));
    QCOMPARE(&cache.deb("wb-suite-test"), &deb); // memoised

    // A second cache over the same folder reuses the unpacked trees.
    wb::suite::PackageCache again(cacheDir, {});
    QCOMPARE(again.deb("wb-suite-test").root, deb.root);
    // No temporary folders are left behind.
    for (const auto& entry : std::filesystem::recursive_directory_iterator(cacheDir))
        QVERIFY2(entry.path().filename().string().rfind(".tmp-", 0) != 0, entry.path().c_str());
}

void TestSuiteSources::packageNamesChecked()
{
    QTemporaryDir dir;
    wb::suite::PackageCache cache(dir.path().toStdString(), {});
    for (const std::string name : {"-o", "Bad Name", "", "a;b", "../x"})
        QVERIFY_THROWS_EXCEPTION(wb::Error, cache.deb(name));
}

QTEST_APPLESS_MAIN(TestSuiteSources)
#include "test_suite_sources.moc"
