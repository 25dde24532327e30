#include "model/config.h"

#include <QRegularExpression>

namespace metamcp {

namespace {

QJsonObject mapToJson(const QMap<QString, QString> &map)
{
    QJsonObject o;
    for (auto it = map.cbegin(); it != map.cend(); ++it)
        o.insert(it.key(), it.value());
    return o;
}

QMap<QString, QString> mapFromJson(const QJsonValue &value)
{
    QMap<QString, QString> map;
    const QJsonObject o = value.toObject();
    for (auto it = o.begin(); it != o.end(); ++it)
        map.insert(it.key(), it.value().isString() ? it.value().toString() : it.value().toVariant().toString());
    return map;
}

QStringList listFromJson(const QJsonValue &value)
{
    QStringList list;
    const QJsonArray a = value.toArray();
    list.reserve(a.size());
    for (const QJsonValue &v : a)
        list.append(v.toString());
    return list;
}

const QRegularExpression &nameRegex()
{
    static const QRegularExpression re(QStringLiteral("^[A-Za-z0-9_-]{1,64}$"));
    return re;
}

} // namespace

QString upstreamIsolationName(UpstreamIsolation isolation)
{
    switch (isolation) {
    case UpstreamIsolation::Shared:
        return QStringLiteral("shared");
    case UpstreamIsolation::PerSession:
        return QStringLiteral("per-session");
    case UpstreamIsolation::PerPrincipal:
        return QStringLiteral("per-principal");
    }
    return {};
}

std::optional<UpstreamIsolation> upstreamIsolationFromName(const QString &name)
{
    const QString n = name.trimmed().toLower();
    if (n == u"shared")
        return UpstreamIsolation::Shared;
    if (n == u"per-session" || n == u"session")
        return UpstreamIsolation::PerSession;
    if (n == u"per-principal" || n == u"principal")
        return UpstreamIsolation::PerPrincipal;
    return std::nullopt;
}

QString upstreamKindName(UpstreamKind kind)
{
    switch (kind) {
    case UpstreamKind::Stdio:
        return QStringLiteral("stdio");
    case UpstreamKind::StreamableHttp:
        return QStringLiteral("http");
    case UpstreamKind::Sse:
        return QStringLiteral("sse");
    case UpstreamKind::Rest:
        return QStringLiteral("rest");
    }
    return {};
}

std::optional<UpstreamKind> upstreamKindFromName(const QString &name)
{
    const QString n = name.trimmed().toLower();
    if (n == u"stdio")
        return UpstreamKind::Stdio;
    if (n == u"http" || n == u"streamable-http" || n == u"streamablehttp" || n == u"streamable_http")
        return UpstreamKind::StreamableHttp;
    if (n == u"sse")
        return UpstreamKind::Sse;
    if (n == u"rest" || n == u"openapi")
        return UpstreamKind::Rest;
    return std::nullopt;
}

QJsonObject RestToolConfig::toJson() const
{
    QJsonObject o{{QStringLiteral("name"), name},
                  {QStringLiteral("method"), method},
                  {QStringLiteral("url"), urlTemplate},
                  {QStringLiteral("timeoutMs"), timeoutMs}};
    if (!title.isEmpty())
        o.insert(QStringLiteral("title"), title);
    if (!description.isEmpty())
        o.insert(QStringLiteral("description"), description);
    if (!headers.isEmpty())
        o.insert(QStringLiteral("headers"), mapToJson(headers));
    if (!queryParams.isEmpty())
        o.insert(QStringLiteral("query"), QJsonArray::fromStringList(queryParams));
    if (!bodyParam.isEmpty())
        o.insert(QStringLiteral("bodyParam"), bodyParam);
    if (!inputSchema.isEmpty())
        o.insert(QStringLiteral("inputSchema"), inputSchema);
    if (!outputSchema.isEmpty())
        o.insert(QStringLiteral("outputSchema"), outputSchema);
    if (!annotations.isEmpty())
        o.insert(QStringLiteral("annotations"), annotations);
    return o;
}

RestToolConfig RestToolConfig::fromJson(const QJsonObject &json)
{
    RestToolConfig t;
    t.name = json.value(QStringLiteral("name")).toString();
    t.title = json.value(QStringLiteral("title")).toString();
    t.description = json.value(QStringLiteral("description")).toString();
    t.method = json.value(QStringLiteral("method")).toString(QStringLiteral("GET")).toUpper();
    t.urlTemplate = json.value(QStringLiteral("url")).toString();
    t.headers = mapFromJson(json.value(QStringLiteral("headers")));
    t.queryParams = listFromJson(json.value(QStringLiteral("query")));
    t.bodyParam = json.value(QStringLiteral("bodyParam")).toString();
    t.inputSchema = json.value(QStringLiteral("inputSchema")).toObject();
    t.outputSchema = json.value(QStringLiteral("outputSchema")).toObject();
    t.annotations = json.value(QStringLiteral("annotations")).toObject();
    t.timeoutMs = json.value(QStringLiteral("timeoutMs")).toInt(30'000);
    return t;
}

QJsonObject UpstreamConfig::toJson() const
{
    QJsonObject o{{QStringLiteral("name"), name},
                  {QStringLiteral("type"), upstreamKindName(kind)},
                  {QStringLiteral("enabled"), enabled},
                  {QStringLiteral("requestTimeoutMs"), requestTimeoutMs},
                  {QStringLiteral("maxConcurrency"), maxConcurrency},
                  {QStringLiteral("startupTimeoutMs"), startupTimeoutMs}};
    if (isolation != UpstreamIsolation::Shared) {
        o.insert(QStringLiteral("isolation"), upstreamIsolationName(isolation));
        o.insert(QStringLiteral("maxInstances"), maxInstances);
        o.insert(QStringLiteral("instanceIdleMs"), instanceIdleMs);
        o.insert(QStringLiteral("warmInstances"), warmInstances);
    }
    if (!command.isEmpty())
        o.insert(QStringLiteral("command"), command);
    if (!args.isEmpty())
        o.insert(QStringLiteral("args"), QJsonArray::fromStringList(args));
    if (!env.isEmpty())
        o.insert(QStringLiteral("env"), mapToJson(env));
    if (!cwd.isEmpty())
        o.insert(QStringLiteral("cwd"), cwd);
    if (!url.isEmpty())
        o.insert(QStringLiteral("url"), url.toString());
    if (!headers.isEmpty())
        o.insert(QStringLiteral("headers"), mapToJson(headers));
    if (!secretHeaders.isEmpty())
        o.insert(QStringLiteral("secretHeaders"), QJsonArray::fromStringList(secretHeaders));
    if (!secretEnv.isEmpty())
        o.insert(QStringLiteral("secretEnv"), QJsonArray::fromStringList(secretEnv));
    if (!restTools.isEmpty()) {
        QJsonArray tools;
        for (const RestToolConfig &t : restTools)
            tools.append(t.toJson());
        o.insert(QStringLiteral("tools"), tools);
    }
    return o;
}

UpstreamConfig UpstreamConfig::fromJson(const QJsonObject &json)
{
    UpstreamConfig c;
    c.name = json.value(QStringLiteral("name")).toString();
    c.kind = upstreamKindFromName(json.value(QStringLiteral("type")).toString()).value_or(UpstreamKind::Stdio);
    c.enabled = json.value(QStringLiteral("enabled")).toBool(true);
    c.command = json.value(QStringLiteral("command")).toString();
    c.args = listFromJson(json.value(QStringLiteral("args")));
    c.env = mapFromJson(json.value(QStringLiteral("env")));
    c.cwd = json.value(QStringLiteral("cwd")).toString();
    c.url = QUrl(json.value(QStringLiteral("url")).toString());
    c.headers = mapFromJson(json.value(QStringLiteral("headers")));
    const QJsonArray tools = json.value(QStringLiteral("tools")).toArray();
    for (const QJsonValue &t : tools)
        c.restTools.append(RestToolConfig::fromJson(t.toObject()));
    c.secretHeaders = listFromJson(json.value(QStringLiteral("secretHeaders")));
    c.secretEnv = listFromJson(json.value(QStringLiteral("secretEnv")));
    c.requestTimeoutMs = json.value(QStringLiteral("requestTimeoutMs")).toInt(60'000);
    c.maxConcurrency = json.value(QStringLiteral("maxConcurrency")).toInt(32);
    c.startupTimeoutMs = json.value(QStringLiteral("startupTimeoutMs")).toInt(30'000);
    // An unknown isolation name keeps the (invalid) text visible to validate() through -1.
    const QJsonValue isolation = json.value(QStringLiteral("isolation"));
    if (!isolation.isUndefined())
        c.isolation = upstreamIsolationFromName(isolation.toString()).value_or(UpstreamIsolation(-1));
    c.maxInstances = json.value(QStringLiteral("maxInstances")).toInt(16);
    c.instanceIdleMs = json.value(QStringLiteral("instanceIdleMs")).toInt(5 * 60'000);
    c.warmInstances = json.value(QStringLiteral("warmInstances")).toInt(1);
    return c;
}

bool UpstreamConfig::looksSecret(const QString &name)
{
    static const QRegularExpression re(
        QStringLiteral("(auth|token|secret|passw|api[-_]?key|credential|cookie|private[-_]?key|access[-_]?key|bearer)"),
        QRegularExpression::CaseInsensitiveOption);
    return re.match(name).hasMatch();
}

QStringList UpstreamConfig::secretFields() const
{
    QStringList fields;
    for (auto it = headers.cbegin(); it != headers.cend(); ++it)
        if (secretHeaders.contains(it.key(), Qt::CaseInsensitive) || looksSecret(it.key()))
            fields.append(QLatin1String("header:") + it.key());
    for (const QString &h : secretHeaders)
        if (!headers.contains(h))
            fields.append(QLatin1String("header:") + h);
    for (auto it = env.cbegin(); it != env.cend(); ++it)
        if (secretEnv.contains(it.key()) || looksSecret(it.key()))
            fields.append(QLatin1String("env:") + it.key());
    for (const QString &e : secretEnv)
        if (!env.contains(e))
            fields.append(QLatin1String("env:") + e);
    return fields;
}

QString UpstreamConfig::secretValue(const QString &field) const
{
    if (field.startsWith(QLatin1String("header:")))
        return headers.value(field.mid(7));
    if (field.startsWith(QLatin1String("env:")))
        return env.value(field.mid(4));
    return {};
}

void UpstreamConfig::setSecretValue(const QString &field, const QString &value)
{
    if (field.startsWith(QLatin1String("header:")))
        headers.insert(field.mid(7), value);
    else if (field.startsWith(QLatin1String("env:")))
        env.insert(field.mid(4), value);
}

UpstreamConfig UpstreamConfig::withoutSecrets() const
{
    UpstreamConfig c = *this;
    const QStringList fields = secretFields();
    for (const QString &field : fields) {
        c.setSecretValue(field, QString());
        // Remember the field as secret so it stays secret once its value is gone.
        if (field.startsWith(QLatin1String("header:")) && !c.secretHeaders.contains(field.mid(7)))
            c.secretHeaders.append(field.mid(7));
        if (field.startsWith(QLatin1String("env:")) && !c.secretEnv.contains(field.mid(4)))
            c.secretEnv.append(field.mid(4));
    }
    return c;
}

QString UpstreamConfig::validate() const
{
    if (name.isEmpty())
        return QStringLiteral("The server needs a name.");
    if (!nameRegex().match(name).hasMatch())
        return QStringLiteral("The name \"%1\" may only contain letters, digits, '-' and '_' (at most 64).").arg(name);
    if (requestTimeoutMs < 100 || requestTimeoutMs > 3'600'000)
        return QStringLiteral("The request timeout must be between 100 ms and 1 hour.");
    if (maxConcurrency < 1 || maxConcurrency > 10'000)
        return QStringLiteral("The concurrency limit must be between 1 and 10000.");
    if (startupTimeoutMs < 100 || startupTimeoutMs > 600'000)
        return QStringLiteral("The startup timeout must be between 100 ms and 10 minutes.");
    if (upstreamIsolationName(isolation).isEmpty())
        return QStringLiteral("The isolation must be shared, per-session or per-principal.");
    if (isolation != UpstreamIsolation::Shared) {
        if (kind == UpstreamKind::Rest)
            return QStringLiteral("A REST server is always shared: it cannot send requests to clients.");
        if (maxInstances < 1 || maxInstances > 1000)
            return QStringLiteral("The number of isolated instances must be between 1 and 1000.");
        if (instanceIdleMs < 100 || instanceIdleMs > 24 * 3'600'000)
            return QStringLiteral("The idle time of an isolated instance must be between 100 ms and 24 hours.");
        if (warmInstances < 0 || warmInstances > 64 || warmInstances > maxInstances)
            return QStringLiteral("The number of isolated instances kept ready must be between 0 and 64, and at "
                                  "most the number of isolated instances.");
    }
    switch (kind) {
    case UpstreamKind::Stdio:
        if (command.trimmed().isEmpty())
            return QStringLiteral("A stdio server needs a command to start.");
        break;
    case UpstreamKind::StreamableHttp:
    case UpstreamKind::Sse:
    case UpstreamKind::Rest: {
        const bool relativeOnly = kind == UpstreamKind::Rest && url.isEmpty();
        if (!relativeOnly) {
            if (!url.isValid() || url.isRelative())
                return QStringLiteral("The URL \"%1\" is not a valid absolute URL.").arg(url.toString());
            if (url.scheme() != u"http" && url.scheme() != u"https")
                return QStringLiteral("The URL must start with http:// or https://.");
        }
        if (kind == UpstreamKind::Rest) {
            if (restTools.isEmpty())
                return QStringLiteral("A REST server needs at least one tool.");
            QStringList seen;
            for (const RestToolConfig &t : restTools) {
                if (!nameRegex().match(t.name).hasMatch())
                    return QStringLiteral("The REST tool name \"%1\" may only contain letters, digits, '-' and '_'.")
                        .arg(t.name);
                if (seen.contains(t.name))
                    return QStringLiteral("The REST tool name \"%1\" is used twice.").arg(t.name);
                seen.append(t.name);
                static const QStringList methods = {QStringLiteral("GET"),    QStringLiteral("POST"),
                                                    QStringLiteral("PUT"),    QStringLiteral("PATCH"),
                                                    QStringLiteral("DELETE"), QStringLiteral("HEAD")};
                if (!methods.contains(t.method))
                    return QStringLiteral("The REST tool \"%1\" has an unsupported method %2.").arg(t.name, t.method);
                if (t.urlTemplate.isEmpty())
                    return QStringLiteral("The REST tool \"%1\" needs a URL.").arg(t.name);
                if (url.isEmpty() && QUrl(t.urlTemplate).isRelative())
                    return QStringLiteral("The REST tool \"%1\" has a relative URL but the server has no base URL.")
                        .arg(t.name);
            }
        }
        break;
    }
    }
    return {};
}

const UpstreamConfig *GatewayConfig::server(const QString &name) const
{
    for (const UpstreamConfig &s : servers)
        if (s.name == name)
            return &s;
    return nullptr;
}

const NamespaceConfig *GatewayConfig::ns(const QString &name) const
{
    for (const NamespaceConfig &n : namespaces)
        if (n.name == name)
            return &n;
    return nullptr;
}

} // namespace metamcp
