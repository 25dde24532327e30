// The incremental HTTP/1.x response parser on its own (no socket): every input is fed whole, in
// two pieces at every split point, in three pieces at every pair of split points, and one byte
// at a time, and each way must end the same (result, message, error, unconsumed bytes).
// Then what it accepts, what it refuses, its limits and its end-of-stream handling.

#include "http/httpresponseparser.h"

#include <QObject>
#include <QTest>

using metamcp::http::HttpHeaders;
using metamcp::http::HttpResponseParser;
using Result = HttpResponseParser::Result;
Q_DECLARE_METATYPE(HttpResponseParser::Result)

namespace {

constexpr qint64 kMaxHeaderBytes = 256;
constexpr qint64 kMaxBodyBytes = 64;

// What a parser made of one input.
struct Outcome
{
    Result result = Result::NeedMore;
    int status = 0;
    QByteArray reason;
    HttpHeaders headers;
    QByteArray body;
    QString error;
    qsizetype leftover = 0; // bytes not consumed
    bool keepAlive = false;

    bool operator==(const Outcome &) const = default;
};

// Feeds `input` in the pieces that `cuts` (ascending offsets) mark, the way HttpClient does:
// unconsumed bytes are handed over again together with the next piece. With `eof`, the end
// of the input is the end of the connection.
Outcome feedCut(const QByteArray &input, const QList<qsizetype> &cuts, bool eof = false, bool head = false)
{
    HttpResponseParser parser;
    parser.setLimits(kMaxHeaderBytes, kMaxBodyBytes);
    parser.reset(head);
    QByteArray buffer;
    qsizetype pos = 0;
    qsizetype piece = 0;
    qsizetype fed = 0;
    Outcome outcome;
    for (;;) {
        qsizetype consumed = 0;
        outcome.result = parser.feed(buffer.constData() + pos, buffer.size() - pos, &consumed);
        pos += consumed;
        if (outcome.result != Result::NeedMore || fed >= input.size())
            break;
        const qsizetype end = piece < cuts.size() ? cuts[piece++] : input.size();
        buffer.append(input.mid(fed, end - fed));
        fed = end;
    }
    if (outcome.result == Result::NeedMore && eof)
        outcome.result = parser.finishAtEof();
    outcome.status = parser.message().status;
    outcome.reason = parser.message().reason;
    outcome.headers = parser.message().headers;
    outcome.body = parser.message().body;
    outcome.error = parser.error();
    outcome.leftover = (buffer.size() - pos) + (input.size() - fed);
    outcome.keepAlive = parser.keepAlive();
    return outcome;
}

Outcome feedWhole(const QByteArray &input, bool eof = false, bool head = false)
{
    return feedCut(input, {}, eof, head);
}

QByteArray describe(const QByteArray &split, const Outcome &o)
{
    QByteArray headers;
    for (const auto &h : o.headers)
        headers += h.first + '=' + h.second + ';';
    return split + ": result " + QByteArray::number(int(o.result)) + ", status " + QByteArray::number(o.status) +
           " \"" + o.reason + "\", headers " + headers + ", body \"" + o.body + "\", error \"" + o.error.toUtf8() +
           "\", leftover " + QByteArray::number(o.leftover) + ", keep-alive " + QByteArray::number(o.keepAlive);
}

QByteArray mismatch(const QByteArray &split, const Outcome &got, const Outcome &whole)
{
    return describe(split, got) + "\n   vs " + describe("whole", whole);
}

const QByteArray kChunkedHead = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";

} // namespace

class TestHttpResponseParser : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void splitInvariance_data();
    void splitInvariance();
    void accepted_data();
    void accepted();
    void refused_data();
    void refused();
    void limits_data();
    void limits();
    void endOfStream();
    void pipelinedBytesAreLeft();
    void headResponseHasNoBody();
    void resetForgetsEverything();
    void takeMessageEmptiesIt();
};

void TestHttpResponseParser::splitInvariance_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<bool>("eof");
    QTest::addColumn<Result>("expected"); // the whole-input result, to know the row means what it says

    QTest::newRow("content-length") << QByteArray("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                                                  "Content-Length: 11\r\n\r\nhello world")
                                    << false << Result::Complete;
    QTest::newRow("chunked, extensions, trailers, folded header")
        << QByteArray("HTTP/1.1 201 Created\r\nX-Long: a\r\n  b\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "4;x=1\r\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nTrailer: yes\r\n\r\n")
        << false << Result::Complete;
    QTest::newRow("interim responses first")
        << QByteArray("\r\nHTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
                      "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok")
        << false << Result::Complete;
    QTest::newRow("close-delimited") << QByteArray("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end") << true
                                     << Result::Complete;
    QTest::newRow("bare LF in the head") << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 2\n\r\nok") << false
                                         << Result::Error;
    QTest::newRow("bare LF status line") << QByteArray("HTTP/1.1 200\nContent-Length: 3\n\nabc") << false
                                         << Result::Error;
    QTest::newRow("bare LF after chunk data")
        << QByteArray(kChunkedHead + "2\r\nab\n0\r\n\r\n") << false << Result::Error;
    QTest::newRow("bare LF after chunk size")
        << QByteArray(kChunkedHead + "2\nab\r\n0\r\n\r\n") << false << Result::Error;
    QTest::newRow("bare LF ends the trailers")
        << QByteArray(kChunkedHead + "2\r\nab\r\n0\r\n\n") << false << Result::Error;
    QTest::newRow("CR then junk after chunk data")
        << QByteArray(kChunkedHead + "2\r\nab\rX0\r\n\r\n") << false << Result::Error;
    QTest::newRow("header section too large")
        << QByteArray("HTTP/1.1 200 OK\r\nX-Big: " + QByteArray(kMaxHeaderBytes, 'a') + "\r\n\r\n") << false
        << Result::Error;
    QTest::newRow("body too large, chunked") << QByteArray(kChunkedHead + "30\r\n" + QByteArray(48, 'x') +
                                                           "\r\n30\r\n" + QByteArray(48, 'y') + "\r\n0\r\n\r\n")
                                             << false << Result::TooLarge;
    QTest::newRow("body too large, until close")
        << QByteArray("HTTP/1.0 200 OK\r\n\r\n" + QByteArray(kMaxBodyBytes + 1, 'z')) << true << Result::TooLarge;
    QTest::newRow("truncated chunked") << QByteArray(kChunkedHead + "5\r\nab") << true << Result::Error;
}

void TestHttpResponseParser::splitInvariance()
{
    QFETCH(QByteArray, input);
    QFETCH(bool, eof);
    QFETCH(Result, expected);
    const Outcome whole = feedWhole(input, eof);
    QVERIFY2(whole.result == expected, describe("whole", whole));
    if (expected != Result::Complete)
        QVERIFY(!whole.error.isEmpty());

    QList<qsizetype> bytewise;
    for (qsizetype i = 1; i < input.size(); ++i)
        bytewise.append(i);
    const Outcome single = feedCut(input, bytewise, eof);
    QVERIFY2(single == whole, mismatch("byte by byte", single, whole));

    for (qsizetype i = 1; i < input.size(); ++i) {
        const Outcome two = feedCut(input, {i}, eof);
        QVERIFY2(two == whole, mismatch("cut at " + QByteArray::number(i), two, whole));
    }
    if (input.size() > 200)
        return; // every pair of cuts of the short ones is enough
    for (qsizetype i = 1; i < input.size(); ++i) {
        for (qsizetype j = i + 1; j < input.size(); ++j) {
            const Outcome three = feedCut(input, {i, j}, eof);
            if (!(three == whole))
                QFAIL(mismatch("cuts at " + QByteArray::number(i) + "," + QByteArray::number(j), three, whole));
        }
    }
}

void TestHttpResponseParser::accepted_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("reason");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<bool>("keepAlive");
    QTest::addColumn<QByteArray>("headerName"); // checked when not empty
    QTest::addColumn<QByteArray>("headerValue");

    QTest::newRow("no reason phrase") << QByteArray("HTTP/1.1 204\r\n\r\n") << 204 << QByteArray() << QByteArray()
                                      << true << QByteArray() << QByteArray();
    QTest::newRow("reason with tabs and symbols")
        << QByteArray("HTTP/1.1 200 All\tfine ;-)\r\nContent-Length: 2\r\n\r\nok") << 200 << QByteArray("All\tfine ;-)")
        << QByteArray("ok") << true << QByteArray() << QByteArray();
    QTest::newRow("names lower-cased, values trimmed")
        << QByteArray("HTTP/1.1 200 OK\r\nX-Thing: \t v a l \t\r\nContent-Length: 0\r\n\r\n") << 200 << QByteArray("OK")
        << QByteArray() << true << QByteArray("x-thing") << QByteArray("v a l");
    QTest::newRow("obs-fold joined with a space")
        << QByteArray("HTTP/1.1 200 OK\r\nX-Long: a\r\n\t b \r\nContent-Length: 0\r\n\r\n") << 200 << QByteArray("OK")
        << QByteArray() << true << QByteArray("x-long") << QByteArray("a b");
    QTest::newRow("trailers appended") << QByteArray(kChunkedHead + "3\r\nabc\r\n0\r\nX-Sum: 6\r\n\r\n") << 200
                                       << QByteArray("OK") << QByteArray("abc") << true << QByteArray("x-sum")
                                       << QByteArray("6");
    QTest::newRow("chunk extension and spaces")
        << QByteArray(kChunkedHead + "3 ;a=\"b c\"\r\nabc\r\n0\r\n\r\n") << 200 << QByteArray("OK") << QByteArray("abc")
        << true << QByteArray() << QByteArray();
    QTest::newRow("repeated equal content-length")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 3, 3\r\nContent-Length: 3\r\n\r\nabc") << 200
        << QByteArray("OK") << QByteArray("abc") << true << QByteArray() << QByteArray();
    QTest::newRow("chunked wins over content-length, no reuse")
        << QByteArray(
               "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n")
        << 200 << QByteArray("OK") << QByteArray("ok") << false << QByteArray() << QByteArray();
    QTest::newRow("Connection: close") << QByteArray(
                                              "HTTP/1.1 200 OK\r\nConnection: x, Close\r\nContent-Length: 0\r\n\r\n")
                                       << 200 << QByteArray("OK") << QByteArray() << false << QByteArray()
                                       << QByteArray();
    QTest::newRow("HTTP/1.0 closes by default")
        << QByteArray("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n") << 200 << QByteArray("OK") << QByteArray()
        << false << QByteArray() << QByteArray();
    QTest::newRow("304 ignores the length")
        << QByteArray("HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n") << 304 << QByteArray("Not Modified")
        << QByteArray() << true << QByteArray() << QByteArray();
    QTest::newRow("body at the limit") << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 64\r\n\r\n" +
                                                     QByteArray(kMaxBodyBytes, 'b'))
                                       << 200 << QByteArray("OK") << QByteArray(kMaxBodyBytes, 'b') << true
                                       << QByteArray() << QByteArray();
}

void TestHttpResponseParser::accepted()
{
    QFETCH(QByteArray, input);
    QFETCH(int, status);
    QFETCH(QByteArray, reason);
    QFETCH(QByteArray, body);
    QFETCH(bool, keepAlive);
    QFETCH(QByteArray, headerName);
    QFETCH(QByteArray, headerValue);
    const Outcome o = feedWhole(input);
    QVERIFY2(o.result == Result::Complete, describe("whole", o));
    QCOMPARE(o.status, status);
    QCOMPARE(o.reason, reason);
    QCOMPARE(o.body, body);
    QCOMPARE(o.keepAlive, keepAlive);
    QCOMPARE(o.leftover, 0);
    if (!headerName.isEmpty()) {
        QByteArray value;
        bool found = false;
        for (const auto &h : o.headers) {
            if (h.first == headerName) {
                value = h.second;
                found = true;
            }
        }
        QVERIFY2(found, describe("whole", o));
        QCOMPARE(value, headerValue);
    }
}

void TestHttpResponseParser::refused_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QString>("error");

    QTest::newRow("garbage") << QByteArray("GARBAGE\r\n\r\n") << QStringLiteral("status line \"GARBAGE\"");
    QTest::newRow("HTTP/2") << QByteArray("HTTP/2 200 OK\r\n\r\n") << QStringLiteral("status line");
    QTest::newRow("status below 100") << QByteArray("HTTP/1.1 099 Low\r\n\r\n") << QStringLiteral("status line");
    QTest::newRow("status not digits") << QByteArray("HTTP/1.1 2x0 OK\r\n\r\n") << QStringLiteral("status line");
    QTest::newRow("junk after the status") << QByteArray("HTTP/1.1 200XOK\r\n\r\n") << QStringLiteral("status line");
    QTest::newRow("NUL in the status line")
        << QByteArray("HTTP/1.1 200 O\0K\r\n\r\n", 20) << QStringLiteral("status line");
    QTest::newRow("bare LF") << QByteArray("HTTP/1.1 200 OK\n\n") << QStringLiteral("bare LF");
    QTest::newRow("bare LF as the empty line")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\n") << QStringLiteral("bare LF");
    QTest::newRow("bare LF before the status line")
        << QByteArray("\nHTTP/1.1 200 OK\r\n\r\n") << QStringLiteral("bare LF");
    QTest::newRow("bare CR inside a header")
        << QByteArray("HTTP/1.1 200 OK\r\nX: a\rb\r\n\r\n") << QStringLiteral("header line");
    QTest::newRow("header without colon")
        << QByteArray("HTTP/1.1 200 OK\r\nNoColon\r\n\r\n") << QStringLiteral("header line");
    QTest::newRow("space before the colon")
        << QByteArray("HTTP/1.1 200 OK\r\nX-A : b\r\n\r\n") << QStringLiteral("header line");
    QTest::newRow("obs-fold first") << QByteArray("HTTP/1.1 200 OK\r\n folded\r\n\r\n")
                                    << QStringLiteral("header line");
    QTest::newRow("obs-fold of a framing header")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n 0\r\n\r\nz") << QStringLiteral("header line");
    QTest::newRow("content-length not a number")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 1a\r\n\r\n") << QStringLiteral("header line");
    QTest::newRow("content-length empty")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: \r\n\r\n") << QStringLiteral("header line");
    QTest::newRow("content-length of 19 digits")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 0000000000000000001\r\n\r\n")
        << QStringLiteral("header line");
    QTest::newRow("conflicting content-lengths")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n")
        << QStringLiteral("header line");
    QTest::newRow("gzip coding") << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n")
                                 << QStringLiteral("header line");
    QTest::newRow("chunked twice") << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n\r\n")
                                   << QStringLiteral("header line");
    QTest::newRow("empty transfer-encoding")
        << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: ,\r\n\r\n") << QStringLiteral("header line");
    QTest::newRow("101") << QByteArray("HTTP/1.1 101 Switching Protocols\r\n\r\n") << QStringLiteral("101");
    QTest::newRow("chunk size not hex") << QByteArray(kChunkedHead + "zz\r\n") << QStringLiteral("chunk size");
    QTest::newRow("chunk size of 16 digits")
        << QByteArray(kChunkedHead + "0000000000000001\r\nx\r\n0\r\n\r\n") << QStringLiteral("chunk size");
    QTest::newRow("junk after the chunk size")
        << QByteArray(kChunkedHead + "2 x\r\nab\r\n0\r\n\r\n") << QStringLiteral("chunk size");
    QTest::newRow("control character in a chunk extension")
        << QByteArray(kChunkedHead + "2;a\x01\r\nab\r\n0\r\n\r\n") << QStringLiteral("chunk size");
    QTest::newRow("chunk data longer than its size")
        << QByteArray(kChunkedHead + "2\r\nabc\r\n0\r\n\r\n") << QStringLiteral("no CRLF after a chunk");
    QTest::newRow("bad trailer") << QByteArray(kChunkedHead + "0\r\nno colon\r\n\r\n")
                                 << QStringLiteral("trailer line");
}

void TestHttpResponseParser::refused()
{
    QFETCH(QByteArray, input);
    QFETCH(QString, error);
    const Outcome o = feedWhole(input);
    QVERIFY2(o.result == Result::Error, describe("whole", o));
    QVERIFY2(o.error.contains(error), describe("whole", o));
    // Failed stays failed.
    HttpResponseParser parser;
    qsizetype consumed = 0;
    QCOMPARE(parser.feed(input.constData(), input.size(), &consumed), Result::Error);
    QVERIFY(parser.isFailed());
    QCOMPARE(parser.feed("HTTP/1.1 200 OK\r\n\r\n", 19, &consumed), Result::Error);
    QCOMPARE(consumed, 0);
    QCOMPARE(parser.finishAtEof(), Result::Error);
}

void TestHttpResponseParser::limits_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<Result>("result");
    QTest::addColumn<QString>("error");

    const QByteArray status = "HTTP/1.1 204 No Content\r\n";
    // The header budget counts the status line and every header line with its CRLF.
    const QByteArray filler = "X: " + QByteArray(kMaxHeaderBytes - status.size() - 3 - 2 - 2, 'a') + "\r\n";
    QTest::newRow("head exactly at the limit") << QByteArray(status + filler + "\r\n") << Result::Complete << QString();
    QTest::newRow("head one byte over") << QByteArray(status + "X" + filler + "\r\n") << Result::Error
                                        << QStringLiteral("header section is too large");
    QTest::newRow("head over the limit without a line end")
        << QByteArray(status + "X: " + QByteArray(kMaxHeaderBytes, 'a')) << Result::Error
        << QStringLiteral("header section is too large");
    QTest::newRow("content-length over the limit") << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 65\r\n\r\n")
                                                   << Result::TooLarge << QStringLiteral("64 bytes");
    QTest::newRow("chunks over the limit")
        << QByteArray(kChunkedHead + "40\r\n" + QByteArray(64, 'a') + "\r\n1\r\nb\r\n0\r\n\r\n") << Result::TooLarge
        << QStringLiteral("64 bytes");
    QTest::newRow("chunk size line too long") << QByteArray(kChunkedHead + "1;" + QByteArray(5000, 'e'))
                                              << Result::Error << QStringLiteral("Malformed chunked response body");
    QByteArray interim;
    for (int i = 0; i < HttpResponseParser::kMaxInterimResponses; ++i)
        interim += "HTTP/1.1 100 Continue\r\n\r\n";
    QTest::newRow("16 interim responses")
        << QByteArray(interim + "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n") << Result::Complete << QString();
    QTest::newRow("17 interim responses")
        << QByteArray(interim + "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
        << Result::Error << QStringLiteral("Too many interim");
}

void TestHttpResponseParser::limits()
{
    QFETCH(QByteArray, input);
    QFETCH(Result, result);
    QFETCH(QString, error);
    const Outcome o = feedWhole(input);
    QVERIFY2(o.result == result, describe("whole", o));
    QVERIFY2(o.error.contains(error), describe("whole", o));
    QList<qsizetype> bytewise;
    for (qsizetype i = 1; i < input.size(); ++i)
        bytewise.append(i);
    const Outcome single = feedCut(input, bytewise);
    QVERIFY2(single == o, describe("byte by byte", single));
}

void TestHttpResponseParser::endOfStream()
{
    QCOMPARE(feedWhole("", true).error, QStringLiteral("The server closed the connection without a response"));
    QCOMPARE(feedWhole("", true).result, Result::Error);
    const Outcome truncated = feedWhole("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", true);
    QCOMPARE(truncated.result, Result::Error);
    QVERIFY2(truncated.error.contains(QLatin1String("before the response was complete")),
             describe("truncated", truncated));
    const Outcome closeDelimited = feedWhole("HTTP/1.0 200 OK\r\n\r\nold style", true);
    QCOMPARE(closeDelimited.result, Result::Complete);
    QCOMPARE(closeDelimited.body, QByteArray("old style"));
    QVERIFY(!closeDelimited.keepAlive);
    // Without the close, a close-delimited body is never complete.
    QCOMPARE(feedWhole("HTTP/1.0 200 OK\r\n\r\nold style").result, Result::NeedMore);
    // A complete message stays complete at EOF.
    HttpResponseParser parser;
    qsizetype consumed = 0;
    const QByteArray ok = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
    QCOMPARE(parser.feed(ok.constData(), ok.size(), &consumed), Result::Complete);
    QCOMPARE(parser.finishAtEof(), Result::Complete);
    QVERIFY(parser.isComplete());
}

void TestHttpResponseParser::pipelinedBytesAreLeft()
{
    const QByteArray first = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    const QByteArray input = first + "HTTP/1.1 404 Not Found\r\n";
    HttpResponseParser parser;
    qsizetype consumed = 0;
    QCOMPARE(parser.feed(input.constData(), input.size(), &consumed), Result::Complete);
    QCOMPARE(consumed, first.size());
    QCOMPARE(parser.message().body, QByteArray("ok"));
    // Complete until reset, whatever follows.
    QCOMPARE(parser.feed(input.constData() + consumed, input.size() - consumed, &consumed), Result::Complete);
    QCOMPARE(consumed, 0);
}

void TestHttpResponseParser::headResponseHasNoBody()
{
    const Outcome o = feedCut("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", {}, false, true);
    QCOMPARE(o.result, Result::Complete);
    QCOMPARE(o.body, QByteArray());
    QVERIFY(o.keepAlive);
    // The same bytes as the answer to a GET wait for the body.
    QCOMPARE(feedWhole("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n").result, Result::NeedMore);
}

void TestHttpResponseParser::resetForgetsEverything()
{
    HttpResponseParser parser;
    parser.setLimits(kMaxHeaderBytes, kMaxBodyBytes);
    qsizetype consumed = 0;
    const QByteArray bad = "HTTP/1.1 200 OK\nX: y\r\n\r\n";
    QCOMPARE(parser.feed(bad.constData(), bad.size(), &consumed), Result::Error);
    QVERIFY(!parser.error().isEmpty());
    parser.reset();
    QVERIFY(!parser.hasStarted());
    QVERIFY(parser.error().isEmpty());
    QCOMPARE(parser.message().status, 0);
    const QByteArray good = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc";
    QCOMPARE(parser.feed(good.constData(), good.size(), &consumed), Result::Complete);
    QCOMPARE(parser.message().body, QByteArray("abc"));
    QCOMPARE(parser.message().headers.size(), 1);
    // The limits survive a reset.
    parser.reset();
    const QByteArray big = "HTTP/1.1 200 OK\r\nContent-Length: 65\r\n\r\n";
    QCOMPARE(parser.feed(big.constData(), big.size(), &consumed), Result::TooLarge);
}

void TestHttpResponseParser::takeMessageEmptiesIt()
{
    HttpResponseParser parser;
    qsizetype consumed = 0;
    const QByteArray good = "HTTP/1.1 202 Accepted\r\nX-A: 1\r\nContent-Length: 3\r\n\r\nabc";
    QCOMPARE(parser.feed(good.constData(), good.size(), &consumed), Result::Complete);
    const auto message = parser.takeMessage();
    QCOMPARE(message.status, 202);
    QCOMPARE(message.reason, QByteArray("Accepted"));
    QCOMPARE(message.body, QByteArray("abc"));
    QCOMPARE(message.headers.size(), 2);
    QCOMPARE(parser.message().status, 0);
    QVERIFY(parser.message().body.isEmpty());
    QVERIFY(parser.message().headers.isEmpty());
}

QTEST_GUILESS_MAIN(TestHttpResponseParser)
#include "tst_httpresponseparser.moc"
