// JSON handled as text: the strict check that decides whether an upstream's bytes may be spliced
// into a response unchanged, the string escaper and the serialized JSON-RPC envelope. Every
// output is read back with QJsonDocument, the parser the gateway's clients are compared with.

#include "core/jsontext.h"
#include "mcp/protocol.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace metamcp;

class TestJsonText final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void strict_data();
    void strict();
    void deepNestingDoesNotRecurse();
    void firstSignificant();
    void escapes_data();
    void escapes();
    void everyByteRoundTrips();
    void idText_data();
    void idText();
    void resultMessage();
};

void TestJsonText::strict_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<bool>("valid");

    QTest::newRow("object") << QByteArray(R"({"a":[1,{"b":null}],"c":-1.5e-3})") << true;
    QTest::newRow("surrounding whitespace") << QByteArray(" \t\r\n{\"a\":1}\n ") << true;
    QTest::newRow("scalar number") << QByteArray(" 42 ") << true;
    QTest::newRow("scalar string") << QByteArray(R"("s")") << true;
    QTest::newRow("null") << QByteArray("null") << true;
    QTest::newRow("utf-8") << QByteArray("{\"a\":\"\xc3\xa9 \xf0\x9f\x98\x80\"}") << true;
    QTest::newRow("surrogate pair escape") << QByteArray(R"({"a":"\ud83d\ude00"})") << true;
    QTest::newRow("big integer") << QByteArray(R"({"a":12345678901234567890123})") << true;
    QTest::newRow("DEL unescaped") << QByteArray("[\"\x7f\"]") << true;

    // What QJsonDocument accepts but RFC 8259 does not: must not be spliced.
    QTest::newRow("raw tab in string") << QByteArray("{\"a\":\"x\ty\"}") << false;
    QTest::newRow("raw control char") << QByteArray("{\"a\":\"x\x01y\"}") << false;
    QTest::newRow("NUL in string") << QByteArray("{\"a\":\"x\0y\"}", 11) << false;
    QTest::newRow("NUL after value") << QByteArray("{\"a\":1}\0x", 9) << false;
    QTest::newRow("1.") << QByteArray(R"({"a":1.})") << false;
    QTest::newRow(".5") << QByteArray(R"({"a":.5})") << false;
    QTest::newRow("unknown escape") << QByteArray(R"({"a":"\x"})") << false;
    QTest::newRow("BOM") << QByteArray("\xef\xbb\xbf{\"a\":1}") << false;

    QTest::newRow("empty") << QByteArray() << false;
    QTest::newRow("whitespace") << QByteArray("  \n") << false;
    QTest::newRow("leading zero") << QByteArray(R"({"a":01})") << false;
    QTest::newRow("plus") << QByteArray(R"({"a":+1})") << false;
    QTest::newRow("NaN") << QByteArray(R"({"a":NaN})") << false;
    QTest::newRow("short unicode escape") << QByteArray(R"({"a":"\u12"})") << false;
    QTest::newRow("single quotes") << QByteArray(R"({'a':1})") << false;
    QTest::newRow("trailing comma") << QByteArray(R"([1,])") << false;
    QTest::newRow("two values") << QByteArray(R"([1] [2])") << false;
    QTest::newRow("extra brace") << QByteArray(R"({"a":1}})") << false;
    QTest::newRow("form feed after") << QByteArray("{\"a\":1}\f") << false;
    QTest::newRow("invalid utf-8") << QByteArray("{\"a\":\"\xff\"}") << false;
    QTest::newRow("overlong utf-8") << QByteArray("{\"a\":\"\xc0\x80\"}") << false;
    QTest::newRow("utf-8 surrogate") << QByteArray("{\"a\":\"\xed\xa0\x80\"}") << false;
    QTest::newRow("beyond U+10FFFF") << QByteArray("{\"a\":\"\xf4\x90\x80\x80\"}") << false;
    QTest::newRow("truncated") << QByteArray(R"({"a":[1,2)") << false;
    // Allowed by the grammar, refused by rapidjson: the callers fall back to QJsonDocument.
    QTest::newRow("lone surrogate escape") << QByteArray(R"({"a":"\ud800"})") << false;
    QTest::newRow("number beyond double") << QByteArray(R"({"a":1e999})") << false;
}

void TestJsonText::strict()
{
    QFETCH(QByteArray, text);
    QFETCH(bool, valid);
    QCOMPARE(json::isStrictJson(text), valid);
    if (valid) {
        // Whatever passes is read by QJsonDocument too (scalars wrapped in an array).
        QJsonParseError error;
        QJsonDocument::fromJson("[" + text + "]", &error);
        QCOMPARE(error.error, QJsonParseError::NoError);
    }
}

void TestJsonText::deepNestingDoesNotRecurse()
{
    // A hostile upstream may send 10 MiB of '['; the check must neither crash nor accept it.
    const QByteArray open(4 * 1024 * 1024, '[');
    QVERIFY(!json::isStrictJson(open));
    const QByteArray balanced = QByteArray(100'000, '[') + QByteArray(100'000, ']');
    QVERIFY(json::isStrictJson(balanced));
}

void TestJsonText::firstSignificant()
{
    QCOMPARE(json::firstSignificant(" \r\n\t{\"a\":1}"), '{');
    QCOMPARE(json::firstSignificant("[1]"), '[');
    QCOMPARE(json::firstSignificant(" 4"), '4');
    QCOMPARE(json::firstSignificant(" \n"), '\0');
    QCOMPARE(json::firstSignificant(""), '\0');
}

void TestJsonText::escapes_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QByteArray>("expected");

    QTest::newRow("plain") << QByteArray("abc") << QByteArray(R"("abc")");
    QTest::newRow("empty") << QByteArray() << QByteArray(R"("")");
    QTest::newRow("quote and backslash") << QByteArray(R"(a"b\c)") << QByteArray(R"("a\"b\\c")");
    QTest::newRow("short escapes") << QByteArray("\n\r\t\b\f") << QByteArray(R"("\n\r\t\b\f")");
    QTest::newRow("other controls") << QByteArray("\x01\x1f", 2) << QByteArray(R"("\u0001\u001f")");
    QTest::newRow("NUL") << QByteArray("a\0b", 3) << QByteArray(R"("a\u0000b")");
    QTest::newRow("utf-8 as is") << QByteArray("\xc3\xa9\xf0\x9f\x98\x80")
                                 << QByteArray("\"\xc3\xa9\xf0\x9f\x98\x80\"");
    QTest::newRow("json body") << QByteArray("{\"id\":1,\"tags\":[\"a\"]}\n")
                               << QByteArray(R"("{\"id\":1,\"tags\":[\"a\"]}\n")");
}

void TestJsonText::escapes()
{
    QFETCH(QByteArray, input);
    QFETCH(QByteArray, expected);
    QByteArray out("prefix:");
    jsonrpc::appendJsonString(out, input);
    QCOMPARE(out, "prefix:" + expected);
    const QJsonDocument doc = QJsonDocument::fromJson("[" + expected + "]");
    QCOMPARE(doc.array().at(0).toString(), QString::fromUtf8(input));
}

void TestJsonText::everyByteRoundTrips()
{
    // All ASCII bytes (incl. every control character) and some UTF-8, escaped and read back.
    QByteArray input;
    for (int c = 0; c < 0x80; ++c)
        input.append(char(c));
    input.append("\xc3\xa9\xe2\x82\xac");
    QByteArray out;
    jsonrpc::appendJsonString(out, input);
    QVERIFY(json::isStrictJson(out));
    QCOMPARE(QJsonDocument::fromJson("[" + out + "]").array().at(0).toString(), QString::fromUtf8(input));
}

void TestJsonText::idText_data()
{
    QTest::addColumn<QJsonValue>("id");
    QTest::addColumn<QByteArray>("expected");

    QTest::newRow("integer") << QJsonValue(3) << QByteArray("3");
    QTest::newRow("negative") << QJsonValue(-7) << QByteArray("-7");
    QTest::newRow("large integer") << QJsonValue(qint64(9007199254740993)) << QByteArray("9007199254740993");
    QTest::newRow("string") << QJsonValue(QStringLiteral("a\"b\\c\n")) << QByteArray(R"("a\"b\\c\n")");
    QTest::newRow("unicode string") << QJsonValue(QStringLiteral("é")) << QByteArray("\"\xc3\xa9\"");
    QTest::newRow("null") << QJsonValue(QJsonValue::Null) << QByteArray("null");
    QTest::newRow("undefined") << QJsonValue(QJsonValue::Undefined) << QByteArray("null");
    // Not valid ids, but written as JSON all the same.
    QTest::newRow("fraction") << QJsonValue(1.5) << QByteArray("1.5");
    QTest::newRow("bool") << QJsonValue(true) << QByteArray("true");
}

void TestJsonText::idText()
{
    QFETCH(QJsonValue, id);
    QFETCH(QByteArray, expected);
    QCOMPARE(jsonrpc::idText(id), expected);
}

void TestJsonText::resultMessage()
{
    const QByteArray result = R"({"content":[],"structuredContent":{"z":1,"a":12345678901234567890}})";
    const QByteArray message = jsonrpc::resultMessage(QStringLiteral("req-1"), result);
    QCOMPARE(message, QByteArray(R"({"jsonrpc":"2.0","id":"req-1","result":)") + result + '}');
    QVERIFY(json::isStrictJson(message));
    const QJsonObject parsed = QJsonDocument::fromJson(message).object();
    QCOMPARE(parsed.value(QStringLiteral("jsonrpc")).toString(), QStringLiteral("2.0"));
    QCOMPARE(parsed.value(QStringLiteral("id")).toString(), QStringLiteral("req-1"));
    QCOMPARE(parsed.value(QStringLiteral("result"))
                 .toObject()
                 .value(QStringLiteral("structuredContent"))
                 .toObject()
                 .value(QStringLiteral("z")),
             QJsonValue(1));
    QCOMPARE(jsonrpc::resultMessage(42, "{}"), QByteArray(R"({"jsonrpc":"2.0","id":42,"result":{}})"));
}

QTEST_GUILESS_MAIN(TestJsonText)
#include "tst_jsontext.moc"
