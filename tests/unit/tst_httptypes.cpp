// http::reasonPhrase(): the reason phrase the server writes on every status line, checked
// against the registered phrases of RFC 9110 section 15 (plus RFC 6585 and RFC 8470 for 428,
// 429, 431 and 425). Codes without a registered phrase the server uses must say "Unknown".

#include "http/httptypes.h"

#include <QTest>

using namespace metamcp::http;

class TestHttpTypes final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void registeredPhrases_data();
    void registeredPhrases();
    void unknownCodes_data();
    void unknownCodes();
};

void TestHttpTypes::registeredPhrases_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("phrase");
    const QList<std::pair<int, QByteArray>> rfc = {
        {100, "Continue"},
        {101, "Switching Protocols"},
        {200, "OK"},
        {201, "Created"},
        {202, "Accepted"},
        {203, "Non-Authoritative Information"},
        {204, "No Content"},
        {205, "Reset Content"},
        {206, "Partial Content"},
        {300, "Multiple Choices"},
        {301, "Moved Permanently"},
        {302, "Found"},
        {303, "See Other"},
        {304, "Not Modified"},
        {307, "Temporary Redirect"},
        {308, "Permanent Redirect"},
        {400, "Bad Request"},
        {401, "Unauthorized"},
        {402, "Payment Required"},
        {403, "Forbidden"},
        {404, "Not Found"},
        {405, "Method Not Allowed"},
        {406, "Not Acceptable"},
        {407, "Proxy Authentication Required"},
        {408, "Request Timeout"},
        {409, "Conflict"},
        {410, "Gone"},
        {411, "Length Required"},
        {412, "Precondition Failed"},
        {413, "Content Too Large"},
        {414, "URI Too Long"},
        {415, "Unsupported Media Type"},
        {416, "Range Not Satisfiable"},
        {417, "Expectation Failed"},
        {421, "Misdirected Request"},
        {422, "Unprocessable Content"},
        {425, "Too Early"},
        {426, "Upgrade Required"},
        {428, "Precondition Required"},
        {429, "Too Many Requests"},
        {431, "Request Header Fields Too Large"},
        {500, "Internal Server Error"},
        {501, "Not Implemented"},
        {502, "Bad Gateway"},
        {503, "Service Unavailable"},
        {504, "Gateway Timeout"},
        {505, "HTTP Version Not Supported"},
    };
    for (const auto &[status, phrase] : rfc)
        QTest::addRow("%d", status) << status << phrase;
}

void TestHttpTypes::registeredPhrases()
{
    QFETCH(int, status);
    QFETCH(QByteArray, phrase);
    QCOMPARE(reasonPhrase(status), phrase);
}

void TestHttpTypes::unknownCodes_data()
{
    QTest::addColumn<int>("status");
    // Unassigned, unused by the server, or outside the status range.
    for (const int status : {0, -1, 99, 102, 199, 207, 299, 305, 306, 418, 451, 499, 506, 599, 600, 1000})
        QTest::addRow("%d", status) << status;
}

void TestHttpTypes::unknownCodes()
{
    QFETCH(int, status);
    QCOMPARE(reasonPhrase(status), QByteArray("Unknown"));
}

QTEST_GUILESS_MAIN(TestHttpTypes)
#include "tst_httptypes.moc"
