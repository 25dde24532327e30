// SseParser: the text/event-stream rules of the WHATWG spec, each case fed whole, byte by
// byte, and in the chunks given, which must all give the same events.

#include "upstream/sseparser.h"

#include <QTest>

using metamcp::SseEvent;
using metamcp::SseParser;

namespace {

SseEvent ev(const QString &data, const QString &type = QStringLiteral("message"), const QString &id = {})
{
    SseEvent e;
    e.type = type;
    e.data = data;
    e.id = id;
    return e;
}

QList<SseEvent> feedAll(SseParser &parser, const QByteArrayList &chunks)
{
    QList<SseEvent> events;
    for (const QByteArray &chunk : chunks)
        events += parser.feed(chunk);
    return events;
}

} // namespace

namespace QTest {
template<> char *toString(const SseEvent &e)
{
    return qstrdup(QStringLiteral("{type=%1 id=%2 data=%3}").arg(e.type, e.id, e.data).toUtf8().constData());
}
} // namespace QTest

class TestSseParser : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parse_data();
    void parse();
    void lastEventIdAndRetry();
    void crAtChunkEnd();
    void resetKeepsLastEventId();
    void overlongLineDropsItsEvent();
    void manyEventsOneChunk();
};

void TestSseParser::parse_data()
{
    QTest::addColumn<QByteArrayList>("chunks");
    QTest::addColumn<QList<SseEvent>>("expected");

    using L = QList<SseEvent>;
    static constexpr char kIdWithNul[] = "id: 1\ndata: a\n\nid: 2\0x\ndata: b\n\n";
    QTest::newRow("single") << QByteArrayList{"data: hello\n\n"} << L{ev(QStringLiteral("hello"))};
    QTest::newRow("multi-line data") << QByteArrayList{"data: a\ndata: b\n\n"} << L{ev(QStringLiteral("a\nb"))};
    QTest::newRow("event type") << QByteArrayList{"event: endpoint\ndata: /message?sessionId=1\n\n"}
                                << L{ev(QStringLiteral("/message?sessionId=1"), QStringLiteral("endpoint"))};
    QTest::newRow("type resets after dispatch")
        << QByteArrayList{"event: e\ndata: 1\n\ndata: 2\n\n"}
        << L{ev(QStringLiteral("1"), QStringLiteral("e")), ev(QStringLiteral("2"))};
    QTest::newRow("event without data is not dispatched")
        << QByteArrayList{"event: e\n\ndata: x\n\n"} << L{ev(QStringLiteral("x"))};
    QTest::newRow("id persists") << QByteArrayList{"id: 7\ndata: a\n\ndata: b\n\n"}
                                 << L{ev(QStringLiteral("a"), QStringLiteral("message"), QStringLiteral("7")),
                                      ev(QStringLiteral("b"), QStringLiteral("message"), QStringLiteral("7"))};
    QTest::newRow("empty id clears") << QByteArrayList{"id: 7\ndata: a\n\nid\ndata: b\n\n"}
                                     << L{ev(QStringLiteral("a"), QStringLiteral("message"), QStringLiteral("7")),
                                          ev(QStringLiteral("b"))};
    QTest::newRow("id with NUL ignored") << QByteArrayList{QByteArray(kIdWithNul, sizeof(kIdWithNul) - 1)}
                                         << L{ev(QStringLiteral("a"), QStringLiteral("message"), QStringLiteral("1")),
                                              ev(QStringLiteral("b"), QStringLiteral("message"), QStringLiteral("1"))};
    QTest::newRow("comments") << QByteArrayList{": keep-alive\n\n:\ndata: x\n: inside\n\n"}
                              << L{ev(QStringLiteral("x"))};
    QTest::newRow("CRLF") << QByteArrayList{"data: a\r\ndata: b\r\n\r\n"} << L{ev(QStringLiteral("a\nb"))};
    QTest::newRow("CR") << QByteArrayList{"data: a\rdata: b\r\rdata: c\r\r"}
                        << L{ev(QStringLiteral("a\nb")), ev(QStringLiteral("c"))};
    QTest::newRow("mixed line ends") << QByteArrayList{"data: a\r\ndata: b\rdata: c\n\r\n"}
                                     << L{ev(QStringLiteral("a\nb\nc"))};
    QTest::newRow("CRLF split between chunks")
        << QByteArrayList{"data: a\r", "\n\r", "\n"} << L{ev(QStringLiteral("a"))};
    QTest::newRow("BOM") << QByteArrayList{"\xEF\xBB\xBF"
                                           "data: a\n\n"}
                         << L{ev(QStringLiteral("a"))};
    QTest::newRow("BOM split") << QByteArrayList{"\xEF", "\xBB",
                                                 "\xBF"
                                                 "data: a\n\n"}
                               << L{ev(QStringLiteral("a"))};
    QTest::newRow("second BOM is data") << QByteArrayList{"data: \xEF\xBB\xBFx\n\n"}
                                        << L{ev(QString(QChar(0xFEFF)) + QStringLiteral("x"))};
    QTest::newRow("no space after colon") << QByteArrayList{"data:a\n\n"} << L{ev(QStringLiteral("a"))};
    QTest::newRow("only one space removed") << QByteArrayList{"data:  a \n\n"} << L{ev(QStringLiteral(" a "))};
    QTest::newRow("field without colon") << QByteArrayList{"data\n\n"} << L{ev(QString())};
    QTest::newRow("empty data lines") << QByteArrayList{"data\ndata\n\n"} << L{ev(QStringLiteral("\n"))};
    QTest::newRow("unknown field") << QByteArrayList{"foo: bar\ndata: x\n\n"} << L{ev(QStringLiteral("x"))};
    QTest::newRow("unterminated event is dropped")
        << QByteArrayList{"data: a\n\ndata: b\n"} << L{ev(QStringLiteral("a"))};
    QTest::newRow("colon in value") << QByteArrayList{"data: {\"a\":\"b:c\"}\n\n"}
                                    << L{ev(QStringLiteral("{\"a\":\"b:c\"}"))};
    QTest::newRow("utf-8") << QByteArrayList{"data: gr\xC3\xBC\xC3\x9F\xE2\x82\xAC\n\n"}
                           << L{ev(QStringLiteral("grüß€"))};
    QTest::newRow("json-rpc in pieces") << QByteArrayList{"event: message\nid: abc\n", "data: {\"jsonrpc\":\"2.0\",",
                                                          "\"id\":1,\"result\":{}}\n", "\n"}
                                        << L{ev(QStringLiteral("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}"),
                                                QStringLiteral("message"), QStringLiteral("abc"))};
    QTest::newRow("empty input") << QByteArrayList{""} << L{};
    QTest::newRow("blank lines only") << QByteArrayList{"\n\n\r\n\r"} << L{};
}

void TestSseParser::parse()
{
    QFETCH(QByteArrayList, chunks);
    QFETCH(QList<SseEvent>, expected);

    SseParser inChunks;
    QCOMPARE(feedAll(inChunks, chunks), expected);

    SseParser whole;
    QCOMPARE(whole.feed(chunks.join()), expected);

    SseParser byteByByte;
    QByteArrayList bytes;
    const QByteArray all = chunks.join();
    for (char c : all)
        bytes.append(QByteArray(1, c));
    QCOMPARE(feedAll(byteByByte, bytes), expected);
}

void TestSseParser::lastEventIdAndRetry()
{
    SseParser parser;
    QCOMPARE(parser.retryMs(), -1);
    QVERIFY(parser.feed("retry: 3000\n\n").isEmpty());
    QCOMPARE(parser.retryMs(), 3000);
    parser.feed("retry: 12x\n\nretry:\n\nretry: -5\n\n");
    QCOMPARE(parser.retryMs(), 3000); // invalid values are ignored
    parser.feed("retry:250\nid: e-9\n\n");
    QCOMPARE(parser.retryMs(), 250);
    QCOMPARE(parser.lastEventId(), QStringLiteral("e-9")); // set even without data
}

void TestSseParser::crAtChunkEnd()
{
    // A CR ending a chunk ends the line at once; the LF of the next chunk must not make an
    // empty line (which would dispatch early).
    SseParser parser;
    QVERIFY(parser.feed("data: a\r").isEmpty());
    QVERIFY(parser.feed("\ndata: b\r").isEmpty());
    const QList<SseEvent> events = parser.feed("\n\r\n");
    QCOMPARE(events, QList<SseEvent>{ev(QStringLiteral("a\nb"))});
}

void TestSseParser::resetKeepsLastEventId()
{
    SseParser parser;
    parser.feed("id: 42\ndata: x\n\ndata: partial");
    parser.reset(false);
    QCOMPARE(parser.lastEventId(), QStringLiteral("42"));
    QCOMPARE(parser.feed("\xEF\xBB\xBF"
                         "data: y\n\n"),
             QList<SseEvent>{ev(QStringLiteral("y"), QStringLiteral("message"), QStringLiteral("42"))});
    parser.reset();
    QVERIFY(parser.lastEventId().isEmpty());
}

void TestSseParser::overlongLineDropsItsEvent()
{
    SseParser parser;
    const QByteArray big(SseParser::kMaxLineBytes / 4, 'x');
    QByteArray stream = "data: ok1\n\ndata: ";
    QList<SseEvent> events = parser.feed(stream);
    for (int i = 0; i < 5; ++i)
        events += parser.feed(big);
    events += parser.feed("\ndata: more\n\ndata: ok2\n\n");
    QCOMPARE(events, (QList<SseEvent>{ev(QStringLiteral("ok1")), ev(QStringLiteral("ok2"))}));
}

void TestSseParser::manyEventsOneChunk()
{
    QByteArray stream;
    for (int i = 0; i < 1000; ++i)
        stream += "id: " + QByteArray::number(i) + "\ndata: " + QByteArray::number(i * 2) + "\n\n";
    SseParser parser;
    const QList<SseEvent> events = parser.feed(stream);
    QCOMPARE(events.size(), 1000);
    QCOMPARE(events.at(999).data, QStringLiteral("1998"));
    QCOMPARE(events.at(999).id, QStringLiteral("999"));
}

QTEST_GUILESS_MAIN(TestSseParser)
#include "tst_sseparser.moc"
