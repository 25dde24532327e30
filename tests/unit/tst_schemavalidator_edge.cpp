// SchemaValidator details the main test leaves out: the "Expected X, found Y" wording for every
// JSON type, type unions, JSON-pointer escaping of property names, values checked through
// additionalProperties, "format" ignored in every place a subschema can sit, and a pattern that
// std::regex cannot compile.

#include "core/schemavalidator.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace metamcp;

namespace {

QJsonObject obj(const char *json)
{
    const QJsonDocument doc = QJsonDocument::fromJson(QByteArray(json));
    if (!doc.isObject())
        qFatal("bad test JSON: %s", json);
    return doc.object();
}

QJsonValue val(const char *json)
{
    return QJsonDocument::fromJson(QByteArray("[") + json + "]").array().at(0);
}

} // namespace

class TestSchemaValidatorEdge final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void typeMessages_data();
    void typeMessages();
    void typeUnion();
    void pointerEscaping();
    void additionalPropertiesValues();
    void formatIgnoredInEverySubschema_data();
    void formatIgnoredInEverySubschema();
    void uncompilablePattern();
};

void TestSchemaValidatorEdge::typeMessages_data()
{
    QTest::addColumn<QString>("type");
    QTest::addColumn<QJsonValue>("value");
    QTest::addColumn<QString>("found");

    QTest::newRow("null") << QStringLiteral("string") << val("null") << QStringLiteral("null");
    QTest::newRow("boolean") << QStringLiteral("string") << val("true") << QStringLiteral("boolean");
    QTest::newRow("array") << QStringLiteral("string") << val("[1, 2]") << QStringLiteral("array");
    QTest::newRow("object") << QStringLiteral("string") << val(R"({"a": 1})") << QStringLiteral("object");
    QTest::newRow("integer") << QStringLiteral("string") << val("7") << QStringLiteral("integer");
    QTest::newRow("number") << QStringLiteral("integer") << val("1.5") << QStringLiteral("number");
    QTest::newRow("string") << QStringLiteral("boolean") << val(R"("yes")") << QStringLiteral("string");
}

void TestSchemaValidatorEdge::typeMessages()
{
    QFETCH(QString, type);
    QFETCH(QJsonValue, value);
    QFETCH(QString, found);
    const QJsonObject schema{
        {QStringLiteral("type"), QStringLiteral("object")},
        {QStringLiteral("properties"), QJsonObject{{QStringLiteral("v"), QJsonObject{{QStringLiteral("type"), type}}}}},
    };
    SchemaValidator validator;
    const auto violation = validator.validate(schema, QJsonObject{{QStringLiteral("v"), value}});
    QVERIFY(violation.has_value());
    QCOMPARE(violation->path, QStringLiteral("/v"));
    QCOMPARE(violation->message, QStringLiteral("Expected %1, found %2").arg(type, found));
}

void TestSchemaValidatorEdge::typeUnion()
{
    SchemaValidator validator;
    const QJsonObject schema = obj(R"({"type": "object", "properties": {"v": {"type": ["string", "null"]}}})");
    QVERIFY(!validator.validate(schema, val(R"({"v": "x"})")).has_value());
    QVERIFY(!validator.validate(schema, val(R"({"v": null})")).has_value());
    const auto violation = validator.validate(schema, val(R"({"v": 5})"));
    QVERIFY(violation.has_value());
    QCOMPARE(violation->path, QStringLiteral("/v"));
    QCOMPARE(violation->message, QStringLiteral("Expected string or null, found integer"));
}

void TestSchemaValidatorEdge::pointerEscaping()
{
    // RFC 6901: "~" is written "~0" and "/" is written "~1".
    SchemaValidator validator;
    const QJsonObject schema = obj(R"({"type": "object", "properties": {
        "a/b": {"type": "integer"},
        "c~d": {"type": "object", "properties": {"e/~f": {"type": "boolean"}}}}})");
    auto violation = validator.validate(schema, val(R"({"a/b": "x"})"));
    QVERIFY(violation.has_value());
    QCOMPARE(violation->path, QStringLiteral("/a~1b"));
    QCOMPARE(violation->message, QStringLiteral("Expected integer, found string"));
    violation = validator.validate(schema, val(R"({"c~d": {"e/~f": 1}})"));
    QVERIFY(violation.has_value());
    QCOMPARE(violation->path, QStringLiteral("/c~0d/e~1~0f"));
    QCOMPARE(violation->message, QStringLiteral("Expected boolean, found integer"));
}

void TestSchemaValidatorEdge::additionalPropertiesValues()
{
    SchemaValidator validator;
    const QJsonObject schema = obj(R"({"type": "object", "properties": {"known": {"type": "string"}},
                                       "additionalProperties": {"type": "integer"}})");
    QVERIFY(!validator.validate(schema, val(R"({"known": "k", "extra": 3})")).has_value());
    const auto violation = validator.validate(schema, val(R"({"known": "k", "extra": "three"})"));
    QVERIFY(violation.has_value());
    QCOMPARE(violation->path, QStringLiteral("/extra"));
    QCOMPARE(violation->message, QStringLiteral("Expected integer, found string"));
}

void TestSchemaValidatorEdge::formatIgnoredInEverySubschema_data()
{
    QTest::addColumn<QJsonObject>("schema");
    QTest::addColumn<QJsonValue>("accepted"); // violates only a "format"
    QTest::addColumn<QJsonValue>("rejected"); // violates the rest of the same subschema

    QTest::newRow("anyOf") << obj(R"({"anyOf": [{"type": "string", "format": "ipv4"}, {"type": "integer"}]})")
                           << val(R"("not an address")") << val("true");
    QTest::newRow("allOf") << obj(R"({"allOf": [{"type": "string", "format": "email"}, {"minLength": 2}]})")
                           << val(R"("no at sign")") << val("5");
    QTest::newRow("oneOf") << obj(R"({"oneOf": [{"type": "string", "format": "date-time"}, {"type": "null"}]})")
                           << val(R"("yesterday")") << val("[]");
    QTest::newRow("items tuple") << obj(R"({"type": "array", "items": [{"type": "string", "format": "uri"}]})")
                                 << val(R"(["not a uri"])") << val("[1]");
    QTest::newRow("additionalProperties")
        << obj(R"({"type": "object", "additionalProperties": {"type": "string", "format": "email"}})")
        << val(R"({"a": "nobody"})") << val(R"({"a": 1})");
    QTest::newRow("patternProperties")
        << obj(R"({"type": "object", "patternProperties": {"^d_": {"type": "string", "format": "date"}}})")
        << val(R"({"d_start": "soon"})") << val(R"({"d_start": false})");
    QTest::newRow("if then else") << obj(R"({"if": {"type": "string"}, "then": {"format": "uuid", "maxLength": 40},
                   "else": {"type": "integer", "format": "int32"}})")
                                  << val(R"("not-a-uuid")") << val("1.5");
    QTest::newRow("definitions via ref")
        << obj(R"({"definitions": {"host": {"type": "string", "format": "hostname"}}, "$ref": "#/definitions/host"})")
        << val(R"("not a host name!")") << val("1");
}

void TestSchemaValidatorEdge::formatIgnoredInEverySubschema()
{
    QFETCH(QJsonObject, schema);
    QFETCH(QJsonValue, accepted);
    QFETCH(QJsonValue, rejected);
    SchemaValidator validator;
    const auto ok = validator.validate(schema, accepted);
    QVERIFY2(!ok.has_value(), ok ? qPrintable(ok->path + QLatin1Char(' ') + ok->message) : "");
    QVERIFY(validator.validate(schema, rejected).has_value());
}

void TestSchemaValidatorEdge::uncompilablePattern()
{
    // std::regex cannot compile it: the upstream decides, nothing is rejected here.
    SchemaValidator validator;
    const QJsonObject schema = obj(R"({"type": "object", "properties": {"p": {"type": "string", "pattern": "(a"}}})");
    QVERIFY(!validator.validate(schema, val(R"({"p": "anything"})")).has_value());
    // The same validator keeps working for sound schemas.
    const QJsonObject sound = obj(R"({"type": "object", "properties": {"p": {"type": "string", "pattern": "^a+$"}}})");
    QVERIFY(!validator.validate(sound, val(R"({"p": "aaa"})")).has_value());
    const auto violation = validator.validate(sound, val(R"({"p": "b"})"));
    QVERIFY(violation.has_value());
    QCOMPARE(violation->path, QStringLiteral("/p"));
}

QTEST_GUILESS_MAIN(TestSchemaValidatorEdge)
#include "tst_schemavalidator_edge.moc"
