// File → Export configuration… and Import configuration… of the console, through its real
// widgets against a real gateway on a temporary data directory and the real keychain
// (gnome-keyring under dbus-run-session): export writes a document (JSON or YAML by the file
// name) that holds the servers but no secret value; importing a changed document previews
// exactly its changes in the words of `metamcpd apply`, Cancel changes nothing, Apply changes the
// configuration, the same document again says "no changes"; a bad document lists its problems
// and changes nothing; an export that cannot be written says so. Dialogs are opened with
// open() and driven by object name, never with fixed sleeps.

#include "guitestutil.h"
#include "testsupport.h"

#include "configimportdialog.h"
#include "configtransfer.h"
#include "consolesettings.h"
#include "mainwindow.h"
#include "services/configdocument.h"

#include <QAction>
#include <QFileDialog>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPointer>
#include <QPushButton>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>
#include <QUuid>

using namespace metamcp;
using namespace metamcp::ui;
using namespace Qt::StringLiterals;

class TestConfigIo final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void exportThroughMenu();
    void exportYamlByFilter();
    void importPreviewThenCancel();
    void importApply();
    void importSameAgainSaysNoChanges();
    void badDocumentChangesNothing_data();
    void badDocumentChangesNothing();
    void exportErrorIsShown();
    void cleanupTestCase();

private:
    QString path(const QString &name) const { return m_dir.filePath(name); }
    static QByteArray contents(const QString &file)
    {
        QFile f(file);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    }
    // The configuration as the gateway exports it now. Also a barrier: every change queued on the
    // gateway thread before it is done when it answers.
    QByteArray exportNow();
    // The lines of the preview, by group ("added", "changed", "removed").
    static QMap<QString, QStringList> listedChanges(ConfigImportDialog *dialog);
    // Waits for the file dialog `name` that the menu action `action` opens, picks `file` in it.
    void chooseFile(const QString &action, const QString &name, const QString &file);
    QPointer<ConfigImportDialog> waitForImportDialog();

    QTemporaryDir m_dir;
    std::unique_ptr<Gateway> m_gateway;
    std::unique_ptr<ConsoleSettings> m_settings;
    std::unique_ptr<MainWindow> m_window;
    const QString m_token = u"tok-"_s + QUuid::createUuid().toString(QUuid::WithoutBraces);
    QByteArray m_exported; // exportThroughMenu's file
};

QByteArray TestConfigIo::exportNow()
{
    std::optional<QByteArray> document;
    m_gateway->exportConfiguration(configdoc::Format::Json, [&](const QByteArray &bytes) { document = bytes; });
    [&] { QTRY_VERIFY_WITH_TIMEOUT(document.has_value(), 20000); }();
    return document.value_or(QByteArray());
}

QMap<QString, QStringList> TestConfigIo::listedChanges(ConfigImportDialog *dialog)
{
    static const QHash<int, QString> names{{int(ConfigChange::Type::Added), u"added"_s},
                                           {int(ConfigChange::Type::Changed), u"changed"_s},
                                           {int(ConfigChange::Type::Removed), u"removed"_s}};
    QMap<QString, QStringList> listed;
    auto *tree = dialog->findChild<QTreeWidget *>(u"configChangesTreeWidget"_s);
    if (!tree || tree->isHidden())
        return listed;
    for (int i = 0; i < tree->topLevelItemCount(); ++i) {
        const QTreeWidgetItem *group = tree->topLevelItem(i);
        QStringList &lines = listed[names.value(group->data(0, Qt::UserRole).toInt(), u"?"_s)];
        for (int j = 0; j < group->childCount(); ++j)
            lines.append(group->child(j)->text(0));
    }
    return listed;
}

void TestConfigIo::chooseFile(const QString &action, const QString &name, const QString &file)
{
    auto *a = m_window->findChild<QAction *>(action);
    QVERIFY2(a, qPrintable(action));
    a->trigger(); // returns at once: the dialog is opened with open()
    QFileDialog *dialog = nullptr;
    QTRY_VERIFY((dialog = m_window->findChild<QFileDialog *>(name)));
    QVERIFY(QTest::qWaitForWindowExposed(dialog));
    QCOMPARE(QApplication::activeModalWidget(), dialog);
    // What a user types into the name field (selectFile() leaves the field alone while it has focus).
    auto *nameEdit = dialog->findChild<QLineEdit *>(u"fileNameEdit"_s);
    QVERIFY(nameEdit);
    nameEdit->setText(file);
    static_cast<QDialog *>(dialog)->accept(); // QFileDialog::accept, protected there
}

QPointer<ConfigImportDialog> TestConfigIo::waitForImportDialog()
{
    ConfigImportDialog *dialog = nullptr;
    [&] { QTRY_VERIFY((dialog = m_window->findChild<ConfigImportDialog *>(u"configImportDialog"_s))); }();
    return dialog;
}

void TestConfigIo::initTestCase()
{
    QVERIFY(m_dir.isValid());
    test::isolateSettings(m_dir);
    m_gateway = test::startGateway(false, path(u"data"_s));
    QVERIFY(m_gateway);

    // Two servers, each with a secret (kept in the keychain) and a plain value. Disabled: nothing
    // has to run for configuration work.
    UpstreamConfig alpha;
    alpha.name = u"alpha"_s;
    alpha.enabled = false;
    alpha.command = u"node"_s;
    alpha.args = {u"alpha.js"_s};
    alpha.env = {{u"LOG_LEVEL"_s, u"debug"_s}, {u"API_TOKEN"_s, m_token}};
    UpstreamConfig web;
    web.name = u"web"_s;
    web.kind = UpstreamKind::StreamableHttp;
    web.enabled = false;
    web.url = QUrl(u"http://127.0.0.1:9/mcp"_s);
    web.headers = {{u"Authorization"_s, u"Bearer "_s + m_token}, {u"X-Team"_s, u"platform"_s}};
    int saved = 0;
    QStringList errors;
    for (const UpstreamConfig &server : {alpha, web})
        m_gateway->upsertServer(server, {kDefaultNamespace}, [&](const QString &error) {
            ++saved;
            if (!error.isEmpty())
                errors.append(error);
        });
    QTRY_COMPARE_WITH_TIMEOUT(saved, 2, 20000);
    QVERIFY2(errors.isEmpty(), qPrintable(errors.join(u'\n')));

    m_settings = std::make_unique<ConsoleSettings>();
    m_window = std::make_unique<MainWindow>(m_gateway.get(), m_settings.get(), false);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
}

void TestConfigIo::exportThroughMenu()
{
    QSignalSpy exported(m_window->configTransfer(), &ConfigTransfer::exported);
    const QString file = path(u"exported.json"_s);
    chooseFile(u"exportConfigurationAction"_s, u"configExportFileDialog"_s, file);
    QTRY_COMPARE_WITH_TIMEOUT(exported.count(), 1, 10000);
    QCOMPARE(exported.at(0).at(0).toString(), file);
    QCOMPARE(exported.at(0).at(1).toString(), QString());
    QTRY_VERIFY(m_window->statusBar()->currentMessage().contains(u"exported.json"_s));

    m_exported = contents(file);
    QJsonParseError error;
    const QJsonObject root = QJsonDocument::fromJson(m_exported, &error).object();
    QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString()));
    QCOMPARE(root.value(u"version"_s).toInt(), 1);
    const QJsonObject servers = root.value(u"servers"_s).toObject();
    QCOMPARE(servers.keys(), (QStringList{u"alpha"_s, u"web"_s}));
    const QJsonObject alpha = servers.value(u"alpha"_s).toObject();
    QCOMPARE(alpha.value(u"args"_s).toArray(), QJsonArray{u"alpha.js"_s});
    QCOMPARE(alpha.value(u"env"_s).toObject().value(u"LOG_LEVEL"_s).toString(), u"debug"_s);
    // Secrets as references to the keychain entries, never their values.
    QCOMPARE(alpha.value(u"env"_s).toObject().value(u"API_TOKEN"_s).toObject(),
             (QJsonObject{{u"secret"_s, u"keychain:alpha/env:API_TOKEN"_s}}));
    const QJsonObject headers = servers.value(u"web"_s).toObject().value(u"headers"_s).toObject();
    QCOMPARE(headers.value(u"Authorization"_s).toObject(),
             (QJsonObject{{u"secret"_s, u"keychain:web/header:Authorization"_s}}));
    QCOMPARE(headers.value(u"X-Team"_s).toString(), u"platform"_s);
    QVERIFY(!m_exported.contains(m_token.toUtf8()));
    QCOMPARE(root.value(u"namespaces"_s).toObject().value(kDefaultNamespace).toObject().value(u"servers"_s).toArray(),
             (QJsonArray{u"alpha"_s, u"web"_s}));
}

void TestConfigIo::exportYamlByFilter()
{
    // No suffix typed: the selected filter (YAML, the first) decides.
    QSignalSpy exported(m_window->configTransfer(), &ConfigTransfer::exported);
    chooseFile(u"exportConfigurationAction"_s, u"configExportFileDialog"_s, path(u"exported"_s));
    QTRY_COMPARE_WITH_TIMEOUT(exported.count(), 1, 10000);
    const QString file = exported.at(0).at(0).toString();
    QCOMPARE(file, path(u"exported.yaml"_s));
    QCOMPARE(exported.at(0).at(1).toString(), QString());
    const QByteArray yaml = contents(file);
    QVERIFY(!yaml.trimmed().startsWith('{'));
    QString error;
    const QJsonObject root = configdoc::read(yaml, configdoc::Format::Yaml, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    // The same document as the JSON export.
    QCOMPARE(root, QJsonDocument::fromJson(m_exported).object());
    QVERIFY(!yaml.contains(m_token.toUtf8()));
}

void TestConfigIo::importPreviewThenCancel()
{
    // alpha gets another argument, web goes, beta comes.
    QJsonObject root = QJsonDocument::fromJson(m_exported).object();
    QJsonObject servers = root.value(u"servers"_s).toObject();
    QJsonObject alpha = servers.value(u"alpha"_s).toObject();
    alpha.insert(u"args"_s, QJsonArray{u"alpha.js"_s, u"--verbose"_s});
    servers.insert(u"alpha"_s, alpha);
    servers.remove(u"web"_s);
    servers.insert(u"beta"_s, QJsonObject{{u"type"_s, u"stdio"_s},
                                          {u"enabled"_s, false},
                                          {u"command"_s, u"node"_s},
                                          {u"args"_s, QJsonArray{u"beta.js"_s}}});
    root.insert(u"servers"_s, servers);
    QJsonObject namespaces = root.value(u"namespaces"_s).toObject();
    QJsonObject def = namespaces.value(kDefaultNamespace).toObject();
    def.insert(u"servers"_s, QJsonArray{u"alpha"_s, u"beta"_s});
    namespaces.insert(kDefaultNamespace, def);
    root.insert(u"namespaces"_s, namespaces);
    QVERIFY(test::writeFile(path(u"changed.json"_s), QJsonDocument(root).toJson()));

    const QByteArray before = exportNow();
    QSignalSpy changed(m_gateway.get(), &Gateway::configItemChanged);
    chooseFile(u"importConfigurationAction"_s, u"configImportFileDialog"_s, path(u"changed.json"_s));
    QPointer<ConfigImportDialog> dialog = waitForImportDialog();
    QVERIFY(dialog);
    QTRY_COMPARE_WITH_TIMEOUT(dialog->state(), ConfigImportDialog::State::Preview, 20000);
    QVERIFY(QTest::qWaitForWindowExposed(dialog));
    QCOMPARE(QApplication::activeModalWidget(), dialog.data());
    const QMap<QString, QStringList> expected{
        {u"added"_s, {u"+ server beta"_s}},
        {u"changed"_s, {u"~ server alpha: args"_s, u"~ namespace default: servers"_s}},
        {u"removed"_s, {u"- server web"_s}},
    };
    QCOMPARE(listedChanges(dialog), expected);
    QCOMPARE(dialog->changes().size(), 4);
    // The daemon's formatter, line for line.
    QStringList lines = configdoc::describe(dialog->changes()).split(u'\n');
    QStringList listed;
    for (const QStringList &group : expected)
        listed += group;
    lines.sort();
    listed.sort();
    QCOMPARE(lines, listed);
    QVERIFY(dialog->findChild<QLabel *>(u"configImportSummaryLabel"_s)->text().contains(u"4 change"_s));
    auto *apply = dialog->findChild<QPushButton *>(u"applyConfigPushButton"_s);
    QVERIFY(apply->isVisible() && apply->isEnabled());

    QTest::mouseClick(dialog->findChild<QPushButton *>(u"cancelConfigPushButton"_s), Qt::LeftButton);
    QTRY_VERIFY(!dialog);
    QCOMPARE(exportNow(), before);
    QCOMPARE(changed.count(), 0);
    QCOMPARE(m_gateway->config().servers.size(), 2);
}

void TestConfigIo::importApply()
{
    QSignalSpy changed(m_gateway.get(), &Gateway::configItemChanged);
    QPointer<ConfigImportDialog> dialog = m_window->configTransfer()->importFrom(path(u"changed.json"_s));
    QVERIFY(dialog);
    QTRY_COMPARE_WITH_TIMEOUT(dialog->state(), ConfigImportDialog::State::Preview, 20000);
    const QMap<QString, QStringList> preview = listedChanges(dialog);
    QTest::mouseClick(dialog->findChild<QPushButton *>(u"applyConfigPushButton"_s), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(dialog->state(), ConfigImportDialog::State::Applied, 20000);
    QVERIFY2(dialog->errors().isEmpty(), qPrintable(dialog->errors().join(u'\n')));
    QCOMPARE(listedChanges(dialog), preview); // what was done is what was shown
    QVERIFY(dialog->findChild<QLabel *>(u"configImportSummaryLabel"_s)->text().contains(u"4 change"_s));
    QVERIFY(!dialog->findChild<QPushButton *>(u"applyConfigPushButton"_s)->isVisible());
    QTRY_COMPARE(changed.count(), 4);
    QTRY_VERIFY(m_window->statusBar()->currentMessage().contains(u"changed.json"_s));

    const GatewayConfig config = m_gateway->config();
    QStringList names;
    for (const UpstreamConfig &server : config.servers)
        names.append(server.name);
    names.sort();
    QCOMPARE(names, (QStringList{u"alpha"_s, u"beta"_s}));
    QVERIFY(config.server(u"alpha"_s) && config.ns(kDefaultNamespace));
    QCOMPARE(config.server(u"alpha"_s)->args, (QStringList{u"alpha.js"_s, u"--verbose"_s}));
    QCOMPARE(config.ns(kDefaultNamespace)->servers, (QStringList{u"alpha"_s, u"beta"_s}));
    // The secret stayed in the keychain and out of the document.
    const QByteArray after = exportNow();
    QVERIFY(after.contains("keychain:alpha/env:API_TOKEN"));
    QVERIFY(!after.contains(m_token.toUtf8()));

    QTest::mouseClick(dialog->findChild<QPushButton *>(u"cancelConfigPushButton"_s), Qt::LeftButton);
    QTRY_VERIFY(!dialog);
}

void TestConfigIo::importSameAgainSaysNoChanges()
{
    QSignalSpy changed(m_gateway.get(), &Gateway::configItemChanged);
    QPointer<ConfigImportDialog> dialog = m_window->configTransfer()->importFrom(path(u"changed.json"_s));
    QTRY_COMPARE_WITH_TIMEOUT(dialog->state(), ConfigImportDialog::State::NoChanges, 20000);
    QVERIFY(dialog->changes().isEmpty());
    QVERIFY(dialog->findChild<QLabel *>(u"configImportSummaryLabel"_s)->text().startsWith(u"No changes"_s));
    QVERIFY(dialog->findChild<QTreeWidget *>(u"configChangesTreeWidget"_s)->isHidden());
    QVERIFY(!dialog->findChild<QPushButton *>(u"applyConfigPushButton"_s)->isVisible());
    dialog->reject();
    QTRY_VERIFY(!dialog);
    exportNow();
    QCOMPARE(changed.count(), 0);
}

void TestConfigIo::badDocumentChangesNothing_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QByteArray>("document");
    QTest::addColumn<QStringList>("problems");
    QTest::newRow("problems") << u"bad.yaml"_s << QByteArray(R"(version: 1
servers:
  gh:
    type: http
    url: https://example.com/mcp
    headers:
      Authorization: Bearer literal-value
namespaces:
  team:
    servers: [gh, ghost]
)")
                              << QStringList{u"servers.gh.headers.Authorization: "_s,
                                             u"namespaces.team.servers: there is no server named ghost"_s};
    QTest::newRow("not yaml") << u"broken.yaml"_s << QByteArray("servers: [unclosed\n") << QStringList{};
    QTest::newRow("newer version") << u"newer.json"_s << QByteArray(R"({"version": 2})")
                                   << QStringList{u"version: 2 is newer"_s};
    QTest::newRow("missing file") << u"no-such-file.json"_s << QByteArray() << QStringList{};
}

void TestConfigIo::badDocumentChangesNothing()
{
    QFETCH(QString, file);
    QFETCH(QByteArray, document);
    QFETCH(QStringList, problems);
    if (!document.isEmpty())
        QVERIFY(test::writeFile(path(file), document));
    const QByteArray before = exportNow();
    QSignalSpy changed(m_gateway.get(), &Gateway::configItemChanged);
    QPointer<ConfigImportDialog> dialog = m_window->configTransfer()->importFrom(path(file));
    QTRY_COMPARE_WITH_TIMEOUT(dialog->state(), ConfigImportDialog::State::Invalid, 20000);
    const QStringList errors = dialog->errors();
    QVERIFY(!errors.isEmpty());
    for (const QString &problem : problems)
        QVERIFY2(std::any_of(errors.cbegin(), errors.cend(), [&](const QString &e) { return e.startsWith(problem); }),
                 qPrintable(problem + u" not in:\n"_s + errors.join(u'\n')));
    auto *text = dialog->findChild<QPlainTextEdit *>(u"configErrorsPlainTextEdit"_s);
    QVERIFY(text->isVisible());
    QCOMPARE(text->toPlainText(), errors.join(u'\n'));
    QVERIFY(dialog->findChild<QLabel *>(u"configImportSummaryLabel"_s)->text().contains(u"Nothing was changed"_s));
    QVERIFY(!dialog->findChild<QPushButton *>(u"applyConfigPushButton"_s)->isVisible());
    dialog->apply(); // refused in this state
    QCOMPARE(dialog->state(), ConfigImportDialog::State::Invalid);
    QTest::mouseClick(dialog->findChild<QPushButton *>(u"cancelConfigPushButton"_s), Qt::LeftButton);
    QTRY_VERIFY(!dialog);
    QCOMPARE(exportNow(), before);
    QCOMPARE(changed.count(), 0);
}

void TestConfigIo::exportErrorIsShown()
{
    QSignalSpy exported(m_window->configTransfer(), &ConfigTransfer::exported);
    const QString file = path(u"no-such-folder/config.json"_s);
    m_window->configTransfer()->exportTo(file);
    QTRY_COMPARE_WITH_TIMEOUT(exported.count(), 1, 10000);
    QVERIFY(!exported.at(0).at(1).toString().isEmpty());
    QPointer<QMessageBox> box;
    QTRY_VERIFY((box = m_window->findChild<QMessageBox *>(u"configExportErrorMessageBox"_s)));
    QVERIFY(box->text().contains(QDir::toNativeSeparators(file)));
    QVERIFY(!QFile::exists(file));
    box->accept();
    QTRY_VERIFY(!box);
}

void TestConfigIo::cleanupTestCase()
{
    m_window.reset();
    m_gateway.reset();
}

QTEST_MAIN(TestConfigIo)
#include "tst_configio.moc"
