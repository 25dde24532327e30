#include "stdiobridge.h"

#include "facade/localbridge.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocalSocket>

#include <algorithm>
#include <cstdio>

namespace metamcp {

void StdinReader::run()
{
    QByteArray line;
    char buffer[65536];
    for (;;) {
        if (!std::fgets(buffer, sizeof buffer, stdin)) {
            if (!line.isEmpty())
                Q_EMIT lineRead(line);
            Q_EMIT endOfInput();
            return;
        }
        line.append(buffer);
        if (line.endsWith('\n')) {
            line.chop(1);
            if (line.endsWith('\r'))
                line.chop(1);
            Q_EMIT lineRead(line);
            line.clear();
        } else if (line.size() > 64 * 1024 * 1024) {
            // A line that never ends must not eat the machine: drop it, the client gets no answer.
            line.clear();
        }
    }
}

int relayToRunningGateway(const QString &dataDir, const QString &ns)
{
    const QString name = bridge::serverName(dataDir);
    QLocalSocket socket;
    socket.connectToServer(name);
    if (!socket.waitForConnected(1000))
        return -1;
    QString why;
    if (!bridge::peerIsSameUser(socket.socketDescriptor(), &why)) {
        std::fprintf(stderr, "metamcpd: not bridging to %s: %s\n", qPrintable(name), qPrintable(why));
        return -1;
    }
    socket.write(bridge::helloLine(ns, QStringLiteral("metamcpd " METAMCP_VERSION)));
    const QDeadlineTimer deadline(10000);
    while (!socket.canReadLine()) {
        if (!socket.waitForReadyRead(int(std::max<qint64>(1, deadline.remainingTime())))) {
            std::fprintf(stderr, "metamcpd: the gateway on %s did not answer the bridge: %s\n", qPrintable(name),
                         qPrintable(socket.errorString()));
            return 1;
        }
    }
    const QJsonObject answer = QJsonDocument::fromJson(socket.readLine()).object();
    if (!answer.value(QLatin1String("ok")).toBool()) {
        std::fprintf(stderr, "metamcpd: the running gateway refused the bridge: %s\n",
                     qPrintable(answer.value(QLatin1String("error")).toString(QStringLiteral("no reason given"))));
        return 1;
    }
    std::fprintf(stderr, "metamcpd %s: bridging stdio to the gateway already running for %s (%s)\n", METAMCP_VERSION,
                 qPrintable(dataDir), qPrintable(name));

    StdoutWriter writer;
    StdinReader reader;
    bool inputEnded = false;
    auto relayAnswers = [&] {
        while (socket.canReadLine())
            writer.writeLine(socket.readLine());
    };
    QObject::connect(&socket, &QLocalSocket::readyRead, &socket, relayAnswers);
    relayAnswers(); // what came with the acceptance
    QObject::connect(&reader, &StdinReader::lineRead, &socket,
                     [&socket](const QByteArray &line) { socket.write(line + '\n'); });
    QObject::connect(&reader, &StdinReader::endOfInput, &socket, [&] {
        inputEnded = true;
        socket.disconnectFromServer(); // after what is still to be written
    });
    QObject::connect(&socket, &QLocalSocket::disconnected, &socket, [&] {
        if (!inputEnded)
            std::fprintf(stderr, "metamcpd: the gateway closed the bridge\n");
        QCoreApplication::exit(inputEnded ? 0 : 1);
    });
    reader.start();
    const int rc = QCoreApplication::exec();
    if (reader.isRunning()) {
        // fgets blocks; the process is exiting anyway.
        reader.terminate();
        reader.wait(100);
    }
    return rc;
}

void StdoutWriter::writeLine(const QByteArray &line)
{
    std::lock_guard lock(m_mutex);
    std::fwrite(line.constData(), 1, size_t(line.size()), stdout);
    if (!line.endsWith('\n'))
        std::fputc('\n', stdout);
    std::fflush(stdout);
}

} // namespace metamcp
