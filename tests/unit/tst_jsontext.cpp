// JSON handled as text: the strict check that decides whether an upstream's bytes may be spliced
// into a response unchanged, the string escaper and the serialized JSON-RPC envelope. Every
// output is read back with QJsonDocument, the parser the gateway's clients are compared with.

#include "model/jsontext.h"
#include "model/protocol.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace metamcp;
using namespace Qt::StringLiterals;

class TestJsonText final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void strict_data();
    void strict();
    void deepNestingDoesNotRecurse();
    void controlCharacters_data();
    void controlCharacters();
    void firstSignificant();
    void escapes_data();
    void escapes();
    void everyByteRoundTrips();
    void idText_data();
    void idText();
    void resultMessage();
    void successResponses_data();
    void successResponses();
    void notSuccessResponses_data();
    void notSuccessResponses();
    void scalarText_data();
    void scalarText();
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
    // Found by tests/fuzz (fuzz_jsonscan): rapidjson read a number that underflows to zero as 0,
    // QJsonDocument refuses it ("illegal number"), so text passed as strict failed to parse later.
    QTest::newRow("number underflowing to zero") << QByteArray(R"({"a":1e-400})") << false;
    QTest::newRow("number rounding to zero") << QByteArray(R"([2e-324])") << false;
    // Found by fuzz_jsonscan: a long mantissa with a large exponent, read by rapidjson as infinity.
    QTest::newRow("long mantissa overflowing")
        << QByteArray(
               R"({"a":[12288888888888888888888888888888888888888888888888888888888888888888888888888888888888888888888888888888888888888888888888888888888888888888888888888888882253E222]})")
        << false;
    QTest::newRow("denormal number") << QByteArray(R"({"a":1e-310})") << true;
    QTest::newRow("zero with a tiny exponent") << QByteArray(R"([-0.000e-400,0E-99999])") << true;
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

void TestJsonText::controlCharacters_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("error"); // what the error says, empty: none

    QTest::newRow("compact") << QByteArray(R"({"a":"b","c":[1,2.5e3,null]})") << QString();
    QTest::newRow("pretty-printed") << QByteArray("{\r\n\t\"a\": \"b\",\n  \"c\": [1, 2]\n}\n") << QString();
    QTest::newRow("escaped control characters") << QByteArray(R"({"a":"\u0000\u0001\t\n\r\u001f"})") << QString();
    QTest::newRow("DEL") << QByteArray("{\"a\":\"\x7f\"}") << QString();
    QTest::newRow("long compact") << "{\"a\":\"" + QByteArray(1000, 'x') + "\"}" << QString();
    QTest::newRow("empty") << QByteArray() << QString();
    // Raw in a string: what QJsonDocument takes and RFC 8259 does not.
    QTest::newRow("U+0001") << QByteArray("{\"a\":\"x\x01y\"}") << u"U+0001 in a string at offset 7"_s;
    QTest::newRow("U+001F") << QByteArray("{\"a\":\"\x1f\"}") << u"U+001F in a string at offset 6"_s;
    QTest::newRow("tab") << QByteArray("{\"a\":\"x\ty\"}") << u"U+0009 in a string at offset 7"_s;
    QTest::newRow("line feed") << QByteArray("{\"a\":\"x\ny\"}") << u"U+000A in a string at offset 7"_s;
    QTest::newRow("carriage return in a key") << QByteArray("{\"a\rb\":1}") << u"U+000D in a string at offset 3"_s;
    QTest::newRow("NUL") << QByteArray("{\"a\":\"x\0y\"}", 11) << u"U+0000 in a string at offset 7"_s;
    QTest::newRow("after 1000 bytes") << "{\"a\":\"" + QByteArray(1000, 'x') + "\x02\"}"
                                      << u"U+0002 in a string at offset 1006"_s;
    QTest::newRow("pretty-printed, raw tab in a string")
        << QByteArray("{\n  \"a\": \"x\ty\"\n}") << u"U+0009 in a string at offset 11"_s;
    // Text with such a byte is checked strictly throughout, except for what the grammar allows.
    QTest::newRow("pretty-printed 1.") << QByteArray("{\n  \"a\": 1.\n}") << u"at offset 11"_s;
    QTest::newRow("pretty-printed lone surrogate") << QByteArray("{\n  \"a\": \"\\ud800\"\n}") << QString();
    QTest::newRow("pretty-printed number beyond double") << QByteArray("{\n  \"a\": 1e999\n}") << QString();
    // Without a byte below 0x20 nothing is parsed again: QJsonDocument's own leniency stays.
    QTest::newRow("compact 1.") << QByteArray(R"({"a":1.})") << QString();
}

void TestJsonText::controlCharacters()
{
    QFETCH(QByteArray, text);
    QFETCH(QString, error);
    const std::optional<QString> found = json::controlCharacterError(text);
    if (error.isEmpty()) {
        QVERIFY2(!found, qPrintable(found.value_or(QString())));
        return;
    }
    QVERIFY(found);
    QVERIFY2(found->contains(error), qPrintable(*found));
    if (error.startsWith(u"U+")) {
        QVERIFY2(found->startsWith(u"raw control character U+"), qPrintable(*found));
        // The reason for the check: QJsonDocument reads it.
        QJsonParseError parseError;
        QJsonDocument::fromJson(text, &parseError);
        QCOMPARE(parseError.error, QJsonParseError::NoError);
    }
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
    json::appendJsonString(out, input);
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
    json::appendJsonString(out, input);
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

void TestJsonText::successResponses_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<qint64>("id");
    QTest::addColumn<QByteArray>("result");
    QTest::addColumn<bool>("isError");

    QTest::newRow("tool result")
        << QByteArray(R"({"jsonrpc":"2.0","id":5,"result":{"content":[{"type":"text","text":"hi"}]}})") << qint64(5)
        << QByteArray(R"({"content":[{"type":"text","text":"hi"}]})") << false;
    QTest::newRow("tool error") << QByteArray(R"({"jsonrpc":"2.0","id":1,"result":{"content":[],"isError":true}})")
                                << qint64(1) << QByteArray(R"({"content":[],"isError":true})") << true;
    QTest::newRow("isError false") << QByteArray(R"({"jsonrpc":"2.0","id":1,"result":{"isError":false}})") << qint64(1)
                                   << QByteArray(R"({"isError":false})") << false;
    QTest::newRow("isError deeper is not the result's")
        << QByteArray(R"({"jsonrpc":"2.0","id":1,"result":{"x":{"isError":true},"y":[{"isError":true}]}})") << qint64(1)
        << QByteArray(R"({"x":{"isError":true},"y":[{"isError":true}]})") << false;
    QTest::newRow("members in any order")
        << QByteArray(R"({"result":{"a":1},"id":7,"jsonrpc":"2.0"})") << qint64(7) << QByteArray(R"({"a":1})") << false;
    QTest::newRow("whitespace") << QByteArray(" { \"jsonrpc\" : \"2.0\" ,\n \"id\" : 2 , \"result\" : { } } \n")
                                << qint64(2) << QByteArray("{ }") << false;
    QTest::newRow("names of the envelope inside the result")
        << QByteArray(R"({"jsonrpc":"2.0","id":3,"result":{"result":{"id":"x"},"method":"m","error":null,"id":[1]}})")
        << qint64(3) << QByteArray(R"({"result":{"id":"x"},"method":"m","error":null,"id":[1]})") << false;
    QTest::newRow("other top-level members") << QByteArray(R"({"jsonrpc":"2.0","id":4,"x":[1,{"y":2}],"result":{}})")
                                             << qint64(4) << QByteArray("{}") << false;
    QTest::newRow("large id") << QByteArray(R"({"jsonrpc":"2.0","id":9007199254740993,"result":{}})")
                              << qint64(9007199254740993) << QByteArray("{}") << false;
    QTest::newRow("utf-8 and escapes") << QByteArray(
                                              "{\"jsonrpc\":\"2.0\",\"id\":6,\"result\":{\"t\":\"\xc3\xa9\\n\\\"\"}}")
                                       << qint64(6) << QByteArray("{\"t\":\"\xc3\xa9\\n\\\"\"}") << false;
}

void TestJsonText::successResponses()
{
    QFETCH(QByteArray, text);
    QFETCH(qint64, id);
    QFETCH(QByteArray, result);
    QFETCH(bool, isError);
    const auto response = json::scanSuccessResponse(text);
    QVERIFY(response.has_value());
    QCOMPARE(response->id, id);
    QCOMPARE(text.sliced(response->resultBegin, response->resultEnd - response->resultBegin), result);
    QCOMPARE(response->isError, isError);
}

void TestJsonText::notSuccessResponses_data()
{
    QTest::addColumn<QByteArray>("text");

    QTest::newRow("error response") << QByteArray(R"({"jsonrpc":"2.0","id":1,"error":{"code":-32601,"message":"x"}})");
    QTest::newRow("result and error") << QByteArray(R"({"jsonrpc":"2.0","id":1,"result":{},"error":{}})");
    QTest::newRow("notification") << QByteArray(R"({"jsonrpc":"2.0","method":"notifications/progress","params":{}})");
    QTest::newRow("request") << QByteArray(R"({"jsonrpc":"2.0","id":1,"method":"sampling/createMessage"})");
    QTest::newRow("string id") << QByteArray(R"({"jsonrpc":"2.0","id":"1","result":{}})");
    QTest::newRow("null id") << QByteArray(R"({"jsonrpc":"2.0","id":null,"result":{}})");
    QTest::newRow("fractional id") << QByteArray(R"({"jsonrpc":"2.0","id":1.5,"result":{}})");
    QTest::newRow("object id") << QByteArray(R"({"jsonrpc":"2.0","id":{"a":1},"result":{}})");
    QTest::newRow("number underflowing to zero")
        << QByteArray(R"({"jsonrpc":"2.0","id":1,"x":[1e-400],"result":{"v":0}})");
    QTest::newRow("id beyond int64") << QByteArray(R"({"jsonrpc":"2.0","id":18446744073709551615,"result":{}})");
    QTest::newRow("number overflowing through a long mantissa") << QByteArray(
        R"({"jsonrpc":"2.0","id":0,"result":{"k":[12288888888888888888888888888888888888888888888888888888888888888888888888888888888888888888888888888888888888888888888888888888888888888888888888888888882253E222]}})");
    QTest::newRow("no id") << QByteArray(R"({"jsonrpc":"2.0","result":{}})");
    QTest::newRow("array result") << QByteArray(R"({"jsonrpc":"2.0","id":1,"result":[1]})");
    QTest::newRow("scalar result") << QByteArray(R"({"jsonrpc":"2.0","id":1,"result":1})");
    QTest::newRow("null result") << QByteArray(R"({"jsonrpc":"2.0","id":1,"result":null})");
    QTest::newRow("no result") << QByteArray(R"({"jsonrpc":"2.0","id":1})");
    QTest::newRow("no jsonrpc") << QByteArray(R"({"id":1,"result":{}})");
    QTest::newRow("jsonrpc 1.0") << QByteArray(R"({"jsonrpc":"1.0","id":1,"result":{}})");
    QTest::newRow("jsonrpc not a string") << QByteArray(R"({"jsonrpc":2,"id":1,"result":{}})");
    QTest::newRow("duplicate id") << QByteArray(R"({"jsonrpc":"2.0","id":1,"id":2,"result":{}})");
    QTest::newRow("duplicate result") << QByteArray(R"({"jsonrpc":"2.0","id":1,"result":{},"result":{}})");
    QTest::newRow("batch") << QByteArray(R"([{"jsonrpc":"2.0","id":1,"result":{}}])");
    QTest::newRow("not an object") << QByteArray("42");
    QTest::newRow("truncated") << QByteArray(R"({"jsonrpc":"2.0","id":1,"result":{"a":)");
    QTest::newRow("raw control character") << QByteArray("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"t\":\"a\tb\"}}");
    QTest::newRow("NUL") << QByteArray("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}\0", 37);
    QTest::newRow("invalid utf-8") << QByteArray("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"t\":\"\xff\"}}");
    QTest::newRow("trailing garbage") << QByteArray(R"({"jsonrpc":"2.0","id":1,"result":{}} x)");
    QTest::newRow("empty") << QByteArray();
}

void TestJsonText::notSuccessResponses()
{
    QFETCH(QByteArray, text);
    QVERIFY(!json::scanSuccessResponse(text).has_value());
}

void TestJsonText::scalarText_data()
{
    QTest::addColumn<QJsonValue>("value");
    QTest::addColumn<bool>("scalar");
    QTest::addColumn<QString>("text");
    QTest::newRow("string") << QJsonValue(QStringLiteral(" Zürich ")) << true << QStringLiteral(" Zürich ");
    QTest::newRow("empty string") << QJsonValue(QString()) << true << QString();
    QTest::newRow("true") << QJsonValue(true) << true << QStringLiteral("true");
    QTest::newRow("false") << QJsonValue(false) << true << QStringLiteral("false");
    QTest::newRow("integer") << QJsonValue(42) << true << QStringLiteral("42");
    QTest::newRow("integral double") << QJsonValue(3.0) << true << QStringLiteral("3");
    QTest::newRow("negative") << QJsonValue(-7) << true << QStringLiteral("-7");
    QTest::newRow("fraction") << QJsonValue(0.5) << true << QStringLiteral("0.5");
    QTest::newRow("beyond qint64") << QJsonValue(1e20) << true << QStringLiteral("1e+20");
    QTest::newRow("largest below 2^63") << QJsonValue(0x1p62) << true << QStringLiteral("4611686018427387904");
    QTest::newRow("null") << QJsonValue(QJsonValue::Null) << false << QString();
    QTest::newRow("undefined") << QJsonValue(QJsonValue::Undefined) << false << QString();
    QTest::newRow("array") << QJsonValue(QJsonArray{1}) << false << QString();
    QTest::newRow("object") << QJsonValue(QJsonObject{{QStringLiteral("a"), 1}}) << false << QString();
}

void TestJsonText::scalarText()
{
    QFETCH(QJsonValue, value);
    QFETCH(bool, scalar);
    QFETCH(QString, text);
    const std::optional<QString> got = json::scalarText(value);
    QCOMPARE(got.has_value(), scalar);
    if (scalar)
        QCOMPARE(*got, text);
}

QTEST_GUILESS_MAIN(TestJsonText)
#include "tst_jsontext.moc"
