#include "services/openapiimporter.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QRegularExpression>
#include <QSet>

namespace metamcp {

namespace {

constexpr int kMaxRefDepth = 32;
constexpr int kMaxRefExpansions = 20'000; // guards against exponential reference fan-out
constexpr int kMaxToolNameLength = 64;

const QStringList kMethods = {QStringLiteral("get"),   QStringLiteral("put"),    QStringLiteral("post"),
                              QStringLiteral("patch"), QStringLiteral("delete"), QStringLiteral("head")};
const QStringList kIgnoredMethods = {QStringLiteral("options"), QStringLiteral("trace")};

QString sanitiseToolName(const QString &raw)
{
    QString out;
    out.reserve(raw.size());
    for (const QChar c : raw) {
        const bool ok =
            (c >= QLatin1Char('a') && c <= QLatin1Char('z')) || (c >= QLatin1Char('A') && c <= QLatin1Char('Z')) ||
            (c >= QLatin1Char('0') && c <= QLatin1Char('9')) || c == QLatin1Char('_') || c == QLatin1Char('-');
        const QChar mapped = ok ? c : QLatin1Char('_');
        if (mapped == QLatin1Char('_') && out.endsWith(QLatin1Char('_')))
            continue;
        out += mapped;
    }
    while (out.startsWith(QLatin1Char('_')))
        out.remove(0, 1);
    while (out.endsWith(QLatin1Char('_')))
        out.chop(1);
    return out.left(kMaxToolNameLength);
}

bool isJsonMediaType(const QString &mediaType)
{
    const QString type = mediaType.section(QLatin1Char(';'), 0, 0).trimmed().toLower();
    return type == QLatin1String("application/json") || type.endsWith(QLatin1String("+json")) ||
           type == QLatin1String("*/*");
}

// Resolves local "#/..." references of one OpenAPI document, recursively, with a cycle and
// depth guard. OpenAPI 3.0 schema quirks (nullable, boolean exclusiveMinimum/Maximum) are
// rewritten into plain JSON Schema on the way.
class Resolver
{
public:
    Resolver(const QJsonObject &root, bool openApi30, QStringList &warnings)
        : m_root(root)
        , m_openApi30(openApi30)
        , m_warnings(warnings)
    {}

    QJsonValue resolve(const QJsonValue &value) { return resolve(value, 0); }
    QJsonObject resolveObject(const QJsonValue &value) { return resolve(value, 0).toObject(); }

private:
    std::optional<QJsonValue> lookup(const QString &ref) const
    {
        // "#/components/schemas/Pet" -> JSON pointer with ~1 = '/', ~0 = '~', percent-encoding.
        QJsonValue current = m_root;
        const QString pointer = QUrl::fromPercentEncoding(ref.mid(1).toUtf8());
        const QStringList tokens = pointer.split(QLatin1Char('/'), Qt::SkipEmptyParts);
        for (QString token : tokens) {
            token.replace(QLatin1String("~1"), QLatin1String("/")).replace(QLatin1String("~0"), QLatin1String("~"));
            if (current.isObject()) {
                const QJsonObject o = current.toObject();
                if (!o.contains(token))
                    return std::nullopt;
                current = o.value(token);
            } else if (current.isArray()) {
                bool ok = false;
                const int index = token.toInt(&ok);
                if (!ok || index < 0 || index >= current.toArray().size())
                    return std::nullopt;
                current = current.toArray().at(index);
            } else {
                return std::nullopt;
            }
        }
        return current;
    }

    void warnOnce(const QString &warning)
    {
        if (!m_warnings.contains(warning))
            m_warnings << warning;
    }

    QJsonValue resolve(const QJsonValue &value, int depth)
    {
        if (value.isArray()) {
            QJsonArray out;
            const QJsonArray in = value.toArray();
            for (const QJsonValue &v : in)
                out.append(resolve(v, depth));
            return out;
        }
        if (!value.isObject())
            return value;

        QJsonObject object = value.toObject();
        const QJsonValue refValue = object.value(QStringLiteral("$ref"));
        if (refValue.isString()) {
            const QString ref = refValue.toString();
            object.remove(QStringLiteral("$ref"));
            QJsonObject target;
            if (!ref.startsWith(QLatin1Char('#'))) {
                warnOnce(QStringLiteral("External reference %1 is not supported; treated as any value").arg(ref));
            } else if (m_stack.contains(ref) || depth >= kMaxRefDepth) {
                warnOnce(QStringLiteral("Recursive reference %1 truncated; treated as any value").arg(ref));
            } else if (++m_expansions > kMaxRefExpansions) {
                warnOnce(QStringLiteral("Too many references to expand; %1 treated as any value").arg(ref));
            } else if (const auto found = lookup(ref); !found || !found->isObject()) {
                warnOnce(QStringLiteral("Unresolvable reference %1; treated as any value").arg(ref));
            } else {
                m_stack.append(ref);
                target = resolve(*found, depth + 1).toObject();
                m_stack.removeLast();
            }
            // OpenAPI 3.1 allows siblings of $ref (description, ...): they win.
            for (auto it = object.begin(); it != object.end(); ++it)
                target.insert(it.key(), resolve(it.value(), depth));
            return target;
        }

        for (auto it = object.begin(); it != object.end(); ++it)
            *it = resolve(it.value(), depth);
        if (m_openApi30)
            rewrite30Schema(object);
        return object;
    }

    static void rewrite30Schema(QJsonObject &object)
    {
        if (object.value(QStringLiteral("nullable")).isBool()) {
            const bool nullable = object.value(QStringLiteral("nullable")).toBool();
            object.remove(QStringLiteral("nullable"));
            const QJsonValue type = object.value(QStringLiteral("type"));
            if (nullable && type.isString())
                object.insert(QStringLiteral("type"), QJsonArray{type, QStringLiteral("null")});
        }
        for (const auto &[exclusive, bound] :
             {std::pair{QStringLiteral("exclusiveMinimum"), QStringLiteral("minimum")},
              std::pair{QStringLiteral("exclusiveMaximum"), QStringLiteral("maximum")}}) {
            const QJsonValue flag = object.value(exclusive);
            if (!flag.isBool())
                continue;
            object.remove(exclusive);
            if (flag.toBool() && object.value(bound).isDouble()) {
                object.insert(exclusive, object.value(bound));
                object.remove(bound);
            }
        }
    }

    QJsonObject m_root;
    bool m_openApi30;
    QStringList &m_warnings;
    QStringList m_stack;
    int m_expansions = 0;
};

QUrl baseUrlOf(const QJsonObject &root, const QUrl &documentUrl, QStringList &warnings)
{
    const QJsonArray servers = root.value(QStringLiteral("servers")).toArray();
    QString url = QStringLiteral("/"); // OpenAPI: no servers means "/"
    if (!servers.isEmpty()) {
        const QJsonObject server = servers.at(0).toObject();
        url = server.value(QStringLiteral("url")).toString(QStringLiteral("/"));
        const QJsonObject variables = server.value(QStringLiteral("variables")).toObject();
        for (auto it = variables.begin(); it != variables.end(); ++it) {
            const QString value = it.value().toObject().value(QStringLiteral("default")).toString();
            url.replace(QLatin1Char('{') + it.key() + QLatin1Char('}'), value);
        }
        if (servers.size() > 1)
            warnings
                << QStringLiteral("The document lists %1 servers; using the first (%2)").arg(servers.size()).arg(url);
    }
    QUrl base(url);
    if (base.isRelative()) {
        if (documentUrl.isEmpty()) {
            warnings << QStringLiteral("The server URL \"%1\" is relative and the document URL is unknown; set the "
                                       "base URL by hand")
                            .arg(url);
            return {};
        }
        base = documentUrl.resolved(base);
    }
    return base;
}

struct Operation
{
    QString path;
    QString method; // lower case
    QJsonObject object;
    QJsonArray pathParameters;
};

QString describeSecurity(const QJsonObject &root)
{
    const QJsonObject schemes =
        root.value(QStringLiteral("components")).toObject().value(QStringLiteral("securitySchemes")).toObject();
    QStringList parts;
    for (auto it = schemes.begin(); it != schemes.end(); ++it) {
        const QJsonObject s = it.value().toObject();
        const QString type = s.value(QStringLiteral("type")).toString();
        if (type == QLatin1String("apiKey"))
            parts << QStringLiteral("%1: API key in %2 \"%3\"")
                         .arg(it.key(), s.value(QStringLiteral("in")).toString(),
                              s.value(QStringLiteral("name")).toString());
        else if (type == QLatin1String("http"))
            parts << QStringLiteral("%1: HTTP %2").arg(it.key(), s.value(QStringLiteral("scheme")).toString());
        else
            parts << QStringLiteral("%1: %2").arg(it.key(), type);
    }
    return parts.join(QStringLiteral("; "));
}

} // namespace

OpenApiImport importOpenApi(const QByteArray &document, const QUrl &documentUrl)
{
    OpenApiImport result;
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(document, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        result.error = QStringLiteral("Not a JSON document (%1 at offset %2); YAML documents must be converted to "
                                      "JSON first")
                           .arg(parseError.errorString())
                           .arg(parseError.offset);
        return result;
    }
    const QJsonObject root = doc.object();
    const QString version = root.value(QStringLiteral("openapi")).toString();
    if (!doc.isObject() || !version.startsWith(QLatin1String("3."))) {
        if (root.contains(QStringLiteral("swagger")))
            result.error = QStringLiteral("Swagger %1 documents are not supported; convert to OpenAPI 3")
                               .arg(root.value(QStringLiteral("swagger")).toString());
        else
            result.error = QStringLiteral("Not an OpenAPI 3 document (no \"openapi\": \"3.x\")");
        return result;
    }
    const bool openApi30 = version.startsWith(QLatin1String("3.0"));

    QStringList &warnings = result.warnings;
    result.baseUrl = baseUrlOf(root, documentUrl, warnings);
    Resolver resolver(root, openApi30, warnings);

    if (root.contains(QStringLiteral("security")) ||
        root.value(QStringLiteral("components")).toObject().contains(QStringLiteral("securitySchemes"))) {
        const QString schemes = describeSecurity(root);
        warnings << QStringLiteral("The API declares authentication%1; add the credentials to the server's headers")
                        .arg(schemes.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(schemes));
    }
    if (root.contains(QStringLiteral("webhooks")))
        warnings << QStringLiteral("Webhooks are not supported; ignored");

    QSet<QString> usedNames;
    const QJsonObject paths = root.value(QStringLiteral("paths")).toObject();
    for (auto p = paths.begin(); p != paths.end(); ++p) {
        const QString path = p.key();
        const QJsonObject pathItem = resolver.resolveObject(p.value());
        const QJsonArray pathParameters = pathItem.value(QStringLiteral("parameters")).toArray();
        for (auto m = pathItem.begin(); m != pathItem.end(); ++m) {
            const QString method = m.key().toLower();
            if (kIgnoredMethods.contains(method)) {
                warnings << QStringLiteral("%1 %2: method not supported; skipped").arg(method.toUpper(), path);
                continue;
            }
            if (!kMethods.contains(method))
                continue; // summary, description, parameters, servers, x-...
            const QJsonObject op = m.value().toObject();
            const QString label = QStringLiteral("%1 %2").arg(method.toUpper(), path);

            RestToolConfig tool;
            tool.method = method.toUpper();
            tool.urlTemplate = path;

            // Name.
            QString name = sanitiseToolName(op.value(QStringLiteral("operationId")).toString());
            if (name.isEmpty())
                name = sanitiseToolName(method + QLatin1Char('_') + path);
            if (name.isEmpty()) {
                warnings << QStringLiteral("%1: cannot derive a tool name; skipped").arg(label);
                continue;
            }
            if (usedNames.contains(name)) {
                const QString base = name.left(kMaxToolNameLength - 4);
                int n = 2;
                while (usedNames.contains(base + QLatin1Char('_') + QString::number(n)))
                    ++n;
                const QString renamed = base + QLatin1Char('_') + QString::number(n);
                warnings << QStringLiteral("%1: tool name \"%2\" already used; named \"%3\"").arg(label, name, renamed);
                name = renamed;
            }
            tool.name = name;

            // Description.
            const QString summary = op.value(QStringLiteral("summary")).toString().trimmed();
            const QString description = op.value(QStringLiteral("description")).toString().trimmed();
            tool.title = summary;
            if (summary.isEmpty())
                tool.description = description;
            else if (description.isEmpty() || description == summary)
                tool.description = summary;
            else
                tool.description = summary + QStringLiteral("\n\n") + description;
            if (op.value(QStringLiteral("deprecated")).toBool())
                tool.description = QString(tool.description + QStringLiteral("\n\n(Deprecated)")).trimmed();

            // Parameters: path-level ones, overridden by operation-level ones with the same name+in.
            QList<QJsonObject> parameters;
            auto addParameters = [&](const QJsonArray &array) {
                for (const QJsonValue &v : array) {
                    const QJsonObject param = resolver.resolveObject(v);
                    const QString key = param.value(QStringLiteral("in")).toString() + QLatin1Char(':') +
                                        param.value(QStringLiteral("name")).toString();
                    bool replaced = false;
                    for (QJsonObject &existing : parameters) {
                        if (existing.value(QStringLiteral("in")).toString() + QLatin1Char(':') +
                                existing.value(QStringLiteral("name")).toString() ==
                            key) {
                            existing = param;
                            replaced = true;
                        }
                    }
                    if (!replaced)
                        parameters << param;
                }
            };
            addParameters(pathParameters);
            addParameters(op.value(QStringLiteral("parameters")).toArray());

            QJsonObject properties;
            QJsonArray required;
            bool skip = false;
            for (const QJsonObject &param : parameters) {
                const QString pname = param.value(QStringLiteral("name")).toString();
                const QString in = param.value(QStringLiteral("in")).toString();
                const bool isRequired = in == QLatin1String("path") || param.value(QStringLiteral("required")).toBool();
                if (pname.isEmpty())
                    continue;
                if (in == QLatin1String("cookie")) {
                    warnings << QStringLiteral("%1: cookie parameter \"%2\" not supported%3")
                                    .arg(label, pname, isRequired ? QStringLiteral("; operation skipped") : QString());
                    skip = skip || isRequired;
                    continue;
                }
                if (in == QLatin1String("header") &&
                    (pname.compare(QLatin1String("Accept"), Qt::CaseInsensitive) == 0 ||
                     pname.compare(QLatin1String("Content-Type"), Qt::CaseInsensitive) == 0 ||
                     pname.compare(QLatin1String("Authorization"), Qt::CaseInsensitive) == 0)) {
                    continue; // OpenAPI: these header parameters are ignored
                }
                if (properties.contains(pname)) {
                    warnings << QStringLiteral("%1: parameter name \"%2\" used twice; the %3 one is ignored")
                                    .arg(label, pname, in);
                    continue;
                }
                QJsonObject schema = param.value(QStringLiteral("schema")).toObject();
                if (schema.isEmpty()) {
                    const QJsonObject content = param.value(QStringLiteral("content")).toObject();
                    if (!content.isEmpty())
                        schema = content.begin().value().toObject().value(QStringLiteral("schema")).toObject();
                }
                if (schema.isEmpty())
                    schema = QJsonObject{{QStringLiteral("type"), QStringLiteral("string")}};
                const QString pdesc = param.value(QStringLiteral("description")).toString();
                if (!pdesc.isEmpty() && !schema.contains(QStringLiteral("description")))
                    schema.insert(QStringLiteral("description"), pdesc);

                if (in == QLatin1String("path")) {
                    if (!path.contains(QLatin1Char('{') + pname + QLatin1Char('}')))
                        warnings << QStringLiteral("%1: path parameter \"%2\" does not appear in the path")
                                        .arg(label, pname);
                } else if (in == QLatin1String("query")) {
                    tool.queryParams << pname;
                    const QString style = param.value(QStringLiteral("style")).toString(QStringLiteral("form"));
                    if (style != QLatin1String("form") || param.value(QStringLiteral("explode")).toBool(true) == false)
                        warnings << QStringLiteral("%1: query parameter \"%2\" uses style %3; sent as repeated "
                                                   "name=value pairs")
                                        .arg(label, pname, style);
                } else if (in == QLatin1String("header")) {
                    tool.headers.insert(pname, QLatin1Char('{') + pname + QLatin1Char('}'));
                } else {
                    warnings << QStringLiteral("%1: parameter \"%2\" in \"%3\" not supported; ignored")
                                    .arg(label, pname, in);
                    continue;
                }
                properties.insert(pname, schema);
                if (isRequired)
                    required.append(pname);
            }
            if (skip)
                continue;

            // Request body.
            if (op.contains(QStringLiteral("requestBody"))) {
                const QJsonObject body = resolver.resolveObject(op.value(QStringLiteral("requestBody")));
                const bool bodyRequired = body.value(QStringLiteral("required")).toBool();
                const QJsonObject content = body.value(QStringLiteral("content")).toObject();
                QJsonObject bodySchema;
                bool haveJson = false;
                for (auto c = content.begin(); c != content.end(); ++c) {
                    if (isJsonMediaType(c.key())) {
                        bodySchema = c.value().toObject().value(QStringLiteral("schema")).toObject();
                        haveJson = true;
                        if (c.key().startsWith(QLatin1String("application/json")))
                            break;
                    }
                }
                if (!haveJson) {
                    const QString types = content.keys().join(QStringLiteral(", "));
                    if (bodyRequired) {
                        warnings << QStringLiteral("%1: request body type %2 not supported; operation skipped")
                                        .arg(label, types);
                        continue;
                    }
                    warnings
                        << QStringLiteral("%1: optional request body type %2 not supported; ignored").arg(label, types);
                } else {
                    const QJsonObject bodyProps = bodySchema.value(QStringLiteral("properties")).toObject();
                    const bool objectBody =
                        bodySchema.value(QStringLiteral("type")).toString() == QLatin1String("object") ||
                        (!bodySchema.contains(QStringLiteral("type")) && !bodyProps.isEmpty());
                    bool clash = false;
                    for (auto b = bodyProps.begin(); b != bodyProps.end(); ++b)
                        clash = clash || properties.contains(b.key());
                    const bool canMerge =
                        objectBody && !bodyProps.isEmpty() && !clash &&
                        (tool.method == QLatin1String("POST") || tool.method == QLatin1String("PUT") ||
                         tool.method == QLatin1String("PATCH")) &&
                        !bodySchema.contains(QStringLiteral("allOf")) &&
                        !bodySchema.contains(QStringLiteral("oneOf")) && !bodySchema.contains(QStringLiteral("anyOf"));
                    if (canMerge) {
                        for (auto b = bodyProps.begin(); b != bodyProps.end(); ++b)
                            properties.insert(b.key(), b.value());
                        if (bodyRequired) {
                            const QJsonArray bodyRequiredProps = bodySchema.value(QStringLiteral("required")).toArray();
                            for (const QJsonValue &r : bodyRequiredProps)
                                if (bodyProps.contains(r.toString()))
                                    required.append(r);
                        }
                    } else {
                        QString bodyName = QStringLiteral("body");
                        while (properties.contains(bodyName))
                            bodyName.prepend(QLatin1Char('_'));
                        QJsonObject schema = bodySchema;
                        const QString bdesc = body.value(QStringLiteral("description")).toString();
                        if (!bdesc.isEmpty() && !schema.contains(QStringLiteral("description")))
                            schema.insert(QStringLiteral("description"), bdesc);
                        properties.insert(bodyName, schema);
                        tool.bodyParam = bodyName;
                        if (bodyRequired)
                            required.append(bodyName);
                    }
                }
            }

            if (op.contains(QStringLiteral("servers")) || pathItem.contains(QStringLiteral("servers")))
                warnings << QStringLiteral("%1: operation-specific servers are not supported; the base URL is used")
                                .arg(label);
            if (op.contains(QStringLiteral("callbacks")))
                warnings << QStringLiteral("%1: callbacks are not supported; ignored").arg(label);

            QJsonObject inputSchema{{QStringLiteral("type"), QStringLiteral("object")},
                                    {QStringLiteral("properties"), properties}};
            if (!required.isEmpty())
                inputSchema.insert(QStringLiteral("required"), required);
            tool.inputSchema = inputSchema;

            QJsonObject annotations;
            if (tool.method == QLatin1String("GET") || tool.method == QLatin1String("HEAD")) {
                annotations.insert(QStringLiteral("readOnlyHint"), true);
            } else {
                annotations.insert(QStringLiteral("readOnlyHint"), false);
                annotations.insert(QStringLiteral("destructiveHint"), tool.method == QLatin1String("DELETE"));
                annotations.insert(QStringLiteral("idempotentHint"),
                                   tool.method == QLatin1String("PUT") || tool.method == QLatin1String("DELETE"));
            }
            annotations.insert(QStringLiteral("openWorldHint"), true);
            tool.annotations = annotations;

            usedNames.insert(tool.name);
            result.tools << tool;
        }
    }
    if (result.tools.isEmpty())
        warnings << QStringLiteral("The document defines no usable operations");
    return result;
}

} // namespace metamcp
