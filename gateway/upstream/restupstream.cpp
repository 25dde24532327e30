#include "upstream/restupstream.h"

#include "http/httpclient.h"
#include "model/jsontext.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QRegularExpression>
#include <QSet>
#include <QStringDecoder>
#include <QTimer>

#include <map>

namespace metamcp {

namespace {

constexpr qint64 kMaxResponseBytes = rest::kDefaultMaxResponseBytes;
constexpr int kErrorExcerptChars = 500;

const QRegularExpression &placeholderRegex()
{
    static const QRegularExpression re(QStringLiteral("\\{([^{}]+)\\}"));
    return re;
}

QStringList placeholders(const QString &text)
{
    if (!text.contains(QLatin1Char('{')))
        return {};
    QStringList names;
    auto it = placeholderRegex().globalMatch(text);
    while (it.hasNext())
        names << it.next().captured(1);
    return names;
}

// A JSON value serialised the way it goes into a URL or a header: strings as-is, numbers
// without a trailing ".0", arrays comma-separated (OpenAPI "simple" style), objects as JSON.
QString argumentText(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::String:
    case QJsonValue::Bool:
    case QJsonValue::Double:
        return *json::scalarText(value);
    case QJsonValue::Array: {
        QStringList parts;
        const QJsonArray array = value.toArray();
        for (const QJsonValue &v : array)
            parts << argumentText(v);
        return parts.join(QLatin1Char(','));
    }
    case QJsonValue::Object:
        return QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
    default:
        return {};
    }
}

QByteArray jsonBytes(const QJsonValue &value)
{
    if (value.isObject())
        return QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact);
    if (value.isArray())
        return QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact);
    // QJsonDocument holds only objects and arrays: serialise [value] and strip the brackets.
    QByteArray wrapped = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return wrapped.mid(1, wrapped.size() - 2);
}

// Replaces {name} placeholders. `encode`: percent-encode the values (URLs). Missing
// arguments are collected in `missing`; their placeholders are left empty.
QString substitute(const QString &text, const QJsonObject &args, bool encode, QStringList *missing)
{
    if (!text.contains(QLatin1Char('{')))
        return text;
    QString out;
    qsizetype last = 0;
    auto it = placeholderRegex().globalMatch(text);
    while (it.hasNext()) {
        const QRegularExpressionMatch m = it.next();
        out += QStringView(text).mid(last, m.capturedStart() - last);
        const QString name = m.captured(1);
        const QJsonValue value = args.value(name);
        if (value.isUndefined() || value.isNull()) {
            if (missing)
                *missing << name;
        } else {
            const QString v = argumentText(value);
            if (encode) {
                out += QString::fromLatin1(QUrl::toPercentEncoding(v));
            } else {
                QString clean = v;
                clean.remove(QLatin1Char('\r')).remove(QLatin1Char('\n')); // no header injection
                out += clean;
            }
        }
        last = m.capturedEnd();
    }
    out += QStringView(text).mid(last);
    return out;
}

bool methodHasBody(const QString &method)
{
    return method == QLatin1String("POST") || method == QLatin1String("PUT") || method == QLatin1String("PATCH");
}

QJsonObject textContent(const QString &text)
{
    return QJsonObject{{QStringLiteral("type"), QStringLiteral("text")}, {QStringLiteral("text"), text}};
}

QJsonObject errorResult(const QString &message)
{
    return QJsonObject{{QStringLiteral("content"), QJsonArray{textContent(message)}},
                       {QStringLiteral("isError"), true}};
}

bool isJsonContentType(const QString &mime)
{
    return mime == QLatin1String("application/json") || mime.endsWith(QLatin1String("+json")) ||
           mime == QLatin1String("text/json");
}

bool isTextContentType(const QString &mime)
{
    return mime.startsWith(QLatin1String("text/")) || mime.endsWith(QLatin1String("+xml")) ||
           mime == QLatin1String("application/xml") || mime == QLatin1String("application/javascript") ||
           mime == QLatin1String("application/x-www-form-urlencoded") || mime == QLatin1String("application/yaml") ||
           mime == QLatin1String("application/x-yaml");
}

std::optional<QString> decodeUtf8(const QByteArray &bytes)
{
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    QString text = decoder.decode(bytes);
    if (decoder.hasError())
        return std::nullopt;
    return text;
}

QString excerpt(const QByteArray &body)
{
    QString text = QString::fromUtf8(body).trimmed();
    if (text.size() > kErrorExcerptChars)
        text = text.left(kErrorExcerptChars) + QChar(0x2026);
    return text;
}

// Sets a request header, replacing one of the same name (names compare case-insensitively).
void setHeader(rest::HttpHeaderList &headers, const QByteArray &name, const QByteArray &value)
{
    for (auto &h : headers) {
        if (h.first.compare(name, Qt::CaseInsensitive) == 0) {
            h.second = value;
            return;
        }
    }
    headers.append({name, value});
}

bool hasHeader(const rest::HttpHeaderList &headers, QByteArrayView name)
{
    for (const auto &h : headers)
        if (QByteArrayView(h.first).compare(name, Qt::CaseInsensitive) == 0)
            return true;
    return false;
}

} // namespace

struct RestUpstream::Private
{
    struct Call
    {
        quint64 requestId = 0; // HttpClient request
        QJsonValue id;         // JSON-RPC id of the tools/call
        QByteArray method;
        QUrl url;
        int timeoutMs = 0;
        QElapsedTimer elapsed;
    };

    rest::HttpClient *http = nullptr;
    std::map<quint64, Call> calls; // transmitted tools/call requests, by handle

    // Forgets a call and aborts its HTTP request without reporting anything.
    void drop(quint64 handle)
    {
        const auto it = calls.find(handle);
        if (it == calls.end())
            return;
        const quint64 requestId = it->second.requestId;
        calls.erase(it);
        http->abort(requestId);
    }
    void dropAll()
    {
        while (!calls.empty())
            drop(calls.begin()->first);
    }
};

RestUpstream::RestUpstream(const UpstreamConfig &config, QObject *parent)
    : Upstream(config, parent)
    , d(std::make_unique<Private>())
{
    d->http = new rest::HttpClient(this);
    connect(d->http, &rest::HttpClient::connectionOpened, this,
            [this](const QString &origin) { appendLog(QStringLiteral("[rest] connected to ") + origin); });
}

RestUpstream::~RestUpstream()
{
    d->dropAll();
}

void RestUpstream::start()
{
    if (state() == UpstreamState::Ready)
        return;
    QString problem;
    if (config().kind != UpstreamKind::Rest)
        problem = QStringLiteral("Not a REST server");
    else
        problem = config().validate();
    if (!problem.isEmpty()) {
        appendLog(QStringLiteral("[rest] invalid configuration: ") + problem);
        setState(UpstreamState::Failing, problem); // a configuration error: no point retrying
        return;
    }
    setServerInfo(QJsonObject{
        {QStringLiteral("protocolVersion"), mcp::sessionProtocolVersions().constFirst()},
        {QStringLiteral("capabilities"),
         QJsonObject{{QStringLiteral("tools"), QJsonObject{{QStringLiteral("listChanged"), false}}}}},
        {QStringLiteral("serverInfo"), QJsonObject{{QStringLiteral("name"), config().name},
                                                   {QStringLiteral("version"), QStringLiteral(METAMCP_VERSION)}}},
    });
    setState(UpstreamState::Ready);
}

void RestUpstream::stop()
{
    d->dropAll();
    finishStop();
}

void RestUpstream::sendMessage(const QJsonObject &) {}

QJsonObject RestUpstream::toolDescriptor(const RestToolConfig &tool)
{
    QJsonObject descriptor{{QStringLiteral("name"), tool.name}};
    if (!tool.title.isEmpty())
        descriptor.insert(QStringLiteral("title"), tool.title);
    if (!tool.description.isEmpty())
        descriptor.insert(QStringLiteral("description"), tool.description);
    QJsonObject input = tool.inputSchema;
    if (!input.contains(QStringLiteral("type")))
        input.insert(QStringLiteral("type"), QStringLiteral("object"));
    if (input.value(QStringLiteral("type")) == QStringLiteral("object") &&
        !input.contains(QStringLiteral("properties")))
        input.insert(QStringLiteral("properties"), QJsonObject{});
    descriptor.insert(QStringLiteral("inputSchema"), input);
    if (!tool.outputSchema.isEmpty()) {
        // Non-object responses arrive wrapped as {"result": ...}; MCP wants an object schema.
        if (tool.outputSchema.value(QStringLiteral("type")) == QStringLiteral("object"))
            descriptor.insert(QStringLiteral("outputSchema"), tool.outputSchema);
        else
            descriptor.insert(
                QStringLiteral("outputSchema"),
                QJsonObject{{QStringLiteral("type"), QStringLiteral("object")},
                            {QStringLiteral("properties"), QJsonObject{{QStringLiteral("result"), tool.outputSchema}}},
                            {QStringLiteral("required"), QJsonArray{QStringLiteral("result")}}});
    }
    if (!tool.annotations.isEmpty())
        descriptor.insert(QStringLiteral("annotations"), tool.annotations);
    return descriptor;
}

void RestUpstream::transmitRequest(quint64 handle, const QJsonObject &request, const RequestHooks &hooks)
{
    transmitCall(handle, request.value(QLatin1String("method")).toString(),
                 request.value(QLatin1String("params")).toObject(), hooks);
}

void RestUpstream::transmitCall(quint64 handle, const QString &method, const QJsonObject &params,
                                const RequestHooks &hooks)
{
    Q_UNUSED(hooks); // REST calls produce no notifications or server->client requests
    const QJsonValue id = idFor(handle);

    // Answers computed here are delivered from the event loop, never from inside this call.
    auto answer = [this, handle](const QJsonObject &response) {
        QTimer::singleShot(0, this, [this, handle, response] { finishRequest(handle, response); });
    };
    auto result = [&](const QJsonObject &value) { answer(jsonrpc::result(id, value)); };

    if (method == QLatin1String("initialize")) {
        const QString requested = params.value(QStringLiteral("protocolVersion")).toString();
        QJsonObject info = serverInfo();
        if (info.isEmpty())
            info = QJsonObject{{QStringLiteral("name"), config().name},
                               {QStringLiteral("version"), QStringLiteral(METAMCP_VERSION)}};
        result(QJsonObject{
            {QStringLiteral("protocolVersion"), mcp::sessionProtocolVersions().contains(requested)
                                                    ? requested
                                                    : mcp::sessionProtocolVersions().constFirst()},
            {QStringLiteral("capabilities"),
             QJsonObject{{QStringLiteral("tools"), QJsonObject{{QStringLiteral("listChanged"), false}}}}},
            {QStringLiteral("serverInfo"), info},
        });
    } else if (method == QLatin1String("ping")) {
        result(QJsonObject{});
    } else if (method == QLatin1String("tools/list")) {
        QJsonArray tools;
        for (const RestToolConfig &tool : config().restTools)
            tools.append(toolDescriptor(tool));
        result(QJsonObject{{QStringLiteral("tools"), tools}});
    } else if (method == QLatin1String("tools/call")) {
        const QString toolName = params.value(QStringLiteral("name")).toString();
        const RestToolConfig *tool = nullptr;
        for (const RestToolConfig &t : config().restTools)
            if (t.name == toolName)
                tool = &t;
        if (!tool) {
            answer(jsonrpc::error(id, rpcerr::InvalidParams, QStringLiteral("Unknown tool: %1").arg(toolName)));
            return;
        }
        const QJsonObject args = params.value(QStringLiteral("arguments")).toObject();

        // URL: template with percent-encoded arguments, relative to the server's base URL.
        QStringList missing;
        QString target = substitute(tool->urlTemplate, args, true, &missing);
        if (!missing.isEmpty()) {
            result(errorResult(QStringLiteral("Missing value for URL parameter(s) %1 of tool %2")
                                   .arg(missing.join(QStringLiteral(", ")), tool->name)));
            return;
        }
        QUrl url(target, QUrl::TolerantMode);
        if (url.isRelative()) {
            const QUrl base = config().url;
            QString relPath = target;
            QString relQuery;
            const qsizetype q = relPath.indexOf(QLatin1Char('?'));
            if (q >= 0) {
                relQuery = relPath.mid(q + 1);
                relPath.truncate(q);
            }
            QString basePath = base.path(QUrl::FullyEncoded);
            while (basePath.endsWith(QLatin1Char('/')))
                basePath.chop(1);
            while (relPath.startsWith(QLatin1Char('/')))
                relPath.remove(0, 1);
            url = base;
            url.setPath(basePath + QLatin1Char('/') + relPath, QUrl::TolerantMode);
            QString query = base.query(QUrl::FullyEncoded);
            if (!relQuery.isEmpty())
                query = query.isEmpty() ? relQuery : query + QLatin1Char('&') + relQuery;
            url.setQuery(query.isEmpty() ? QString() : query, QUrl::TolerantMode);
        }
        if (!url.isValid() || url.isRelative()) {
            result(errorResult(QStringLiteral("Tool %1 has no valid URL (%2)").arg(tool->name, target)));
            return;
        }

        // Query parameters.
        QStringList pairs;
        for (const QString &name : tool->queryParams) {
            const QJsonValue value = args.value(name);
            if (value.isUndefined() || value.isNull())
                continue;
            const QByteArray encodedName = QUrl::toPercentEncoding(name);
            const QJsonArray values = value.isArray() ? value.toArray() : QJsonArray{value};
            for (const QJsonValue &v : values)
                pairs << QString::fromLatin1(encodedName + '=' + QUrl::toPercentEncoding(argumentText(v)));
        }
        if (!pairs.isEmpty()) {
            QString query = url.query(QUrl::FullyEncoded);
            if (!query.isEmpty())
                query += QLatin1Char('&');
            url.setQuery(query + pairs.join(QLatin1Char('&')), QUrl::TolerantMode);
        }

        // Headers: the server's, then the tool's; a header whose placeholders lack a value is left out.
        QSet<QString> used;
        for (const QString &p : placeholders(tool->urlTemplate))
            used.insert(p);
        for (const QString &p : tool->queryParams)
            used.insert(p);
        rest::HttpClientRequest req;
        auto addHeaders = [&](const QMap<QString, QString> &headers) {
            for (auto it = headers.cbegin(); it != headers.cend(); ++it) {
                for (const QString &p : placeholders(it.value()))
                    used.insert(p);
                QStringList absent;
                const QString value = substitute(it.value(), args, false, &absent);
                if (!absent.isEmpty())
                    continue;
                setHeader(req.headers, it.key().toUtf8(), value.toUtf8());
            }
        };
        addHeaders(requestHeaders());
        addHeaders(tool->headers);

        // Body.
        if (!tool->bodyParam.isEmpty()) {
            const QJsonValue value = args.value(tool->bodyParam);
            if (!value.isUndefined())
                req.body = jsonBytes(value);
        } else if (methodHasBody(tool->method)) {
            QJsonObject rest;
            for (auto it = args.begin(); it != args.end(); ++it)
                if (!used.contains(it.key()))
                    rest.insert(it.key(), it.value());
            req.body = jsonBytes(rest);
        }
        if (req.body && !hasHeader(req.headers, "content-type"))
            req.headers.append({QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json")});
        if (!hasHeader(req.headers, "accept"))
            req.headers.append(
                {QByteArrayLiteral("Accept"), QByteArrayLiteral("application/json, text/plain;q=0.9, */*;q=0.8")});
        if (!hasHeader(req.headers, "user-agent"))
            req.headers.append({QByteArrayLiteral("User-Agent"), QByteArrayLiteral("MetaMCP/" METAMCP_VERSION)});
        req.method = tool->method.toUpper().toLatin1();
        req.url = url;
        req.timeoutMs = std::max(tool->timeoutMs, 0);
        req.maxResponseBytes = kMaxResponseBytes;

        Private::Call &call = d->calls[handle];
        call.id = id;
        call.method = req.method;
        call.url = url;
        call.timeoutMs = tool->timeoutMs;
        call.elapsed.start();
        call.requestId = d->http->send(
            std::move(req), [this, handle](const rest::HttpClientResponse &response) { onResponse(handle, response); });
    } else {
        answer(jsonrpc::error(id, rpcerr::MethodNotFound, QStringLiteral("Method not found: %1").arg(method)));
    }
}

void RestUpstream::onResponse(quint64 handle, const rest::HttpClientResponse &response)
{
    const auto it = d->calls.find(handle);
    if (it == d->calls.end())
        return;
    const Private::Call call = std::move(it->second);
    d->calls.erase(it);

    const QByteArray &bytes = response.body;
    const int status = response.status;
    auto what = [&call]() -> QString {
        return QString::fromLatin1(call.method) + QLatin1Char(' ') + call.url.toDisplayString();
    };
    auto finish = [&](const QJsonObject &result) {
        finishRequest(handle, jsonrpc::result(call.id, result), Delivery::Direct);
    };
    // Failures are logged; successful calls are not (that cost a signal per call on the hot path).
    auto fail = [&](const QString &message, const QString &logLine) {
        appendLog(QStringLiteral("[rest] %1 -> %2 (%3 ms)").arg(what(), logLine).arg(call.elapsed.elapsed()));
        finish(errorResult(message));
    };

    using Error = rest::HttpClientResponse::Error;
    switch (response.errorKind) {
    case Error::None:
        break;
    case Error::TooLarge:
        fail(QStringLiteral("The response to %1 exceeds %2 MiB").arg(what()).arg(kMaxResponseBytes >> 20),
             QStringLiteral("too large"));
        return;
    case Error::Timeout:
        fail(QStringLiteral("%1 timed out: no response within %2 ms").arg(what()).arg(call.timeoutMs),
             QStringLiteral("timeout"));
        return;
    default:
        fail(QStringLiteral("%1 failed: %2").arg(what(), response.error), response.error);
        return;
    }

    const QString reason = QString::fromLatin1(response.reason);
    if (status >= 400) {
        QString message = QStringLiteral("HTTP %1").arg(status);
        if (!reason.isEmpty())
            message += QLatin1Char(' ') + reason;
        message += QStringLiteral(" from ") + what();
        const QString body = excerpt(bytes);
        if (!body.isEmpty())
            message += QStringLiteral(": ") + body;
        fail(message, QString::number(status));
        return;
    }

    const QString contentType = QString::fromLatin1(response.header("content-type"));
    const QString mime = contentType.section(QLatin1Char(';'), 0, 0).trimmed().toLower();
    QJsonObject result;
    if (bytes.isEmpty()) {
        result.insert(QStringLiteral("content"),
                      QJsonArray{textContent(QStringLiteral("HTTP %1 %2 (empty response)").arg(status).arg(reason))});
        finish(result);
        return;
    }
    const bool jsonType = isJsonContentType(mime) || mime.isEmpty();
    if (jsonType && json::isStrictJson(bytes)) {
        // Valid JSON (so valid UTF-8) goes into the result as is: as text, and as
        // structuredContent (an object, else wrapped as {"result": value}). Not re-serialising
        // it keeps the upstream's key order and number precision and saves building a tree.
        QByteArray json;
        json.reserve(2 * bytes.size() + 96);
        json.append(R"({"content":[{"type":"text","text":)");
        json::appendJsonString(json, bytes);
        json.append(R"(}],"structuredContent":)");
        if (json::firstSignificant(bytes) == '{')
            json.append(bytes);
        else
            json.append(R"({"result":)").append(bytes).append('}');
        json.append('}');
        finishRequestSerialized(handle, json, false, Delivery::Direct);
        return;
    }
    if (jsonType) {
        // Not strict JSON, but QJsonDocument may still read it (it accepts raw control characters
        // in strings, "1.", unknown escapes): structured content as Qt understands it.
        QJsonParseError parseError;
        // QJsonDocument parses only objects and arrays: wrap anything else to accept any JSON value.
        const char first = json::firstSignificant(bytes);
        const bool container = first == '{' || first == '[';
        const QJsonDocument doc =
            QJsonDocument::fromJson(container ? bytes : QByteArray("[" + bytes + "]"), &parseError);
        if (parseError.error == QJsonParseError::NoError && (container || doc.array().size() == 1)) {
            const QJsonValue value = !container       ? doc.array().at(0)
                                     : doc.isObject() ? QJsonValue(doc.object())
                                                      : QJsonValue(doc.array());
            result.insert(QStringLiteral("content"), QJsonArray{textContent(QString::fromUtf8(bytes))});
            result.insert(QStringLiteral("structuredContent"),
                          value.isObject() ? value.toObject() : QJsonObject{{QStringLiteral("result"), value}});
            finish(result);
            return;
        }
    }
    if (mime.startsWith(QLatin1String("image/")) || mime.startsWith(QLatin1String("audio/"))) {
        result.insert(QStringLiteral("content"),
                      QJsonArray{QJsonObject{{QStringLiteral("type"), mime.startsWith(QLatin1String("image/"))
                                                                          ? QStringLiteral("image")
                                                                          : QStringLiteral("audio")},
                                             {QStringLiteral("data"), QString::fromLatin1(bytes.toBase64())},
                                             {QStringLiteral("mimeType"), mime}}});
        finish(result);
        return;
    }
    const auto text = decodeUtf8(bytes);
    if (text && (isTextContentType(mime) || isJsonContentType(mime) || mime.isEmpty() || !text->contains(QChar(0)))) {
        result.insert(QStringLiteral("content"), QJsonArray{textContent(*text)});
    } else {
        // Binary: an embedded resource.
        result.insert(
            QStringLiteral("content"),
            QJsonArray{QJsonObject{{QStringLiteral("type"), QStringLiteral("resource")},
                                   {QStringLiteral("resource"),
                                    QJsonObject{{QStringLiteral("uri"), call.url.toString(QUrl::FullyEncoded)},
                                                {QStringLiteral("mimeType"),
                                                 mime.isEmpty() ? QStringLiteral("application/octet-stream") : mime},
                                                {QStringLiteral("blob"), QString::fromLatin1(bytes.toBase64())}}}}});
    }
    finish(result);
}

bool RestUpstream::abandonRequest(quint64 handle, const QString &reason)
{
    const auto it = d->calls.find(handle);
    if (it != d->calls.end())
        appendLog(QStringLiteral("[rest] %1 %2 abandoned: %3")
                      .arg(QString::fromLatin1(it->second.method), it->second.url.toDisplayString(), reason));
    d->drop(handle);
    return false; // an HTTP request, not an MCP peer: nobody to tell
}

} // namespace metamcp
