// metamcp: the MetaMCP Console, a desktop admin console around the embedded gateway.

#include "consolesettings.h"
#include "firstrunwizard.h"
#include "gateway.h"
#include "mainwindow.h"
#include "panels/clientsetuppanel.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QLibraryInfo>
#include <QLocale>
#include <QLoggingCategory>
#include <QStandardPaths>
#include <QTimer>
#include <QTranslator>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#if defined(Q_OS_LINUX)
#include <unistd.h>
#endif

namespace {

// Milliseconds since the process started (Linux: from /proc, so dynamic loading counts too);
// elsewhere since main() began.
qint64 processAgeMs(const QElapsedTimer &sinceMain)
{
#if defined(Q_OS_LINUX)
    QFile stat(QStringLiteral("/proc/self/stat"));
    QFile uptime(QStringLiteral("/proc/uptime"));
    if (stat.open(QIODevice::ReadOnly) && uptime.open(QIODevice::ReadOnly)) {
        const QByteArray s = stat.readAll();
        const QList<QByteArray> fields = s.mid(s.lastIndexOf(')') + 2).split(' ');
        const double upSeconds = uptime.readAll().split(' ').value(0).toDouble();
        const long ticks = sysconf(_SC_CLK_TCK);
        if (fields.size() > 19 && ticks > 0)
            return qint64(upSeconds * 1000.0 - fields.at(19).toDouble() * 1000.0 / double(ticks));
    }
#endif
    return sinceMain.elapsed();
}

qint64 residentKb()
{
#if defined(Q_OS_LINUX)
    QFile status(QStringLiteral("/proc/self/status"));
    if (status.open(QIODevice::ReadOnly)) {
        const QList<QByteArray> lines = status.readAll().split('\n');
        for (const QByteArray &line : lines)
            if (line.startsWith("VmRSS:"))
                return line.mid(6).trimmed().split(' ').value(0).toLongLong();
    }
#endif
    return -1;
}

bool hasDisplay()
{
#if defined(Q_OS_LINUX) || defined(Q_OS_FREEBSD)
    return qEnvironmentVariableIsSet("DISPLAY") || qEnvironmentVariableIsSet("WAYLAND_DISPLAY") ||
           qEnvironmentVariableIsSet("QT_QPA_PLATFORM");
#else
    return true;
#endif
}

// Reports the first paint of the window and the idle memory, then quits (--measure-startup).
class StartupProbe final : public QObject
{
public:
    StartupProbe(const QElapsedTimer &sinceMain, QObject *parent)
        : QObject(parent)
        , m_sinceMain(sinceMain)
    {}

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (event->type() == QEvent::Paint && !m_painted) {
            m_painted = true;
            std::printf("first_paint_ms=%lld (since main: %lld)\n", static_cast<long long>(processAgeMs(m_sinceMain)),
                        static_cast<long long>(m_sinceMain.elapsed()));
            std::fflush(stdout);
            QTimer::singleShot(5000, qApp, [] {
                std::printf("idle_rss_kb=%lld\n", static_cast<long long>(residentKb()));
                std::fflush(stdout);
                QCoreApplication::quit();
            });
        }
        return QObject::eventFilter(watched, event);
    }

private:
    QElapsedTimer m_sinceMain;
    bool m_painted = false;
};

} // namespace

int main(int argc, char *argv[])
{
    QElapsedTimer sinceMain;
    sinceMain.start();

#if defined(Q_OS_LINUX)
    // No display (a server, an SSH session): run the headless gateway instead.
    if (!hasDisplay()) {
        const QString dir = QFileInfo(QFile::decodeName(argv[0])).absolutePath();
        const QByteArray daemon = QFile::encodeName(QDir(dir).filePath(QStringLiteral("metamcpd")));
        std::fprintf(stderr, "metamcp: no display; starting the headless gateway (metamcpd) instead\n");
        argv[0] = const_cast<char *>(daemon.constData());
        execv(daemon.constData(), argv);
        execvp("metamcpd", argv);
        std::fprintf(stderr, "metamcp: cannot start metamcpd: %s\n", std::strerror(errno));
        return 1;
    }
#endif

    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("MetaMCP Console"));
    QApplication::setApplicationDisplayName(QStringLiteral("MetaMCP Console"));
    QApplication::setOrganizationName(QStringLiteral("MetaMCP"));
    QApplication::setApplicationVersion(QStringLiteral(METAMCP_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("metamcp"));
    QApplication::setQuitOnLastWindowClosed(false);
    // Each call is one log line otherwise; the console has the inspector for that.
    QLoggingCategory::setFilterRules(QStringLiteral("metamcp.calls.info=false"));

    QTranslator qtTranslator;
    if (qtTranslator.load(QLocale(), QStringLiteral("qtbase"), QStringLiteral("_"),
                          QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        QCoreApplication::installTranslator(&qtTranslator);
    QTranslator translator;
    if (translator.load(QLocale(), QStringLiteral("metamcp"), QStringLiteral("_"), QStringLiteral(":/i18n")))
        QCoreApplication::installTranslator(&translator);

    QCommandLineParser parser;
    parser.setApplicationDescription(QCoreApplication::translate("main", "MetaMCP Console"));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption dataDirOption(QStringLiteral("data-dir"),
                                           QCoreApplication::translate("main", "Folder holding metamcp.db."),
                                           QStringLiteral("DIR"));
    const QCommandLineOption importOption(
        QStringLiteral("import"),
        QCoreApplication::translate("main", "Add the mcpServers of a client config file to the default namespace "
                                            "(idempotent)."),
        QStringLiteral("FILE"));
    const QCommandLineOption hiddenOption(QStringLiteral("hidden"),
                                          QCoreApplication::translate("main", "Start in the system tray."));
    const QCommandLineOption noFirstRunOption(QStringLiteral("no-first-run"),
                                              QCoreApplication::translate("main", "Do not show the first-run wizard."));
    const QCommandLineOption measureOption(
        QStringLiteral("measure-startup"),
        QCoreApplication::translate("main",
                                    "Print the time to the first painted window and the idle memory, then quit."));
    parser.addOption(dataDirOption);
    parser.addOption(importOption);
    parser.addOption(hiddenOption);
    parser.addOption(noFirstRunOption);
    parser.addOption(measureOption);
    parser.process(app);

    metamcp::ui::ConsoleSettings settings;
    metamcp::GatewayOptions options;
    options.dataDir = parser.isSet(dataDirOption)     ? parser.value(dataDirOption)
                      : !settings.dataDir().isEmpty() ? settings.dataDir()
                                                      : metamcp::ui::ConsoleSettings::defaultDataDir();
    if (!QDir().mkpath(options.dataDir)) {
        std::fprintf(stderr, "metamcp: cannot create the data directory %s\n", qPrintable(options.dataDir));
        return 1;
    }
    metamcp::Gateway gateway(options);
    const bool measure = parser.isSet(measureOption);
    metamcp::ui::MainWindow window(&gateway, &settings, !measure);
    window.clientSetupPanel()->setDataDir(options.dataDir);
    QObject::connect(&window, &metamcp::ui::MainWindow::quitRequested, &app, &QCoreApplication::quit);
    if (measure)
        window.installEventFilter(new StartupProbe(sinceMain, &window));
    if (!parser.isSet(hiddenOption) || !window.tray())
        window.show();

    if (parser.isSet(importOption)) {
        QObject::connect(
            &gateway, &metamcp::Gateway::started, &gateway,
            [&gateway, file = parser.value(importOption)] {
                gateway.importMcpServersFile(
                    file, metamcp::kDefaultNamespace, [](const QString &error, const QStringList &) {
                        if (!error.isEmpty())
                            std::fprintf(stderr, "metamcp: import failed: %s\n", qPrintable(error));
                    });
            },
            Qt::SingleShotConnection);
    }

    // First run: once the gateway has started (or failed to, e.g. its port is taken).
    if (!settings.firstRunDone() && !parser.isSet(noFirstRunOption) && !measure) {
        auto offer = [&window, &gateway, &settings] {
            auto *wizard = new metamcp::ui::FirstRunWizard(&gateway, {}, &window);
            wizard->setAttribute(Qt::WA_DeleteOnClose);
            QObject::connect(wizard, &QDialog::finished, &settings, [&settings] { settings.setFirstRunDone(true); });
            wizard->open();
        };
        auto *once = new QObject(&app);
        QObject::connect(&gateway, &metamcp::Gateway::started, once, [once, offer] {
            offer();
            once->deleteLater();
        });
        QObject::connect(&gateway, &metamcp::Gateway::startFailed, once, [once, offer] {
            offer();
            once->deleteLater();
        });
    }

    gateway.start();
    return app.exec();
}
