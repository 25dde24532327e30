// LineBuffer: newline framing of the stdio transport (partial, CRLF, huge and over-long lines).

#include "upstream/linebuffer.h"

#include <QTest>

using metamcp::LineBuffer;

namespace {

QByteArrayList drain(LineBuffer &buffer)
{
    QByteArrayList lines;
    while (const auto line = buffer.takeLine())
        lines.append(*line);
    return lines;
}

} // namespace

class TestLineBuffer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void split_data();
    void split();
    void hugeLineInSmallPieces();
    void overlongLineIsDropped();
    void rest();
};

void TestLineBuffer::split_data()
{
    QTest::addColumn<QByteArrayList>("chunks");
    QTest::addColumn<QByteArrayList>("lines");
    QTest::addColumn<QByteArray>("rest");

    QTest::newRow("one") << QByteArrayList{"{\"a\":1}\n"} << QByteArrayList{"{\"a\":1}"} << QByteArray();
    QTest::newRow("two in one chunk") << QByteArrayList{"a\nb\n"} << QByteArrayList{"a", "b"} << QByteArray();
    QTest::newRow("partial") << QByteArrayList{"ab", "c\nd"} << QByteArrayList{"abc"} << QByteArray("d");
    QTest::newRow("crlf") << QByteArrayList{"a\r\nb\r", "\n"} << QByteArrayList{"a", "b"} << QByteArray();
    QTest::newRow("empty lines") << QByteArrayList{"\n\na\n"} << QByteArrayList{"", "", "a"} << QByteArray();
    QTest::newRow("lone CR kept") << QByteArrayList{"a\rb\n"} << QByteArrayList{"a\rb"} << QByteArray();
}

void TestLineBuffer::split()
{
    QFETCH(QByteArrayList, chunks);
    QFETCH(QByteArrayList, lines);
    QFETCH(QByteArray, rest);

    LineBuffer buffer;
    QByteArrayList got;
    for (const QByteArray &chunk : chunks) {
        buffer.append(chunk);
        got += drain(buffer);
    }
    QCOMPARE(got, lines);
    QCOMPARE(buffer.takeRest(), rest);
}

void TestLineBuffer::hugeLineInSmallPieces()
{
    LineBuffer buffer;
    const QByteArray piece(4096, 'x');
    for (int i = 0; i < 4096; ++i) { // 16 MiB in 4 KiB pieces, scanned once
        buffer.append(piece);
        QVERIFY(!buffer.takeLine());
    }
    buffer.append("\nnext\n");
    const QByteArrayList lines = drain(buffer);
    QCOMPARE(lines.size(), 2);
    QCOMPARE(lines.first().size(), 4096 * 4096);
    QCOMPARE(lines.last(), QByteArray("next"));
}

void TestLineBuffer::overlongLineIsDropped()
{
    LineBuffer buffer(100);
    buffer.append("ok\n");
    buffer.append(QByteArray(80, 'y'));
    buffer.append(QByteArray(80, 'y'));
    QCOMPARE(drain(buffer), QByteArrayList{"ok"});
    buffer.append(QByteArray(500, 'y') + "\nafter\n");
    QCOMPARE(drain(buffer), QByteArrayList{"after"});
    QCOMPARE(buffer.takeDroppedCount(), 1);
    buffer.append(QByteArray(150, 'z') + "\nlast\n"); // over-long line complete in one chunk
    QCOMPARE(drain(buffer), QByteArrayList{"last"});
    QCOMPARE(buffer.takeDroppedCount(), 1);
}

void TestLineBuffer::rest()
{
    LineBuffer buffer;
    buffer.append("a\nunterminated");
    QCOMPARE(drain(buffer), QByteArrayList{"a"});
    QCOMPARE(buffer.bufferedBytes(), 12);
    QCOMPARE(buffer.takeRest(), QByteArray("unterminated"));
    QCOMPARE(buffer.bufferedBytes(), 0);
}

QTEST_GUILESS_MAIN(TestLineBuffer)
#include "tst_linebuffer.moc"
