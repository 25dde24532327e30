// End to end through the console's real widgets, driven by object name: add server-everything
// as a stdio server in the Servers panel, see it turn ready, find everything__echo in the
// registry, run it from Try it, see the call (and its response) in the inspector, replay it;
// a failing server shows its reason; the settings panel rejects a taken port.

#include "guitestutil.h"
#include "testsupport.h"

#include "common/uiutil.h"
#include "consolesettings.h"
#include "mainwindow.h"
#include "models/servermodel.h"
#include "models/toolmodel.h"
#include "models/trafficfiltermodel.h"
#include "models/trafficmodel.h"
#include "panels/inspectorpanel.h"
#include "panels/namespacespanel.h"
#include "panels/servereditdialog.h"
#include "panels/serverspanel.h"
#include "panels/settingspanel.h"
#include "widgets/tryitwidget.h"

#include <QCheckBox>
#include <QComboBox>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPointer>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QTableView>
#include <QTabWidget>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBrowser>

using namespace metamcp;
using namespace metamcp::ui;

class TestConsole final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void addServerEverything();
    void validationExplains();
    void findEchoInRegistry();
    void tryItEcho();
    void inspectorShowsCall();
    void replayShowsBothResults();
    void tryItCancel();
    void unprefixedNames();
    void failingServerShowsReason();
    void settingsRejectTakenPort();
    void cleanupTestCase();

private:
    template<typename T> T *child(const QString &name) const
    {
        T *w = m_window->findChild<T *>(name);
        if (!w)
            qWarning("no child %s", qPrintable(name));
        return w;
    }
    QPointer<ServerEditDialog> openAddDialog();

    QTemporaryDir m_dir;
    std::unique_ptr<Gateway> m_gateway;
    std::unique_ptr<ConsoleSettings> m_settings;
    std::unique_ptr<MainWindow> m_window;
    const QString m_message = QStringLiteral("hello from the console");
};

void TestConsole::initTestCase()
{
    QVERIFY(m_dir.isValid());
    test::isolateSettings(m_dir);
    QVERIFY2(test::peersInstalled(), "the npm peers are not installed (tests/npm)");
    m_gateway = test::startGateway();
    QVERIFY(m_gateway);
    m_settings = std::make_unique<ConsoleSettings>();
    m_window = std::make_unique<MainWindow>(m_gateway.get(), m_settings.get(), false);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    QTRY_VERIFY(child<QLabel>(QStringLiteral("gatewayStatusLabel"))->text().contains(m_gateway->endpointUrl()));
}

QPointer<ServerEditDialog> TestConsole::openAddDialog()
{
    m_window->showPanel(MainWindow::Servers);
    QTest::mouseClick(child<QPushButton>(QStringLiteral("addServerPushButton")), Qt::LeftButton);
    ServerEditDialog *dialog = nullptr;
    [&] { QTRY_VERIFY((dialog = m_window->findChild<ServerEditDialog *>(QStringLiteral("serverEditDialog")))); }();
    if (dialog)
        [&] { QVERIFY(QTest::qWaitForWindowExposed(dialog)); }();
    return dialog;
}

void TestConsole::addServerEverything()
{
    QPointer<ServerEditDialog> dialog = openAddDialog();
    QVERIFY(dialog);
    auto *save = dialog->findChild<QPushButton *>(QStringLiteral("saveServerPushButton"));
    QVERIFY(!save->isEnabled()); // empty form
    QTest::keyClicks(dialog->findChild<QLineEdit *>(QStringLiteral("serverNameLineEdit")),
                     QStringLiteral("everything"));
    QTest::keyClicks(dialog->findChild<QLineEdit *>(QStringLiteral("serverCommandLineEdit")), test::nodeProgram());
    QStringList args;
    for (const QString &arg : test::serverEverythingStdioArgs())
        args.append(quoteArgument(arg));
    QTest::keyClicks(dialog->findChild<QLineEdit *>(QStringLiteral("serverArgumentsLineEdit")),
                     args.join(QLatin1Char(' ')));
    QVERIFY2(dialog->problem().isEmpty(), qPrintable(dialog->problem()));
    QCOMPARE(dialog->config().args, test::serverEverythingStdioArgs());
    QVERIFY(save->isEnabled());
    QTest::mouseClick(save, Qt::LeftButton);
    QTRY_VERIFY(!dialog || !dialog->isVisible());

    auto *state = child<QLabel>(QStringLiteral("serverStateLabel"));
    QTRY_VERIFY_WITH_TIMEOUT(state->text().startsWith(stateDisplayName(UpstreamState::Ready)), 60000);
    QCOMPARE(m_window->serversPanel()->selectedServer(), QStringLiteral("everything"));
    const int row = m_window->serverModel()->rowOf(QStringLiteral("everything"));
    QVERIFY(row >= 0);
    QTRY_VERIFY(m_window->serverModel()->index(row, ServerModel::ToolsColumn).data().toInt() > 0);
}

void TestConsole::validationExplains()
{
    QPointer<ServerEditDialog> dialog = openAddDialog();
    QVERIFY(dialog);
    auto *validation = dialog->findChild<QLabel *>(QStringLiteral("serverValidationLabel"));
    auto *name = dialog->findChild<QLineEdit *>(QStringLiteral("serverNameLineEdit"));
    QVERIFY(validation->text().contains(QStringLiteral("name")));
    QTest::keyClicks(name, QStringLiteral("bad name"));
    QVERIFY(validation->text().contains(QStringLiteral("letters, digits")));
    name->clear();
    QTest::keyClicks(name, QStringLiteral("everything"));
    QVERIFY(validation->text().contains(QStringLiteral("already a server named everything")));
    name->setText(QStringLiteral("web"));
    auto *kind = dialog->findChild<QComboBox *>(QStringLiteral("serverKindComboBox"));
    kind->setCurrentIndex(kind->findData(int(UpstreamKind::StreamableHttp)));
    QVERIFY(validation->text().contains(QStringLiteral("URL")));
    QTest::keyClicks(dialog->findChild<QLineEdit *>(QStringLiteral("serverUrlLineEdit")),
                     QStringLiteral("ftp://x.org/mcp"));
    QVERIFY(validation->text().contains(QStringLiteral("http://")));
    QVERIFY(!dialog->findChild<QPushButton *>(QStringLiteral("saveServerPushButton"))->isEnabled());
    dialog->reject();
    QTRY_VERIFY(!m_window->findChild<ServerEditDialog *>(QStringLiteral("serverEditDialog")));
}

void TestConsole::findEchoInRegistry()
{
    m_window->showPanel(MainWindow::Namespaces);
    NamespacesPanel *panel = m_window->namespacesPanel();
    QTRY_VERIFY_WITH_TIMEOUT(panel->toolModel()->rowOfExposedName(QStringLiteral("everything__echo")) >= 0, 20000);
    auto *search = child<QLineEdit>(QStringLiteral("toolSearchLineEdit"));
    QTest::keyClicks(search, QStringLiteral("everything__echo"));
    auto *table = child<QTableView>(QStringLiteral("toolTableView"));
    QTRY_COMPARE(table->model()->rowCount(), 1);
    QCOMPARE(table->model()->index(0, ToolModel::NameColumn).data().toString(), QStringLiteral("everything__echo"));
    test::clickRow(table, 0, ToolModel::ServerColumn);
    QCOMPARE(panel->tryIt()->toolName(), QStringLiteral("everything__echo"));
    QVERIFY(child<QPlainTextEdit>(QStringLiteral("inputSchemaPlainTextEdit"))
                ->toPlainText()
                .contains(QStringLiteral("message")));
}

void TestConsole::tryItEcho()
{
    auto *tabs = child<QTabWidget>(QStringLiteral("toolTabWidget"));
    tabs->setCurrentWidget(child<TryItWidget>(QStringLiteral("tryItWidget")));
    auto *call = child<QPushButton>(QStringLiteral("callPushButton"));
    // Required field left empty: a validation message, no call.
    QTest::mouseClick(call, Qt::LeftButton);
    auto *error = child<QLabel>(QStringLiteral("messageErrorLabel"));
    QVERIFY(error && error->isVisible());
    QVERIFY(!error->text().isEmpty());

    auto *message = child<QLineEdit>(QStringLiteral("messageLineEdit"));
    QVERIFY(message);
    QTest::keyClicks(message, m_message);
    QTest::mouseClick(call, Qt::LeftButton);
    auto *result = child<QTextBrowser>(QStringLiteral("resultTextBrowser"));
    QTRY_VERIFY_WITH_TIMEOUT(result->toPlainText().contains(QStringLiteral("Echo: ") + m_message), 30000);
    QVERIFY(!error->isVisible());
    QVERIFY(child<QLabel>(QStringLiteral("callTimingLabel"))->text().contains(QStringLiteral("ms")) ||
            child<QLabel>(QStringLiteral("callTimingLabel"))->text().contains(QStringLiteral("µs")));
    QVERIFY(child<QPlainTextEdit>(QStringLiteral("rawResultPlainTextEdit"))
                ->toPlainText()
                .contains(QStringLiteral("\"result\"")));
}

void TestConsole::inspectorShowsCall()
{
    m_window->showPanel(MainWindow::Inspector);
    TrafficModel *model = m_window->trafficModel();
    QTRY_VERIFY(test::findRow(model, TrafficModel::ToolColumn, QStringLiteral("everything__echo")) >= 0);
    QTest::keyClicks(child<QLineEdit>(QStringLiteral("trafficFilterLineEdit")), QStringLiteral("everything__echo"));
    auto *table = child<QTableView>(QStringLiteral("trafficTableView"));
    QTRY_VERIFY(table->model()->rowCount() >= 1);
    const int row = test::findRow(table->model(), TrafficModel::MethodColumn, QStringLiteral("tools/call"));
    QVERIFY(row >= 0);
    QCOMPARE(table->model()->index(row, TrafficModel::UpstreamColumn).data().toString(), QStringLiteral("everything"));
    QCOMPARE(table->model()->index(row, TrafficModel::NamespaceColumn).data().toString(), kDefaultNamespace);
    test::clickRow(table, row);
    QVERIFY(child<QPlainTextEdit>(QStringLiteral("requestPlainTextEdit"))->toPlainText().contains(m_message));
    QVERIFY(child<QPlainTextEdit>(QStringLiteral("responsePlainTextEdit"))
                ->toPlainText()
                .contains(QStringLiteral("Echo: ") + m_message));

    // Export of the selection as JSON Lines.
    const QString path = m_dir.filePath(QStringLiteral("export.jsonl"));
    QCOMPARE(m_window->inspectorPanel()->exportSelection(path), QString());
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = file.readAll().trimmed().split('\n');
    QCOMPARE(lines.size(), 1);
    const QJsonObject exported = QJsonDocument::fromJson(lines.first()).object();
    QCOMPARE(exported.value(QStringLiteral("tool")).toString(), QStringLiteral("everything__echo"));
    QVERIFY(exported.value(QStringLiteral("response")).toObject().contains(QStringLiteral("result")));
}

void TestConsole::replayShowsBothResults()
{
    auto *replay = child<QPushButton>(QStringLiteral("replayPushButton"));
    QVERIFY(replay->isEnabled());
    QTest::mouseClick(replay, Qt::LeftButton);
    auto *result = child<QPlainTextEdit>(QStringLiteral("replayResultPlainTextEdit"));
    QTRY_VERIFY_WITH_TIMEOUT(result->toPlainText().contains(QStringLiteral("Echo: ") + m_message), 30000);
    QVERIFY(child<QPlainTextEdit>(QStringLiteral("replayOriginalPlainTextEdit"))
                ->toPlainText()
                .contains(QStringLiteral("Echo: ") + m_message));
    QVERIFY(child<QLabel>(QStringLiteral("replayStatusLabel"))->text().contains(QStringLiteral("the same result")));
}

void TestConsole::tryItCancel()
{
    m_window->showPanel(MainWindow::Namespaces);
    auto *search = child<QLineEdit>(QStringLiteral("toolSearchLineEdit"));
    search->clear();
    QTest::keyClicks(search, QStringLiteral("everything__trigger-long-running-operation"));
    auto *table = child<QTableView>(QStringLiteral("toolTableView"));
    QTRY_COMPARE(table->model()->rowCount(), 1);
    test::clickRow(table, 0, ToolModel::ServerColumn);
    auto *tabs = child<QTabWidget>(QStringLiteral("toolTabWidget"));
    tabs->setCurrentWidget(child<TryItWidget>(QStringLiteral("tryItWidget")));
    auto *call = child<QPushButton>(QStringLiteral("callPushButton"));
    auto *cancel = child<QPushButton>(QStringLiteral("cancelCallPushButton"));
    QVERIFY(!cancel->isEnabled());
    QElapsedTimer timer;
    timer.start();
    QTest::mouseClick(call, Qt::LeftButton); // defaults: 10 s of work
    QTRY_VERIFY(cancel->isEnabled());
    // The server works on it: its first progress (after 2 s) gave the bar a range.
    auto *progress = child<QProgressBar>(QStringLiteral("callProgressBar"));
    QTRY_COMPARE_WITH_TIMEOUT(progress->maximum(), 1000, 7000);
    QTest::mouseClick(cancel, Qt::LeftButton);
    auto *status = child<QLabel>(QStringLiteral("callStatusLabel"));
    QTRY_VERIFY_WITH_TIMEOUT(status->text().contains(QStringLiteral("Cancelled")), 5000);
    QVERIFY2(timer.elapsed() < 8000, "cancelled well before the operation's 10 s");
    QVERIFY(!cancel->isEnabled());
    QVERIFY(call->isEnabled());
    search->clear();
}

void TestConsole::unprefixedNames()
{
    m_window->showPanel(MainWindow::Namespaces);
    auto *prefix = child<QCheckBox>(QStringLiteral("prefixNamesCheckBox"));
    QVERIFY(prefix->isChecked());
    prefix->setChecked(false);
    ToolModel *tools = m_window->namespacesPanel()->toolModel();
    QTRY_VERIFY_WITH_TIMEOUT(tools->rowOfExposedName(QStringLiteral("echo")) >= 0, 10000);
    QCOMPARE(tools->rowOfExposedName(QStringLiteral("everything__echo")), -1);
    prefix->setChecked(true);
    QTRY_VERIFY_WITH_TIMEOUT(tools->rowOfExposedName(QStringLiteral("everything__echo")) >= 0, 10000);
}

void TestConsole::failingServerShowsReason()
{
    QPointer<ServerEditDialog> dialog = openAddDialog();
    QVERIFY(dialog);
    QTest::keyClicks(dialog->findChild<QLineEdit *>(QStringLiteral("serverNameLineEdit")), QStringLiteral("broken"));
    QTest::keyClicks(dialog->findChild<QLineEdit *>(QStringLiteral("serverCommandLineEdit")),
                     m_dir.filePath(QStringLiteral("no-such-program")));
    QTest::mouseClick(dialog->findChild<QPushButton *>(QStringLiteral("saveServerPushButton")), Qt::LeftButton);
    QTRY_VERIFY(!dialog || !dialog->isVisible());
    m_window->serversPanel()->selectServer(QStringLiteral("broken"));
    auto *state = child<QLabel>(QStringLiteral("serverStateLabel"));
    QTRY_VERIFY_WITH_TIMEOUT(state->text().startsWith(stateDisplayName(UpstreamState::Failing) + QStringLiteral(": ")),
                             30000);
    QVERIFY2(state->text().size() > stateDisplayName(UpstreamState::Failing).size() + 4, qPrintable(state->text()));
    const int row = m_window->serverModel()->rowOf(QStringLiteral("broken"));
    QVERIFY(!m_window->serverModel()->index(row, ServerModel::StateColumn).data(Qt::ToolTipRole).toString().isEmpty());
}

void TestConsole::settingsRejectTakenPort()
{
    QTcpServer blocker;
    QVERIFY(blocker.listen(QHostAddress::LocalHost, 0));
    const quint16 before = m_gateway->port();
    m_window->showPanel(MainWindow::Settings);
    auto *address = child<QLineEdit>(QStringLiteral("listenAddressLineEdit"));
    address->setText(QStringLiteral("127.0.0.1"));
    auto *port = child<QSpinBox>(QStringLiteral("listenPortSpinBox"));
    port->setValue(blocker.serverPort());
    QTest::mouseClick(child<QPushButton>(QStringLiteral("applyListenPushButton")), Qt::LeftButton);
    auto *result = child<QLabel>(QStringLiteral("listenResultLabel"));
    QTRY_VERIFY(result->text().contains(QStringLiteral("already in use")));
    QVERIFY(result->text().contains(QString::number(blocker.serverPort())));
    QVERIFY(m_gateway->isRunning());
    QCOMPARE(m_gateway->port(), before);
}

void TestConsole::cleanupTestCase()
{
    m_window.reset();
    m_gateway.reset();
}

QTEST_MAIN(TestConsole)
#include "tst_console.moc"
