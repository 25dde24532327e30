// console_bench: prints figures for the console (no pass/fail).
//
//  1. Event-loop lag of the GUI thread (p50/p99/max) while the embedded gateway serves
//     5,000 req/s over HTTP (stateless tools/list from a load thread with keep-alive
//     connections) and the traffic inspector shows every message. Target: p99 <= 50 ms.
//  2. Time from process start to the first painted window and idle RSS of the real console
//     executable (metamcp --measure-startup). Targets: <= 1 s and <= 150 MB.
//
// Options: --rate N (default 5000), --seconds N (default 10), --connections N (default 16).

#include "consolesettings.h"
#include "gateway.h"
#include "mainwindow.h"
#include "models/trafficmodel.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QLoggingCategory>
#include <QProcess>
#include <QSettings>
#include <QStandardPaths>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <memory>
#include <vector>

using namespace metamcp;

namespace {

// One keep-alive HTTP/1.1 connection sending one request at a time.
class Connection final : public QObject
{
public:
    Connection(quint16 port, const QByteArray &request, std::atomic<qint64> *done, std::atomic<qint64> *errors)
        : m_request(request)
        , m_done(done)
        , m_errors(errors)
    {
        connect(&m_socket, &QTcpSocket::readyRead, this, [this] { onRead(); });
        connect(&m_socket, &QTcpSocket::disconnected, this, [this] { m_busy = false; });
        m_socket.connectToHost(QHostAddress::LocalHost, port);
        m_socket.waitForConnected(5000);
        m_socket.setSocketOption(QAbstractSocket::LowDelayOption, 1);
    }
    bool isIdle() const { return !m_busy && m_socket.state() == QAbstractSocket::ConnectedState; }
    void send()
    {
        m_busy = true;
        m_buffer.clear();
        m_socket.write(m_request);
    }

private:
    void onRead()
    {
        m_buffer += m_socket.readAll();
        const qsizetype headerEnd = m_buffer.indexOf("\r\n\r\n");
        if (headerEnd < 0)
            return;
        const QByteArray headers = m_buffer.left(headerEnd).toLower();
        const QByteArray body = m_buffer.mid(headerEnd + 4);
        bool complete = false;
        if (const qsizetype cl = headers.indexOf("content-length:"); cl >= 0) {
            const qsizetype eol = headers.indexOf("\r\n", cl);
            const qint64 length = headers.mid(cl + 15, eol < 0 ? -1 : eol - cl - 15).trimmed().toLongLong();
            complete = body.size() >= length;
        } else if (headers.contains("transfer-encoding: chunked")) {
            complete = body.endsWith("0\r\n\r\n");
        } else {
            complete = true;
        }
        if (!complete)
            return;
        if (!m_buffer.startsWith("HTTP/1.1 200"))
            ++*m_errors;
        ++*m_done;
        m_busy = false;
        m_buffer.clear();
    }

    QTcpSocket m_socket;
    QByteArray m_request;
    QByteArray m_buffer;
    std::atomic<qint64> *m_done;
    std::atomic<qint64> *m_errors;
    bool m_busy = false;
};

// Lives on the load thread: paces requests to `rate` per second over the connections.
class LoadGenerator final : public QObject
{
public:
    LoadGenerator(quint16 port, int connections, int rate)
        : m_port(port)
        , m_connectionCount(connections)
        , m_rate(rate)
    {}
    void start()
    {
        const QByteArray body =
            R"({"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{},"io.modelcontextprotocol/clientInfo":{"name":"console-bench","version":"1"}}}})";
        const QByteArray request =
            "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(m_port) +
            "\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\n"
            "MCP-Protocol-Version: 2026-07-28\r\nMcp-Method: tools/list\r\nContent-Length: " +
            QByteArray::number(body.size()) + "\r\n\r\n" + body;
        for (int i = 0; i < m_connectionCount; ++i)
            m_connections.push_back(std::make_unique<Connection>(m_port, request, &done, &errors));
        m_clock.start();
        m_timer = new QTimer(this);
        m_timer->setTimerType(Qt::PreciseTimer);
        m_timer->setInterval(1);
        connect(m_timer, &QTimer::timeout, this, [this] { pump(); });
        m_timer->start();
    }
    void stop()
    {
        m_timer->stop();
        m_connections.clear();
    }
    std::atomic<qint64> sent{0};
    std::atomic<qint64> done{0};
    std::atomic<qint64> errors{0};

private:
    void pump()
    {
        const qint64 due = m_clock.elapsed() * m_rate / 1000;
        for (auto &c : m_connections) {
            if (sent >= due)
                break;
            if (c->isIdle()) {
                c->send();
                ++sent;
            }
        }
    }

    quint16 m_port;
    int m_connectionCount;
    int m_rate;
    std::vector<std::unique_ptr<Connection>> m_connections;
    QElapsedTimer m_clock;
    QTimer *m_timer = nullptr;
};

double percentile(std::vector<double> values, double p)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    const auto index = std::min(values.size() - 1, std::size_t(p * double(values.size() - 1) + 0.5));
    return values[index];
}

void measureLag(int rate, int seconds, int connections)
{
    GatewayOptions options;
    ListenConfig listen;
    listen.port = 0;
    options.listenOverride = listen;
    Gateway gateway(options);
    QEventLoop wait;
    QObject::connect(&gateway, &Gateway::started, &wait, &QEventLoop::quit);
    gateway.start();
    wait.exec();
    ui::ConsoleSettings settings;
    ui::MainWindow window(&gateway, &settings, false);
    window.resize(1280, 800);
    window.showPanel(ui::MainWindow::Inspector);
    window.show();
    QElapsedTimer settle;
    settle.start();
    while (settle.elapsed() < 1000)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);

    QThread loadThread;
    loadThread.setObjectName(QStringLiteral("bench-load"));
    auto *load = new LoadGenerator(gateway.port(), connections, rate);
    load->moveToThread(&loadThread);
    loadThread.start();
    QMetaObject::invokeMethod(
        load, [load] { load->start(); }, Qt::BlockingQueuedConnection);

    // GUI-thread lag: how late a 10 ms timer fires.
    std::vector<double> lags;
    QElapsedTimer clock;
    clock.start();
    qint64 last = clock.nsecsElapsed();
    QTimer probe;
    probe.setTimerType(Qt::PreciseTimer);
    probe.setInterval(10);
    QObject::connect(&probe, &QTimer::timeout, &probe, [&] {
        const qint64 now = clock.nsecsElapsed();
        lags.push_back(std::max(0.0, double(now - last) / 1e6 - 10.0));
        last = now;
    });
    probe.start();
    QEventLoop run;
    QTimer::singleShot(seconds * 1000, &run, &QEventLoop::quit);
    const quint64 rowsBefore = window.trafficModel()->totalCount();
    run.exec();
    probe.stop();
    QMetaObject::invokeMethod(
        load, [load] { load->stop(); }, Qt::BlockingQueuedConnection);
    const double elapsed = double(clock.elapsed()) / 1000.0;
    QElapsedTimer drain;
    drain.start();
    while (drain.elapsed() < 500)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
    const quint64 rows = window.trafficModel()->totalCount() - rowsBefore;
    std::printf("load: target %d req/s, achieved %.0f req/s over %.1f s (%lld responses, %lld errors, %d "
                "connections)\n",
                rate, double(load->done) / elapsed, elapsed, static_cast<long long>(load->done.load()),
                static_cast<long long>(load->errors.load()), connections);
    std::printf("inspector: %llu rows appended (%.0f/s)\n", static_cast<unsigned long long>(rows),
                double(rows) / elapsed);
    std::printf("gui_event_loop_lag_ms: p50=%.2f p99=%.2f max=%.2f (samples %zu; target p99 <= 50)\n",
                percentile(lags, 0.5), percentile(lags, 0.99),
                lags.empty() ? 0.0 : *std::max_element(lags.begin(), lags.end()), lags.size());
    std::fflush(stdout);
    QMetaObject::invokeMethod(
        load, [load] { delete load; }, Qt::BlockingQueuedConnection);
    loadThread.quit();
    loadThread.wait();
}

void measureStartup(const QString &program, int runs)
{
    std::vector<double> paints;
    qint64 rss = -1;
    for (int i = 0; i < runs; ++i) {
        QTemporaryDir home;
        QProcess process;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("HOME"), home.path());
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), home.filePath(QStringLiteral("config")));
        env.insert(QStringLiteral("XDG_DATA_HOME"), home.filePath(QStringLiteral("data")));
        if (!env.contains(QStringLiteral("QT_QPA_PLATFORM")))
            env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        process.setProcessEnvironment(env);
        process.start(program, {QStringLiteral("--measure-startup"), QStringLiteral("--no-first-run"),
                                QStringLiteral("--data-dir"), home.filePath(QStringLiteral("db"))});
        if (!process.waitForFinished(30000)) {
            std::printf("startup: %s did not finish\n", qPrintable(program));
            process.kill();
            return;
        }
        const QList<QByteArray> lines = process.readAllStandardOutput().split('\n');
        for (const QByteArray &line : lines) {
            if (line.startsWith("first_paint_ms="))
                paints.push_back(line.mid(15).split(' ').value(0).toDouble());
            if (line.startsWith("idle_rss_kb="))
                rss = std::max(rss, line.mid(12).toLongLong());
        }
    }
    std::printf("first_painted_window_ms: median=%.0f min=%.0f (runs %zu; target <= 1000)\n", percentile(paints, 0.5),
                paints.empty() ? 0.0 : *std::min_element(paints.begin(), paints.end()), paints.size());
    std::printf("idle_rss_mb: %.1f (5 s after the first paint; target <= 150)\n", double(rss) / 1024.0);
    std::fflush(stdout);
}

} // namespace

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QStandardPaths::setTestModeEnabled(true);
    QTemporaryDir settingsDir;
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, settingsDir.path());
    QLoggingCategory::setFilterRules(QStringLiteral("metamcp.calls.info=false\nmetamcp.*.info=false"));

    QCommandLineParser parser;
    parser.addHelpOption();
    const QCommandLineOption rateOption(QStringLiteral("rate"), QStringLiteral("Requests per second."),
                                        QStringLiteral("N"), QStringLiteral("5000"));
    const QCommandLineOption secondsOption(QStringLiteral("seconds"), QStringLiteral("Duration of the load."),
                                           QStringLiteral("N"), QStringLiteral("10"));
    const QCommandLineOption connectionsOption(QStringLiteral("connections"), QStringLiteral("Keep-alive connections."),
                                               QStringLiteral("N"), QStringLiteral("16"));
    parser.addOptions({rateOption, secondsOption, connectionsOption});
    parser.process(app);

    measureStartup(QStringLiteral(METAMCP_CONSOLE_PROGRAM), 3);
    measureLag(parser.value(rateOption).toInt(), parser.value(secondsOption).toInt(),
               parser.value(connectionsOption).toInt());
    return 0;
}
