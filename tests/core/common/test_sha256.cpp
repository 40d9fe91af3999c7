#include "wb/common/sha256.h"

#include <algorithm>
#include <string>
#include <vector>

#include <QTest>

// FIPS 180-4 / NIST example vectors plus padding-boundary lengths, one-shot and fed in pieces.
class TestSha256 : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void knownVectors_data();
    void knownVectors();
    void incrementalMatchesOneShot_data();
    void incrementalMatchesOneShot();
    void millionA();
};

namespace {

QByteArray hashOf(const QByteArray& text)
{
    wb::Sha256 hash;
    hash.update(text.constData(), std::size_t(text.size()));
    return QByteArray::fromStdString(hash.hexDigest());
}

} // namespace

void TestSha256::knownVectors_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QByteArray>("digest");
    QTest::newRow("empty") << QByteArray()
                           << QByteArray("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b"
                                         "7852b855");
    QTest::newRow("abc") << QByteArray("abc")
                         << QByteArray("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61"
                                       "f20015ad");
    QTest::newRow("448 bits")
        << QByteArray("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
        << QByteArray("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    QTest::newRow("896 bits")
        << QByteArray(
               "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmn"
               "opqklmnopqrlmnopqrsmnopqrstnopqrstu")
        << QByteArray("cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
    // Lengths around the 56-byte padding boundary and the 64-byte block.
    QTest::newRow("55 a") << QByteArray(55, 'a')
                          << QByteArray("9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e91"
                                        "0f734318");
    QTest::newRow("56 a") << QByteArray(56, 'a')
                          << QByteArray("b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef797068"
                                        "6ec6738a");
    QTest::newRow("63 a") << QByteArray(63, 'a')
                          << QByteArray("7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da45"
                                        "7ddc2f34");
    QTest::newRow("64 a") << QByteArray(64, 'a')
                          << QByteArray("ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df"
                                        "154668eb");
    QTest::newRow("119 a") << QByteArray(119, 'a')
                           << QByteArray("31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea"
                                         "6584dcfb");
}

void TestSha256::knownVectors()
{
    QFETCH(QByteArray, input);
    QFETCH(QByteArray, digest);
    QCOMPARE(hashOf(input), digest);
}

void TestSha256::incrementalMatchesOneShot_data()
{
    QTest::addColumn<int>("pieceSize");
    for (int size : {1, 3, 55, 63, 64, 65, 200})
        QTest::newRow(std::to_string(size).c_str()) << size;
}

void TestSha256::incrementalMatchesOneShot()
{
    QFETCH(int, pieceSize);
    // 256 * 5 bytes covering every byte value; digest from Python's hashlib.
    std::vector<unsigned char> data;
    for (int repeat = 0; repeat < 5; ++repeat) {
        for (int value = 0; value < 256; ++value)
            data.push_back(static_cast<unsigned char>(value));
    }
    wb::Sha256 hash;
    for (std::size_t offset = 0; offset < data.size(); offset += pieceSize)
        hash.update(data.data() + offset, std::min<std::size_t>(pieceSize, data.size() - offset));
    QCOMPARE(QByteArray::fromStdString(hash.hexDigest()),
             QByteArray("d414b085826eb06778483ba35564dc849e643359f69ed9747878ba6e54985bed"));
}

void TestSha256::millionA()
{
    const std::string chunk(1000, 'a');
    wb::Sha256 hash;
    for (int i = 0; i < 1000; ++i)
        hash.update(chunk);
    QCOMPARE(QByteArray::fromStdString(hash.hexDigest()),
             QByteArray("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"));
}

QTEST_APPLESS_MAIN(TestSha256)
#include "test_sha256.moc"
