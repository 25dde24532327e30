#include "mcp/intake.h"

#include "model/errors.h"
#include "model/jsontext.h"

#include <QJsonDocument>
#include <QJsonParseError>

namespace metamcp::intake {

Parsed parse(const QByteArray &bytes)
{
    Parsed out;
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(bytes, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        // QJsonDocument takes only objects and arrays: a lone scalar is valid JSON, but no message.
        QJsonParseError scalarError;
        const QJsonDocument wrapped = QJsonDocument::fromJson('[' + bytes + ']', &scalarError);
        if (scalarError.error == QJsonParseError::NoError && wrapped.array().size() == 1)
            out.rejection =
                Rejection{400, rpcerr::InvalidRequest, QStringLiteral("Invalid Request: expected a JSON object")};
        else
            out.rejection = Rejection{
                400, rpcerr::ParseError,
                QStringLiteral("Parse error: %1 at offset %2").arg(parseError.errorString()).arg(parseError.offset)};
        return out;
    }
    if (const auto strictError = json::controlCharacterError(bytes)) {
        out.rejection = Rejection{400, rpcerr::ParseError, QStringLiteral("Parse error: ") + *strictError};
        return out;
    }
    if (doc.isArray())
        out.batch = doc.array();
    else
        out.object = doc.object();
    return out;
}

Classified classify(const QJsonObject &message)
{
    Classified out;
    QString why;
    out.kind = jsonrpc::classify(message, &why);
    out.method = message.value(QLatin1String("method")).toString();
    if (out.kind == jsonrpc::Kind::Invalid) {
        const QJsonValue id = message.value(QLatin1String("id"));
        out.rejection = Rejection{400,
                                  rpcerr::InvalidRequest,
                                  QStringLiteral("Invalid Request: %1").arg(why),
                                  {},
                                  jsonrpc::isValidId(id) ? id : QJsonValue(QJsonValue::Null)};
    }
    return out;
}

bool isStateless(const QJsonObject &message)
{
    return message.value(QLatin1String("params"))
        .toObject()
        .value(QLatin1String("_meta"))
        .toObject()
        .contains(mcp::kMetaProtocolVersion);
}

std::optional<QString> decodeHeaderValue(const QByteArray &raw)
{
    const QByteArray v = raw.trimmed();
    if (!v.startsWith("=?base64?") || !v.endsWith("?=") || v.size() < 11)
        return QString::fromUtf8(v);
    const QByteArray b64 = v.mid(9, v.size() - 11);
    if (b64.size() % 4 != 0)
        return std::nullopt;
    const auto decoded = QByteArray::fromBase64Encoding(b64, QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded)
        return std::nullopt;
    return QString::fromUtf8(*decoded);
}

StatelessCheck checkStateless(const QJsonObject &message, const http::HttpRequest *request,
                              const std::function<QJsonObject(const QString &tool)> &inputSchema)
{
    const QString method = message.value(QLatin1String("method")).toString();
    const QJsonObject params = message.value(QLatin1String("params")).toObject();
    const QJsonObject meta = params.value(QLatin1String("_meta")).toObject();
    const QJsonValue id = message.value(QLatin1String("id"));
    const jsonrpc::Kind kind = jsonrpc::classify(message);
    StatelessCheck out;
    auto reject = [&](int status, int code, const QString &text, const QJsonValue &data = {}) {
        out.outcome = StatelessCheck::Outcome::Reject;
        out.rejection = Rejection{status, code, text, data, jsonrpc::isValidId(id) ? id : QJsonValue(QJsonValue::Null)};
        return out;
    };

    // 1. The _meta envelope.
    auto envelopeProblem = [&](const QString &key, const QString &problem) {
        return reject(400, rpcerr::InvalidParams,
                      QStringLiteral("Invalid _meta envelope for protocol revision %1: %2: %3")
                          .arg(mcp::V2026_07_28, key, problem),
                      QJsonObject{{QStringLiteral("envelope"),
                                   QJsonObject{{QStringLiteral("key"), key}, {QStringLiteral("problem"), problem}}}});
    };
    const QJsonValue versionValue = meta.value(mcp::kMetaProtocolVersion);
    if (!versionValue.isString() || versionValue.toString().isEmpty())
        return envelopeProblem(mcp::kMetaProtocolVersion, QStringLiteral("must be a non-empty string"));
    const QString version = versionValue.toString();
    out.version = version;
    if (kind == jsonrpc::Kind::Request) {
        if (!meta.contains(mcp::kMetaClientCapabilities))
            return envelopeProblem(mcp::kMetaClientCapabilities, QStringLiteral("missing"));
        if (!meta.value(mcp::kMetaClientCapabilities).isObject())
            return envelopeProblem(mcp::kMetaClientCapabilities, QStringLiteral("must be an object"));
        if (meta.contains(mcp::kMetaClientInfo) && !meta.value(mcp::kMetaClientInfo).isObject())
            return envelopeProblem(mcp::kMetaClientInfo, QStringLiteral("must be an object"));
    }

    // 2. Headers that repeat the body must agree with it (HeaderMismatch).
    const QByteArray versionHeader = request ? request->header("mcp-protocol-version") : QByteArray();
    if (!versionHeader.isEmpty() && QString::fromLatin1(versionHeader.trimmed()) != version)
        return reject(
            400, rpcerr::HeaderMismatch,
            QStringLiteral("Bad Request: the MCP-Protocol-Version header names %1 but the body's _meta names %2")
                .arg(QString::fromLatin1(versionHeader), version),
            QJsonObject{
                {QStringLiteral("mismatch"), QJsonObject{{QStringLiteral("header"), QString::fromLatin1(versionHeader)},
                                                         {QStringLiteral("body"), version}}}});
    if (request && request->hasHeader("mcp-method")) {
        const QByteArray methodHeader = request->header("mcp-method");
        const auto decoded = decodeHeaderValue(methodHeader);
        if (!decoded || *decoded != method)
            return reject(400, rpcerr::HeaderMismatch,
                          QStringLiteral("Bad Request: the body names method %1 but the Mcp-Method header names %2")
                              .arg(method, QString::fromUtf8(methodHeader)),
                          QJsonObject{{QStringLiteral("mismatch"),
                                       QJsonObject{{QStringLiteral("header"), QString::fromUtf8(methodHeader)},
                                                   {QStringLiteral("body"), method}}}});
    }

    // 3. A version we serve.
    if (!mcp::isStatelessVersion(version) || version != mcp::V2026_07_28)
        return reject(400, rpcerr::UnsupportedProtocolVersion,
                      QStringLiteral("Unsupported protocol version: %1").arg(version),
                      QJsonObject{{QStringLiteral("supported"), QJsonArray::fromStringList(mcp::allProtocolVersions())},
                                  {QStringLiteral("requested"), version}});

    if (kind == jsonrpc::Kind::Notification) {
        out.outcome = StatelessCheck::Outcome::Notification;
        return out;
    }
    if (kind != jsonrpc::Kind::Request)
        return reject(400, rpcerr::InvalidRequest,
                      QStringLiteral("Protocol %1 has no server-to-client requests to answer").arg(version));

    if (request) {
        // 4. The standard headers must be present.
        if (versionHeader.isEmpty())
            return reject(400, rpcerr::HeaderMismatch,
                          QStringLiteral("Bad Request: the MCP-Protocol-Version header is required"));
        if (!request->hasHeader("mcp-method"))
            return reject(400, rpcerr::HeaderMismatch,
                          QStringLiteral("Bad Request: the Mcp-Method header is required"));
        // The tasks extension (SEP-2663) names its task in Mcp-Name too.
        const bool taskNamed = (method == u"tasks/get" || method == u"tasks/update" || method == u"tasks/cancel") &&
                               params.value(QLatin1String("taskId")).isString();
        const bool named =
            method == u"tools/call" || method == u"prompts/get" || method == u"resources/read" || taskNamed;
        if (named) {
            const QString bodyName = method == u"resources/read" ? params.value(QLatin1String("uri")).toString()
                                     : taskNamed                 ? params.value(QLatin1String("taskId")).toString()
                                                                 : params.value(QLatin1String("name")).toString();
            if (!request->hasHeader("mcp-name"))
                return reject(400, rpcerr::HeaderMismatch,
                              QStringLiteral("Bad Request: the Mcp-Name header is required for %1").arg(method));
            const auto decoded = decodeHeaderValue(request->header("mcp-name"));
            if (!decoded || *decoded != bodyName)
                return reject(
                    400, rpcerr::HeaderMismatch,
                    QStringLiteral("Bad Request: the Mcp-Name header names \"%1\" but the body names \"%2\"")
                        .arg(QString::fromUtf8(request->header("mcp-name")), bodyName),
                    QJsonObject{{QStringLiteral("mismatch"),
                                 QJsonObject{{QStringLiteral("header"), QString::fromUtf8(request->header("mcp-name"))},
                                             {QStringLiteral("body"), bodyName}}}});
        }

        // 4b. Tool arguments the tool's schema mirrors into headers (x-mcp-header) must be sent
        // in their Mcp-Param-<Name> header too, with the same value.
        if (method == u"tools/call" && inputSchema) {
            const QString tool = params.value(QLatin1String("name")).toString();
            const QJsonObject properties = inputSchema(tool).value(QLatin1String("properties")).toObject();
            const QJsonObject arguments = params.value(QLatin1String("arguments")).toObject();
            for (auto it = properties.begin(); it != properties.end(); ++it) {
                const QString name = it->toObject().value(QLatin1String("x-mcp-header")).toString();
                if (name.isEmpty())
                    continue;
                const QByteArray header = "Mcp-Param-" + name.toUtf8();
                const QByteArray lowerHeader = header.toLower();
                const QJsonValue value = arguments.value(it.key());
                const bool inBody = !value.isUndefined() && !value.isNull();
                auto mismatch = [&](const QString &text) {
                    return reject(400, rpcerr::HeaderMismatch, QStringLiteral("Bad Request: ") + text,
                                  QJsonObject{{QStringLiteral("header"), QString::fromUtf8(header)},
                                              {QStringLiteral("argument"), it.key()}});
                };
                if (!request->hasHeader(lowerHeader)) {
                    if (inBody)
                        return mismatch(QStringLiteral("the %1 header is required: the body has argument \"%2\"")
                                            .arg(QString::fromUtf8(header), it.key()));
                    continue;
                }
                const QByteArray raw = request->header(lowerHeader);
                const auto decoded = decodeHeaderValue(raw);
                if (!decoded)
                    return mismatch(QStringLiteral("the %1 header is not valid Base64: %2")
                                        .arg(QString::fromUtf8(header), QString::fromUtf8(raw)));
                const auto expected = inBody ? json::scalarText(value) : std::nullopt;
                bool numberMatches = false; // numbers compare as numbers: "3", "3.0" and "3e0" are 3
                if (value.isDouble()) {
                    bool ok = false;
                    const double headerNumber = decoded->toDouble(&ok);
                    numberMatches = ok && headerNumber == value.toDouble();
                }
                if (!expected || (*expected != *decoded && !numberMatches))
                    return mismatch(QStringLiteral("the %1 header says \"%2\" but argument \"%3\" is %4")
                                        .arg(QString::fromUtf8(header), *decoded, it.key(),
                                             !inBody    ? QStringLiteral("absent")
                                             : expected ? u'"' + *expected + u'"'
                                                        : QStringLiteral("not a primitive value")));
            }
        }
    }

    // 5. Methods 2026-07-28 does not have.
    static const QStringList removed = {QStringLiteral("initialize"), QStringLiteral("ping"),
                                        QStringLiteral("logging/setLevel"), QStringLiteral("resources/subscribe"),
                                        QStringLiteral("resources/unsubscribe")};
    if (removed.contains(method))
        return reject(404, rpcerr::MethodNotFound,
                      QStringLiteral("Method not found: %1 is not part of protocol %2").arg(method, version));
    return out;
}

} // namespace metamcp::intake
