// The incremental HTTP/1.x request parser on its own: every case is fed whole and in small
// pieces (down to one byte at a time) the way a socket delivers it.

#include "http/httpparser.h"

#include <QObject>
#include <QTest>

using metamcp::http::HttpRequestParser;
using Result = HttpRequestParser::Result;

namespace {

constexpr qint64 kMaxHeaderBytes = 1024;
constexpr qint64 kMaxBodyBytes = 64;

// Feeds `input` in pieces of `step` bytes (all at once for step <= 0) like HttpConnection does:
// unconsumed bytes are handed over again together with the next piece.
Result feedAll(HttpRequestParser &parser, const QByteArray &input, qsizetype step, qsizetype *leftover = nullptr)
{
    if (step <= 0)
        step = qMax<qsizetype>(input.size(), 1);
    QByteArray buffer;
    qsizetype pos = 0;
    qsizetype fed = 0;
    Result result = Result::NeedMore;
    for (;;) {
        qsizetype consumed = 0;
        result = parser.feed(buffer.constData() + pos, buffer.size() - pos, &consumed);
        pos += consumed;
        if (result == Result::HeaderComplete)
            continue;
        if (result != Result::NeedMore || fed >= input.size())
            break;
        buffer.append(input.mid(fed, step));
        fed += step;
    }
    if (leftover)
        *leftover = (buffer.size() - pos) + qMax<qsizetype>(input.size() - fed, 0);
    return result;
}

// What a parser made of one input: how it ended, and the body or the error.
struct Outcome
{
    Result result = Result::NeedMore;
    int status = 0;
    QByteArray message;
    QByteArray body;
    qsizetype leftover = 0;

    bool operator==(const Outcome &) const = default;
};

// Feeds `input` in the pieces that `cuts` (ascending offsets) mark, like feedAll().
Outcome feedCut(const QByteArray &input, const QList<qsizetype> &cuts)
{
    HttpRequestParser parser;
    parser.setLimits(kMaxHeaderBytes, kMaxBodyBytes);
    QByteArray buffer;
    qsizetype pos = 0;
    qsizetype piece = 0;
    qsizetype fed = 0;
    Outcome outcome;
    for (;;) {
        qsizetype consumed = 0;
        outcome.result = parser.feed(buffer.constData() + pos, buffer.size() - pos, &consumed);
        pos += consumed;
        if (outcome.result == Result::HeaderComplete)
            continue;
        if (outcome.result != Result::NeedMore || fed >= input.size())
            break;
        const qsizetype end = piece < cuts.size() ? cuts[piece++] : input.size();
        buffer.append(input.mid(fed, end - fed));
        fed = end;
    }
    outcome.status = parser.errorStatus();
    outcome.message = parser.errorMessage();
    if (outcome.result == Result::MessageComplete)
        outcome.body = parser.request().body;
    outcome.leftover = (buffer.size() - pos) + (input.size() - fed);
    return outcome;
}

QByteArray describe(const QByteArray &split, const Outcome &o)
{
    return split + ": result " + QByteArray::number(int(o.result)) + ", status " + QByteArray::number(o.status) +
           " \"" + o.message + "\", body \"" + o.body + "\", leftover " + QByteArray::number(o.leftover);
}

} // namespace

class TestHttpParser : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void validRequest_data();
    void validRequest();
    void invalidRequest_data();
    void invalidRequest();
    void junkIsRejectedBeforeLineEnd_data();
    void junkIsRejectedBeforeLineEnd();
    void splitInvariance_data();
    void splitInvariance();
    void firstBadByteDecides_data();
    void firstBadByteDecides();
    void incompleteRequestWaits();
    void pipelinedRequests();
    void expectContinue();
    void headerLimitBoundary();
    void resetKeepsNothing();
};

void TestHttpParser::validRequest_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<qsizetype>("step");
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<QByteArray>("version");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<bool>("keepAlive");
    QTest::addColumn<QByteArray>("headerName"); // checked when not empty
    QTest::addColumn<QByteArray>("headerValue");
    QTest::addColumn<QString>("queryKey"); // checked when not empty
    QTest::addColumn<QString>("queryValue");

    struct Row
    {
        const char *name;
        QByteArray input;
        QByteArray method, path, version, body;
        bool keepAlive;
        QByteArray headerName, headerValue;
        QString queryKey, queryValue;
    };
    // clang-format off
    const QList<Row> rows = {
        {"simple get", "GET /index.html HTTP/1.1\r\nHost: a\r\n\r\n", "GET", "/index.html", "HTTP/1.1", "", true,
         "host", "a", {}, {}},
        {"percent-decoded path and query", "GET /a%20b/c?x=1&y=two%20words HTTP/1.1\r\nHost: a\r\n\r\n", "GET",
         "/a b/c", "HTTP/1.1", "", true, {}, {}, QStringLiteral("y"), QStringLiteral("two words")},
        {"content-length body", "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello", "POST", "/echo",
         "HTTP/1.1", "hello", true, "content-length", "5", {}, {}},
        {"chunked body with extensions and trailers",
         "POST /u HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\n"
         "X-Trailer: yes\r\n\r\n",
         "POST", "/u", "HTTP/1.1", "hello world", true, "transfer-encoding", "chunked", {}, {}},
        {"chunked upper-case hex",
         "POST /u HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\nA\r\n0123456789\r\n0\r\n\r\n", "POST", "/u",
         "HTTP/1.1", "0123456789", true, {}, {}, {}, {}},
        {"http/1.0 closes by default", "GET / HTTP/1.0\r\n\r\n", "GET", "/", "HTTP/1.0", "", false, {}, {}, {}, {}},
        {"http/1.0 keep-alive", "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", "GET", "/", "HTTP/1.0", "",
         true, "connection", "Keep-Alive", {}, {}},
        {"connection close", "GET / HTTP/1.1\r\nHost: a\r\nConnection: upgrade, close\r\n\r\n", "GET", "/",
         "HTTP/1.1", "", false, {}, {}, {}, {}},
        {"names lower-cased, values trimmed",
         "GET / HTTP/1.1\r\nHost: a\r\nX-Custom-Thing:  \t spaced value \t\r\n\r\n", "GET", "/", "HTTP/1.1", "", true,
         "x-custom-thing", "spaced value", {}, {}},
        {"empty header value", "GET / HTTP/1.1\r\nHost: a\r\nX-Empty:\r\n\r\n", "GET", "/", "HTTP/1.1", "", true,
         "x-empty", "", {}, {}},
        {"leading empty lines ignored", "\r\n\r\nGET /x HTTP/1.1\r\nHost: a\r\n\r\n", "GET", "/x", "HTTP/1.1", "",
         true, {}, {}, {}, {}},
        {"absolute-form target", "GET http://example.com:8080/p/q?k=v HTTP/1.1\r\nHost: example.com:8080\r\n\r\n",
         "GET", "/p/q", "HTTP/1.1", "", true, {}, {}, QStringLiteral("k"), QStringLiteral("v")},
        {"unknown method token", "BREW /pot HTTP/1.1\r\nHost: a\r\n\r\n", "BREW", "/pot", "HTTP/1.1", "", true, {},
         {}, {}, {}},
        {"http/1.2 is served as 1.1", "GET / HTTP/1.2\r\nHost: a\r\n\r\n", "GET", "/", "HTTP/1.1", "", true, {}, {},
         {}, {}},
        {"repeated equal content-length", "PUT /r HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 3\r\n\r\nabc", "PUT",
         "/r", "HTTP/1.1", "abc", true, {}, {}, {}, {}},
        {"body at the limit", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 64\r\n\r\n" + QByteArray(64, 'b'),
         "POST", "/", "HTTP/1.1", QByteArray(64, 'b'), true, {}, {}, {}, {}},
        {"utf-8 header value", "GET / HTTP/1.1\r\nHost: a\r\nX-Name: gr\xc3\xbc\xc3\x9f\r\n\r\n", "GET", "/",
         "HTTP/1.1", "", true, "x-name", "gr\xc3\xbc\xc3\x9f", {}, {}},
        // Host (RFC 9112 3.2): required in HTTP/1.1, optional in HTTP/1.0; an empty value is allowed
        // (a target without authority), and so are a port, an IP literal and any reg-name.
        {"http/1.0 without host", "POST /old HTTP/1.0\r\nContent-Length: 2\r\n\r\nok", "POST", "/old", "HTTP/1.0",
         "ok", false, {}, {}, {}, {}},
        {"http/1.0 with host", "GET / HTTP/1.0\r\nHost: a\r\n\r\n", "GET", "/", "HTTP/1.0", "", false, "host", "a",
         {}, {}},
        {"empty host", "GET / HTTP/1.1\r\nHost:\r\n\r\n", "GET", "/", "HTTP/1.1", "", true, "host", "", {}, {}},
        {"host with port", "GET / HTTP/1.1\r\nHOST: 127.0.0.1:8787\r\n\r\n", "GET", "/", "HTTP/1.1", "", true, "host",
         "127.0.0.1:8787", {}, {}},
        {"ipv6 host", "GET / HTTP/1.1\r\nHost: [::1]:8787\r\n\r\n", "GET", "/", "HTTP/1.1", "", true, "host",
         "[::1]:8787", {}, {}},
        {"reg-name host", "GET / HTTP/1.1\r\nHost: my_host-1.example~x%41\r\n\r\n", "GET", "/", "HTTP/1.1", "", true,
         "host", "my_host-1.example~x%41", {}, {}},
    };
    // clang-format on
    for (const Row &row : rows) {
        for (const qsizetype step : {qsizetype(0), qsizetype(1), qsizetype(3), qsizetype(7)}) {
            QTest::addRow("%s/step%d", row.name, int(step))
                << row.input << step << row.method << row.path << row.version << row.body << row.keepAlive
                << row.headerName << row.headerValue << row.queryKey << row.queryValue;
        }
    }
}

void TestHttpParser::validRequest()
{
    QFETCH(QByteArray, input);
    QFETCH(qsizetype, step);
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, path);
    QFETCH(QByteArray, version);
    QFETCH(QByteArray, body);
    QFETCH(bool, keepAlive);
    QFETCH(QByteArray, headerName);
    QFETCH(QByteArray, headerValue);
    QFETCH(QString, queryKey);
    QFETCH(QString, queryValue);

    HttpRequestParser parser;
    parser.setLimits(kMaxHeaderBytes, kMaxBodyBytes);
    qsizetype leftover = -1;
    const Result result = feedAll(parser, input, step, &leftover);
    QCOMPARE(result, Result::MessageComplete);
    QCOMPARE(leftover, 0);
    const auto &request = parser.request();
    QCOMPARE(request.method, method);
    QCOMPARE(request.path, path);
    QCOMPARE(request.version, version);
    QCOMPARE(request.body, body);
    QCOMPARE(parser.keepAlive(), keepAlive);
    if (!headerName.isEmpty()) {
        QVERIFY(request.hasHeader(headerName));
        QCOMPARE(request.header(headerName), headerValue);
    }
    for (const auto &header : request.headers)
        QCOMPARE(header.first, header.first.toLower());
    if (!queryKey.isEmpty())
        QCOMPARE(request.query.queryItemValue(queryKey, QUrl::FullyDecoded), queryValue);
}

void TestHttpParser::invalidRequest_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<qsizetype>("step");
    QTest::addColumn<int>("status");

    const QByteArray chunked = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";
    struct Row
    {
        const char *name;
        QByteArray input;
        int status;
    };
    // clang-format off
    const QList<Row> rows = {
        {"junk request line", "GET FOFOFO HTTP 1/1\r\n\r\n", 400},
        {"NUL in request line", QByteArray("GET /\0 HTTP/1.1\r\n\r\n", 19), 400},
        {"NUL in header", QByteArray("GET / HTTP/1.1\r\nX-A: \0\r\n\r\n", 26), 400},
        {"non-token method", "G(T / HTTP/1.1\r\n\r\n", 400},
        {"no version", "GET /\r\n\r\n", 400},
        {"two spaces", "GET  / HTTP/1.1\r\n\r\n", 400},
        {"lower-case version", "GET / http/1.1\r\n\r\n", 400},
        {"relative target", "GET index.html HTTP/1.1\r\n\r\n", 400},
        {"control char in target", "GET /a\x01 HTTP/1.1\r\n\r\n", 400},
        {"encoded NUL in path", "GET /a%00b HTTP/1.1\r\n\r\n", 400},
        {"http/2.0", "GET / HTTP/2.0\r\n\r\n", 505},
        {"http/0.9", "GET / HTTP/0.9\r\n\r\n", 505},
        {"space before colon", "GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400},
        {"no colon", "GET / HTTP/1.1\r\nHost\r\n\r\n", 400},
        {"obsolete line folding", "GET / HTTP/1.1\r\nX-A: a\r\n b\r\n\r\n", 400},
        {"control char in value", "GET / HTTP/1.1\r\nX-A: a\x07" "b\r\n\r\n", 400},
        {"bare CR in value", "GET / HTTP/1.1\r\nX-A: a\rb\r\n\r\n", 400},
        {"conflicting content-length", "POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", 400},
        {"conflicting content-length list", "POST / HTTP/1.1\r\nContent-Length: 5, 6\r\n\r\n", 400},
        {"negative content-length", "POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400},
        {"non-numeric content-length", "POST / HTTP/1.1\r\nContent-Length: abc\r\n\r\n", 400},
        {"empty content-length", "POST / HTTP/1.1\r\nContent-Length:\r\n\r\n", 400},
        {"content-length and chunked",
         "POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", 400},
        {"chunked twice", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked, chunked\r\n\r\n", 400},
        {"unknown transfer coding", "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 501},
        {"unsupported expectation", "POST / HTTP/1.1\r\nExpect: 200-ok\r\nContent-Length: 1\r\n\r\nx", 417},
        {"content-length too big", "POST / HTTP/1.1\r\nContent-Length: 65\r\n\r\n", 413},
        {"content-length overflow", "POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n", 413},
        {"bad chunk size", chunked + "xyz\r\n", 400},
        {"empty chunk size", chunked + "\r\n", 400},
        {"huge chunk size", chunked + "1000000000000000\r\n", 400},
        {"garbage after chunk size", chunked + "5 x\r\nhello\r\n0\r\n\r\n", 400},
        {"missing CRLF after chunk", chunked + "5\r\nhelloX0\r\n\r\n", 400},
        {"chunked body too big", chunked + "20\r\n" + QByteArray(32, 'a') + "\r\n21\r\n", 413},
        {"malformed trailer", chunked + "0\r\nbad trailer\r\n\r\n", 400},
        {"header too big", "GET / HTTP/1.1\r\nX-Big: " + QByteArray(2000, 'a') + "\r\n\r\n", 431},
        {"too many small headers", "GET / HTTP/1.1\r\n" + QByteArray("X-A: b\r\n").repeated(200) + "\r\n", 431},
        {"endless empty lines", QByteArray("\r\n").repeated(600), 431},
        // Host (RFC 9112 3.2): 400 for an HTTP/1.1 request without one, for more than one (any
        // version), and for a value that is not uri-host [":" port].
        {"http/1.1 without host", "GET / HTTP/1.1\r\nX-A: b\r\n\r\n", 400},
        {"http/1.1 post without host", "POST / HTTP/1.1\r\nContent-Length: 2\r\n\r\nok", 400},
        {"duplicate host", "GET / HTTP/1.1\r\nHost: localhost\r\nHost: evil.example\r\n\r\n", 400},
        {"duplicate equal host", "GET / HTTP/1.1\r\nHost: a\r\nhost: a\r\n\r\n", 400},
        {"duplicate empty host", "GET / HTTP/1.1\r\nHost:\r\nHost:\r\n\r\n", 400},
        {"duplicate host http/1.0", "GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n", 400},
        {"host with space", "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400},
        {"host with path", "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400},
        {"host with userinfo", "GET / HTTP/1.1\r\nHost: user@a\r\n\r\n", 400},
        {"host port not numeric", "GET / HTTP/1.1\r\nHost: a:80x\r\n\r\n", 400},
        {"host unterminated ip literal", "GET / HTTP/1.1\r\nHost: [::1\r\n\r\n", 400},
        {"host junk after ip literal", "GET / HTTP/1.1\r\nHost: [::1]x\r\n\r\n", 400},
        {"host bad percent escape", "GET / HTTP/1.1\r\nHost: a%4\r\n\r\n", 400},
        // Every line ends in CRLF (llhttp strict; RFC 9112 2.2 allows, does not require, bare LF).
        {"bare LF line ends", "POST /lf HTTP/1.1\nHost: a\nContent-Length: 2\n\nok", 400},
        {"bare LF after chunk size", chunked + "5\nhello\r\n0\r\n\r\n", 400},
        {"bare LF after chunk data", chunked + "5\r\nhello\n0\r\n\r\n", 400},
        {"bare LF after last chunk", chunked + "0\n\r\n", 400},
        {"bare LF ending trailers", chunked + "0\r\n\n", 400},
    };
    // clang-format on
    for (const Row &row : rows)
        for (const qsizetype step : {qsizetype(0), qsizetype(1), qsizetype(5)})
            QTest::addRow("%s/step%d", row.name, int(step)) << row.input << step << row.status;
}

void TestHttpParser::invalidRequest()
{
    QFETCH(QByteArray, input);
    QFETCH(qsizetype, step);
    QFETCH(int, status);

    HttpRequestParser parser;
    parser.setLimits(kMaxHeaderBytes, kMaxBodyBytes);
    QCOMPARE(feedAll(parser, input, step), Result::Error);
    QCOMPARE(parser.errorStatus(), status);
    QVERIFY(!parser.errorMessage().isEmpty());
    // Stays failed.
    qsizetype consumed = 0;
    QCOMPARE(parser.feed("GET / HTTP/1.1\r\n\r\n", 18, &consumed), Result::Error);
}

void TestHttpParser::junkIsRejectedBeforeLineEnd_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addRow("binary") << QByteArray("\x16\x03\x01\x02\x00\x01\x00", 7); // a TLS ClientHello
    QTest::addRow("NUL bytes") << QByteArray(4, '\0');
    QTest::addRow("control char in method") << QByteArray("GE\x01");
    QTest::addRow("control char after method") << QByteArray("GET /\x02");
    QTest::addRow("leading space") << QByteArray(" GET");
}

void TestHttpParser::junkIsRejectedBeforeLineEnd()
{
    QFETCH(QByteArray, input);
    HttpRequestParser parser;
    parser.setLimits(kMaxHeaderBytes, kMaxBodyBytes);
    QCOMPARE(feedAll(parser, input, 0), Result::Error);
    QCOMPARE(parser.errorStatus(), 400);
}

void TestHttpParser::splitInvariance_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<int>("status"); // 0: accepted
    QTest::addColumn<QByteArray>("body");

    const QByteArray chunked = "POST /u HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";
    // clang-format off
    QTest::newRow("chunked") << chunked + "5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-T: y\r\n\r\n" << 0
                             << QByteArray("hello world");
    QTest::newRow("chunked, empty trailers") << chunked + "3\r\nabc\r\n0\r\n\r\n" << 0 << QByteArray("abc");
    QTest::newRow("content-length") << QByteArray("\r\nPOST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nbody")
                                    << 0 << QByteArray("body");
    // Bare LF where CRLF belongs: always 400, never read as a line end in one split and not in
    // another (request smuggling through parsers that disagree).
    QTest::newRow("bare LF after chunk size") << chunked + "5\nhello\r\n0\r\n\r\n" << 400 << QByteArray();
    QTest::newRow("bare LF after chunk extension") << chunked + "5;a=b\nhello\r\n0\r\n\r\n" << 400 << QByteArray();
    QTest::newRow("bare LF after chunk data") << chunked + "5\r\nhello\n0\r\n\r\n" << 400 << QByteArray();
    QTest::newRow("bare CR after chunk data") << chunked + "5\r\nhello\r0\r\n\r\n" << 400 << QByteArray();
    QTest::newRow("bare LF after last chunk") << chunked + "0\n\r\n" << 400 << QByteArray();
    QTest::newRow("bare LF after trailer") << chunked + "0\r\nX-T: y\n\r\n" << 400 << QByteArray();
    QTest::newRow("bare LF ending trailers") << chunked + "0\r\n\n" << 400 << QByteArray();
    QTest::newRow("smuggled request after bare LF")
        << chunked + "0\n\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n" << 400 << QByteArray();
    QTest::newRow("CR CR LF after chunk size") << chunked + "5\r\r\nhello\r\n0\r\n\r\n" << 400 << QByteArray();
    QTest::newRow("bare LF ending request line") << QByteArray("GET / HTTP/1.1\nHost: a\r\n\r\n") << 400
                                                 << QByteArray();
    QTest::newRow("bare LF ending header") << QByteArray("GET / HTTP/1.1\r\nHost: a\nX-A: b\r\n\r\n") << 400
                                           << QByteArray();
    QTest::newRow("bare LF ending headers") << QByteArray("GET / HTTP/1.1\r\nHost: a\r\n\n") << 400 << QByteArray();
    QTest::newRow("bare LF before request line") << QByteArray("\nGET / HTTP/1.1\r\nHost: a\r\n\r\n") << 400
                                                 << QByteArray();
    QTest::newRow("bare LF before body") << QByteArray("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\nok")
                                         << 400 << QByteArray();
    // clang-format on
}

// The same bytes give the same outcome however they arrive: whole, byte by byte, and split at
// every offset into two and into three pieces.
void TestHttpParser::splitInvariance()
{
    QFETCH(QByteArray, input);
    QFETCH(int, status);
    QFETCH(QByteArray, body);

    const Outcome whole = feedCut(input, {});
    if (status == 0) {
        QCOMPARE(whole.result, Result::MessageComplete);
        QCOMPARE(whole.body, body);
        QCOMPARE(whole.leftover, 0);
    } else {
        QCOMPARE(whole.result, Result::Error);
        QCOMPARE(whole.status, status);
    }
    QList<qsizetype> everyByte;
    for (qsizetype i = 1; i < input.size(); ++i)
        everyByte.append(i);
    if (const Outcome bytewise = feedCut(input, everyByte); bytewise != whole)
        QFAIL(describe("byte by byte", bytewise).constData());
    for (qsizetype i = 1; i < input.size(); ++i) {
        if (const Outcome two = feedCut(input, {i}); two != whole)
            QFAIL(describe("split at " + QByteArray::number(i), two).constData());
        for (qsizetype j = i + 1; j < input.size(); ++j) {
            if (const Outcome three = feedCut(input, {i, j}); three != whole)
                QFAIL(
                    describe("split at " + QByteArray::number(i) + " and " + QByteArray::number(j), three).constData());
        }
    }
}

// Found by tests/fuzz (fuzz_httpparser): a request line was judged byte by byte while it was
// unfinished, but as a whole line (NUL, then the limit, then CRLF) when it came in one read, so
// the answer (400 or 431, and the reason) depended on the split. Now the first bad byte decides,
// among the first kMaxHeaderBytes only; a line longer than that is 431.
void TestHttpParser::firstBadByteDecides_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("message");

    QTest::newRow("junk, then a bare LF")
        << QByteArray("GET /\x07 HTTP/1.1\nHost: a\r\n\r\n") << 400 << QByteArray("Malformed request line");
    QTest::newRow("junk, then NUL") << QByteArray("GET /\x01\0 HTTP/1.1\r\nHost: a\r\n\r\n", 29) << 400
                                    << QByteArray("Malformed request line");
    QTest::newRow("NUL, then junk") << QByteArray("GET /\0\x01 HTTP/1.1\r\nHost: a\r\n\r\n", 29) << 400
                                    << QByteArray("NUL byte in request");
    QTest::newRow("CR inside the request line")
        << QByteArray("GET /a\rb HTTP/1.1\r\nHost: a\r\n\r\n") << 400 << QByteArray("Malformed request line");
    const QByteArray longTarget = "GET /" + QByteArray(kMaxHeaderBytes, 'a');
    QTest::newRow("NUL beyond the limit") << QByteArray(longTarget + '\0' + " HTTP/1.1\r\n\r\n") << 431
                                          << QByteArray("Request header exceeds 1024 bytes");
    QTest::newRow("junk beyond the limit")
        << QByteArray(longTarget + "\x01 HTTP/1.1\r\n\r\n") << 431 << QByteArray("Request header exceeds 1024 bytes");
    QTest::newRow("junk within the limit of a long line")
        << QByteArray("GET /\x01" + QByteArray(kMaxHeaderBytes, 'a') + " HTTP/1.1\r\n\r\n") << 400
        << QByteArray("Malformed request line");
    QTest::newRow("NUL in a header beyond the limit")
        << QByteArray("GET / HTTP/1.1\r\nX: " + QByteArray(kMaxHeaderBytes, 'a') + '\0' + "\r\n\r\n") << 431
        << QByteArray("Request header exceeds 1024 bytes");
}

void TestHttpParser::firstBadByteDecides()
{
    QFETCH(QByteArray, input);
    QFETCH(int, status);
    QFETCH(QByteArray, message);
    const Outcome whole = feedCut(input, {});
    QCOMPARE(whole.result, Result::Error);
    QCOMPARE(whole.status, status);
    QCOMPARE(whole.message, message);
    QList<qsizetype> everyByte;
    for (qsizetype i = 1; i < input.size(); ++i)
        everyByte.append(i);
    if (const Outcome bytewise = feedCut(input, everyByte); bytewise != whole)
        QFAIL(describe("byte by byte", bytewise).constData());
    for (qsizetype i = 1; i < input.size(); ++i) {
        if (const Outcome two = feedCut(input, {i}); two != whole)
            QFAIL(describe("split at " + QByteArray::number(i), two).constData());
    }
}

void TestHttpParser::incompleteRequestWaits()
{
    HttpRequestParser parser;
    parser.setLimits(kMaxHeaderBytes, kMaxBodyBytes);
    QVERIFY(!parser.hasStarted());
    qsizetype leftover = 0;
    QCOMPARE(feedAll(parser, "\r\n", 0, &leftover), Result::NeedMore);
    QVERIFY(!parser.hasStarted());
    parser.reset();
    QCOMPARE(feedAll(parser, "GET / HT", 1, &leftover), Result::NeedMore);
    QVERIFY(parser.hasStarted());
    QVERIFY(parser.isHeaderPhase());
    QCOMPARE(leftover, 8); // the unfinished line is kept by the caller
    parser.reset();
    QCOMPARE(feedAll(parser, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc", 0, &leftover),
             Result::NeedMore);
    QVERIFY(!parser.isHeaderPhase());
    QCOMPARE(leftover, 0); // body bytes are consumed as they come
    QCOMPARE(parser.request().body, QByteArray("abc"));
}

void TestHttpParser::pipelinedRequests()
{
    const QByteArray first = "POST /1 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc";
    const QByteArray second = "GET /2 HTTP/1.1\r\nHost: a\r\n\r\n";
    const QByteArray third = "POST /3 HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nz\r\n0\r\n\r\n";
    const QByteArray all = first + second + third;

    HttpRequestParser parser;
    parser.setLimits(kMaxHeaderBytes, kMaxBodyBytes);
    qsizetype pos = 0;
    QList<QByteArray> paths;
    QList<QByteArray> bodies;
    while (pos < all.size()) {
        qsizetype consumed = 0;
        Result result = parser.feed(all.constData() + pos, all.size() - pos, &consumed);
        pos += consumed;
        if (result == Result::HeaderComplete)
            continue;
        QCOMPARE(result, Result::MessageComplete);
        paths << parser.request().path;
        bodies << parser.request().body;
        parser.reset();
    }
    QCOMPARE(paths, (QList<QByteArray>{"/1", "/2", "/3"}));
    QCOMPARE(bodies, (QList<QByteArray>{"abc", "", "z"}));
}

void TestHttpParser::expectContinue()
{
    HttpRequestParser parser;
    parser.setLimits(kMaxHeaderBytes, kMaxBodyBytes);
    const QByteArray head = "POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\nContent-Length: 2\r\n\r\n";
    qsizetype consumed = 0;
    QCOMPARE(parser.feed(head.constData(), head.size(), &consumed), Result::HeaderComplete);
    QCOMPARE(consumed, head.size());
    QVERIFY(parser.expectContinue());
    QCOMPARE(parser.feed("ok", 2, &consumed), Result::MessageComplete);
    QCOMPARE(parser.request().body, QByteArray("ok"));

    // Not for HTTP/1.0 and not without a body.
    parser.reset();
    const QByteArray old = "POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n";
    QCOMPARE(parser.feed(old.constData(), old.size(), &consumed), Result::HeaderComplete);
    QVERIFY(!parser.expectContinue());
    parser.reset();
    const QByteArray bodyless = "GET / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n\r\n";
    QCOMPARE(parser.feed(bodyless.constData(), bodyless.size(), &consumed), Result::MessageComplete);
    QVERIFY(!parser.expectContinue());
}

void TestHttpParser::headerLimitBoundary()
{
    // Request line + headers + final empty line of exactly the limit pass, one byte more does not.
    const QByteArray start = "GET / HTTP/1.1\r\nHost: a\r\nX-Fill: ";
    const QByteArray fits = start + QByteArray(kMaxHeaderBytes - start.size() - 4, 'f') + "\r\n\r\n";
    QCOMPARE(fits.size(), kMaxHeaderBytes);
    HttpRequestParser parser;
    parser.setLimits(kMaxHeaderBytes, kMaxBodyBytes);
    QCOMPARE(feedAll(parser, fits, 0), Result::MessageComplete);

    const QByteArray tooBig = start + QByteArray(kMaxHeaderBytes - start.size() - 3, 'f') + "\r\n\r\n";
    parser.reset();
    QCOMPARE(feedAll(parser, tooBig, 0), Result::Error);
    QCOMPARE(parser.errorStatus(), 431);
}

void TestHttpParser::resetKeepsNothing()
{
    HttpRequestParser parser;
    parser.setLimits(kMaxHeaderBytes, kMaxBodyBytes);
    QCOMPARE(feedAll(parser, "POST /a?x=1 HTTP/1.0\r\nX-A: b\r\nContent-Length: 1\r\n\r\nz", 0),
             Result::MessageComplete);
    parser.reset();
    QCOMPARE(feedAll(parser, "GET /b HTTP/1.1\r\nHost: a\r\n\r\n", 0), Result::MessageComplete);
    const auto &request = parser.request();
    QCOMPARE(request.path, QByteArray("/b"));
    QVERIFY(request.query.isEmpty());
    QCOMPARE(request.headers.size(), 1); // only this request's Host
    QCOMPARE(request.header("host"), QByteArray("a"));
    QVERIFY(request.body.isEmpty());
    QVERIFY(parser.keepAlive());
    QVERIFY(parser.isHttp11());
}

QTEST_GUILESS_MAIN(TestHttpParser)
#include "tst_httpparser.moc"
