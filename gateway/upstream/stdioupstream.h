#pragma once

// An upstream MCP server run as a child process speaking newline-delimited JSON-RPC on
// stdin/stdout (MCP stdio transport). stderr lines go to the bounded log.
//
// Lifecycle: start() spawns the command (in its own process group on Unix, so that wrappers
// such as npx take their children with them) and runs initialize within startupTimeoutMs.
// When the process exits or cannot be spawned, pending requests fail with -32002, the state
// becomes Failing with the reason, and the process is spawned again with exponential backoff.
// stop() closes stdin, sends SIGTERM after 1 s and SIGKILL 2 s later, without blocking.
//
// Server->client requests: stdio cannot tell which call a request belongs to. If exactly one
// request is in flight it goes to that request's hooks, otherwise to serverRequestReceived.
//
// Threading: gateway thread only, like every Upstream.

#include "upstream/linebuffer.h"
#include "upstream/upstream.h"

#include <QElapsedTimer>
#include <QProcess>

namespace metamcp {

class StdioUpstream final : public Upstream
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StdioUpstream)
public:
    // Ends every process that stop() or destruction left shutting down on this thread: SIGTERM
    // to its process group, SIGKILL after `graceMs`. Blocks up to graceMs + 1 s; for shutdown.
    static void reapRetired(int graceMs = 1500);

    explicit StdioUpstream(const UpstreamConfig &config, QObject *parent = nullptr);
    ~StdioUpstream() override;

    void start() override;
    void stop() override;

    // Process id of the running child, 0 when none (console display, tests).
    qint64 processId() const;

    static constexpr int kTerminateAfterMs = 1000; // stop(): SIGTERM this long after closing stdin
    static constexpr int kKillAfterMs = 2000;      // ... and SIGKILL this long after SIGTERM

protected:
    void transmitRequest(quint64 handle, const QJsonObject &request, const RequestHooks &hooks) override;
    // One line on the process's stdin.
    void sendMessage(const QJsonObject &message) override;
    bool abandonRequest(quint64 handle, const QString &reason) override;
    void retryStart() override;

private:
    void spawn();
    void onStarted();
    void onStdout();
    void onStderr();
    void onFinished(int exitCode, QProcess::ExitStatus status);
    void onError(QProcess::ProcessError error);
    // The current process is gone: fail pending requests with `requestError`, retry later.
    void processGone(const QString &reason, const QString &requestError);
    void flushStderr(bool includePartial);
    // Lets a process go: closes stdin, terminates and kills it on timers, deletes it when it
    // has ended. The process then owns itself and may outlive the upstream.
    void retire(QProcess *process);

    QProcess *m_process = nullptr;
    LineBuffer m_stdout;
    LineBuffer m_stderr;
    QString m_lastStderrLine;
    QElapsedTimer m_startClock;
    quint64 m_generation = 0; // bumped whenever the current process is abandoned
};

} // namespace metamcp
