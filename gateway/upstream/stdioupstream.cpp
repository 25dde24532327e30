#include "upstream/stdioupstream.h"

#include <QDeadlineTimer>
#include <QMutex>
#include <QThread>

#include <QJsonDocument>
#include <QProcessEnvironment>
#include <QTimer>

#ifdef Q_OS_UNIX
#include <csignal>
#include <sys/types.h>
#include <unistd.h>
#endif

namespace metamcp {

namespace {

constexpr qsizetype kMaxMessageBytes = 256 * 1024 * 1024; // one JSON-RPC line on stdout
constexpr qsizetype kMaxStderrLineBytes = 1024 * 1024;
constexpr qsizetype kMaxLoggedChars = 4000;

QString clipped(const QString &text)
{
    return text.size() > kMaxLoggedChars ? text.left(kMaxLoggedChars) + QStringLiteral("…") : text;
}

// The child runs in its own process group (see spawn()); signal the whole group so that
// wrappers (npx, sh -c, uvx) do not leave their children behind.
void signalGroup(QProcess *process, [[maybe_unused]] int signal)
{
#ifdef Q_OS_UNIX
    const qint64 pid = process->processId();
    if (pid > 0) // never 0 or -1: that would signal our own group / everything
        ::kill(-static_cast<pid_t>(pid), signal);
#else
    Q_UNUSED(process)
#endif
}

// Processes being shut down gracefully (retire()): reaped at once by reapRetired() when the
// gateway stops, so that no child outlives metamcpd or the console.
QMutex g_retiredMutex;
QList<QPointer<QProcess>> g_retired;

} // namespace

void StdioUpstream::reapRetired(int graceMs)
{
    QList<QPointer<QProcess>> processes;
    {
        QMutexLocker lock(&g_retiredMutex);
        for (const QPointer<QProcess> &p : std::as_const(g_retired))
            if (p && p->thread() == QThread::currentThread())
                processes.append(p);
    }
    for (const QPointer<QProcess> &p : std::as_const(processes)) {
        if (!p || p->state() == QProcess::NotRunning)
            continue;
        signalGroup(p, SIGTERM);
        p->terminate();
    }
    QDeadlineTimer deadline(graceMs);
    for (const QPointer<QProcess> &p : std::as_const(processes)) {
        if (!p || p->state() == QProcess::NotRunning)
            continue;
        if (!p->waitForFinished(int(std::max<qint64>(1, deadline.remainingTime())))) {
            signalGroup(p, SIGKILL);
            p->kill();
            p->waitForFinished(1000);
        }
    }
}

StdioUpstream::StdioUpstream(const UpstreamConfig &config, QObject *parent)
    : Upstream(config, parent)
    , m_stdout(kMaxMessageBytes)
    , m_stderr(kMaxStderrLineBytes)
{}

StdioUpstream::~StdioUpstream()
{
    ++m_generation;
    // The process outlives us for its graceful shutdown (stdin closed, SIGTERM, SIGKILL):
    // retire() hands it over to itself.
    if (m_process)
        retire(m_process);
    m_process = nullptr;
}

qint64 StdioUpstream::processId() const
{
    return m_process ? m_process->processId() : 0;
}

void StdioUpstream::start()
{
    if (state() != UpstreamState::Stopped)
        return;
    spawn();
}

void StdioUpstream::retryStart()
{
    if (state() == UpstreamState::Failing && !m_process)
        spawn();
}

void StdioUpstream::stop()
{
    cancelRetry();
    ++m_generation;
    if (m_process) {
        retire(m_process);
        m_process = nullptr;
    }
    finishStop();
}

void StdioUpstream::spawn()
{
    ++m_generation;
    m_stdout.takeRest();
    m_stderr.takeRest();
    m_lastStderrLine.clear();
    setState(UpstreamState::Starting);

    auto *process = new QProcess(this);
    m_process = process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (auto it = config().env.cbegin(); it != config().env.cend(); ++it)
        env.insert(it.key(), it.value());
    process->setProcessEnvironment(env);
    if (!config().cwd.isEmpty())
        process->setWorkingDirectory(config().cwd);
    process->setProcessChannelMode(QProcess::SeparateChannels);
#ifdef Q_OS_UNIX
    process->setChildProcessModifier([] { ::setpgid(0, 0); });
#endif

    connect(process, &QProcess::started, this, [this, process] {
        if (process == m_process)
            onStarted();
    });
    connect(process, &QProcess::readyReadStandardOutput, this, [this, process] {
        if (process == m_process)
            onStdout();
    });
    connect(process, &QProcess::readyReadStandardError, this, [this, process] {
        if (process == m_process)
            onStderr();
    });
    connect(process, &QProcess::finished, this, [this, process](int exitCode, QProcess::ExitStatus status) {
        if (process == m_process)
            onFinished(exitCode, status);
    });
    connect(process, &QProcess::errorOccurred, this, [this, process](QProcess::ProcessError error) {
        if (process == m_process)
            onError(error);
    });

    appendLog(QStringLiteral("[gateway] starting %1 %2").arg(config().command, config().args.join(QLatin1Char(' '))));
    m_startClock.start();
    process->start(config().command, config().args);
}

void StdioUpstream::onStarted()
{
    appendLog(QStringLiteral("[gateway] started process %1").arg(m_process->processId()));
    const qint64 remaining = config().startupTimeoutMs - m_startClock.elapsed();
    const quint64 generation = m_generation;
    initializeSession(static_cast<int>(std::max<qint64>(remaining, 1)), [this, generation](const QString &error) {
        if (generation != m_generation)
            return;
        if (error.isEmpty()) {
            logInitialized();
            setState(UpstreamState::Ready);
            return;
        }
        ++m_generation;
        retire(m_process);
        m_process = nullptr;
        failAndRetry(error);
    });
}

void StdioUpstream::onStdout()
{
    m_stdout.append(m_process->readAllStandardOutput());
    const quint64 generation = m_generation;
    while (generation == m_generation) {
        const std::optional<QByteArray> line = m_stdout.takeLine();
        if (!line)
            break;
        if (line->trimmed().isEmpty())
            continue;
        if (!dispatchText(*line, 0, true))
            appendLog(QStringLiteral("[stdout] ") + clipped(QString::fromUtf8(*line)));
    }
    if (const int dropped = m_stdout.takeDroppedCount(); dropped > 0)
        appendLog(QStringLiteral("[gateway] dropped %1 stdout line(s) longer than %2 bytes")
                      .arg(dropped)
                      .arg(kMaxMessageBytes));
}

void StdioUpstream::onStderr()
{
    m_stderr.append(m_process->readAllStandardError());
    flushStderr(false);
}

void StdioUpstream::flushStderr(bool includePartial)
{
    auto take = [this](const QByteArray &bytes) {
        QString text = QString::fromUtf8(bytes);
        while (!text.isEmpty() && text.back().isSpace())
            text.chop(1);
        if (text.trimmed().isEmpty())
            return;
        m_lastStderrLine = clipped(text.trimmed());
        appendLog(clipped(text));
    };
    while (const std::optional<QByteArray> line = m_stderr.takeLine())
        take(*line);
    if (includePartial)
        take(m_stderr.takeRest());
    if (const int dropped = m_stderr.takeDroppedCount(); dropped > 0)
        appendLog(QStringLiteral("[gateway] dropped %1 stderr line(s) longer than %2 bytes")
                      .arg(dropped)
                      .arg(kMaxStderrLineBytes));
}

void StdioUpstream::onFinished(int exitCode, QProcess::ExitStatus status)
{
    // Whatever the process wrote before it ended still counts (a last response, the error).
    onStdout();
    if (!m_process)
        return;
    m_stderr.append(m_process->readAllStandardError());
    flushStderr(true);
    QString reason = status == QProcess::CrashExit ? QStringLiteral("crashed (signal %1)").arg(exitCode)
                                                   : QStringLiteral("exited with code %1").arg(exitCode);
    if (!m_lastStderrLine.isEmpty())
        reason += QStringLiteral(": ") + m_lastStderrLine;
    processGone(reason, QStringLiteral("Upstream %1 crashed").arg(name()));
}

void StdioUpstream::onError(QProcess::ProcessError error)
{
    if (error != QProcess::FailedToStart)
        return; // crashes are handled in onFinished()
    const QString reason = QStringLiteral("failed to start %1: %2").arg(config().command, m_process->errorString());
    processGone(reason, QStringLiteral("Upstream %1 is not available: %2").arg(name(), reason));
}

void StdioUpstream::processGone(const QString &reason, const QString &requestError)
{
    ++m_generation;
    appendLog(QStringLiteral("[gateway] process ") + reason);
    disconnect(m_process, nullptr, this, nullptr);
    m_process->deleteLater();
    m_process = nullptr;
    failAll(rpcerr::UpstreamUnavailable, requestError);
    scheduleRetry(reason);
}

void StdioUpstream::retire(QProcess *process)
{
    disconnect(process, nullptr, this, nullptr);
    if (process->state() == QProcess::NotRunning) {
        process->deleteLater();
        return;
    }
    // From here on the process owns itself: it may outlive this upstream (stop() right before
    // destruction), and deleting a running QProcess would block in waitForFinished().
    process->setParent(nullptr);
    {
        QMutexLocker lock(&g_retiredMutex);
        g_retired.removeAll(nullptr);
        g_retired.append(process);
    }
    connect(process, &QProcess::finished, process, &QObject::deleteLater);
    connect(process, &QProcess::errorOccurred, process, [process](QProcess::ProcessError error) {
        if (error == QProcess::FailedToStart)
            process->deleteLater();
    });
    process->closeWriteChannel();
    QTimer::singleShot(kTerminateAfterMs, process, [process] {
#ifdef Q_OS_UNIX
        signalGroup(process, SIGTERM);
#endif
        process->terminate();
    });
    QTimer::singleShot(kTerminateAfterMs + kKillAfterMs, process, [process] {
#ifdef Q_OS_UNIX
        signalGroup(process, SIGKILL);
#endif
        process->kill();
    });
}

void StdioUpstream::sendMessage(const QJsonObject &message)
{
    if (!m_process || m_process->state() != QProcess::Running) {
        appendLog(QStringLiteral("[gateway] dropped %1: process not running")
                      .arg(message.value(QStringLiteral("method")).toString(QStringLiteral("a response"))));
        return;
    }
    QByteArray bytes = QJsonDocument(message).toJson(QJsonDocument::Compact);
    bytes.append('\n');
    m_process->write(bytes);
}

void StdioUpstream::transmitRequest(quint64 handle, const QJsonObject &request, const RequestHooks &)
{
    if (!m_process || m_process->state() != QProcess::Running) {
        finishRequest(handle, jsonrpc::error(idFor(handle), rpcerr::UpstreamUnavailable,
                                             QStringLiteral("Upstream %1 is not running").arg(name())));
        return;
    }
    if (m_writeBufferLimit > 0 && m_process->bytesToWrite() > m_writeBufferLimit) {
        finishRequest(handle, jsonrpc::error(idFor(handle), rpcerr::UpstreamUnavailable,
                                             QStringLiteral("Upstream %1 is not reading its input: %2 bytes are "
                                                            "waiting (limit maxStdioWriteBuffer)")
                                                 .arg(name())
                                                 .arg(m_process->bytesToWrite())));
        return;
    }
    sendMessage(request);
}

bool StdioUpstream::abandonRequest(quint64, const QString &)
{
    return true; // written to stdin: the process has it
}

} // namespace metamcp
