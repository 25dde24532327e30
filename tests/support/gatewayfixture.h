#pragma once

// Starts the real gateway (the Gateway facade with its own thread) on 127.0.0.1 with a random
// port and a temporary data directory, for tests that talk to it over HTTP or the facade.

#include "gateway.h"

#include <QTemporaryDir>

#include <memory>

namespace metamcp::test {

class GatewayFixture
{
public:
    GatewayFixture();
    // Uses `dataDir` (kept) instead of a temporary directory.
    explicit GatewayFixture(const QString &dataDir);
    ~GatewayFixture();

    // Starts and waits for the listener. `error` gets the reason on failure.
    bool start(QString *error = nullptr, bool captureBodies = true, int listPageSize = 0);
    Gateway *gateway() const { return m_gateway.get(); }
    quint16 port() const { return m_port; }
    QString dataDir() const { return m_dataDir.isEmpty() ? m_dir.path() : m_dataDir; }

    // Adds (or replaces) a server in the given namespaces and waits for the facade's answer.
    QString addServer(const UpstreamConfig &server, const QStringList &namespaces = {kDefaultNamespace});
    QString setNamespace(const NamespaceConfig &ns);
    // Waits until namespace `ns` exposes tool `name`.
    bool waitForTool(const QString &ns, const QString &name, int timeoutMs = 30000);
    bool waitForUpstreamState(const QString &server, UpstreamState state, int timeoutMs = 30000);
    // One in-process request through the facade (waits for the answer).
    QJsonObject request(const QString &ns, const QString &method, const QJsonObject &params = {},
                        int timeoutMs = 30000);

    // server-everything over stdio; `marker` ends up on its command line (for pkill -f).
    static UpstreamConfig everythingStdio(const QString &name = QStringLiteral("everything"),
                                          const QString &marker = {});

private:
    QTemporaryDir m_dir;
    QString m_dataDir;
    std::unique_ptr<Gateway> m_gateway;
    quint16 m_port = 0;
};

} // namespace metamcp::test
