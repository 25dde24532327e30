#include "core/schemavalidator.h"

#include <QCache>

// valijson reports schema errors by exception only when this is set; without it, a schema it
// cannot parse would abort() the process.
#ifndef VALIJSON_USE_EXCEPTIONS
#define VALIJSON_USE_EXCEPTIONS 1
#endif

#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>

#include <valijson/adapters/qtjson_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include <exception>

namespace metamcp {

namespace {

// Keywords whose value is one subschema, a map of subschemas, or an array of subschemas.
const QStringList kSchemaKeywords = {
    QStringLiteral("additionalItems"),
    QStringLiteral("additionalProperties"),
    QStringLiteral("contains"),
    QStringLiteral("else"),
    QStringLiteral("if"),
    QStringLiteral("not"),
    QStringLiteral("propertyNames"),
    QStringLiteral("then"),
    QStringLiteral("unevaluatedItems"),
    QStringLiteral("unevaluatedProperties"),
};
const QStringList kSchemaMapKeywords = {
    QStringLiteral("$defs"),      QStringLiteral("definitions"),       QStringLiteral("dependencies"),
    QStringLiteral("properties"), QStringLiteral("patternProperties"), QStringLiteral("dependentSchemas"),
};
const QStringList kSchemaArrayKeywords = {
    QStringLiteral("allOf"),
    QStringLiteral("anyOf"),
    QStringLiteral("oneOf"),
    QStringLiteral("prefixItems"),
};

QJsonValue normaliseSchema(const QJsonValue &value, int depth);

QJsonObject normaliseSchemaObject(QJsonObject schema, int depth)
{
    // `format` is an annotation in JSON Schema 2020-12 (the MCP default dialect). valijson
    // asserts some formats and also applies them to non-strings, so drop it everywhere.
    schema.remove(QStringLiteral("format"));
    if (depth > 64)
        return schema;
    for (const QString &key : kSchemaKeywords) {
        const auto it = schema.find(key);
        if (it != schema.end() && it->isObject())
            *it = normaliseSchema(*it, depth + 1);
    }
    {
        // "items" is a schema, or (draft 4-7) an array of schemas.
        const auto it = schema.find(QStringLiteral("items"));
        if (it != schema.end())
            *it = normaliseSchema(*it, depth + 1);
    }
    for (const QString &key : kSchemaMapKeywords) {
        const auto it = schema.find(key);
        if (it == schema.end() || !it->isObject())
            continue;
        QJsonObject map = it->toObject();
        for (auto m = map.begin(); m != map.end(); ++m)
            if (m->isObject())
                *m = normaliseSchema(*m, depth + 1);
        *it = map;
    }
    for (const QString &key : kSchemaArrayKeywords) {
        const auto it = schema.find(key);
        if (it != schema.end())
            *it = normaliseSchema(*it, depth + 1);
    }
    return schema;
}

QJsonValue normaliseSchema(const QJsonValue &value, int depth)
{
    if (value.isObject())
        return normaliseSchemaObject(value.toObject(), depth);
    if (value.isArray()) {
        QJsonArray array = value.toArray();
        for (auto it = array.begin(); it != array.end(); ++it)
            if (it->isObject())
                *it = normaliseSchemaObject(it->toObject(), depth);
        return array;
    }
    return value;
}

QString jsonTypeName(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
        return QStringLiteral("null");
    case QJsonValue::Bool:
        return QStringLiteral("boolean");
    case QJsonValue::Double: {
        const double d = value.toDouble();
        return d == static_cast<double>(static_cast<qint64>(d)) ? QStringLiteral("integer") : QStringLiteral("number");
    }
    case QJsonValue::String:
        return QStringLiteral("string");
    case QJsonValue::Array:
        return QStringLiteral("array");
    case QJsonValue::Object:
        return QStringLiteral("object");
    default:
        return QStringLiteral("nothing");
    }
}

QStringList contextTokens(const std::vector<std::string> &context)
{
    QStringList tokens;
    for (const std::string &segment : context) {
        if (segment == "<root>")
            continue;
        QString token = QString::fromStdString(segment);
        if (token.startsWith(QLatin1Char('[')) && token.endsWith(QLatin1Char(']')))
            token = token.mid(1, token.size() - 2);
        tokens << token;
    }
    return tokens;
}

// valijson context {"<root>", "[items]", "[0]"} -> JSON pointer "/items/0".
QString pointerFromContext(const std::vector<std::string> &context)
{
    QString path;
    const QStringList tokens = contextTokens(context);
    for (QString token : tokens)
        path += QLatin1Char('/') +
                token.replace(QLatin1Char('~'), QLatin1String("~0")).replace(QLatin1Char('/'), QLatin1String("~1"));
    return path.isEmpty() ? QStringLiteral("/") : path;
}

QJsonValue valueAt(QJsonValue value, const QStringList &tokens)
{
    for (const QString &token : tokens) {
        if (value.isObject())
            value = value.toObject().value(token);
        else if (value.isArray())
            value = value.toArray().at(token.toInt());
        else
            return QJsonValue::Undefined;
    }
    return value;
}

// Best effort: the subschema that describes the value at `tokens` (properties / items /
// additionalProperties, following local $refs). Empty when it cannot be told.
QJsonObject subschemaAt(const QJsonObject &root, const QStringList &tokens)
{
    auto deref = [&root](QJsonObject schema) {
        for (int guard = 0; guard < 16 && schema.value(QStringLiteral("$ref")).isString(); ++guard) {
            const QString ref = schema.value(QStringLiteral("$ref")).toString();
            if (!ref.startsWith(QLatin1Char('#')))
                return QJsonObject();
            QJsonValue target = root;
            const QStringList parts = ref.mid(1).split(QLatin1Char('/'), Qt::SkipEmptyParts);
            for (QString part : parts) {
                part.replace(QLatin1String("~1"), QLatin1String("/")).replace(QLatin1String("~0"), QLatin1String("~"));
                target = target.toObject().value(part);
            }
            schema = target.toObject();
        }
        return schema;
    };
    QJsonObject schema = deref(root);
    for (const QString &token : tokens) {
        const QJsonObject properties = schema.value(QStringLiteral("properties")).toObject();
        if (properties.contains(token))
            schema = properties.value(token).toObject();
        else if (schema.value(QStringLiteral("items")).isObject())
            schema = schema.value(QStringLiteral("items")).toObject();
        else if (schema.value(QStringLiteral("additionalProperties")).isObject())
            schema = schema.value(QStringLiteral("additionalProperties")).toObject();
        else
            return {};
        schema = deref(schema);
    }
    return schema;
}

// valijson's type error does not say which types; name them.
QString describeTypeError(const QJsonObject &schema, const QJsonValue &value, const QStringList &tokens,
                          const QString &fallback)
{
    const QJsonValue actual = valueAt(value, tokens);
    if (actual.isUndefined())
        return fallback;
    const QJsonValue type = subschemaAt(schema, tokens).value(QStringLiteral("type"));
    QStringList expected;
    if (type.isString())
        expected << type.toString();
    else if (type.isArray())
        for (const QJsonValue &t : type.toArray())
            expected << t.toString();
    if (expected.isEmpty())
        return fallback + QStringLiteral(" (found %1)").arg(jsonTypeName(actual));
    return QStringLiteral("Expected %1, found %2").arg(expected.join(QStringLiteral(" or ")), jsonTypeName(actual));
}

std::shared_ptr<valijson::Schema> compile(const QJsonObject &schema)
{
    const QJsonValue normalised = normaliseSchemaObject(schema, 0);
    const valijson::adapters::QtJsonAdapter adapter(normalised);
    // Draft 7 covers drafts 6/7 and most of what MCP servers emit; fall back to draft 4 for
    // schemas that use its boolean exclusiveMinimum/exclusiveMaximum.
    for (const auto version : {valijson::SchemaParser::kDraft7, valijson::SchemaParser::kDraft4}) {
        try {
            auto compiled = std::make_shared<valijson::Schema>();
            valijson::SchemaParser parser(version);
            parser.populateSchema(adapter, *compiled);
            return compiled;
        } catch (const std::exception &) {
            continue;
        }
    }
    return nullptr;
}

} // namespace

struct SchemaValidator::Private
{
    // Cache key -> compiled schema (nullptr: valijson cannot parse it, no validation). Least
    // recently used first out when full (QCache), so that a gateway with many tools keeps the
    // schemas of the tools in use instead of starting over.
    QCache<QByteArray, std::shared_ptr<valijson::Schema>> cache{SchemaValidator::kDefaultCapacity};
    quint64 compilations = 0;
};

SchemaValidator::SchemaValidator()
    : d(std::make_unique<Private>())
{}

SchemaValidator::~SchemaValidator() = default;

void SchemaValidator::clearCache()
{
    d->cache.clear();
}

void SchemaValidator::setCapacity(int schemas)
{
    d->cache.setMaxCost(qMax(1, schemas));
}

int SchemaValidator::capacity() const
{
    return int(d->cache.maxCost());
}

int SchemaValidator::cachedCount() const
{
    return int(d->cache.size());
}

quint64 SchemaValidator::compilations() const
{
    return d->compilations;
}

std::optional<SchemaViolation> SchemaValidator::validate(const QJsonObject &schema, const QJsonValue &value)
{
    if (schema.isEmpty())
        return std::nullopt;
    return validate(QJsonDocument(schema).toJson(QJsonDocument::Compact), schema, value);
}

std::optional<SchemaViolation> SchemaValidator::validate(const QByteArray &key, const QJsonObject &schema,
                                                         const QJsonValue &value)
{
    if (schema.isEmpty())
        return std::nullopt;
    std::shared_ptr<valijson::Schema> compiled;
    if (const auto *cached = d->cache.object(key)) { // marks it most recently used
        compiled = *cached;
    } else {
        compiled = compile(schema);
        ++d->compilations;
        d->cache.insert(key, new std::shared_ptr<valijson::Schema>(compiled));
    }
    if (!compiled)
        return std::nullopt;

    valijson::ValidationResults results;
    try {
        valijson::Validator validator;
        const valijson::adapters::QtJsonAdapter target(value);
        // Fast path: stop at the first error; collect the details only for invalid input.
        if (validator.validate(*compiled, target, nullptr))
            return std::nullopt;
        validator.validate(*compiled, target, &results);
    } catch (const std::exception &) {
        // e.g. a "pattern" std::regex cannot compile: leave the decision to the upstream.
        return std::nullopt;
    }

    // The deepest error names the value that is actually wrong; ancestors only summarise
    // ("Failed to validate item #0 in array"). Ties: the first reported.
    const valijson::ValidationResults::Error *best = nullptr;
    for (const auto &error : results)
        if (!best || error.context.size() > best->context.size())
            best = &error;
    if (!best)
        return SchemaViolation{QStringLiteral("/"), QStringLiteral("Value does not match the schema")};
    QString message = QString::fromStdString(best->description);
    if (message.startsWith(QLatin1String("Value type not permitted")))
        message = describeTypeError(schema, value, contextTokens(best->context), message);
    return SchemaViolation{pointerFromContext(best->context), message};
}

} // namespace metamcp
