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
#include <QMenu>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QSystemTrayIcon>
#include <QTest>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
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

// Starts Xvfb on a display number it picks itself (-displayfd: no race with other tests for a
// "free" one) and blocks until it accepts connections, which is when it writes that number.
// Returns its pid (0 on failure) and sets `display`.
pid_t startXvfb(std::string *display)
{
    int ready[2];
    if (::pipe(ready) != 0)
        return 0;
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::close(ready[0]);
        if (ready[1] != 3) {
            ::dup2(ready[1], 3);
            ::close(ready[1]);
        }
        const int null = ::open("/dev/null", O_WRONLY);
        ::dup2(null, 1);
        ::dup2(null, 2);
        ::execlp("Xvfb", "Xvfb", "-displayfd", "3", "-screen", "0", "1280x800x24", "-nolisten", "tcp",
                 static_cast<char *>(nullptr));
        ::_exit(127);
    }
    ::close(ready[1]);
    std::string number;
    char c = 0;
    while (pid > 0 && ::read(ready[0], &c, 1) == 1 && c != '\n')
        number += c;
    ::close(ready[0]);
    if (pid <= 0 || number.empty()) {
        if (pid > 0)
            ::kill(pid, SIGTERM);
        return 0;
    }
    *display = ":" + number;
    return pid;
}

} // namespace

int main(int argc, char *argv[])
{
    std::string display;
    const pid_t xvfb = startXvfb(&display);
    if (xvfb == 0) {
        std::fprintf(stderr, "tst_tray: Xvfb did not start\n");
        return 1;
    }
    ::setenv("DISPLAY", display.c_str(), 1);
    ::setenv("QT_QPA_PLATFORM", "xcb", 1);
    const pid_t trayer = spawn("trayer");
    int rc = 1;
    {
        QApplication app(argc, argv);
        app.setApplicationName(QStringLiteral("tst_tray"));
        app.setQuitOnLastWindowClosed(false);
        // trayer owns the tray selection once it is up (initTestCase checks the outcome).
        (void)QTest::qWaitFor([] { return QSystemTrayIcon::isSystemTrayAvailable(); }, 15000);
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
