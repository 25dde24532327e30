#include "gatewayfixture.h"

#include "testsupport.h"

#include <QSignalSpy>
#include <QTest>

namespace metamcp::test {

GatewayFixture::GatewayFixture() = default;

GatewayFixture::GatewayFixture(const QString &dataDir)
    : m_dataDir(dataDir)
{}

GatewayFixture::~GatewayFixture()
{
    m_gateway.reset();
}

bool GatewayFixture::start(QString *error, bool captureBodies, int listPageSize)
{
    GatewayOptions options;
    options.dataDir = dataDir();
    ListenConfig listen;
    listen.address = QHostAddress::LocalHost;
    listen.port = 0;
    listen.maxBodyBytes = 1024 * 1024;
    options.listenOverride = listen;
    options.captureBodies = captureBodies;
    options.listPageSize = listPageSize;
    m_gateway = std::make_unique<Gateway>(options);
    QSignalSpy started(m_gateway.get(), &Gateway::started);
    QSignalSpy failed(m_gateway.get(), &Gateway::startFailed);
    m_gateway->start();
    if (!QTest::qWaitFor([&] { return !started.isEmpty() || !failed.isEmpty(); }, 15000) || started.isEmpty()) {
        if (error)
            *error = failed.isEmpty() ? QStringLiteral("no answer") : failed.first().first().toString();
        return false;
    }
    m_port = m_gateway->port();
    return m_port != 0;
}

QString GatewayFixture::addServer(const UpstreamConfig &server, const QStringList &namespaces)
{
    bool done = false;
    QString result;
    m_gateway->upsertServer(server, namespaces, [&](const QString &error) {
        result = error;
        done = true;
    });
    if (!QTest::qWaitFor([&] { return done; }, 15000))
        return QStringLiteral("no answer from the gateway");
    return result;
}

QString GatewayFixture::setNamespace(const NamespaceConfig &ns)
{
    bool done = false;
    QString result;
    m_gateway->upsertNamespace(ns, [&](const QString &error) {
        result = error;
        done = true;
    });
    if (!QTest::qWaitFor([&] { return done; }, 15000))
        return QStringLiteral("no answer from the gateway");
    return result;
}

bool GatewayFixture::waitForTool(const QString &ns, const QString &name, int timeoutMs)
{
    return QTest::qWaitFor(
        [&] {
            bool answered = false;
            bool found = false;
            m_gateway->listTools(ns, [&](const QList<ToolInfo> &tools) {
                for (const ToolInfo &t : tools)
                    found |= t.exposedName == name;
                answered = true;
            });
            (void)QTest::qWaitFor([&] { return answered; }, 5000);
            return found;
        },
        timeoutMs);
}

bool GatewayFixture::waitForUpstreamState(const QString &server, UpstreamState state, int timeoutMs)
{
    return QTest::qWaitFor(
        [&] {
            for (const UpstreamStatus &s : m_gateway->upstreamStatuses())
                if (s.name == server && s.state == state)
                    return true;
            return false;
        },
        timeoutMs);
}

QJsonObject GatewayFixture::request(const QString &ns, const QString &method, const QJsonObject &params, int timeoutMs)
{
    QJsonObject response;
    bool done = false;
    m_gateway->request(ns, method, params, [&](const QJsonObject &r) {
        response = r;
        done = true;
    });
    (void)QTest::qWaitFor([&] { return done; }, timeoutMs);
    return response;
}

UpstreamConfig GatewayFixture::everythingStdio(const QString &name, const QString &marker)
{
    UpstreamConfig c;
    c.name = name;
    c.kind = UpstreamKind::Stdio;
    c.command = nodeProgram();
    c.args = serverEverythingStdioArgs();
    if (!marker.isEmpty())
        c.args.append(marker);
    return c;
}

} // namespace metamcp::test
