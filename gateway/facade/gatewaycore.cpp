#include "facade/gatewaycore.h"
#include "facade/localbridge.h"

#include "model/options.h"

#include "core/calllog.h"
#include "core/metrics.h"
#include "core/router.h"
#include "core/upstreammanager.h"
#include "http/httpserver.h"
#include "mcp/clientsession.h"
#include "mcp/intake.h"
#include "mcp/mcphttpendpoint.h"
#include "model/jsontext.h"
#include "model/protocol.h"
#include "services/clientconfig.h"
#include "services/configservice.h"
#include "services/credentialstore.h"
#include "services/openapiimporter.h"
#include "upstream/stdioupstream.h"
#include "upstream/upstreamfactory.h"

#include <QCoroSignal>
#include <QCoroTask>
#include <QFile>

#include <cstdio>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QLocalServer>
#include <QLocalSocket>
#include <QLoggingCategory>
#include <QSslCertificate>
#include <QSslKey>
#include <QTimer>
#include <QUuid>

#ifndef Q_OS_WIN
#include <pwd.h>
#include <unistd.h>
#endif

Q_LOGGING_CATEGORY(lcGateway, "metamcp.gateway")

namespace metamcp {

namespace {

// Sink for in-process requests: callbacks.
class CallbackSink final : public CallSink
{
public:
    CallbackSink(std::function<void(const QJsonObject &)> done, std::function<void(const QJsonObject &)> onMessage)
        : m_done(std::move(done))
        , m_onMessage(std::move(onMessage))
    {}
    void message(const QJsonObject &message) override
    {
        if (m_onMessage)
            m_onMessage(message);
    }
    qint64 finish(const QJsonObject &response) override
    {
        if (m_done)
            m_done(response.isEmpty() ? jsonrpc::error(QJsonValue::Null, rpcerr::Cancelled, QStringLiteral("Cancelled"))
                                      : response);
        return 0;
    }

private:
    std::function<void(const QJsonObject &)> m_done;
    std::function<void(const QJsonObject &)> m_onMessage;
};

constexpr int kKeyUsageFlushMs = 30'000;

// The OS user running the gateway: the principal of stdio, bridged and console sessions.
Principal localOwner()
{
#ifdef Q_OS_WIN
    QString user = qEnvironmentVariable("USERNAME");
#else
    QString user;
    if (const passwd *pw = getpwuid(geteuid()))
        user = QString::fromLocal8Bit(pw->pw_name);
#endif
    return Principal::localOwner(user.isEmpty() ? QStringLiteral("local") : user);
}

QByteArray compactLine(const QJsonObject &o)
{
    QByteArray line = QJsonDocument(o).toJson(QJsonDocument::Compact);
    line.append('\n');
    return line;
}

} // namespace

struct GatewayCore::Stdio
{
    QPointer<ClientSession> session;
    std::function<void(const QByteArray &)> write;
    // A bridged local connection: its socket, and whether its hello line came.
    QPointer<QLocalSocket> socket;
    bool greeted = false;
    struct Channel final : ClientChannel
    {
        std::function<void(const QByteArray &)> *write = nullptr;
        bool sendToClient(const QJsonObject &message) override
        {
            (*write)(compactLine(message));
            return true;
        }
    } channel;
    struct Sink final : CallSink
    {
        std::function<void(const QByteArray &)> write;
        void message(const QJsonObject &message) override { write(compactLine(message)); }
        qint64 finish(const QJsonObject &response) override
        {
            if (response.isEmpty())
                return 0;
            const QByteArray line = compactLine(response);
            write(line);
            return line.size();
        }
        qint64 finishSerialized(const QByteArray &response) override
        {
            write(response + '\n');
            return response.size() + 1;
        }
    };
};

GatewayCore::GatewayCore(const GatewayOptions &options, QObject *parent)
    : QObject(parent)
    , m_dataDir(options.dataDir)
    , m_listen(options.listen)
    , m_store(std::make_unique<Store>())
    , m_credentials(new CredentialStore(QStringLiteral("MetaMCP"), this))
    , m_upstreams(new UpstreamManager(this))
    , m_router(new Router(m_upstreams, this))
    , m_endpoint(new McpHttpEndpoint(m_router, this))
    , m_metrics(new MetricsCollector(this))
    , m_configService(new ConfigService(*m_store, *m_credentials, *m_upstreams, *m_router, this))
    , m_eventTimer(new QTimer(this))
    , m_keyUsageTimer(new QTimer(this))
    , m_localBridge(options.localBridge)
    , m_runUpstreams(options.runUpstreams)
{
    m_configService->setEndpoint(m_endpoint);
    m_configService->setListenOverride(options.listenOverride);
    m_configService->setListenHook([this](const ListenConfig &listen) { return moveListener(listen); });
    connect(m_configService, &ConfigService::changed, this, [this](const ConfigChange &change) {
        if (change.kind == ConfigChange::Kind::Settings)
            m_listenChanged = true;
        Q_EMIT configItemChanged(change);
    });
    connect(m_configService, &ConfigService::configChanged, this, [this](const GatewayConfig &config) {
        Q_EMIT configChanged(config);
        if (std::exchange(m_listenChanged, false) && m_running && m_server)
            Q_EMIT started(m_server->serverAddress(), m_server->serverPort());
    });
    connect(m_configService, &ConfigService::logLine, this, &GatewayCore::serverLogLine);
    m_router->setCaptureBodies(options.captureBodies);
    m_router->setLimits(options.limits);
    m_upstreams->setLimits(options.limits);
    m_endpoint->setLimits(options.limits);
    m_router->setPageSize(options.listPageSize);
    m_router->setListDeadlineMs(options.listDeadlineMs);
    m_endpoint->setAuthenticator(std::make_shared<BearerKeyAuthenticator>(
        [this](const QString &ns, const QString &key) -> std::optional<Principal> {
            if (auto info = m_store->verifyApiKey(ns, key))
                return Principal::apiKey(info->id, info->label, info->prefix);
            return std::nullopt;
        }));
    // API keys are checked in memory; their last use reaches the database in batches.
    m_keyUsageTimer->setInterval(kKeyUsageFlushMs);
    connect(m_keyUsageTimer, &QTimer::timeout, this, [this] { m_store->flushApiKeyUsage(); });
    // Observers of the completion point (core/observers.h).
    m_callLog.setEnabled(lcCalls().isInfoEnabled());
    m_router->addObserver(m_metrics);
    m_router->addObserver(&m_callLog);
    m_router->addObserver(&m_uiFeed);
    connect(m_router, &Router::toolsChanged, this, &GatewayCore::toolsChanged);
    connect(m_upstreams, &UpstreamManager::stateChanged, this,
            [this](const QString &name, UpstreamState state, const QString &reason) {
                Q_EMIT upstreamStateChanged(name, state, reason);
                Q_EMIT statusesChanged(m_upstreams->statuses());
            });
    connect(m_upstreams, &UpstreamManager::logLine, this, &GatewayCore::serverLogLine);
    connect(m_endpoint, &McpHttpEndpoint::sessionOpened, this,
            [this] { Q_EMIT sessionCountChanged(m_router->sessionCount()); });
    connect(m_endpoint, &McpHttpEndpoint::sessionClosed, this,
            [this] { Q_EMIT sessionCountChanged(m_router->sessionCount()); });
    m_metrics->setUpstreamStatusProvider([this] { return m_upstreams->statuses(); });
    m_metrics->addGauge(QStringLiteral("active_sessions"), [this] { return double(m_router->sessionCount()); });
    m_metrics->addGauge(QStringLiteral("in_flight"), [this] {
        int n = 0;
        for (const UpstreamStatus &s : m_upstreams->statuses())
            n += s.inFlight;
        return double(n);
    });
    // Upstream states over time (the dashboard charts them).
    for (const auto &[name, state] : {std::pair{QStringLiteral("upstreams_ready"), UpstreamState::Ready},
                                      std::pair{QStringLiteral("upstreams_starting"), UpstreamState::Starting},
                                      std::pair{QStringLiteral("upstreams_failing"), UpstreamState::Failing}}) {
        const UpstreamState wanted = state;
        m_metrics->addGauge(name, [this, wanted] {
            int n = 0;
            for (const UpstreamStatus &s : m_upstreams->statuses())
                n += s.state == wanted;
            return double(n);
        });
    }
    connect(m_metrics, &MetricsCollector::sample, this, &GatewayCore::metricSample);
    m_eventTimer->setInterval(50);
    connect(m_eventTimer, &QTimer::timeout, this, &GatewayCore::flushEvents);
}

GatewayCore::~GatewayCore()
{
    stop();
    // The members die before the QObject children (the Router among them).
    m_router->removeObserver(&m_callLog);
    m_router->removeObserver(&m_uiFeed);
}

quint16 GatewayCore::port() const
{
    return m_server ? m_server->serverPort() : 0;
}

void GatewayCore::start()
{
    if (m_running)
        return;
    QString error;
    const bool opened = m_dataDir.isEmpty() ? m_store->openInMemory(&error) : m_store->open(m_dataDir, &error);
    if (!opened) {
        Q_EMIT startFailed(QStringLiteral("Cannot open the database in %1: %2").arg(m_dataDir, error));
        return;
    }
    m_configService->load();
    if (m_listen && !startListening(m_configService->config().listen, &error)) {
        Q_EMIT startFailed(error);
        return;
    }
    m_running = true;
    m_eventTimer->start();
    m_keyUsageTimer->start();
    if (m_localBridge && !m_dataDir.isEmpty())
        startBridgeServer();
    // Upstreams start once their credentials are read from the keychain.
    m_configService->loadSecrets([self = QPointer<GatewayCore>(this)] {
        if (self && self->m_running && self->m_runUpstreams)
            self->m_configService->setUpstreamsLive(true);
    });
    Q_EMIT statusesChanged(m_upstreams->statuses());
    Q_EMIT started(m_server ? m_server->serverAddress() : QHostAddress(), port());
}

void GatewayCore::stop()
{
    if (!m_running)
        return;
    m_running = false;
    m_endpoint->closeAllSessions();
    while (!m_bridged.empty())
        closeBridged(m_bridged.back().get());
    if (m_bridgeServer) {
        m_bridgeServer->close();
        delete m_bridgeServer;
        m_bridgeServer = nullptr;
    }
    if (m_server) {
        m_server->close();
        delete m_server;
        m_server = nullptr;
    }
    m_configService->setUpstreamsLive(false);
    m_upstreams->stopAll();
    StdioUpstream::reapRetired(); // no child outlives the gateway
    flushEvents();
    m_eventTimer->stop();
    m_keyUsageTimer->stop();
    m_store->close(); // writes the keys' last use
    Q_EMIT stopped();
}

void GatewayCore::setPaused(bool paused)
{
    if (m_paused == paused)
        return;
    m_paused = paused;
    Q_EMIT pausedChanged(paused);
}

bool GatewayCore::startListening(const ListenConfig &listen, QString *error)
{
    auto server = std::make_unique<http::HttpServer>(this, this);
    http::HttpServerLimits limits;
    limits.maxBodyBytes = listen.maxBodyBytes;
    server->setLimits(limits);
    if (!listen.tlsCertificateFile.isEmpty()) {
        QFile certFile(listen.tlsCertificateFile);
        QFile keyFile(listen.tlsKeyFile);
        if (!certFile.open(QIODevice::ReadOnly) || !keyFile.open(QIODevice::ReadOnly)) {
            *error = QStringLiteral("Cannot read the TLS certificate or key (%1, %2)")
                         .arg(listen.tlsCertificateFile, listen.tlsKeyFile);
            return false;
        }
        const QList<QSslCertificate> chain = QSslCertificate::fromData(certFile.readAll(), QSsl::Pem);
        const QByteArray keyBytes = keyFile.readAll();
        QSslKey key(keyBytes, QSsl::Rsa, QSsl::Pem);
        if (key.isNull())
            key = QSslKey(keyBytes, QSsl::Ec, QSsl::Pem);
        if (chain.isEmpty() || key.isNull()) {
            *error = QStringLiteral("The TLS certificate or key is not valid PEM");
            return false;
        }
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        tls.setLocalCertificateChain(chain);
        tls.setPrivateKey(key);
        tls.setPeerVerifyMode(QSslSocket::VerifyNone);
        server->setTlsConfiguration(tls);
    }
    if (!server->listen(listen.address, listen.port)) {
        *error = QStringLiteral("Cannot listen on %1:%2: %3")
                     .arg(listen.address.toString())
                     .arg(listen.port)
                     .arg(server->errorString());
        return false;
    }
    m_server = server.release();
    qCInfo(lcGateway).noquote() << "listening on" << m_server->serverAddress().toString() << m_server->serverPort();
    return true;
}

GatewayConfig GatewayCore::config() const
{
    return m_configService->config();
}

void GatewayCore::upsertServer(const UpstreamConfig &server, const QStringList &addToNamespaces, Done done)
{
    m_configService->upsertServer(server, addToNamespaces,
                                  [done](const QString &error, const QList<ConfigChange> &) { done(error); });
}

void GatewayCore::removeServer(const QString &name, Done done)
{
    m_configService->removeServer(name, [done](const QString &error, const QList<ConfigChange> &) { done(error); });
}

void GatewayCore::importMcpServersFile(const QString &path, const QString &ns,
                                       std::function<void(const QString &, const QStringList &)> done)
{
    const ImportResult result = metamcp::importMcpServersFile(path);
    if (!result.ok())
        return done(result.error, {});
    for (const QString &warning : result.warnings)
        qCWarning(lcGateway).noquote() << "import:" << warning;
    QStringList names;
    for (const UpstreamConfig &server : result.servers) {
        if (const QString problem = server.validate(); !problem.isEmpty())
            return done(QStringLiteral("%1: %2").arg(server.name, problem), {});
        names.append(server.name);
    }
    // One change: every server (unchanged ones change nothing), and the namespace if new.
    m_configService->change(
        [servers = result.servers, ns](GatewayConfig &next) -> QString {
            auto target = std::find_if(next.namespaces.begin(), next.namespaces.end(),
                                       [&](const NamespaceConfig &n) { return n.name == ns; });
            if (target == next.namespaces.end()) {
                NamespaceConfig created;
                created.name = ns;
                next.namespaces.append(created);
                target = next.namespaces.end() - 1;
            }
            for (const UpstreamConfig &server : servers) {
                auto it = std::find_if(next.servers.begin(), next.servers.end(),
                                       [&](const UpstreamConfig &s) { return s.name == server.name; });
                if (it == next.servers.end())
                    next.servers.append(server);
                else
                    *it = server;
                if (!target->servers.contains(server.name))
                    target->servers.append(server.name);
            }
            return {};
        },
        [done, names](const QString &error, const QList<ConfigChange> &) {
            done(error, error.isEmpty() ? names : QStringList());
        });
}

void GatewayCore::importOpenApiFile(const QString &path, const QString &name, const QString &ns, const QUrl &baseUrl,
                                    std::function<void(const QString &, const QStringList &)> done)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return done(QStringLiteral("Cannot read %1: %2").arg(path, file.errorString()), {});
    const OpenApiImport imported =
        importOpenApi(file.readAll(), QUrl::fromLocalFile(QFileInfo(path).absoluteFilePath()));
    if (!imported.ok())
        return done(imported.error, {});
    for (const QString &warning : imported.warnings)
        qCWarning(lcGateway).noquote() << "OpenAPI import:" << warning;
    UpstreamConfig server;
    server.name = name;
    server.kind = UpstreamKind::Rest;
    server.url = baseUrl.isEmpty() ? imported.baseUrl : baseUrl;
    server.restTools = imported.tools;
    QStringList tools;
    for (const RestToolConfig &t : imported.tools)
        tools.append(t.name);
    upsertServer(server, {ns},
                 [done, tools](const QString &error) { done(error, error.isEmpty() ? tools : QStringList()); });
}

void GatewayCore::upsertNamespace(const NamespaceConfig &ns, Done done)
{
    m_configService->upsertNamespace(ns, [done](const QString &error, const QList<ConfigChange> &) { done(error); });
}

void GatewayCore::removeNamespace(const QString &name, Done done)
{
    m_configService->removeNamespace(name, [done](const QString &error, const QList<ConfigChange> &) { done(error); });
}

void GatewayCore::setToolOverride(const QString &ns, const ToolOverride &override_, Done done)
{
    m_configService->setToolOverride(ns, override_,
                                     [done](const QString &error, const QList<ConfigChange> &) { done(error); });
}

void GatewayCore::applyListenConfig(const ListenConfig &listen, Done done)
{
    m_configService->setListenConfig(listen,
                                     [done](const QString &error, const QList<ConfigChange> &) { done(error); });
}

void GatewayCore::applyConfiguration(const QByteArray &document, configdoc::Format format, bool dryRun,
                                     ConfigService::Done done)
{
    configdoc::apply(*m_configService, *m_credentials, document, format, dryRun, std::move(done));
}

QByteArray GatewayCore::exportConfiguration(configdoc::Format format) const
{
    return configdoc::write(m_configService->config(), format);
}

QString GatewayCore::moveListener(const ListenConfig &listen)
{
    const ListenConfig previous = m_configService->config().listen;
    if (!m_running || !m_listen ||
        (listen.address == previous.address && listen.port == previous.port &&
         listen.tlsCertificateFile == previous.tlsCertificateFile && listen.tlsKeyFile == previous.tlsKeyFile &&
         listen.maxBodyBytes == previous.maxBodyBytes))
        return {};
    // Try the new listener before letting go of the old one.
    http::HttpServer *old = m_server;
    m_server = nullptr;
    QString error;
    if (!startListening(listen, &error)) {
        m_server = old;
        return error;
    }
    m_endpoint->closeAllSessions();
    if (old) {
        old->close();
        old->deleteLater();
    }
    return {};
}

bool GatewayCore::restartServer(const QString &name)
{
    return m_upstreams->restart(name);
}

void GatewayCore::handleRequest(const http::HttpRequest &request, http::HttpResponder *responder)
{
    if (m_paused && request.path != "/healthz") {
        responder->respond(503,
                           {{QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json")},
                            {QByteArrayLiteral("Retry-After"), QByteArrayLiteral("5")}},
                           QJsonDocument(jsonrpc::error(QJsonValue::Null, rpcerr::UpstreamUnavailable,
                                                        QStringLiteral("The gateway is paused")))
                               .toJson(QJsonDocument::Compact));
        return;
    }
    if (request.path == "/metrics") {
        // Prometheus scrapes from this machine only: names of servers and namespaces are not
        // for the network.
        if (!request.peerAddress.isLoopback()) {
            responder->respond(403, {{QByteArrayLiteral("Content-Type"), QByteArrayLiteral("text/plain")}},
                               QByteArrayLiteral("Forbidden: /metrics is served to loopback clients only\n"));
            return;
        }
        if (request.method != "GET" && request.method != "HEAD") {
            responder->respond(405, {{QByteArrayLiteral("Allow"), QByteArrayLiteral("GET, HEAD")}}, {});
            return;
        }
        responder->respond(
            200, {{QByteArrayLiteral("Content-Type"), QByteArrayLiteral("text/plain; version=0.0.4; charset=utf-8")}},
            request.method == "HEAD" ? QByteArray() : m_metrics->prometheusText());
        return;
    }
    m_endpoint->handleRequest(request, responder);
}

ClientSession *GatewayCore::consoleSession(const QString &ns)
{
    QPointer<ClientSession> &slot = m_consoleSessions[ns];
    if (!slot) {
        slot = new ClientSession(QStringLiteral("console-") + ns, ns, ClientSession::Transport::Stdio, this);
        slot->principal = localOwner();
        slot->protocolVersion = mcp::V2025_11_25;
        slot->clientInfo = QJsonObject{{QStringLiteral("name"), QStringLiteral("metamcp-console")},
                                       {QStringLiteral("version"), QStringLiteral(METAMCP_VERSION)}};
        slot->initialized = true;
    }
    return slot;
}

void GatewayCore::request(quint64 handle, const QString &ns, const QString &method, const QJsonObject &params,
                          std::function<void(const QJsonObject &)> done,
                          std::function<void(const QJsonObject &)> onMessage)
{
    if (!m_router->hasNamespace(ns)) {
        done(jsonrpc::error(QJsonValue::Null, rpcerr::InvalidRequest, QStringLiteral("Unknown namespace %1").arg(ns)));
        return;
    }
    const QJsonObject message = jsonrpc::request(QStringLiteral("console-%1").arg(handle), method, params);
    m_consoleRequests.insert(handle, ns);
    auto finished = [this, handle, done = std::move(done)](const QJsonObject &response) {
        m_consoleRequests.remove(handle);
        done(response);
    };
    // Sizes as they would be on the wire, so the inspector shows them for console calls too.
    const qint64 bytes = QJsonDocument(message).toJson(QJsonDocument::Compact).size();
    m_router->handleRequest(consoleSession(ns), message,
                            std::make_shared<CallbackSink>(std::move(finished), std::move(onMessage)), bytes);
}

void GatewayCore::cancelRequest(quint64 handle)
{
    const QString ns = m_consoleRequests.value(handle);
    if (ns.isEmpty())
        return;
    if (ClientSession *s = consoleSession(ns))
        s->cancelInFlight(jsonrpc::idKey(QJsonValue(QStringLiteral("console-%1").arg(handle))),
                          QStringLiteral("cancelled in the console"));
}

namespace {

// Turns one callback of Upstream::sendRequest into a signal a coroutine can co_await.
class ResponseSignal final : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;
Q_SIGNALS:
    void arrived(const QJsonObject &response);
};

} // namespace

void GatewayCore::testConnection(const UpstreamConfig &server,
                                 std::function<void(bool, const QString &, const QJsonArray &)> done)
{
    if (const QString problem = server.validate(); !problem.isEmpty()) {
        done(false, problem, {});
        return;
    }
    // Runs on by itself until it co_returns (QCoro tasks need not be awaited).
    [](UpstreamConfig config, std::function<void(bool, const QString &, const QJsonArray &)> done) -> QCoro::Task<> {
        config.name += QStringLiteral("-test");
        ResponseSignal listed; // declared first: outlives the upstream and its late callbacks
        std::unique_ptr<Upstream, void (*)(Upstream *)> upstream(createUpstream(config).release(), [](Upstream *u) {
            u->stop();
            u->deleteLater();
        });
        upstream->start();
        const std::chrono::milliseconds patience(config.startupTimeoutMs + 1000);
        while (upstream->state() != UpstreamState::Ready) {
            const auto changed = co_await qCoro(upstream.get(), &Upstream::stateChanged, patience);
            if (!changed) {
                done(false, QStringLiteral("No answer within %1 ms").arg(patience.count()), {});
                co_return;
            }
            if (std::get<0>(*changed) == UpstreamState::Failing) {
                done(false, std::get<1>(*changed), {});
                co_return;
            }
        }
        QPointer<ResponseSignal> guard(&listed);
        upstream->sendRequest(QStringLiteral("tools/list"), {}, [guard](const QJsonObject &response) {
            if (guard)
                Q_EMIT guard->arrived(response);
        });
        const auto response = co_await qCoro(&listed, &ResponseSignal::arrived, patience);
        const QJsonObject info = upstream->serverInfo();
        const QString who = QString(info.value(QLatin1String("name")).toString() + QLatin1Char(' ') +
                                    info.value(QLatin1String("version")).toString())
                                .trimmed();
        if (!response || jsonrpc::isError(*response)) {
            done(true,
                 QStringLiteral("Connected to %1, but tools/list failed: %2")
                     .arg(who, response ? jsonrpc::errorMessage(*response) : QStringLiteral("no answer")),
                 {});
            co_return;
        }
        done(true, QStringLiteral("Connected to %1 (protocol %2)").arg(who, upstream->protocolVersion()),
             response->value(QLatin1String("result")).toObject().value(QLatin1String("tools")).toArray());
    }(server, std::move(done));
}

void GatewayCore::openStdioSession(const QString &ns, std::function<void(const QByteArray &)> write)
{
    m_stdio = std::make_unique<Stdio>();
    m_stdio->write = std::move(write);
    m_stdio->channel.write = &m_stdio->write;
    m_stdio->session = new ClientSession(QUuid::createUuid().toString(QUuid::WithoutBraces), ns,
                                         ClientSession::Transport::Stdio, this);
    m_stdio->session->principal = localOwner();
    m_stdio->session->setChannel(&m_stdio->channel);
    m_router->addSession(m_stdio->session);
}

void GatewayCore::stdioReceive(const QByteArray &line)
{
    if (m_stdio)
        receiveLine(*m_stdio, line);
}

void GatewayCore::receiveLine(Stdio &stdio, const QByteArray &line)
{
    if (!stdio.session)
        return;
    const QByteArray trimmed = line.trimmed();
    if (trimmed.isEmpty())
        return;
    auto send = [&stdio](const QJsonObject &o) { stdio.write(compactLine(o)); };
    // The same intake as HTTP (mcp/intake.h): the same bad input gets the same error.
    const intake::Parsed parsed = intake::parse(trimmed);
    if (parsed.rejection)
        return send(parsed.rejection->error());
    if (parsed.batch) {
        send(jsonrpc::error(
            QJsonValue::Null, rpcerr::InvalidRequest,
            QStringLiteral("Invalid Request: batches are not supported; send one JSON object per line")));
        return;
    }
    const QJsonObject &message = parsed.object;
    const intake::Classified classified = intake::classify(message);
    if (classified.rejection)
        return send(classified.rejection->error());
    ClientSession *session = stdio.session;
    const bool claim = intake::isStateless(message);
    if (classified.kind == jsonrpc::Kind::Request &&
        (claim || (!session->initialized && classified.method == u"server/discover"))) {
        // 2026-07-28: every request stands alone, on a session of its own for its lifetime.
        QString version = mcp::V2026_07_28;
        if (claim) {
            const intake::StatelessCheck check = intake::checkStateless(message, nullptr, {});
            if (check.outcome == intake::StatelessCheck::Outcome::Reject)
                return send(check.rejection.error());
            version = check.version;
        }
        const QJsonObject meta =
            message.value(QLatin1String("params")).toObject().value(QLatin1String("_meta")).toObject();
        auto sink = std::make_shared<Stdio::Sink>();
        sink->write = stdio.write;
        auto *stateless = new ClientSession(QUuid::createUuid().toString(QUuid::WithoutBraces), session->ns(),
                                            ClientSession::Transport::Stateless, this);
        stateless->protocolVersion = version;
        stateless->principal = session->principal;
        stateless->clientCapabilities = meta.value(mcp::kMetaClientCapabilities).toObject();
        stateless->clientInfo = meta.value(mcp::kMetaClientInfo).toObject();
        stateless->logLevel = meta.value(QLatin1String("io.modelcontextprotocol/logLevel")).toString();
        stateless->initialized = true;
        struct OwningSink final : CallSink
        {
            std::shared_ptr<Stdio::Sink> inner;
            QPointer<ClientSession> owned;
            ~OwningSink() override
            {
                if (owned)
                    owned->deleteLater();
            }
            void message(const QJsonObject &m) override { inner->message(m); }
            qint64 finish(const QJsonObject &r) override { return inner->finish(r); }
            qint64 finishSerialized(const QByteArray &r) override { return inner->finishSerialized(r); }
        };
        auto owning = std::make_shared<OwningSink>();
        owning->inner = sink;
        owning->owned = stateless;
        m_router->handleRequest(stateless, message, owning, line.size());
        return;
    }
    switch (classified.kind) {
    case jsonrpc::Kind::Request: {
        if (classified.method != u"initialize" && !session->initialized && classified.method != u"ping") {
            send(jsonrpc::error(message.value(QLatin1String("id")), rpcerr::InvalidRequest,
                                QStringLiteral("The session is not initialized; send initialize first")));
            return;
        }
        auto sink = std::make_shared<Stdio::Sink>();
        sink->write = stdio.write;
        m_router->handleRequest(session, message, sink, line.size());
        return;
    }
    case jsonrpc::Kind::Notification:
        m_router->handleNotification(session, message);
        return;
    case jsonrpc::Kind::Response:
        m_router->handleResponse(session, message);
        return;
    case jsonrpc::Kind::Invalid: // rejected above
        return;
    }
}

QString GatewayCore::bridgeServerName() const
{
    return m_bridgeServer && m_bridgeServer->isListening() ? m_bridgeServer->fullServerName() : QString();
}

void GatewayCore::startBridgeServer()
{
    const QString name = bridge::serverName(m_dataDir);
    m_bridgeServer = new QLocalServer(this);
    m_bridgeServer->setSocketOptions(QLocalServer::UserAccessOption);
    m_bridgeServer->setMaxPendingConnections(64);
    if (!m_bridgeServer->listen(name)) {
        // A socket left by a gateway that died, or one that another gateway on this data
        // directory serves: only the first may be replaced.
        QLocalSocket probe;
        probe.connectToServer(name);
        if (probe.waitForConnected(500)) {
            qCWarning(lcGateway).noquote() << "another gateway already serves stdio bridges for" << m_dataDir;
            delete std::exchange(m_bridgeServer, nullptr);
            return;
        }
        QLocalServer::removeServer(name);
        if (!m_bridgeServer->listen(name)) {
            qCWarning(lcGateway).noquote()
                << "cannot serve stdio bridges on" << name << ":" << m_bridgeServer->errorString();
            delete std::exchange(m_bridgeServer, nullptr);
            return;
        }
    }
    qCInfo(lcGateway).noquote() << "serving metamcpd --stdio bridges on" << m_bridgeServer->fullServerName();
    connect(m_bridgeServer, &QLocalServer::newConnection, this, &GatewayCore::onBridgeConnection);
}

void GatewayCore::onBridgeConnection()
{
    while (QLocalSocket *socket = m_bridgeServer->nextPendingConnection()) {
        QString why;
        if (!bridge::peerIsSameUser(socket->socketDescriptor(), &why)) {
            qCWarning(lcGateway).noquote() << "refused a stdio bridge:" << why;
            socket->abort();
            socket->deleteLater();
            continue;
        }
        auto connection = std::make_unique<Stdio>();
        Stdio *c = connection.get();
        c->socket = socket;
        QPointer<QLocalSocket> out = socket;
        c->write = [out](const QByteArray &line) {
            if (out && out->state() == QLocalSocket::ConnectedState)
                out->write(line.endsWith('\n') ? line : line + '\n');
        };
        c->channel.write = &c->write;
        m_bridged.push_back(std::move(connection));
        connect(socket, &QLocalSocket::readyRead, this, [this, c] { onBridgeData(c); });
        connect(socket, &QLocalSocket::disconnected, this, [this, c] { closeBridged(c); });
        if (socket->bytesAvailable() > 0)
            onBridgeData(c);
    }
}

void GatewayCore::onBridgeData(Stdio *c)
{
    QLocalSocket *socket = c->socket;
    if (!socket)
        return;
    while (socket->canReadLine()) {
        QByteArray line = socket->readLine();
        line.chop(line.endsWith("\r\n") ? 2 : 1);
        if (!c->greeted) {
            const QJsonObject hello = QJsonDocument::fromJson(line).object();
            const QString ns = hello.value(QLatin1String("namespace")).toString(kDefaultNamespace);
            QString refusal;
            if (hello.value(QLatin1String("metamcp-bridge")).toInt() != bridge::kProtocol)
                refusal = QStringLiteral("not a metamcp bridge hello (protocol %1 expected)").arg(bridge::kProtocol);
            else if (!m_router->hasNamespace(ns))
                refusal = QStringLiteral("the gateway has no namespace \"%1\"").arg(ns);
            if (!refusal.isEmpty()) {
                qCWarning(lcGateway).noquote() << "refused a stdio bridge:" << refusal;
                socket->write(bridge::refuseLine(refusal));
                socket->disconnectFromServer();
                return;
            }
            c->greeted = true;
            c->session = new ClientSession(QUuid::createUuid().toString(QUuid::WithoutBraces), ns,
                                           ClientSession::Transport::Stdio, this);
            // Only the same OS user gets here (the peer check of onBridgeConnection).
            c->session->principal = localOwner();
            c->session->setChannel(&c->channel);
            m_router->addSession(c->session);
            qCInfo(lcGateway).noquote() << "stdio bridge attached:" << hello.value(QLatin1String("client")).toString()
                                        << "namespace" << ns;
            Q_EMIT sessionCountChanged(m_router->sessionCount());
            socket->write(bridge::acceptLine());
            continue;
        }
        receiveLine(*c, line);
        if (!c->socket)
            return; // closed meanwhile
    }
    if (!c->greeted && socket->bytesAvailable() > 64 * 1024) {
        socket->abort(); // no hello line: not a bridge
        return;
    }
    if (socket->bytesAvailable() > 64 * 1024 * 1024) {
        qCWarning(lcGateway) << "a stdio bridge sent a line over 64 MiB: closed";
        socket->abort();
    }
}

void GatewayCore::closeBridged(Stdio *c)
{
    const auto it = std::find_if(m_bridged.begin(), m_bridged.end(), [c](const auto &p) { return p.get() == c; });
    if (it == m_bridged.end())
        return;
    std::unique_ptr<Stdio> connection = std::move(*it);
    m_bridged.erase(it);
    if (QLocalSocket *socket = connection->socket) {
        socket->disconnect(this);
        socket->abort();
        socket->deleteLater();
    }
    if (ClientSession *session = connection->session) {
        m_router->removeSession(session);
        session->setChannel(nullptr);
        Q_EMIT session->closing();
        session->cancelAllInFlight(QStringLiteral("the stdio bridge closed"));
        session->deleteLater();
        Q_EMIT sessionCountChanged(m_router->sessionCount());
    }
}

void GatewayCore::flushEvents()
{
    const QByteArray lines = m_callLog.take();
    if (!lines.isEmpty()) {
        std::fwrite(lines.constData(), 1, size_t(lines.size()), stderr);
        std::fflush(stderr);
    }
    UiFeed::Batch batch = m_uiFeed.take();
    if (batch.dropped)
        qCWarning(lcGateway) << "the console's live feed dropped" << batch.dropped << "call events (more than"
                             << m_uiFeed.maxPerBatch() << "in 50 ms); metrics and the call log have them all";
    if (!batch.events.isEmpty())
        Q_EMIT callEvents(batch.events);
}

} // namespace metamcp

#include "gatewaycore.moc"
