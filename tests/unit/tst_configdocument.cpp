// Configuration documents (services/configdocument): every example in docs/CONFIG-AS-CODE.md is
// valid against the JSON Schema (resources/schema, valijson) and as a whole; bad documents are
// refused with errors naming the path; write() and parse() are inverse and stable (JSON, YAML).

#include "services/configdocument.h"
#include "testsupport.h"

#include <QFile>
#include <QRegularExpression>
#include <QTest>

using namespace metamcp;
using namespace Qt::StringLiterals;

class TestConfigDocument final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void docsExamplesAreValid()
    {
        QFile doc(test::sourceDir() + u"/docs/CONFIG-AS-CODE.md"_s);
        QVERIFY(doc.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(doc.readAll());
        static const QRegularExpression block(u"```(json|yaml)\\n(.*?)```"_s,
                                              QRegularExpression::DotMatchesEverythingOption);
        int examples = 0;
        for (auto it = block.globalMatch(text); it.hasNext();) {
            const auto m = it.next();
            const auto format = m.captured(1) == u"yaml" ? configdoc::Format::Yaml : configdoc::Format::Json;
            QStringList errors;
            const configdoc::Desired d = configdoc::parse(m.captured(2).toUtf8(), format, &errors);
            QVERIFY2(errors.isEmpty(), qPrintable(errors.join(u'\n')));
            QVERIFY(!d.config.servers.isEmpty());
            ++examples;
        }
        QVERIFY(examples >= 2);
    }

    void badDocumentsNameThePath_data()
    {
        QTest::addColumn<QByteArray>("document");
        QTest::addColumn<bool>("yaml");
        QTest::addColumn<QString>("error");
        QTest::newRow("no version") << QByteArray("{}") << false << u"(document): "_s;
        QTest::newRow("newer version") << QByteArray("{\"version\": 2}") << false
                                       << u"version: 2 is newer than this MetaMCP reads (1)"_s;
        QTest::newRow("unknown type") << QByteArray("{\"version\":1,\"servers\":{\"x\":{\"type\":\"ftp\"}}}") << false
                                      << u"servers.x.type: "_s;
        QTest::newRow("stdio without command")
            << QByteArray("version: 1\nservers:\n  x: {type: stdio}\n") << true << u"servers.x: "_s;
        QTest::newRow("secret in clear")
            << QByteArray("version: 1\nservers:\n  x: {type: http, url: 'http://h/mcp', headers: {Authorization: "
                          "'Bearer abc'}}\n")
            << true << u"servers.x.headers.Authorization: looks like a secret"_s;
        QTest::newRow("bad reference") << QByteArray("{\"version\":1,\"servers\":{\"x\":{\"type\":\"http\",\"url\":"
                                                     "\"http://h\",\"headers\":{\"A\":{\"secret\":\"vault:x\"}}}}}")
                                       << false << u"servers.x.headers.A"_s;
        QTest::newRow("unknown server in namespace")
            << QByteArray("version: 1\nnamespaces:\n  team: {servers: [ghost]}\n") << true
            << u"namespaces.team.servers: there is no server named ghost"_s;
        QTest::newRow("unknown field")
            << QByteArray("{\"version\":1,\"servers\":{\"x\":{\"type\":\"stdio\",\"command\":\"c\",\"colour\":1}}}")
            << false << u"servers.x"_s;
        QTest::newRow("yaml syntax") << QByteArray("version: 1\nservers: [oops\n") << true << u"line 3"_s;
        QTest::newRow("json syntax") << QByteArray("{\"version\": 1,\n}") << false << u"line 2: not valid JSON"_s;
    }

    void badDocumentsNameThePath()
    {
        QFETCH(QByteArray, document);
        QFETCH(bool, yaml);
        QFETCH(QString, error);
        QStringList errors;
        configdoc::parse(document, yaml ? configdoc::Format::Yaml : configdoc::Format::Json, &errors);
        QVERIFY2(!errors.isEmpty(), "refused");
        QVERIFY2(errors.join(u'\n').startsWith(error), qPrintable(errors.join(u'\n')));
    }

    void writeThenParseIsTheSame()
    {
        GatewayConfig config;
        config.listen.port = 9999;
        config.listen.allowedOrigins = {u"http://localhost:6274"_s};
        UpstreamConfig stdio;
        stdio.name = u"files"_s;
        stdio.command = u"npx"_s;
        stdio.args = {u"-y"_s, u"true"_s, u"123"_s}; // strings that look like other YAML types
        stdio.env = {{u"PLAIN"_s, u"null"_s}, {u"API_TOKEN"_s, u"s3cret"_s}};
        stdio.isolation = UpstreamIsolation::PerPrincipal;
        stdio.warmInstances = 0;
        UpstreamConfig rest;
        rest.name = u"api"_s;
        rest.kind = UpstreamKind::Rest;
        rest.url = QUrl(u"https://api.example.com/v1"_s);
        RestToolConfig tool;
        tool.name = u"get"_s;
        tool.urlTemplate = u"/things/{id}"_s;
        tool.inputSchema = QJsonObject{{u"type"_s, u"object"_s}, {u"minimum"_s, 1.5}};
        rest.restTools = {tool};
        rest.maxConcurrency = 4;
        config.servers = {stdio, rest};
        NamespaceConfig def;
        def.name = kDefaultNamespace;
        def.servers = {u"files"_s, u"api"_s};
        def.toolOverrides = {ToolOverride{u"api"_s, u"get"_s, false, u"fetch"_s, {}}};
        config.namespaces = {def};
        for (const auto format : {configdoc::Format::Json, configdoc::Format::Yaml}) {
            const QByteArray written = configdoc::write(config, format);
            QVERIFY2(!written.contains("s3cret"), written.constData());
            QStringList errors;
            const configdoc::Desired d = configdoc::parse(written, format, &errors);
            QVERIFY2(errors.isEmpty(), qPrintable(errors.join(u'\n') + u'\n' + QString::fromUtf8(written)));
            QCOMPARE(d.secrets.value(u"files"_s).value(u"env:API_TOKEN"_s), u"keychain:files/env:API_TOKEN"_s);
            GatewayConfig back = d.config;
            for (UpstreamConfig &s : back.servers) // parsed in name order
                if (s.name == u"files")
                    s.setSecretValue(u"env:API_TOKEN"_s, u"s3cret"_s);
            QCOMPARE(configdoc::write(back, format), written);
            QVERIFY(diffConfigs(config, back).isEmpty());
        }
    }

    void describeNamesFields()
    {
        const QList<ConfigChange> changes = {
            {ConfigChange::Kind::Server, u"a"_s, ConfigChange::Type::Added, {}},
            {ConfigChange::Kind::Server, u"b"_s, ConfigChange::Type::Changed, {u"url"_s, u"headers.X"_s}},
            {ConfigChange::Kind::Namespace, u"c"_s, ConfigChange::Type::Removed, {}}};
        QCOMPARE(configdoc::describe(changes), u"+ server a\n~ server b: url, headers.X\n- namespace c"_s);
        QCOMPARE(configdoc::describe({}), u"no changes"_s);
    }
};

QTEST_GUILESS_MAIN(TestConfigDocument)
#include "tst_configdocument.moc"
