#include "core/schemavalidator.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace metamcp;

namespace {

QJsonObject obj(const char *json)
{
    return QJsonDocument::fromJson(QByteArray(json)).object();
}

// A value written as JSON text; scalars are wrapped so QJsonDocument can parse them.
QJsonValue val(const char *json)
{
    return QJsonDocument::fromJson(QByteArray("[") + json + "]").array().at(0);
}

const char *kPersonSchema = R"({
    "type": "object",
    "properties": {
        "name": {"type": "string", "minLength": 1},
        "age": {"type": "integer", "minimum": 0},
        "tags": {"type": "array", "items": {"type": "string"}},
        "role": {"enum": ["admin", "user"]},
        "address": {
            "type": "object",
            "properties": {"city": {"type": "string"}, "zip": {"type": "string", "pattern": "^[0-9]{5}$"}},
            "required": ["city"]
        },
        "items": {
            "type": "array",
            "items": {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}
        }
    },
    "required": ["name"]
})";

} // namespace

class TestSchemaValidator final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void validate_data();
    void validate();
    void formatsAreIgnored_data();
    void formatsAreIgnored();
    void unparsableSchemaMeansNoValidation_data();
    void unparsableSchemaMeansNoValidation();
    void emptySchemaAcceptsAnything();
    void draft4Fallback();
    void refsAndDefs();
    void cacheIsTransparent();
    void cacheIsBounded();
};

void TestSchemaValidator::validate_data()
{
    QTest::addColumn<QJsonObject>("schema");
    QTest::addColumn<QJsonValue>("value");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<QString>("path");        // expected violation path
    QTest::addColumn<QString>("messagePart"); // part of the expected message (case-insensitive)

    const QJsonObject person = obj(kPersonSchema);
    QTest::newRow("valid minimal") << person << val(R"({"name": "Ada"})") << true << QString() << QString();
    QTest::newRow("valid full") << person << val(R"({"name": "Ada", "age": 36, "tags": ["a"], "role": "admin",
                                           "address": {"city": "London", "zip": "12345"},
                                           "items": [{"name": "x"}]})")
                                << true << QString() << QString();
    QTest::newRow("root type") << person << val(R"("just a string")") << false << QStringLiteral("/")
                               << QStringLiteral("object");
    QTest::newRow("required") << person << val(R"({"age": 3})") << false << QStringLiteral("/")
                              << QStringLiteral("name");
    QTest::newRow("string type") << person << val(R"({"name": 42})") << false << QStringLiteral("/name")
                                 << QStringLiteral("string");
    QTest::newRow("integer type") << person << val(R"({"name": "a", "age": 1.5})") << false << QStringLiteral("/age")
                                  << QStringLiteral("integer");
    QTest::newRow("minimum") << person << val(R"({"name": "a", "age": -1})") << false << QStringLiteral("/age")
                             << QStringLiteral("greater");
    QTest::newRow("minLength") << person << val(R"({"name": ""})") << false << QStringLiteral("/name")
                               << QStringLiteral("fewer");
    QTest::newRow("enum") << person << val(R"({"name": "a", "role": "root"})") << false << QStringLiteral("/role")
                          << QStringLiteral("enum");
    QTest::newRow("array item type") << person << val(R"({"name": "a", "tags": ["ok", 7]})") << false
                                     << QStringLiteral("/tags/1") << QStringLiteral("string");
    QTest::newRow("nested required") << person << val(R"({"name": "a", "address": {"zip": "12345"}})") << false
                                     << QStringLiteral("/address") << QStringLiteral("city");
    QTest::newRow("nested pattern") << person << val(R"({"name": "a", "address": {"city": "x", "zip": "12"}})") << false
                                    << QStringLiteral("/address/zip") << QStringLiteral("regex");
    QTest::newRow("object in array") << person << val(R"({"name": "a", "items": [{"name": "x"}, {"name": 5}]})")
                                     << false << QStringLiteral("/items/1/name") << QStringLiteral("string");
    QTest::newRow("required in array item") << person << val(R"({"name": "a", "items": [{}]})") << false
                                            << QStringLiteral("/items/0") << QStringLiteral("name");
    QTest::newRow("boolean") << obj(R"({"type": "boolean"})") << val("1") << false << QStringLiteral("/")
                             << QStringLiteral("bool");
    QTest::newRow("null") << obj(R"({"type": "null"})") << val("null") << true << QString() << QString();
    QTest::newRow("type list") << obj(R"({"type": ["string", "null"]})") << val("null") << true << QString()
                               << QString();
    QTest::newRow("additionalProperties false")
        << obj(R"({"type": "object", "properties": {"a": {}}, "additionalProperties": false})")
        << val(R"({"a": 1, "b": 2})") << false << QStringLiteral("/") << QStringLiteral("additional");
    QTest::newRow("pointer escaping") << obj(R"({"type": "object", "properties": {"a/b~c": {"type": "string"}}})")
                                      << val(R"({"a/b~c": 1})") << false << QStringLiteral("/a~1b~0c")
                                      << QStringLiteral("string");
    QTest::newRow("exclusiveMinimum draft 6+") << obj(R"({"type": "number", "exclusiveMinimum": 0})") << val("0")
                                               << false << QStringLiteral("/") << QStringLiteral("greater");
    QTest::newRow("maxItems") << obj(R"({"type": "array", "maxItems": 1})") << val("[1, 2]") << false
                              << QStringLiteral("/") << QStringLiteral("no more than");
}

void TestSchemaValidator::validate()
{
    QFETCH(QJsonObject, schema);
    QFETCH(QJsonValue, value);
    QFETCH(bool, valid);
    QFETCH(QString, path);
    QFETCH(QString, messagePart);

    SchemaValidator validator;
    const auto violation = validator.validate(schema, value);
    QCOMPARE(!violation.has_value(), valid);
    if (violation) {
        QCOMPARE(violation->path, path);
        QVERIFY2(violation->message.contains(messagePart, Qt::CaseInsensitive), qPrintable(violation->message));
    }
}

void TestSchemaValidator::formatsAreIgnored_data()
{
    QTest::addColumn<QJsonObject>("schema");
    QTest::addColumn<QJsonValue>("value");

    QTest::newRow("unknown format") << obj(R"({"type": "string", "format": "uuid"})") << val(R"("not-a-uuid")");
    QTest::newRow("email") << obj(R"({"type": "string", "format": "email"})") << val(R"("nope")");
    QTest::newRow("date") << obj(R"({"type": "string", "format": "date"})") << val(R"("yesterday")");
    QTest::newRow("format on number") << obj(R"({"type": "integer", "format": "int64"})") << val("5");
    QTest::newRow("non-string format") << obj(R"({"type": "string", "format": 5})") << val(R"("x")");
    QTest::newRow("nested") << obj(R"({"type": "object", "properties": {"when": {"type": "string",
                                       "format": "date-time"}}})")
                            << val(R"({"when": "soon"})");
    QTest::newRow("property named format")
        << obj(R"({"type": "object", "properties": {"format": {"type": "string", "format": "date"}}})")
        << val(R"({"format": "x"})");
}

void TestSchemaValidator::formatsAreIgnored()
{
    QFETCH(QJsonObject, schema);
    QFETCH(QJsonValue, value);
    SchemaValidator validator;
    const auto violation = validator.validate(schema, value);
    QVERIFY2(!violation, violation ? qPrintable(violation->path + QLatin1Char(' ') + violation->message) : "");
}

void TestSchemaValidator::unparsableSchemaMeansNoValidation_data()
{
    QTest::addColumn<QJsonObject>("schema");

    QTest::newRow("type not a string") << obj(R"({"type": 5})");
    QTest::newRow("unknown type name") << obj(R"({"type": "strin"})");
    QTest::newRow("minLength negative") << obj(R"({"type": "string", "minLength": -1})");
    QTest::newRow("unresolvable ref") << obj(R"({"$ref": "#/definitions/missing"})");
    QTest::newRow("remote ref") << obj(R"({"$ref": "https://example.com/schema.json"})");
}

void TestSchemaValidator::unparsableSchemaMeansNoValidation()
{
    QFETCH(QJsonObject, schema);
    SchemaValidator validator;
    QVERIFY(!validator.validate(schema, val("123")));
    QVERIFY(!validator.validate(schema, val(R"({"a": []})"))); // cached as "no validation"
}

void TestSchemaValidator::emptySchemaAcceptsAnything()
{
    SchemaValidator validator;
    QVERIFY(!validator.validate({}, val(R"({"x": 1})")));
    QVERIFY(!validator.validate({}, val("null")));
}

void TestSchemaValidator::draft4Fallback()
{
    SchemaValidator validator;
    const QJsonObject schema = obj(R"({"type": "number", "minimum": 0, "exclusiveMinimum": true})");
    QVERIFY(validator.validate(schema, val("0")));
    QVERIFY(!validator.validate(schema, val("0.5")));
}

void TestSchemaValidator::refsAndDefs()
{
    SchemaValidator validator;
    const QJsonObject schema = obj(R"({
        "type": "object",
        "properties": {"pet": {"$ref": "#/$defs/Pet"}, "owner": {"$ref": "#/definitions/Owner"}},
        "$defs": {"Pet": {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}},
        "definitions": {"Owner": {"type": "string"}}
    })");
    QVERIFY(!validator.validate(schema, val(R"({"pet": {"name": "Rex"}, "owner": "me"})")));
    const auto v = validator.validate(schema, val(R"({"pet": {"name": 1}})"));
    QVERIFY(v);
    QCOMPARE(v->path, QStringLiteral("/pet/name"));
    const auto w = validator.validate(schema, val(R"({"owner": 1})"));
    QVERIFY(w);
    QCOMPARE(w->path, QStringLiteral("/owner"));
}

void TestSchemaValidator::cacheIsTransparent()
{
    SchemaValidator validator;
    const QJsonObject schema = obj(kPersonSchema);
    for (int i = 0; i < 3; ++i) {
        QVERIFY(!validator.validate(schema, val(R"({"name": "a"})")));
        QVERIFY(validator.validate(schema, val(R"({"name": 1})")));
    }
    validator.clearCache();
    QVERIFY(validator.validate(schema, val(R"({"name": 1})")));
    // Same schema text, different key order in the source: same answers.
    const QJsonObject reordered = obj(R"({"required": ["name"], "properties": {"name": {"type": "string"}},
                                          "type": "object"})");
    QVERIFY(validator.validate(reordered, val(R"({"name": 1})")));
}

void TestSchemaValidator::cacheIsBounded()
{
    SchemaValidator validator;
    // Far more distinct schemas than the cache holds: results stay right throughout.
    for (int i = 0; i < 1200; ++i) {
        const QJsonObject schema{{QStringLiteral("type"), QStringLiteral("integer")}, {QStringLiteral("maximum"), i}};
        QVERIFY(!validator.validate(schema, QJsonValue(i)));
        QVERIFY(validator.validate(schema, QJsonValue(i + 1)));
    }
}

QTEST_GUILESS_MAIN(TestSchemaValidator)
#include "tst_schemavalidator.moc"
