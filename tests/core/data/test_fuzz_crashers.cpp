// Inputs tools/fuzz.sh found (tests/data/errors/fuzz): each must now fail cleanly, quickly and
// with a message, where it used to hang, allocate gigabytes or hit undefined behaviour.

#include "data/image_decode.h"
#include "wb/common/error.h"
#include "wb/darts/search_config.h"

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <QElapsedTimer>
#include <QTest>

namespace {

std::string crasher(const char* name)
{
    std::ifstream in(std::string(WB_TEST_DATA_DIR) + "/errors/fuzz/" + name, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

} // namespace

class TestFuzzCrashers : public QObject {
    Q_OBJECT
private Q_SLOTS:
    // fuzz_image: a 53-byte BMP whose header claims 63487 x 3360 pixels took > 10 s and 640 MB.
    void hugeImageHeaderIsRefusedAtOnce()
    {
        const auto text = crasher("bmp_63487x3360_header.bmp");
        QCOMPARE(text.size(), std::size_t(53));
        QElapsedTimer clock;
        clock.start();
        try {
            wb::data::decodeImage(std::vector<std::uint8_t>(text.begin(), text.end()));
            QFAIL("decoded");
        } catch (const wb::Error& e) {
            QVERIFY2(std::string(e.what()).find("63487x3360 pixels is larger than the 8192") !=
                         std::string::npos,
                     e.what());
        }
        QVERIFY(clock.elapsed() < 1000);
    }

    // fuzz_search_config: "max_per_class": 5e34 was converted to int (undefined behaviour).
    void outOfRangeIntegersAreRefused_data()
    {
        QTest::addColumn<QString>("json");
        QTest::addColumn<QString>("message");
        QTest::newRow("fuzz crasher")
            << QString::fromStdString(crasher("search_config_int_overflow.json"))
            << "max_per_class = 5e+34 is not an integer in range";
        QTest::newRow("2^40 channels") << "{\"channels\": 1099511627776}"
                                       << "channels = 1099511627776 is not an integer";
        QTest::newRow("fraction") << "{\"layers\": 2.5}"
                                  << "layers = 2.5 is not an integer";
        QTest::newRow("negative seed") << "{\"runtime\": {\"seed\": -1}}"
                                       << "seed = -1 is not an integer in range";
    }
    void outOfRangeIntegersAreRefused()
    {
        QFETCH(QString, json);
        QFETCH(QString, message);
        try {
            wb::darts::SearchConfig::fromJson(json.toStdString());
            QFAIL("accepted");
        } catch (const wb::Error& e) {
            QVERIFY2(QString(e.what()).contains(message), e.what());
        }
    }

    void integersInRangeStillLoad()
    {
        const auto c = wb::darts::SearchConfig::fromJson(
            "{\"channels\": 12, \"runtime\": {\"seed\": 18446744073709551615}}");
        QCOMPARE(c.channels, 12);
        QCOMPARE(c.runtime.seed, std::uint64_t(18446744073709551615ULL));
    }
};

QTEST_APPLESS_MAIN(TestFuzzCrashers)
#include "test_fuzz_crashers.moc"
