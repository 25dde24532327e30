#pragma once

// MCP protocol versions and JSON-RPC 2.0 message helpers.

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>
#include <QStringList>

namespace metamcp::mcp {

inline const QString V2024_11_05 = QStringLiteral("2024-11-05");
inline const QString V2025_03_26 = QStringLiteral("2025-03-26");
inline const QString V2025_06_18 = QStringLiteral("2025-06-18");
inline const QString V2025_11_25 = QStringLiteral("2025-11-25");
inline const QString V2026_07_28 = QStringLiteral("2026-07-28");

// Versions negotiated through initialize (sessions), newest first.
const QStringList &sessionProtocolVersions();
// Every version the gateway serves, newest first (adds the stateless 2026-07-28).
const QStringList &allProtocolVersions();
inline bool isStatelessVersion(const QString &v)
{
    return v >= V2026_07_28;
}
// Versions are ISO dates: string order is age order.
inline bool versionAtLeast(const QString &v, const QString &min)
{
    return v >= min;
}

// _meta keys of 2026-07-28 requests.
inline const QString kMetaProtocolVersion = QStringLiteral("io.modelcontextprotocol/protocolVersion");
inline const QString kMetaClientCapabilities = QStringLiteral("io.modelcontextprotocol/clientCapabilities");
inline const QString kMetaClientInfo = QStringLiteral("io.modelcontextprotocol/clientInfo");

// SEP-2243: why a tool's x-mcp-header annotations are invalid, or "" when they are fine. An
// annotation must be a non-empty string of HTTP token characters (ASCII, no space or colon), on
// a string, integer or boolean property, unique in the tool (case-insensitive). Clients must
// leave out tools that break this.
QString headerAnnotationProblem(const QJsonObject &inputSchema);

} // namespace metamcp::mcp

namespace metamcp::jsonrpc {

enum class Kind { Request, Notification, Response, Invalid };

// Classifies a parsed message; `why` receives the reason for Invalid.
Kind classify(const QJsonObject &message, QString *why = nullptr);
bool isValidId(const QJsonValue &id);
// Canonical string key of an id for hash maps ("s:abc" / "n:42").
QString idKey(const QJsonValue &id);

QJsonObject request(const QJsonValue &id, const QString &method, const QJsonObject &params = {});
QJsonObject notification(const QString &method, const QJsonObject &params = {});
QJsonObject result(const QJsonValue &id, const QJsonObject &result);
QJsonObject error(const QJsonValue &id, int code, const QString &message, const QJsonValue &data = {});

// Serialized messages, for answers whose result is already JSON text: the gateway splices it
// into the envelope instead of parsing and re-serialising it.
//
// Compact JSON text of an id (string, integer or null; anything else as QJsonDocument writes it).
QByteArray idText(const QJsonValue &id);
// `{"jsonrpc":"2.0","id":<id>,"result":<resultJson>}`; `resultJson` must be a JSON object text.
QByteArray resultMessage(const QJsonValue &id, QByteArrayView resultJson);

inline bool isError(const QJsonObject &response)
{
    return response.contains(QLatin1String("error"));
}
inline int errorCode(const QJsonObject &response)
{
    return response.value(QLatin1String("error")).toObject().value(QLatin1String("code")).toInt();
}
inline QString errorMessage(const QJsonObject &response)
{
    return response.value(QLatin1String("error")).toObject().value(QLatin1String("message")).toString();
}

} // namespace metamcp::jsonrpc
