#pragma once

// Everything on the gateway thread, owned by one object: Store, UpstreamManager, Router,
// McpHttpEndpoint, HttpServer, MetricsCollector. The Gateway facade creates it, moves it to
// the gateway thread and talks to it only through queued calls and queued signals.
// All methods must be called on the gateway thread.

#include "core/calllog.h"
#include "core/uifeed.h"
#include "http/httptypes.h"
#include "model/config.h"
#include "model/events.h"
#include "services/configdocument.h"
#include "services/store.h"

#include <QObject>
#include <QPointer>

#include <functional>
#include <memory>

QT_FORWARD_DECLARE_CLASS(QLocalServer)

namespace metamcp {

namespace http {
class HttpServer;
}
class McpHttpEndpoint;
class MetricsCollector;
class Router;
class UpstreamManager;
class ClientSession;
class CredentialStore;
struct GatewayOptions;

class GatewayCore final : public QObject, public http::IRequestHandler
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(GatewayCore)
public:
    explicit GatewayCore(const GatewayOptions &options, QObject *parent = nullptr);
    ~GatewayCore() override;

    void start();
    void stop();
    void setPaused(bool paused);
    bool isRunning() const { return m_running; }

    using Done = std::function<void(const QString &error)>;
    // Server changes are asynchronous: secret fields go to the OS keychain first.
    void upsertServer(const UpstreamConfig &server, const QStringList &addToNamespaces, Done done);
    void removeServer(const QString &name, Done done);
    void importMcpServersFile(const QString &path, const QString &ns,
                              std::function<void(const QString &error, const QStringList &added)> done);
    void importOpenApiFile(const QString &path, const QString &name, const QString &ns, const QUrl &baseUrl,
                           std::function<void(const QString &error, const QStringList &tools)> done);

    // Configuration changes, all through the ConfigService (validate, secrets, persist, apply,
    // one ConfigChange each); `done` gets an error message or empty.
    void upsertNamespace(const NamespaceConfig &ns, Done done);
    void removeNamespace(const QString &name, Done done);
    void setToolOverride(const QString &ns, const ToolOverride &override_, Done done);
    void applyListenConfig(const ListenConfig &listen, Done done);
    // Configuration as code: a whole document through the config service (dryRun: compare only).
    void applyConfiguration(const QByteArray &document, configdoc::Format format, bool dryRun,
                            ConfigService::Done done);
    QByteArray exportConfiguration(configdoc::Format format) const;
    bool restartServer(const QString &name);

    Store &store() { return *m_store; }
    Router &router() { return *m_router; }
    UpstreamManager &upstreams() { return *m_upstreams; }
    McpHttpEndpoint &endpoint() { return *m_endpoint; }
    ConfigService &configService() { return *m_configService; }
    GatewayConfig config() const;
    quint16 port() const;

    // In-process client requests (console "Try it", replay).
    void request(quint64 handle, const QString &ns, const QString &method, const QJsonObject &params,
                 std::function<void(const QJsonObject &)> done, std::function<void(const QJsonObject &)> onMessage);
    void cancelRequest(quint64 handle);
    void testConnection(const UpstreamConfig &server,
                        std::function<void(bool ok, const QString &message, const QJsonArray &tools)> done);

    // stdio transport: one session whose outgoing messages go to `write` (gateway thread).
    void openStdioSession(const QString &ns, std::function<void(const QByteArray &line)> write);
    void stdioReceive(const QByteArray &line);
    // The local socket `metamcpd --stdio` bridges attach to (empty when not listening).
    QString bridgeServerName() const;
    int bridgedSessionCount() const { return int(m_bridged.size()); }

    void handleRequest(const http::HttpRequest &request, http::HttpResponder *responder) override;

Q_SIGNALS:
    void started(const QHostAddress &address, quint16 port);
    void startFailed(const QString &reason);
    void stopped();
    void pausedChanged(bool paused);
    void configChanged(const metamcp::GatewayConfig &config);
    void configItemChanged(const metamcp::ConfigChange &change);
    void upstreamStateChanged(const QString &name, metamcp::UpstreamState state, const QString &reason);
    void statusesChanged(const QList<metamcp::UpstreamStatus> &statuses);
    void toolsChanged(const QString &ns);
    void callEvents(const QList<metamcp::CallEvent> &events);
    void metricSample(const metamcp::MetricSample &sample);
    void serverLogLine(const QString &server, const QString &line);
    void sessionCountChanged(int sessions);

private:
    bool startListening(const ListenConfig &listen, QString *error);
    // The ConfigService's listen hook: binds a changed address/port/TLS before the change commits.
    QString moveListener(const ListenConfig &listen);
    void flushEvents();
    ClientSession *consoleSession(const QString &ns);
    struct Stdio;
    // One message line of a stdio-like session (metamcpd --stdio, a bridged local connection).
    void receiveLine(Stdio &stdio, const QByteArray &line);
    void startBridgeServer();
    void onBridgeConnection();
    void onBridgeData(Stdio *connection);
    void closeBridged(Stdio *connection);

    QString m_dataDir;
    bool m_listen;
    std::unique_ptr<Store> m_store;
    CredentialStore *m_credentials;
    UpstreamManager *m_upstreams;
    Router *m_router;
    McpHttpEndpoint *m_endpoint;
    MetricsCollector *m_metrics;
    ConfigService *m_configService;
    bool m_listenChanged = false;
    http::HttpServer *m_server = nullptr;
    bool m_running = false;
    bool m_paused = false;
    CallLog m_callLog; // structured call log lines not yet written
    UiFeed m_uiFeed{5000};
    QTimer *m_eventTimer;
    QTimer *m_keyUsageTimer; // writes API keys' last use (Store::flushApiKeyUsage)
    QHash<QString, QPointer<ClientSession>> m_consoleSessions;
    QHash<quint64, QString> m_consoleRequests; // handle -> namespace, while in flight
    std::unique_ptr<Stdio> m_stdio;
    bool m_localBridge;
    bool m_runUpstreams;
    QLocalServer *m_bridgeServer = nullptr;
    std::vector<std::unique_ptr<Stdio>> m_bridged;
};

} // namespace metamcp
