#include "gateway.h"

#include "facade/gatewaycore.h"
#include "core/router.h"
#include "core/upstreammanager.h"
#include "upstream/upstream.h"

#include <QThread>

namespace metamcp {

void registerGatewayMetaTypes()
{
    qRegisterMetaType<metamcp::CallEvent>();
    qRegisterMetaType<QList<metamcp::CallEvent>>();
    qRegisterMetaType<metamcp::MetricSample>();
    qRegisterMetaType<metamcp::UpstreamStatus>();
    qRegisterMetaType<QList<metamcp::UpstreamStatus>>();
    qRegisterMetaType<metamcp::ToolInfo>();
    qRegisterMetaType<metamcp::GatewayConfig>();
    qRegisterMetaType<metamcp::UpstreamConfig>();
    qRegisterMetaType<metamcp::NamespaceConfig>();
    qRegisterMetaType<metamcp::ListenConfig>();
    qRegisterMetaType<metamcp::UpstreamState>();
    qRegisterMetaType<metamcp::ConfigChange>();
}

void Gateway::ThreadDeleter::operator()(QThread *thread) const
{
    thread->quit();
    thread->wait();
    delete thread;
}

Gateway::Gateway(const GatewayOptions &options, QObject *parent)
    : QObject(parent)
    , m_options(options)
    , m_thread(new QThread)
{
    registerGatewayMetaTypes();
    m_thread->setObjectName(QStringLiteral("metamcp-gateway"));
    m_core = new GatewayCore(options);
    m_core->moveToThread(m_thread.get());
    connect(m_thread.get(), &QThread::finished, m_core, &QObject::deleteLater);

    connect(m_core, &GatewayCore::started, this, [this](const QHostAddress &address, quint16 port) {
        m_running = true;
        m_address = address;
        m_port = port;
        Q_EMIT started(address, port);
    });
    connect(m_core, &GatewayCore::startFailed, this, &Gateway::startFailed);
    connect(m_core, &GatewayCore::stopped, this, [this] {
        m_running = false;
        Q_EMIT stopped();
    });
    connect(m_core, &GatewayCore::pausedChanged, this, [this](bool paused) {
        m_paused = paused;
        Q_EMIT pausedChanged(paused);
    });
    connect(m_core, &GatewayCore::configChanged, this, [this](const GatewayConfig &config) {
        m_config = config;
        Q_EMIT configChanged(config);
    });
    connect(m_core, &GatewayCore::statusesChanged, this,
            [this](const QList<UpstreamStatus> &statuses) { m_statuses = statuses; });
    connect(m_core, &GatewayCore::upstreamStateChanged, this, &Gateway::upstreamStateChanged);
    connect(m_core, &GatewayCore::toolsChanged, this, &Gateway::toolsChanged);
    connect(m_core, &GatewayCore::callEvents, this, &Gateway::callEvents);
    connect(m_core, &GatewayCore::metricSample, this, [this](const MetricSample &sample) {
        m_statuses = sample.upstreams;
        Q_EMIT metricSample(sample);
    });
    connect(m_core, &GatewayCore::serverLogLine, this, &Gateway::serverLogLine);
    connect(m_core, &GatewayCore::configItemChanged, this, &Gateway::configItemChanged);
    connect(m_core, &GatewayCore::sessionCountChanged, this, &Gateway::sessionCountChanged);
    m_thread->start();
}

Gateway::~Gateway()
{
    // Stop on the gateway thread, then quit it (the deleter waits; the core is deleted there).
    QMetaObject::invokeMethod(m_core, &GatewayCore::stop, Qt::BlockingQueuedConnection);
    m_thread.reset();
}

template<typename F> void Gateway::post(F &&f)
{
    QMetaObject::invokeMethod(m_core, std::forward<F>(f), Qt::QueuedConnection);
}

// Wraps a callback so that it runs on this object's thread (and not at all once it is gone).
template<typename... Args>
static std::function<void(Args...)> onThreadOf(QObject *receiver, std::function<void(Args...)> f)
{
    if (!f)
        return {};
    QPointer<QObject> guard = receiver;
    return [guard, f = std::move(f)](Args... args) {
        if (!guard)
            return;
        QMetaObject::invokeMethod(
            guard.data(),
            [guard, f, args...] {
                if (guard)
                    f(args...);
            },
            Qt::QueuedConnection);
    };
}

void Gateway::start()
{
    post([core = m_core] { core->start(); });
}

void Gateway::stop()
{
    post([core = m_core] { core->stop(); });
}

void Gateway::setPaused(bool paused)
{
    post([core = m_core, paused] { core->setPaused(paused); });
}

QString Gateway::endpointUrl(const QString &ns, bool sse) const
{
    const bool tls = !m_config.listen.tlsCertificateFile.isEmpty();
    QHostAddress host = m_address;
    if (host.isNull() || host == QHostAddress::Any || host == QHostAddress::AnyIPv4)
        host = QHostAddress::LocalHost;
    const QString hostText = host.protocol() == QAbstractSocket::IPv6Protocol
                                 ? QLatin1Char('[') + host.toString() + QLatin1Char(']')
                                 : host.toString();
    QString url = QStringLiteral("%1://%2:%3/%4")
                      .arg(tls ? QStringLiteral("https") : QStringLiteral("http"), hostText)
                      .arg(m_port)
                      .arg(sse ? QStringLiteral("sse") : QStringLiteral("mcp"));
    if (ns != kDefaultNamespace)
        url += QLatin1Char('/') + ns;
    return url;
}

void Gateway::upsertServer(const UpstreamConfig &server, const QStringList &addToNamespaces, Done done)
{
    auto cb = onThreadOf<const QString &>(this, std::move(done));
    post([core = m_core, server, addToNamespaces, cb] {
        core->upsertServer(server, addToNamespaces, [cb](const QString &error) {
            if (cb)
                cb(error);
        });
    });
}

void Gateway::removeServer(const QString &name, Done done)
{
    auto cb = onThreadOf<const QString &>(this, std::move(done));
    post([core = m_core, name, cb] {
        core->removeServer(name, [cb](const QString &error) {
            if (cb)
                cb(error);
        });
    });
}

void Gateway::restartServer(const QString &name)
{
    post([core = m_core, name] { core->restartServer(name); });
}

void Gateway::upsertNamespace(const NamespaceConfig &ns, Done done)
{
    auto cb = onThreadOf<const QString &>(this, std::move(done));
    post([core = m_core, ns, cb] {
        core->upsertNamespace(ns, [cb](const QString &error) {
            if (cb)
                cb(error);
        });
    });
}

void Gateway::removeNamespace(const QString &name, Done done)
{
    auto cb = onThreadOf<const QString &>(this, std::move(done));
    post([core = m_core, name, cb] {
        core->removeNamespace(name, [cb](const QString &error) {
            if (cb)
                cb(error);
        });
    });
}

void Gateway::setToolOverride(const QString &ns, const ToolOverride &override_, Done done)
{
    auto cb = onThreadOf<const QString &>(this, std::move(done));
    post([core = m_core, ns, override_, cb] {
        core->setToolOverride(ns, override_, [cb](const QString &error) {
            if (cb)
                cb(error);
        });
    });
}

void Gateway::applyListenConfig(const ListenConfig &listen, Done done)
{
    auto cb = onThreadOf<const QString &>(this, std::move(done));
    post([core = m_core, listen, cb] {
        core->applyListenConfig(listen, [cb](const QString &error) {
            if (cb)
                cb(error);
        });
    });
}

void Gateway::applyConfiguration(const QByteArray &document, configdoc::Format format, bool dryRun, ChangesDone done)
{
    auto cb = onThreadOf<const QString &, const QList<ConfigChange> &>(this, std::move(done));
    post([core = m_core, document, format, dryRun, cb] {
        core->applyConfiguration(document, format, dryRun,
                                 [cb](const QString &error, const QList<ConfigChange> &changes) {
                                     if (cb)
                                         cb(error, changes);
                                 });
    });
}

void Gateway::exportConfiguration(configdoc::Format format, std::function<void(const QByteArray &)> done)
{
    auto cb = onThreadOf<const QByteArray &>(this, std::move(done));
    post([core = m_core, format, cb] {
        const QByteArray document = core->exportConfiguration(format);
        if (cb)
            cb(document);
    });
}

void Gateway::importMcpServersFile(const QString &path, const QString &ns,
                                   std::function<void(const QString &, const QStringList &)> done)
{
    auto cb = onThreadOf<const QString &, const QStringList &>(this, std::move(done));
    post([core = m_core, path, ns, cb] {
        core->importMcpServersFile(path, ns, [cb](const QString &error, const QStringList &added) {
            if (cb)
                cb(error, added);
        });
    });
}

void Gateway::importOpenApiFile(const QString &path, const QString &name, const QString &ns, const QUrl &baseUrl,
                                std::function<void(const QString &, const QStringList &)> done)
{
    auto cb = onThreadOf<const QString &, const QStringList &>(this, std::move(done));
    post([core = m_core, path, name, ns, baseUrl, cb] {
        core->importOpenApiFile(path, name, ns, baseUrl, [cb](const QString &error, const QStringList &tools) {
            if (cb)
                cb(error, tools);
        });
    });
}

void Gateway::createApiKey(const QString &ns, const QString &label,
                           std::function<void(const std::optional<CreatedApiKey> &)> done)
{
    auto cb = onThreadOf<const std::optional<CreatedApiKey> &>(this, std::move(done));
    post([core = m_core, ns, label, cb] {
        const auto key = core->store().createApiKey(ns, label);
        if (cb)
            cb(key);
    });
}

void Gateway::listApiKeys(const QString &ns, std::function<void(const QList<ApiKeyInfo> &)> done)
{
    auto cb = onThreadOf<const QList<ApiKeyInfo> &>(this, std::move(done));
    post([core = m_core, ns, cb] { cb(core->store().apiKeys(ns)); });
}

void Gateway::revokeApiKey(qint64 id, Done done)
{
    auto cb = onThreadOf<const QString &>(this, std::move(done));
    post([core = m_core, id, cb] {
        const bool ok = core->store().revokeApiKey(id);
        if (cb)
            cb(ok ? QString() : core->store().lastError());
    });
}

void Gateway::listTools(const QString &ns, std::function<void(const QList<ToolInfo> &)> done)
{
    auto cb = onThreadOf<const QList<ToolInfo> &>(this, std::move(done));
    post([core = m_core, ns, cb] { cb(core->router().tools(ns)); });
}

quint64 Gateway::request(const QString &ns, const QString &method, const QJsonObject &params,
                         std::function<void(const QJsonObject &)> done,
                         std::function<void(const QJsonObject &)> onMessage)
{
    auto cb = onThreadOf<const QJsonObject &>(this, std::move(done));
    auto msg = onThreadOf<const QJsonObject &>(this, std::move(onMessage));
    const quint64 handle = m_nextRequest++;
    post([core = m_core, handle, ns, method, params, cb, msg] { core->request(handle, ns, method, params, cb, msg); });
    return handle;
}

void Gateway::cancelRequest(quint64 handle)
{
    post([core = m_core, handle] { core->cancelRequest(handle); });
}

void Gateway::testConnection(const UpstreamConfig &server,
                             std::function<void(bool, const QString &, const QJsonArray &)> done)
{
    auto cb = onThreadOf<bool, const QString &, const QJsonArray &>(this, std::move(done));
    post([core = m_core, server, cb] { core->testConnection(server, cb); });
}

void Gateway::serverLog(const QString &name, std::function<void(const QStringList &)> done)
{
    auto cb = onThreadOf<const QStringList &>(this, std::move(done));
    post([core = m_core, name, cb] {
        const Upstream *u = core->upstreams().upstream(name);
        cb(u ? u->recentLog() : QStringList());
    });
}

void Gateway::openStdioSession(const QString &ns, std::function<void(const QByteArray &)> write)
{
    post([core = m_core, ns, write = std::move(write)] { core->openStdioSession(ns, write); });
}

void Gateway::stdioReceive(const QByteArray &line)
{
    post([core = m_core, line] { core->stdioReceive(line); });
}

} // namespace metamcp
