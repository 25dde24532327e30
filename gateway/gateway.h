#pragma once

// The facade the console and metamcpd use. Lives on the caller's thread (the GUI thread in
// the console); everything it drives runs on the gateway thread ("metamcp-gateway"), which
// owns the HTTP server, the MCP endpoint, the Router, the upstreams and the Store. Calls here
// never block: they post work to the gateway thread and results come back as signals (or
// callbacks invoked on the caller's thread). Call events are batched (every 50 ms) and
// metric samples come once a second.

#include "model/config.h"
#include "model/events.h"
#include "model/options.h"
#include "services/configdocument.h"
#include "services/store.h"

#include <QObject>
#include <QString>

#include <functional>
#include <memory>

namespace metamcp {

class GatewayCore;
class ClientSession;

class Gateway final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Gateway)
public:
    explicit Gateway(const GatewayOptions &options, QObject *parent = nullptr);
    ~Gateway() override; // stops the gateway thread (quit + wait)

    // Opens the store, starts upstreams and the listener. Emits started() or startFailed().
    void start();
    // Stops listener and upstreams (the thread stays for a later start()). Emits stopped().
    void stop();
    // Pause keeps upstreams running but answers clients 503 (tray "pause").
    void setPaused(bool paused);

    bool isRunning() const { return m_running; }
    bool isPaused() const { return m_paused; }
    QHostAddress address() const { return m_address; }
    quint16 port() const { return m_port; }
    // http://127.0.0.1:PORT/mcp or /mcp/<ns> (sse: /sse...).
    QString endpointUrl(const QString &ns = kDefaultNamespace, bool sse = false) const;

    // Last known configuration (updated via configChanged).
    GatewayConfig config() const { return m_config; }
    QList<UpstreamStatus> upstreamStatuses() const { return m_statuses; }

    // Configuration changes: persisted and applied live. `done` (optional) receives an error
    // message, empty on success, on this object's thread.
    using Done = std::function<void(const QString &error)>;
    void upsertServer(const UpstreamConfig &server, const QStringList &addToNamespaces = {}, Done done = {});
    void removeServer(const QString &name, Done done = {});
    void restartServer(const QString &name);
    void upsertNamespace(const NamespaceConfig &ns, Done done = {});
    void removeNamespace(const QString &name, Done done = {});
    void setToolOverride(const QString &ns, const ToolOverride &override_, Done done = {});
    // Configuration as code (docs/CONFIG-AS-CODE.md): the whole configuration as a document,
    // and a document applied (or, dryRun, only compared) through the config service.
    using ChangesDone = std::function<void(const QString &error, const QList<ConfigChange> &changes)>;
    void applyConfiguration(const QByteArray &document, configdoc::Format format, bool dryRun, ChangesDone done);
    void exportConfiguration(configdoc::Format format, std::function<void(const QByteArray &document)> done);
    void applyListenConfig(const ListenConfig &listen, Done done = {});
    // Adds the mcpServers of a client config file to a namespace (idempotent).
    void importMcpServersFile(const QString &path, const QString &ns = kDefaultNamespace,
                              std::function<void(const QString &error, const QStringList &added)> done = {});

    // Reads an OpenAPI 3 document (JSON) and adds its operations as the REST server `name`.
    // `baseUrl` overrides the document's servers[0]. `done` gets an error and the tool names.
    void importOpenApiFile(const QString &path, const QString &name, const QString &ns, const QUrl &baseUrl,
                           std::function<void(const QString &error, const QStringList &tools)> done);

    void createApiKey(const QString &ns, const QString &label,
                      std::function<void(const std::optional<CreatedApiKey> &key)> done);
    void listApiKeys(const QString &ns, std::function<void(const QList<ApiKeyInfo> &keys)> done);
    void revokeApiKey(qint64 id, Done done = {});

    // The tools of a namespace (including disabled ones).
    void listTools(const QString &ns, std::function<void(const QList<ToolInfo> &tools)> done);
    // Sends one request into a namespace as an in-process client (Try it, replay, test
    // connection): `done` gets the JSON-RPC response; `onMessage` gets related messages.
    // Returns a handle for cancelRequest(); a cancelled request answers -32800.
    quint64 request(const QString &ns, const QString &method, const QJsonObject &params,
                    std::function<void(const QJsonObject &response)> done,
                    std::function<void(const QJsonObject &message)> onMessage = {});
    void cancelRequest(quint64 handle);
    // Starts a temporary upstream from `server`, initialises it and lists its tools.
    void testConnection(const UpstreamConfig &server,
                        std::function<void(bool ok, const QString &message, const QJsonArray &tools)> done);
    void serverLog(const QString &name, std::function<void(const QStringList &lines)> done);

    // For metamcpd --stdio: a session served over stdin/stdout. Messages the gateway sends are
    // passed to `write` on the gateway thread (so `write` must be thread-safe; it saves a hop
    // per message); incoming lines go to stdioReceive().
    void openStdioSession(const QString &ns, std::function<void(const QByteArray &line)> write);
    void stdioReceive(const QByteArray &line);

    // Direct access for tests that run on the gateway thread's object (may be null).
    GatewayCore *core() const { return m_core; }

Q_SIGNALS:
    void started(const QHostAddress &address, quint16 port);
    void startFailed(const QString &reason);
    void stopped();
    void pausedChanged(bool paused);
    void configChanged(const metamcp::GatewayConfig &config);
    // One per item a configuration change added, changed or removed (ConfigService::changed).
    void configItemChanged(const metamcp::ConfigChange &change);
    void upstreamStateChanged(const QString &name, metamcp::UpstreamState state, const QString &reason);
    void toolsChanged(const QString &ns);
    void callEvents(const QList<metamcp::CallEvent> &events);
    void metricSample(const metamcp::MetricSample &sample);
    void serverLogLine(const QString &server, const QString &line);
    void sessionCountChanged(int sessions);

private:
    template<typename F> void post(F &&f);

    GatewayOptions m_options;
    struct ThreadDeleter
    {
        void operator()(QThread *thread) const;
    };
    std::unique_ptr<QThread, ThreadDeleter> m_thread;
    GatewayCore *m_core = nullptr; // lives on m_thread
    GatewayConfig m_config;
    QList<UpstreamStatus> m_statuses;
    bool m_running = false;
    bool m_paused = false;
    quint64 m_nextRequest = 1;
    QHostAddress m_address;
    quint16 m_port = 0;
};

void registerGatewayMetaTypes();

} // namespace metamcp
