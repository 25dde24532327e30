// The desktop integration: Client setup (diff before writing, backup, refusal when the file
// changed, files that are not JSON), the first-run wizard (finds client configs, imports,
// picks a free port), the tray controller (state, notifications), console preferences applied
// live, window state restored, the text diff. All files live in a temporary folder.

#include "guitestutil.h"
#include "testsupport.h"

#include "common/textdiff.h"
#include "consolesettings.h"
#include "firstrunwizard.h"
#include "mainwindow.h"
#include "models/trafficmodel.h"
#include "panels/clientsetuppanel.h"
#include "traycontroller.h"

#include <QCheckBox>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTcpServer>
#include <QTest>

using namespace metamcp;
using namespace metamcp::ui;

namespace {
using metamcp::test::writeFile;

QByteArray readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}
} // namespace

class TestDesktop final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void unifiedDiff();
    void clientSetupWritesWithBackup();
    void clientSetupCreatesMissingFile();
    void clientSetupRefusesChangedFile();
    void clientSetupLeavesNonJsonAlone();
    void clientSetupStdioEntry();
    void firstRunWizard();
    void trayController();
    void preferencesApplyLive();
    void windowStateRestored();
    void cleanupTestCase();

private:
    QTemporaryDir m_dir;
    std::unique_ptr<Gateway> m_gateway;
};

void TestDesktop::initTestCase()
{
    QVERIFY(m_dir.isValid());
    test::isolateSettings(m_dir);
    m_gateway = test::startGateway();
    QVERIFY(m_gateway);
}

void TestDesktop::unifiedDiff()
{
    QCOMPARE(
        ui::unifiedDiff(QStringLiteral("a\nb\n"), QStringLiteral("a\nb\n"), QStringLiteral("x"), QStringLiteral("y")),
        QString());
    const QString diff = ui::unifiedDiff(QStringLiteral("1\n2\n3\n4\n5\n6\n7\n8\n9\n"),
                                         QStringLiteral("1\n2\n3\n4\nfive\n6\n7\n8\n9\nten\n"), QStringLiteral("old"),
                                         QStringLiteral("new"), 1);
    QCOMPARE(diff, QStringLiteral("--- old\n+++ new\n@@ -4,3 +4,3 @@\n 4\n-5\n+five\n 6\n@@ -9,1 +9,2 @@\n 9\n+ten\n"));
    QCOMPARE(ui::unifiedDiff({}, QStringLiteral("x\n"), QStringLiteral("/dev/null"), QStringLiteral("f")),
             QStringLiteral("--- /dev/null\n+++ f\n@@ -0,0 +1,1 @@\n+x\n"));
}

void TestDesktop::clientSetupWritesWithBackup()
{
    ClientSetupPanel panel(m_gateway.get());
    const QString path = m_dir.filePath(QStringLiteral("claude/claude_desktop_config.json"));
    const QByteArray original =
        R"({"mcpServers": {"fs": {"command": "npx", "args": ["-y", "server-filesystem"]}}, "theme": "dark"})";
    QVERIFY(writeFile(path, original));
    panel.selectClient(ClientKind::Cursor);
    panel.setConfigPath(ClientKind::Cursor, path);
    panel.setConnection(ClientSetupPanel::Connection::Url);
    QString error;
    const QString diff = panel.preview(&error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY(diff.contains(QStringLiteral("+            \"url\": \"") + m_gateway->endpointUrl() + QLatin1Char('"')));
    QVERIFY(panel.findChild<QPlainTextEdit *>(QStringLiteral("clientDiffPlainTextEdit"))->toPlainText() == diff);
    QCOMPARE(readFile(path), original); // nothing written by the preview

    auto *write = panel.findChild<QPushButton *>(QStringLiteral("writeClientConfigPushButton"));
    QVERIFY(write->isEnabled());
    QTest::mouseClick(write, Qt::LeftButton);
    QVERIFY(!panel.lastBackupPath().isEmpty());
    QCOMPARE(readFile(panel.lastBackupPath()), original);
    const QJsonObject written = QJsonDocument::fromJson(readFile(path)).object();
    QCOMPARE(written.value(QStringLiteral("theme")).toString(), QStringLiteral("dark")); // kept
    const QJsonObject servers = written.value(QStringLiteral("mcpServers")).toObject();
    QVERIFY(servers.contains(QStringLiteral("fs")));
    QCOMPARE(servers.value(QStringLiteral("metamcp")).toObject().value(QStringLiteral("url")).toString(),
             m_gateway->endpointUrl());
    // Now up to date: nothing more to write.
    QCOMPARE(panel.preview(), QString());
    QVERIFY(!write->isEnabled());
}

void TestDesktop::clientSetupCreatesMissingFile()
{
    ClientSetupPanel panel(m_gateway.get());
    const QString path = m_dir.filePath(QStringLiteral("new/Code/User/mcp.json"));
    panel.selectClient(ClientKind::VsCode);
    panel.setConfigPath(ClientKind::VsCode, path);
    QVERIFY(!panel.preview().isEmpty());
    QCOMPARE(panel.write(), QString());
    QVERIFY(panel.lastBackupPath().isEmpty());
    const QJsonObject entry = QJsonDocument::fromJson(readFile(path))
                                  .object()
                                  .value(QStringLiteral("servers"))
                                  .toObject()
                                  .value(QStringLiteral("metamcp"))
                                  .toObject();
    QCOMPARE(entry.value(QStringLiteral("type")).toString(), QStringLiteral("http"));
    QCOMPARE(entry.value(QStringLiteral("url")).toString(), m_gateway->endpointUrl());
}

void TestDesktop::clientSetupRefusesChangedFile()
{
    ClientSetupPanel panel(m_gateway.get());
    const QString path = m_dir.filePath(QStringLiteral("cursor/mcp.json"));
    QVERIFY(writeFile(path, "{}"));
    panel.selectClient(ClientKind::Cursor);
    panel.setConfigPath(ClientKind::Cursor, path);
    QVERIFY(!panel.preview().isEmpty());
    const QByteArray changed = R"({"mcpServers": {"other": {"url": "http://example.com/mcp"}}})";
    QVERIFY(writeFile(path, changed));
    const QString error = panel.write();
    QVERIFY(error.contains(QStringLiteral("changed since the preview")));
    QVERIFY(readFile(path).contains("example.com")); // untouched
    QCOMPARE(panel.write(), QString());              // the new preview can be written
    QVERIFY(readFile(path).contains("example.com"));
    QVERIFY(readFile(path).contains("metamcp"));
}

void TestDesktop::clientSetupLeavesNonJsonAlone()
{
    ClientSetupPanel panel(m_gateway.get());
    const QString path = m_dir.filePath(QStringLiteral("vscode/settings.json"));
    const QByteArray jsonc = "{\n  // a comment\n  \"editor.fontSize\": 14\n}\n";
    QVERIFY(writeFile(path, jsonc));
    panel.selectClient(ClientKind::VsCode);
    panel.setConfigPath(ClientKind::VsCode, path);
    QString error;
    QCOMPARE(panel.preview(&error), QString());
    QVERIFY(error.contains(QStringLiteral("not plain JSON")));
    QVERIFY(error.contains(m_gateway->endpointUrl()));
    QVERIFY(!panel.write().isEmpty());
    QCOMPARE(readFile(path), jsonc);
}

void TestDesktop::clientSetupStdioEntry()
{
    ClientSetupPanel panel(m_gateway.get());
    panel.setDataDir(m_dir.filePath(QStringLiteral("data")));
    panel.selectClient(ClientKind::ClaudeDesktop); // Claude Desktop starts processes
    const QJsonObject entry = panel.gatewayEntry();
    QVERIFY(entry.value(QStringLiteral("command")).toString().endsWith(QStringLiteral("metamcpd")));
    const QJsonArray args = entry.value(QStringLiteral("args")).toArray();
    QCOMPARE(args.at(0).toString(), QStringLiteral("--stdio"));
    QVERIFY(args.contains(QStringLiteral("--data-dir")));
    QVERIFY(panel.findChild<QLineEdit *>(QStringLiteral("otherStdioCommandLineEdit"))
                ->text()
                .contains(QStringLiteral("--stdio")));
    QCOMPARE(panel.findChild<QLineEdit *>(QStringLiteral("otherHttpUrlLineEdit"))->text(), m_gateway->endpointUrl());
}

void TestDesktop::firstRunWizard()
{
    const QString claude = m_dir.filePath(QStringLiteral("wizard/claude.json"));
    const QString cursor = m_dir.filePath(QStringLiteral("wizard/cursor.json"));
    const QByteArray claudeJson = R"({"mcpServers": {"echo-a": {"command": "node", "args": ["a.js"]}}})";
    const QByteArray cursorJson = R"({"mcpServers": {"remote-b": {"url": "http://127.0.0.1:9/mcp"}}})";
    QVERIFY(writeFile(claude, claudeJson));
    QVERIFY(writeFile(cursor, cursorJson));
    QMap<ClientKind, QString> paths{{ClientKind::ClaudeDesktop, claude},
                                    {ClientKind::Cursor, cursor},
                                    {ClientKind::VsCode, m_dir.filePath(QStringLiteral("wizard/missing.json"))}};
    FirstRunWizard wizard(m_gateway.get(), paths);
    QCOMPARE(wizard.foundFiles(), (QStringList{claude, cursor}));
    // Uncheck Cursor.
    auto *list = wizard.findChild<QListWidget *>(QStringLiteral("importClientsListWidget"));
    list->item(1)->setCheckState(Qt::Unchecked);
    QCOMPARE(wizard.checkedFiles(), QStringList{claude});
    // The running gateway's own port is suggested as is; a taken port is replaced.
    QTcpServer blocker;
    QVERIFY(blocker.listen(QHostAddress::LocalHost, 0));
    QVERIFY(FirstRunWizard::suggestPort(blocker.serverPort()) != blocker.serverPort());
    wizard.findChild<QSpinBox *>(QStringLiteral("wizardPortSpinBox"))->setValue(m_gateway->port());
    QSignalSpy applied(&wizard, &FirstRunWizard::applied);
    wizard.apply();
    QVERIFY(applied.wait(10000));
    QVERIFY(m_gateway->config().server(QStringLiteral("echo-a")));
    QVERIFY(!m_gateway->config().server(QStringLiteral("remote-b")));
    QVERIFY(m_gateway->config().ns(kDefaultNamespace)->servers.contains(QStringLiteral("echo-a")));
    QSignalSpy removed(m_gateway.get(), &Gateway::configChanged);
    m_gateway->removeServer(QStringLiteral("echo-a"));
    QVERIFY(removed.wait(10000));
}

void TestDesktop::trayController()
{
    ConsoleSettings settings;
    TrayController tray(m_gateway.get(), &settings);
    QVERIFY(tray.toolTip().contains(m_gateway->endpointUrl()));
    QVERIFY(tray.menu()->findChild<QAction *>(QStringLiteral("trayQuitAction")));
    QSignalSpy quit(&tray, &TrayController::quitRequested);
    tray.menu()->findChild<QAction *>(QStringLiteral("trayQuitAction"))->trigger();
    QCOMPARE(quit.size(), 1);

    // Pause from the tray pauses the gateway.
    QSignalSpy paused(m_gateway.get(), &Gateway::pausedChanged);
    tray.pauseAction()->trigger();
    QVERIFY(paused.wait(5000));
    QVERIFY(m_gateway->isPaused());
    QTRY_VERIFY(tray.toolTip().contains(QStringLiteral("paused")));
    tray.pauseAction()->trigger();
    QVERIFY(paused.wait(5000));
    QVERIFY(!m_gateway->isPaused());

    // A failing upstream: one notification, not one per retry.
    UpstreamConfig broken;
    broken.name = QStringLiteral("tray-broken");
    broken.command = m_dir.filePath(QStringLiteral("nothing-here"));
    broken.startupTimeoutMs = 1000;
    m_gateway->upsertServer(broken, {kDefaultNamespace});
    QTRY_VERIFY_WITH_TIMEOUT(tray.notificationCount() == 1, 15000);
    QTRY_VERIFY(tray.toolTip().contains(QStringLiteral("failing")));
    // A retry (after 1 s) fails again: starting, then failing once more.
    QSignalSpy states(m_gateway.get(), &Gateway::upstreamStateChanged);
    auto failedAgain = [&states, &broken] {
        bool restarted = false;
        for (const QList<QVariant> &s : std::as_const(states)) {
            if (s.at(0).toString() != broken.name)
                continue;
            const auto state = s.at(1).value<UpstreamState>();
            if (state == UpstreamState::Starting)
                restarted = true;
            else if (restarted && state == UpstreamState::Failing)
                return true;
        }
        return false;
    };
    QTRY_VERIFY_WITH_TIMEOUT(failedAgain(), 15000);
    QVERIFY(test::processPostedEvents()); // the tray got the same state change before the spy
    QCOMPARE(tray.notificationCount(), 1);
    settings.setNotifyUpstreamFailures(false);
    m_gateway->removeServer(broken.name);
    QTRY_VERIFY(!m_gateway->config().server(broken.name));
    settings.setNotifyUpstreamFailures(true);
}

void TestDesktop::preferencesApplyLive()
{
    ConsoleSettings settings;
    MainWindow window(m_gateway.get(), &settings, false);
    auto *capacity = window.findChild<QSpinBox *>(QStringLiteral("inspectorCapacitySpinBox"));
    QVERIFY(capacity);
    capacity->setValue(2500);
    Q_EMIT capacity->editingFinished();
    QCOMPARE(settings.inspectorCapacity(), 2500);
    QCOMPARE(window.trafficModel()->capacity(), 2500);
    auto *tray = window.findChild<QCheckBox *>(QStringLiteral("keepInTrayCheckBox"));
    tray->setChecked(false);
    QCOMPARE(settings.keepRunningInTray(), false);
    tray->setChecked(true);
}

void TestDesktop::windowStateRestored()
{
    ConsoleSettings settings;
    QSize size;
    {
        MainWindow window(m_gateway.get(), &settings, false);
        window.resize(1000, 650);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.showPanel(MainWindow::Inspector);
        size = window.size();
        QSignalSpy quit(&window, &MainWindow::quitRequested);
        window.close(); // no tray: closing quits (the application decides)
        QCOMPARE(quit.size(), 1);
    }
    MainWindow again(m_gateway.get(), &settings, false);
    QCOMPARE(again.currentPanel(), MainWindow::Inspector);
    QCOMPARE(again.size(), size);
    // Keyboard: Ctrl+2 shows the Servers panel.
    again.show();
    QVERIFY(QTest::qWaitForWindowActive(&again));
    QTest::keyClick(&again, Qt::Key_2, Qt::ControlModifier);
    QCOMPARE(again.currentPanel(), MainWindow::Servers);
}

void TestDesktop::cleanupTestCase()
{
    m_gateway.reset();
}

QTEST_MAIN(TestDesktop)
#include "tst_desktop.moc"
