// Saves a PNG of every panel (light palette, plus a dark-palette set) into
// <build>/screenshots/ so reviewers can look at each panel after every change. The gateway
// serves server-everything and a failing server, and some calls went through, so the panels
// show live data.

#include "guitestutil.h"
#include "testsupport.h"

#include "consolesettings.h"
#include "mainwindow.h"
#include "models/trafficmodel.h"
#include "panels/clientsetuppanel.h"
#include "panels/dashboardpanel.h"
#include "panels/inspectorpanel.h"
#include "panels/namespacespanel.h"
#include "panels/serverspanel.h"
#include "widgets/tryitwidget.h"

#include <QApplication>
#include <QDir>
#include <QLibraryInfo>
#include <QLineEdit>
#include <QPalette>
#include <QProcess>
#include <QPushButton>
#include <QStyleFactory>
#include <QTableView>
#include <QTest>
#include <QTextBrowser>
#include <QTranslator>

using namespace metamcp;
using namespace metamcp::ui;

class TestScreenshots final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void panels_data();
    void panels();
    void darkPalette();
    void german();
    void cleanupTestCase();

private:
    void save(const QString &name);

    QTemporaryDir m_dir;
    QDir m_out;
    std::unique_ptr<Gateway> m_gateway;
    std::unique_ptr<ConsoleSettings> m_settings;
    std::unique_ptr<MainWindow> m_window;
};

void TestScreenshots::initTestCase()
{
    QVERIFY(m_dir.isValid());
    test::isolateSettings(m_dir);
    QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
    m_out = QDir(test::buildDir().isEmpty() ? QDir::currentPath() : test::buildDir());
    QVERIFY(m_out.mkpath(QStringLiteral("screenshots")));
    QVERIFY(m_out.cd(QStringLiteral("screenshots")));
    m_gateway = test::startGateway();
    QVERIFY(m_gateway);

    UpstreamConfig everything;
    everything.name = QStringLiteral("everything");
    everything.command = test::nodeProgram();
    everything.args = test::serverEverythingStdioArgs();
    UpstreamConfig broken;
    broken.name = QStringLiteral("broken");
    broken.command = m_dir.filePath(QStringLiteral("missing-server"));
    UpstreamConfig api;
    api.name = QStringLiteral("weather-api");
    api.kind = UpstreamKind::Rest;
    api.url = QUrl(QStringLiteral("http://127.0.0.1:9/v1"));
    RestToolConfig forecast;
    forecast.name = QStringLiteral("forecast");
    forecast.urlTemplate = QStringLiteral("/forecast/{city}");
    forecast.description = QStringLiteral("Weather forecast for a city");
    forecast.inputSchema = QJsonObject{
        {QStringLiteral("type"), QStringLiteral("object")},
        {QStringLiteral("properties"),
         QJsonObject{{QStringLiteral("city"), QJsonObject{{QStringLiteral("type"), QStringLiteral("string")}}}}}};
    api.restTools = {forecast};
    for (const UpstreamConfig &server : {everything, broken, api}) {
        QSignalSpy done(m_gateway.get(), &Gateway::configChanged);
        m_gateway->upsertServer(server, {kDefaultNamespace});
        QVERIFY(done.wait(10000));
    }

    m_settings = std::make_unique<ConsoleSettings>();
    m_window = std::make_unique<MainWindow>(m_gateway.get(), m_settings.get(), false);
    m_window->resize(1280, 820);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));

    // Some traffic: calls from Try it (echo with several messages, add, an unknown tool).
    for (int i = 0; i < 6; ++i) {
        int answered = 0;
        m_gateway->request(kDefaultNamespace, QStringLiteral("tools/call"),
                           QJsonObject{{QStringLiteral("name"), QStringLiteral("everything__echo")},
                                       {QStringLiteral("arguments"),
                                        QJsonObject{{QStringLiteral("message"), QStringLiteral("ping %1").arg(i)}}}},
                           [&answered](const QJsonObject &) { ++answered; });
        m_gateway->request(kDefaultNamespace, QStringLiteral("tools/list"), {},
                           [&answered](const QJsonObject &) { ++answered; });
        QTRY_COMPARE_WITH_TIMEOUT(answered, 2, 30000);
    }
    m_gateway->request(kDefaultNamespace, QStringLiteral("tools/call"),
                       QJsonObject{{QStringLiteral("name"), QStringLiteral("nope__missing")}},
                       [](const QJsonObject &) {});
    NamespacesPanel *ns = m_window->namespacesPanel();
    m_window->showPanel(MainWindow::Namespaces);
    QTRY_VERIFY_WITH_TIMEOUT(ns->selectTool(QStringLiteral("everything__echo")), 30000);
    auto *message = m_window->findChild<QLineEdit *>(QStringLiteral("messageLineEdit"));
    QVERIFY(message);
    message->setText(QStringLiteral("Hello, MetaMCP!"));
    ns->tryIt()->call();
    QTRY_VERIFY_WITH_TIMEOUT(m_window->findChild<QTextBrowser *>(QStringLiteral("resultTextBrowser"))
                                 ->toPlainText()
                                 .contains(QStringLiteral("Echo:")),
                             30000);
    m_window->trafficModel()->flush();
    // A few metric samples (one a second) for the charts.
    QSignalSpy samples(m_gateway.get(), &Gateway::metricSample);
    QTRY_VERIFY_WITH_TIMEOUT(samples.size() >= 4, 15000);
}

void TestScreenshots::save(const QString &name)
{
    // Pending layouts and updates first; grab() then paints synchronously.
    QVERIFY(test::processPostedEvents());
    const QImage image = m_window->grab().toImage();
    QVERIFY(!image.isNull());
    const QString path = m_out.filePath(name + QStringLiteral(".png"));
    QVERIFY2(image.save(path), qPrintable(path));
    qInfo("saved %s", qPrintable(path));
}

void TestScreenshots::panels_data()
{
    QTest::addColumn<int>("panel");
    QTest::addColumn<QString>("name");
    QTest::newRow("dashboard") << int(MainWindow::Dashboard) << QStringLiteral("1-dashboard");
    QTest::newRow("servers") << int(MainWindow::Servers) << QStringLiteral("2-servers");
    QTest::newRow("namespaces") << int(MainWindow::Namespaces) << QStringLiteral("3-namespaces-try-it");
    QTest::newRow("inspector") << int(MainWindow::Inspector) << QStringLiteral("4-inspector");
    QTest::newRow("client setup") << int(MainWindow::ClientSetup) << QStringLiteral("5-client-setup");
    QTest::newRow("settings") << int(MainWindow::Settings) << QStringLiteral("6-settings");
}

void TestScreenshots::panels()
{
    QFETCH(int, panel);
    QFETCH(QString, name);
    m_window->showPanel(MainWindow::Panel(panel));
    if (panel == MainWindow::Servers)
        m_window->serversPanel()->selectServer(QStringLiteral("everything"));
    if (panel == MainWindow::Inspector) {
        auto *table = m_window->findChild<QTableView *>(QStringLiteral("trafficTableView"));
        test::clickRow(table, test::findRow(table->model(), 5, QStringLiteral("everything__echo")));
    }
    if (panel == MainWindow::ClientSetup) {
        m_window->clientSetupPanel()->setConfigPath(ClientKind::Cursor,
                                                    m_dir.filePath(QStringLiteral("home/.cursor/mcp.json")));
        m_window->clientSetupPanel()->selectClient(ClientKind::Cursor);
        m_window->clientSetupPanel()->preview();
    }
    if (panel == MainWindow::Dashboard)
        m_window->dashboardPanel()->redraw();
    save(name);
}

void TestScreenshots::darkPalette()
{
    QPalette dark;
    dark.setColor(QPalette::Window, QColor(0x2b, 0x2b, 0x2b));
    dark.setColor(QPalette::WindowText, QColor(0xe6, 0xe6, 0xe6));
    dark.setColor(QPalette::Base, QColor(0x1e, 0x1e, 0x1e));
    dark.setColor(QPalette::AlternateBase, QColor(0x26, 0x26, 0x26));
    dark.setColor(QPalette::Text, QColor(0xe6, 0xe6, 0xe6));
    dark.setColor(QPalette::Button, QColor(0x35, 0x35, 0x35));
    dark.setColor(QPalette::ButtonText, QColor(0xe6, 0xe6, 0xe6));
    dark.setColor(QPalette::Highlight, QColor(0x2f, 0x6f, 0xb8));
    dark.setColor(QPalette::HighlightedText, Qt::white);
    dark.setColor(QPalette::ToolTipBase, QColor(0x35, 0x35, 0x35));
    dark.setColor(QPalette::ToolTipText, QColor(0xe6, 0xe6, 0xe6));
    dark.setColor(QPalette::Link, QColor(0x6c, 0xb6, 0xff));
    dark.setColor(QPalette::Disabled, QPalette::WindowText, QColor(0x80, 0x80, 0x80));
    dark.setColor(QPalette::Disabled, QPalette::Text, QColor(0x80, 0x80, 0x80));
    QApplication::setPalette(dark);
    m_window->showPanel(MainWindow::Dashboard);
    m_window->dashboardPanel()->redraw();
    save(QStringLiteral("7-dashboard-dark"));
    m_window->showPanel(MainWindow::Inspector);
    save(QStringLiteral("8-inspector-dark"));
    m_window->showPanel(MainWindow::Namespaces);
    save(QStringLiteral("9-namespaces-dark"));
}

void TestScreenshots::german()
{
    // A fresh window with the German catalogue (compiled here from translations/metamcp_de.ts).
    const QString lrelease = QDir(QLibraryInfo::path(QLibraryInfo::BinariesPath)).filePath(QStringLiteral("lrelease"));
    const QString ts = QDir(test::sourceDir()).filePath(QStringLiteral("translations/metamcp_de.ts"));
    const QString qm = m_dir.filePath(QStringLiteral("metamcp_de.qm"));
    QVERIFY2(QProcess::execute(lrelease, {QStringLiteral("-silent"), ts, QStringLiteral("-qm"), qm}) == 0,
             "lrelease (qt6-l10n-tools) must compile the German catalogue");
    QApplication::setPalette(QApplication::style()->standardPalette());
    QTranslator translator;
    QVERIFY(translator.load(qm));
    QCoreApplication::installTranslator(&translator);
    m_window.reset();
    m_window = std::make_unique<MainWindow>(m_gateway.get(), m_settings.get(), false);
    m_window->resize(1280, 820);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    m_window->showPanel(MainWindow::Servers);
    m_window->serversPanel()->selectServer(QStringLiteral("broken"));
    save(QStringLiteral("10-servers-de"));
    m_window->showPanel(MainWindow::Namespaces);
    QTRY_VERIFY_WITH_TIMEOUT(m_window->namespacesPanel()->selectTool(QStringLiteral("everything__echo")), 10000);
    save(QStringLiteral("11-namespaces-de"));
    QCoreApplication::removeTranslator(&translator);
}

void TestScreenshots::cleanupTestCase()
{
    m_window.reset();
    m_gateway.reset();
}

QTEST_MAIN(TestScreenshots)
#include "tst_screenshots.moc"
