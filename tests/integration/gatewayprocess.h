#pragma once

// Shared by the integration tests that drive real MCP software (tst_sdkclient, tst_inspectorcli,
// tst_conformance, tst_mcpproxy): a real metamcpd on a loopback port of its choosing (port 0) with its own data
// directory and import file, and a runner for the Node scripts in tests/integration/js whose
// last stdout line is a JSON report. Header-only so that each test stays one executable.

#include "testsupport.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QProcessEnvironment>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QUrl>

#include <optional>

#ifdef Q_OS_LINUX
#include <csignal>
#include <poll.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>
#endif

namespace metamcp::test {

using namespace Qt::StringLiterals;

inline QString integrationScript(const QString &name)
{
    return sourceDir() + u"/tests/integration/js/"_s + name;
}

inline QString integrationFixture(const QString &name)
{
    return sourceDir() + u"/tests/integration/fixtures/"_s + name;
}

// {"command": node22, "args": [server-everything, "stdio"]}: an mcpServers entry.
inline QJsonObject serverEverythingStdioEntry()
{
    return QJsonObject{{u"command"_s, node22Program()},
                       {u"args"_s, QJsonArray::fromStringList(serverEverythingStdioArgs())}};
}

// Writes {"mcpServers": servers} to dir/name and returns the path (empty on error).
inline QString writeImportFile(const QTemporaryDir &dir, const QJsonObject &servers,
                               const QString &name = u"import.json"_s)
{
    const QString path = dir.filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return {};
    file.write(QJsonDocument(QJsonObject{{u"mcpServers"_s, servers}}).toJson());
    return path;
}

// One blocking HTTP exchange on 127.0.0.1 (the tests talk to local processes only).
struct HttpExchange
{
    int status = 0;
    QByteArray body;
    QByteArray sessionId;
};

inline HttpExchange httpPost(const QUrl &url, const QByteArray &body, const QByteArray &sessionId = {},
                             int timeoutMs = 5000)
{
    QNetworkAccessManager manager;
    QNetworkRequest request(url);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    request.setRawHeader("Accept", "application/json, text/event-stream");
    if (!sessionId.isEmpty()) {
        request.setRawHeader("Mcp-Session-Id", sessionId);
        request.setRawHeader("MCP-Protocol-Version", "2025-11-25");
    }
    QNetworkReply *reply = manager.post(request, body);
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
    loop.exec();
    HttpExchange exchange;
    if (reply->isFinished()) {
        exchange.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        exchange.body = reply->readAll();
        exchange.sessionId = reply->rawHeader("Mcp-Session-Id");
    } else {
        reply->abort();
    }
    reply->deleteLater();
    return exchange;
}

// Initializes a 2025-11-25 session at `url` and returns its id (empty on failure).
inline QByteArray probeSession(const QUrl &url)
{
    const HttpExchange init = httpPost(url, R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{
        "protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"readiness-probe","version":"1"}}})");
    if (init.status != 200 || init.sessionId.isEmpty())
        return {};
    httpPost(url, R"({"jsonrpc":"2.0","method":"notifications/initialized"})", init.sessionId);
    return init.sessionId;
}

// The raw tools/list answer in session `sessionId`.
inline QByteArray listTools(const QUrl &url, const QByteArray &sessionId)
{
    return httpPost(url, R"({"jsonrpc":"2.0","id":2,"method":"tools/list"})", sessionId).body;
}

// The direct children of a process (Linux: /proc/<pid>/task/<tid>/children).
inline QList<qint64> childProcesses(qint64 pid)
{
    QList<qint64> children;
#ifdef Q_OS_LINUX
    const QDir tasks(u"/proc/%1/task"_s.arg(pid));
    for (const QString &tid : tasks.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        QFile file(tasks.filePath(tid + u"/children"_s));
        if (!file.open(QIODevice::ReadOnly))
            continue;
        for (const QByteArray &child : file.readAll().split(' '))
            if (const qint64 id = child.trimmed().toLongLong(); id > 0)
                children << id;
    }
#else
    Q_UNUSED(pid)
#endif
    return children;
}

// A metamcpd serving on 127.0.0.1:<port it bound to 0, read from its "serving MCP on" line>,
// data in a temporary directory.
class GatewayProcess
{
public:
    GatewayProcess() = default;
    ~GatewayProcess() { stop(); }
    Q_DISABLE_COPY_MOVE(GatewayProcess)

    // Stops metamcpd (its process group) and then the upstream processes it started: those run
    // in process groups of their own, and metamcpd only closes their stdin when it exits, so a
    // busy upstream would outlive it.
    void stop()
    {
        if (!m_process.isRunning())
            return;
        const QList<qint64> upstreams = childProcesses(m_process.pid());
        m_process.stop();
#ifdef Q_OS_LINUX
        QDeadlineTimer deadline(3000);
        for (const qint64 pid : upstreams) {
            // A pidfd becomes readable when the process exits: wait for that, not for a guess.
            const int pidfd = int(::syscall(SYS_pidfd_open, pid_t(pid), 0));
            if (pidfd < 0)
                continue; // gone already
            ::kill(pid_t(pid), SIGTERM);
            pollfd exited{pidfd, POLLIN, 0};
            if (::poll(&exited, 1, int(deadline.remainingTime())) <= 0)
                ::kill(pid_t(pid), SIGKILL);
            ::close(pidfd);
        }
#endif
    }

    // Starts `metamcpd --listen ... --data-dir ... [--import importFile] extraArgs`; waits until it
    // listens (and has imported). Returns an empty string or what went wrong (with its output).
    QString start(const QString &importFile, const QStringList &extraArgs = {})
    {
        if (!m_dataDir.isValid())
            return u"no temporary directory"_s;
        m_port = 0;
        QStringList args{u"--listen"_s, u"127.0.0.1:0"_s, u"--data-dir"_s, m_dataDir.path()};
        if (!importFile.isEmpty())
            args << u"--import"_s << importFile;
        args << extraArgs;
        const QString program = builtProgram(u"metamcpd"_s);
        if (!m_process.start(program, args))
            return u"cannot start %1: %2"_s.arg(program, m_process.process()->errorString());
        // Printed once it listens (before the imports).
        m_port = m_process.waitForPort(QRegularExpression(u"serving MCP on http://127\\.0\\.0\\.1:(\\d+)/"_s), 15000);
        if (m_port == 0)
            return u"metamcpd does not listen:\n%1"_s.arg(QString::fromUtf8(m_process.output()));
        if (!importFile.isEmpty() && !m_process.waitForOutput("imported", 30000))
            return u"metamcpd did not import %1:\n%2"_s.arg(importFile, QString::fromUtf8(m_process.output()));
        return {};
    }

    // Polls tools/list until it names `tool` (the upstreams start in the background).
    bool waitForTool(const QString &tool, int timeoutMs = 30000)
    {
        const QByteArray needle = '"' + tool.toUtf8() + '"';
        QByteArray sessionId; // one probe session, listed again until the tool is there
        return QTest::qWaitFor(
            [&] {
                if (sessionId.isEmpty())
                    sessionId = probeSession(url());
                return !sessionId.isEmpty() && listTools(url(), sessionId).contains(needle);
            },
            timeoutMs);
    }

    quint16 port() const
    {
        return m_port;
    }
    QString dataDir() const
    {
        return m_dataDir.path();
    }
    QUrl url(const QString &path = u"/mcp"_s) const
    {
        return QUrl(u"http://127.0.0.1:%1%2"_s.arg(m_port).arg(path));
    }
    QString output() const
    {
        return QString::fromUtf8(m_process.output());
    }
    ProcessFixture &process()
    {
        return m_process;
    }

private:
    QTemporaryDir m_dataDir;
    ProcessFixture m_process;
    quint16 m_port = 0;
};

// The outcome of one Node run.
struct NodeRun
{
    bool finished = false;
    int exitCode = -1;
    QByteArray output;  // stdout and stderr as read
    QJsonObject report; // the last line of output that is a JSON object

    QString describe() const
    {
        return u"exit %1%2, output:\n%3"_s.arg(exitCode).arg(finished ? QString() : u" (timed out)"_s,
                                                             QString::fromUtf8(output));
    }
};

inline QJsonObject lastJsonLine(const QByteArray &output)
{
    const QList<QByteArray> lines = output.split('\n');
    for (auto it = lines.crbegin(); it != lines.crend(); ++it) {
        const QByteArray line = it->trimmed();
        if (!line.startsWith('{'))
            continue;
        const QJsonDocument doc = QJsonDocument::fromJson(line);
        if (doc.isObject())
            return doc.object();
    }
    return {};
}

// Runs Node 22 with `args` (the script first) in its own process group, killed when done.
// Waits in an event loop, not in QProcess::waitForFinished(): the other processes of the test
// (metamcpd, the direct peers) must have their output drained meanwhile, else a full stderr
// pipe blocks them.
inline NodeRun runNode(const QStringList &args, int timeoutMs = 60000,
                       const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment(),
                       const QString &workingDirectory = {})
{
    ProcessFixture node;
    QProcessEnvironment environment = env;
    if (!environment.contains(u"METAMCP_NPM_DIR"_s))
        environment.insert(u"METAMCP_NPM_DIR"_s, npmDir());
    node.setEnvironment(environment);
    if (!workingDirectory.isEmpty())
        node.setWorkingDirectory(workingDirectory);
    NodeRun run;
    if (!node.start(node22Program(), args)) {
        run.output = "cannot start " + node22Program().toUtf8();
        return run;
    }
    if (node.isRunning()) {
        QEventLoop loop;
        QObject::connect(node.process(), &QProcess::finished, &loop, &QEventLoop::quit);
        QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
        loop.exec();
    }
    run.finished = !node.isRunning();
    node.waitForFinished(0); // collects what is left in the pipe
    run.exitCode = run.finished ? node.exitCode() : -1;
    node.stop();
    run.output = node.output();
    run.report = lastJsonLine(run.output);
    return run;
}

inline QByteArray compactJson(const QJsonValue &value)
{
    if (value.isObject())
        return QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact);
    if (value.isArray())
        return QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact);
    return QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
}

} // namespace metamcp::test
