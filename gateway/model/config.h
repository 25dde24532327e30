#pragma once

// Plain configuration values shared by the store, the gateway and the console. Copyable,
// no QObject, safe to pass between threads by value.

#include <QHostAddress>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QMetaType>
#include <QString>
#include <QStringList>
#include <QUrl>

namespace metamcp {

enum class UpstreamKind { Stdio, StreamableHttp, Sse, Rest };

QString upstreamKindName(UpstreamKind kind); // "stdio", "http", "sse", "rest"
std::optional<UpstreamKind> upstreamKindFromName(const QString &name);

// Who shares one instance (process, upstream session) of an MCP server. Over stdio nothing ties
// a server->client request (sampling, elicitation, roots/list) to the call that caused it, so a
// shared instance can hand such a request to a client only while exactly one call is in flight;
// isolated instances belong to one client session (PerSession; for a stateless 2026-07-28 call
// its own flow of input rounds) or one caller (PerPrincipal: the API key, else anonymous), are
// started on demand, reaped when idle and bounded in number.
enum class UpstreamIsolation { Shared, PerSession, PerPrincipal };
QString upstreamIsolationName(UpstreamIsolation isolation); // "shared", "per-session", "per-principal"
std::optional<UpstreamIsolation> upstreamIsolationFromName(const QString &name);

// One REST endpoint exposed as an MCP tool.
struct RestToolConfig
{
    QString name; // MCP tool name (unique within the server)
    QString title;
    QString description;
    QString method = QStringLiteral("GET"); // GET, POST, PUT, PATCH, DELETE
    QString urlTemplate;                    // absolute, or relative to RestServer base URL; {param} placeholders
    QMap<QString, QString> headers;         // static headers; values may contain {param}
    QStringList queryParams;                // argument names sent as query parameters
    QString bodyParam;                      // argument whose value is the JSON body; empty + method with body:
                                            // all arguments not used in path/query/headers form the body
    QJsonObject inputSchema;                // JSON Schema of the arguments
    QJsonObject outputSchema;               // optional
    QJsonObject annotations;                // MCP tool annotations (readOnlyHint, ...)
    int timeoutMs = 30'000;

    QJsonObject toJson() const;
    static RestToolConfig fromJson(const QJsonObject &json);
    bool operator==(const RestToolConfig &) const = default;
};

// One upstream MCP server (or REST API) behind the gateway.
struct UpstreamConfig
{
    QString name; // unique, [A-Za-z0-9_-]+; prefix of its tools
    UpstreamKind kind = UpstreamKind::Stdio;
    bool enabled = true;

    // stdio
    QString command;
    QStringList args;
    QMap<QString, QString> env;
    QString cwd;

    // http / sse / rest (base URL for rest)
    QUrl url;
    QMap<QString, QString> headers;

    // rest
    QList<RestToolConfig> restTools;

    int requestTimeoutMs = 60'000; // per call deadline
    int maxConcurrency = 32;       // in-flight requests toward this upstream
    int startupTimeoutMs = 30'000; // spawn/connect + initialize

    // MCP kinds only (REST is always shared).
    UpstreamIsolation isolation = UpstreamIsolation::Shared;
    int maxInstances = 16;           // isolated instances running at once
    int instanceIdleMs = 5 * 60'000; // an isolated instance without calls this long is stopped
    int warmInstances = 1;           // started ahead for the next owners, refilled as they are taken

    // Headers and environment variables whose values are secrets: kept in the OS keychain,
    // never persisted. Names that look secret (Authorization, *TOKEN*, *API_KEY*, ...) count
    // as secret even when not listed.
    QStringList secretHeaders;
    QStringList secretEnv;

    // "header:<name>" / "env:<name>" of every secret field (listed or looking secret).
    QStringList secretFields() const;
    QString secretValue(const QString &field) const;
    void setSecretValue(const QString &field, const QString &value);
    // A copy whose secret values are empty (what the store and exports may see).
    UpstreamConfig withoutSecrets() const;
    static bool looksSecret(const QString &name);

    QJsonObject toJson() const;
    static UpstreamConfig fromJson(const QJsonObject &json);
    // Empty when valid, else a sentence saying what is wrong.
    QString validate() const;
    bool operator==(const UpstreamConfig &) const = default;
};

// Per-namespace override of one upstream tool.
struct ToolOverride
{
    QString server;
    QString tool; // upstream tool name
    bool enabled = true;
    QString rename;      // exposed name instead of <server><sep><tool>; empty: default
    QString description; // replaces the upstream description; empty: keep
    bool operator==(const ToolOverride &) const = default;
};

struct NamespaceConfig
{
    QString name; // "default" is served at /mcp and /sse
    QString description;
    QStringList servers; // upstream names
    QString separator = QStringLiteral("__");
    // false: tools and prompts keep their upstream names (for single-server namespaces that
    // should look exactly like the server; the first server wins a name clash).
    bool prefixNames = true;
    bool requireApiKey = false;
    QList<ToolOverride> toolOverrides;

    bool operator==(const NamespaceConfig &) const = default;
};

struct ListenConfig
{
    QHostAddress address = QHostAddress::LocalHost;
    quint16 port = 8787;
    QStringList allowedOrigins; // exact origins ("http://localhost:6274"); loopback origins are always allowed
    QStringList allowedHosts;   // extra Host header values accepted besides loopback names
    QString tlsCertificateFile;
    QString tlsKeyFile;
    qint64 maxBodyBytes = 4 * 1024 * 1024;
    bool operator==(const ListenConfig &) const = default;
};

struct GatewayConfig
{
    ListenConfig listen;
    QList<UpstreamConfig> servers;
    QList<NamespaceConfig> namespaces;

    const UpstreamConfig *server(const QString &name) const;
    const NamespaceConfig *ns(const QString &name) const;
};

inline const QString kDefaultNamespace = QStringLiteral("default");

} // namespace metamcp

Q_DECLARE_METATYPE(metamcp::UpstreamConfig)
Q_DECLARE_METATYPE(metamcp::NamespaceConfig)
Q_DECLARE_METATYPE(metamcp::ListenConfig)
Q_DECLARE_METATYPE(metamcp::GatewayConfig)
