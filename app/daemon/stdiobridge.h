#pragma once

// stdin/stdout for `metamcpd --stdio`: a reader thread turns stdin into lines (blocking reads
// are portable; Windows has no socket notifier for console handles) and hands them to the
// gateway; the gateway thread writes its messages to stdout, one JSON object per line.

#include <QObject>
#include <QThread>

#include <cstdio>
#include <mutex>

namespace metamcp {

class StdinReader final : public QThread
{
    Q_OBJECT
public:
    using QThread::QThread;

Q_SIGNALS:
    void lineRead(const QByteArray &line);
    void endOfInput();

protected:
    void run() override;
};

// `metamcpd --stdio` when a gateway already serves `dataDir` (facade/localbridge.h): relays
// stdin to it and its answers to stdout until either side ends. Returns the exit code, or -1
// when no gateway of this user serves that data directory (the caller then starts its own).
int relayToRunningGateway(const QString &dataDir, const QString &ns);

// Thread-safe writer of whole lines to stdout.
class StdoutWriter
{
public:
    void writeLine(const QByteArray &line);

private:
    std::mutex m_mutex;
};

} // namespace metamcp
