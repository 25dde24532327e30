// The system tray for real: the test starts its own X server (Xvfb) with a system tray
// (trayer), so closing the window really hides it into the tray while the gateway keeps
// serving, the tray's Open brings it back, and Quit (or closing with the tray option off)
// quits.

#include "consolesettings.h"
#include "mainwindow.h"
#include "traycontroller.h"

#include "gateway.h"

#include <QAction>
#include <QApplication>
#include <QFile>
#include <QMenu>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QSystemTrayIcon>
#include <QTest>
#include <QThread>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <unistd.h>

using namespace metamcp;
using namespace metamcp::ui;

class TestTray final : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<Gateway> m_gateway;

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY2(QSystemTrayIcon::isSystemTrayAvailable(), "Xvfb + trayer should provide a system tray");
        GatewayOptions options; // in-memory database
        ListenConfig listen;
        listen.port = 0;
        options.listenOverride = listen;
        m_gateway = std::make_unique<Gateway>(options);
        QSignalSpy started(m_gateway.get(), &Gateway::started);
        m_gateway->start();
        QVERIFY(started.wait(15000));
    }

    void closeHidesIntoTray()
    {
        ConsoleSettings settings;
        settings.setKeepRunningInTray(true);
        MainWindow window(m_gateway.get(), &settings, true);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        auto *tray = window.findChild<TrayController *>();
        QVERIFY(tray);
        QTRY_VERIFY(tray->isVisible());
        QSignalSpy quit(&window, &MainWindow::quitRequested);
        QVERIFY(!window.close()); // the close is refused: the window hides instead
        QVERIFY(!window.isVisible());
        QVERIFY(quit.isEmpty());
        QVERIFY(m_gateway->isRunning());
        // The tray brings the console back.
        tray->menu()->findChild<QAction *>(QStringLiteral("trayOpenAction"))->trigger();
        QTRY_VERIFY(window.isVisible());
        // And quits it.
        tray->menu()->findChild<QAction *>(QStringLiteral("trayQuitAction"))->trigger();
        QCOMPARE(quit.size(), 1);
    }

    void closeQuitsWithoutTrayOption()
    {
        ConsoleSettings settings;
        settings.setKeepRunningInTray(false);
        MainWindow window(m_gateway.get(), &settings, true);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QSignalSpy quit(&window, &MainWindow::quitRequested);
        QVERIFY(window.close());
        QCOMPARE(quit.size(), 1);
    }

    void cleanupTestCase() { m_gateway.reset(); }
};

namespace {

// Starts `command` in the background through the shell; returns its pid (0 on failure).
pid_t spawn(const std::string &command)
{
    const std::string pidFile = "/tmp/metamcp-tst-tray-" + std::to_string(::getpid()) + ".pid";
    const std::string line = command + " >/dev/null 2>&1 & echo $! > " + pidFile;
    if (std::system(line.c_str()) != 0)
        return 0;
    FILE *f = std::fopen(pidFile.c_str(), "r");
    if (!f)
        return 0;
    long pid = 0;
    if (std::fscanf(f, "%ld", &pid) != 1)
        pid = 0;
    std::fclose(f);
    std::remove(pidFile.c_str());
    return pid_t(pid);
}

} // namespace

int main(int argc, char *argv[])
{
    // A free display number: no socket and no lock file yet.
    int display = 50 + int(::getpid() % 400);
    while (QFile::exists(QStringLiteral("/tmp/.X11-unix/X%1").arg(display)) ||
           QFile::exists(QStringLiteral("/tmp/.X%1-lock").arg(display)))
        ++display;
    const std::string name = ":" + std::to_string(display);
    const pid_t xvfb = spawn("Xvfb " + name + " -screen 0 1280x800x24 -nolisten tcp");
    for (int i = 0; i < 100 && !QFile::exists(QStringLiteral("/tmp/.X11-unix/X%1").arg(display)); ++i)
        QThread::msleep(50);
    ::setenv("DISPLAY", name.c_str(), 1);
    ::setenv("QT_QPA_PLATFORM", "xcb", 1);
    const pid_t trayer = spawn("trayer");
    QThread::msleep(500);
    int rc = 1;
    {
        QApplication app(argc, argv);
        app.setApplicationName(QStringLiteral("tst_tray"));
        app.setQuitOnLastWindowClosed(false);
        TestTray test;
        rc = QTest::qExec(&test, argc, argv);
    }
    if (trayer > 0)
        ::kill(trayer, SIGTERM);
    if (xvfb > 0)
        ::kill(xvfb, SIGTERM);
    return rc;
}

#include "tst_tray.moc"
